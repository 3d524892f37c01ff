import { describe, expect, test } from '@jest/globals';
import { ItemBackoff } from '../../src/engine/backoff.js';
import { WorkQueue } from '../../src/engine/queue.js';
import { ManualClock } from '../helpers/wait.js';

describe('WorkQueue', () => {
  test('a key waits in the queue once, however often it is added', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth).toBe(2);
    expect([await q.get(), await q.get()]).toEqual(['a', 'b']);
  });

  test('a key held by a worker is not handed out again; added meanwhile, it comes back after done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.depth).toBe(0);
    q.done(key!);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.pending).toBe(0);
  });

  test('a waiting worker gets the next key added', async () => {
    const q = new WorkQueue<string>();
    const next = q.get();
    q.add('x');
    expect(await next).toBe('x');
  });

  test('addAfter keeps the earliest time and an immediate add cancels the timer', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>(clock);
    q.addAfter('a', 60_000);
    q.addAfter('a', 10);
    q.addAfter('a', 30_000);
    expect([q.pending, clock.pending]).toEqual([1, 1]);
    clock.advance(9);
    expect(q.depth).toBe(0);
    clock.advance(1);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    q.addAfter('b', 60_000);
    q.add('b');
    expect(clock.pending).toBe(0);
    expect(await q.get()).toBe('b');
    q.done('b');
    expect(q.pending).toBe(0);
  });

  test('a key whose delay ran out is served before keys added afresh, and each lane stays in order', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>(clock);
    for (const key of ['new-1', 'new-2', 'new-3']) q.add(key);
    q.addAfter('started-1', 5);
    q.addAfter('started-2', 10);
    clock.advance(10);
    expect(q.depth).toBe(5);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const key = (await q.get())!;
      order.push(key);
      q.done(key);
    }
    expect(order).toEqual(['started-1', 'started-2', 'new-1', 'new-2', 'new-3']);
    expect(q.pending).toBe(0);
  });

  test('shutdown releases waiting workers and drops scheduled keys', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>(clock);
    const waiting = q.get();
    q.addAfter('later', 60_000);
    q.shutdown();
    expect(await waiting).toBeUndefined();
    expect([q.pending, clock.pending]).toEqual([0, 0]);
    clock.advance(60_000);
    expect(q.depth).toBe(0);
  });
});

describe('ItemBackoff', () => {
  test.each<[number, number[]]>([
    [0, [180, 360, 720, 1440, 2880]],
    [0.5, [200, 400, 800, 1600, 3200]],
    [1, [220, 440, 880, 1760, 3520]],
  ])('random %d: each failure doubles the delay, within ±10%%', (r, expected) => {
    const b = new ItemBackoff<string>({ baseMs: 200, maxMs: 60_000, jitter: 0.2, random: () => r });
    expect(expected.map(() => b.next('k'))).toEqual(expected);
  });

  test('the delay is capped, keys are independent, and forget starts over', () => {
    const b = new ItemBackoff<string>({ baseMs: 1000, maxMs: 4000, jitter: 0, random: () => 0.5 });
    expect([b.next('a'), b.next('a'), b.next('a'), b.next('a'), b.next('b')]).toEqual([1000, 2000, 4000, 4000, 1000]);
    b.forget('a');
    expect([b.failuresOf('a'), b.next('a')]).toEqual([0, 1000]);
  });
});
