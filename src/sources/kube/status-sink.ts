/**
 * The cluster's status sink: a run's report becomes one merge patch of the status subresource (only
 * what changed; nothing when nothing did) and the Events it calls for. A finished delete writes no
 * status (the object is about to go) and says what was deleted.
 */
import { Annotation, type Condition } from '../../api/meta.js';
import { isSuspended } from '../../engine/contract.js';
import type { SourceObject, StatusReport, StatusSink } from '../../engine/status.js';
import { TransientError } from '../../reconcilers/errors.js';
import type { OperatorMetrics } from '../../observability/metrics.js';
import { MERGE_PATCH, type KubeClient, type KubeObject } from './client.js';
import { eventsFor, EventReason, type EventRecorder } from './events.js';
import { objectPath } from './resources.js';
import { mergePatchOf, plainStatus } from './status-patch.js';

export interface ClusterSinkOptions {
  kind: string;
  client: KubeClient;
  events: EventRecorder;
  metrics?: OperatorMetrics;
  /** Told of every object a write returned, which is newer than the informer's copy until it catches up. */
  onWritten(object: KubeObject): void;
  /** Once aborted (the lease is lost), nothing more is written or recorded: the next leader reports. */
  signal?: AbortSignal;
}

function isOnlySyncTime(patch: unknown): boolean {
  return typeof patch === 'object' && patch !== null && Object.keys(patch).length === 1 && 'lastSyncedAt' in patch;
}

/** A refused write (a conflict, a throttle, an outage) is retried with the whole reconcile, not here. */
export async function kubeWrite<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new TransientError(`Kubernetes refused a write: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

type Held = KubeObject & SourceObject;

export class ClusterSink implements StatusSink<Held> {
  constructor(private readonly options: ClusterSinkOptions) {}

  async report({ object, status, actions, state }: StatusReport<Held>): Promise<void> {
    const { kind, events, signal } = this.options;
    if (signal?.aborted) return;
    if (state === 'deleted') {
      await events.record(kind, object, actions.length > 0 ? eventsFor(undefined, {}, actions) : [{ type: 'Normal', reason: EventReason.Deleted, note: 'nothing left to delete in AWS' }]);
      return;
    }
    const requestedAt = object.metadata.annotations?.[Annotation.requestedAt];
    const next = requestedAt ? { ...status, lastHandledReconcileAt: requestedAt } : status;
    const after = await this.write(object, next);
    await events.record(kind, after, eventsFor(object.status, next, actions));
  }

  /** Writes a status that ends no run (work has begun, a delete waits for others): no Events. */
  async write<O extends KubeObject>(object: O, status: Record<string, unknown>): Promise<O> {
    if (this.options.signal?.aborted) return object;
    const next = plainStatus(status);
    this.options.metrics?.setObjectConditions(this.options.kind, object.metadata.namespace ?? '', object.metadata.name, (next.conditions ?? []) as Condition[], isSuspended(object.spec));
    const patch = mergePatchOf(object.status ?? {}, next);
    // A resync that found AWS as it was changes only the time it looked: not worth a write per object.
    if (patch === undefined || isOnlySyncTime(patch)) return object;
    const path = objectPath(this.options.kind, object.metadata.namespace ?? '', object.metadata.name, 'status');
    const updated = await kubeWrite(() => this.options.client.request<O>('PATCH', path, { body: { status: patch }, contentType: MERGE_PATCH }));
    this.options.onWritten(updated);
    return updated;
  }
}
