/**
 * What AWS holds for a runtime: its newest version (not the one last written, so out-of-band versions
 * count as drift), its endpoints and its tags. A runtime is found by the id recorded in status, or
 * else by name; one found by name is ours only if it carries our ownership tags or the object asks
 * to adopt it.
 */
import {
  GetAgentRuntimeCommand, ListAgentRuntimeEndpointsCommand, ListAgentRuntimesCommand, ListTagsForResourceCommand,
  type AgentRuntime as RuntimeSummary, type AgentRuntimeEndpoint, type GetAgentRuntimeResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { send, type RateGate } from '../../aws/call.js';
import type { AwsClients } from '../../aws/clients.js';
import { classifyAwsError } from '../../aws/errors.js';
import { TerminalError } from '../contract.js';
import { Reason } from '../conditions.js';
import { isOwnedBy, type Owner } from '../ownership.js';
import type { ObservedEndpoint } from './endpoints.js';

export interface ObservedRuntime {
  id: string;
  arn: string;
  version: string;
  status: string;
  failureReason?: string;
  workloadIdentityArn?: string;
  /** The newest version as GetAgentRuntime reports it. */
  configuration: Record<string, unknown>;
  endpoints: ObservedEndpoint[];
  tags: Record<string, string>;
}

export interface RuntimeLookup {
  name: string;
  /** The id recorded in status by an earlier reconcile. */
  id?: string;
  owner: Owner;
  adopt: boolean;
}

async function getRuntime(aws: AwsClients, gate: RateGate | undefined, id: string): Promise<GetAgentRuntimeResponse | undefined> {
  try {
    return await send<GetAgentRuntimeResponse>(aws.agentcore, new GetAgentRuntimeCommand({ agentRuntimeId: id }), gate);
  } catch (error) {
    if (classifyAwsError(error) === 'notFound') return undefined;
    throw error;
  }
}

async function findByName(aws: AwsClients, gate: RateGate | undefined, name: string): Promise<RuntimeSummary | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await send<{ agentRuntimes?: RuntimeSummary[]; nextToken?: string }>(aws.agentcore, new ListAgentRuntimesCommand({ maxResults: 100, nextToken }), gate);
    const found = page.agentRuntimes?.find((r) => r.agentRuntimeName === name);
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

async function listEndpoints(aws: AwsClients, gate: RateGate | undefined, id: string): Promise<ObservedEndpoint[]> {
  const endpoints: ObservedEndpoint[] = [];
  let nextToken: string | undefined;
  do {
    const page = await send<{ runtimeEndpoints?: AgentRuntimeEndpoint[]; nextToken?: string }>(aws.agentcore, new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: id, maxResults: 100, nextToken }), gate);
    for (const e of page.runtimeEndpoints ?? []) endpoints.push({ name: e.name!, targetVersion: e.targetVersion, liveVersion: e.liveVersion, status: e.status!, description: e.description });
    nextToken = page.nextToken;
  } while (nextToken);
  return endpoints;
}

export async function observeRuntime(aws: AwsClients, gate: RateGate | undefined, lookup: RuntimeLookup): Promise<ObservedRuntime | undefined> {
  let runtime = lookup.id ? await getRuntime(aws, gate, lookup.id) : undefined;
  let foundByName = false;
  if (!runtime) {
    const summary = await findByName(aws, gate, lookup.name);
    if (!summary) return undefined;
    runtime = await getRuntime(aws, gate, summary.agentRuntimeId!);
    if (!runtime) return undefined;
    foundByName = true;
  }
  const arn = runtime.agentRuntimeArn!;
  const tags = (await send<{ tags?: Record<string, string> }>(aws.agentcore, new ListTagsForResourceCommand({ resourceArn: arn }), gate)).tags ?? {};
  if (foundByName && !isOwnedBy(tags, lookup.owner) && !lookup.adopt) {
    throw new TerminalError(`An agent runtime named ${lookup.name} already exists and is not managed by this object; set the annotation agentcore.dev/adopt: "true" to take it over`, Reason.ValidationFailed);
  }
  const { agentRuntimeId, agentRuntimeVersion, status, failureReason, workloadIdentityDetails, ...rest } = runtime as GetAgentRuntimeResponse & { $metadata?: unknown };
  const { $metadata: _metadata, ...configuration } = rest;
  return {
    id: agentRuntimeId!,
    arn,
    version: agentRuntimeVersion!,
    status: status!,
    ...(failureReason ? { failureReason } : {}),
    ...(workloadIdentityDetails?.workloadIdentityArn ? { workloadIdentityArn: workloadIdentityDetails.workloadIdentityArn } : {}),
    configuration: configuration as Record<string, unknown>,
    endpoints: await listEndpoints(aws, gate, agentRuntimeId!),
    tags,
  };
}
