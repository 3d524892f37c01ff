/**
 * The informer against the Kubernetes API test server, watching ConfigMaps in a namespace: the cache and
 * the handler's calls through paged lists, watches that end or are cut, "410 Gone", failing and refusing
 * servers, silent watches, periodic relists and stop().
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeClient, loadKubeConfig, MERGE_PATCH, type KubeClient, type KubeObject, type RequestOptionsOf } from '../../src/sources/kube/client.js';
import { Informer, type InformerEvent, type InformerOptions } from '../../src/sources/kube/informer.js';
import { realCluster, startTestCluster } from '../helpers/kube.js';
import type { FaultRule } from '../support/kube-apiserver/faults.js';
import type { KubeServerOptions, RunningKubeServer } from '../support/kube-apiserver/server.js';

const NS = 'informer-test';
const OTHER_NS = 'informer-other';
const configMaps = (namespace = NS) => `/api/v1/namespaces/${namespace}/configmaps`;
const FAST_BACKOFF = { baseMs: 50, maxMs: 200, jitter: 0.5 };
/** The backoff of the "never a tight loop" tests: attempts at about 0, 0.25, 0.75, 1.75 and 3.75 s. */
const COUNTED_BACKOFF = { baseMs: 250, maxMs: 2000, jitter: 0.5 };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Env {
  server: RunningKubeServer;
  admin: KubeClient;
  /** A client that authenticates with the given kubeconfig text (another token, another port). */
  clientFor(kubeconfig: string): KubeClient;
  create(name: string, data?: Record<string, string>, options?: { namespace?: string; labels?: Record<string, string> }): Promise<KubeObject>;
  update(name: string, data: Record<string, string>): Promise<KubeObject>;
  relabel(name: string, labels: Record<string, string | null>): Promise<KubeObject>;
  remove(name: string): Promise<void>;
}

async function startEnv(options: KubeServerOptions = {}): Promise<Env> {
  const cluster = await startTestCluster(options);
  const scratch = mkdtempSync(join(tmpdir(), 'informer-test-'));
  const clients: KubeClient[] = [];
  const clientFor = (kubeconfig: string) => {
    const file = join(scratch, `kubeconfig-${clients.length}`);
    writeFileSync(file, kubeconfig);
    const client = kubeClient(loadKubeConfig({ kubeconfig: file }));
    clients.push(client);
    return client;
  };
  cleanups.push(async () => {
    for (const client of clients) client.close();
    await cluster.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  const admin = clientFor(cluster.server!.kubeconfig());
  for (const name of [NS, OTHER_NS]) await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  return {
    server: cluster.server!,
    admin,
    clientFor,
    create: (name, data = { v: '1' }, { namespace = NS, labels } = {}) =>
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

interface RequestCounts {
  lists: number;
  watches: number;
}

/** Counts the requests an informer makes on the real client, and runs `beforeList` before each list request goes out. */
function counted(client: KubeClient, beforeList?: (counts: RequestCounts) => Promise<void>) {
  const counts: RequestCounts = { lists: 0, watches: 0 };
  const wrapped: KubeClient = {
    server: client.server,
    request: async <T>(method: string, path: string, options?: RequestOptionsOf) => {
      if (method === 'GET') counts.lists += 1;
      await beforeList?.(counts);
      return client.request<T>(method, path, options);
    },
    watch: (path, query, onEvent, options) => {
      counts.watches += 1;
      return client.watch(path, query, onEvent, options);
    },
    close: () => client.close(),
  };
  return { counts, client: wrapped };
}

function watchConfigMaps(client: KubeClient, options: Partial<InformerOptions> = {}, beforeList?: (counts: RequestCounts) => Promise<void>) {
  const requests = counted(client, beforeList);
  const changes: Change[] = [];
  const statuses: InformerEvent[] = [];
  const informer = new Informer({
    client: requests.client,
    path: configMaps(),
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
  return { informer, changes, statuses, errors, requests: requests.counts };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Waits for a bookmark after the first list, so that the server has the informer's watch open. */
async function untilWatching(informer: Informer): Promise<void> {
  await until(() => informer.hasSynced(), 'the first list');
  const listedAt = informer.lastEventAt;
  await until(() => informer.lastEventAt > listedAt, 'a bookmark');
}

const dataOf = (object: KubeObject | undefined) => object?.data as Record<string, string> | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

// Every test drives the test server (faults, dropped watches, its history and bookmark settings).
const suite = realCluster ? describe.skip : describe;

suite('Informer: list and watch', () => {
  it('lists in pages, reports hasSynced only once the whole list is cached, and hands on every object as new', async () => {
    const env = await startEnv();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await env.create(name);
    env.server.faults.set([{ type: 'latency', ms: 300, verb: 'list', resource: 'configmaps', times: 1 }]);
    const { informer, changes, statuses, requests } = watchConfigMaps(env.admin, { pageSize: 2 });
    expect(informer.hasSynced()).toBe(false);
    await until(() => requests.lists === 1, 'the first page to be asked for');
    expect(informer.hasSynced()).toBe(false);
    expect(informer.list()).toEqual([]);

    await until(() => informer.hasSynced(), 'the first list');
    expect(requests.lists).toBe(3);
    expect(names(informer)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sorted(changes)).toEqual(['add a', 'add b', 'add c', 'add d', 'add e']);
    expect(changes.every((c) => c.previous === undefined)).toBe(true);
    expect(statuses).toContainEqual({ type: 'listed', objects: 5, ms: expect.any(Number) });
    expect(informer.get(NS, 'c')?.data).toEqual({ v: '1' });
    expect(informer.get(OTHER_NS, 'c')).toBeUndefined();
    expect(informer.lastEventAt).toBeGreaterThan(0);
  });

  it('falls back to one full list when a continue token outlives the history', async () => {
    const env = await startEnv({ historyLimit: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await env.create(name);
    // Before the second page is asked for, the history moves past the first page's resourceVersion.
    const churn = async (counts: RequestCounts) => {
      if (counts.lists !== 2) return;
      for (let i = 0; i < 5; i++) await env.create(`elsewhere-${i}`, {}, { namespace: OTHER_NS });
    };
    const { informer, errors, requests } = watchConfigMaps(env.admin, { pageSize: 2 }, churn);
    await until(() => informer.hasSynced(), 'the list');
    expect(requests.lists).toBe(3);
    expect(names(informer)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(errors()).toEqual([]);
  });

  it('does not repeat a change that a later list page already held', async () => {
    const env = await startEnv();
    for (const name of ['a', 'b', 'c', 'd']) await env.create(name, { v: '1' });
    // The test server's pages are not snapshots: the second page shows d newer than the list's resourceVersion.
    const changeD = async (counts: RequestCounts) => {
      if (counts.lists === 2) await env.update('d', { v: '2' });
    };
    const { informer, changes } = watchConfigMaps(env.admin, { pageSize: 2 }, changeD);
    await until(() => informer.hasSynced(), 'the list');
    await env.create('e');
    await until(() => informer.get(NS, 'e') !== undefined, 'a later change');
    expect(lines(changes)).toEqual(['add a', 'add b', 'add c', 'add d', 'add e']);
    expect(dataOf(informer.get(NS, 'd'))).toEqual({ v: '2' });
  });

  it('delivers creates, updates and deletes with the previous object, and nothing for bookmarks', async () => {
    const env = await startEnv({ bookmarkIntervalMs: 50 });
    await env.create('stays');
    await env.create('changes', { v: 'old' });
    await env.create('goes');
    const { informer, changes } = watchConfigMaps(env.admin);
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
    expect(informer.get(NS, 'changes')?.data).toEqual({ v: 'new' });

    const quietSince = Date.now();
    await until(() => informer.lastEventAt > quietSince + 100, 'bookmarks');
    expect(changes).toHaveLength(3);
  });

  it('advances its resourceVersion on bookmarks, so a reconnect after changes elsewhere needs no relist', async () => {
    const env = await startEnv({ historyLimit: 5, bookmarkIntervalMs: 50 });
    await env.create('a');
    const { informer, changes, statuses } = watchConfigMaps(env.admin);
    await until(() => informer.hasSynced(), 'the first list');
    // More changes than the history keeps, all outside the watched namespace.
    for (let i = 0; i < 10; i++) await env.create(`elsewhere-${i}`, {}, { namespace: OTHER_NS });
    const churnedAt = Date.now();
    await until(() => informer.lastEventAt > churnedAt, 'a bookmark after the churn');

    env.server.dropWatches();
    await env.create('b');
    await until(() => informer.get(NS, 'b') !== undefined, 'b');
    expect(informer.relists).toBe(0);
    expect(statuses.filter((s) => s.type === 'relist')).toEqual([]);
    expect(lines(changes)).toEqual(['add a', 'add b']);
  });

  it('keeps an informer over all namespaces apart by namespace', async () => {
    const env = await startEnv();
    await env.create('same', { in: NS });
    await env.create('same', { in: OTHER_NS }, { namespace: OTHER_NS });
    const { informer } = watchConfigMaps(env.admin, { path: '/api/v1/configmaps' });
    await until(() => informer.hasSynced(), 'the first list');
    await env.update('same', { in: NS, changed: 'yes' });
    await until(() => dataOf(informer.get(NS, 'same'))?.changed === 'yes', 'the update');
    expect(dataOf(informer.get(OTHER_NS, 'same'))).toEqual({ in: OTHER_NS });
    expect(informer.list()).toHaveLength(2);
  });

  it('follows a label selector: objects entering it are added and objects leaving it deleted', async () => {
    const env = await startEnv();
    await env.create('in', {}, { labels: { app: 'agent' } });
    await env.create('out', {}, { labels: { app: 'other' } });
    const { informer, changes } = watchConfigMaps(env.admin, { labelSelector: 'app=agent' });
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
    const { informer, changes } = watchConfigMaps(env.admin, { transform });
    await until(() => informer.hasSynced(), 'the first list');
    await env.update('secretish', { password: 'hunter3', user: 'me' });
    await until(() => changes.length === 2, 'the update');
    expect(informer.get(NS, 'secretish')).toEqual({ metadata: expect.objectContaining({ name: 'secretish' }), digest: 'password,user' });
    expect(changes.every((c) => c.current && !('data' in c.current))).toBe(true);
  });

  it('goes on after the handler throws, with the change cached and the failure reported', async () => {
    const env = await startEnv();
    const seen: string[] = [];
    const { informer, errors } = watchConfigMaps(env.admin, {
      onChange: (current) => {
        seen.push(current!.metadata.name);
        if (current!.metadata.name === 'bad') throw new Error('handler bug');
      },
    });
    await until(() => informer.hasSynced(), 'the first list');
    await env.create('bad');
    await env.create('good');
    await until(() => seen.includes('good'), 'the change after the failure');
    expect(informer.get(NS, 'bad')).toBeDefined();
    expect(errors().map((e) => e.message)).toEqual(['handler bug']);
    expect(informer.reconnects).toBe(0);
  });
});

suite('Informer: reconnects', () => {
  it.each([
    ['ends its stream', false, 'ended'],
    ['cuts the connection', true, 'error'],
  ])('resumes from the last resourceVersion when the server %s, missing and repeating nothing', async (_, abrupt, reason) => {
    const env = await startEnv({ bookmarkIntervalMs: 50 });
    await env.create('unchanged');
    await env.create('changed', { v: '1' });
    const { informer, changes, statuses } = watchConfigMaps(env.admin);
    await untilWatching(informer);
    changes.length = 0;

    // The reconnect is held up, so these changes happen while no watch is open.
    env.server.faults.set([{ type: 'latency', ms: 300, verb: 'watch', times: 1 }]);
    expect(env.server.dropWatches(abrupt)).toBe(1);
    await env.create('added');
    await env.update('changed', { v: '2' });
    await until(() => changes.length === 2, 'the changes made while disconnected');
    await env.update('changed', { v: '3' });
    await until(() => changes.length === 3, 'a change after the reconnect');

    expect(lines(changes)).toEqual(['add added', 'update changed', 'update changed']);
    expect(changes.map((c) => c.current?.data)).toEqual([{ v: '1' }, { v: '2' }, { v: '3' }]);
    expect(informer.relists).toBe(0);
    expect(informer.reconnects).toBe(1);
    expect(statuses).toContainEqual({ type: 'reconnect', reason, delayMs: expect.any(Number) });
  });

  it('reopens the watch each time the server times it out after timeoutSeconds', async () => {
    const env = await startEnv({ bookmarkIntervalMs: 200 });
    const { informer, changes } = watchConfigMaps(env.admin, { watchTimeoutSeconds: () => 1 });
    await until(() => informer.hasSynced(), 'the first list');
    await env.create('before');
    await until(() => informer.reconnects >= 1, 'the first timeout', 3000);
    await env.create('between');
    await until(() => informer.reconnects >= 2, 'the second timeout', 3000);
    await env.create('after');
    await until(() => changes.length === 3, 'the three creates');
    expect(lines(changes)).toEqual(['add before', 'add between', 'add after']);
    expect(informer.relists).toBe(0);
  });

  it('tears down a silent watch and opens a new one, which still delivers changes', async () => {
    const env = await startEnv({ bookmarkIntervalMs: 600_000 });
    const { informer, changes, errors } = watchConfigMaps(env.admin, { idleTimeoutMs: 300 });
    await until(() => informer.hasSynced(), 'the first list');
    await until(() => informer.reconnects >= 2, 'two silent watches torn down');
    expect(errors().every((e) => /silent for 300 ms/.test(e.message ?? ''))).toBe(true);
    await env.create('after-silence');
    await until(() => changes.length === 1, 'the change');
    expect(informer.get(NS, 'after-silence')).toBeDefined();
    expect(informer.relists).toBe(0);
  });
});

suite('Informer: 410 Gone', () => {
  const held: FaultRule = { type: 'latency', ms: 500, verb: 'watch', times: 1 };
  it.each<[string, FaultRule]>([
    ['an ERROR event with code 410', { type: 'watchGone', times: 1 }],
    ['an HTTP 410 answer', { type: 'status', code: 410, verb: 'watch', times: 1 }],
  ])('relists after %s and delivers only the difference', async (_, gone) => {
    const env = await startEnv({ bookmarkIntervalMs: 50 });
    for (const name of ['keep', 'change', 'vanish']) await env.create(name);
    const { informer, changes, statuses } = watchConfigMaps(env.admin);
    await untilWatching(informer);
    changes.length = 0;

    env.server.faults.set([held, gone]);
    env.server.dropWatches();
    await env.update('change', { v: '2' });
    await env.remove('vanish');
    await env.create('fresh');
    await until(() => informer.relists === 1 && changes.length === 3, 'the relist');

    expect(sorted(changes)).toEqual(['add fresh', 'delete vanish', 'update change']);
    expect(changes.find((c) => c.what === 'update')?.previous?.data).toEqual({ v: '1' });
    expect(names(informer)).toEqual(['change', 'fresh', 'keep']);
    expect(statuses).toContainEqual({ type: 'relist', reason: 'gone' });
  });

  it('relists when more changes than the history keeps were made while disconnected', async () => {
    const env = await startEnv({ historyLimit: 10, bookmarkIntervalMs: 50 });
    await env.create('old');
    const { informer, changes, statuses } = watchConfigMaps(env.admin);
    await untilWatching(informer);
    changes.length = 0;

    env.server.faults.set([{ type: 'latency', ms: 800, verb: 'watch', times: 1 }]);
    env.server.dropWatches();
    for (let i = 0; i < 15; i++) await env.create(`burst-${i}`);
    await env.remove('old');
    await until(() => changes.length === 16, 'the burst and the delete', 8000);

    expect(sorted(changes)).toEqual([...Array.from({ length: 15 }, (_, i) => `add burst-${i}`), 'delete old'].sort());
    expect(informer.list()).toHaveLength(15);
    expect(informer.relists).toBe(1);
    expect(statuses).toContainEqual({ type: 'relist', reason: 'gone' });
  });
});

suite('Informer: failures', () => {
  it('retries a failing watch with backoff, never in a tight loop, then catches up on what changed meanwhile', async () => {
    const env = await startEnv({ bookmarkIntervalMs: 200 });
    await env.create('changed', { v: '1' });
    await env.create('deleted');
    const { informer, changes, errors, requests } = watchConfigMaps(env.admin, { backoff: COUNTED_BACKOFF });
    await untilWatching(informer);
    changes.length = 0;

    env.server.faults.set([{ type: 'status', code: 503, verb: 'watch', resource: 'configmaps', times: 1000 }]);
    const watchesBefore = requests.watches;
    env.server.dropWatches();
    await env.update('changed', { v: '2' });
    await env.remove('deleted');
    await env.create('added');
    await sleep(4000);
    const attempts = requests.watches - watchesBefore;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(6);
    expect(errors().length).toBeGreaterThanOrEqual(attempts - 1);
    expect(errors().every((e) => e.code === 503)).toBe(true);
    expect(changes).toEqual([]);

    env.server.faults.clear();
    await until(() => changes.length === 3, 'the changes made during the outage', 10_000);
    expect(lines(changes)).toEqual(['update changed', 'delete deleted', 'add added']);
    expect(informer.relists).toBe(0);
  });

  it.each([500, 429])('retries a list answered %i with backoff until it succeeds', async (code) => {
    const env = await startEnv();
    await env.create('a');
    env.server.faults.set([{ type: 'status', code, verb: 'list', resource: 'configmaps', times: 1000 }]);
    const { informer, errors, requests } = watchConfigMaps(env.admin, { backoff: COUNTED_BACKOFF });
    await sleep(1500);
    expect(requests.lists).toBeGreaterThanOrEqual(2);
    expect(requests.lists).toBeLessThanOrEqual(6);
    expect(errors().every((e) => e.code === code)).toBe(true);
    expect(informer.hasSynced()).toBe(false);

    env.server.faults.clear();
    await env.create('b');
    await until(() => informer.hasSynced(), 'the list after the outage', 10_000);
    expect(names(informer)).toEqual(['a', 'b']);
  });

  it('retries a refused connection with backoff and stops cleanly', async () => {
    const env = await startEnv();
    const url = new URL(env.server.url);
    const nowhere = env.server.kubeconfig().replace(url.origin, `https://127.0.0.1:${await closedPort()}`);
    const { informer, errors, requests } = watchConfigMaps(env.clientFor(nowhere), { backoff: COUNTED_BACKOFF });
    await sleep(1500);
    expect(requests.lists).toBeGreaterThanOrEqual(2);
    expect(requests.lists).toBeLessThanOrEqual(6);
    expect(errors().every((e) => /ECONNREFUSED/.test(e.message ?? '') || (e as { code?: unknown }).code === 'ECONNREFUSED')).toBe(true);
    expect(informer.hasSynced()).toBe(false);
    await informer.stop();
  });

  it('retries a list answered 401 with backoff and reports it', async () => {
    const env = await startEnv();
    const { informer, errors, requests } = watchConfigMaps(env.clientFor(env.server.kubeconfig('not-a-token')), { backoff: COUNTED_BACKOFF });
    await sleep(1500);
    expect(requests.lists).toBeGreaterThanOrEqual(2);
    expect(requests.lists).toBeLessThanOrEqual(6);
    expect(errors().every((e) => e.code === 401)).toBe(true);
    expect(informer.hasSynced()).toBe(false);
  });

  it('retries a list answered 403 with backoff, and syncs once an admin grants access', async () => {
    const env = await startEnv();
    await env.create('a');
    const token = env.server.tokenFor({ name: 'nobody', groups: ['system:authenticated'] });
    const { informer, errors, requests } = watchConfigMaps(env.clientFor(env.server.kubeconfig(token)), { backoff: COUNTED_BACKOFF });
    await sleep(1500);
    expect(requests.lists).toBeGreaterThanOrEqual(2);
    expect(requests.lists).toBeLessThanOrEqual(6);
    expect(errors().every((e) => e.code === 403)).toBe(true);
    expect(informer.hasSynced()).toBe(false);

    await env.admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'configmap-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'] }] },
    });
    await env.admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'nobody-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'configmap-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'nobody' }],
      },
    });
    await until(() => informer.hasSynced(), 'the list once allowed', 10_000);
    expect(names(informer)).toEqual(['a']);
  });
});

suite('Informer: periodic relist', () => {
  it('relists on its interval without telling the handler of unchanged objects', async () => {
    const env = await startEnv();
    for (const name of ['a', 'b', 'c']) await env.create(name);
    const { informer, changes, statuses } = watchConfigMaps(env.admin, { relistIntervalMs: 200 });
    await until(() => informer.hasSynced(), 'the first list');
    await until(() => informer.relists >= 3, 'three relists');
    expect(sorted(changes)).toEqual(['add a', 'add b', 'add c']);
    expect(statuses.filter((s) => s.type === 'relist')).toEqual(Array(informer.relists).fill({ type: 'relist', reason: 'periodic' }));
    expect(names(informer)).toEqual(['a', 'b', 'c']);
  });

  it('brings in a change that no watch delivers', async () => {
    const env = await startEnv();
    const { informer, changes, statuses, requests } = watchConfigMaps(env.admin, { relistIntervalMs: 300 });
    await until(() => informer.hasSynced(), 'the first list');
    // From now on every watch hangs for longer than the test waits: only a list can bring the change in.
    const heldFor = 2000;
    env.server.faults.set([{ type: 'latency', ms: heldFor, verb: 'watch', times: 1000 }]);
    const watches = requests.watches;
    await until(() => requests.watches > watches, 'a held watch, the only one open');
    await env.create('missed');
    await until(() => informer.get(NS, 'missed') !== undefined, 'a relist', heldFor - 500);
    expect(lines(changes)).toEqual(['add missed']);
    expect(statuses).toContainEqual({ type: 'relist', reason: 'periodic' });
    // Let the server finish holding the aborted watches before the cluster closes.
    env.server.faults.clear();
    await sleep(heldFor + 100);
  });
});

suite('Informer: stop', () => {
  it('stops at once during a backoff wait, and lists nothing afterwards', async () => {
    const env = await startEnv();
    env.server.faults.set([{ type: 'status', code: 500, verb: 'list', resource: 'configmaps', times: 1 }]);
    const { informer, errors, requests } = watchConfigMaps(env.admin, { backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 0 } });
    await until(() => errors().length === 1, 'the failed list');
    const stopping = Date.now();
    await informer.stop();
    expect(Date.now() - stopping).toBeLessThan(5000);
    expect(requests.lists).toBe(1);
    expect(informer.hasSynced()).toBe(false);
  });

  it('stops a running watch, and stop() before start() or twice is harmless', async () => {
    const env = await startEnv();
    const idle = new Informer({ client: env.admin, path: configMaps(), onChange: () => undefined });
    await idle.stop();
    await idle.stop();
    const { informer, changes } = watchConfigMaps(env.admin);
    await until(() => informer.hasSynced(), 'the first list');
    await informer.stop();
    await informer.stop();
    await env.create('after-stop');
    await sleep(100);
    expect(changes).toEqual([]);
    expect(informer.hasSynced()).toBe(true);
  });
});
