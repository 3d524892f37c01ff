/**
 * What AWS holds for a runtime: its newest version (not the one last written, so out-of-band versions
 * count as drift), its endpoints and its tags. A runtime is found by the id recorded in status, or
 * else by name; whether one found by name carries our ownership tags is reported, for the caller to
 * decide.
 */
import {
  GetAgentRuntimeCommand, GetAgentRuntimeEndpointCommand, ListAgentRuntimeEndpointsCommand, ListAgentRuntimesCommand,
  type AgentRuntime as RuntimeSummary, type AgentRuntimeEndpoint, type GetAgentRuntimeResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { allPages } from '../../aws/pages.js';
import { send, type RateGate } from '../../aws/call.js';
import type { AwsClients } from '../../aws/clients.js';
import { unlessNotFound } from '../../aws/errors.js';
import { isOwnedBy, type Owner } from '../ownership.js';
import type { Memo } from '../memo.js';
import { tagsOf } from '../inventory.js';
import type { ReconcileEnv } from '../kind.js';
import type { ObservedEndpoint } from './endpoints.js';
import { TRANSITIONAL } from '../steps.js';
import { locate } from '../resource/locate.js';

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
  /** Found by the recorded id, or carrying the object's ownership tags. */
  owned: boolean;
}

export interface RuntimeLookup {
  name: string;
  /** The id recorded in status by an earlier reconcile. */
  id?: string;
  /** The named endpoints this object manages (in its spec, or created by it before). */
  endpointNames: string[];
  owner: Owner;
}

function getRuntime(aws: AwsClients, gate: RateGate | undefined, id: string): Promise<GetAgentRuntimeResponse | undefined> {
  return unlessNotFound(send<GetAgentRuntimeResponse>(aws.agentcore, new GetAgentRuntimeCommand({ agentRuntimeId: id }), gate));
}

async function listRuntimes(aws: AwsClients, gate: RateGate | undefined): Promise<Map<string, RuntimeSummary>> {
  const runtimes = await allPages(async (nextToken) => {
    const page = await send<{ agentRuntimes?: RuntimeSummary[]; nextToken?: string }>(aws.agentcore, new ListAgentRuntimesCommand({ maxResults: 100, nextToken }), gate);
    return { items: page.agentRuntimes, next: page.nextToken };
  });
  return new Map(runtimes.map((r) => [r.agentRuntimeName!, r]));
}

/**
 * How long one listing of the account's runtimes serves the objects looking for theirs by name. A
 * runtime this run creates need not appear in it: its object records the id, and validation keeps
 * names apart.
 */
const LISTING_TTL_MS = 5000;
const RUNTIME_LISTING_KEY = 'agentcore:runtimes';

async function findByName(aws: AwsClients, gate: RateGate | undefined, name: string, memo: Memo | undefined): Promise<RuntimeSummary | undefined> {
  const listing = memo ? memo.get(RUNTIME_LISTING_KEY, LISTING_TTL_MS, () => listRuntimes(aws, gate)) : listRuntimes(aws, gate);
  return (await listing).get(name);
}

/**
 * The endpoints this object manages, read one by one: the spec's and those it created before. An
 * endpoint someone else added is not ours to move or delete, and reading by name keeps to the Get
 * quota (150 TPS) instead of the List quota (25 TPS).
 */
async function readEndpoints(aws: AwsClients, gate: RateGate | undefined, id: string, names: string[]): Promise<ObservedEndpoint[]> {
  const read = async (name: string): Promise<ObservedEndpoint | undefined> => {
    const e = await unlessNotFound(send<AgentRuntimeEndpoint>(aws.agentcore, new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: name }), gate));
    return e && { name: e.name!, targetVersion: e.targetVersion, liveVersion: e.liveVersion, status: e.status!, description: e.description };
  };
  const found = await Promise.all([...new Set(names)].sort().map(read));
  return found.filter((e): e is ObservedEndpoint => e !== undefined);
}


/** The names of all a runtime's endpoints, DEFAULT among them. */
export async function listEndpointNames(aws: AwsClients, gate: RateGate | undefined, id: string): Promise<string[]> {
  const endpoints = await allPages(async (nextToken) => {
    const page = await send<{ runtimeEndpoints?: { name?: string }[]; nextToken?: string }>(aws.agentcore, new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: id, maxResults: 100, nextToken }), gate);
    return { items: page.runtimeEndpoints, next: page.nextToken };
  });
  return endpoints.map((e) => e.name!);
}

/**
 * While AWS is still working on a runtime found by its recorded id, one Get is all there is to learn:
 * endpoints and tags are read once it has settled.
 */
export async function observeRuntime(env: ReconcileEnv, lookup: RuntimeLookup): Promise<ObservedRuntime | undefined> {
  const { aws, gate } = env;
  const byName = async () => {
    const summary = await findByName(aws, gate, lookup.name, env.memo);
    return summary && getRuntime(aws, gate, summary.agentRuntimeId!);
  };
  const found = await locate(env, lookup, { get: (id) => getRuntime(aws, gate, id), nameOf: (r) => r.agentRuntimeName, byName, arnType: 'runtime' });
  if (!found) return undefined;
  const { resource: runtime, foundByName } = found;
  const arn = runtime.agentRuntimeArn!;
  const { agentRuntimeId, agentRuntimeVersion, status, failureReason, workloadIdentityDetails, ...rest } = runtime as GetAgentRuntimeResponse & { $metadata?: unknown };
  const { $metadata: _metadata, ...configuration } = rest;
  const observed = {
    id: agentRuntimeId!,
    arn,
    version: agentRuntimeVersion!,
    status: status!,
    ...(failureReason ? { failureReason } : {}),
    ...(workloadIdentityDetails?.workloadIdentityArn ? { workloadIdentityArn: workloadIdentityDetails.workloadIdentityArn } : {}),
    configuration: configuration as Record<string, unknown>,
  };
  if (!foundByName && TRANSITIONAL.has(observed.status)) return { ...observed, endpoints: [], tags: {}, owned: true };
  const tags = await tagsOf(env, arn);
  // Deleted between the Get and this read: it is gone.
  if (!tags) return undefined;
  return { ...observed, endpoints: await readEndpoints(aws, gate, observed.id, lookup.endpointNames), tags, owned: isOwnedBy(tags, lookup.owner) };
}
