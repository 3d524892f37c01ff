/**
 * Gateway: an MCP endpoint in front of its targets. Create and Update (a full replacement) settle
 * after the configured delay, and a gateway can only be deleted once its targets are gone.
 */
import { isoTime } from '../clock.js';
import { AwsError } from '../errors.js';
import { lowerSuffix } from '../ids.js';
import type { ServiceContext } from '../service.js';
import { arn, conflict, currentStatus, idempotent, notFound, paginate, pending, type PendingStatus, quotaExceeded, regionState, TRANSITIONAL } from './common.js';
import { GATEWAY_CONFIGURATION_KEYS, GatewayShapes } from './gateway-shapes.js';
import { settleTargets, targetOperations, type TargetRecord } from './gateway-targets.js';
import type { OperationFamily } from './index.js';
import type { RestCall, RestOperation } from './rest-json.js';
import { validationError } from './rest-json.js';
import { deleteTags, setTags } from './tags.js';

export interface GatewayRecord {
  id: string;
  name: string;
  arn: string;
  url: string;
  workloadIdentityArn: string;
  createdAt: number;
  updatedAt: number;
  config: Record<string, unknown>;
  status: string;
  statusReasons?: string[];
  pending?: PendingStatus;
  targets: Record<string, TargetRecord>;
}

const KIND = 'Gateway';

const gateways = (ctx: ServiceContext, region: string) => regionState<Record<string, GatewayRecord>>(ctx, region, 'gateways', () => ({}));

/** Applies every status change whose time has come, the targets' included; a deleted gateway is removed. */
function settle(ctx: ServiceContext, region: string, gw: GatewayRecord): GatewayRecord | undefined {
  const now = ctx.clock.now();
  settleTargets(ctx, gw, now);
  if (!gw.pending) return gw;
  const s = currentStatus(gw.pending, now, ctx.faults.behaviour(KIND, gw.name).stuck === true);
  if (!s.settled) return gw;
  if (gw.pending.status === 'DELETING') {
    delete gateways(ctx, region)[gw.id];
    deleteTags(ctx, region, gw.arn);
    return undefined;
  }
  gw.status = s.status;
  gw.statusReasons = gw.pending.failureReason ? [gw.pending.failureReason] : undefined;
  delete gw.pending;
  return gw;
}

function settledGateways(ctx: ServiceContext, region: string): GatewayRecord[] {
  return Object.values(gateways(ctx, region))
    .map((gw) => settle(ctx, region, gw))
    .filter((gw): gw is GatewayRecord => gw !== undefined);
}

export function findGateway(call: RestCall): GatewayRecord {
  const gw = gateways(call.ctx, call.region)[call.input.gatewayIdentifier as string];
  const settled = gw && settle(call.ctx, call.region, gw);
  if (!settled) throw notFound(`Gateway ${String(call.input.gatewayIdentifier)}`);
  return settled;
}

function begin(ctx: ServiceContext, gw: GatewayRecord, status: string, then: string, failureReason?: string): void {
  gw.status = status;
  gw.pending = pending(ctx, status, then, failureReason);
}

function configOf(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(GATEWAY_CONFIGURATION_KEYS.filter((k) => input[k] !== undefined).map((k) => [k, structuredClone(input[k])]));
}

function requireAuthorizerConfiguration(input: Record<string, unknown>): void {
  if (input.authorizerType === 'CUSTOM_JWT' && input.authorizerConfiguration === undefined) {
    throw validationError([{ name: 'authorizerConfiguration', message: 'Member must not be null when authorizerType is CUSTOM_JWT' }]);
  }
}

function describe(gw: GatewayRecord) {
  const c = gw.config;
  return {
    gatewayArn: gw.arn,
    gatewayId: gw.id,
    gatewayUrl: gw.url,
    createdAt: isoTime(gw.createdAt),
    updatedAt: isoTime(gw.updatedAt),
    status: gw.status,
    statusReasons: gw.statusReasons,
    name: gw.name,
    description: c.description,
    roleArn: c.roleArn,
    protocolType: c.protocolType ?? 'MCP',
    protocolConfiguration: c.protocolConfiguration,
    authorizerType: c.authorizerType,
    authorizerConfiguration: c.authorizerConfiguration,
    kmsKeyArn: c.kmsKeyArn,
    customTransformConfiguration: c.customTransformConfiguration,
    interceptorConfigurations: c.interceptorConfigurations,
    policyEngineConfiguration: c.policyEngineConfiguration,
    workloadIdentityDetails: { workloadIdentityArn: gw.workloadIdentityArn },
    exceptionLevel: c.exceptionLevel,
    wafConfiguration: c.wafConfiguration,
  };
}

function summary(gw: GatewayRecord) {
  const c = gw.config;
  return {
    gatewayId: gw.id,
    name: gw.name,
    status: gw.status,
    description: c.description,
    createdAt: isoTime(gw.createdAt),
    updatedAt: isoTime(gw.updatedAt),
    authorizerType: c.authorizerType,
    protocolType: c.protocolType ?? 'MCP',
  };
}

function create(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'CreateGateway', input, () => {
    requireAuthorizerConfiguration(input);
    const existing = settledGateways(ctx, region);
    const name = input.name as string;
    if (existing.some((gw) => gw.name === name)) throw conflict(`A gateway named ${name} already exists`);
    if (existing.length >= ctx.quotas.limit('gatewaysPerAccount')) throw quotaExceeded('The number of gateways in this account has reached its limit');
    const id = `${name.toLowerCase()}-${lowerSuffix()}`;
    const now = ctx.clock.now();
    const gw: GatewayRecord = {
      id,
      name,
      arn: arn(ctx, region, `gateway/${id}`),
      url: `https://${id}.gateway.bedrock-agentcore.${region}.amazonaws.com/mcp`,
      workloadIdentityArn: arn(ctx, region, `workload-identity-directory/default/workload-identity/${id}`),
      createdAt: now,
      updatedAt: now,
      config: configOf(input),
      status: 'CREATING',
      targets: {},
    };
    if (input.tags) setTags(ctx, region, gw.arn, input.tags as Record<string, string>);
    const failure = ctx.faults.consume(KIND, name, 'failCreate');
    begin(ctx, gw, 'CREATING', failure ? 'FAILED' : 'READY', failure);
    gateways(ctx, region)[id] = gw;
    return describe(gw);
  });
}

function update(call: RestCall) {
  const { ctx, input } = call;
  const gw = findGateway(call);
  const immutable = [
    ...(input.name !== gw.name ? [{ name: 'name', message: `Member must equal the gateway's name, ${gw.name}` }] : []),
    ...(input.authorizerType !== gw.config.authorizerType ? [{ name: 'authorizerType', message: `Member cannot change once the gateway exists; it is ${String(gw.config.authorizerType)}` }] : []),
  ];
  if (immutable.length > 0) throw validationError(immutable);
  requireAuthorizerConfiguration(input);
  if (TRANSITIONAL.has(gw.status)) throw conflict(`The gateway is ${gw.status}; wait until it settles before updating it`);
  const failure = ctx.faults.consume(KIND, gw.name, 'failUpdate');
  gw.config = configOf(input);
  gw.updatedAt = ctx.clock.now();
  begin(ctx, gw, 'UPDATING', failure ? 'UPDATE_UNSUCCESSFUL' : 'READY', failure);
  return describe(gw);
}

function remove(call: RestCall) {
  const { ctx } = call;
  const gw = findGateway(call);
  if (gw.status !== 'DELETING') {
    if (TRANSITIONAL.has(gw.status)) throw conflict(`The gateway is ${gw.status}; wait until it settles before deleting it`);
    const targets = Object.keys(gw.targets).length;
    // Both ConflictException and ValidationException are modelled for DeleteGateway; AWS answers this
    // case with ValidationException, and controllers wait on its wording. The reason is our guess.
    if (targets > 0) {
      throw new AwsError('ValidationException', 400, `Gateway ${gw.id} still has ${targets} target(s). Delete all targets before deleting the gateway.`, { reason: 'ResourceConflict' });
    }
    begin(ctx, gw, 'DELETING', 'DELETED');
  }
  return { gatewayId: gw.id, status: gw.status };
}

function get(call: RestCall) {
  return describe(findGateway(call));
}

function list(call: RestCall) {
  const all = settledGateways(call.ctx, call.region).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const { page, nextToken } = paginate(all, call.input.maxResults, call.input.nextToken, 1000);
  return { items: page.map(summary), nextToken };
}

/** Whether an ARN names a gateway here (for the tagging operations); targets are not taggable. */
export function ownsGatewayArn(ctx: ServiceContext, region: string, resourceArn: string): boolean {
  return settledGateways(ctx, region).some((gw) => gw.arn === resourceArn && gw.status !== 'DELETING');
}

const gatewayOperations: RestOperation[] = [
  { name: 'CreateGateway', method: 'POST', uri: '/gateways/', code: 202, input: GatewayShapes.CreateGateway, apiClass: 'gatewayCreate', handler: create },
  { name: 'GetGateway', method: 'GET', uri: '/gateways/{gatewayIdentifier}/', code: 200, input: GatewayShapes.GetGateway, apiClass: 'gatewayGet', handler: get },
  { name: 'UpdateGateway', method: 'PUT', uri: '/gateways/{gatewayIdentifier}/', code: 202, input: GatewayShapes.UpdateGateway, apiClass: 'gatewayUpdate', handler: update },
  { name: 'DeleteGateway', method: 'DELETE', uri: '/gateways/{gatewayIdentifier}/', code: 202, input: GatewayShapes.DeleteGateway, apiClass: 'gatewayDelete', handler: remove },
  { name: 'ListGateways', method: 'GET', uri: '/gateways/', code: 200, query: { maxResults: 'maxResults', nextToken: 'nextToken' }, input: GatewayShapes.ListGateways, apiClass: 'gatewayList', handler: list },
];

export const gatewayFamily: OperationFamily = { operations: [...gatewayOperations, ...targetOperations(findGateway)], ownsArn: ownsGatewayArn };
