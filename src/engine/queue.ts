/**
 * A de-duplicating work queue with client-go's guarantees: a key waits in the queue at most once, is
 * handed to one worker at a time, and a key added again while a worker holds it is processed again
 * once that worker is done. Delayed adds keep the earliest time asked for.
 *
 * A key whose delay has run out (a poll of a resource AWS is still creating, a retry, a resync) is
 * served before keys added afresh: with thousands of new objects queued, the ones already started
 * finish and turn Ready as they go, instead of all waiting until every new one has been started.
 */
import { systemClock, type Clock } from './backoff.js';

export class WorkQueue<K> {
  private readonly ready: K[] = [];
  private readonly due: K[] = [];
  private readonly queued = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly dirty = new Set<K>();
  private readonly timers = new Map<K, { at: number; cancel: () => void }>();
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(private readonly clock: Clock = systemClock) {}

  add(key: K): void {
    this.enqueue(key, this.ready);
  }

  private enqueue(key: K, lane: K[]): void {
    if (this.shuttingDown) return;
    this.cancelTimer(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      lane.push(key);
    }
  }

  /** Adds the key after a delay; an earlier pending time for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    this.cancelTimer(key);
    const cancel = this.clock.after(
      delayMs,
      () => {
        this.timers.delete(key);
        this.enqueue(key, this.due);
      },
      { unref: true },
    );
    this.timers.set(key, { at, cancel });
  }

  /** The next key to work on, once there is one; undefined after shutdown. */
  get(): Promise<K | undefined> {
    const key = this.due.shift() ?? this.ready.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key's processing finished; re-queues it if it was added meanwhile. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** Keys waiting, in flight or scheduled: nothing is left to do when this is 0. */
  get pending(): number {
    return this.due.length + this.ready.length + this.processing.size + this.dirty.size + this.timers.size;
  }

  get depth(): number {
    return this.due.length + this.ready.length;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const key of [...this.timers.keys()]) this.cancelTimer(key);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private cancelTimer(key: K): void {
    const t = this.timers.get(key);
    if (t) {
      t.cancel();
      this.timers.delete(key);
    }
  }
}
