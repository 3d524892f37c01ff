/**
 * The contract between the engine's workers and whatever they run: `reconcile(key)` returns (optionally
 * asking to be run again after a while, for example while AWS says CREATING), or throws a
 * TransientError (retried with backoff) or a TerminalError (not retried until the object changes).
 * Both front ends (a file source's run, a cluster's controllers) reach it through `resultOf`, which
 * turns a reconciler's next step into it in one place.
 */
import { markStalled, markSuspended, Reason } from '../reconcilers/conditions.js';
import { TerminalError, TransientError } from '../reconcilers/errors.js';
import type { Condition } from '../api/meta.js';
import type { KindReconciler, Next, Outcome as RunOutcome, ReconcileEnv } from '../reconcilers/kind.js';
import type { ObjectState, SourceObject, StatusSink } from './status.js';

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Reconciler<K> {
  /** `reconcileId` numbers this run in the process's logs. */
  reconcile(key: K, reconcileId: number): Promise<ReconcileResult>;
}

export type Outcome = 'success' | 'requeue' | 'transient' | 'terminal';

/** A reconciler's next step as the workers take it; `whenDone` is what a finished object asks for (a resync). */
export function resultOf(next: Next, whenDone: ReconcileResult = {}): ReconcileResult {
  switch (next.kind) {
    case 'done':
      return whenDone;
    case 'requeue':
      return { requeueAfterMs: next.afterMs };
    case 'retry':
      throw new TransientError(next.error.message, next.error);
    case 'stalled':
      throw next.error;
  }
}

/** A suspended object is not reconciled: no AWS call, and its status says so. Deleting it still works. */
export function isSuspended(spec: unknown): boolean {
  return (spec as { suspend?: boolean } | undefined)?.suspend === true;
}

type AnyReconciler = KindReconciler<Record<string, unknown>, Record<string, unknown>>;

/** The state a run leaves an object in; `done` means `success` (ready after apply, deleted after delete). */
export function stateOf(next: Next, success: 'ready' | 'deleted'): ObjectState {
  return next.kind === 'done' ? success : next.kind === 'stalled' ? 'stalled' : 'pending';
}

/**
 * One run of an object toward its spec, the same for every source: an invalid object is Stalled
 * with no AWS call; a suspended one is only said to be suspended; any other is reconciled, and a stall
 * counts as a finished look at its generation (kstatus: Failed). The report goes to the source's sink.
 */
export async function applyOnce<O extends SourceObject>(
  reconciler: AnyReconciler,
  given: O,
  env: ReconcileEnv,
  sink: StatusSink<O>,
  /** What a source does before the first AWS call of a valid, active object (a cluster adds its finalizer). */
  beforeWork: (object: O) => Promise<O> = (o) => Promise.resolve(o),
): Promise<RunOutcome<Record<string, unknown>>> {
  let object = given;
  const kind = reconciler.kind;
  const invalid = reconciler.invalidity?.(object);
  if (invalid) {
    const message = `Invalid ${kind}: ${invalid}`;
    const status = { ...object.status, observedGeneration: object.metadata.generation, conditions: markStalled((object.status?.conditions ?? []) as Condition[], Reason.ValidationFailed, message, object.metadata.generation, env.now()) };
    await sink.report({ kind, object, status, actions: [], state: 'stalled' });
    return { status, next: { kind: 'stalled', error: new TerminalError(message, Reason.ValidationFailed) }, actions: [] };
  }
  if (isSuspended(object.spec)) {
    const status = { ...object.status, conditions: markSuspended((object.status?.conditions ?? []) as Condition[], object.metadata.generation, env.now()) };
    await sink.report({ kind, object, status, actions: [], state: 'suspended' });
    return { status, next: { kind: 'done' }, actions: [] };
  }
  object = await beforeWork(object);
  const outcome = await reconciler.reconcile(object, env);
  const status = outcome.next.kind === 'stalled' ? { ...outcome.status, observedGeneration: object.metadata.generation } : outcome.status;
  await sink.report({ kind, object, status, actions: outcome.actions, state: stateOf(outcome.next, 'ready') });
  return { ...outcome, status };
}

/** One run of a deleting object: the kind's finalize, reported to the source's sink. */
export async function deleteOnce<O extends SourceObject>(reconciler: AnyReconciler, object: O, env: ReconcileEnv, sink: StatusSink<O>): Promise<RunOutcome<Record<string, unknown>>> {
  const outcome = await reconciler.finalize(object, env);
  await sink.report({ kind: reconciler.kind, object, status: outcome.status, actions: outcome.actions, state: stateOf(outcome.next, 'deleted') });
  return outcome;
}
