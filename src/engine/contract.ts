/**
 * The contract between the engine's workers and whatever they run: `reconcile(key)` returns (optionally
 * asking to be run again after a while, for example while AWS says CREATING), or throws a
 * TransientError (retried with backoff) or a TerminalError (not retried until the object changes).
 * Both front ends (a file source's run, a cluster's controllers) reach it through `resultOf`, which
 * turns a reconciler's next step into it in one place.
 */
import { TransientError } from '../reconcilers/errors.js';
import type { Next } from '../reconcilers/kind.js';

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
