/** The shared-read memo: one call in flight, reuse within the TTL, nothing kept after it. */
import { describe, expect, it } from '@jest/globals';
import { Memo } from '../../src/reconcilers/memo.js';

function counting<T>(value: T) {
  const load = async () => {
    load.calls++;
    return value;
  };
  load.calls = 0;
  return load;
}

describe('Memo', () => {
  it('concurrent callers share one load, and later ones reuse it until it is ttl old', async () => {
    let now = 0;
    const memo = new Memo(() => now);
    const load = counting('listing');
    expect(await Promise.all([memo.get('k', 5000, load), memo.get('k', 5000, load)])).toEqual(['listing', 'listing']);
    now = 4999;
    await memo.get('k', 5000, load);
    expect(load.calls).toBe(1);
    now = 5000;
    await memo.get('k', 5000, load);
    expect(load.calls).toBe(2);
  });

  it('drops expired results, so distinct keys do not pile up', async () => {
    let now = 0;
    const memo = new Memo(() => now);
    for (let i = 0; i < 100; i++) await memo.get(`ecr:image-${i}`, 5000, counting(i));
    expect(memo.size).toBe(100);
    now = 6000;
    await memo.get('other', 5000, counting('x'));
    expect(memo.size).toBe(1);
  });

  it('a failed load is not kept, and does not remove the load that replaced it', async () => {
    let now = 0;
    const memo = new Memo(() => now);
    let fail!: (error: Error) => void;
    const failing = memo.get('k', 1000, () => new Promise<string>((_, reject) => (fail = reject)));
    now = 2000;
    const fresh = counting('fresh');
    await memo.get('k', 1000, fresh);
    fail(new Error('throttled'));
    await expect(failing).rejects.toThrow('throttled');
    await memo.get('k', 1000, fresh);
    expect(fresh.calls).toBe(1);
    const again = counting('again');
    await expect(memo.get('bad', 1000, () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
    expect(await memo.get('bad', 1000, again)).toBe('again');
  });
});
