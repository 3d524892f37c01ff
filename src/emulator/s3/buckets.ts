/**
 * S3 buckets. Their names are global, as in S3: one account here, so a name taken is always taken by
 * the caller. Each bucket lives in one region, and requests signed for another are redirected.
 */
import type { ServiceContext } from '../service.js';
import { noSuchBucket, S3Error } from './errors.js';
import type { StoredVersion } from './versions.js';

export type VersioningStatus = 'Enabled' | 'Suspended';

export interface StoredBucket {
  region: string;
  createdAt: number;
  /** Absent until versioning is first configured; once Enabled a bucket can only be Suspended, never unversioned. */
  versioning?: VersioningStatus;
  /** Every version of each key, newest first. */
  objects: Record<string, StoredVersion[]>;
}

interface S3State {
  buckets: Record<string, StoredBucket>;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

function checkBucketName(name: string): void {
  if (!BUCKET_NAME.test(name) || name.includes('..') || IP_ADDRESS.test(name)) {
    throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: name });
  }
}

export class Buckets {
  private readonly state: S3State;

  constructor(private readonly ctx: ServiceContext) {
    this.state = ctx.state.slice<S3State>('s3', () => ({ buckets: {} }));
  }

  /**
   * Creates a bucket in `region`. Re-creating one's own bucket is BucketAlreadyOwnedByYou, except in
   * us-east-1, where S3 keeps its legacy answer of success.
   */
  create(name: string, region: string): void {
    checkBucketName(name);
    const existing = this.find(name);
    if (existing) {
      if (existing.region === 'us-east-1' && region === 'us-east-1') return;
      throw new S3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: name });
    }
    this.state.buckets[name] = { region, createdAt: this.ctx.clock.now(), objects: {} };
    this.ctx.state.markChanged();
  }

  /** The bucket a request addresses, when the request was signed for the bucket's region. */
  get(name: string, requestRegion: string): StoredBucket {
    const bucket = this.find(name);
    if (!bucket) throw noSuchBucket(name);
    if (bucket.region !== requestRegion) {
      throw new S3Error(
        'PermanentRedirect',
        301,
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
        { Bucket: name, Endpoint: `s3.${bucket.region}.amazonaws.com` },
        { 'x-amz-bucket-region': bucket.region },
      );
    }
    return bucket;
  }

  /** Names in a request path are unchecked, so only own properties count (`constructor` is no bucket). */
  private find(name: string): StoredBucket | undefined {
    return Object.hasOwn(this.state.buckets, name) ? this.state.buckets[name] : undefined;
  }

  setVersioning(bucket: StoredBucket, status: VersioningStatus): void {
    bucket.versioning = status;
    this.ctx.state.markChanged();
  }
}
