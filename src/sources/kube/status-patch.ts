/**
 * A status write is one JSON merge patch to the status subresource carrying only what changed: a
 * field that is gone is sent as null, a changed list (conditions, endpoints) whole. Nothing changed,
 * nothing is sent, so a resync that finds AWS as it was writes nothing to Kubernetes either.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    return keys.length === Object.keys(b).filter((k) => b[k] !== undefined).length && keys.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The merge patch that turns `before` into `after`; undefined when they are equal. */
export function mergePatchOf(before: unknown, after: unknown): Json | undefined {
  if (jsonEqual(before, after)) return undefined;
  if (!isRecord(before) || !isRecord(after)) return (after ?? null) as Json;
  const patch: Record<string, Json> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (after[key] === undefined) {
      if (before[key] !== undefined) patch[key] = null;
      continue;
    }
    const child = mergePatchOf(before[key], after[key]);
    if (child !== undefined) patch[key] = child;
  }
  return patch;
}

/** A status as Kubernetes stores it: no undefined members (JSON has none). */
export function plainStatus(status: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(status)) as Record<string, unknown>;
}
