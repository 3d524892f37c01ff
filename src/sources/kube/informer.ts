/**
 * An informer: one collection of the Kubernetes API (a resource in one namespace or all of them,
 * perhaps narrowed by a label selector) mirrored in memory by list-then-watch, with a handler told of
 * every change of the mirror.
 *
 * It is ours rather than @kubernetes/client-node's because that one stops on unexpected errors,
 * reconnects in a storm and can stall without a word. This one lists in pages, watches with bookmarks
 * from the last resourceVersion it saw, relists when the server's history no longer reaches back
 * ("410 Gone"), retries every failure with jittered exponential backoff, tears down a watch that has
 * gone silent, and relists now and then as a safety net.
 */
import { ItemBackoff, systemClock, type BackoffOptions, type Clock } from '../../engine/backoff.js';
import { KubeApiError, type KubeClient, type KubeList, type KubeObject, type Query, type WatchEvent } from './client.js';

export type RelistReason = 'gone' | 'periodic' | 'error';

/** Why the informer connects again: the server ended the watch, its history is gone, or a watch or list failed (a silent watch fails). */
export type ReconnectReason = 'ended' | 'gone' | 'error';

export type InformerEvent =
  | { type: 'listed'; objects: number; ms: number }
  | { type: 'reconnect'; reason: ReconnectReason; delayMs: number }
  | { type: 'relist'; reason: RelistReason }
  | { type: 'error'; error: unknown };

export interface InformerOptions<T extends KubeObject = KubeObject> {
  client: KubeClient;
  /** Collection path, e.g. /apis/agentcore.dev/v1alpha1/agentruntimes or /apis/agentcore.dev/v1alpha1/namespaces/ns1/agentruntimes or /api/v1/secrets */
  path: string;
  labelSelector?: string;
  /**
   * Applied to every object before it is cached and handed on (e.g. drop a Secret's data, keep a digest).
   * It must keep metadata: the cache is keyed by namespace and name and compares resourceVersions.
   */
  transform?(object: KubeObject): T;
  /** Called for every change of the cache: `current` undefined means deleted; `previous` undefined means new. Never called for a bookmark. Also called for every object after a relist whose resourceVersion changed or that vanished. */
  onChange(current: T | undefined, previous: T | undefined): void;
  /** List page size (limit/continue), default 500. */
  pageSize?: number;
  /** Periodic full relist as a safety net, default 10 min, with ±10% jitter. */
  relistIntervalMs?: number;
  /**
   * Silence watchdog: reconnect when nothing (not even a BOOKMARK) arrives for this long. By default the
   * watch's timeoutSeconds plus a minute: a real apiserver sends a quiet watch no bookmark until its
   * watch cache moves on, and ends it at timeoutSeconds, so only a dead connection stays silent longer.
   */
  idleTimeoutMs?: number;
  /** Server-side timeoutSeconds per watch; default random 300..600 like client-go. */
  watchTimeoutSeconds?: () => number;
  /** Reconnect backoff, default 1000 -> 30000 ms, jitter 0.5; reset after a watch delivered events or ran for a while before the server ended it. */
  backoff?: { baseMs: number; maxMs: number; jitter: number };
  /** For metrics and logs. */
  onStatus?(event: InformerEvent): void;
  random?: () => number;
  /** What its waits (backoff, periodic relist) and its timestamps are measured on; the system's by default. */
  clock?: Clock;
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_RELIST_INTERVAL_MS = 10 * 60_000;
const WATCH_SILENCE_GRACE_MS = 60_000;
export const watchSilenceTimeoutMs = (timeoutSeconds: number) => timeoutSeconds * 1000 + WATCH_SILENCE_GRACE_MS;
const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 30_000, jitter: 0.5 };
const RELIST_JITTER = 0.1;
const MIN_WATCH_TIMEOUT_SECONDS = 300;
/** The longest a watch with the default timeouts may stay silent before its watchdog reconnects. */
export const LONGEST_DEFAULT_SILENCE_MS = watchSilenceTimeoutMs(2 * MIN_WATCH_TIMEOUT_SECONDS);
/**
 * A watch the server ends after this long is a normal end (its timeoutSeconds), even without a word: a
 * real kube-apiserver sends a quiet collection no event, and no bookmark unless its watch cache moved
 * on. One that ends sooner without a word is a failure to back off from (client-go's "very short watch").
 */
const SHORT_WATCH_MS = 1000;

export class Informer<T extends KubeObject = KubeObject> {
  private cache = new Map<string, T>();
  private resourceVersion = '';
  private synced = false;
  /** Set when the next step must be a full list rather than a watch. */
  private relistDue: RelistReason | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private watchAbort: AbortController | undefined;
  private cancelRelist: (() => void) | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly backoff: ItemBackoff<string>;
  private readonly random: () => number;
  private readonly clock: Clock;
  private lastEventAtMs = 0;
  private reconnectCount = 0;
  private relistCount = 0;

  constructor(private readonly options: InformerOptions<T>) {
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
    const backoff: BackoffOptions = { ...(options.backoff ?? DEFAULT_BACKOFF), random: this.random };
    this.backoff = new ItemBackoff(backoff);
  }

  /** Lists then watches, in the background; never throws. Call it once. */
  start(): void {
    if (this.loop || this.stopping) return;
    this.loop = this.run();
  }

  /** Aborts the watch, clears the timers and resolves when the loop has ended (a list in flight is let finish). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelRelist?.();
    this.watchAbort?.abort();
    this.wakeUp?.();
    await this.loop;
  }

  /** True once the first full list is in the cache, and from then on. */
  hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(cacheKey(namespace, name));
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /** ms timestamp, on its clock, of the last event or bookmark (or list). */
  get lastEventAt(): number {
    return this.lastEventAtMs;
  }

  /** How often a watch or list ended or failed and the informer connected again. */
  get reconnects(): number {
    return this.reconnectCount;
  }

  /** How many full lists were made after the first one succeeded. */
  get relists(): number {
    return this.relistCount;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const delayMs = !this.synced || this.relistDue ? await this.listStep() : await this.watchStep();
      if (delayMs > 0 && !this.stopping) await this.sleep(delayMs);
    }
  }

  /** Lists the collection into the cache; answers how long to wait before the next step. */
  private async listStep(): Promise<number> {
    if (this.synced) {
      this.relistCount += 1;
      this.report({ type: 'relist', reason: this.relistDue ?? 'error' });
    }
    const startedAt = this.clock.now();
    try {
      const { items, resourceVersion } = await this.listAll();
      if (this.stopping) return 0;
      this.replaceCache(items);
      this.resourceVersion = resourceVersion;
      this.synced = true;
      this.relistDue = undefined;
      this.lastEventAtMs = this.clock.now();
      this.scheduleRelist();
      this.report({ type: 'listed', objects: items.length, ms: this.clock.now() - startedAt });
      return 0;
    } catch (error) {
      if (this.stopping) return 0;
      if (this.synced) this.relistDue = 'error';
      this.report({ type: 'error', error });
      return this.retryDelay('error');
    }
  }

  private async listAll(): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const items: KubeObject[] = [];
    let page: KubeList | undefined;
    do {
      try {
        page = await this.listPage(page?.metadata.continue);
      } catch (error) {
        // A continue token older than the server's history: list everything at once, as client-go's pager does.
        if (page?.metadata.continue && isGone(error)) return this.listUnpaged();
        throw error;
      }
      items.push(...page.items);
    } while (page.metadata.continue);
    return { items, resourceVersion: page.metadata.resourceVersion ?? '' };
  }

  private listPage(continueToken: string | undefined): Promise<KubeList> {
    const query: Query = { labelSelector: this.options.labelSelector, limit: this.options.pageSize ?? DEFAULT_PAGE_SIZE, continue: continueToken };
    return this.options.client.request<KubeList>('GET', this.options.path, { query });
  }

  private async listUnpaged(): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const list = await this.options.client.request<KubeList>('GET', this.options.path, { query: { labelSelector: this.options.labelSelector } });
    return { items: list.items, resourceVersion: list.metadata.resourceVersion ?? '' };
  }

  /** Makes the cache the listed objects and tells the handler what differs: new, changed and vanished objects. */
  private replaceCache(items: KubeObject[]): void {
    const fresh = new Map<string, T>();
    for (const item of items) {
      const object = this.transform(item);
      fresh.set(keyOf(object), object);
    }
    const changes: [T | undefined, T | undefined][] = [];
    for (const [key, previous] of this.cache) if (!fresh.has(key)) changes.push([undefined, previous]);
    for (const [key, current] of fresh) {
      const previous = this.cache.get(key);
      if (!previous || previous.metadata.resourceVersion !== current.metadata.resourceVersion) changes.push([current, previous]);
    }
    this.cache = fresh;
    for (const [current, previous] of changes) this.notify(current, previous);
  }

  /** Watches from the last resourceVersion until the watch ends; answers how long to wait before the next step. */
  private async watchStep(): Promise<number> {
    const abort = new AbortController();
    this.watchAbort = abort;
    let delivered = false;
    let failure: unknown;
    const timeoutSeconds = this.watchTimeoutSeconds();
    const query: Query = { labelSelector: this.options.labelSelector, allowWatchBookmarks: true, resourceVersion: this.resourceVersion, timeoutSeconds };
    const onEvent = (event: WatchEvent) => {
      this.apply(event);
      delivered = true;
    };
    const startedAt = this.clock.now();
    try {
      const idleTimeoutMs = this.options.idleTimeoutMs ?? watchSilenceTimeoutMs(timeoutSeconds);
      await this.options.client.watch(this.options.path, query, onEvent, { signal: abort.signal, idleTimeoutMs });
    } catch (error) {
      failure = error;
    } finally {
      this.watchAbort = undefined;
    }
    // Stopped, or ended by the periodic relist's timer.
    if (this.stopping || this.relistDue) return 0;
    const endedNormally = failure === undefined && (delivered || this.clock.now() - startedAt >= SHORT_WATCH_MS);
    if (delivered || endedNormally) this.backoff.forget(this.options.path);
    if (failure === undefined) return endedNormally ? this.reconnectNow() : this.retryDelay('ended');
    if (isGone(failure)) {
      this.relistDue = 'gone';
      return this.retryDelay('gone');
    }
    this.report({ type: 'error', error: failure });
    return this.retryDelay('error');
  }

  /** Brings one watch event into the cache; an ERROR event is thrown, which ends the watch. */
  private apply(event: WatchEvent): void {
    if (event.type === 'ERROR') throw statusError(event.object);
    if (event.type === 'DELETED') this.remove(event.object);
    else if (event.type !== 'BOOKMARK') this.upsert(event.object);
    this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
    this.lastEventAtMs = this.clock.now();
  }

  private upsert(raw: KubeObject): void {
    const current = this.transform(raw);
    const key = keyOf(current);
    const previous = this.cache.get(key);
    // A replay of what the cache already holds (a list page newer than the list's resourceVersion).
    if (previous && previous.metadata.resourceVersion === current.metadata.resourceVersion) return;
    this.cache.set(key, current);
    this.notify(current, previous);
  }

  private remove(raw: KubeObject): void {
    const key = keyOf(raw);
    const previous = this.cache.get(key);
    if (!previous) return;
    this.cache.delete(key);
    this.notify(undefined, previous);
  }

  private transform(object: KubeObject): T {
    return this.options.transform ? this.options.transform(object) : (object as T);
  }

  private notify(current: T | undefined, previous: T | undefined): void {
    try {
      this.options.onChange(current, previous);
    } catch (error) {
      // The handler's failure is its own; the cache has the change and the watch goes on.
      this.report({ type: 'error', error });
    }
  }

  private report(event: InformerEvent): void {
    try {
      this.options.onStatus?.(event);
    } catch {
      // A metrics or logging callback must not break the informer.
    }
  }

  private reconnectNow(): number {
    this.reconnectCount += 1;
    this.report({ type: 'reconnect', reason: 'ended', delayMs: 0 });
    return 0;
  }

  private retryDelay(reason: ReconnectReason): number {
    const delayMs = this.backoff.next(this.options.path);
    this.reconnectCount += 1;
    this.report({ type: 'reconnect', reason, delayMs });
    return delayMs;
  }

  private scheduleRelist(): void {
    this.cancelRelist?.();
    if (this.stopping) return;
    const intervalMs = this.options.relistIntervalMs ?? DEFAULT_RELIST_INTERVAL_MS;
    const jittered = intervalMs * (1 + (this.random() * 2 - 1) * RELIST_JITTER);
    this.cancelRelist = this.clock.after(jittered, () => {
      this.relistDue ??= 'periodic';
      this.watchAbort?.abort();
    });
  }

  private watchTimeoutSeconds(): number {
    if (this.options.watchTimeoutSeconds) return this.options.watchTimeoutSeconds();
    return MIN_WATCH_TIMEOUT_SECONDS + Math.floor(this.random() * (MIN_WATCH_TIMEOUT_SECONDS + 1));
  }

  /** Waits, unless stop() wakes it first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let cancel: (() => void) | undefined = undefined;
      const wake = () => {
        cancel?.();
        this.wakeUp = undefined;
        resolve();
      };
      cancel = this.clock.after(ms, wake);
      this.wakeUp = wake;
    });
  }
}

function cacheKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOf(object: KubeObject): string {
  return cacheKey(object.metadata.namespace, object.metadata.name);
}

function isGone(error: unknown): boolean {
  return error instanceof KubeApiError && error.code === 410;
}

/** The Status of an ERROR watch event as the error it stands for. */
function statusError(status: KubeObject): KubeApiError {
  const { code, reason, message } = status as { code?: number; reason?: string; message?: string };
  return new KubeApiError(code ?? 500, reason ?? 'Unknown', message ?? 'the watch ended with an ERROR event');
}
