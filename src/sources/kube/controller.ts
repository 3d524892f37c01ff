/**
 * One controller per kind: the engine's work queue of `namespace/name` keys, and a reconcile that
 * reads the object from the informer cache and runs a short outer pipeline around the kind's
 * reconciler: gone → forget; deleting → wait for the objects that still use it, finalize, drop the
 * finalizer; suspended → say so; otherwise add the finalizer before any AWS call, mark a new
 * generation as in progress, reconcile, write the status once, and emit Events for what changed.
 */
import { Annotation, ConditionType, FINALIZER, type Condition } from '../../api/meta.js';
import { Controller } from '../../engine/controller.js';
import { markReconciling, markSuspended, Reason } from '../../reconcilers/conditions.js';
import { isSuspended, resultOf, type ReconcileResult } from '../../engine/contract.js';
import { TransientError } from '../../reconcilers/errors.js';
import type { KindReconciler, ObjectOf, Outcome, ReconcileEnv } from '../../reconcilers/kind.js';
import type { Logger } from '../../observability/log.js';
import type { OperatorMetrics } from '../../observability/metrics.js';
import { KubeApiError, MERGE_PATCH, type KubeClient, type KubeObject } from './client.js';
import { eventsFor, EventReason, type EventRecorder } from './events.js';
import { objectKey, objectPath, slimObject, splitKey } from './resources.js';
import { parseRefKey, type ReferenceIndex } from './references.js';
import { mergePatchOf, plainStatus } from './status-patch.js';

type Status = Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };
type AnyReconciler = KindReconciler<Record<string, unknown>, Status>;

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
}

const statusOf = (object: KubeObject): Status => (object.status ?? {}) as Status;

function isOnlySyncTime(patch: unknown): boolean {
  return typeof patch === 'object' && patch !== null && Object.keys(patch).length === 1 && 'lastSyncedAt' in patch;
}

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

  constructor(private readonly options: KindControllerOptions) {
    this.kind = options.reconciler.kind;
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
  private current(namespace: string, name: string): KubeObject | undefined {
    const key = objectKey(namespace, name);
    const cached = this.options.cache.get(this.kind, namespace, name);
    const mine = this.written.get(key);
    if (!cached || !mine || mine.metadata.uid !== cached.metadata.uid || revision(mine) <= revision(cached)) {
      this.written.delete(key);
      return cached;
    }
    return mine;
  }

  private async reconcile(key: string, reconcileId: number): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    let object = this.current(namespace, name);
    if (!object) {
      this.options.metrics?.forgetObject(this.kind, namespace, name);
      return {};
    }
    if (object.metadata.deletionTimestamp) return this.finalize(key, object, reconcileId);
    const status = statusOf(object);
    if (isSuspended(object.spec)) {
      await this.writeStatus(key, object, { ...status, conditions: markSuspended(status.conditions ?? [], object.metadata.generation, new Date()) });
      return {};
    }
    if (!object.metadata.finalizers?.includes(FINALIZER)) object = await this.setFinalizers(key, object, [...(object.metadata.finalizers ?? []), FINALIZER]);
    object = await this.markInProgress(key, object);
    const outcome = await this.options.reconciler.reconcile(this.engineObject(object), this.options.envFor(object));
    const requestedAt = object.metadata.annotations?.[Annotation.requestedAt];
    const next: Status = { ...outcome.status, ...(requestedAt ? { lastHandledReconcileAt: requestedAt } : {}) };
    // Stalled is a finished look at this generation (kstatus: Failed), not one still in progress.
    if (outcome.next.kind === 'stalled') next.observedGeneration = object.metadata.generation;
    const after = await this.writeStatus(key, object, next);
    await this.options.events.record(this.kind, after, eventsFor(statusOf(object), next, outcome.actions));
    this.logActions(key, reconcileId, outcome);
    return this.nextStep(key, outcome);
  }

  /**
   * A deleting object: its AWS resources go once no object still references it (dependents first),
   * then the finalizer is dropped. A delete AWS refuses is reported in status and retried.
   */
  private async finalize(key: string, object: KubeObject, reconcileId: number): Promise<ReconcileResult> {
    if (!object.metadata.finalizers?.includes(FINALIZER)) return {};
    const { namespace, name } = splitKey(key);
    const status = statusOf(object);
    const users = this.options.references.dependentsOf(this.kind, namespace, name).filter((ref) => {
      const r = parseRefKey(ref);
      return this.options.cache.get(r.kind, r.namespace, r.name) !== undefined;
    });
    if (users.length > 0) {
      const names = users.map((ref) => { const r = parseRefKey(ref); return `${r.kind} ${r.name}`; }).join(', ');
      const conditions = markReconciling(status.conditions ?? [], Reason.Deleting, `Waiting for ${names}, which still reference${users.length === 1 ? 's' : ''} this ${this.kind}, to be deleted first`, object.metadata.generation, new Date());
      await this.writeStatus(key, object, { ...status, conditions });
      return { requeueAfterMs: this.options.pollMs };
    }
    const outcome = await this.options.reconciler.finalize(this.engineObject(object), this.options.envFor(object));
    this.logActions(key, reconcileId, outcome);
    if (outcome.next.kind === 'done') {
      await this.options.events.record(this.kind, object, outcome.actions.length > 0 ? eventsFor(undefined, {}, outcome.actions) : [{ type: 'Normal', reason: EventReason.Deleted, note: 'nothing left to delete in AWS' }]);
      await this.setFinalizers(key, object, object.metadata.finalizers.filter((f) => f !== FINALIZER)).catch((error: unknown) => {
        const gone = error instanceof TransientError && error.cause instanceof KubeApiError && error.cause.code === 404;
        if (!gone) throw error;
      });
      this.options.metrics?.forgetObject(this.kind, namespace, name);
      return {};
    }
    const after = await this.writeStatus(key, object, outcome.status);
    await this.options.events.record(this.kind, after, eventsFor(status, outcome.status, outcome.actions));
    if (outcome.next.kind === 'requeue') return { requeueAfterMs: outcome.next.afterMs };
    // A stuck delete stays visible in status and is tried again, with backoff.
    throw new TransientError(outcome.next.error.message, outcome.next.error);
  }

  private nextStep(key: string, outcome: Outcome<Status>): ReconcileResult {
    // A stalled object is not retried until it changes, except by the resync: AWS or IAM may be fixed out of band.
    if (outcome.next.kind === 'stalled') this.controller.queue.addAfter(key, this.resyncDelay());
    return resultOf(outcome.next, { requeueAfterMs: this.resyncDelay() });
  }

  private resyncDelay(): number {
    const random = this.options.random ?? Math.random;
    return Math.round(this.options.resyncMs * (0.9 + 0.2 * random()));
  }

  /** The first look at a new generation says so at once: Ready False, Reconciling True. */
  private markInProgress(key: string, object: KubeObject): Promise<KubeObject> {
    const status = statusOf(object);
    const generation = object.metadata.generation;
    const ready = status.conditions?.find((c) => c.type === ConditionType.Ready);
    if (status.observedGeneration === generation || ready?.observedGeneration === generation) return Promise.resolve(object);
    const conditions = markReconciling(status.conditions ?? [], Reason.Progressing, `Reconciling generation ${generation}`, generation, new Date());
    return this.writeStatus(key, object, { ...status, conditions });
  }

  /** One merge patch to the status subresource with what changed; nothing when nothing did. */
  private async writeStatus(key: string, object: KubeObject, status: Record<string, unknown>): Promise<KubeObject> {
    const next = plainStatus(status);
    this.options.metrics?.setObjectConditions(this.kind, object.metadata.namespace ?? '', object.metadata.name, (next.conditions ?? []) as Condition[], isSuspended(object.spec));
    const patch = mergePatchOf(object.status ?? {}, next);
    // A resync that found AWS as it was changes only the time it looked: not worth a write per object.
    if (patch === undefined || isOnlySyncTime(patch)) return object;
    const path = objectPath(this.kind, object.metadata.namespace ?? '', object.metadata.name, 'status');
    const updated = await this.write(() => this.options.client.request<KubeObject>('PATCH', path, { body: { status: patch }, contentType: MERGE_PATCH }));
    this.written.set(key, slimObject(updated));
    return updated;
  }

  /** The finalizers set, guarded by the resourceVersion so a concurrent change is never overwritten. */
  private async setFinalizers(key: string, object: KubeObject, finalizers: string[]): Promise<KubeObject> {
    const path = objectPath(this.kind, object.metadata.namespace ?? '', object.metadata.name);
    const body = { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } };
    const updated = await this.write(() => this.options.client.request<KubeObject>('PATCH', path, { body, contentType: MERGE_PATCH }));
    this.written.set(key, slimObject(updated));
    return updated;
  }

  /** A refused write (a conflict, a throttle, an outage) is retried with the whole reconcile, not here. */
  private async write<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new TransientError(`Kubernetes refused a write: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  private engineObject(object: KubeObject): ObjectOf<Record<string, unknown>, Status> {
    return { metadata: object.metadata, spec: object.spec as Record<string, unknown>, status: statusOf(object) };
  }

  private logActions(key: string, reconcileId: number, outcome: Outcome<Status>): void {
    if (outcome.actions.length > 0) this.options.logger?.info('Changed AWS', { kind: this.kind, object: key, reconcileId, actions: outcome.actions });
  }
}
