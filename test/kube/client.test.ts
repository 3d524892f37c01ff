/**
 * The operator's REST client against the real kube-apiserver: requests and their errors, query strings,
 * patch content types, and watches that end, go silent, are refused, are cut or are aborted. Slow
 * answers, ended and cut watches and injected errors come from the fault proxy in front of it.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { JSON_PATCH, KubeApiError, kubeClient, loadKubeConfig, MERGE_PATCH, type KubeClient, type KubeList, type KubeObject, type WatchEvent } from '../../src/sources/kube/client.js';
import { createNamespace, describeCluster, realCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { waitFor } from '../helpers/wait.js';
import type { FaultProxy } from '../support/faultproxy/proxy.js';

const NS = 'client-test';
const CONFIGMAPS = `/api/v1/namespaces/${NS}/configmaps`;

let cluster: TestCluster;
/** The admin, straight to the apiserver. */
let client: KubeClient;
let proxy: FaultProxy;
/** The admin through the fault proxy. */
let proxied: KubeClient;

function configMap(name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, ...(labels ? { labels } : {}) }, data };
}

/** A client that authenticates with `token` instead of the admin's. */
function clientWithToken(token: string): KubeClient {
  return kubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigFor(token) }));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Opens a watch (straight, or through the proxy) and collects its events until it settles. */
function collect(query: Record<string, string | number | boolean>, options: { idleTimeoutMs?: number; signal?: AbortSignal; via?: KubeClient } = {}) {
  const events: WatchEvent[] = [];
  const done = (options.via ?? client).watch(CONFIGMAPS, query, (event) => events.push(event), { signal: options.signal ?? new AbortController().signal, idleTimeoutMs: options.idleTimeoutMs ?? 10_000 });
  return { events, done };
}

async function currentResourceVersion(): Promise<string> {
  return (await client.request<KubeList>('GET', CONFIGMAPS)).metadata.resourceVersion!;
}

/** Tests that need the test control plane: its fault proxy or its static tokens. */
const controlPlaneOnly = realCluster ? it.skip : it;

beforeAll(async () => {
  cluster = await startTestCluster();
  client = kubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  await createNamespace(cluster, NS);
  if (!realCluster) {
    const faulty = await cluster.faultProxy();
    proxy = faulty.proxy;
    proxied = kubeClient(loadKubeConfig({ kubeconfig: faulty.kubeconfig }));
  }
}, 60_000);

afterAll(async () => {
  client?.close();
  proxied?.close();
  await cluster?.close();
});

describeCluster('request', () => {
  it('creates, reads, replaces and deletes an object', async () => {
    const created = await client.request('POST', CONFIGMAPS, { body: configMap('plain') });
    expect(created.metadata.resourceVersion).toBeTruthy();
    const read = await client.request('GET', `${CONFIGMAPS}/plain`);
    expect(read.data).toEqual({ a: '1' });
    const replaced = await client.request('PUT', `${CONFIGMAPS}/plain`, { body: { ...read, data: { a: '2' } } });
    expect(replaced.data).toEqual({ a: '2' });
    await client.request('DELETE', `${CONFIGMAPS}/plain`);
    const gone = await rejection(client.request('GET', `${CONFIGMAPS}/plain`));
    expect(gone).toBeInstanceOf(KubeApiError);
  });

  it('sends a string body as it is', async () => {
    const created = await client.request('POST', CONFIGMAPS, { body: JSON.stringify(configMap('as-text')) });
    expect(created.metadata.name).toBe('as-text');
  });

  it('answers 404 NotFound, 409 AlreadyExists and Conflict, and 422 Invalid as KubeApiError with the Status code and reason', async () => {
    const missing = await rejection(client.request('GET', `${CONFIGMAPS}/missing`));
    expect(missing).toMatchObject({ name: 'KubeApiError', code: 404, reason: 'NotFound' });

    const first = await client.request('POST', CONFIGMAPS, { body: configMap('twice') });
    const duplicate = await rejection(client.request('POST', CONFIGMAPS, { body: configMap('twice') }));
    expect(duplicate).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    expect(duplicate.message).toContain('twice');

    await client.request('PUT', `${CONFIGMAPS}/twice`, { body: { ...first, data: { a: 'newer' } } });
    const stale = await rejection(client.request('PUT', `${CONFIGMAPS}/twice`, { body: { ...first, data: { a: 'stale' } } }));
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });

    const invalid = await rejection(client.request('POST', CONFIGMAPS, { body: configMap('Not_A_Name') }));
    expect(invalid).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  controlPlaneOnly('answers 401 to an unknown token', async () => {
    const stranger = clientWithToken('not-a-token');
    try {
      expect(await rejection(stranger.request('GET', CONFIGMAPS))).toMatchObject({ code: 401, reason: 'Unauthorized' });
    } finally {
      stranger.close();
    }
  });

  it('passes the query: selectors and limit are sent, undefined values are left out', async () => {
    await client.request('POST', CONFIGMAPS, { body: configMap('q-a', {}, { app: 'q' }) });
    await client.request('POST', CONFIGMAPS, { body: configMap('q-b', {}, { app: 'q' }) });
    await client.request('POST', CONFIGMAPS, { body: configMap('q-other', {}, { app: 'other' }) });
    const selected = await client.request<KubeList>('GET', CONFIGMAPS, { query: { labelSelector: 'app=q', fieldSelector: undefined } });
    expect(selected.items.map((o) => o.metadata.name)).toEqual(['q-a', 'q-b']);

    const page = await client.request<KubeList>('GET', CONFIGMAPS, { query: { labelSelector: 'app=q', limit: 1 } });
    expect(page.items.map((o) => o.metadata.name)).toEqual(['q-a']);
    const rest = await client.request<KubeList>('GET', CONFIGMAPS, { query: { labelSelector: 'app=q', limit: 1, continue: page.metadata.continue } });
    expect(rest.items.map((o) => o.metadata.name)).toEqual(['q-b']);
    // q-other comes after q-b: the apiserver cannot know that nothing after it matches, so it gives a
    // token for a last page that holds nothing.
    expect(rest.metadata.continue).toBeTruthy();
    const last = await client.request<KubeList>('GET', CONFIGMAPS, { query: { labelSelector: 'app=q', limit: 1, continue: rest.metadata.continue } });
    expect(last.items).toEqual([]);
    expect(last.metadata.continue).toBeUndefined();
  });

  it('appends the query to a path that already has one', async () => {
    const selected = await client.request<KubeList>('GET', `${CONFIGMAPS}?labelSelector=app%3Dq`, { query: { limit: 1 } });
    expect(selected.items.map((o) => o.metadata.name)).toEqual(['q-a']);
    expect(selected.metadata.continue).toBeTruthy();
  });

  it('sends a merge patch or a JSON patch with its content type, and a patch as plain JSON is refused', async () => {
    await client.request('POST', CONFIGMAPS, { body: configMap('patched', { keep: 'yes', change: 'old' }) });
    const merged = await client.request('PATCH', `${CONFIGMAPS}/patched`, { body: { data: { change: 'new', added: 'too' } }, contentType: MERGE_PATCH });
    expect(merged.data).toEqual({ keep: 'yes', change: 'new', added: 'too' });
    const jsonPatched = await client.request('PATCH', `${CONFIGMAPS}/patched`, { body: [{ op: 'remove', path: '/data/added' }], contentType: JSON_PATCH });
    expect(jsonPatched.data).toEqual({ keep: 'yes', change: 'new' });
    const plain = await rejection(client.request('PATCH', `${CONFIGMAPS}/patched`, { body: { data: { change: 'x' } } }));
    expect(plain).toMatchObject({ code: 415 });
  });

  controlPlaneOnly('gives up on a server that does not answer within timeoutMs', async () => {
    proxy.faults.set([{ type: 'latency', ms: 1500, verb: 'get', resource: 'configmaps', times: 1 }]);
    const slow = await rejection(proxied.request('GET', `${CONFIGMAPS}/patched`, { timeoutMs: 200 }));
    expect(slow.message).toContain('no answer');
    // The same request, no longer held, is answered.
    expect((await proxied.request('GET', `${CONFIGMAPS}/patched`, { timeoutMs: 5000 })).metadata.name).toBe('patched');
  });
});

describeCluster('watch', () => {
  controlPlaneOnly('streams the changes after a resourceVersion and resolves when the server ends the watch', async () => {
    const from = await currentResourceVersion();
    const { events, done } = collect({ resourceVersion: from }, { via: proxied });
    await client.request('POST', CONFIGMAPS, { body: configMap('watched') });
    await client.request('PATCH', `${CONFIGMAPS}/watched`, { body: { data: { a: '2' } }, contentType: MERGE_PATCH });
    await client.request('DELETE', `${CONFIGMAPS}/watched`);
    await waitFor(() => events.length === 3, { what: 'the three changes' });
    expect(proxy.dropWatches()).toBe(1);
    await expect(done).resolves.toBeUndefined();
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });

  it('resolves when the watch reaches its timeoutSeconds', async () => {
    const { done } = collect({ resourceVersion: await currentResourceVersion(), timeoutSeconds: 1 });
    await expect(done).resolves.toBeUndefined();
  });

  it('rejects a watch that stays silent for idleTimeoutMs', async () => {
    const { done } = collect({ resourceVersion: await currentResourceVersion() }, { idleTimeoutMs: 300 });
    expect((await rejection(done)).message).toContain('silent for 300 ms');
  });

  controlPlaneOnly('rejects a watch cut without ending its stream', async () => {
    const { done } = collect({ resourceVersion: await currentResourceVersion() }, { via: proxied });
    await waitFor(() => proxy.dropWatches(true) > 0, { what: 'an open watch to cut' });
    expect((await rejection(done)).message).toMatch(/closed|aborted|ECONNRESET/);
  });

  controlPlaneOnly('rejects a refused watch with the Status code: 403 Forbidden, 503 from a fault', async () => {
    const nobody = clientWithToken(cluster.tokenFor({ name: 'nobody', groups: [] }));
    try {
      const forbidden = await rejection(nobody.watch(CONFIGMAPS, {}, () => undefined, { signal: new AbortController().signal, idleTimeoutMs: 5000 }));
      expect(forbidden).toMatchObject({ code: 403, reason: 'Forbidden' });
    } finally {
      nobody.close();
    }
    proxy.faults.set([{ type: 'status', code: 503, verb: 'watch', times: 1 }]);
    expect(await rejection(collect({}, { via: proxied }).done)).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
  });

  it('rejects when aborted through its signal, before or after the server answered', async () => {
    const early = new AbortController();
    early.abort();
    expect(await rejection(collect({}, { signal: early.signal }).done)).toMatchObject({ name: 'AbortError' });

    const later = new AbortController();
    const from = await currentResourceVersion();
    const { events, done } = collect({ resourceVersion: from }, { signal: later.signal });
    await client.request('POST', CONFIGMAPS, { body: configMap('before-abort') });
    await waitFor(() => events.length === 1, { what: 'the create' });
    later.abort();
    expect((await rejection(done)).message).toMatch(/abort|closed/i);
  });

  it('rejects, rather than throwing out of the stream, when onEvent throws', async () => {
    const from = await currentResourceVersion();
    const done = client.watch(
      CONFIGMAPS,
      { resourceVersion: from },
      () => {
        throw new Error('handler failed');
      },
      { signal: new AbortController().signal, idleTimeoutMs: 5000 },
    );
    // Handled before the write: the event can arrive before the write's own answer does.
    const failed = rejection(done);
    await client.request('POST', CONFIGMAPS, { body: configMap('handler-throws') });
    expect((await failed).message).toBe('handler failed');
  });
});
