/**
 * The awsJson1.1 wire form (ECR, Secrets Manager, the Resource Groups Tagging API): every call is a
 * POST to `/` naming its operation in `x-amz-target`, with a JSON body each way. Services differ only
 * in the target prefix, the name of their server fault and the member that carries an error's text.
 */
import { AwsError } from './errors.js';
import type { EmulatorRequest, EmulatorResponse } from './http.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

export type JsonObject = Record<string, unknown>;

export interface JsonCall {
  operation: string;
  input: JsonObject;
}

export interface JsonProtocol {
  parseCall(request: EmulatorRequest): JsonCall;
  jsonError(error: AwsError): EmulatorResponse;
}

export function jsonResponse(output: unknown): EmulatorResponse {
  return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body: JSON.stringify(output) };
}

export function awsJsonProtocol(options: {
  targetPrefix: string;
  /** The service's own name for the emulator's generic codes (injected faults raise InternalServerException). */
  wireCodes?: Record<string, string>;
  messageMember?: 'message' | 'Message';
}): JsonProtocol {
  const { targetPrefix, wireCodes = {}, messageMember = 'message' } = options;
  return {
    parseCall(request) {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (request.method !== 'POST' || request.path !== '/' || !target.startsWith(targetPrefix)) {
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
      return { operation: target.slice(targetPrefix.length), input: input as JsonObject };
    },
    jsonError(error) {
      return {
        status: error.senderFault ? 400 : 500,
        headers: { 'content-type': CONTENT_TYPE },
        body: JSON.stringify({ __type: wireCodes[error.code] ?? error.code, [messageMember]: error.message, ...error.members }),
      };
    },
  };
}
