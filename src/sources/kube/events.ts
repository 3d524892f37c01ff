/**
 * Kubernetes Events (events.k8s.io/v1) for what changed, never for a reconcile that changed nothing:
 * AWS resources created, updated or deleted, a new runtime version, an endpoint moved, drift
 * corrected, and failures. Notes come from the reconcilers' action words and condition messages,
 * which never carry secret values. A repeat of the same event for the same object within the
 * de-duplication window is dropped, so a failure retried every few seconds is one Event, not hundreds.
 */
import { randomBytes } from 'node:crypto';
import { API_VERSION, ConditionType, type Condition } from '../../api/meta.js';
import type { KubeClient, KubeObject } from './client.js';

export const EventReason = {
  Created: 'Created',
  Updated: 'Updated',
  NewVersion: 'NewVersion',
  EndpointMoved: 'EndpointMoved',
  DriftCorrected: 'DriftCorrected',
  Deleted: 'Deleted',
  Failed: 'Failed',
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

export interface OperatorEvent {
  type: 'Normal' | 'Warning';
  reason: EventReason;
  note: string;
}

interface StatusLike {
  conditions?: Condition[];
  version?: string;
}

const stalledOf = (status: StatusLike | undefined) => status?.conditions?.find((c) => c.type === ConditionType.Stalled && c.status === 'True');

function reasonOfAction(action: string): EventReason | undefined {
  if (action.startsWith('created ')) return EventReason.Created;
  if (action.startsWith('moved endpoint ')) return EventReason.EndpointMoved;
  if (action.startsWith('corrected drift ')) return EventReason.DriftCorrected;
  if (action.startsWith('deleted ')) return EventReason.Deleted;
  if (/^(updated|tagged|untagged|detached|attached|put|replaced) /.test(action)) return EventReason.Updated;
  return undefined;
}

/** The events one reconcile calls for, from the status before and after it and what it did. */
export function eventsFor(before: StatusLike | undefined, after: StatusLike, actions: string[]): OperatorEvent[] {
  const events: OperatorEvent[] = [];
  for (const action of actions) {
    const reason = reasonOfAction(action);
    if (reason) events.push({ type: 'Normal', reason, note: action });
  }
  if (before?.version !== undefined && after.version !== undefined && before.version !== after.version) {
    events.push({ type: 'Normal', reason: EventReason.NewVersion, note: `runtime version ${after.version} (was ${before.version})` });
  }
  const stalled = stalledOf(after);
  if (stalled && stalled.message !== stalledOf(before)?.message) events.push({ type: 'Warning', reason: EventReason.Failed, note: `${stalled.reason}: ${stalled.message}` });
  return events;
}

const MAX_NOTE = 1024;

export interface EventRecorderOptions {
  client: KubeClient;
  /** reportingController and reportingInstance of every event. */
  controller: string;
  instance: string;
  dedupeWindowMs?: number;
  now?: () => number;
  onEmitted?(event: OperatorEvent): void;
  onError?(error: unknown): void;
}

/** Writes events about objects; a failure to write one is reported and otherwise ignored. */
export class EventRecorder {
  private readonly recent = new Map<string, number>();
  private sweptAt = 0;

  constructor(private readonly options: EventRecorderOptions) {}

  async record(kind: string, object: KubeObject, events: OperatorEvent[]): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const window = this.options.dedupeWindowMs ?? 5 * 60_000;
    // Expired keys are swept once a window, not on every record: thousands of objects created at once would make it quadratic.
    if (now - this.sweptAt > window) {
      for (const [key, at] of this.recent) if (now - at > window) this.recent.delete(key);
      this.sweptAt = now;
    }
    for (const event of events) {
      const key = `${object.metadata.uid}|${event.reason}|${event.note}`;
      const seen = this.recent.get(key);
      if (seen !== undefined && now - seen <= window) continue;
      this.recent.set(key, now);
      try {
        await this.options.client.request('POST', `/apis/events.k8s.io/v1/namespaces/${object.metadata.namespace}/events`, { body: this.eventObject(kind, object, event, now) });
        this.options.onEmitted?.(event);
      } catch (error) {
        this.recent.delete(key);
        this.options.onError?.(error);
      }
    }
  }

  private eventObject(kind: string, object: KubeObject, event: OperatorEvent, now: number) {
    const { name, namespace, uid, resourceVersion } = object.metadata;
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
      eventTime: new Date(now).toISOString().replace('Z', '000Z'),
      reportingController: this.options.controller,
      reportingInstance: this.options.instance,
      action: 'Reconcile',
      reason: event.reason,
      type: event.type,
      note: event.note.length > MAX_NOTE ? `${event.note.slice(0, MAX_NOTE - 3)}...` : event.note,
      regarding: { apiVersion: API_VERSION, kind, name, namespace, uid, resourceVersion },
    };
  }
}
