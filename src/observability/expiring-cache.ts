/**
 * A map whose entries are forgotten once their time is up, and which never holds more than
 * `maxEntries`: when full, expired entries go first, then the oldest. For answers worth reusing
 * briefly (whether a caller may read /metrics) however many distinct callers turn up.
 */

/** Milliseconds on a clock that only moves forward. */
export interface ElapsedClock {
  now(): number;
}

export const monotonicClock: ElapsedClock = { now: () => performance.now() };

export interface ExpiringCacheOptions {
  maxEntries: number;
  clock?: ElapsedClock;
}

export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly clock: ElapsedClock;

  constructor(private readonly options: ExpiringCacheOptions) {
    this.clock = options.clock ?? monotonicClock;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.clock.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` for `ttlMs`; a ttl of zero or less keeps nothing. */
  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    if (ttlMs <= 0) return;
    const now = this.clock.now();
    if (this.entries.size >= this.options.maxEntries) {
      for (const [k, entry] of this.entries) if (now >= entry.expiresAt) this.entries.delete(k);
    }
    // A Map iterates in insertion order, so its first key is the oldest entry.
    while (this.entries.size >= this.options.maxEntries && this.entries.size > 0) this.entries.delete(this.entries.keys().next().value!);
    if (this.options.maxEntries > 0) this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }
}
