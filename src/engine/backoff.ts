/**
 * Per-item exponential backoff with jitter: each failure of a key doubles its wait, success forgets it;
 * and the Clock that waits like these are measured on.
 */

/** The time and the timers of whatever waits: the system's, or in tests one the test moves. */
export interface Clock {
  /** Milliseconds. */
  now(): number;
  /**
   * Calls `callback` once `ms` have passed on this clock; the answer cancels it. An unref'd timer does not
   * keep the process alive.
   */
  after(ms: number, callback: () => void, options?: { unref?: boolean }): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback, options) {
    const timer = setTimeout(callback, ms);
    if (options?.unref) timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay drawn at random (0.2: ±10%), so retries of many items do not align. */
  jitter: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, maxMs: 5 * 60 * 1000, jitter: 0.2 };

export class ItemBackoff<K> {
  private readonly failures = new Map<K, number>();

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The delay before the next attempt of a key that just failed. */
  next(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const raw = Math.min(this.options.maxMs, this.options.baseMs * 2 ** n);
    const random = this.options.random ?? Math.random;
    const spread = raw * this.options.jitter;
    return Math.max(0, Math.round(raw - spread / 2 + random() * spread));
  }

  failuresOf(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}
