/**
 * The informer against the real kube-apiserver, watching ConfigMaps in a namespace of each test's own:
 * the cache and the handler's calls through paged lists, bookmarks, watches that end or are cut, "410
 * Gone", failing and refusing servers, silent watches, periodic relists and stop(). The informer talks
 * to the apiserver through the fault proxy, which ends its watches and injects the failures; the test's
 * own writes go straight to the apiserver.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { systemClock, type Clock } from '../../src/engine/backoff.js';
import { kubeClient, loadKubeConfig, MERGE_PATCH, type KubeClient, type KubeObject, type Query, type RequestOptionsOf, type WatchEvent, type WatchOptions } from '../../src/sources/kube/client.js';
import { Informer, type InformerEvent, type InformerOptions } from '../../src/sources/kube/informer.js';
import { createNamespace, describeCluster, realCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { ManualClock, waitFor } from '../helpers/wait.js';
import type { FaultProxy, FaultRule } from '../support/faultproxy/proxy.js';

const FAST_BACKOFF = { baseMs: 50, maxMs: 200, jitter: 0.5 };
/** The backoff of the "never a tight loop" tests: retries after about 0.25, 0.5, 1 and 2 s (±25%). */
const COUNTED_BACKOFF = { baseMs: 250, maxMs: 2000, jitter: 0.5 };
/** What kube-apiserver says when a continue token is older than etcd's compacted history. */
const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

let cluster: TestCluster;
let proxy: FaultProxy;
/** The admin, straight to the apiserver: the test's own writes. */
let admin: KubeClient;
/** The admin through the fault proxy: what the informers use unless a test says otherwise. */
let proxied: KubeClient;
const clients: KubeClient[] = [];
let namespaceCount = 0;

function clientFor(kubeconfig: string): KubeClient {
  const client = kubeClient(loadKubeConfig({ kubeconfig }));
  clients.push(client);
  return client;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  proxy?.faults.clear();
});

interface Env {
  /** The test's own namespace, empty when the test starts. */
  ns: string;
  /** Another namespace of the test's own, made on first use. */
  otherNamespace(): Promise<string>;
  configMaps(namespace?: string): string;
  create(name: string, data?: Record<string, string>, options?: { namespace?: string; labels?: Record<string, string> }): Promise<KubeObject>;
  update(name: string, data: Record<string, string>): Promise<KubeObject>;
  relabel(name: string, labels: Record<string, string | null>): Promise<KubeObject>;
  remove(name: string): Promise<void>;
}

/** A fresh namespace (and, on demand, a second one) of this file for one test. */
async function startEnv(): Promise<Env> {
  const prefix = `informer-${++namespaceCount}`;
  await createNamespace(cluster, prefix);
  let other: string | undefined;
  const configMaps = (namespace = prefix) => `/api/v1/namespaces/${namespace}/configmaps`;
  return {
    ns: prefix,
    otherNamespace: async () => {
      if (!other) {
        await createNamespace(cluster, `${prefix}-other`);
        other = `${prefix}-other`;
      }
      return other;
    },
    configMaps,
    create: (name, data = { v: '1' }, { namespace = prefix, labels } = {}) =>
      admin.request('POST', configMaps(namespace), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data } }),
    update: (name, data) => admin.request('PATCH', `${configMaps()}/${name}`, { body: { data }, contentType: MERGE_PATCH }),
    relabel: (name, labels) => admin.request('PATCH', `${configMaps()}/${name}`, { body: { metadata: { labels } }, contentType: MERGE_PATCH }),
    remove: async (name) => {
      await admin.request('DELETE', `${configMaps()}/${name}`);
    },
  };
}

interface Change {
  what: 'add' | 'update' | 'delete';
  name: string;
  current?: KubeObject;
  previous?: KubeObject;
}

/** The handler's calls, one line each, e.g. "update a". */
const lines = (changes: Change[]) => changes.map((c) => `${c.what} ${c.name}`);
const sorted = (changes: Change[]) => lines(changes).sort();

interface Requests {
  /** When, on the informer's clock, each list request went out, and its query. */
  lists: { at: number; query: Query }[];
  /** When, on the informer's clock, each watch was opened, and its query. */
  watches: { at: number; query: Query }[];
  /** Watches opened and not yet settled. */
  openWatches: number;
  /** Every watch event, as the server sent it. */
  events: { type: string; name?: string; resourceVersion?: string }[];
}

/** Records the requests an informer makes on the real client, and runs `beforeList` before each list request goes out. */
function recorded(client: KubeClient, clock: Clock, beforeList?: (lists: number) => void | Promise<void>) {
  const requests: Requests = { lists: [], watches: [], openWatches: 0, events: [] };
  const wrapped: KubeClient = {
    server: client.server,
    request: async <T>(method: string, path: string, options?: RequestOptionsOf) => {
      if (method === 'GET') requests.lists.push({ at: clock.now(), query: { ...options?.query } });
      await beforeList?.(requests.lists.length);
      return client.request<T>(method, path, options);
    },
    watch: async <T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, options: WatchOptions) => {
      requests.watches.push({ at: clock.now(), query: { ...query } });
      requests.openWatches += 1;
      try {
        return await client.watch<T>(
          path,
          query,
          (event) => {
            const { metadata } = event.object as KubeObject;
            requests.events.push({ type: event.type, name: metadata.name, resourceVersion: metadata.resourceVersion });
            onEvent(event);
          },
          options,
        );
      } finally {
        requests.openWatches -= 1;
      }
    },
    close: () => client.close(),
  };
  return { requests, client: wrapped };
}

function watchConfigMaps(env: Env, options: Partial<InformerOptions> = {}, beforeList?: (lists: number) => void | Promise<void>, client: KubeClient = proxied) {
  const { requests, client: wrapped } = recorded(client, options.clock ?? systemClock, beforeList);
  const changes: Change[] = [];
  const statuses: InformerEvent[] = [];
  const informer = new Informer({
    client: wrapped,
    path: env.configMaps(),
    backoff: FAST_BACKOFF,
    onChange: (current, previous) => {
      const what = !previous ? 'add' : current ? 'update' : 'delete';
      changes.push({ what, name: (current ?? previous)!.metadata.name, current, previous });
    },
    onStatus: (event) => statuses.push(event),
    ...options,
  });
  informer.start();
  cleanups.push(() => informer.stop());
  const errors = () => statuses.filter((s) => s.type === 'error').map((s) => (s as { error: { code?: number; message?: string } }).error);
  const bookmarks = () => requests.events.filter((e) => e.type === 'BOOKMARK');
  return { informer, changes, statuses, errors, requests, bookmarks };
}

const until = (check: () => boolean, what: string) => waitFor(check, { what });

/** A timer due later than this is the periodic relist (minutes away by default); one due sooner, a backoff wait. */
const SOON_MS = 60_000;

/**
 * Waits until `check` holds, meanwhile moving the informer's clock on to each of its timers due soon
 * (backoff waits, short relist intervals) as soon as it is set: the informer retries without waiting,
 * and no timer fires unless the test lets it.
 */
function runUntil(clock: ManualClock, check: () => boolean, what: string): Promise<unknown> {
  return waitFor(
    () => {
      if (check()) return true;
      const next = clock.nextAt();
      if (next !== undefined && next - clock.now() <= SOON_MS) clock.next();
      return false;
    },
    { what },
  );
}

/**
 * Waits until a watch is open through the proxy and ends it (gently between events, or abruptly by
 * cutting the connection), with `rules` in force from that moment on: setting them, dropping the watch
 * and (when none was open yet) clearing them again happen in one turn of the event loop, so the rules
 * can only meet the requests that come after the drop. Answers how many watches were dropped.
 */
async function dropOpenWatch(abrupt: boolean, rules: FaultRule[] = []): Promise<number> {
  let dropped = 0;
  await until(() => {
    proxy.faults.set(rules);
    dropped = proxy.dropWatches(abrupt);
    if (dropped === 0) proxy.faults.clear();
    return dropped > 0;
  }, 'an open watch to drop');
  return dropped;
}

/**
 * The attempts came apart, on the informer's clock, at least as far as the backoff's shortest delays,
 * doubling from `baseMs`: the i-th gap is at least the backoff's smallest delay after i failures.
 */
function expectBackedOff(times: number[], backoff = COUNTED_BACKOFF): void {
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  const shortest = gaps.map((_, i) => Math.min(backoff.maxMs, backoff.baseMs * 2 ** i) * (1 - backoff.jitter / 2));
  expect(gaps.map((gap, i) => gap >= shortest[i]!)).toEqual(gaps.map(() => true));
}

const dataOf = (object: KubeObject | undefined) => object?.data as Record<string, string> | undefined;

const names = (informer: Informer) =>
  informer
    .list()
    .map((o) => o.metadata.name)
    .sort();

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// Every test drives the fault proxy in front of the test control plane, or its static tokens.
const suite = realCluster ? describe.skip : describeCluster;

beforeAll(async () => {
  if (realCluster) return;
  cluster = await startTestCluster();
  const faulty = await cluster.faultProxy();
  proxy = faulty.proxy;
  admin = clientFor(cluster.kubeconfig);
  proxied = clientFor(faulty.kubeconfig);
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.close();
});

suite('Informer: list and watch', () => {
  it('lists in pages, reports hasSynced only once the whole list is cached, and hands on every object as new', async () => {
    const env = await startEnv();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await env.create(name);
    proxy.faults.set([{ type: 'latency', ms: 300, verb: 'list', resource: 'configmaps', times: 1 }]);
    const { informer, changes, statuses, requests } = watchConfigMaps(env, { pageSize: 2 });
    expect(informer.hasSynced()).toBe(false);
    await until(() => requests.lists.length === 1, 'the first page to be asked for');
    expect(informer.hasSynced()).toBe(false);
    expect(informer.list()).toEqual([]);

    await until(() => informer.hasSynced(), 'the first list');
    expect(requests.lists).toHaveLength(3);
    expect(names(informer)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sorted(changes)).toEqual(['add a', 'add b', 'add c', 'add d', 'add e']);
    expect(changes.every((c) => c.previous === undefined)).toBe(true);
    expect(statuses).toContainEqual({ type: 'listed', objects: 5, ms: expect.any(Number) });
    expect(informer.get(env.ns, 'c')?.data).toEqual({ v: '1' });
    expect(informer.get(`${env.ns}-other`, 'c')).toBeUndefined();
    expect(informer.lastEventAt).toBeGreaterThan(0);
  });

  // kube-apiserver expires a continue token once etcd has compacted the revision it names (every 5
  // minutes by default), answering 410 Expired; the fault proxy answers the second page so at once.
  it('falls back to one full list when a continue token has expired', async () => {
    const env = await startEnv();
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await env.create(name);
    const expire = (lists: number) => {
      if (lists === 2) proxy.faults.set([{ type: 'status', code: 410, message: CONTINUE_TOO_OLD, verb: 'list', resource: 'configmaps', times: 1 }]);
    };
    const { informer, errors, requests } = watchConfigMaps(env, { pageSize: 2 }, expire);
    await until(() => informer.hasSynced(), 'the list');
    expect(requests.lists.map((l) => [l.query.limit, Boolean(l.query.continue)])).toEqual([
      [2, false],
      [2, true],
      [undefined, false],
    ]);
    expect(names(informer)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(errors()).toEqual([]);
  });

  // The pages of one list are a snapshot at the first page's resourceVersion: a change made between two
  // pages is not on the later page, and the watch from the list's resourceVersion brings it, once.
  it('takes a change made between two list pages from the watch, once', async () => {
    const env = await startEnv();
    for (const name of ['a', 'b', 'c', 'd']) await env.create(name, { v: '1' });
    const changeD = async (lists: number) => {
      if (lists === 2) await env.update('d', { v: '2' });
    };
    const { informer, changes, requests } = watchConfigMaps(env, { pageSize: 2 }, changeD);
    await until(() => informer.hasSynced(), 'the list');
    await env.create('e');
    await until(() => informer.get(env.ns, 'e') !== undefined, 'a later change');
    expect(requests.lists).toHaveLength(2);
    expect(lines(changes)).toEqual(['add a', 'add b', 'add c', 'add d', 'update d', 'add e']);
    expect(dataOf(changes[3]!.current)).toEqual({ v: '1' });
    expect(dataOf(changes[4]!.previous)).toEqual({ v: '1' });
    expect(dataOf(informer.get(env.ns, 'd'))).toEqual({ v: '2' });
  });

  // kube-apiserver sends a watch a bookmark about once a minute and 2 s before its timeoutSeconds, when
  // its watch cache has moved past what the watch delivered: short watches and a change elsewhere.
  it('delivers creates, updates and deletes with the previous object, and nothing for bookmarks', async () => {
    const env = await startEnv();
    const other = await env.otherNamespace();
    await env.create('stays');
    await env.create('changes', { v: 'old' });
    await env.create('goes');
    const { informer, changes, bookmarks } = watchConfigMaps(env, { watchTimeoutSeconds: () => 3 });
    await until(() => informer.hasSynced(), 'the first list');
    changes.length = 0;

    await env.create('new', { v: 'n' });
    await env.update('changes', { v: 'new' });
    await env.remove('goes');
    await until(() => changes.length === 3, 'three changes');
    expect(lines(changes)).toEqual(['add new', 'update changes', 'delete goes']);
    expect(changes[1]!.previous?.data).toEqual({ v: 'old' });
    expect(changes[1]!.current?.data).toEqual({ v: 'new' });
    expect(changes[2]!.previous?.metadata.name).toBe('goes');
    expect(names(informer)).toEqual(['changes', 'new', 'stays']);
    expect(informer.get(env.ns, 'changes')?.data).toEqual({ v: 'new' });

    const quietSince = Date.now();
    const before = bookmarks().length;
    await env.create('elsewhere', {}, { namespace: other });
    await until(() => bookmarks().length > before, 'a bookmark');
    expect(informer.lastEventAt).toBeGreaterThan(quietSince);
    expect(changes).toHaveLength(3);
  });

  it('advances its resourceVersion on bookmarks, and resumes from there after changes elsewhere, with no relist', async () => {
    const env = await startEnv();
    const other = await env.otherNamespace();
    await env.create('a');
    const { informer, changes, statuses, requests, bookmarks } = watchConfigMaps(env, { watchTimeoutSeconds: () => 3 });
    await until(() => informer.hasSynced(), 'the first list');
    // Changes outside the watched namespace: none is this watch's to deliver.
    let churned = 0;
    for (let i = 0; i < 10; i++) churned = Number((await env.create(`elsewhere-${i}`, {}, { namespace: other })).metadata.resourceVersion);
    await until(() => bookmarks().some((b) => Number(b.resourceVersion) >= churned), 'a bookmark past the churn');

    const watchesBefore = requests.watches.length;
    expect(await dropOpenWatch(false)).toBe(1);
    await env.create('b');
    await until(() => informer.get(env.ns, 'b') !== undefined, 'b');
    const resumed = requests.watches.slice(watchesBefore);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.filter((w) => Number(w.query.resourceVersion) < churned)).toEqual([]);
    expect(informer.relists).toBe(0);
    expect(statuses.filter((s) => s.type === 'relist')).toEqual([]);
    expect(lines(changes)).toEqual(['add a', 'add b']);
  });

  it('keeps an informer over all namespaces apart by namespace', async () => {
    const env = await startEnv();
    const other = await env.otherNamespace();
    await env.create('same', { in: env.ns });
    await env.create('same', { in: other }, { namespace: other });
    const { informer } = watchConfigMaps(env, { path: '/api/v1/configmaps' });
    await until(() => informer.hasSynced(), 'the first list');
    await env.update('same', { in: env.ns, changed: 'yes' });
    await until(() => dataOf(informer.get(env.ns, 'same'))?.changed === 'yes', 'the update');
    expect(dataOf(informer.get(other, 'same'))).toEqual({ in: other });
    // The cluster holds other ConfigMaps too (kube-system's, other tests'): these two are this test's.
    expect(informer.list().filter((o) => [env.ns, other].includes(o.metadata.namespace!))).toHaveLength(2);
  });

  it('follows a label selector: objects entering it are added and objects leaving it deleted', async () => {
    const env = await startEnv();
    await env.create('in', {}, { labels: { app: 'agent' } });
    await env.create('out', {}, { labels: { app: 'other' } });
    const { informer, changes } = watchConfigMaps(env, { labelSelector: 'app=agent' });
    await until(() => informer.hasSynced(), 'the first list');
    expect(names(informer)).toEqual(['in']);

    await env.relabel('out', { app: 'agent' });
    await env.relabel('in', { app: null });
    await until(() => changes.length === 3, 'the relabels');
    expect(lines(changes)).toEqual(['add in', 'add out', 'delete in']);
    expect(names(informer)).toEqual(['out']);
  });

  it('caches and hands on what transform makes of each object', async () => {
    const env = await startEnv();
    await env.create('secretish', { password: 'hunter2' });
    const transform = (object: KubeObject): KubeObject => ({ metadata: object.metadata, digest: Object.keys((object.data as object) ?? {}).join(',') });
    const { informer, changes } = watchConfigMaps(env, { transform });
    await until(() => informer.hasSynced(), 'the first list');
    await env.update('secretish', { password: 'hunter3', user: 'me' });
    await until(() => changes.length === 2, 'the update');
    expect(informer.get(env.ns, 'secretish')).toEqual({ metadata: expect.objectContaining({ name: 'secretish' }), digest: 'password,user' });
    expect(changes.every((c) => c.current && !('data' in c.current))).toBe(true);
  });

  it('goes on after the handler throws, with the change cached and the failure reported', async () => {
    const env = await startEnv();
    const seen: string[] = [];
    const { informer, errors } = watchConfigMaps(env, {
      onChange: (current) => {
        seen.push(current!.metadata.name);
        if (current!.metadata.name === 'bad') throw new Error('handler bug');
      },
    });
    await until(() => informer.hasSynced(), 'the first list');
    await env.create('bad');
    await env.create('good');
    await until(() => seen.includes('good'), 'the change after the failure');
    expect(informer.get(env.ns, 'bad')).toBeDefined();
    expect(errors().map((e) => e.message)).toEqual(['handler bug']);
    expect(informer.reconnects).toBe(0);
  });
});

suite('Informer: reconnects', () => {
  it.each([
    ['ends its stream', false, 'ended'],
    ['cuts the connection', true, 'error'],
  ])('resumes from the last resourceVersion when the server %s, missing and repeating nothing', async (_, abrupt, reason) => {
    const env = await startEnv();
    await env.create('unchanged');
    await env.create('changed', { v: '1' });
    const clock = new ManualClock();
    const { informer, changes, statuses } = watchConfigMaps(env, { clock });
    await until(() => informer.hasSynced(), 'the first list');
    changes.length = 0;

    // A watch that ends as soon as it opened (no time passes on this clock) is backed off from: the
    // informer waits for the test to move its clock on, so these changes happen while no watch is open.
    expect(await dropOpenWatch(abrupt)).toBe(1);
    await until(() => informer.reconnects === 1, 'the informer to wait to reconnect');
    await env.create('added');
    await env.update('changed', { v: '2' });
    await runUntil(clock, () => changes.length === 2, 'the changes made while disconnected');
    await env.update('changed', { v: '3' });
    await until(() => changes.length === 3, 'a change after the reconnect');

    expect(lines(changes)).toEqual(['add added', 'update changed', 'update changed']);
    expect(changes.map((c) => c.current?.data)).toEqual([{ v: '1' }, { v: '2' }, { v: '3' }]);
    expect(informer.relists).toBe(0);
    expect(informer.reconnects).toBe(1);
    expect(statuses).toContainEqual({ type: 'reconnect', reason, delayMs: expect.any(Number) });
  });

  // With timeoutSeconds: 1 the apiserver sends no bookmark (its last one is due 2 s before the
  // deadline): each watch ends without a word, which is the normal end of a watch, not a failure.
  it('reopens the watch at once each time the server times it out after timeoutSeconds', async () => {
    const env = await startEnv();
    const { informer, changes, statuses, errors } = watchConfigMaps(env, { watchTimeoutSeconds: () => 1 });
    await until(() => informer.hasSynced(), 'the first list');
    await env.create('before');
    await until(() => informer.reconnects >= 1, 'the first timeout');
    await env.create('between');
    await until(() => informer.reconnects >= 2, 'the second timeout');
    await env.create('after');
    await until(() => changes.length === 3, 'the three creates');
    const reconnects = informer.reconnects;
    await until(() => informer.reconnects >= reconnects + 2, 'timeouts of watches that deliver nothing');
    expect(lines(changes)).toEqual(['add before', 'add between', 'add after']);
    expect(informer.relists).toBe(0);
    expect(errors()).toEqual([]);
    expect(statuses.filter((s) => s.type === 'reconnect')).toEqual(Array(informer.reconnects).fill({ type: 'reconnect', reason: 'ended', delayMs: 0 }));
  });

  it('tears down a silent watch and opens a new one, which still delivers changes', async () => {
    const env = await startEnv();
    const { informer, changes, errors } = watchConfigMaps(env, { idleTimeoutMs: 300 });
    await until(() => informer.hasSynced(), 'the first list');
    await until(() => informer.reconnects >= 2, 'two silent watches torn down');
    expect(errors().length).toBeGreaterThanOrEqual(2);
    expect(errors().every((e) => /silent for 300 ms/.test(e.message ?? ''))).toBe(true);
    await env.create('after-silence');
    await until(() => changes.length === 1, 'the change');
    expect(informer.get(env.ns, 'after-silence')).toBeDefined();
    expect(informer.relists).toBe(0);
  });
});

// A watch that ends as soon as it opened (no time passes on the informer's clock) is backed off from:
// the informer waits for the test to move its clock on, so the changes below happen while no watch is
// open, before it reconnects and is answered "410 Gone".
suite('Informer: 410 Gone', () => {
  it.each<[string, FaultRule]>([
    ['an ERROR event with code 410', { type: 'watchGone', times: 1 }],
    ['an HTTP 410 answer', { type: 'status', code: 410, verb: 'watch', times: 1 }],
  ])('relists after %s and delivers only the difference', async (_, gone) => {
    const env = await startEnv();
    for (const name of ['keep', 'change', 'vanish']) await env.create(name);
    const clock = new ManualClock();
    const { informer, changes, statuses } = watchConfigMaps(env, { clock });
    await until(() => informer.hasSynced(), 'the first list');
    changes.length = 0;

    expect(await dropOpenWatch(false, [gone])).toBe(1);
    await until(() => informer.reconnects === 1, 'the informer to wait to reconnect');
    await env.update('change', { v: '2' });
    await env.remove('vanish');
    await env.create('fresh');
    await runUntil(clock, () => informer.relists === 1 && changes.length === 3, 'the relist');

    expect(sorted(changes)).toEqual(['add fresh', 'delete vanish', 'update change']);
    expect(changes.find((c) => c.what === 'update')?.previous?.data).toEqual({ v: '1' });
    expect(names(informer)).toEqual(['change', 'fresh', 'keep']);
    expect(statuses).toContainEqual({ type: 'relist', reason: 'gone' });
  });

  // kube-apiserver's watch cache keeps at least 75 s of changes, so a burst cannot outrun it in a test:
  // the proxy answers the resumed watch as the watch cache answers a resourceVersion it no longer holds.
  it('relists when the history no longer reaches back after a burst of changes made while disconnected', async () => {
    const env = await startEnv();
    await env.create('old');
    const clock = new ManualClock();
    const { informer, changes, statuses } = watchConfigMaps(env, { clock });
    await until(() => informer.hasSynced(), 'the first list');
    changes.length = 0;

    expect(await dropOpenWatch(false, [{ type: 'watchGone', times: 1 }])).toBe(1);
    await until(() => informer.reconnects === 1, 'the informer to wait to reconnect');
    for (let i = 0; i < 15; i++) await env.create(`burst-${i}`);
    await env.remove('old');
    await runUntil(clock, () => changes.length === 16, 'the burst and the delete');

    expect(sorted(changes)).toEqual([...Array.from({ length: 15 }, (_, i) => `add burst-${i}`), 'delete old'].sort());
    expect(informer.list()).toHaveLength(15);
    expect(informer.relists).toBe(1);
    expect(statuses).toContainEqual({ type: 'relist', reason: 'gone' });
  });
});

suite('Informer: failures', () => {
  it('retries a failing watch with backoff, never in a tight loop, then catches up on what changed meanwhile', async () => {
    const env = await startEnv();
    await env.create('changed', { v: '1' });
    await env.create('deleted');
    const clock = new ManualClock();
    const { informer, changes, errors, requests } = watchConfigMaps(env, { backoff: COUNTED_BACKOFF, clock });
    await until(() => informer.hasSynced(), 'the first list');
    changes.length = 0;

    // The watch has been open a while, so its end is a normal one: the first retry comes at once.
    clock.advance(5_000);
    expect(await dropOpenWatch(false, [{ type: 'status', code: 503, verb: 'watch', resource: 'configmaps', times: 1000 }])).toBe(1);
    const firstRetry = requests.watches.length;
    await env.update('changed', { v: '2' });
    await env.remove('deleted');
    await env.create('added');
    await runUntil(clock, () => requests.watches.length >= firstRetry + 4, 'four refused watches');
    expectBackedOff(requests.watches.slice(firstRetry, firstRetry + 4).map((w) => w.at));
    expect(errors().length).toBeGreaterThanOrEqual(3);
    expect(errors().every((e) => e.code === 503)).toBe(true);
    expect(changes).toEqual([]);

    proxy.faults.clear();
    await runUntil(clock, () => changes.length === 3, 'the changes made during the outage');
    expect(lines(changes)).toEqual(['update changed', 'delete deleted', 'add added']);
    expect(informer.relists).toBe(0);
  });

  it.each([500, 429])('retries a list answered %i with backoff until it succeeds', async (code) => {
    const env = await startEnv();
    await env.create('a');
    proxy.faults.set([{ type: 'status', code, verb: 'list', resource: 'configmaps', times: 1000 }]);
    const clock = new ManualClock();
    const { informer, errors, requests } = watchConfigMaps(env, { backoff: COUNTED_BACKOFF, clock });
    await runUntil(clock, () => requests.lists.length >= 4, 'four refused lists');
    expectBackedOff(requests.lists.slice(0, 4).map((l) => l.at));
    expect(errors().length).toBeGreaterThanOrEqual(3);
    expect(errors().every((e) => e.code === code)).toBe(true);
    expect(informer.hasSynced()).toBe(false);

    proxy.faults.clear();
    await env.create('b');
    await runUntil(clock, () => informer.hasSynced(), 'the list after the outage');
    expect(names(informer)).toEqual(['a', 'b']);
  });

  it('retries a refused connection with backoff and stops cleanly', async () => {
    const env = await startEnv();
    const nowhere = clientFor(cluster.kubeconfigFor(cluster.controlPlane!.adminToken, `https://127.0.0.1:${await closedPort()}`));
    const clock = new ManualClock();
    const { informer, errors, requests } = watchConfigMaps(env, { backoff: COUNTED_BACKOFF, clock }, undefined, nowhere);
    await runUntil(clock, () => requests.lists.length >= 4, 'four refused connections');
    expectBackedOff(requests.lists.slice(0, 4).map((l) => l.at));
    expect(errors().length).toBeGreaterThanOrEqual(3);
    expect(errors().every((e) => /ECONNREFUSED/.test(e.message ?? '') || (e as { code?: unknown }).code === 'ECONNREFUSED')).toBe(true);
    expect(informer.hasSynced()).toBe(false);
    await informer.stop();
  });

  it('retries a list answered 401 with backoff and reports it', async () => {
    const env = await startEnv();
    const stranger = clientFor(cluster.kubeconfigFor('not-a-token'));
    const clock = new ManualClock();
    const { informer, errors, requests } = watchConfigMaps(env, { backoff: COUNTED_BACKOFF, clock }, undefined, stranger);
    await runUntil(clock, () => requests.lists.length >= 4, 'four refused lists');
    expectBackedOff(requests.lists.slice(0, 4).map((l) => l.at));
    expect(errors().length).toBeGreaterThanOrEqual(3);
    expect(errors().every((e) => e.code === 401)).toBe(true);
    expect(informer.hasSynced()).toBe(false);
  });

  it('retries a list answered 403 with backoff, and syncs once an admin grants access', async () => {
    const env = await startEnv();
    await env.create('a');
    const nobody = clientFor(cluster.kubeconfigFor(cluster.tokenFor({ name: 'nobody', groups: [] })));
    const clock = new ManualClock();
    const { informer, errors, requests } = watchConfigMaps(env, { backoff: COUNTED_BACKOFF, clock }, undefined, nobody);
    await runUntil(clock, () => requests.lists.length >= 4, 'four refused lists');
    expectBackedOff(requests.lists.slice(0, 4).map((l) => l.at));
    expect(errors().length).toBeGreaterThanOrEqual(3);
    expect(errors().every((e) => e.code === 403)).toBe(true);
    expect(informer.hasSynced()).toBe(false);

    const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${env.ns}`;
    await admin.request('POST', `${rbac}/roles`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'configmap-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'] }] },
    });
    await admin.request('POST', `${rbac}/rolebindings`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'nobody-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'nobody' }],
      },
    });
    await runUntil(clock, () => informer.hasSynced(), 'the list once allowed');
    expect(names(informer)).toEqual(['a']);
  });
});

suite('Informer: periodic relist', () => {
  it('relists on its interval without telling the handler of unchanged objects', async () => {
    const env = await startEnv();
    for (const name of ['a', 'b', 'c']) await env.create(name);
    const clock = new ManualClock();
    const { informer, changes, statuses } = watchConfigMaps(env, { relistIntervalMs: 200, clock });
    await until(() => informer.hasSynced(), 'the first list');
    await runUntil(clock, () => informer.relists >= 3, 'three relists');
    expect(sorted(changes)).toEqual(['add a', 'add b', 'add c']);
    expect(statuses.filter((s) => s.type === 'relist')).toEqual(Array(informer.relists).fill({ type: 'relist', reason: 'periodic' }));
    expect(names(informer)).toEqual(['a', 'b', 'c']);
  });

  it('brings in a change that no watch delivers', async () => {
    const env = await startEnv();
    const clock = new ManualClock();
    const relistIntervalMs = 60_000;
    // a whole interval and its jitter, so the relist timer is due
    const relistDue = () => clock.advance(relistIntervalMs * 1.1);
    const { informer, changes, statuses, requests } = watchConfigMaps(env, { relistIntervalMs, clock });
    await until(() => informer.hasSynced(), 'the first list');
    // From now on every watch is held for longer than the test runs (until its client gives up on it):
    // only a list can bring the change in.
    proxy.faults.set([{ type: 'latency', ms: 10 * 60_000, verb: 'watch', times: 1000 }]);
    const watches = requests.watches.length;
    relistDue();
    await until(() => requests.watches.length > watches, 'a held watch, the only one open');
    await env.create('missed');
    relistDue();
    await until(() => informer.get(env.ns, 'missed') !== undefined, 'a relist');
    expect(lines(changes)).toEqual(['add missed']);
    expect(requests.events.filter((e) => e.name === 'missed')).toEqual([]);
    expect(statuses).toContainEqual({ type: 'relist', reason: 'periodic' });
  });
});

suite('Informer: stop', () => {
  it('stops at once during a backoff wait, and lists nothing afterwards', async () => {
    const env = await startEnv();
    proxy.faults.set([{ type: 'status', code: 500, verb: 'list', resource: 'configmaps', times: 1 }]);
    // Its clock stands still: only stop() can end the wait.
    const clock = new ManualClock();
    const { informer, errors, requests } = watchConfigMaps(env, { backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 0 }, clock });
    await until(() => errors().length === 1 && clock.pending === 1, 'the failed list, and the wait after it');
    let stopped = false;
    void informer.stop().then(() => (stopped = true));
    await until(() => stopped, 'stop() to end the wait');
    expect(requests.lists).toHaveLength(1);
    expect(informer.hasSynced()).toBe(false);
  });

  it('stops a running watch, and stop() before start() or twice is harmless', async () => {
    const env = await startEnv();
    const idle = new Informer({ client: proxied, path: env.configMaps(), onChange: () => undefined });
    await idle.stop();
    await idle.stop();
    const { informer, changes, requests } = watchConfigMaps(env);
    await until(() => informer.hasSynced() && requests.watches.length === 1, 'the watch');
    await informer.stop();
    await informer.stop();
    expect(requests.openWatches).toBe(0);
    // Another informer, started after the stop, sees the create: the stopped one would have seen it by then.
    const witness = watchConfigMaps(env);
    await until(() => witness.informer.hasSynced(), 'the second informer');
    await env.create('after-stop');
    await until(() => witness.informer.get(env.ns, 'after-stop') !== undefined, 'the create');
    expect(changes).toEqual([]);
    expect(requests.watches).toHaveLength(1);
    expect(informer.hasSynced()).toBe(true);
  });
});
