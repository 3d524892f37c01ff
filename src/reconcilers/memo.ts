/**
 * Reads shared by many reconciles within a short window: the list of runtimes an object searches by
 * name, an image tag's digest. Concurrent callers share one call in flight; a result is reused until
 * it is `ttlMs` old, so a resync a little later still reads AWS afresh.
 */
export class Memo {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(private readonly now: () => number = Date.now) {}

  get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { at: this.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}
