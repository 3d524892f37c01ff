/**
 * One controller per kind: the engine's work queue of `namespace/name` keys, and a reconcile that
 * reads the object from the informer cache and runs a short outer pipeline around the kind's
 * reconciler: gone → forget; deleting → wait for the objects that still use it, finalize, drop the
 * finalizer; otherwise run the object as every source does (`applyOnce`: an invalid object is Stalled
 * and a suspended one left alone, with no AWS call), adding the finalizer before any AWS call and
 * marking a new generation as in progress, and report to the cluster's status sink: one status write
 * and the Events for what changed.
 */
import { ConditionType, FINALIZER, type Condition } from '../../api/meta.js';
import { Controller } from '../../engine/controller.js';
import { applyOnce, deleteOnce, isSuspended, resultOf, type ReconcileResult } from '../../engine/contract.js';
import type { SourceObject } from '../../engine/status.js';
import { markReconciling, Reason } from '../../reconcilers/conditions.js';
import { TransientError } from '../../reconcilers/errors.js';
import type { KindReconciler, ReconcileEnv } from '../../reconcilers/kind.js';
import type { Logger } from '../../observability/log.js';
import type { OperatorMetrics } from '../../observability/metrics.js';
import { KubeApiError, MERGE_PATCH, type KubeClient, type KubeObject } from './client.js';
import type { EventRecorder } from './events.js';
import { objectKey, objectPath, slimObject, splitKey } from './resources.js';
import { parseRefKey, type ReferenceIndex } from './references.js';
import { ClusterSink, kubeWrite } from './status-sink.js';

type Status = Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };
type AnyReconciler = KindReconciler<Record<string, unknown>, Record<string, unknown>>;
/** An object of a watched kind: spec and status as the reconcilers read them. */
type Held = KubeObject & SourceObject;

/** The objects of every kind the operator watches, as its informers hold them. */
export interface ObjectCache {
  get(kind: string, namespace: string, name: string): KubeObject | undefined;
}

export interface KindControllerOptions {
  reconciler: AnyReconciler;
  client: KubeClient;
  cache: ObjectCache;
  references: ReferenceIndex;
  events: EventRecorder;
  /** The reconcile environment of one object (AWS clients, owner, secrets, lookups). */
  envFor(object: KubeObject): ReconcileEnv;
  concurrency: number;
  /** How often an object that is done is looked at again (AWS may have drifted); jittered ±10%. */
  resyncMs: number;
  pollMs: number;
  metrics?: OperatorMetrics;
  logger?: Logger;
  random?: () => number;
  /** Aborted when the lease is lost: no status is written after that. */
  signal?: AbortSignal;
}

const statusOf = (object: KubeObject): Status => (object.status ?? {}) as Status;

/** The resourceVersion as a number when it is one (etcd's are), to tell which of two copies is newer. */
function revision(object: KubeObject): number {
  const n = Number(object.metadata.resourceVersion);
  return Number.isSafeInteger(n) ? n : -1;
}

export class KindController {
  readonly kind: string;
  private readonly controller: Controller;
  /** The object as our last write left it, until the informer has caught up with it. */
  private readonly written = new Map<string, KubeObject>();
  private readonly sink: ClusterSink;

  constructor(private readonly options: KindControllerOptions) {
    this.kind = options.reconciler.kind;
    this.sink = new ClusterSink({ kind: this.kind, client: options.client, events: options.events, metrics: options.metrics, onWritten: (o) => this.wrote(o), signal: options.signal });
    this.controller = new Controller(
      { reconcile: (key, reconcileId) => this.reconcile(key, reconcileId) },
      {
        concurrency: options.concurrency,
        backoff: { baseMs: 500, maxMs: 5 * 60_000, jitter: 0.2 },
        logger: options.logger,
        fieldsOf: (key) => ({ kind: this.kind, object: key }),
        onOutcome: (_key, outcome, durationMs) => {
          options.metrics?.reconcileFinished(this.controllerName, outcome, durationMs / 1000);
          if (outcome === 'transient') options.metrics?.queueRetried(this.controllerName);
        },
      },
    );
  }

  get controllerName(): string {
    return this.kind.toLowerCase();
  }

  get queueDepth(): number {
    return this.controller.queue.depth;
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  enqueue(namespace: string, name: string): void {
    this.options.metrics?.queueAdded(this.controllerName);
    this.controller.queue.add(objectKey(namespace, name));
  }

  /** The informer has brought this copy in: a write of ours it includes need not be kept any more. */
  caughtUp(object: KubeObject): void {
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    const mine = this.written.get(key);
    if (mine && (mine.metadata.uid !== object.metadata.uid || revision(mine) <= revision(object))) this.written.delete(key);
  }

  /** The object as the cache has it, or as our last write left it when that is newer. */
  private current(namespace: string, name: string): Held | undefined {
    const key = objectKey(namespace, name);
    const cached = this.options.cache.get(this.kind, namespace, name);
    const mine = this.written.get(key);
    if (!cached || !mine || mine.metadata.uid !== cached.metadata.uid || revision(mine) <= revision(cached)) {
      this.written.delete(key);
      return cached as Held | undefined;
    }
    return mine as Held;
  }

  private async reconcile(key: string, reconcileId: number): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const object = this.current(namespace, name);
    if (!object) {
      this.options.metrics?.forgetObject(this.kind, namespace, name);
      return {};
    }
    if (object.metadata.deletionTimestamp) return this.finalize(key, object, reconcileId);
    const outcome = await applyOnce(this.options.reconciler, object, this.options.envFor(object), this.sink, (o) => this.beforeWork(o));
    this.logActions(key, reconcileId, outcome.actions);
    // A stalled object is not retried until it changes, except by the resync: AWS or IAM may be fixed out of band.
    if (outcome.next.kind === 'stalled') this.controller.queue.addAfter(key, this.resyncDelay());
    return resultOf(outcome.next, isSuspended(object.spec) ? {} : { requeueAfterMs: this.resyncDelay() });
  }

  /**
   * A deleting object: its AWS resources go once no object still references it (dependents first),
   * then the finalizer is dropped. A delete AWS refuses is reported in status and retried.
   */
  private async finalize(key: string, object: Held, reconcileId: number): Promise<ReconcileResult> {
    if (!object.metadata.finalizers?.includes(FINALIZER)) return {};
    const { namespace, name } = splitKey(key);
    const users = this.options.references.dependentsOf(this.kind, namespace, name).filter((ref) => {
      const r = parseRefKey(ref);
      return this.options.cache.get(r.kind, r.namespace, r.name) !== undefined;
    });
    if (users.length > 0) {
      const status = statusOf(object);
      const names = users.map((ref) => { const r = parseRefKey(ref); return `${r.kind} ${r.name}`; }).join(', ');
      const conditions = markReconciling(status.conditions ?? [], Reason.Deleting, `Waiting for ${names}, which still reference${users.length === 1 ? 's' : ''} this ${this.kind}, to be deleted first`, object.metadata.generation, new Date());
      await this.sink.write(object, { ...status, conditions });
      return { requeueAfterMs: this.options.pollMs };
    }
    const { next, actions } = await deleteOnce(this.options.reconciler, object, this.options.envFor(object), this.sink);
    this.logActions(key, reconcileId, actions);
    // A stuck delete stays visible in status and is tried again, with backoff: the object cannot go before its resources.
    if (next.kind !== 'done') return resultOf(next.kind === 'stalled' ? { kind: 'retry', error: next.error } : next);
    await this.setFinalizers(object, object.metadata.finalizers.filter((f) => f !== FINALIZER)).catch((error: unknown) => {
      const gone = error instanceof TransientError && error.cause instanceof KubeApiError && error.cause.code === 404;
      if (!gone) throw error;
    });
    this.options.metrics?.forgetObject(this.kind, namespace, name);
    return {};
  }

  private resyncDelay(): number {
    const random = this.options.random ?? Math.random;
    return Math.round(this.options.resyncMs * (0.9 + 0.2 * random()));
  }

  /** The finalizer goes on before any AWS call, and the first look at a new generation says so at once. */
  private async beforeWork(object: Held): Promise<Held> {
    const held = object.metadata.finalizers?.includes(FINALIZER) ? object : await this.setFinalizers(object, [...(object.metadata.finalizers ?? []), FINALIZER]);
    return this.markInProgress(held);
  }

  /** The first look at a new generation says so at once: Ready False, Reconciling True. */
  private markInProgress(object: Held): Promise<Held> {
    const status = statusOf(object);
    const generation = object.metadata.generation;
    const ready = status.conditions?.find((c) => c.type === ConditionType.Ready);
    if (status.observedGeneration === generation || ready?.observedGeneration === generation) return Promise.resolve(object);
    const conditions = markReconciling(status.conditions ?? [], Reason.Progressing, `Reconciling generation ${generation}`, generation, new Date());
    return this.sink.write(object, { ...status, conditions });
  }

  /** The finalizers set, guarded by the resourceVersion so a concurrent change is never overwritten. */
  private async setFinalizers(object: Held, finalizers: string[]): Promise<Held> {
    const path = objectPath(this.kind, object.metadata.namespace ?? '', object.metadata.name);
    const body = { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } };
    const updated = await kubeWrite(() => this.options.client.request<Held>('PATCH', path, { body, contentType: MERGE_PATCH }));
    this.wrote(updated);
    return updated;
  }

  private wrote(object: KubeObject): void {
    this.written.set(objectKey(object.metadata.namespace, object.metadata.name), slimObject(object));
  }

  private logActions(key: string, reconcileId: number, actions: string[]): void {
    if (actions.length > 0) this.options.logger?.info('Changed AWS', { kind: this.kind, object: key, reconcileId, actions });
  }
}
