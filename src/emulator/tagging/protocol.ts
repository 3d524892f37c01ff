/**
 * The awsJson1.1 wire form of the Resource Groups Tagging API: every call is a POST to `/` naming its
 * operation in `x-amz-target`. The success body is ECR's (ecr/protocol.ts); the target prefix and the
 * error body differ: this API's exceptions carry their text in a `Message` member.
 */
import { AwsError } from '../errors.js';
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import type { JsonCall } from '../ecr/protocol.js';

export { jsonResponse, type JsonObject } from '../ecr/protocol.js';

const TARGET_PREFIX = 'ResourceGroupsTaggingAPI_20170126.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export function parseCall(request: EmulatorRequest): JsonCall {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (request.method !== 'POST' || request.path !== '/' || !target.startsWith(TARGET_PREFIX)) {
    throw new AwsError('UnknownOperationException', 400, `Unknown operation ${target || `${request.method} ${request.path}`}`);
  }
  let input: unknown = {};
  try {
    if (request.body.length > 0) input = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 400, 'The request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AwsError('SerializationException', 400, 'The request body must be a JSON object');
  }
  return { operation: target.slice(TARGET_PREFIX.length), input: input as Record<string, unknown> };
}

export function jsonError(error: AwsError): EmulatorResponse {
  return {
    status: error.senderFault ? 400 : 500,
    headers: { 'content-type': CONTENT_TYPE },
    body: JSON.stringify({ __type: error.code, Message: error.message, ...error.members }),
  };
}
