/**
 * The reconcile contract: `reconcile(key)` returns (optionally asking to be run again after a while,
 * for example while AWS says CREATING), or throws a TransientError (retried with backoff: throttling,
 * 5xx, network) or a TerminalError (not retried until the object changes: invalid spec, access denied).
 */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Reconciler<K> {
  reconcile(key: K): Promise<ReconcileResult>;
}

export class TransientError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'TransientError';
  }
}

export class TerminalError extends Error {
  constructor(message: string, readonly reason: string = 'Failed') {
    super(message);
    this.name = 'TerminalError';
  }
}

export type Outcome = 'success' | 'requeue' | 'transient' | 'terminal';
