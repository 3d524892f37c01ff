import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller } from '../../src/engine/controller.js';
import type { Outcome, ReconcileResult } from '../../src/engine/contract.js';
import { TerminalError, TransientError } from '../../src/reconcilers/errors.js';
import { waitFor } from '../helpers/wait.js';

const fastBackoff = { baseMs: 5, maxMs: 20, jitter: 0 };
let controller: Controller | undefined;
afterEach(async () => controller?.stop());

describe('Controller', () => {
  test('no more than `concurrency` reconciles run at once, and one key never runs twice at once', async () => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let overlap = false;
    const done: string[] = [];
    // Reconciles are held until the gate opens: whatever the controller starts meanwhile runs at once.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    controller = new Controller({
      async reconcile(key) {
        running += 1;
        peak = Math.max(peak, running);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        if (perKey.get(key)! > 1) overlap = true;
        await gate;
        perKey.set(key, perKey.get(key)! - 1);
        running -= 1;
        done.push(key);
        return {};
      },
    }, { concurrency: 3 });
    controller.start();
    for (let i = 0; i < 12; i += 1) controller.queue.add(`k${i % 6}`);
    await waitFor(() => running === 3, { what: 'three reconciles to be held' });
    open();
    await waitFor(() => controller!.queue.pending === 0 && done.length >= 6, { what: 'every key to be reconciled' });
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
    // Nothing left queued, running or scheduled: no further attempt can come.
    await waitFor(() => controller!.queue.pending === 0 && outcomes.filter(([k]) => k === 'flaky').at(-1)?.[1] === 'success' && outcomes.some(([k]) => k === 'broken'), {
      what: 'flaky to succeed and broken to fail, with nothing left to do',
    });
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
    await waitFor(() => runs.filter((k) => k === 'creating').length === 2, { what: 'the requeued key to run again' });
    expect(runs).toEqual(['creating', 'other', 'creating']);
  });
});
