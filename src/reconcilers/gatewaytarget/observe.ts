/**
 * What AWS holds for a target: its configuration and status inside its gateway. A target is found by
 * the id recorded in status, or else by name within the gateway. AWS does not tag targets, so a
 * target cannot carry ownership tags: one found by name is taken to be this object's, because it sits
 * in a gateway this source manages, under the name this object gives it, and names are unique per
 * gateway.
 */
import { GetGatewayTargetCommand, type GetGatewayTargetResponse } from '@aws-sdk/client-bedrock-agentcore-control';
import { send, type RateGate } from '../../aws/call.js';
import type { AwsClients } from '../../aws/clients.js';
import { unlessNotFound } from '../../aws/errors.js';
import { listTargets } from '../gateway/observe.js';
import type { Memo } from '../memo.js';

export interface ObservedTarget {
  id: string;
  name: string;
  gatewayArn: string;
  status: string;
  statusReasons?: string[];
  lastSynchronizedAt?: string;
  /** GetGatewayTarget's answer without ids, status and timestamps. */
  configuration: Record<string, unknown>;
}

export interface TargetLookup {
  gatewayId: string;
  name: string;
  /** The id recorded in status by an earlier reconcile (in this gateway). */
  id?: string;
}

async function getTarget(aws: AwsClients, gate: RateGate | undefined, gatewayId: string, targetId: string): Promise<GetGatewayTargetResponse | undefined> {
  return unlessNotFound(send<GetGatewayTargetResponse>(aws.agentcore, new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }), gate));
}

/**
 * How long one listing of a gateway's targets serves the targets looking for themselves by name. A
 * target this run creates need not appear in it: its object records the id.
 */
const LISTING_TTL_MS = 5000;

/** The target, or undefined when neither it nor its gateway exists. */
export async function observeTarget(aws: AwsClients, gate: RateGate | undefined, lookup: TargetLookup, memo?: Memo): Promise<ObservedTarget | undefined> {
  let target = lookup.id ? await getTarget(aws, gate, lookup.gatewayId, lookup.id) : undefined;
  if (!target) {
    const list = () => unlessNotFound(listTargets(aws, gate, lookup.gatewayId));
    const summaries = await (memo ? memo.get(`agentcore:targets:${lookup.gatewayId}`, LISTING_TTL_MS, list) : list());
    if (!summaries) return undefined;
    const summary = summaries.find((t) => t.name === lookup.name);
    if (!summary) return undefined;
    target = await getTarget(aws, gate, lookup.gatewayId, summary.targetId!);
    if (!target) return undefined;
  }
  const {
    targetId, name, gatewayArn, status, statusReasons, lastSynchronizedAt, createdAt: _created, updatedAt: _updated, ...configuration
  } = target as GetGatewayTargetResponse & { $metadata?: unknown };
  delete (configuration as { $metadata?: unknown }).$metadata;
  return {
    id: targetId!,
    name: name!,
    gatewayArn: gatewayArn!,
    status: status!,
    ...(statusReasons?.length ? { statusReasons } : {}),
    ...(lastSynchronizedAt ? { lastSynchronizedAt: new Date(lastSynchronizedAt).toISOString() } : {}),
    configuration: configuration as Record<string, unknown>,
  };
}
