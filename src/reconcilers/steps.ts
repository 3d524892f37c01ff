/**
 * Small pieces every kind's calls share: the states in which AWS is still working, the uid a call is
 * keyed with, idempotency tokens, and waiting on another object.
 */
import { createHash } from 'node:crypto';

/** The statuses in which AWS is still working on a resource: nothing to decide until it settles. */
export const TRANSITIONAL = new Set(['CREATING', 'UPDATING', 'DELETING']);

/** The uid calls and digests are keyed with; file mode has no uid, so the object's key stands in. */
export function uidOf(metadata: { uid?: string; namespace?: string; name: string }): string {
  return metadata.uid ?? `${metadata.namespace ?? 'default'}/${metadata.name}`;
}

/** A clientToken that is the same for a retry of one intended call, and different for any other call. */
export function clientToken(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Waiting for another object is a requeue with a reason, not an error. */
export class DependencyNotReady extends Error {}
