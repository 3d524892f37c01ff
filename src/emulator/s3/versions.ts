/**
 * The versions of one key, newest first, with S3's rules: while versioning is Enabled every write adds
 * a version; otherwise the write replaces the version called "null"; a delete without a version id adds
 * a delete marker (or, in a never-versioned bucket, removes the object).
 */
import { randomSuffix } from '../ids.js';
import type { StoredBucket } from './buckets.js';
import type { StoredChecksum } from './checksums.js';

export interface ObjectContent {
  /** Base64. */
  body: string;
  size: number;
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  checksum?: StoredChecksum;
}

export type StoredVersion =
  | ({ versionId: string; deleteMarker: false; lastModified: number } & ObjectContent)
  | { versionId: string; deleteMarker: true; lastModified: number };

export type StoredObject = Extract<StoredVersion, { deleteMarker: false }>;

export const NULL_VERSION = 'null';

const VERSION_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._';
export const VERSION_ID = /^[A-Za-z0-9._]{32}$/;

/** S3 reports modification times to the second. */
const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

function nextVersionId(bucket: StoredBucket): string {
  return bucket.versioning === 'Enabled' ? randomSuffix(32, VERSION_ID_ALPHABET) : NULL_VERSION;
}

/** Object keys are the caller's to choose, `__proto__` included, so they are only ever read and written as own properties. */
const versionsOf = (bucket: StoredBucket, key: string): StoredVersion[] => (Object.hasOwn(bucket.objects, key) ? bucket.objects[key]! : []);

function setVersions(bucket: StoredBucket, key: string, versions: StoredVersion[]): void {
  if (versions.length === 0) delete bucket.objects[key];
  else Object.defineProperty(bucket.objects, key, { value: versions, enumerable: true, writable: true, configurable: true });
}

function addVersion(bucket: StoredBucket, key: string, version: StoredVersion): void {
  setVersions(bucket, key, [version, ...versionsOf(bucket, key).filter((v) => v.versionId !== version.versionId)]);
}

export function putObject(bucket: StoredBucket, key: string, content: ObjectContent, now: number): StoredObject {
  const version: StoredObject = { versionId: nextVersionId(bucket), deleteMarker: false, lastModified: wholeSeconds(now), ...content };
  addVersion(bucket, key, version);
  return version;
}

/** The newest version of a key, which may be a delete marker. */
export const latestVersion = (bucket: StoredBucket, key: string): StoredVersion | undefined => versionsOf(bucket, key)[0];

export const findVersion = (bucket: StoredBucket, key: string, versionId: string): StoredVersion | undefined =>
  versionsOf(bucket, key).find((v) => v.versionId === versionId);

export interface DeleteOutcome {
  /** The version removed or the delete marker added; undefined when nothing was versioned. */
  versionId?: string;
  deleteMarker: boolean;
}

export function deleteObject(bucket: StoredBucket, key: string, versionId: string | undefined, now: number): DeleteOutcome {
  if (versionId !== undefined) {
    const removed = findVersion(bucket, key, versionId);
    setVersions(bucket, key, versionsOf(bucket, key).filter((v) => v !== removed));
    return { versionId, deleteMarker: removed?.deleteMarker ?? false };
  }
  if (bucket.versioning === undefined) {
    setVersions(bucket, key, []);
    return { deleteMarker: false };
  }
  const marker: StoredVersion = { versionId: nextVersionId(bucket), deleteMarker: true, lastModified: wholeSeconds(now) };
  addVersion(bucket, key, marker);
  return { versionId: marker.versionId, deleteMarker: true };
}

export interface ListedVersion {
  key: string;
  version: StoredVersion;
  isLatest: boolean;
}

export interface VersionPage {
  entries: ListedVersion[];
  truncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export interface VersionQuery {
  prefix: string;
  keyMarker?: string;
  versionIdMarker?: string;
  maxKeys: number;
}

/** S3 orders keys by their UTF-8 bytes. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Versions and delete markers in key order, newest first within a key, resuming after the markers. */
export function listVersions(bucket: StoredBucket, query: VersionQuery): VersionPage {
  const all: ListedVersion[] = Object.keys(bucket.objects)
    .filter((key) => key.startsWith(query.prefix))
    .sort(byUtf8)
    .flatMap((key) => versionsOf(bucket, key).map((version, index) => ({ key, version, isLatest: index === 0 })));
  let start = 0;
  if (query.keyMarker !== undefined) {
    const marker = query.keyMarker;
    const afterVersion =
      query.versionIdMarker === undefined ? -1 : all.findIndex((e) => e.key === marker && e.version.versionId === query.versionIdMarker);
    start = afterVersion >= 0 ? afterVersion + 1 : all.findIndex((e) => byUtf8(e.key, marker) > 0);
    if (start < 0) start = all.length;
  }
  const entries = all.slice(start, start + query.maxKeys);
  const truncated = query.maxKeys > 0 && start + entries.length < all.length;
  const last = entries.at(-1);
  return truncated && last ? { entries, truncated, nextKeyMarker: last.key, nextVersionIdMarker: last.version.versionId } : { entries, truncated };
}
