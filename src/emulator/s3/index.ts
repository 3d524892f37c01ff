/** Amazon S3, as far as the operator uses it: fingerprinting code zips by object version and ETag. */
import { AwsError } from '../errors.js';
import type { EmulatedService } from '../service.js';
import { parseAddress } from './address.js';
import { createBucket, getBucketVersioning, listObjectVersions, putBucketVersioning } from './bucket-operations.js';
import { Buckets } from './buckets.js';
import { notImplemented, s3ErrorResponse } from './errors.js';
import { deleteObject, getObject, headObject, putObject } from './object-operations.js';
import type { S3Operation } from './operation.js';

/** Query parameters that qualify an operation; any other query key is a subresource selecting one. */
const PARAMETERS = new Set(['x-id', 'versionId', 'prefix', 'key-marker', 'version-id-marker', 'max-keys', 'encoding-type']);

/** Keyed by method, target and subresources: `GET bucket?versioning`. */
const ROUTES: Record<string, { operation: string; run: S3Operation }> = {
  'PUT bucket': { operation: 'CreateBucket', run: createBucket },
  'PUT bucket?versioning': { operation: 'PutBucketVersioning', run: putBucketVersioning },
  'GET bucket?versioning': { operation: 'GetBucketVersioning', run: getBucketVersioning },
  'GET bucket?versions': { operation: 'ListObjectVersions', run: listObjectVersions },
  'PUT object': { operation: 'PutObject', run: putObject },
  'GET object': { operation: 'GetObject', run: getObject },
  'HEAD object': { operation: 'HeadObject', run: headObject },
  'DELETE object': { operation: 'DeleteObject', run: deleteObject },
};

function routeKey(method: string, key: string | undefined, query: URLSearchParams): string {
  const subresources = [...new Set(query.keys())].filter((name) => !PARAMETERS.has(name) && !name.startsWith('response-')).sort();
  return `${method} ${key === undefined ? 'bucket' : 'object'}${subresources.length > 0 ? `?${subresources.join('&')}` : ''}`;
}

export function s3Service(): EmulatedService {
  return {
    signingName: 's3',
    adminName: 's3',
    async handle(request, ctx) {
      try {
        const { bucket, key } = parseAddress(request.path);
        const route = bucket === undefined ? undefined : ROUTES[routeKey(request.method, key, request.query)];
        if (!route || bucket === undefined) throw notImplemented();
        return await ctx.run({ service: 's3', operation: route.operation, apiClass: 's3', throttlingCode: 'SlowDown', region: request.region }, () =>
          route.run({ request, ctx, buckets: new Buckets(ctx), bucket, key: key ?? '' }),
        );
      } catch (error) {
        // A HEAD answer has no body, so S3's HEAD errors are the status (and headers) alone.
        if (request.method === 'HEAD' && error instanceof AwsError) return { ...s3ErrorResponse(error), body: '' };
        throw error;
      }
    },
    errorResponse: s3ErrorResponse,
  };
}
