/**
 * Runs reconcilers over a set of objects until each is done (Ready), stalled, or the time is up.
 * Objects wait for the objects they reference by requeueing (never by holding a worker); deletion goes
 * level by level in reverse dependency order. The front end supplies the objects and reads their
 * status back; the engine knows nothing of files or clusters.
 */
import { kindInfo } from '../api/kinds.js';
import { ConditionType, type Condition } from '../api/meta.js';
import { awsNameOf } from '../api/names.js';
import { markStalled, Reason } from '../reconcilers/conditions.js';
import { TerminalError } from '../reconcilers/errors.js';
import { applyOnce, deleteOnce, resultOf } from './contract.js';
import type { KindReconciler, ObjectOf, ObjectPlan, ReconcileEnv, ReferencedObject } from '../reconcilers/kind.js';
import type { ObjectState, StatusReport, StatusSink } from './status.js';
import { Controller } from './controller.js';
import { blockedBy, dependencyLevels, type DependencyNode } from './dependencies.js';
import type { Logger } from '../observability/log.js';

export interface EngineObject {
  kind: string;
  namespace: string;
  name: string;
  object: ObjectOf<Record<string, unknown>, Record<string, unknown>>;
}

export type { ObjectState } from './status.js';

export interface EngineOptions {
  reconcilers: KindReconciler<never, never>[];
  /** The environment for one object: its owner, and the engine's lookup and secrets. */
  envFor(object: EngineObject, lookup: ReconcileEnv['lookup']): ReconcileEnv;
  concurrency: number;
  /** Told of every run's report, after the engine has kept the status on the object. */
  sink?: StatusSink;
  logger?: Logger;
}

export const keyOf = (o: { kind: string; namespace: string; name: string }) => `${o.kind}/${o.namespace}/${o.name}`;

function awsNameOfObject(o: EngineObject): string | undefined {
  const info = kindInfo(o.kind);
  return info && awsNameOf(info.awsName, o.object);
}

function readyOf(status: Record<string, unknown> | undefined): boolean {
  const conditions = (status?.conditions ?? []) as { type: string; status: string }[];
  return conditions.some((c) => c.type === ConditionType.Ready && c.status === 'True');
}

/** The report of an object that waits on stalled or suspended ones: stalled itself, naming them. */
function blockedReport(o: EngineObject, roots: EngineObject[], states: Map<string, ObjectState>): StatusReport {
  const why = roots.map((r) => {
    const ready = ((r.object.status?.conditions ?? []) as Condition[]).find((c) => c.type === ConditionType.Ready);
    return `${keyOf(r)} is ${states.get(keyOf(r))}${ready?.message ? ` (${ready.message})` : ''}`;
  });
  const status = o.object.status ?? {};
  const message = `Waits on what will not become ready in this run: ${why.join('; ')}`;
  const conditions = markStalled((status.conditions ?? []) as Condition[], Reason.DependencyNotReady, message, o.object.metadata.generation, new Date());
  return { kind: o.kind, object: o.object, status: { ...status, conditions }, actions: [], state: 'stalled' };
}

export class Engine {
  private readonly reconcilers: Map<string, KindReconciler<Record<string, unknown>, Record<string, unknown>>>;

  constructor(private readonly options: EngineOptions) {
    this.reconcilers = new Map(options.reconcilers.map((r) => [r.kind, r as unknown as KindReconciler<Record<string, unknown>, Record<string, unknown>>]));
  }

  /** The objects each object references, as dependency nodes (for ordering and for finding cycles). */
  dependencyNodes(objects: EngineObject[]): DependencyNode[] {
    return objects.map((o) => ({
      key: keyOf(o),
      dependsOn: (this.reconcilers.get(o.kind)?.references(o.object.spec) ?? []).map((r) => keyOf({ kind: r.kind, namespace: o.namespace, name: r.name })),
    }));
  }

  /** Reconciles every object until it is Ready or stalled, or until the deadline; returns each one's final state. */
  apply(objects: EngineObject[], timeoutMs: number, signal?: AbortSignal): Promise<Map<string, ObjectState>> {
    return this.run(objects, timeoutMs, signal, applyOnce);
  }

  /**
   * What apply would change, object by object, read from AWS without a write. Objects are planned in
   * dependency order, so a reference to an object that exists in AWS resolves to what was observed of
   * it.
   */
  async plan(objects: EngineObject[]): Promise<Map<string, ObjectPlan<Record<string, unknown>> | Error>> {
    const byKey = new Map(objects.map((o) => [keyOf(o), o]));
    const observed = new Map<string, Record<string, unknown>>();
    const lookupFor = (o: EngineObject) => (kind: string, name: string): ReferencedObject | undefined => {
      const key = keyOf({ kind, namespace: o.namespace, name });
      const target = byKey.get(key);
      if (!target) return undefined;
      const seen = observed.get(key);
      const awsName = awsNameOfObject(target);
      return seen ? { ready: true, status: { ...target.object.status, ...seen }, awsName } : { ready: readyOf(target.object.status), status: target.object.status ?? {}, awsName };
    };
    const results = new Map<string, ObjectPlan<Record<string, unknown>> | Error>();
    const planOne = async (o: EngineObject) => {
      const reconciler = this.reconcilers.get(o.kind);
      try {
        if (!reconciler?.plan) throw new Error(`planning ${o.kind} is not supported yet`);
        const plan = await reconciler.plan(o.object, this.options.envFor(o, lookupFor(o)));
        results.set(keyOf(o), plan);
        if (plan.observed) observed.set(keyOf(o), plan.observed);
      } catch (error) {
        results.set(keyOf(o), error instanceof Error ? error : new Error(String(error)));
      }
    };
    const order = dependencyLevels(this.dependencyNodes(objects));
    for (const level of order.ok ? order.levels : [objects.map(keyOf)]) {
      const queue = level.map((k) => byKey.get(k)!).filter(Boolean);
      const worker = async () => {
        for (let o = queue.shift(); o; o = queue.shift()) await planOne(o);
      };
      await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    }
    return new Map(objects.map((o) => [keyOf(o), results.get(keyOf(o))!]));
  }

  /** Removes the objects' AWS resources, dependents first. */
  async delete(objects: EngineObject[], timeoutMs: number, signal?: AbortSignal): Promise<Map<string, ObjectState>> {
    const order = dependencyLevels(this.dependencyNodes(objects));
    const levels = order.ok ? [...order.levels].reverse() : [objects.map(keyOf)];
    const byKey = new Map(objects.map((o) => [keyOf(o), o]));
    const deadline = Date.now() + timeoutMs;
    const states = new Map<string, ObjectState>();
    for (const level of levels) {
      if (signal?.aborted) break;
      const batch = level.map((k) => byKey.get(k)!).filter(Boolean);
      const done = await this.run(batch, Math.max(0, deadline - Date.now()), signal, deleteOnce, byKey);
      for (const [k, v] of done) states.set(k, v);
    }
    return states;
  }

  private run(
    objects: EngineObject[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
    step: typeof applyOnce,
    /** The objects a reference can resolve to: those of the run, or all those of a delete done level by level. */
    world: Map<string, EngineObject> = new Map(objects.map((o) => [keyOf(o), o])),
  ): Promise<Map<string, ObjectState>> {
    const byKey = new Map(objects.map((o) => [keyOf(o), o]));
    const states = new Map<string, ObjectState>(objects.map((o) => [keyOf(o), 'pending']));
    const lookupFor = (o: EngineObject) => (kind: string, name: string): ReferencedObject | undefined => {
      const target = world.get(keyOf({ kind, namespace: o.namespace, name }));
      return target ? { ready: readyOf(target.object.status), status: target.object.status ?? {}, awsName: awsNameOfObject(target) } : undefined;
    };
    // The engine keeps each status on its object, where references to it are looked up.
    const keep = (key: string): StatusSink => ({
      report: async (report) => {
        await this.options.sink?.report(report);
        report.object.status = report.status;
        states.set(key, report.state);
      },
    });
    return new Promise((resolve) => {
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        void controller.stop().then(() => resolve(states));
      };
      const nodes = this.dependencyNodes(objects);
      const running = new Set<string>();
      // Every object still pending waits on one that is stalled or suspended: none will get anywhere,
      // so the run ends now (once none of them is mid-run), each stalled with the root of its wait named.
      const failFast = async () => {
        const blocked = blockedBy(nodes, states);
        if (settled || blocked.size === 0 || [...blocked.keys()].some((k) => running.has(k))) return;
        if (blocked.size !== [...states.values()].filter((s) => s === 'pending').length) return;
        for (const [key, roots] of blocked) await keep(key).report(blockedReport(byKey.get(key)!, roots.map((r) => byKey.get(r)!), states));
        finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish);
      const controller = new Controller(
        {
          reconcile: async (key) => {
            const o = byKey.get(key)!;
            const reconciler = this.reconcilers.get(o.kind);
            if (!reconciler) throw new TerminalError(`No reconciler for kind ${o.kind}`);
            running.add(key);
            const outcome = await step(reconciler, o.object, this.options.envFor(o, lookupFor(o)), keep(key)).finally(() => running.delete(key));
            const state = states.get(key);
            if (state !== 'pending' && [...states.values()].every((s) => s !== 'pending')) finish();
            else if (step === applyOnce) await failFast();
            return resultOf(outcome.next);
          },
        },
        {
          concurrency: this.options.concurrency,
          backoff: { baseMs: 200, maxMs: 10_000, jitter: 0.2 },
          logger: this.options.logger,
          finishedLevel: 'info',
        },
      );
      controller.start();
      for (const o of objects) controller.queue.add(keyOf(o));
      if (objects.length === 0 || signal?.aborted) finish();
    });
  }
}
