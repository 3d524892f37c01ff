/**
 * GatewayTarget: a target lives inside the gateway its Gateway object made, and is found there by the
 * id recorded in status or by name. AWS keeps no tags on targets, so a target found by name is taken
 * to be this object's: it sits in a gateway this source manages, under the name this object gives it,
 * and names are unique per gateway. An update is a full replacement built from the spec; a new target
 * kind is a replacement, which loses nothing (a target holds only what the spec gives). AWS runs at
 * most five target operations per gateway at a time and throttles the sixth: a throttle is retried.
 */
import { CreateGatewayTargetCommand, DeleteGatewayTargetCommand, UpdateGatewayTargetCommand, type CreateGatewayTargetResponse } from '@aws-sdk/client-bedrock-agentcore-control';
import type { GatewayTargetSpec, GatewayTargetStatus } from '../../api/v1alpha1/gatewaytarget.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../errors.js';
import { observeGateway } from '../gateway/observe.js';
import { carryUnmodelled } from '../gateway/normalise.js';
import type { ObjectOf, Outcome } from '../kind.js';
import type { Context, ObservedResource, Reference, ResourceKind } from '../resource/kind.js';
import { UNKNOWN } from '../resource/kind.js';
import { reconcilerOf, referenced } from '../resource/pipeline.js';
import { clientToken } from '../steps.js';
import { desiredTarget, type DesiredTargetConfiguration } from './desired.js';
import { diffTarget, TARGET_CARRIED, TARGET_MODEL } from './diff.js';
import { observeTarget, type ObservedTarget } from './observe.js';

export type TargetObject = ObjectOf<GatewayTargetSpec, GatewayTargetStatus>;
export type TargetOutcome = Outcome<GatewayTargetStatus>;

type Observed = ObservedTarget & ObservedResource & { gatewayId: string };
type Ctx = Context<GatewayTargetSpec, GatewayTargetStatus>;

interface DesiredTarget {
  gatewayId: string;
  gatewayArn?: string;
  body: DesiredTargetConfiguration;
}

const IN_FLIGHT = new Set(['CREATING', 'UPDATING', 'DELETING', 'SYNCHRONIZING']);
const PENDING_AUTH = new Set(['CREATE_PENDING_AUTH', 'UPDATE_PENDING_AUTH', 'SYNCHRONIZE_PENDING_AUTH']);
const FAILED = new Set(['FAILED', 'UPDATE_UNSUCCESSFUL', 'SYNCHRONIZE_UNSUCCESSFUL']);

/** The credential provider's ARN: given in the spec, or the status of the referenced provider object. */
function providerArnOf(ctx: Ctx): string | undefined {
  const { oauth, apiKey } = ctx.spec.credentials ?? {};
  const source = oauth ?? apiKey;
  if (!source) return undefined;
  if (source.providerArn) return source.providerArn;
  if (!source.providerRef) throw new TerminalError(`spec.credentials.${oauth ? 'oauth' : 'apiKey'} needs providerRef or providerArn`, Reason.ValidationFailed);
  return referenced(ctx, oauth ? 'OAuth2CredentialProvider' : 'ApiKeyCredentialProvider', source.providerRef.name, 'credentialProviderArn');
}

/**
 * The gateway the target lives in. A delete does not wait for the Gateway object (it may be on its way
 * out too): it takes the id recorded in either object's status, or else finds the gateway in AWS by
 * the name the Gateway object gives it (file mode keeps no status), as long as that gateway is the
 * Gateway object's own. Undefined when there is no such gateway: then there is no target either.
 */
async function gatewayIdOf(ctx: Ctx): Promise<string | undefined> {
  const ref = ctx.spec.gatewayRef.name;
  if (!ctx.deleting) {
    const id = referenced(ctx, 'Gateway', ref, 'gatewayId');
    return id === UNKNOWN ? undefined : id;
  }
  const gateway = ctx.env.lookup('Gateway', ref);
  const recorded = ctx.object.status?.gatewayId ?? gateway?.status.gatewayId;
  if (typeof recorded === 'string') return recorded;
  if (!gateway?.awsName) return undefined;
  const namespace = ctx.env.owner.owner.split('/')[0];
  const owner = { ...ctx.env.owner, owner: `${namespace}/Gateway/${ref}` };
  const found = await observeGateway({ ...ctx.env, owner }, { name: gateway.awsName, owner });
  return found?.owned ? found.id : undefined;
}

function references(spec: GatewayTargetSpec): Reference[] {
  const { oauth, apiKey } = spec.credentials ?? {};
  return [
    { kind: 'Gateway', name: spec.gatewayRef.name, path: 'spec.gatewayRef.name' },
    ...(oauth?.providerRef ? [{ kind: 'OAuth2CredentialProvider', name: oauth.providerRef.name, path: 'spec.credentials.oauth.providerRef.name' }] : []),
    ...(apiKey?.providerRef ? [{ kind: 'ApiKeyCredentialProvider', name: apiKey.providerRef.name, path: 'spec.credentials.apiKey.providerRef.name' }] : []),
  ];
}

export const gatewayTargetKind: ResourceKind<GatewayTargetSpec, GatewayTargetStatus, DesiredTarget, Observed> = {
  kind: 'GatewayTarget',
  noun: 'target',
  short: 'target',
  references,
  lifecycle: { working: IN_FLIGHT, pending: { states: PENDING_AUTH, why: 'it waits for a user to complete the OAuth authorization' }, failed: FAILED },
  tagging: 'none',
  replacement: 'always',
  permissions: { operations: ['GetGatewayTarget', 'CreateGatewayTarget', 'UpdateGatewayTarget', 'DeleteGatewayTarget'] },
  replacedBecause: ([c]) => `its kind changed from ${String(c!.from)} to ${String(c!.to)}`,

  async observe(ctx) {
    const gatewayId = await gatewayIdOf(ctx);
    if (!gatewayId) return undefined;
    // An id recorded in another gateway (the Gateway was replaced) says nothing about this one.
    const status = ctx.object.status;
    const recordedId = status?.gatewayId === gatewayId ? status.targetId : undefined;
    const observed = await observeTarget(ctx.env.aws, ctx.env.gate, { gatewayId, name: ctx.name, id: recordedId }, ctx.env.memo);
    if (!observed) return undefined;
    const failureReason = FAILED.has(observed.status) ? { failureReason: observed.statusReasons?.join('; ') ?? 'no reason given' } : {};
    return { ...observed, arn: `${observed.gatewayArn}/target/${observed.id}`, state: observed.status, owned: true, gatewayId, ...failureReason };
  },
  async desired(ctx) {
    const gatewayId = referenced(ctx, 'Gateway', ctx.spec.gatewayRef.name, 'gatewayId');
    const gatewayArn = ctx.env.lookup('Gateway', ctx.spec.gatewayRef.name)?.status.gatewayArn;
    return { gatewayId, ...(typeof gatewayArn === 'string' ? { gatewayArn } : {}), body: desiredTarget(ctx.spec, { providerArn: providerArnOf(ctx) }) };
  },
  diff: (desired, observed) => diffTarget(desired.body, observed.configuration).map((c) => ({ path: c.path, from: c.from, to: c.to, ...(c.action === 'replace' ? { replace: true } : {}) })),
  statusOf: (observed) => ({
    targetName: observed.name,
    targetId: observed.id,
    gatewayId: observed.gatewayId,
    gatewayArn: observed.gatewayArn,
    awsStatus: observed.status,
    statusReasons: observed.statusReasons,
    failureReason: FAILED.has(observed.status) ? (observed.statusReasons?.join('; ') ?? 'no reason given') : undefined,
    lastSynchronizedAt: observed.lastSynchronizedAt,
  }),

  // The token is the same for a retry of this very create, so a crash cannot make a second target. It
  // names the gateway and the target last seen, so a target deleted (or replaced) is created anew
  // instead of being answered with the replay of the old create.
  async create({ env, run, name, object }, desired, _tags) {
    const { gatewayId, gatewayArn, body } = desired;
    const recordedId = object.status?.gatewayId === gatewayId ? object.status.targetId : undefined;
    const token = clientToken(run.uid, 'CreateGatewayTarget', gatewayId, name, body, recordedId ?? null);
    const created = await send<CreateGatewayTargetResponse>(env.aws.agentcore, new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, name, ...body, clientToken: token }), env.gate);
    return {
      status: { targetName: name, targetId: created.targetId, gatewayId, gatewayArn: created.gatewayArn ?? gatewayArn, awsStatus: created.status ?? 'CREATING', statusReasons: undefined, failureReason: undefined },
    };
  },
  async update({ env }, desired, observed) {
    const body = carryUnmodelled(desired.body, observed.configuration, TARGET_MODEL, TARGET_CARRIED);
    await send(env.aws.agentcore, new UpdateGatewayTargetCommand({ gatewayIdentifier: observed.gatewayId, targetId: observed.id, name: observed.name, ...body }), env.gate);
    return { settled: false };
  },
  async delete({ env }, observed) {
    await send(env.aws.agentcore, new DeleteGatewayTargetCommand({ gatewayIdentifier: observed.gatewayId, targetId: observed.id }), env.gate);
  },
  planCreateDetail: (desired) => (desired.gatewayId === UNKNOWN ? { gateway: UNKNOWN } : undefined),
  throttled: (spec) => `AWS throttled a call for gateway ${spec.gatewayRef.name} (it runs at most 5 target operations at a time); retrying`,
  readyMessage: (observed) => `Target ${observed.name} is ready in gateway ${observed.gatewayId}`,
};

export const gatewayTargetReconciler = reconcilerOf(gatewayTargetKind);
export const reconcileGatewayTarget = gatewayTargetReconciler.reconcile;
export const finalizeGatewayTarget = gatewayTargetReconciler.finalize;
export const planGatewayTarget = gatewayTargetReconciler.plan!;
