/** Per-item exponential backoff with jitter: each failure of a key doubles its wait, success forgets it. */
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
