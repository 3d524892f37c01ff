/**
 * Client-side rate limits, one per AWS API class, so the operator stays under the service's quotas
 * instead of learning them from ThrottlingExceptions. Each class is a cell-rate (GCRA) bucket: a
 * caller reserves a slot and is told how long to wait for it; a burst of `burst` calls goes at once.
 */
export interface RateLimit {
  perSecond: number;
  burst?: number;
}

interface Cell {
  intervalMs: number;
  toleranceMs: number;
  /** Theoretical arrival time of the next request. */
  tat: number;
}

export class RateLimiter {
  private readonly cells = new Map<string, Cell>();

  constructor(
    private readonly limits: Record<string, RateLimit>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves a slot in the class and returns how many milliseconds to wait before using it. */
  reserve(apiClass: string): number {
    const limit = this.limits[apiClass];
    if (!limit || limit.perSecond <= 0) return 0;
    let cell = this.cells.get(apiClass);
    const now = this.now();
    if (!cell) {
      const intervalMs = 1000 / limit.perSecond;
      cell = { intervalMs, toleranceMs: intervalMs * ((limit.burst ?? Math.max(1, Math.floor(limit.perSecond))) - 1), tat: now };
      this.cells.set(apiClass, cell);
    }
    const tat = Math.max(cell.tat, now);
    const wait = Math.max(0, tat - cell.toleranceMs - now);
    cell.tat = tat + cell.intervalMs;
    return wait;
  }

  /** Waits for a slot in the class. */
  async acquire(apiClass: string): Promise<void> {
    const wait = this.reserve(apiClass);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
