/**
 * What AWS holds for a gateway: its configuration, status and tags. A gateway is found by the id
 * recorded in status, or else by name; one found by name is ours only if it carries our ownership
 * tags or the object asks to adopt it.
 */
import {
  GetGatewayCommand, ListGatewaysCommand, ListGatewayTargetsCommand, ListTagsForResourceCommand,
  type GatewaySummary, type GetGatewayResponse, type TargetSummary,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { send, type RateGate } from '../../aws/call.js';
import type { AwsClients } from '../../aws/clients.js';
import { unlessNotFound } from '../../aws/errors.js';
import { isOwnedBy, NotOurs, type Owner } from '../ownership.js';
import { TRANSITIONAL } from '../steps.js';

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
}

export interface GatewayLookup {
  name: string;
  /** The id recorded in status by an earlier reconcile. */
  id?: string;
  owner: Owner;
  adopt: boolean;
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

export async function observeGateway(aws: AwsClients, gate: RateGate | undefined, lookup: GatewayLookup): Promise<ObservedGateway | undefined> {
  let gateway = lookup.id ? await getGateway(aws, gate, lookup.id) : undefined;
  let foundByName = false;
  if (!gateway) {
    const summary = await findByName(aws, gate, lookup.name);
    if (!summary) return undefined;
    gateway = await getGateway(aws, gate, summary.gatewayId!);
    if (!gateway) return undefined;
    foundByName = true;
  }
  const arn = gateway.gatewayArn!;
  // While AWS works on a gateway found by its recorded id, the Get is all there is to learn.
  const settling = !foundByName && TRANSITIONAL.has(gateway.status!);
  const listed = settling ? { tags: {} } : await unlessNotFound(send<{ tags?: Record<string, string> }>(aws.agentcore, new ListTagsForResourceCommand({ resourceArn: arn }), gate));
  // Deleted between the Get and this read: it is gone.
  if (!listed) return undefined;
  const tags: Record<string, string> = listed.tags ?? {};
  if (foundByName && !isOwnedBy(tags, lookup.owner) && !lookup.adopt) throw new NotOurs('A gateway', lookup.name);
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
  };
}

/** The gateway's targets, every page of them. */
export async function listTargets(aws: AwsClients, gate: RateGate | undefined, gatewayId: string): Promise<TargetSummary[]> {
  const targets: TargetSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await send<{ items?: TargetSummary[]; nextToken?: string }>(aws.agentcore, new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId, maxResults: 1000, nextToken }), gate);
    targets.push(...(page.items ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return targets;
}
