/**
 * What AWS holds for a gateway: its configuration, status and tags. A gateway is found by the id
 * recorded in status, or else by name; whether one found by name carries our ownership tags is
 * reported, for the caller to decide.
 */
import {
  GetGatewayCommand, ListGatewaysCommand, ListGatewayTargetsCommand,
  type GatewaySummary, type GetGatewayResponse, type TargetSummary,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { allPages } from '../../aws/pages.js';
import { send, type RateGate } from '../../aws/call.js';
import type { AwsClients } from '../../aws/clients.js';
import { unlessNotFound } from '../../aws/errors.js';
import { isOwnedBy, type Owner } from '../ownership.js';
import { TRANSITIONAL } from '../steps.js';
import { locate } from '../resource/locate.js';
import { tagsOf } from '../inventory.js';
import type { ReconcileEnv } from '../kind.js';

export interface ObservedGateway {
  id: string;
  arn: string;
  name: string;
  url?: string;
  status: string;
  statusReasons?: string[];
  workloadIdentityArn?: string;
  /** GetGateway's answer without ids, status and timestamps. */
  configuration: Record<string, unknown>;
  tags: Record<string, string>;
  /** Found by the recorded id, or carrying the object's ownership tags. */
  owned: boolean;
}

export interface GatewayLookup {
  name: string;
  /** The id recorded in status by an earlier reconcile. */
  id?: string;
  owner: Owner;
}

function getGateway(aws: AwsClients, gate: RateGate | undefined, id: string): Promise<GetGatewayResponse | undefined> {
  return unlessNotFound(send<GetGatewayResponse>(aws.agentcore, new GetGatewayCommand({ gatewayIdentifier: id }), gate));
}

async function findByName(aws: AwsClients, gate: RateGate | undefined, name: string): Promise<GatewaySummary | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await send<{ items?: GatewaySummary[]; nextToken?: string }>(aws.agentcore, new ListGatewaysCommand({ maxResults: 1000, nextToken }), gate);
    const found = page.items?.find((g) => g.name === name);
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

export async function observeGateway(env: ReconcileEnv, lookup: GatewayLookup): Promise<ObservedGateway | undefined> {
  const { aws, gate } = env;
  const byName = async () => {
    const summary = await findByName(aws, gate, lookup.name);
    return summary && getGateway(aws, gate, summary.gatewayId!);
  };
  const found = await locate({ ...env, owner: lookup.owner }, lookup, { get: (id) => getGateway(aws, gate, id), nameOf: (g) => g.name, byName, arnType: 'gateway' });
  if (!found) return undefined;
  const { resource: gateway, foundByName } = found;
  const arn = gateway.gatewayArn!;
  // While AWS works on a gateway found by its recorded id, the Get is all there is to learn.
  const settling = !foundByName && TRANSITIONAL.has(gateway.status!);
  const tags = settling ? {} : await tagsOf(env, arn);
  // Deleted between the Get and this read: it is gone.
  if (!tags) return undefined;
  const {
    gatewayId, gatewayArn: _arn, gatewayUrl, name, status, statusReasons, workloadIdentityDetails, createdAt: _created, updatedAt: _updated, ...configuration
  } = gateway as GetGatewayResponse & { $metadata?: unknown };
  delete (configuration as { $metadata?: unknown }).$metadata;
  return {
    id: gatewayId!,
    arn,
    name: name!,
    ...(gatewayUrl ? { url: gatewayUrl } : {}),
    status: status!,
    ...(statusReasons?.length ? { statusReasons } : {}),
    ...(workloadIdentityDetails?.workloadIdentityArn ? { workloadIdentityArn: workloadIdentityDetails.workloadIdentityArn } : {}),
    configuration: configuration as Record<string, unknown>,
    tags,
    owned: settling || isOwnedBy(tags, lookup.owner),
  };
}

/** The gateway's targets, every page of them. */
export async function listTargets(aws: AwsClients, gate: RateGate | undefined, gatewayId: string): Promise<TargetSummary[]> {
  return allPages(async (nextToken) => {
    const page = await send<{ items?: TargetSummary[]; nextToken?: string }>(aws.agentcore, new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId, maxResults: 1000, nextToken }), gate);
    return { items: page.items, next: page.nextToken };
  });
}
