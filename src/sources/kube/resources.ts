/** Where each kind lives in the Kubernetes API, and the keys objects are known by. */
import { GROUP, VERSION } from '../../api/meta.js';
import { KINDS, kindInfo } from '../../api/kinds.js';

/** The objects an operator deployment watches: every namespace, or a list of them; optionally only those with matching labels. */
export interface WatchScope {
  namespaces?: string[];
  labelSelector?: string;
}

export const RECONCILED_KINDS = KINDS.map((k) => k.kind);

/** The collection path of a kind: cluster-wide, or in one namespace. */
export function collectionPath(kind: string, namespace?: string): string {
  const info = kindInfo(kind);
  if (!info) throw new Error(`unknown kind ${kind}`);
  return `/apis/${GROUP}/${VERSION}/${namespace ? `namespaces/${namespace}/` : ''}${info.plural}`;
}

export function objectPath(kind: string, namespace: string, name: string, subresource?: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

export function secretsPath(namespace?: string): string {
  return namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets';
}

/** The collections to watch for a scope: one cluster-wide, or one per listed namespace. */
export function scopedPaths(scope: WatchScope, pathOf: (namespace?: string) => string): string[] {
  return scope.namespaces?.length ? scope.namespaces.map((ns) => pathOf(ns)) : [pathOf()];
}

/** `namespace/name`, the queue key of an object within its kind. */
export const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * An object as the operator keeps it in memory: without managedFields and kubectl's copy of the last
 * applied manifest, which nothing here reads and which would double the cache.
 */
export function slimObject<T extends { metadata: { annotations?: Record<string, string>; managedFields?: unknown } }>(object: T): T {
  const { managedFields: _managed, ...metadata } = object.metadata;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return { ...object, metadata };
}
