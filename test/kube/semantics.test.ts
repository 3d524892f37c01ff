/**
 * The apiserver rules the operator leans on, checked on the wire against the real kube-apiserver:
 * resourceVersion and generation, field validation, namespace and CRD deletion, selector watches, the
 * 410 answer, TokenRequest, initial events, delete preconditions and the built-in kinds' CRUD; and the
 * fault proxy the operator's tests put in front of it (injected conflicts, errors, dropped watches),
 * checked to answer as the apiserver itself does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { createNamespace, describeCluster, installCrds, kubeRequest, realCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { eventually } from '../helpers/operator.js';
import type { FaultProxy } from '../support/faultproxy/proxy.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read back from the server, checked field by field
type Loose = Record<string, any>;

let cluster: TestCluster;
let proxy: FaultProxy;
let proxyKubeconfig: string;
const NS = 'semantics';
const MEMORIES = `/apis/agentcore.dev/v1alpha1/namespaces/${NS}/memories`;
const MERGE = 'application/merge-patch+json';
const CONFLICT = /^Operation cannot be fulfilled on memories\.agentcore\.dev "[a-z0-9-]+": the object has been modified; please apply your changes to the latest version and try again$/;

interface Answer {
  status: number;
  warning?: string | string[];
  contentType?: string;
  text: string;
  /** The answer as JSON; {} when it is not JSON (a plain-text 404). */
  body: Loose;
}

function parsed(text: string): Loose {
  try {
    return JSON.parse(text) as Loose;
  } catch {
    return {};
  }
}

async function callTo(target: 'apiserver' | 'proxy', method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const controlPlane = cluster.controlPlane!;
  const answer = await kubeRequest(target === 'proxy' ? { ...controlPlane, url: proxy.url } : controlPlane, method, path, {
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': contentType },
  });
  return { status: answer.status, warning: answer.headers.warning, contentType: answer.headers['content-type'], text: answer.text, body: parsed(answer.text) };
}

const call = (method: string, path: string, body?: unknown, contentType?: string) => callTo('apiserver', method, path, body, contentType);

function memory(name: string, extra: Loose = {}): Loose {
  return { apiVersion: 'agentcore.dev/v1alpha1', kind: 'Memory', metadata: { name, ...extra.metadata }, spec: { eventExpiryDays: 30, ...extra.spec } };
}

/** A watch's whole answer, one parsed event a line. */
const eventsOf = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Loose);

// The wire checks go to the test control plane with its admin token; against KUBECONFIG's cluster they are skipped.
(realCluster ? describe.skip : describeCluster)('the apiserver rules', () => {
  beforeAll(async () => {
    cluster = await startTestCluster();
    await installCrds(cluster);
    await createNamespace(cluster, NS);
    ({ proxy, kubeconfig: proxyKubeconfig } = await cluster.faultProxy());
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it('bumps resourceVersion only on a real change, and generation only on a spec change', async () => {
    const created = (await call('POST', MEMORIES, memory('gen'))).body;
    expect(created.metadata.generation).toBe(1);
    // The status default shows on every read but is not stored by the create (the status subresource
    // drops status there): the first write of the main resource stores it, even one that sends the
    // object back as it was read.
    expect(created.status).toEqual({ observedGeneration: -1 });
    const first = (await call('PUT', `${MEMORIES}/gen`, created)).body;
    expect(Number(first.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(first.metadata.generation).toBe(1);
    const same = (await call('PUT', `${MEMORIES}/gen`, first)).body;
    expect(same.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const labelled = (await call('PATCH', `${MEMORIES}/gen`, { metadata: { labels: { team: 'a' } } }, MERGE)).body;
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(same.metadata.resourceVersion));
    expect(labelled.metadata.generation).toBe(1);
    const unchanged = (await call('PATCH', `${MEMORIES}/gen`, { metadata: { labels: { team: 'a' } } }, MERGE)).body;
    expect(unchanged.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion);
    const changed = (await call('PATCH', `${MEMORIES}/gen`, { spec: { eventExpiryDays: 60 } }, MERGE)).body;
    expect(changed.metadata.generation).toBe(2);
    const status = (await call('PATCH', `${MEMORIES}/gen/status`, { status: { memoryId: 'mem-1' } }, MERGE)).body;
    expect(status.metadata.generation).toBe(2);
    expect(status.status.memoryId).toBe('mem-1');
  });

  it('refuses unknown fields under Strict, warns under Warn and prunes them', async () => {
    const strict = await call('POST', `${MEMORIES}?fieldValidation=Strict`, memory('strict', { spec: { colour: 'blue' } }));
    expect(strict.status).toBe(400);
    expect(strict.body).toMatchObject({ reason: 'BadRequest', message: 'Memory in version "v1alpha1" cannot be handled as a Memory: strict decoding error: unknown field "spec.colour"' });
    const warned = await call('POST', `${MEMORIES}?fieldValidation=Warn`, memory('warned', { spec: { colour: 'blue' } }));
    expect(warned.status).toBe(201);
    expect(warned.warning).toBe('299 - "unknown field \\"spec.colour\\""');
    expect(warned.body.spec.colour).toBeUndefined();
  });

  it('terminates a namespace with its content, waiting for finalizers, and refuses new content meanwhile', async () => {
    const doomed = 'semantics-doomed';
    await createNamespace(cluster, doomed);
    const memories = `/apis/agentcore.dev/v1alpha1/namespaces/${doomed}/memories`;
    expect((await call('POST', memories, memory('held', { metadata: { finalizers: ['agentcore.dev/finalizer'] } }))).status).toBe(201);
    expect((await call('POST', memories, memory('free'))).status).toBe(201);
    const deleted = await call('DELETE', `/api/v1/namespaces/${doomed}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.status.phase).toBe('Terminating');
    expect((await call('GET', `/api/v1/namespaces/${doomed}`)).body.status.phase).toBe('Terminating');
    const refused = await call('POST', memories, memory('late'));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(`memories.agentcore.dev "late" is forbidden: unable to create new content in namespace ${doomed} because it is being terminated`);
    // The namespace controller deletes the content: the free object goes, the held one waits for its finalizer, and so does the namespace.
    await eventually(async () => (await call('GET', `${memories}/free`)).status === 404, 30_000, 'the namespace controller to delete the free object');
    const held = await eventually(async () => {
      const ns = (await call('GET', `/api/v1/namespaces/${doomed}`)).body;
      const remaining = (ns.status.conditions as Loose[] | undefined)?.find((c) => c.type === 'NamespaceFinalizersRemaining');
      return remaining?.status === 'True' && { ns, remaining };
    }, 30_000, 'the namespace to report the finalizer it waits for');
    expect(held.remaining.message).toBe('Some content in the namespace has finalizers remaining: agentcore.dev/finalizer in 1 resource instances');
    expect((await call('GET', `${memories}/held`)).body.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect((await call('GET', `/api/v1/namespaces/${doomed}`)).status).toBe(200);
    await call('PATCH', `${memories}/held`, { metadata: { finalizers: null } }, MERGE);
    await eventually(async () => (await call('GET', `/api/v1/namespaces/${doomed}`)).status === 404, 90_000, 'the namespace to go once its last object has', 500);
  }, 150_000);

  it('stops serving a kind when its CRD is deleted, after deleting its objects (waiting for their finalizers)', async () => {
    // A throwaway group of two kinds of its own: the CRDs of crds/ are shared with other test files.
    const group = `semantics-${Date.now().toString(36)}.agentcore.test`;
    const crd = (plural: string, kind: string) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
      },
    });
    const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    const widgets = `/apis/${group}/v1/namespaces/${NS}/widgets`;
    try {
      for (const [plural, kind] of [['widgets', 'Widget'], ['gadgets', 'Gadget']] as const) expect((await call('POST', crds, crd(plural, kind))).status).toBe(201);
      await eventually(async () => (await call('GET', widgets)).status === 200 && (await call('GET', `/apis/${group}/v1/namespaces/${NS}/gadgets`)).status === 200, 30_000, 'the kinds to be served');
      const widget = (name: string, finalizers?: string[]) => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name, ...(finalizers ? { finalizers } : {}) }, spec: {} });
      expect((await call('POST', widgets, widget('held', ['agentcore.dev/finalizer']))).status).toBe(201);
      expect((await call('POST', widgets, widget('free'))).status).toBe(201);

      const deleted = await call('DELETE', `${crds}/widgets.${group}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.metadata.deletionTimestamp).toEqual(expect.any(String));
      await eventually(async () => (await call('GET', `${widgets}/free`)).status === 404, 30_000, 'the free object to be deleted');
      const terminating = (await call('GET', `${crds}/widgets.${group}`)).body;
      expect((terminating.status.conditions as Loose[]).find((c) => c.type === 'Terminating')).toMatchObject({ status: 'True' });
      expect((await call('GET', `${widgets}/held`)).body.metadata.deletionTimestamp).toEqual(expect.any(String));
      const late = await call('POST', widgets, widget('late'));
      expect(late.status).toBe(403);
      expect(late.body).toMatchObject({ reason: 'Forbidden', message: `widgets.${group} "late" is forbidden: create not allowed while custom resource definition is terminating` });

      await call('PATCH', `${widgets}/held`, { metadata: { finalizers: null } }, MERGE);
      await eventually(async () => (await call('GET', `${crds}/widgets.${group}`)).status === 404, 60_000, 'the CRD to go once its last object has', 250);
      const gone = await eventually(async () => {
        const answer = await call('GET', widgets);
        return answer.status === 404 && answer;
      }, 30_000, 'the kind to stop being served');
      // Not a Status: a group/version's unknown resource falls through to the plain-text 404 of Go's mux.
      expect([gone.contentType, gone.text]).toEqual(['text/plain; charset=utf-8', '404 page not found\n']);
      const apis = await eventually(async () => {
        const resources = ((await call('GET', `/apis/${group}/v1`)).body.resources as { name: string }[] | undefined)?.map((r) => r.name);
        return resources?.length === 1 && resources;
      }, 30_000, 'discovery to drop the kind');
      expect(apis).toEqual(['gadgets']);
    } finally {
      // Even when the test failed halfway, nothing of it may hold up the namespace's deletion.
      await call('PATCH', `${widgets}/held`, { metadata: { finalizers: null } }, MERGE);
      for (const plural of ['widgets', 'gadgets']) await call('DELETE', `${crds}/${plural}.${group}`);
    }
  }, 150_000);

  it('turns objects entering and leaving a label selector into ADDED and DELETED watch events', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const events: string[] = [];
    const request = await new Watch(kc).watch(MEMORIES, { labelSelector: 'selected=in' }, (type: string, o: KubernetesObject) => events.push(`${type} ${o.metadata?.name}`), () => undefined);
    try {
      await call('POST', MEMORIES, memory('watched'));
      await call('PATCH', `${MEMORIES}/watched`, { metadata: { labels: { selected: 'in' } } }, MERGE);
      await call('PATCH', `${MEMORIES}/watched`, { spec: { eventExpiryDays: 45 } }, MERGE);
      await call('PATCH', `${MEMORIES}/watched`, { metadata: { labels: { selected: 'out' } } }, MERGE);
      await eventually(() => events.length >= 3, 10_000, 'three watch events', 20);
    } finally {
      request.abort();
    }
    expect(events).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });

  // The watch cache of a kind starts at the resourceVersion of its first list, so resourceVersion 1 is
  // always older than anything it holds; the fault proxy's watchGone answers the same way.
  it('answers a watch from before its history with a 410 ERROR event, and so does the proxy’s watchGone', async () => {
    await call('POST', MEMORIES, memory('history'));
    const answer = await kubeRequest(cluster.controlPlane!, 'GET', `${MEMORIES}?watch=true&resourceVersion=1`);
    expect(answer.status).toBe(200);
    const events = eventsOf(answer.text);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: expect.any(String), reason: 'Expired', code: 410 } });
    expect(events[0]!.object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);

    proxy.faults.set([{ type: 'watchGone', resource: 'memories', times: 1 }]);
    const current = (await call('GET', MEMORIES)).body.metadata.resourceVersion as string;
    const injected = await kubeRequest({ ...cluster.controlPlane!, url: proxy.url }, 'GET', `${MEMORIES}?watch=true&resourceVersion=${current}`);
    expect(injected.status).toBe(200);
    const injectedEvents = eventsOf(injected.text);
    expect(injectedEvents).toEqual([{ type: 'ERROR', object: { ...events[0]!.object, message: expect.stringMatching(new RegExp(`^too old resource version: ${current} \\(\\d+\\)$`)) } }]);
  });

  // The reliability tests inject conflicts on status writes through the proxy: they must read as the apiserver's own.
  it('injects a conflict on the next status write only, worded as the apiserver words a real one', async () => {
    const created = (await call('POST', MEMORIES, memory('conflicted'))).body;
    await call('PATCH', `${MEMORIES}/conflicted`, { metadata: { labels: { moved: 'yes' } } }, MERGE);
    const real = await call('PATCH', `${MEMORIES}/conflicted/status`, { metadata: { resourceVersion: created.metadata.resourceVersion }, status: { memoryId: 'x' } }, MERGE);
    expect(real.status).toBe(409);
    expect(real.body.message).toMatch(CONFLICT);

    proxy.faults.set([{ type: 'status', code: 409, verb: 'patch', subresource: 'status', times: 1 }]);
    const refused = await callTo('proxy', 'PATCH', `${MEMORIES}/conflicted/status`, { status: { memoryId: 'x' } }, MERGE);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual(real.body);
    expect((await callTo('proxy', 'PATCH', `${MEMORIES}/conflicted/status`, { status: { memoryId: 'x' } }, MERGE)).status).toBe(200);
  });

  it('mints a service account token through TokenRequest that authenticates as the account', async () => {
    expect((await call('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: 'robot' } })).status).toBe(201);
    const minted = await call('POST', `/api/v1/namespaces/${NS}/serviceaccounts/robot/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } });
    expect(minted.status).toBe(201);
    const answer = await kubeRequest(cluster.controlPlane!, 'GET', MEMORIES, { token: minted.body.status.token as string });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).message).toBe(`memories.agentcore.dev is forbidden: User "system:serviceaccount:${NS}:robot" cannot list resource "memories" in API group "agentcore.dev" in the namespace "${NS}"`);
  });

  it('sends the initial state then the initial-events-end bookmark when asked for initial events', async () => {
    await call('POST', MEMORIES, memory('initial-a', { metadata: { labels: { initial: 'yes' } } }));
    await call('POST', MEMORIES, memory('initial-b', { metadata: { labels: { initial: 'yes' } } }));
    const answer = await kubeRequest(cluster.controlPlane!, 'GET', `${MEMORIES}?watch=true&labelSelector=initial%3Dyes&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`);
    const events = eventsOf(answer.text);
    expect(events.slice(0, 3).map((e) => `${e.type} ${e.object.metadata.name ?? ''}`)).toEqual(['ADDED initial-a', 'ADDED initial-b', 'BOOKMARK ']);
    expect(events[2]!.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('takes faults and drops watches through the fault proxy’s admin endpoints', async () => {
    const admin = (path: string, body: unknown) => kubeRequest({ ...cluster.controlPlane!, url: proxy.url }, 'POST', `/_admin/${path}`, { body: JSON.stringify(body), token: null });
    expect((await admin('faults', { rules: [{ type: 'status', code: 500, verb: 'list', resource: 'memories', times: 1 }] })).status).toBe(200);
    const failed = await callTo('proxy', 'GET', MEMORIES);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'Internal error occurred: injected fault' });
    expect((await callTo('proxy', 'GET', MEMORIES)).status).toBe(200);

    // A watch of the real apiserver through the proxy is open once the client has its headers; dropping it ends it cleanly.
    const kc = new KubeConfig();
    kc.loadFromFile(proxyKubeconfig);
    let ended!: (error: unknown) => void;
    const done = new Promise<unknown>((resolve) => (ended = resolve));
    const request = await new Watch(kc).watch(MEMORIES, {}, () => undefined, (error: unknown) => ended(error));
    try {
      expect(JSON.parse((await admin('drop-watches', {})).text)).toEqual({ dropped: 1 });
      expect(await done).toBeNull();
    } finally {
      request.abort();
    }
  });

  it('refuses a delete whose preconditions no longer hold', async () => {
    const created = (await call('POST', MEMORIES, memory('preconditioned'))).body;
    const moved = (await call('PATCH', `${MEMORIES}/preconditioned`, { metadata: { labels: { moved: 'yes' } } }, MERGE)).body;
    const stale = await call('DELETE', `${MEMORIES}/preconditioned`, { preconditions: { resourceVersion: created.metadata.resourceVersion } });
    expect(stale.status).toBe(409);
    // The registry checks preconditions before the storage does, and names the kind rather than the resource.
    expect(stale.body.message).toBe(
      `Operation cannot be fulfilled on Memory.agentcore.dev "preconditioned": the ResourceVersion in the precondition (${created.metadata.resourceVersion}) does not match the ResourceVersion in record (${moved.metadata.resourceVersion}). The object might have been modified`,
    );
    const wrongUid = await call('DELETE', `${MEMORIES}/preconditioned`, { preconditions: { uid: 'not-the-uid' } });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.body.message).toBe(
      `Operation cannot be fulfilled on Memory.agentcore.dev "preconditioned": the UID in the precondition (not-the-uid) does not match the UID in record (${created.metadata.uid}). The object might have been deleted and then recreated`,
    );
    expect((await call('DELETE', `${MEMORIES}/preconditioned`, { preconditions: { uid: created.metadata.uid } })).status).toBe(200);
  });

  // The operator's Events name the object's namespace and a type: the apiserver refuses them otherwise.
  it('refuses an Event whose object is in no namespace, an events.k8s.io Event without a type, and a changed note', async () => {
    const core = await call('POST', `/api/v1/namespaces/${NS}/events`, { metadata: { name: 'no-namespace' }, involvedObject: { kind: 'Memory', name: 'm' }, reason: 'Created', message: 'one' });
    expect(core.status).toBe(422);
    expect(core.body).toMatchObject({ reason: 'Invalid', message: 'Event "no-namespace" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace' });
    const event = { metadata: { name: 'no-type' }, regarding: { kind: 'Memory', name: 'm', namespace: NS }, reason: 'Created', note: 'one', action: 'Create', reportingController: 'agentcore.dev/operator', reportingInstance: 'op-1', eventTime: '2026-01-01T00:00:00.000000Z' };
    const untyped = await call('POST', `/apis/events.k8s.io/v1/namespaces/${NS}/events`, event);
    expect(untyped.status).toBe(422);
    expect(untyped.body).toMatchObject({ reason: 'Invalid', message: 'Event "no-type" is invalid: type: Invalid value: "": has invalid value: ' });
    const unplaced = await call('POST', `/apis/events.k8s.io/v1/namespaces/${NS}/events`, { ...event, metadata: { name: 'no-namespace' }, type: 'Normal', regarding: { kind: 'Memory', name: 'm' } });
    expect(unplaced.body.message).toBe('Event "no-namespace" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace');
    // Only the series of an events.k8s.io Event may change: a repeat is a new Event or a series count, never a new note.
    const recorded = await call('POST', `/apis/events.k8s.io/v1/namespaces/${NS}/events`, { ...event, metadata: { name: 'recorded' }, type: 'Normal' });
    expect(recorded.status).toBe(201);
    const renoted = await call('PUT', `/apis/events.k8s.io/v1/namespaces/${NS}/events/recorded`, { ...recorded.body, note: 'two' });
    expect(renoted.status).toBe(422);
    expect(renoted.body.message).toBe('Event "recorded" is invalid: message: Invalid value: "two": field is immutable');
  });

  it.each([
    ['/api/v1', 'configmaps', { data: { a: '1' } }, { data: { a: '2' } }],
    ['/api/v1', 'secrets', { stringData: { a: '1' } }, { data: { a: 'Mg==' } }],
    ['/api/v1', 'serviceaccounts', {}, { automountServiceAccountToken: false }],
    ['/api/v1', 'events', { involvedObject: { kind: 'Memory', name: 'm', namespace: NS }, reason: 'Created', message: 'one' }, { message: 'two' }],
    ['/apis/events.k8s.io/v1', 'events', { regarding: { kind: 'Memory', name: 'm', namespace: NS }, type: 'Normal', reason: 'Created', note: 'one', action: 'Create', reportingController: 'agentcore.dev/operator', reportingInstance: 'op-1', eventTime: '2026-01-01T00:00:00.000000Z' }, { series: { count: 2, lastObservedTime: '2026-01-01T00:01:00.000000Z' } }],
    ['/apis/coordination.k8s.io/v1', 'leases', { spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }, { spec: { holderIdentity: 'b', leaseDurationSeconds: 15 } }],
    ['/apis/rbac.authorization.k8s.io/v1', 'roles', { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }, { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] }],
    ['/apis/rbac.authorization.k8s.io/v1', 'rolebindings', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [] }, { subjects: [{ kind: 'User', name: 'u' }] }],
  ])('serves %s %s: create, get, list, update, delete', async (prefix, plural, content, change) => {
    const collection = `${prefix}/namespaces/${NS}/${plural}`;
    const name = `crud-${prefix.split('/').at(-2)}-${plural}`.replace(/[^a-z0-9-]/g, '-');
    const created = await call('POST', collection, { metadata: { name, labels: { crud: name } }, ...content });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name, namespace: NS, uid: expect.any(String), resourceVersion: expect.any(String) });
    expect((await call('GET', `${collection}/${name}`)).body.metadata.uid).toBe(created.body.metadata.uid);
    expect(((await call('GET', `${collection}?labelSelector=crud%3D${name}`)).body.items as Loose[]).map((o) => o.metadata.name)).toEqual([name]);
    const updated = await call('PUT', `${collection}/${name}`, { ...created.body, ...change });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject(change);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
    expect((await call('DELETE', `${collection}/${name}`)).status).toBe(200);
    expect((await call('GET', `${collection}/${name}`)).status).toBe(404);
  });
});
