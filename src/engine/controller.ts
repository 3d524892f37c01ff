/** Workers that take keys from the queue and run the reconciler, at most `concurrency` at a time. */
import { DEFAULT_BACKOFF, ItemBackoff, type BackoffOptions } from './backoff.js';
import { WorkQueue } from './queue.js';
import { TerminalError, type Outcome, type Reconciler } from '../reconcilers/contract.js';

export interface ControllerOptions {
  concurrency: number;
  backoff?: BackoffOptions;
  /** Told of every finished reconcile, for metrics and logs. */
  onOutcome?(key: string, outcome: Outcome, durationMs: number, error?: unknown): void;
}

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
      let outcome: Outcome;
      let failure: unknown;
      try {
        const result = await this.reconciler.reconcile(key);
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
      this.options.onOutcome?.(key, outcome, Date.now() - started, failure);
    }
  }
}
