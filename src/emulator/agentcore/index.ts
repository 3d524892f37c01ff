/** The AgentCore control plane (`bedrock-agentcore-control`, signing name `bedrock-agentcore`). */
import type { AwsError } from '../errors.js';
import type { EmulatedService } from '../service.js';
import { RestJsonRouter, restJsonError, type RestOperation } from './rest-json.js';
import { gatewayFamily } from './gateways.js';
import { ownsRuntimeArn, runtimeOperations } from './runtimes.js';
import { tagOperations, type ArnOwner } from './tags.js';
import type { ErrorCodes } from './rest-json.js';
import { identityFamily } from './identities.js';
import { memoryFamily } from './memories.js';

/** A family of operations (runtimes, memories, gateways...) and the ARNs it can tag. */
export interface OperationFamily {
  operations: RestOperation[];
  ownsArn?: ArnOwner;
  /** The throttling error name; the memory operations use ThrottledException. */
  throttlingCode?: string;
  /** The server-error name; the memory operations use ServiceException. */
  serverErrorCode?: string;
}

export const runtimeFamily: OperationFamily = { operations: runtimeOperations, ownsArn: ownsRuntimeArn };

/** Every family the emulator serves by default. */
export const defaultAgentCoreFamilies: OperationFamily[] = [runtimeFamily, memoryFamily, gatewayFamily, identityFamily];

function codesOf(family: OperationFamily): ErrorCodes {
  return { throttling: family.throttlingCode ?? 'ThrottlingException', server: family.serverErrorCode ?? 'InternalServerException' };
}

export function agentCoreOperations(families: OperationFamily[]): { operations: RestOperation[]; errorCodes: Map<string, ErrorCodes> } {
  const owners = families.flatMap((f) => (f.ownsArn ? [f.ownsArn] : []));
  const operations = [...families.flatMap((f) => f.operations), ...tagOperations(owners)];
  const errorCodes = new Map(families.flatMap((f) => f.operations.map((op) => [op.name, codesOf(f)] as const)));
  return { operations, errorCodes };
}

export function agentCoreService(families: OperationFamily[] = defaultAgentCoreFamilies): EmulatedService & { operations: RestOperation[] } {
  const { operations, errorCodes } = agentCoreOperations(families);
  const router = new RestJsonRouter('bedrock-agentcore', operations, (op) => errorCodes.get(op.name) ?? codesOf({ operations: [] }));
  return {
    signingName: 'bedrock-agentcore',
    adminName: 'agentcore',
    operations,
    handle: (request, ctx) => router.handle(request, ctx),
    errorResponse: (error: AwsError) => restJsonError(error),
  };
}
