/** Workers that take keys from the queue and run the reconciler, at most `concurrency` at a time. */
import { DEFAULT_BACKOFF, ItemBackoff, type BackoffOptions } from './backoff.js';
import { WorkQueue } from './queue.js';
import { TerminalError } from '../reconcilers/errors.js';
import type { Logger } from '../observability/log.js';
import type { Outcome, Reconciler } from './contract.js';

export interface ControllerOptions {
  concurrency: number;
  backoff?: BackoffOptions;
  /** Told of every finished reconcile, for metrics. */
  onOutcome?(key: string, outcome: Outcome, durationMs: number, error?: unknown): void;
  /** One line per reconcile: stalled (warn), to be retried (info), finished (at `finishedLevel`, debug by default). */
  logger?: Logger;
  finishedLevel?: 'info' | 'debug';
  /** The fields that name a key in the log (`kind`, `object`). */
  fieldsOf?(key: string): Record<string, unknown>;
}

/** Numbers every reconcile of the process, so its log lines can be told apart and grouped. */
let reconciles = 0;

export class Controller {
  readonly queue = new WorkQueue<string>();
  private readonly backoff: ItemBackoff<string>;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly reconciler: Reconciler<string>,
    private readonly options: ControllerOptions,
  ) {
    this.backoff = new ItemBackoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  start(): void {
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      const started = Date.now();
      const reconcileId = (reconciles += 1);
      let outcome: Outcome;
      let failure: unknown;
      try {
        const result = await this.reconciler.reconcile(key, reconcileId);
        this.backoff.forget(key);
        outcome = result.requeueAfterMs !== undefined ? 'requeue' : 'success';
        if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        failure = error;
        if (error instanceof TerminalError) {
          this.backoff.forget(key);
          outcome = 'terminal';
        } else {
          outcome = 'transient';
          this.queue.addAfter(key, this.backoff.next(key));
        }
      } finally {
        this.queue.done(key);
      }
      const durationMs = Date.now() - started;
      this.options.onOutcome?.(key, outcome, durationMs, failure);
      this.log(key, reconcileId, outcome, durationMs, failure);
    }
  }

  private log(key: string, reconcileId: number, outcome: Outcome, durationMs: number, failure: unknown): void {
    const { logger } = this.options;
    if (!logger) return;
    const fields = { ...(this.options.fieldsOf?.(key) ?? { key }), reconcileId, outcome, durationMs, ...(failure ? { error: failure instanceof Error ? failure.message : String(failure) } : {}) };
    if (outcome === 'terminal') logger.warn('reconcile stalled', fields);
    else if (outcome === 'transient') logger.info('reconcile will be retried', fields);
    else logger[this.options.finishedLevel ?? 'debug']('reconcile finished', fields);
  }
}
