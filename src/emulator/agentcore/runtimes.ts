/**
 * AgentRuntime and its endpoints. Every create or update mints an immutable version built only from
 * that request; the DEFAULT endpoint follows the newest version, named endpoints stay where they were
 * put; statuses settle after the configured delay.
 */
import { isoTime } from '../clock.js';
import { randomSuffix } from '../ids.js';
import type { ServiceContext } from '../service.js';
import { arn, conflict, currentStatus, idempotent, notFound, paginate, pending, type PendingStatus, quotaExceeded, regionState, TRANSITIONAL } from './common.js';
import type { RestCall, RestOperation } from './rest-json.js';
import { validationError } from './rest-json.js';
import { RUNTIME_CONFIGURATION_KEYS, RuntimeShapes } from './shapes.js';
import { deleteTags, setTags } from './tags.js';

interface VersionRecord {
  version: string;
  config: Record<string, unknown>;
  createdAt: number;
  status: string;
  failureReason?: string;
  pending?: PendingStatus;
}

interface EndpointRecord {
  name: string;
  id: string;
  arn: string;
  description?: string;
  createdAt: number;
  lastUpdatedAt: number;
  targetVersion: string;
  liveVersion?: string;
  status: string;
  failureReason?: string;
  pending?: PendingStatus;
}

interface RuntimeRecord {
  id: string;
  name: string;
  arn: string;
  createdAt: number;
  lastUpdatedAt: number;
  workloadIdentityArn: string;
  defaultEndpointId: string;
  latest: number;
  versions: Record<string, VersionRecord>;
  endpoints: Record<string, EndpointRecord>;
  deleting?: PendingStatus;
}

const DEFAULT_ENDPOINT = 'DEFAULT';
const KIND = 'AgentRuntime';

const runtimes = (ctx: ServiceContext, region: string) => regionState<Record<string, RuntimeRecord>>(ctx, region, 'runtimes', () => ({}));

/** Applies every status change whose time has come; a runtime whose deletion finished is removed. */
function settle(ctx: ServiceContext, region: string, rt: RuntimeRecord): RuntimeRecord | undefined {
  const now = ctx.clock.now();
  const stuck = ctx.faults.behaviour(KIND, rt.name).stuck === true;
  for (const v of Object.values(rt.versions)) {
    if (!v.pending) continue;
    const s = currentStatus(v.pending, now, stuck);
    if (!s.settled) continue;
    v.status = s.status;
    if (v.pending.failureReason) v.failureReason = v.pending.failureReason;
    delete v.pending;
  }
  for (const ep of Object.values(rt.endpoints)) {
    if (!ep.pending) continue;
    const s = currentStatus(ep.pending, now, stuck);
    if (!s.settled) continue;
    if (ep.pending.status === 'DELETING') {
      delete rt.endpoints[ep.name];
      deleteTags(ctx, region, ep.arn);
      continue;
    }
    const target = rt.versions[ep.targetVersion];
    if (!target || target.pending) continue;
    delete ep.pending;
    ep.lastUpdatedAt = now;
    if (target.status === 'READY') {
      ep.liveVersion = ep.targetVersion;
      ep.status = 'READY';
      delete ep.failureReason;
    } else {
      ep.status = ep.liveVersion ? 'UPDATE_FAILED' : 'CREATE_FAILED';
      ep.failureReason = `Version ${ep.targetVersion} is ${target.status}: ${target.failureReason ?? 'unknown reason'}`;
    }
  }
  if (rt.deleting && currentStatus(rt.deleting, now, stuck).settled) {
    delete runtimes(ctx, region)[rt.id];
    deleteTags(ctx, region, rt.arn);
    return undefined;
  }
  return rt;
}

function find(call: RestCall): RuntimeRecord {
  const rt = runtimes(call.ctx, call.region)[call.input.agentRuntimeId as string];
  const settled = rt && settle(call.ctx, call.region, rt);
  if (!settled) throw notFound(`AgentRuntime ${String(call.input.agentRuntimeId)}`);
  return settled;
}

function latestVersion(rt: RuntimeRecord): VersionRecord {
  return rt.versions[String(rt.latest)]!;
}

function runtimeStatus(rt: RuntimeRecord): string {
  return rt.deleting ? 'DELETING' : latestVersion(rt).status;
}

function configOf(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(RUNTIME_CONFIGURATION_KEYS.filter((k) => input[k] !== undefined).map((k) => [k, structuredClone(input[k])]));
}

/** What AWS reports for a version, with the server defaults it fills in. */
function describeVersion(rt: RuntimeRecord, v: VersionRecord) {
  const c = v.config;
  return {
    agentRuntimeArn: rt.arn,
    agentRuntimeName: rt.name,
    agentRuntimeId: rt.id,
    agentRuntimeVersion: v.version,
    createdAt: isoTime(rt.createdAt),
    lastUpdatedAt: isoTime(v.createdAt),
    roleArn: c.roleArn,
    networkConfiguration: c.networkConfiguration ?? { networkMode: 'PUBLIC' },
    status: v.version === String(rt.latest) ? runtimeStatus(rt) : v.status,
    lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800, ...(c.lifecycleConfiguration as object | undefined) },
    protocolConfiguration: c.protocolConfiguration ?? { serverProtocol: 'HTTP' },
    failureReason: v.failureReason,
    description: c.description,
    workloadIdentityDetails: { workloadIdentityArn: rt.workloadIdentityArn },
    agentRuntimeArtifact: c.agentRuntimeArtifact,
    environmentVariables: c.environmentVariables,
    authorizerConfiguration: c.authorizerConfiguration,
    requestHeaderConfiguration: c.requestHeaderConfiguration,
    metadataConfiguration: c.metadataConfiguration,
    filesystemConfigurations: c.filesystemConfigurations,
    capacityProviderConfiguration: c.capacityProviderConfiguration,
    platformVersion: c.platformVersion,
  };
}

function summary(rt: RuntimeRecord, v: VersionRecord) {
  return {
    agentRuntimeArn: rt.arn,
    agentRuntimeId: rt.id,
    agentRuntimeVersion: v.version,
    agentRuntimeName: rt.name,
    description: (v.config.description as string | undefined) ?? '',
    lastUpdatedAt: isoTime(v.createdAt),
    status: v.version === String(rt.latest) ? runtimeStatus(rt) : v.status,
  };
}

/** The DEFAULT endpoint, which AWS keeps on the newest version. */
function defaultEndpoint(rt: RuntimeRecord) {
  const latest = latestVersion(rt);
  const live = Object.values(rt.versions).filter((v) => v.status === 'READY').sort((a, b) => Number(b.version) - Number(a.version))[0];
  return {
    name: DEFAULT_ENDPOINT,
    id: rt.defaultEndpointId,
    agentRuntimeEndpointArn: `${rt.arn}/runtime-endpoint/${DEFAULT_ENDPOINT}`,
    agentRuntimeArn: rt.arn,
    liveVersion: live?.version,
    targetVersion: latest.version,
    status: rt.deleting ? 'DELETING' : latest.status,
    failureReason: latest.failureReason,
    createdAt: isoTime(rt.createdAt),
    lastUpdatedAt: isoTime(latest.createdAt),
  };
}

function describeEndpoint(rt: RuntimeRecord, ep: EndpointRecord) {
  return {
    name: ep.name,
    id: ep.id,
    agentRuntimeEndpointArn: ep.arn,
    agentRuntimeArn: rt.arn,
    description: ep.description,
    liveVersion: ep.liveVersion,
    targetVersion: ep.targetVersion,
    status: ep.pending ? ep.pending.status : ep.status,
    failureReason: ep.failureReason,
    createdAt: isoTime(ep.createdAt),
    lastUpdatedAt: isoTime(ep.lastUpdatedAt),
  };
}

function requireVersion(rt: RuntimeRecord, version: unknown): string {
  const v = version === undefined ? String(rt.latest) : String(version);
  if (!rt.versions[v]) throw validationError([{ name: 'agentRuntimeVersion', message: `Version ${v} does not exist for this agent runtime` }]);
  return v;
}

function mintVersion(call: RestCall, rt: RuntimeRecord, transitional: 'CREATING' | 'UPDATING', failure: string | undefined): VersionRecord {
  const now = call.ctx.clock.now();
  const version = String(rt.latest + 1);
  const failed = transitional === 'CREATING' ? 'CREATE_FAILED' : 'UPDATE_FAILED';
  const record: VersionRecord = {
    version,
    config: configOf(call.input),
    createdAt: now,
    status: transitional,
    pending: pending(call.ctx, transitional, failure ? failed : 'READY', failure),
  };
  rt.versions[version] = record;
  rt.latest += 1;
  rt.lastUpdatedAt = now;
  return record;
}

function create(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'CreateAgentRuntime', input, () => {
    const all = runtimes(ctx, region);
    for (const rt of Object.values(all)) settle(ctx, region, rt);
    const name = input.agentRuntimeName as string;
    if (Object.values(all).some((rt) => rt.name === name)) throw conflict(`An agent runtime named ${name} already exists`);
    if (Object.keys(all).length >= ctx.quotas.limit('runtimesPerAccount')) throw quotaExceeded('The number of agent runtimes in this account has reached its limit');
    const id = `${name}-${randomSuffix()}`;
    const now = ctx.clock.now();
    const rt: RuntimeRecord = {
      id,
      name,
      arn: arn(ctx, region, `runtime/${id}`),
      createdAt: now,
      lastUpdatedAt: now,
      workloadIdentityArn: arn(ctx, region, `workload-identity-directory/default/workload-identity/${id}`),
      defaultEndpointId: `${DEFAULT_ENDPOINT}-${randomSuffix()}`,
      latest: 0,
      versions: {},
      endpoints: {},
    };
    const v = mintVersion(call, rt, 'CREATING', ctx.faults.consume(KIND, name, 'failCreate'));
    all[id] = rt;
    if (input.tags) setTags(ctx, region, rt.arn, input.tags as Record<string, string>);
    return { agentRuntimeArn: rt.arn, agentRuntimeId: id, agentRuntimeVersion: v.version, createdAt: isoTime(now), status: 'CREATING', workloadIdentityDetails: { workloadIdentityArn: rt.workloadIdentityArn } };
  });
}

function update(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'UpdateAgentRuntime', input, () => {
    const rt = find(call);
    const status = runtimeStatus(rt);
    if (TRANSITIONAL.has(status)) throw conflict(`The agent runtime is ${status}; wait until it settles before updating it`);
    if (Object.keys(rt.versions).length >= ctx.quotas.limit('versionsPerRuntime')) throw quotaExceeded('The number of versions of this agent runtime has reached its limit');
    const v = mintVersion(call, rt, 'UPDATING', ctx.faults.consume(KIND, rt.name, 'failUpdate'));
    return { agentRuntimeArn: rt.arn, agentRuntimeId: rt.id, agentRuntimeVersion: v.version, createdAt: isoTime(rt.createdAt), lastUpdatedAt: isoTime(v.createdAt), status: 'UPDATING', workloadIdentityDetails: { workloadIdentityArn: rt.workloadIdentityArn } };
  });
}

function remove(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'DeleteAgentRuntime', input, () => {
    const rt = find(call);
    if (input.agentRuntimeVersion !== undefined) {
      const version = String(input.agentRuntimeVersion);
      if (!rt.versions[version]) throw notFound(`Version ${version} of agent runtime ${rt.id}`);
      if (version === String(rt.latest)) throw conflict('The newest version backs the DEFAULT endpoint and cannot be deleted on its own');
      const user = Object.values(rt.endpoints).find((ep) => ep.targetVersion === version || ep.liveVersion === version);
      if (user) throw conflict(`Version ${version} is used by endpoint ${user.name}`);
      delete rt.versions[version];
      return { status: 'DELETING', agentRuntimeId: rt.id, agentRuntimeVersion: version };
    }
    if (Object.keys(rt.endpoints).length > 0) throw conflict('This agent has endpoints that must be deleted first');
    rt.deleting ??= pending(ctx, 'DELETING', 'DELETED');
    return { status: 'DELETING', agentRuntimeId: rt.id };
  });
}

function list(call: RestCall) {
  const { ctx, region, input } = call;
  const all = Object.values(runtimes(ctx, region))
    .map((rt) => settle(ctx, region, rt))
    .filter((rt): rt is RuntimeRecord => rt !== undefined)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const { page, nextToken } = paginate(all, input.maxResults, input.nextToken, 100);
  return { agentRuntimes: page.map((rt) => summary(rt, latestVersion(rt))), nextToken };
}

function listVersions(call: RestCall) {
  const rt = find(call);
  const versions = Object.values(rt.versions).sort((a, b) => Number(b.version) - Number(a.version));
  const { page, nextToken } = paginate(versions, call.input.maxResults, call.input.nextToken, 100);
  return { agentRuntimes: page.map((v) => summary(rt, v)), nextToken };
}

function get(call: RestCall) {
  const rt = find(call);
  const v = call.input.agentRuntimeVersion === undefined ? latestVersion(rt) : rt.versions[String(call.input.agentRuntimeVersion)];
  if (!v) throw notFound(`Version ${String(call.input.agentRuntimeVersion)} of agent runtime ${rt.id}`);
  return describeVersion(rt, v);
}

function findEndpoint(call: RestCall, rt: RuntimeRecord): EndpointRecord {
  const ep = rt.endpoints[call.input.endpointName as string];
  if (!ep) throw notFound(`Endpoint ${String(call.input.endpointName)} of agent runtime ${rt.id}`);
  return ep;
}

function createEndpoint(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'CreateAgentRuntimeEndpoint', input, () => {
    const rt = find(call);
    const name = input.name as string;
    if (name === DEFAULT_ENDPOINT || rt.endpoints[name]) throw conflict(`An endpoint named ${name} already exists`);
    if (rt.deleting) throw conflict('The agent runtime is being deleted');
    if (Object.keys(rt.endpoints).length >= ctx.quotas.limit('endpointsPerRuntime')) throw quotaExceeded('The number of endpoints of this agent runtime has reached its limit');
    const targetVersion = requireVersion(rt, input.agentRuntimeVersion);
    const now = ctx.clock.now();
    const ep: EndpointRecord = {
      name,
      id: `${name}-${randomSuffix()}`,
      arn: `${rt.arn}/runtime-endpoint/${name}`,
      description: input.description as string | undefined,
      createdAt: now,
      lastUpdatedAt: now,
      targetVersion,
      status: 'CREATING',
      pending: pending(ctx, 'CREATING', 'READY'),
    };
    rt.endpoints[name] = ep;
    if (input.tags) setTags(ctx, region, ep.arn, input.tags as Record<string, string>);
    return { targetVersion, agentRuntimeEndpointArn: ep.arn, agentRuntimeArn: rt.arn, agentRuntimeId: rt.id, endpointName: name, status: 'CREATING', createdAt: isoTime(now) };
  });
}

function updateEndpoint(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'UpdateAgentRuntimeEndpoint', input, () => {
    const rt = find(call);
    if (input.endpointName === DEFAULT_ENDPOINT) throw conflict('The DEFAULT endpoint follows the newest version and cannot be updated');
    const ep = findEndpoint(call, rt);
    if (ep.pending) throw conflict(`The endpoint is ${ep.pending.status}; wait until it settles before updating it`);
    if (input.description !== undefined) ep.description = input.description as string;
    if (input.agentRuntimeVersion !== undefined) {
      ep.targetVersion = requireVersion(rt, input.agentRuntimeVersion);
      ep.status = 'UPDATING';
      ep.pending = pending(ctx, 'UPDATING', 'READY');
    }
    ep.lastUpdatedAt = ctx.clock.now();
    const { liveVersion, targetVersion, agentRuntimeEndpointArn, agentRuntimeArn, status, createdAt, lastUpdatedAt } = describeEndpoint(rt, ep);
    return { liveVersion, targetVersion, agentRuntimeEndpointArn, agentRuntimeArn, status, createdAt, lastUpdatedAt };
  });
}

function deleteEndpoint(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'DeleteAgentRuntimeEndpoint', input, () => {
    const rt = find(call);
    if (input.endpointName === DEFAULT_ENDPOINT) throw conflict('Default endpoints are removed when you delete the agent');
    const ep = findEndpoint(call, rt);
    if (ep.pending?.status === 'CREATING' || ep.pending?.status === 'UPDATING') throw conflict(`The endpoint is ${ep.pending.status}; wait until it settles before deleting it`);
    ep.pending ??= pending(ctx, 'DELETING', 'DELETED');
    return { status: 'DELETING', agentRuntimeId: rt.id, endpointName: ep.name };
  });
}

function getEndpoint(call: RestCall) {
  const rt = find(call);
  if (call.input.endpointName === DEFAULT_ENDPOINT) return defaultEndpoint(rt);
  return describeEndpoint(rt, findEndpoint(call, rt));
}

function listEndpoints(call: RestCall) {
  const rt = find(call);
  const all = [defaultEndpoint(rt), ...Object.values(rt.endpoints).sort((a, b) => a.createdAt - b.createdAt).map((ep) => describeEndpoint(rt, ep))];
  const { page, nextToken } = paginate(all, call.input.maxResults, call.input.nextToken, 100);
  return { runtimeEndpoints: page, nextToken };
}

/** Whether an ARN names a runtime or one of its endpoints here (for the tagging operations); one being deleted still exists. */
export function ownsRuntimeArn(ctx: ServiceContext, region: string, resourceArn: string): boolean {
  return Object.values(runtimes(ctx, region))
    .map((rt) => settle(ctx, region, rt))
    .some((rt) => rt !== undefined && (rt.arn === resourceArn || Object.values(rt.endpoints).some((ep) => ep.arn === resourceArn) || `${rt.arn}/runtime-endpoint/${DEFAULT_ENDPOINT}` === resourceArn));
}

const mutation = 'runtimeMutation';
export const runtimeOperations: RestOperation[] = [
  { name: 'CreateAgentRuntime', method: 'PUT', uri: '/runtimes/', code: 202, input: RuntimeShapes.CreateAgentRuntime, apiClass: mutation, handler: create },
  { name: 'GetAgentRuntime', method: 'GET', uri: '/runtimes/{agentRuntimeId}/', code: 200, query: { agentRuntimeVersion: 'version' }, input: RuntimeShapes.GetAgentRuntime, apiClass: 'runtimeGet', handler: get },
  { name: 'UpdateAgentRuntime', method: 'PUT', uri: '/runtimes/{agentRuntimeId}/', code: 202, input: RuntimeShapes.UpdateAgentRuntime, apiClass: mutation, handler: update },
  { name: 'DeleteAgentRuntime', method: 'DELETE', uri: '/runtimes/{agentRuntimeId}/', code: 202, query: { agentRuntimeVersion: 'version', clientToken: 'clientToken' }, input: RuntimeShapes.DeleteAgentRuntime, apiClass: mutation, handler: remove },
  { name: 'ListAgentRuntimes', method: 'POST', uri: '/runtimes/', code: 200, query: { maxResults: 'maxResults', nextToken: 'nextToken' }, input: RuntimeShapes.ListAgentRuntimes, apiClass: 'runtimeList', handler: list },
  { name: 'ListAgentRuntimeVersions', method: 'POST', uri: '/runtimes/{agentRuntimeId}/versions/', code: 200, query: { maxResults: 'maxResults', nextToken: 'nextToken' }, input: RuntimeShapes.ListAgentRuntimeVersions, apiClass: 'runtimeList', handler: listVersions },
  { name: 'CreateAgentRuntimeEndpoint', method: 'PUT', uri: '/runtimes/{agentRuntimeId}/runtime-endpoints/', code: 202, input: RuntimeShapes.CreateAgentRuntimeEndpoint, apiClass: mutation, handler: createEndpoint },
  { name: 'GetAgentRuntimeEndpoint', method: 'GET', uri: '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/', code: 200, input: RuntimeShapes.GetAgentRuntimeEndpoint, apiClass: 'runtimeGet', handler: getEndpoint },
  { name: 'UpdateAgentRuntimeEndpoint', method: 'PUT', uri: '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/', code: 202, input: RuntimeShapes.UpdateAgentRuntimeEndpoint, apiClass: mutation, handler: updateEndpoint },
  { name: 'DeleteAgentRuntimeEndpoint', method: 'DELETE', uri: '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/', code: 202, query: { clientToken: 'clientToken' }, input: RuntimeShapes.DeleteAgentRuntimeEndpoint, apiClass: mutation, handler: deleteEndpoint },
  { name: 'ListAgentRuntimeEndpoints', method: 'POST', uri: '/runtimes/{agentRuntimeId}/runtime-endpoints/', code: 200, query: { maxResults: 'maxResults', nextToken: 'nextToken' }, input: RuntimeShapes.ListAgentRuntimeEndpoints, apiClass: 'runtimeList', handler: listEndpoints },
];
