/**
 * Time in tests: waiting on a condition instead of sleeping, and a clock that moves only when the test
 * moves it, for code that takes a Clock (src/engine/backoff.ts).
 */
import type { Clock } from '../../src/engine/backoff.js';

export interface WaitOptions {
  /**
   * 20 s unless told: generous, as on a loaded machine what takes milliseconds can take seconds, and
   * still within Jest's 30 s per test, so a test that waits in vain says what for.
   */
  timeoutMs?: number;
  /** What is waited for, for the error on timeout. */
  what: string;
  intervalMs?: number;
}

/**
 * Polls `condition` until it answers something truthy, and answers that; a throw counts as not yet.
 * Fails after the timeout, saying what it waited for and the last error.
 */
export async function waitFor<T>(condition: () => T | undefined | null | false | Promise<T | undefined | null | false>, options: WaitOptions): Promise<T> {
  const { timeoutMs = 20_000, what, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

interface Timer {
  at: number;
  order: number;
  callback: () => void;
}

/** A Clock that stands still until the test advances it; timers fire in the order they fall due. */
export class ManualClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private made = 0;

  /** Starts at the real time, so that timestamps written from it look like today's. */
  constructor(start = Date.now()) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), order: this.made++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /** When the next timer falls due, or undefined when none is set. */
  nextAt(): number | undefined {
    return this.earliest()?.at;
  }

  /** Moves time on by `ms`, firing each timer due by then at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let timer = this.earliest(); timer && timer.at <= end; timer = this.earliest()) this.fire(timer);
    this.time = end;
  }

  /** Moves time on to the next timer and fires it; false when none is set. */
  next(): boolean {
    const timer = this.earliest();
    if (!timer) return false;
    this.fire(timer);
    return true;
  }

  private earliest(): Timer | undefined {
    return this.timers.reduce<Timer | undefined>((first, t) => (!first || t.at < first.at || (t.at === first.at && t.order < first.order) ? t : first), undefined);
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.time = Math.max(this.time, timer.at);
    timer.callback();
  }
}
