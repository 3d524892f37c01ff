/**
 * Path-style addressing only: `/{bucket}/{key}`. Virtual-hosted style would need a DNS name per bucket,
 * so the operator's S3 clients are configured with `forcePathStyle: true` when pointed at the emulator.
 */
import { S3Error } from './errors.js';

export interface S3Address {
  bucket?: string;
  key?: string;
}

export function parseAddress(path: string): S3Address {
  const rest = path.replace(/^\//, '');
  const slash = rest.indexOf('/');
  const [bucket, key] = slash < 0 ? [rest, ''] : [rest.slice(0, slash), rest.slice(slash + 1)];
  try {
    return { ...(bucket ? { bucket: decodeURIComponent(bucket) } : {}), ...(key ? { key: decodeURIComponent(key) } : {}) };
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.", { URI: path });
  }
}
