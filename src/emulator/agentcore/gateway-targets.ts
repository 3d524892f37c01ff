/**
 * GatewayTarget: the tools a gateway fronts. Targets live inside their gateway; every mutation
 * settles after the configured delay, and a gateway runs only a few target operations at a time.
 */
import { isoTime } from '../clock.js';
import { AwsError } from '../errors.js';
import { randomSuffix } from '../ids.js';
import type { ServiceContext } from '../service.js';
import { conflict, currentStatus, idempotent, notFound, paginate, pending, quotaExceeded, type PendingStatus } from './common.js';
import { TARGET_CONFIGURATION_KEYS, TargetShapes } from './gateway-shapes.js';
import type { GatewayRecord } from './gateways.js';
import type { RestCall, RestOperation } from './rest-json.js';
import { validationError } from './rest-json.js';

export interface TargetRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  lastSynchronizedAt?: number;
  config: Record<string, unknown>;
  status: string;
  statusReasons?: string[];
  pending?: PendingStatus;
}

/** The gateway a call names, settled; throws ResourceNotFoundException when there is none. */
export type GatewayLookup = (call: RestCall) => GatewayRecord;

const KIND = 'GatewayTarget';
const IN_FLIGHT = new Set(['CREATING', 'UPDATING', 'DELETING', 'SYNCHRONIZING']);
const DEFAULT_CREDENTIALS = [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }];

/** The credential types that read their secret from a credential provider, and the member that names it. */
const PROVIDER_FOR_TYPE: Record<string, string> = { OAUTH: 'oauthCredentialProvider', API_KEY: 'apiKeyCredentialProvider' };

const TARGET_TYPES: Record<string, Record<string, string>> = {
  mcp: { openApiSchema: 'OPEN_API_SCHEMA', smithyModel: 'SMITHY_MODEL', mcpServer: 'MCP_SERVER', lambda: 'LAMBDA', apiGateway: 'API_GATEWAY', connector: 'CONNECTOR' },
  http: { agentcoreRuntime: 'AGENTCORE_RUNTIME', passthrough: 'PASSTHROUGH', connector: 'HTTP_CONNECTOR' },
  inference: { provider: 'PROVIDER', connector: 'CONNECTOR' },
};

/** Applies every target status change whose time has come; a target whose deletion finished is removed. */
export function settleTargets(ctx: ServiceContext, gw: GatewayRecord, now: number): void {
  for (const t of Object.values(gw.targets)) {
    if (!t.pending) continue;
    const s = currentStatus(t.pending, now, ctx.faults.behaviour(KIND, t.name).stuck === true);
    if (!s.settled) continue;
    if (t.pending.status === 'DELETING') {
      delete gw.targets[t.id];
      continue;
    }
    if (t.pending.status === 'SYNCHRONIZING') t.lastSynchronizedAt = t.pending.at;
    t.status = s.status;
    t.statusReasons = t.pending.failureReason ? [t.pending.failureReason] : undefined;
    delete t.pending;
  }
}

function begin(ctx: ServiceContext, t: TargetRecord, status: string, then: string, failureReason?: string): void {
  t.status = status;
  t.pending = pending(ctx, status, then, failureReason);
}

function kindOf(config: Record<string, unknown>): { protocol?: string; member?: string; detail?: Record<string, unknown> } {
  const targetConfiguration = config.targetConfiguration as Record<string, Record<string, unknown>>;
  const [protocol, inner] = Object.entries(targetConfiguration)[0] ?? [];
  const [member, detail] = Object.entries(inner ?? {})[0] ?? [];
  return { protocol, member, detail: detail as Record<string, unknown> | undefined };
}

function describe(gw: GatewayRecord, t: TargetRecord) {
  const { protocol } = kindOf(t.config);
  return {
    gatewayArn: gw.arn,
    targetId: t.id,
    createdAt: isoTime(t.createdAt),
    updatedAt: isoTime(t.updatedAt),
    status: t.status,
    statusReasons: t.statusReasons,
    name: t.name,
    description: t.config.description,
    targetConfiguration: t.config.targetConfiguration,
    credentialProviderConfigurations: t.config.credentialProviderConfigurations ?? DEFAULT_CREDENTIALS,
    lastSynchronizedAt: t.lastSynchronizedAt === undefined ? undefined : isoTime(t.lastSynchronizedAt),
    metadataConfiguration: t.config.metadataConfiguration,
    privateEndpoint: t.config.privateEndpoint,
    protocolType: protocol === 'mcp' ? 'MCP' : protocol === 'http' ? 'HTTP' : undefined,
  };
}

function summary(t: TargetRecord) {
  const { protocol, member, detail } = kindOf(t.config);
  const mcpServer = protocol === 'mcp' && member === 'mcpServer' ? detail : undefined;
  return {
    targetId: t.id,
    name: t.name,
    status: t.status,
    description: t.config.description,
    createdAt: isoTime(t.createdAt),
    updatedAt: isoTime(t.updatedAt),
    resourcePriority: mcpServer?.resourcePriority,
    lastSynchronizedAt: t.lastSynchronizedAt === undefined ? undefined : isoTime(t.lastSynchronizedAt),
    targetType: protocol && member ? TARGET_TYPES[protocol]?.[member] : undefined,
    listingMode: mcpServer ? (mcpServer.listingMode ?? 'DEFAULT') : undefined,
  };
}

function configOf(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(TARGET_CONFIGURATION_KEYS.filter((k) => input[k] !== undefined).map((k) => [k, structuredClone(input[k])]));
}

/** OAUTH and API_KEY need their provider; the IAM-based and pass-through types take at most iamCredentialProvider. */
function requireMatchingCredentials(input: Record<string, unknown>): void {
  const configs = (input.credentialProviderConfigurations ?? []) as { credentialProviderType: string; credentialProvider?: Record<string, unknown> }[];
  configs.forEach((c, i) => {
    const expected = PROVIDER_FOR_TYPE[c.credentialProviderType];
    const given = Object.keys(c.credentialProvider ?? {})[0];
    const fits = expected ? given === expected : given === undefined || given === 'iamCredentialProvider';
    if (fits) return;
    const message = expected ? `Member must set ${expected} for credentialProviderType ${c.credentialProviderType}` : `Member must not set ${given} for credentialProviderType ${c.credentialProviderType}`;
    throw validationError([{ name: `credentialProviderConfigurations.${i}.credentialProvider`, message }]);
  });
}

function findTarget(gw: GatewayRecord, targetId: string): TargetRecord {
  const t = gw.targets[targetId];
  if (!t) throw notFound(`Target ${targetId} of gateway ${gw.id}`);
  return t;
}

function requireSettled(t: TargetRecord, action: string): void {
  if (IN_FLIGHT.has(t.status)) throw conflict(`The target is ${t.status}; wait until it settles before ${action} it`);
}

function requireUniqueName(gw: GatewayRecord, name: string, self?: string): void {
  if (Object.values(gw.targets).some((t) => t.name === name && t.id !== self)) throw conflict(`A target named ${name} already exists in gateway ${gw.id}`);
}

/** Too many target operations in flight on one gateway: AWS throttles, so a client backs off and retries. */
function requireCapacity(ctx: ServiceContext, gw: GatewayRecord): void {
  const limit = ctx.quotas.limit('concurrentTargetOperationsPerGateway');
  const inFlight = Object.values(gw.targets).filter((t) => IN_FLIGHT.has(t.status)).length;
  if (inFlight >= limit) throw new AwsError('ThrottlingException', 429, `Gateway ${gw.id} already has ${inFlight} target operations in progress (at most ${limit}); retry later`);
}

export function targetOperations(findGateway: GatewayLookup): RestOperation[] {
  const create = (call: RestCall) => {
    const { ctx, region, input } = call;
    return idempotent(ctx, region, 'CreateGatewayTarget', input, () => {
      const gw = findGateway(call);
      if (gw.status === 'CREATING' || gw.status === 'DELETING') throw conflict(`The gateway is ${gw.status}; targets can be added once it settles`);
      requireMatchingCredentials(input);
      const id = randomSuffix();
      // The newest model makes the name optional; how the service names such a target is not documented.
      const name = (input.name as string | undefined) ?? `target-${id.toLowerCase()}`;
      requireUniqueName(gw, name);
      if (Object.keys(gw.targets).length >= ctx.quotas.limit('targetsPerGateway')) throw quotaExceeded(`Gateway ${gw.id} has reached its limit of ${ctx.quotas.limit('targetsPerGateway')} targets`);
      requireCapacity(ctx, gw);
      const now = ctx.clock.now();
      const t: TargetRecord = { id, name, createdAt: now, updatedAt: now, config: configOf(input), status: 'CREATING' };
      const failure = ctx.faults.consume(KIND, name, 'failCreate');
      begin(ctx, t, 'CREATING', failure ? 'FAILED' : 'READY', failure);
      gw.targets[id] = t;
      return describe(gw, t);
    });
  };

  const update = (call: RestCall) => {
    const { ctx, input } = call;
    const gw = findGateway(call);
    const t = findTarget(gw, input.targetId as string);
    requireSettled(t, 'updating');
    requireMatchingCredentials(input);
    const name = (input.name as string | undefined) ?? t.name;
    requireUniqueName(gw, name, t.id);
    requireCapacity(ctx, gw);
    const failure = ctx.faults.consume(KIND, t.name, 'failUpdate');
    t.name = name;
    t.config = configOf(input);
    t.updatedAt = ctx.clock.now();
    begin(ctx, t, 'UPDATING', failure ? 'UPDATE_UNSUCCESSFUL' : 'READY', failure);
    return describe(gw, t);
  };

  const remove = (call: RestCall) => {
    const { ctx, input } = call;
    const gw = findGateway(call);
    const t = findTarget(gw, input.targetId as string);
    if (t.status !== 'DELETING') {
      requireSettled(t, 'deleting');
      requireCapacity(ctx, gw);
      begin(ctx, t, 'DELETING', 'DELETED');
    }
    return { gatewayArn: gw.arn, targetId: t.id, status: t.status };
  };

  const synchronize = (call: RestCall) => {
    const { ctx, input } = call;
    const gw = findGateway(call);
    const targets = (input.targetIdList as string[]).map((id) => findTarget(gw, id));
    for (const t of targets) requireSettled(t, 'synchronizing');
    requireCapacity(ctx, gw);
    for (const t of targets) begin(ctx, t, 'SYNCHRONIZING', 'READY');
    return { targets: targets.map((t) => describe(gw, t)) };
  };

  const get = (call: RestCall) => {
    const gw = findGateway(call);
    return describe(gw, findTarget(gw, call.input.targetId as string));
  };

  const list = (call: RestCall) => {
    const gw = findGateway(call);
    const all = Object.values(gw.targets).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const { page, nextToken } = paginate(all, call.input.maxResults, call.input.nextToken, 1000);
    return { items: page.map(summary), nextToken };
  };

  const one = '/gateways/{gatewayIdentifier}/targets/{targetId}/';
  return [
    { name: 'CreateGatewayTarget', method: 'POST', uri: '/gateways/{gatewayIdentifier}/targets/', code: 202, input: TargetShapes.CreateGatewayTarget, apiClass: 'targetCreate', handler: create },
    { name: 'GetGatewayTarget', method: 'GET', uri: one, code: 200, input: TargetShapes.GetGatewayTarget, apiClass: 'targetGet', handler: get },
    { name: 'UpdateGatewayTarget', method: 'PUT', uri: one, code: 202, input: TargetShapes.UpdateGatewayTarget, apiClass: 'targetUpdate', handler: update },
    { name: 'DeleteGatewayTarget', method: 'DELETE', uri: one, code: 202, input: TargetShapes.DeleteGatewayTarget, apiClass: 'targetDelete', handler: remove },
    { name: 'ListGatewayTargets', method: 'GET', uri: '/gateways/{gatewayIdentifier}/targets/', code: 200, query: { maxResults: 'maxResults', nextToken: 'nextToken' }, input: TargetShapes.ListGatewayTargets, apiClass: 'targetList', handler: list },
    { name: 'SynchronizeGatewayTargets', method: 'PUT', uri: '/gateways/{gatewayIdentifier}/synchronizeTargets', code: 202, input: TargetShapes.SynchronizeGatewayTargets, apiClass: 'targetSynchronize', handler: synchronize },
  ];
}
