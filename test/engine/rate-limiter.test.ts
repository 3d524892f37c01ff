import { describe, expect, test } from '@jest/globals';
import { RateLimiter } from '../../src/engine/rate-limiter.js';

describe('RateLimiter', () => {
  test('a burst goes at once, then one slot per interval', () => {
    let now = 0;
    const limiter = new RateLimiter({ mutation: { perSecond: 5 } }, () => now);
    expect(Array.from({ length: 7 }, () => limiter.reserve('mutation'))).toEqual([0, 0, 0, 0, 0, 200, 400]);
    now = 2000;
    expect(limiter.reserve('mutation')).toBe(0);
  });

  test('N calls at rate R take (N - burst) / R seconds: the quota bound the benchmarks compare with', () => {
    const now = 0;
    const limiter = new RateLimiter({ memoryCreate: { perSecond: 3, burst: 1 } }, () => now);
    const waits = Array.from({ length: 10 }, () => limiter.reserve('memoryCreate'));
    expect(Math.round(waits.at(-1)!)).toBe(3000);
  });

  test('classes are independent and an unknown class is not limited', () => {
    const limiter = new RateLimiter({ a: { perSecond: 1, burst: 1 }, b: { perSecond: 1, burst: 1 } }, () => 0);
    expect([limiter.reserve('a'), limiter.reserve('b'), limiter.reserve('a'), limiter.reserve('other')]).toEqual([0, 0, 1000, 0]);
  });
});
