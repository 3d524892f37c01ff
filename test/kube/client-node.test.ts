/**
 * @kubernetes/client-node against the real kube-apiserver: paged lists, watches with bookmarks, and the
 * library's informer relisting after "410 Gone", as an ERROR event (the watch cache's answer when its
 * history no longer reaches back) or as an HTTP answer, both from the fault proxy in front of it.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CustomObjectsApi, KubeConfig, makeInformer, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { createNamespace, describeCluster, installCrds, realCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { waitFor } from '../helpers/wait.js';
import type { FaultProxy, FaultRule } from '../support/faultproxy/proxy.js';

const GROUP = 'agentcore.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'memories';
const NS = 'client-node';
const PATH = `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${PLURAL}`;

let cluster: TestCluster;
let kc: KubeConfig;
let objects: CustomObjectsApi;
let proxy: FaultProxy;
/** The admin through the fault proxy. */
let proxiedKc: KubeConfig;

function memory(name: string, description = 'a memory'): Record<string, unknown> {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'Memory', metadata: { name, namespace: NS }, spec: { description, eventExpiryDays: 30 } };
}

async function create(name: string): Promise<void> {
  await objects.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body: memory(name) });
}

const until = (check: () => boolean, what: string) => waitFor(check, { what });

/**
 * Waits until a watch is open through the proxy and ends it, with `rules` in force from that moment on
 * (set, drop and, when none was open yet, clear again in one turn of the event loop).
 */
async function dropOpenWatch(rules: FaultRule[]): Promise<number> {
  let dropped = 0;
  await until(() => {
    proxy.faults.set(rules);
    dropped = proxy.dropWatches();
    if (dropped === 0) proxy.faults.clear();
    return dropped > 0;
  }, 'an open watch to drop');
  return dropped;
}

beforeAll(async () => {
  cluster = await startTestCluster();
  await installCrds(cluster);
  await createNamespace(cluster, NS);
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  objects = kc.makeApiClient(CustomObjectsApi);
  if (!realCluster) {
    const faulty = await cluster.faultProxy();
    proxy = faulty.proxy;
    proxiedKc = new KubeConfig();
    proxiedKc.loadFromFile(faulty.kubeconfig);
  }
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describeCluster('@kubernetes/client-node', () => {
  it('lists in pages with limit and continue', async () => {
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await create(name);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (await objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, limit: 2, _continue: token, labelSelector: '' })) as {
        items: KubernetesObject[];
        metadata: { continue?: string };
      };
      names.push(...page.items.map((o) => o.metadata!.name!));
      token = page.metadata.continue || undefined;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(names.filter((n) => n.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
  });

  // kube-apiserver sends a bookmark once a minute, and 2 s before the watch's timeoutSeconds, when its
  // watch cache has moved past where the watch began: a watch of 5 s gets one after about 3 s.
  it('watches from a resourceVersion with ADDED, MODIFIED, DELETED and BOOKMARK events', async () => {
    const list = (await objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL })) as { metadata: { resourceVersion: string } };
    const events: { type: string; name?: string; rv: string }[] = [];
    const request = await new Watch(kc).watch(
      PATH,
      { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 5 },
      (type: string, object: KubernetesObject) => events.push({ type, name: object.metadata?.name, rv: object.metadata!.resourceVersion! }),
      () => undefined,
    );
    try {
      await create('watched');
      await objects.patchNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: PLURAL,
        name: 'watched',
        body: [{ op: 'replace', path: '/spec/description', value: 'changed' }],
      });
      await objects.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'watched' });
      await until(() => events.some((e) => e.type === 'DELETED') && events.some((e) => e.type === 'BOOKMARK'), 'the delete and a bookmark');
    } finally {
      request.abort();
    }
    const changes = events.filter((e) => e.type !== 'BOOKMARK');
    expect(changes.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
    const rvs = changes.map((e) => Number(e.rv));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(3);
  });

  const faultTest = realCluster ? it.skip : it;

  faultTest('an informer relists after its watch history is gone, and misses nothing', async () => {
    let lists = 0;
    const informer = makeInformer(proxiedKc, PATH, () => {
      lists += 1;
      return objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL }) as never;
    });
    const added = new Set<string>();
    const deleted = new Set<string>();
    informer.on('add', (o) => added.add(o.metadata!.name!));
    informer.on('delete', (o) => deleted.add(o.metadata!.name!));
    await informer.start();
    try {
      await until(() => added.has('page-a'), 'the initial list');
      // While the watch is down, a burst of changes; the resumed watch is answered as the watch cache
      // answers a resourceVersion older than its history (which on kube-apiserver spans at least 75 s).
      const listsBefore = lists;
      expect(await dropOpenWatch([{ type: 'latency', ms: 1500, verb: 'watch', times: 1 }, { type: 'watchGone', times: 1 }])).toBeGreaterThan(0);
      for (let i = 0; i < 25; i++) await create(`burst-${i}`);
      await objects.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'page-a' });
      await until(() => added.has('burst-24') && deleted.has('page-a'), 'the relist to bring in the burst and the delete');
      expect(lists).toBe(listsBefore + 1);
      expect(informer.list().map((o) => o.metadata!.name).filter((n) => n!.startsWith('burst-'))).toHaveLength(25);
      expect(informer.get('page-a', NS)).toBeUndefined();

      // A 410 as the answer to the watch request itself forces the same relist.
      const before = lists;
      expect(await dropOpenWatch([{ type: 'status', code: 410, verb: 'watch', times: 1 }])).toBeGreaterThan(0);
      await create('after-gone');
      await until(() => added.has('after-gone') && lists > before, 'the relist after the 410 answer');
      expect(lists).toBe(before + 1);
    } finally {
      await informer.stop();
    }
  });
});
