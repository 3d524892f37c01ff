import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { s3Service } from '../../src/emulator/s3/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';

const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

let emulator: TestEmulator;
let s3: S3Client;

beforeAll(async () => {
  emulator = await startTestEmulator([s3Service()]);
  s3 = new S3Client({ ...emulator.clientConfig, forcePathStyle: true });
});
afterAll(async () => {
  s3.destroy();
  await emulator.close();
});
afterEach(() => emulator.admin('POST', 'reset'));


async function versionedBucket(Bucket = 'agent-code') {
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return Bucket;
}

const put = (Bucket: string, Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket, Key, Body }));

async function bodyOf(Bucket: string, Key: string, VersionId?: string) {
  const output = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return output.Body!.transformToString();
}

describe('S3 buckets', () => {
  test('a bucket is created once; creating it again is BucketAlreadyOwnedByYou', async () => {
    expect((await s3.send(new CreateBucketCommand({ Bucket: 'agent-code' }))).Location).toBe('/agent-code');
    expect(await failure(s3.send(new CreateBucketCommand({ Bucket: 'agent-code' })))).toMatchObject({ name: 'BucketAlreadyOwnedByYou', status: 409 });
  });

  test('versioning reads back as configured, and is absent until configured', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'agent-code' }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'agent-code' }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'agent-code', VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'agent-code' }))).Status).toBe('Enabled');
  });

  test('a bucket lives in one region', async () => {
    expect(await failure(s3.send(new CreateBucketCommand({ Bucket: 'agent-code', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })))).toMatchObject({
      name: 'IllegalLocationConstraintException',
      status: 400,
    });
    const east = new S3Client({ ...emulator.clientConfig, region: 'us-east-1', forcePathStyle: true });
    try {
      await east.send(new CreateBucketCommand({ Bucket: 'east-code' }));
      await east.send(new PutObjectCommand({ Bucket: 'east-code', Key: 'a.zip', Body: 'x' }));
    } finally {
      east.destroy();
    }
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'east-code', Key: 'a.zip' })))).toMatchObject({ name: 'PermanentRedirect', status: 301 });
  });

  test('an invalid bucket name is InvalidBucketName', async () => {
    expect(await failure(s3.send(new CreateBucketCommand({ Bucket: 'Agent_Code' })))).toMatchObject({ name: 'InvalidBucketName', status: 400 });
  });
});

describe('S3 objects in a versioned bucket', () => {
  test('each put is a new version, with the MD5 of its body as ETag', async () => {
    const bucket = await versionedBucket();
    const first = await put(bucket, 'support-agent/code.zip', 'version one');
    const second = await put(bucket, 'support-agent/code.zip', 'version two');
    expect(first.VersionId).toBeTruthy();
    expect(second.VersionId).toBeTruthy();
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(first.ETag).toBe(md5('version one'));
    expect(second.ETag).toBe(md5('version two'));

    expect(await bodyOf(bucket, 'support-agent/code.zip')).toBe('version two');
    expect(await bodyOf(bucket, 'support-agent/code.zip', first.VersionId)).toBe('version one');
    expect(await bodyOf(bucket, 'support-agent/code.zip', second.VersionId)).toBe('version two');
  });

  test('HeadObject gives ETag, size, modification time and version without the body', async () => {
    const bucket = await versionedBucket();
    const { VersionId } = await put(bucket, 'code.zip', 'twelve bytes');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'code.zip' }));
    expect(head).toMatchObject({ ETag: md5('twelve bytes'), ContentLength: 12, VersionId });
    expect(head.LastModified).toBeInstanceOf(Date);
    expect(Math.abs(head.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  test('a delete leaves a marker: the key reads as missing, its versions remain, and removing the marker restores it', async () => {
    const bucket = await versionedBucket();
    const { VersionId } = await put(bucket, 'code.zip', 'kept');
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'code.zip' }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'code.zip' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(await bodyOf(bucket, 'code.zip', VersionId)).toBe('kept');

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'code.zip', VersionId: deleted.VersionId }));
    expect(await bodyOf(bucket, 'code.zip')).toBe('kept');
  });

  test('ListObjectVersions lists versions and delete markers, newest first, page by page', async () => {
    const bucket = await versionedBucket();
    const a1 = await put(bucket, 'a.zip', '1');
    const a2 = await put(bucket, 'a.zip', '2');
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a.zip' }));
    const b1 = await put(bucket, 'b.zip', '3');
    const c1 = await put(bucket, 'other/c.zip', '4');

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'a' }));
    expect(all.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([['a.zip', marker.VersionId, true]]);
    expect(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.ETag, v.Size])).toEqual([
      ['a.zip', a2.VersionId, false, md5('2'), 1],
      ['a.zip', a1.VersionId, false, md5('1'), 1],
    ]);

    const seen: string[] = [];
    let page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 2 }));
    for (;;) {
      seen.push(...[...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => v.VersionId!));
      if (!page.IsTruncated) break;
      page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 2, KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }));
    }
    expect(seen.sort()).toEqual([a1.VersionId, a2.VersionId, marker.VersionId, b1.VersionId, c1.VersionId].sort());
  });

  test('a streamed upload (aws-chunked with a trailing CRC32) stores the body, and GetObject validates the checksum', async () => {
    const bucket = await versionedBucket();
    const Body = Readable.from([Buffer.from('streamed '), Buffer.from('code')]);
    const output = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'code.zip', Body, ContentLength: 13 }));
    expect(output.ETag).toBe(md5('streamed code'));
    expect(output.ChecksumCRC32).toBeTruthy();
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'code.zip' }));
    expect(got.ChecksumCRC32).toBe(output.ChecksumCRC32);
    expect(await got.Body!.transformToString()).toBe('streamed code');
  });

  test('any key round-trips: slashes, spaces, non-ASCII, and names of Object.prototype members', async () => {
    const bucket = await versionedBucket();
    const keys = ['agents/support agent/code v1.zip', 'données/ü+%.zip', '__proto__', 'constructor'];
    for (const key of keys) await put(bucket, key, `body of ${key}`);
    for (const key of keys) expect(await bodyOf(bucket, key)).toBe(`body of ${key}`);
    const { Versions } = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(Versions?.map((v) => v.Key).sort()).toEqual([...keys].sort());
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'constructor', Key: 'code.zip' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });

  test('a checksum that does not match the body is BadDigest', async () => {
    const bucket = await versionedBucket();
    expect(await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'code.zip', Body: 'data', ChecksumCRC32: 'AAAAAA==' })))).toMatchObject({ name: 'BadDigest', status: 400 });
  });
});

describe('S3 objects in an unversioned bucket', () => {
  test('puts replace the "null" version and name no version', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    expect((await put('plain', 'code.zip', 'one')).VersionId).toBeUndefined();
    await put('plain', 'code.zip', 'two');
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'code.zip' }))).VersionId).toBeUndefined();
    const { Versions } = await s3.send(new ListObjectVersionsCommand({ Bucket: 'plain' }));
    expect(Versions?.map((v) => [v.VersionId, v.ETag])).toEqual([['null', md5('two')]]);
    expect(await bodyOf('plain', 'code.zip', 'null')).toBe('two');
  });
});

describe('S3 errors', () => {
  test('missing things are 404s named as S3 names them', async () => {
    const bucket = await versionedBucket();
    const { VersionId } = await put(bucket, 'code.zip', 'x');
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'missing.zip' })))).toMatchObject({ name: 'NotFound', status: 404 });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing.zip' })))).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
      message: 'The specified key does not exist.',
    });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'code.zip' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'no-such-bucket', Key: 'code.zip' })))).toMatchObject({ name: 'NotFound', status: 404 });
    const unknownVersion = VersionId!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'code.zip', VersionId: unknownVersion })))).toMatchObject({ name: 'NoSuchVersion', status: 404 });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'code.zip', VersionId: 'not-a-version' })))).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });
});

describe('S3 faults', () => {
  test('injected server errors are retried by the SDK until the call succeeds', async () => {
    const bucket = await versionedBucket();
    await put(bucket, 'code.zip', 'x');
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'HeadObject', kind: 'internal', rate: 1, count: 2 }] });
    await emulator.admin('DELETE', 'counters');

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'code.zip' }));
    expect(head.ETag).toBe(md5('x'));
    expect(head.$metadata.attempts).toBe(3);
    expect(await emulator.admin('GET', 'counters')).toEqual({ 's3:HeadObject': { InternalServerException: 2, ok: 1 } });
  });

  test('server errors and throttling that outlast the retries are InternalError 500 and SlowDown 503', async () => {
    const bucket = await versionedBucket();
    await put(bucket, 'code.zip', 'x');
    const once = new S3Client({ ...emulator.clientConfig, forcePathStyle: true, maxAttempts: 1 });
    try {
      await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetObject', kind: 'internal', rate: 1 }] });
      expect(await failure(once.send(new GetObjectCommand({ Bucket: bucket, Key: 'code.zip' })))).toMatchObject({ name: 'InternalError', status: 500 });
      await emulator.admin('PUT', 'faults', { rules: [{ operation: 'PutObject', kind: 'throttle', rate: 1 }] });
      expect(await failure(once.send(new PutObjectCommand({ Bucket: bucket, Key: 'code.zip', Body: 'y' })))).toMatchObject({ name: 'SlowDown', status: 503 });
    } finally {
      once.destroy();
    }
  });
});
