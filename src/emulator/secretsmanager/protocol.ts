/**
 * The awsJson1.1 wire form Secrets Manager speaks: every call is a POST to `/` naming its operation in
 * `x-amz-target` (`secretsmanager.GetSecretValue`). Responses and members are ECR's form (ecr/protocol.ts);
 * only the target prefix and the name of the server fault differ.
 */
import { AwsError } from '../errors.js';
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import { jsonResponse, type JsonCall, type JsonObject } from '../ecr/protocol.js';

export { jsonResponse, type JsonObject };

const TARGET_PREFIX = 'secretsmanager.';
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
  return { operation: target.slice(TARGET_PREFIX.length), input: input as JsonObject };
}

/** Injected faults raise the generic InternalServerException; Secrets Manager's own is InternalServiceError. */
const WIRE_CODES: Record<string, string> = { InternalServerException: 'InternalServiceError' };

export function jsonError(error: AwsError): EmulatorResponse {
  const code = WIRE_CODES[error.code] ?? error.code;
  return {
    status: error.senderFault ? 400 : 500,
    headers: { 'content-type': CONTENT_TYPE },
    body: JSON.stringify({ __type: code, message: error.message, ...error.members }),
  };
}
