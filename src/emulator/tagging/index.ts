/**
 * The Resource Groups Tagging API (`resource-groups-tagging-api`, signing name `tagging`), as far as the
 * operator uses it: GetResources over the AgentCore emulator's tag store, the tags of many resources in
 * one paged read. IAM roles are not listed, as GetResources on AWS does not list them either.
 */
import { defaultAgentCoreFamilies, type OperationFamily } from '../agentcore/index.js';
import type { ArnOwner } from '../agentcore/tags.js';
import { AwsError } from '../errors.js';
import type { EmulatedService, ServiceContext } from '../service.js';
import { getResources } from './get-resources.js';
import { jsonError, jsonResponse, parseCall, type JsonObject } from './protocol.js';

/** The rate-quota class of the operations (quotas.ts). */
export const TAGGING_API_CLASS = 'taggingApi';

type Handler = (input: JsonObject, call: { ctx: ServiceContext; region: string; owners: ArnOwner[] }) => unknown;

const OPERATIONS = new Map<string, Handler>([['GetResources', (input, { ctx, region, owners }) => getResources(input, ctx, region, owners)]]);

/** The operations served, by name. */
export const TAGGING_OPERATIONS: readonly string[] = [...OPERATIONS.keys()];

/**
 * The service. `families` are the AgentCore families whose resources it lists (those the AgentCore
 * service is built with); a tagged ARN none of them owns any more is not listed.
 */
export function taggingService(families: OperationFamily[] = defaultAgentCoreFamilies): EmulatedService {
  const owners = families.flatMap((f) => (f.ownsArn ? [f.ownsArn] : []));
  return {
    signingName: 'tagging',
    async handle(request, ctx) {
      const { operation, input } = parseCall(request);
      const handler = OPERATIONS.get(operation);
      if (!handler) throw new AwsError('UnknownOperationException', 400, `The emulator does not implement Resource Groups Tagging API ${operation}`);
      const output = await ctx.run(
        { service: 'tagging', operation, apiClass: TAGGING_API_CLASS, throttlingCode: 'ThrottledException', serverErrorCode: 'InternalServiceException', region: request.region },
        () => {
          const result = handler(input, { ctx, region: request.region, owners });
          // Reading settles AgentCore resources whose time has come (a finished deletion), as any read does.
          ctx.state.markChanged();
          return result;
        },
      );
      return jsonResponse(output);
    },
    errorResponse: jsonError,
  };
}
