import { describe, expect, test } from '@jest/globals';
import { Engine, type EngineObject } from '../../src/engine/engine.js';
import type { StatusReport } from '../../src/engine/status.js';
import { TerminalError } from '../../src/reconcilers/errors.js';
import { DEFAULT_SETTINGS, type KindReconciler, type ReconcileEnv } from '../../src/reconcilers/kind.js';

type Spec = { needs?: string; runsToReady?: number; fail?: boolean };
type Status = { conditions?: { type: string; status: string; message: string }[]; runs?: number };

const ready = (message: string) => [{ type: 'Ready', status: 'True', message }];

/** A kind whose objects become Ready after a number of runs, once what they need is Ready. */
const thing: KindReconciler<Spec, Status> = {
  kind: 'Thing',
  references: (spec) => (spec.needs ? [{ kind: 'Thing', name: spec.needs, path: 'spec.needs' }] : []),
  async reconcile(object, env) {
    const runs = (object.status?.runs ?? 0) + 1;
    if (object.spec.fail) return { status: { runs }, next: { kind: 'stalled', error: new TerminalError('broken') }, actions: [] };
    if (object.spec.needs && !env.lookup('Thing', object.spec.needs)?.ready) return { status: { runs }, next: { kind: 'requeue', afterMs: 5 }, actions: [] };
    if (runs < (object.spec.runsToReady ?? 1)) return { status: { runs }, next: { kind: 'requeue', afterMs: 5 }, actions: [] };
    return { status: { runs, conditions: ready('ok') }, next: { kind: 'done' }, actions: [`made ${object.metadata.name}`] };
  },
  async finalize(object) {
    return { status: { ...object.status }, next: { kind: 'done' }, actions: [`removed ${object.metadata.name}`] };
  },
};

const object = (name: string, spec: Spec): EngineObject => ({ kind: 'Thing', namespace: 'ns', name, object: { metadata: { name, namespace: 'ns' }, spec } });

function engine(events: StatusReport[]): Engine {
  return new Engine({
    reconcilers: [thing as unknown as KindReconciler<never, never>],
    concurrency: 4,
    envFor: (_o, lookup) => ({ lookup, settings: DEFAULT_SETTINGS, now: () => new Date() }) as unknown as ReconcileEnv,
    sink: { report: (r) => Promise.resolve(void events.push(r)) },
  });
}

describe('Engine', () => {
  test('a dependent becomes Ready only after what it references', async () => {
    const events: StatusReport[] = [];
    const states = await engine(events).apply([object('app', { needs: 'db' }), object('db', { runsToReady: 3 })], 5000);
    expect(Object.fromEntries(states)).toEqual({ 'Thing/ns/app': 'ready', 'Thing/ns/db': 'ready' });
    const made = events.flatMap((e) => e.actions);
    expect(made).toEqual(['made db', 'made app']);
  });

  test('a stalled object stalls alone, and the run ends at the deadline with what is still pending', async () => {
    const states = await engine([]).apply([object('broken', { fail: true }), object('slow', { runsToReady: 1_000_000 }), object('fine', {})], 300);
    expect(Object.fromEntries(states)).toEqual({ 'Thing/ns/broken': 'stalled', 'Thing/ns/slow': 'pending', 'Thing/ns/fine': 'ready' });
  });

  // The deadline is an hour: the run ends long before it, or the test times out.
  test('once everything still pending waits on a stalled object, the run ends at once, each waiting object stalled and naming it', async () => {
    const waiting = object('waiting', { needs: 'middle' });
    const events: StatusReport[] = [];
    const states = await engine(events).apply([object('broken', { fail: true }), object('middle', { needs: 'broken' }), waiting, object('fine', {})], 3_600_000);
    expect(Object.fromEntries(states)).toEqual({ 'Thing/ns/broken': 'stalled', 'Thing/ns/middle': 'stalled', 'Thing/ns/waiting': 'stalled', 'Thing/ns/fine': 'ready' });
    expect(waiting.object.status!.conditions).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'Stalled', status: 'True', reason: 'DependencyNotReady', message: 'Waits on what will not become ready in this run: Thing/ns/broken is stalled' }),
    ]));
    expect(events.filter((e) => e.object === waiting.object).at(-1)?.state).toBe('stalled');
  });

  test('a suspended object is not reconciled and says so; a dependent of it cannot become ready, and the run ends', async () => {
    const paused = object('db', {});
    (paused.object.spec as Record<string, unknown>).suspend = true;
    const events: StatusReport[] = [];
    const states = await engine(events).apply([paused, object('app', { needs: 'db' })], 3_600_000);
    expect(Object.fromEntries(states)).toEqual({ 'Thing/ns/db': 'suspended', 'Thing/ns/app': 'stalled' });
    expect(events.flatMap((e) => e.actions)).toEqual([]);
    expect(paused.object.status!.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Suspended' })]);
  });

  test('deletion goes dependents first', async () => {
    const events: StatusReport[] = [];
    const states = await engine(events).delete([object('db', {}), object('app', { needs: 'db' }), object('cache', { needs: 'app' })], 5000);
    expect([...states.values()].every((s) => s === 'deleted')).toBe(true);
    expect(events.flatMap((e) => e.actions)).toEqual(['removed cache', 'removed app', 'removed db']);
  });
});
