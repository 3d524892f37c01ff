/**
 * Which changes of an object call for a reconcile. Our own status writes come back through the watch
 * and must not: only a new object, a new generation (a spec change), a deletion, a changed
 * restartedAt or requestedAt annotation, or a lost finalizer do. A referenced object matters to the
 * objects that use it only when what they read of it changes: its readiness and its status fields.
 */
import { Annotation, ConditionType, FINALIZER } from '../../api/meta.js';
import type { KubeObject } from './client.js';

const TRIGGER_ANNOTATIONS = [Annotation.restartedAt, Annotation.requestedAt];

export function needsReconcile(previous: KubeObject | undefined, current: KubeObject | undefined): boolean {
  if (!current) return false;
  if (!previous || previous.metadata.uid !== current.metadata.uid) return true;
  const [before, after] = [previous.metadata, current.metadata];
  if (before.generation !== after.generation) return true;
  if (!before.deletionTimestamp && after.deletionTimestamp) return true;
  if (TRIGGER_ANNOTATIONS.some((a) => before.annotations?.[a] !== after.annotations?.[a])) return true;
  return Boolean(before.finalizers?.includes(FINALIZER)) && !after.finalizers?.includes(FINALIZER) && !after.deletionTimestamp;
}

interface StatusLike {
  conditions?: { type: string; status: string }[];
  lastSyncedAt?: string;
  [field: string]: unknown;
}

export function isReady(object: KubeObject | undefined): boolean {
  const status = object?.status as StatusLike | undefined;
  return Boolean(status?.conditions?.some((c) => c.type === ConditionType.Ready && c.status === 'True'));
}

/** What an object that references this one reads of it: whether it exists and is ready, and its ids. */
export function referenceView(object: KubeObject | undefined): string {
  if (!object) return 'absent';
  const { conditions: _conditions, lastSyncedAt: _syncedAt, ...fields } = (object.status ?? {}) as StatusLike;
  return JSON.stringify([isReady(object), Boolean(object.metadata.deletionTimestamp), fields]);
}

/** The names of the Kubernetes Secrets a spec reads (every `secretKeyRef`, however deep). */
export function referencedSecrets(spec: unknown): string[] {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const name = (child as { name?: unknown } | null)?.name;
      if (key === 'secretKeyRef' && typeof name === 'string') names.add(name);
      else walk(child);
    }
  };
  walk(spec);
  return [...names].sort();
}
