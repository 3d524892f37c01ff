/**
 * Steps every kind's pipeline shares: waiting on a referenced object, turning an error into a
 * condition and the next step, and the drift bookkeeping at the end of a run.
 */
import { createHash } from 'node:crypto';
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { send } from '../aws/call.js';
import { ConditionType, type Condition } from '../api/meta.js';
import { awsErrorMessage, classifyAwsError } from '../aws/errors.js';
import { markReady, markReconciling, markStalled, Reason, setCondition } from './conditions.js';
import { TerminalError, TransientError } from './contract.js';
import type { Outcome, PlannedChange, ReconcileEnv } from './kind.js';
import { tagChanges } from './ownership.js';

/** The statuses in which AWS is still working on a resource: nothing to decide until it settles. */
export const TRANSITIONAL = new Set(['CREATING', 'UPDATING', 'DELETING']);

/** The uid calls and digests are keyed with; file mode has no uid, so the object's key stands in. */
export function uidOf(metadata: { uid?: string; namespace?: string; name: string }): string {
  return metadata.uid ?? `${metadata.namespace ?? 'default'}/${metadata.name}`;
}

/** What one run of a pipeline starts from: the status it builds on, the actions it records, how it waits. */
export interface Run<S extends CommonStatus> {
  generation: number | undefined;
  now: Date;
  uid: string;
  status: S;
  actions: string[];
  /** Ready False and Reconciling True with one reason, and a look again after the poll interval. */
  requeue(reason: Reason, message: string): Outcome<S>;
}

export function beginRun<S extends CommonStatus>(object: { metadata: { uid?: string; namespace?: string; name: string; generation?: number }; status?: S }, env: ReconcileEnv): Run<S> {
  const generation = object.metadata.generation;
  const now = env.now();
  const status = { ...object.status, conditions: object.status?.conditions ?? [] } as S;
  const actions: string[] = [];
  return { generation, now, uid: uidOf(object.metadata), status, actions, requeue: (reason, message) => waiting(status, reason, message, generation, now, actions, env.pollMs) };
}

/** A clientToken that is the same for a retry of one intended call, and different for any other call. */
export function clientToken(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Waiting for another object is a requeue with a reason, not an error. */
export class DependencyNotReady extends Error {}

interface CommonStatus {
  conditions?: Condition[];
  drift?: string[];
  observedGeneration?: number;
}

/** A referenced object, once it is ready; throws DependencyNotReady naming what is awaited otherwise. */
export function readyReference(env: ReconcileEnv, kind: string, name: string): Record<string, unknown> {
  const target = env.lookup(kind, name);
  if (!target) throw new DependencyNotReady(`Waiting for ${kind} ${name}, which does not exist yet`);
  if (!target.ready) throw new DependencyNotReady(`Waiting for ${kind} ${name} to be ready`);
  return target.status;
}

/** One string field of a ready referenced object's status. */
export function referencedField(env: ReconcileEnv, kind: string, name: string, field: string): string {
  const value = readyReference(env, kind, name)[field];
  if (typeof value !== 'string' || value === '') throw new DependencyNotReady(`Waiting for ${kind} ${name} to report ${field}`);
  return value;
}

/**
 * An error turned into the status and the next step it calls for. `throttled` words the message for a
 * throttled call, which is retried like any other transient error.
 */
export function failure<S extends CommonStatus>(status: S, error: unknown, generation: number | undefined, now: Date, actions: string[], pollMs: number, throttled?: string): Outcome<S> {
  if (error instanceof DependencyNotReady) {
    status.conditions = markReconciling(status.conditions ?? [], Reason.DependencyNotReady, error.message, generation, now);
    return { status, next: { kind: 'requeue', afterMs: pollMs }, actions };
  }
  if (error instanceof TerminalError) {
    status.conditions = markStalled(status.conditions ?? [], error.reason as Reason, error.message, generation, now);
    return { status, next: { kind: 'stalled', error }, actions };
  }
  const kind = error instanceof TransientError ? 'transient' : classifyAwsError(error);
  const message = kind === 'throttled' && throttled ? `${throttled}: ${awsErrorMessage(error)}` : awsErrorMessage(error);
  if (kind === 'terminal') {
    const reason = /AccessDenied|Unauthorized/.test(message) ? Reason.AccessDenied : /Quota|LimitExceeded/.test(message) ? Reason.QuotaExceeded : Reason.ValidationFailed;
    const terminal = new TerminalError(message, reason);
    status.conditions = markStalled(status.conditions ?? [], reason, message, generation, now);
    return { status, next: { kind: 'stalled', error: terminal }, actions };
  }
  status.conditions = setCondition(status.conditions ?? [], ConditionType.Ready, 'False', Reason.ProgressingWithRetry, message, generation, now);
  return { status, next: { kind: 'retry', error: error instanceof Error ? error : new Error(message) }, actions };
}

/**
 * Whether differences are reported and left alone: only when the spec has not changed since the last
 * full reconcile and the object asks for `driftPolicy: Report`. Without a generation (file mode) every
 * run is an explicit request to apply the spec, so nothing counts as drift.
 */
export function specUnchanged(status: CommonStatus, generation: number | undefined): boolean {
  return generation !== undefined && status.observedGeneration === generation;
}

export function reportDrift(status: CommonStatus, paths: string[], generation: number | undefined, now: Date): void {
  status.drift = paths;
  status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'True', Reason.DriftDetected, `AWS differs from the spec at ${paths.join(', ')}`, generation, now);
  status.conditions = setCondition(status.conditions, ConditionType.Synced, 'False', Reason.DriftDetected, 'Drift is reported, not corrected (driftPolicy: Report)', generation, now);
}

export function markDriftCorrected(status: CommonStatus, paths: string[], generation: number | undefined, now: Date): void {
  status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'False', Reason.DriftCorrected, `Corrected ${paths.join(', ')}`, generation, now);
}

/** Brings a resource's tags in line through TagResource and UntagResource: tags never mint a version. */
export async function applyTagChanges(env: ReconcileEnv, resourceArn: string, desired: Record<string, string>, observed: Record<string, string>, actions: string[]): Promise<void> {
  const { set, remove } = tagChanges(desired, observed);
  if (Object.keys(set).length > 0) {
    await send(env.aws.agentcore, new TagResourceCommand({ resourceArn, tags: set }), env.gate);
    actions.push(`tagged ${Object.keys(set).join(', ')}`);
  }
  if (remove.length > 0) {
    await send(env.aws.agentcore, new UntagResourceCommand({ resourceArn, tagKeys: remove }), env.gate);
    actions.push(`untagged ${remove.join(', ')}`);
  }
  if (Object.keys(set).length > 0 || remove.length > 0) env.inventory?.recordTags(resourceArn, desired);
}

/** The tag changes a plan announces: what is set (created or updated) and what is removed. */
export function plannedTagChanges(desired: Record<string, string>, observed: Record<string, string>): PlannedChange[] {
  const { set, remove } = tagChanges(desired, observed);
  return [
    ...Object.entries(set).map(([key, value]): PlannedChange => ({ action: key in observed ? 'update' : 'create', scope: 'part', subject: `tag ${key}`, from: observed[key], to: value })),
    ...remove.map((key): PlannedChange => ({ action: 'delete', scope: 'part', subject: `tag ${key}`, from: observed[key] })),
  ];
}

/** The end of a run that found nothing left to do: Ready, with drift reported or cleared. */
export function done<S extends CommonStatus>(status: S, driftReported: boolean, message: string, generation: number | undefined, now: Date, actions: string[]): Outcome<S> {
  if (driftReported) {
    status.conditions = markReady(status.conditions ?? [], `${message}; drift reported`, generation, now);
  } else {
    status.drift = undefined;
    const drifted = status.conditions?.find((c) => c.type === ConditionType.Drifted);
    if (drifted?.status === 'True') status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'False', Reason.InSync, 'AWS matches the spec again', generation, now);
    status.conditions = setCondition(status.conditions ?? [], ConditionType.Synced, 'True', Reason.InSync, 'AWS matches the spec', generation, now);
    status.conditions = markReady(status.conditions, message, generation, now);
  }
  status.observedGeneration = generation;
  return { status, next: { kind: 'done' }, actions };
}

/** A requeue with one reason on Ready and Reconciling. */
export function waiting<S extends CommonStatus>(status: S, reason: Reason, message: string, generation: number | undefined, now: Date, actions: string[], pollMs: number): Outcome<S> {
  status.conditions = markReconciling(status.conditions ?? [], reason, message, generation, now);
  return { status, next: { kind: 'requeue', afterMs: pollMs }, actions };
}
