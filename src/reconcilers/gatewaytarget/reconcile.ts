/**
 * The GatewayTarget reconciler: wait for the referenced Gateway (and credential provider), observe
 * the target inside that gateway, decide, make the fewest calls that close the gap, report. An update
 * is a full replacement built from the spec (plus what AWS holds in members the spec does not model).
 * AWS runs at most five target operations per gateway at a time and throttles the sixth, so a
 * ThrottlingException is retried, never reported as a failure.
 */
import {
  CreateGatewayTargetCommand, DeleteGatewayTargetCommand, UpdateGatewayTargetCommand, type CreateGatewayTargetResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { GatewayTargetSpec, GatewayTargetStatus } from '../../api/v1alpha1/gatewaytarget.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../contract.js';
import { carryUnmodelled } from '../gateway/normalise.js';
import { beginRun, clientToken, DependencyNotReady, done, failure, markDriftCorrected, readyReference, referencedField, reportDrift, specUnchanged } from '../steps.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, PlannedChange, ReconcileEnv } from '../kind.js';
import { UNKNOWN } from '../gateway/reconcile.js';
import { desiredTarget } from './desired.js';
import { diffTarget, TARGET_CARRIED, TARGET_MODEL } from './diff.js';
import { observeTarget, type ObservedTarget } from './observe.js';

export type TargetObject = ObjectOf<GatewayTargetSpec, GatewayTargetStatus>;
export type TargetOutcome = Outcome<GatewayTargetStatus>;

/** The statuses in which AWS is still working on the target (and refuses other operations on it). */
const IN_FLIGHT = new Set(['CREATING', 'UPDATING', 'DELETING', 'SYNCHRONIZING']);
/** The target waits for a user to complete an OAuth authorization-code consent. */
const PENDING_AUTH = new Set(['CREATE_PENDING_AUTH', 'UPDATE_PENDING_AUTH', 'SYNCHRONIZE_PENDING_AUTH']);
const FAILED = new Set(['FAILED', 'UPDATE_UNSUCCESSFUL', 'SYNCHRONIZE_UNSUCCESSFUL']);
const TARGET_RULE = kindInfo('GatewayTarget')!.awsName;

/** AWS runs at most five target operations per gateway at a time, and throttles the next one. */
const throttledMessage = (gateway: string) => `AWS throttled a call for gateway ${gateway} (it runs at most 5 target operations at a time); retrying`;

/** The credential provider's ARN: given in the spec, or the status of the referenced provider object. */
function providerArnOf(spec: GatewayTargetSpec, env: ReconcileEnv): string | undefined {
  const { oauth, apiKey } = spec.credentials ?? {};
  const source = oauth ?? apiKey;
  if (!source) return undefined;
  if (source.providerArn) return source.providerArn;
  if (!source.providerRef) throw new TerminalError(`spec.credentials.${oauth ? 'oauth' : 'apiKey'} needs providerRef or providerArn`, Reason.ValidationFailed);
  return referencedField(env, oauth ? 'OAuth2CredentialProvider' : 'ApiKeyCredentialProvider', source.providerRef.name, 'credentialProviderArn');
}

function gatewayOf(spec: GatewayTargetSpec, env: ReconcileEnv): { gatewayId: string; gatewayArn?: string } {
  const status = readyReference(env, 'Gateway', spec.gatewayRef.name);
  if (typeof status.gatewayId !== 'string') throw new DependencyNotReady(`Waiting for Gateway ${spec.gatewayRef.name} to report gatewayId`);
  return { gatewayId: status.gatewayId, ...(typeof status.gatewayArn === 'string' ? { gatewayArn: status.gatewayArn } : {}) };
}

function statusOf(observed: ObservedTarget, gatewayId: string): Partial<GatewayTargetStatus> {
  return {
    targetName: observed.name,
    targetId: observed.id,
    gatewayId,
    gatewayArn: observed.gatewayArn,
    awsStatus: observed.status,
    statusReasons: observed.statusReasons,
    failureReason: FAILED.has(observed.status) ? (observed.statusReasons?.join('; ') ?? 'no reason given') : undefined,
    lastSynchronizedAt: observed.lastSynchronizedAt,
  };
}

export async function reconcileGatewayTarget(object: TargetObject, env: ReconcileEnv): Promise<TargetOutcome> {
  const { spec } = object;
  const { generation, now, uid, status, actions, requeue } = beginRun<GatewayTargetStatus>(object, env);
  const name = awsNameOf(TARGET_RULE, object);

  try {
    const { gatewayId, gatewayArn } = gatewayOf(spec, env);
    const desired = desiredTarget(spec, { providerArn: providerArnOf(spec, env) });
    // An id recorded in another gateway (the Gateway was replaced) says nothing about this one.
    const recordedId = status.gatewayId === gatewayId ? status.targetId : undefined;
    const observed = await observeTarget(env.aws, env.gate, { gatewayId, name, id: recordedId }, env.memo);
    status.lastSyncedAt = now.toISOString();

    if (!observed) {
      // The token is the same for a retry of this very create, so a crash cannot make a second
      // target. It names the gateway and the target last seen, so a target deleted (or replaced) is
      // created anew instead of being answered with the replay of the old create.
      const token = clientToken(uid, 'CreateGatewayTarget', gatewayId, name, desired, recordedId ?? null);
      const created = await send<CreateGatewayTargetResponse>(env.aws.agentcore, new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, name, ...desired, clientToken: token } as never), env.gate);
      Object.assign(status, {
        targetName: name,
        targetId: created.targetId,
        gatewayId,
        gatewayArn: created.gatewayArn ?? gatewayArn,
        awsStatus: created.status ?? 'CREATING',
        statusReasons: undefined,
        failureReason: undefined,
      });
      actions.push(`created target ${name}`);
      return requeue(Reason.Creating, `Creating target ${name} in gateway ${gatewayId}`);
    }
    Object.assign(status, statusOf(observed, gatewayId));
    if (IN_FLIGHT.has(observed.status)) return requeue(Reason.WaitingForAWS, `AWS reports the target ${observed.status}`);
    if (PENDING_AUTH.has(observed.status)) return requeue(Reason.WaitingForAWS, `AWS reports the target ${observed.status}: it waits for a user to complete the OAuth authorization`);

    const changes = diffTarget(desired, observed.configuration);
    const unchanged = specUnchanged(status, generation);
    let reported = false;
    if (changes.length > 0) {
      const paths = changes.map((c) => c.path);
      const replacement = changes.find((c) => c.action === 'replace');
      if (unchanged && spec.driftPolicy === 'Report') {
        reportDrift(status, paths, generation, now);
        reported = true;
      } else if (replacement) {
        // AWS cannot change a target's kind in place. A target holds no data of its own, only the
        // configuration the spec gives in full, so deleting it and creating it again loses nothing;
        // the recorded id stays, so the next create is a new request and not a replay.
        await send(env.aws.agentcore, new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: observed.id }), env.gate);
        actions.push(`deleted target ${name} to replace it: its kind changed from ${String(replacement.from)} to ${String(replacement.to)}`);
        return requeue(Reason.Progressing, `Replacing target ${name}: its kind changed from ${String(replacement.from)} to ${String(replacement.to)}`);
      } else {
        const body = carryUnmodelled(desired, observed.configuration, TARGET_MODEL, TARGET_CARRIED);
        await send(env.aws.agentcore, new UpdateGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: observed.id, name: observed.name, ...body } as never), env.gate);
        actions.push(`${unchanged ? 'corrected drift at' : 'updated'} ${paths.join(', ')}`);
        if (unchanged) markDriftCorrected(status, paths, generation, now);
        return requeue(Reason.Updating, `Updating target ${name}: ${paths.join(', ')} changed`);
      }
    } else if (FAILED.has(observed.status)) {
      throw new TerminalError(`AWS reports ${observed.status}: ${status.failureReason ?? 'no reason given'}`, Reason.AWSFailed);
    }
    return done(status, reported, `Target ${name} is ready in gateway ${gatewayId}`, generation, now, actions);
  } catch (error) {
    return failure(status, error, generation, now, actions, env.pollMs, throttledMessage(spec.gatewayRef.name));
  }
}

/** Deletes the target unless the object retains it; `done` once it (or its whole gateway) is gone. */
export async function finalizeGatewayTarget(object: TargetObject, env: ReconcileEnv): Promise<TargetOutcome> {
  const { spec } = object;
  const { generation, now, status, actions, requeue } = beginRun<GatewayTargetStatus>(object, env);
  if (spec.deletionPolicy === 'Retain') return { status, next: { kind: 'done' }, actions: ['retained the target (deletionPolicy: Retain)'] };
  const name = awsNameOf(TARGET_RULE, object);
  try {
    // The gateway may itself be on its way out, so its recorded id is used whether or not it is ready.
    const referenced = env.lookup('Gateway', spec.gatewayRef.name)?.status.gatewayId;
    const gatewayId = status.gatewayId ?? (typeof referenced === 'string' ? referenced : undefined);
    if (!gatewayId) return { status, next: { kind: 'done' }, actions };
    const observed = await observeTarget(env.aws, env.gate, { gatewayId, name, id: status.gatewayId === gatewayId ? status.targetId : undefined }, env.memo);
    if (!observed) return { status: { ...status, awsStatus: 'DELETED' }, next: { kind: 'done' }, actions };
    status.awsStatus = observed.status;
    if (observed.status === 'DELETING') return requeue(Reason.Deleting, `Deleting target ${name}`);
    if (IN_FLIGHT.has(observed.status)) return requeue(Reason.Deleting, `Waiting for target ${name} to leave ${observed.status} before deleting it`);
    await send(env.aws.agentcore, new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: observed.id }), env.gate);
    actions.push(`deleted target ${name}`);
    return requeue(Reason.Deleting, `Deleting target ${name}`);
  } catch (error) {
    return failure(status, error, generation, now, actions, env.pollMs, throttledMessage(spec.gatewayRef.name));
  }
}

/**
 * What reconcile would do, from the same observation and decisions, without a write. A target whose
 * gateway is not ready yet is created once it is, in a gateway not known before apply; a credential
 * provider not ready yet gives an ARN not known before apply.
 */
export async function planGatewayTarget(object: TargetObject, env: ReconcileEnv): Promise<ObjectPlan<GatewayTargetStatus>> {
  const { spec } = object;
  const name = awsNameOf(TARGET_RULE, object);
  let gatewayId: string;
  try {
    gatewayId = gatewayOf(spec, env).gatewayId;
  } catch (error) {
    if (!(error instanceof DependencyNotReady)) throw error;
    return { changes: [{ action: 'create', subject: `target ${name}`, to: { gateway: UNKNOWN } }] };
  }
  let providerArn: string | undefined;
  try {
    providerArn = providerArnOf(spec, env);
  } catch (error) {
    if (!(error instanceof DependencyNotReady)) throw error;
    providerArn = UNKNOWN;
  }
  const desired = desiredTarget(spec, { providerArn });
  const recordedId = object.status?.gatewayId === gatewayId ? object.status.targetId : undefined;
  const observed = await observeTarget(env.aws, env.gate, { gatewayId, name, id: recordedId }, env.memo);
  const result = (changes: PlannedChange[]): ObjectPlan<GatewayTargetStatus> => ({ changes, ...(observed ? { observed: statusOf(observed, gatewayId) } : {}) });
  if (!observed) return result([{ action: 'create', subject: `target ${name}` }]);
  if (IN_FLIGHT.has(observed.status) || PENDING_AUTH.has(observed.status)) return result([{ action: 'wait', subject: `target ${name}`, to: observed.status }]);
  const changes = diffTarget(desired, observed.configuration);
  const replacement = changes.find((c) => c.action === 'replace');
  if (replacement) return result([{ action: 'replace', subject: `target ${name}`, from: replacement.from, to: replacement.to }]);
  return result(changes.map((c) => ({ action: 'update', subject: c.path, from: c.from, to: c.to })));
}

export const gatewayTargetReconciler: KindReconciler<GatewayTargetSpec, GatewayTargetStatus> = {
  kind: 'GatewayTarget',
  references: (spec) => {
    const { oauth, apiKey } = spec.credentials ?? {};
    return [
      { kind: 'Gateway', name: spec.gatewayRef.name, path: 'spec.gatewayRef.name' },
      ...(oauth?.providerRef ? [{ kind: 'OAuth2CredentialProvider', name: oauth.providerRef.name, path: 'spec.credentials.oauth.providerRef.name' }] : []),
      ...(apiKey?.providerRef ? [{ kind: 'ApiKeyCredentialProvider', name: apiKey.providerRef.name, path: 'spec.credentials.apiKey.providerRef.name' }] : []),
    ];
  },
  reconcile: reconcileGatewayTarget,
  finalize: finalizeGatewayTarget,
  plan: planGatewayTarget,
};
