import { describe, expect, test } from '@jest/globals';
import { ExpiringCache } from '../../src/observability/expiring-cache.js';
import { ManualClock } from '../helpers/wait.js';

describe('ExpiringCache', () => {
  test('an entry is there until its time is up, and gone from then on', () => {
    const clock = new ManualClock(0);
    const cache = new ExpiringCache<string>({ maxEntries: 10, clock });
    cache.set('a', 'allowed', 10_000);
    clock.advance(9_999);
    expect(cache.get('a')).toBe('allowed');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('each entry keeps its own time, and setting a key again starts its time anew', () => {
    const clock = new ManualClock(0);
    const cache = new ExpiringCache<string>({ maxEntries: 10, clock });
    cache.set('allowed', 'yes', 10_000);
    cache.set('denied', 'no', 5_000);
    clock.advance(5_000);
    expect([cache.get('allowed'), cache.get('denied')]).toEqual(['yes', undefined]);
    cache.set('allowed', 'still yes', 10_000);
    clock.advance(9_000);
    expect(cache.get('allowed')).toBe('still yes');
  });

  test('a ttl of zero or less keeps nothing, and drops what the key held', () => {
    const cache = new ExpiringCache<string>({ maxEntries: 10, clock: new ManualClock(0) });
    cache.set('a', 'old', 1_000);
    cache.set('a', 'new', 0);
    cache.set('b', 'never', -1);
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([undefined, undefined, 0]);
  });

  test('when full, the oldest entry makes room', () => {
    const clock = new ManualClock(0);
    const cache = new ExpiringCache<number>({ maxEntries: 3, clock });
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) cache.set(key, i, 60_000);
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((k) => cache.get(k))).toEqual([undefined, 1, 2, 3]);
  });

  test('when full, expired entries make room before any live one', () => {
    const clock = new ManualClock(0);
    const cache = new ExpiringCache<string>({ maxEntries: 3, clock });
    cache.set('live', 'oldest but live', 60_000);
    cache.set('short-1', 'x', 1_000);
    cache.set('short-2', 'y', 1_000);
    clock.advance(1_000);
    cache.set('new', 'z', 60_000);
    expect(cache.size).toBe(2);
    expect([cache.get('live'), cache.get('new')]).toEqual(['oldest but live', 'z']);
  });

  test('however many distinct keys arrive, it holds no more than maxEntries', () => {
    const clock = new ManualClock(0);
    const cache = new ExpiringCache<number>({ maxEntries: 100, clock });
    for (let i = 0; i < 10_000; i++) {
      cache.set(`token-${i}`, i, i % 2 ? 10_000 : 5_000);
      clock.advance(1);
    }
    expect(cache.size).toBe(100);
    expect(cache.get('token-9999')).toBe(9999);
  });
});
