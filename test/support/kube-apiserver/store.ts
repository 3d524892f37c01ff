/**
 * The object store: every object of every resource under one global, increasing resourceVersion, with a
 * bounded history of changes that watches replay from. A watch from a resourceVersion older than the
 * history reaches back is answered "410 Gone", as the apiserver's watch cache does.
 */
import type { KubeObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: WatchEventType;
  /** `group/plural` */
  resource: string;
  object: KubeObject;
  /** The object before a MODIFIED event, so selector watches can tell objects entering and leaving. */
  previous?: KubeObject;
  rv: number;
}

export interface Subscriber {
  resource: string;
  namespace?: string;
  send(event: StoredEvent): void;
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoredEvent[] = [];
  /** The newest resourceVersion whose event has fallen out of the history. */
  private compactedRv = 1;
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly historyLimit: number) {}

  currentRv(): string {
    return String(this.rv);
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(resource)?.get(key(namespace, name));
  }

  /** Objects of a resource, in namespace/name order, as the apiserver lists them. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return all.map(([, o]) => o).filter((o) => namespace === undefined || o.metadata.namespace === namespace);
  }

  /** Stores a new or changed object under a fresh resourceVersion and tells the watchers. */
  put(resource: string, object: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.rv) } };
    let byKey = this.objects.get(resource);
    if (!byKey) this.objects.set(resource, (byKey = new Map()));
    const k = key(stored.metadata.namespace, stored.metadata.name ?? '');
    const previous = byKey.get(k);
    byKey.set(k, stored);
    this.record({ type, resource, object: stored, previous, rv: this.rv });
    return stored;
  }

  remove(resource: string, object: KubeObject): KubeObject {
    this.objects.get(resource)?.delete(key(object.metadata.namespace, object.metadata.name ?? ''));
    const gone: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.rv) } };
    this.record({ type: 'DELETED', resource, object: gone, rv: this.rv });
    return gone;
  }

  /**
   * The events after `fromRv` for a resource, or undefined when the history no longer reaches back that
   * far (the caller answers 410 Gone).
   */
  since(resource: string, fromRv: number, namespace?: string): StoredEvent[] | undefined {
    if (fromRv < this.compactedRv) return undefined;
    return this.history.filter((e) => e.rv > fromRv && e.resource === resource && (namespace === undefined || e.object.metadata.namespace === namespace));
  }

  /** The oldest resourceVersion a watch may still start from. */
  oldestWatchableRv(): number {
    return this.compactedRv;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  reset(keep: (resource: string, object: KubeObject) => boolean): void {
    for (const [resource, byKey] of this.objects) {
      for (const [k, object] of byKey) if (!keep(resource, object)) byKey.delete(k);
    }
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  private record(event: StoredEvent): void {
    this.history.push(event);
    while (this.history.length > this.historyLimit) this.compactedRv = this.history.shift()!.rv;
    for (const s of this.subscribers) {
      if (s.resource === event.resource && (s.namespace === undefined || s.namespace === event.object.metadata.namespace)) s.send(event);
    }
  }
}
