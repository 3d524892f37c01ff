/**
 * Watch streams: newline-delimited JSON events from a resourceVersion, with BOOKMARKs, initial events,
 * `timeoutSeconds`, and the apiserver's "410 Gone" answer when the history no longer reaches back.
 */
import type { ServerResponse } from 'node:http';
import type { ObjectStore, StoredEvent } from './store.js';
import type { KubeObject } from './types.js';

export interface WatchRequest {
  resource: string;
  namespace?: string;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  matches(object: KubeObject): boolean;
  /** The object as the client asked to see it (its served version, or a Table row). */
  render(object: KubeObject): unknown;
  /** apiVersion and kind for BOOKMARK objects. */
  bookmarkKind: { apiVersion: string; kind: string };
  bookmarkIntervalMs: number;
  /** Answer with "410 Gone" whatever the resourceVersion (an injected fault). */
  forceGone: boolean;
}

export interface OpenWatch {
  /** Ends the stream as a server restart or a load balancer would: cleanly, or by cutting the connection. */
  drop(abrupt: boolean): void;
}

export function serveWatch(res: ServerResponse, request: WatchRequest, store: ObjectStore, onClose: () => void): OpenWatch {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  // The apiserver sends the headers at once; a client waits for them before it counts the watch as open.
  res.flushHeaders();
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  const finish = () => {
    for (const t of timers) clearInterval(t);
    unsubscribe();
    onClose();
  };
  res.on('close', finish);
  const watch: OpenWatch = {
    drop(abrupt) {
      if (abrupt) res.socket?.destroy();
      else res.end();
    },
  };

  const fromRv = request.resourceVersion ? Number(request.resourceVersion) : 0;
  const replay = fromRv > 0 && !request.sendInitialEvents ? store.since(request.resource, fromRv, request.namespace) : [];
  if (request.forceGone || replay === undefined || Number.isNaN(fromRv)) {
    write('ERROR', {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${request.resourceVersion ?? ''} (${store.oldestWatchableRv()})`,
      reason: 'Expired',
      code: 410,
    });
    res.end();
    return watch;
  }

  const deliver = (event: StoredEvent) => {
    const now = request.matches(event.object);
    const before = event.type === 'MODIFIED' && event.previous ? request.matches(event.previous) : event.type !== 'ADDED' && now;
    if (event.type === 'MODIFIED') {
      if (now && before) write('MODIFIED', request.render(event.object));
      else if (now) write('ADDED', request.render(event.object));
      else if (before) write('DELETED', request.render(event.object));
    } else if (now) {
      write(event.type, request.render(event.object));
    }
  };
  unsubscribe = store.subscribe({ resource: request.resource, namespace: request.namespace, send: deliver });

  if (fromRv === 0 || request.sendInitialEvents) {
    for (const object of store.list(request.resource, request.namespace)) if (request.matches(object)) write('ADDED', request.render(object));
    if (request.sendInitialEvents && request.allowBookmarks) {
      write('BOOKMARK', {
        ...request.bookmarkKind,
        metadata: { resourceVersion: store.currentRv(), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
  } else {
    for (const event of replay) deliver(event);
  }

  if (request.allowBookmarks) {
    const bookmark = () => write('BOOKMARK', { ...request.bookmarkKind, metadata: { resourceVersion: store.currentRv() } });
    timers.push(setInterval(bookmark, request.bookmarkIntervalMs).unref());
  }
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    timers.push(setTimeout(() => res.end(), request.timeoutSeconds * 1000).unref());
  }
  return watch;
}
