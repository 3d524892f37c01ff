/** The bucket-level operations: CreateBucket, Put/GetBucketVersioning and ListObjectVersions. */
import { createHash } from 'node:crypto';
import { isoTime } from '../clock.js';
import { invalidArgument, malformedXml, S3Error } from './errors.js';
import { s3Response, xmlResponse, type S3Call } from './operation.js';
import { listVersions, type ListedVersion } from './versions.js';
import { childText, element, hasRoot, optionalTextElement, textElement, xmlDocument } from './xml.js';

const MAX_KEYS = 1000;

/** The region a CreateBucket names: S3 takes no constraint as us-east-1, and refuses to be told so explicitly. */
function bucketRegion(xml: string, requestRegion: string): string {
  let constraint: string | undefined;
  if (xml !== '') {
    if (!hasRoot(xml, 'CreateBucketConfiguration')) throw malformedXml();
    constraint = childText(xml, 'LocationConstraint') || undefined;
  }
  if (constraint === 'us-east-1') throw new S3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid', { LocationConstraint: constraint });
  const region = constraint ?? 'us-east-1';
  if (requestRegion !== 'us-east-1' && region !== requestRegion) {
    throw new S3Error('IllegalLocationConstraintException', 400, `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  }
  return region;
}

export function createBucket({ request, buckets, bucket }: S3Call) {
  buckets.create(bucket, bucketRegion(request.body.toString('utf8').trim(), request.region));
  return s3Response(200, { location: `/${bucket}` });
}

export function putBucketVersioning({ request, buckets, bucket: name }: S3Call) {
  const bucket = buckets.get(name, request.region);
  const xml = request.body.toString('utf8').trim();
  if (!hasRoot(xml, 'VersioningConfiguration')) throw malformedXml();
  const status = childText(xml, 'Status');
  if (status !== undefined) {
    if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
    buckets.setVersioning(bucket, status);
  }
  return s3Response(200);
}

export function getBucketVersioning({ request, buckets, bucket: name }: S3Call) {
  const bucket = buckets.get(name, request.region);
  return xmlResponse(xmlDocument('VersioningConfiguration', optionalTextElement('Status', bucket.versioning)));
}

/** S3 has no owner display names any more; the owner is the account's canonical user id. */
const canonicalUserId = (accountId: string) => createHash('sha256').update(`canonical-user:${accountId}`).digest('hex');

function readMaxKeys(value: string | null): number {
  if (value === null) return MAX_KEYS;
  if (!/^\d+$/.test(value)) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', value);
  return Math.min(Number(value), MAX_KEYS);
}

export function listObjectVersions({ request, ctx, buckets, bucket: name }: S3Call) {
  const bucket = buckets.get(name, request.region);
  const { query } = request;
  const prefix = query.get('prefix') ?? '';
  const keyMarker = query.get('key-marker') ?? undefined;
  const versionIdMarker = query.get('version-id-marker') ?? undefined;
  const encodingType = query.get('encoding-type') ?? undefined;
  const maxKeys = readMaxKeys(query.get('max-keys'));
  if (encodingType !== undefined && encodingType !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  if (versionIdMarker && !keyMarker) throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', versionIdMarker);
  const encode = (text: string) => (encodingType === 'url' ? encodeURIComponent(text) : text);

  const page = listVersions(bucket, { prefix, keyMarker, versionIdMarker, maxKeys });
  const owner = element('Owner', textElement('ID', canonicalUserId(ctx.config.accountId)));
  const entry = ({ key, version, isLatest }: ListedVersion) => {
    const common = [textElement('Key', encode(key)), textElement('VersionId', version.versionId), textElement('IsLatest', isLatest), textElement('LastModified', isoTime(version.lastModified))];
    if (version.deleteMarker) return element('DeleteMarker', ...common, owner);
    return element(
      'Version',
      ...common,
      textElement('ETag', version.etag),
      textElement('Size', version.size),
      textElement('StorageClass', 'STANDARD'),
      owner,
      optionalTextElement('ChecksumAlgorithm', version.checksum?.algorithm),
      version.checksum ? textElement('ChecksumType', 'FULL_OBJECT') : undefined,
    );
  };
  return xmlResponse(
    xmlDocument(
      'ListVersionsResult',
      textElement('Name', name),
      textElement('Prefix', encode(prefix)),
      textElement('KeyMarker', encode(keyMarker ?? '')),
      textElement('VersionIdMarker', versionIdMarker ?? ''),
      textElement('MaxKeys', maxKeys),
      optionalTextElement('EncodingType', encodingType),
      textElement('IsTruncated', page.truncated),
      optionalTextElement('NextKeyMarker', page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker)),
      optionalTextElement('NextVersionIdMarker', page.nextVersionIdMarker),
      ...page.entries.map(entry),
    ),
  );
}
