import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller } from '../../src/engine/controller.js';
import { TerminalError, TransientError, type Outcome, type ReconcileResult } from '../../src/reconcilers/contract.js';

const fastBackoff = { baseMs: 5, maxMs: 20, jitter: 0 };
let controller: Controller | undefined;
afterEach(async () => controller?.stop());

function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => (check() ? resolve() : Date.now() > deadline ? reject(new Error('condition not met')) : setTimeout(poll, 2));
    poll();
  });
}

describe('Controller', () => {
  test('no more than `concurrency` reconciles run at once, and one key never runs twice at once', async () => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let overlap = false;
    const done: string[] = [];
    controller = new Controller({
      async reconcile(key) {
        running += 1;
        peak = Math.max(peak, running);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        if (perKey.get(key)! > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 5));
        perKey.set(key, perKey.get(key)! - 1);
        running -= 1;
        done.push(key);
        return {};
      },
    }, { concurrency: 3 });
    controller.start();
    for (let i = 0; i < 12; i += 1) controller.queue.add(`k${i % 6}`);
    await until(() => controller!.queue.pending === 0 && done.length >= 6);
    expect(peak).toBe(3);
    expect(overlap).toBe(false);
  });

  test('transient errors are retried with backoff until they succeed; terminal ones are not retried', async () => {
    const attempts = new Map<string, number>();
    const outcomes: [string, Outcome][] = [];
    controller = new Controller({
      async reconcile(key): Promise<ReconcileResult> {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (key === 'flaky' && n < 3) throw new TransientError('throttled');
        if (key === 'broken') throw new TerminalError('invalid spec', 'ValidationFailed');
        return {};
      },
    }, { concurrency: 2, backoff: fastBackoff, onOutcome: (key, outcome) => outcomes.push([key, outcome]) });
    controller.start();
    controller.queue.add('flaky');
    controller.queue.add('broken');
    await until(() => outcomes.filter(([k]) => k === 'flaky').at(-1)?.[1] === 'success' && outcomes.some(([k]) => k === 'broken'));
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts.get('flaky')).toBe(3);
    expect(attempts.get('broken')).toBe(1);
    expect(outcomes.filter(([k]) => k === 'flaky').map(([, o]) => o)).toEqual(['transient', 'transient', 'success']);
  });

  test('a requeue-after result runs the key again later, without blocking a worker meanwhile', async () => {
    const runs: string[] = [];
    let settled = false;
    controller = new Controller({
      async reconcile(key): Promise<ReconcileResult> {
        runs.push(key);
        if (key === 'creating' && !settled) {
          settled = true;
          return { requeueAfterMs: 30 };
        }
        return {};
      },
    }, { concurrency: 1 });
    controller.start();
    controller.queue.add('creating');
    controller.queue.add('other');
    await until(() => runs.filter((k) => k === 'creating').length === 2);
    expect(runs).toEqual(['creating', 'other', 'creating']);
  });
});
