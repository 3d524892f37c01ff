/**
 * Reads shared by many reconciles within a short window: the list of runtimes an object searches by
 * name, an image tag's digest. Concurrent callers share one call in flight; a result is reused until
 * it is `ttlMs` old, so a resync a little later still reads AWS afresh. Expired results are dropped,
 * so a long-running operator does not keep every listing and digest it ever read.
 */
export class Memo {
  private readonly entries = new Map<string, { expiresAt: number; value: Promise<unknown> }>();
  private sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    this.sweep(now);
    const hit = this.entries.get(key);
    if (hit && now < hit.expiresAt) return hit.value as Promise<T>;
    const value = load();
    const entry = { expiresAt: now + ttlMs, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** How many results are kept. */
  get size(): number {
    return this.entries.size;
  }

  /** At most once a second: a sweep walks every entry. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [key, entry] of this.entries) if (now >= entry.expiresAt) this.entries.delete(key);
  }
}
