/** ETags and the integrity checks S3 makes on an upload: Content-MD5 and the flexible x-amz-checksum-* values. */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { S3Error } from './errors.js';

export interface StoredChecksum {
  /** `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`. */
  algorithm: string;
  /** Base64, as on the wire. */
  value: string;
}

/** How to compute each algorithm; CRC32C and CRC64NVME have no Node implementation, so those values are trusted. */
const COMPUTE: Record<string, ((body: Buffer) => string) | undefined> = {
  CRC32: (body) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(body));
    return out.toString('base64');
  },
  CRC32C: undefined,
  CRC64NVME: undefined,
  SHA1: (body) => createHash('sha1').update(body).digest('base64'),
  SHA256: (body) => createHash('sha256').update(body).digest('base64'),
};

export const checksumHeader = (algorithm: string) => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** The ETag of a single-part upload: the quoted MD5 of the body. */
export const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

export function checkContentMd5(contentMd5: string | undefined, body: Buffer): void {
  if (contentMd5 === undefined) return;
  if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.', { 'Content-MD5': contentMd5 });
  if (createHash('md5').update(body).digest('base64') !== contentMd5) {
    throw new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.', { ExpectedDigest: contentMd5 });
  }
}

/** The checksum a client sent in a header or a trailer, checked against the body where the emulator can compute it. */
export function receivedChecksum(fields: Record<string, string>, body: Buffer): StoredChecksum | undefined {
  const sent = Object.keys(COMPUTE).filter((algorithm) => fields[checksumHeader(algorithm)] !== undefined);
  if (sent.length > 1) throw new S3Error('InvalidRequest', 400, 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const algorithm = sent[0];
  if (algorithm === undefined) return undefined;
  const value = fields[checksumHeader(algorithm)]!;
  const compute = COMPUTE[algorithm];
  if (compute && compute(body) !== value) throw new S3Error('BadDigest', 400, `The ${algorithm} you specified did not match the calculated checksum.`);
  return { algorithm, value };
}
