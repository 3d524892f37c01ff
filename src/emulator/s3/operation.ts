/** What an S3 operation handler is given, and how it answers. */
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import type { ServiceContext } from '../service.js';
import type { Buckets } from './buckets.js';
import { s3RequestHeaders } from './errors.js';

export interface S3Call {
  request: EmulatorRequest;
  ctx: ServiceContext;
  buckets: Buckets;
  bucket: string;
  /** Present for object operations. */
  key: string;
}

export type S3Operation = (call: S3Call) => EmulatorResponse;

export function s3Response(status: number, headers: Record<string, string> = {}, body?: string | Buffer): EmulatorResponse {
  return { status, headers: { ...s3RequestHeaders(), ...headers }, ...(body === undefined ? {} : { body }) };
}

export const xmlResponse = (xml: string) => s3Response(200, { 'content-type': 'application/xml' }, xml);
