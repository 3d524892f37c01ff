/** The object-level operations: PutObject, GetObject, HeadObject and DeleteObject. */
import type { StoredBucket } from './buckets.js';
import { checkContentMd5, checksumHeader, etagOf, receivedChecksum } from './checksums.js';
import { invalidArgument, noSuchKey, noSuchVersion, notImplemented, S3Error } from './errors.js';
import { s3Response, type S3Call } from './operation.js';
import { readPayload } from './payload.js';
import { deleteObject as deleteVersion, findVersion, latestVersion, NULL_VERSION, putObject as putVersion, VERSION_ID, type StoredObject } from './versions.js';

const MAX_KEY_BYTES = 1024;
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
/** GetObject query parameters that override a response header. */
const RESPONSE_OVERRIDES = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-type', 'expires'];

function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 400, 'Your key is too long', { Size: String(Buffer.byteLength(key)), MaxSizeAllowed: String(MAX_KEY_BYTES) });
}

function readVersionId(call: S3Call): string | undefined {
  const versionId = call.request.query.get('versionId') ?? undefined;
  if (versionId !== undefined && versionId !== NULL_VERSION && !VERSION_ID.test(versionId)) throw invalidArgument('Invalid version id specified', 'versionId', versionId);
  return versionId;
}

/** A bucket that has ever had versioning configured names the version of every object it returns, even "null". */
const versionHeader = (bucket: StoredBucket, versionId: string): Record<string, string> => (bucket.versioning ? { 'x-amz-version-id': versionId } : {});

function checksumHeaders(object: Pick<StoredObject, 'checksum'>): Record<string, string> {
  return object.checksum ? { [checksumHeader(object.checksum.algorithm)]: object.checksum.value, 'x-amz-checksum-type': 'FULL_OBJECT' } : {};
}

export function putObject(call: S3Call) {
  const { request, ctx, buckets, key } = call;
  const bucket = buckets.get(call.bucket, request.region);
  checkKey(key);
  if (request.headers['x-amz-copy-source'] !== undefined) throw notImplemented();
  const { body, fields } = readPayload(request);
  if (body.length > ctx.config.maxBodyBytes) throw new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(ctx.config.maxBodyBytes) });
  checkContentMd5(fields['content-md5'], body);
  const checksum = receivedChecksum(fields, body);
  const metadata = Object.fromEntries(Object.entries(fields).filter(([name]) => name.startsWith('x-amz-meta-')));
  const version = putVersion(
    bucket,
    key,
    {
      body: body.toString('base64'),
      size: body.length,
      etag: etagOf(body),
      contentType: fields['content-type'] ?? DEFAULT_CONTENT_TYPE,
      metadata,
      ...(checksum ? { checksum } : {}),
    },
    ctx.clock.now(),
  );
  ctx.state.markChanged();
  return s3Response(200, {
    etag: version.etag,
    ...(bucket.versioning === 'Enabled' ? { 'x-amz-version-id': version.versionId } : {}),
    ...checksumHeaders(version),
  });
}

/** The object a read names: the latest version unless a versionId is given; delete markers answer as S3 does. */
function readableObject(call: S3Call, bucket: StoredBucket): StoredObject {
  const { key } = call;
  const versionId = readVersionId(call);
  if (versionId === undefined) {
    const latest = latestVersion(bucket, key);
    if (!latest) throw noSuchKey(key);
    if (latest.deleteMarker) throw noSuchKey(key, { 'x-amz-delete-marker': 'true', ...versionHeader(bucket, latest.versionId) });
    return latest;
  }
  const version = findVersion(bucket, key, versionId);
  if (!version) throw noSuchVersion(key, versionId);
  if (version.deleteMarker) {
    throw new S3Error(
      'MethodNotAllowed',
      405,
      'The specified method is not allowed against this resource.',
      { Method: call.request.method, ResourceType: 'DeleteMarker' },
      { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionId, 'last-modified': new Date(version.lastModified).toUTCString(), allow: 'DELETE' },
    );
  }
  return version;
}

function objectHeaders(call: S3Call, bucket: StoredBucket, object: StoredObject): Record<string, string> {
  const checksumMode = call.request.headers['x-amz-checksum-mode'] === 'ENABLED';
  return {
    'content-type': object.contentType,
    'content-length': String(object.size),
    etag: object.etag,
    'last-modified': new Date(object.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    ...versionHeader(bucket, object.versionId),
    ...object.metadata,
    ...(checksumMode ? checksumHeaders(object) : {}),
  };
}

export function headObject(call: S3Call) {
  const bucket = call.buckets.get(call.bucket, call.request.region);
  return s3Response(200, objectHeaders(call, bucket, readableObject(call, bucket)));
}

export function getObject(call: S3Call) {
  const bucket = call.buckets.get(call.bucket, call.request.region);
  const object = readableObject(call, bucket);
  const headers = objectHeaders(call, bucket, object);
  for (const header of RESPONSE_OVERRIDES) {
    const value = call.request.query.get(`response-${header}`);
    if (value !== null) headers[header] = value;
  }
  return s3Response(200, headers, Buffer.from(object.body, 'base64'));
}

export function deleteObject(call: S3Call) {
  const { request, ctx, buckets, key } = call;
  const bucket = buckets.get(call.bucket, request.region);
  const outcome = deleteVersion(bucket, key, readVersionId(call), ctx.clock.now());
  ctx.state.markChanged();
  return s3Response(204, {
    ...(outcome.versionId === undefined ? {} : { 'x-amz-version-id': outcome.versionId }),
    ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
  });
}
