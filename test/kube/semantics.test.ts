/**
 * The apiserver rules the operator leans on, checked on the wire: resourceVersion and generation,
 * field validation, namespace and CRD deletion, selector watches, the 410 answer and injected faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeConfig, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../helpers/cli.js';
import { kubeRequest } from '../helpers/kube.js';
import { startKubeServer, type RunningKubeServer } from '../support/kube-apiserver/server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read back from the server, checked field by field
type Loose = Record<string, any>;

let server: RunningKubeServer;
const NS = 'semantics';
const MEMORIES = `/apis/agentcore.dev/v1alpha1/namespaces/${NS}/memories`;

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const answer = await kubeRequest(server, method, path, { body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': contentType } });
  return { status: answer.status, warning: answer.headers.warning, body: (answer.text ? JSON.parse(answer.text) : {}) as Loose };
}

function memory(name: string, extra: Loose = {}): Loose {
  return { apiVersion: 'agentcore.dev/v1alpha1', kind: 'Memory', metadata: { name, ...extra.metadata }, spec: { eventExpiryDays: 30, ...extra.spec } };
}

async function installCrds(): Promise<void> {
  for (const file of ['agentcore.dev_memories.yaml', 'agentcore.dev_agentruntimes.yaml']) {
    const crd = parseYaml(readFileSync(join(repoRoot, 'crds', file), 'utf8'));
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
  }
  expect((await call('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status).toBe(201);
}

beforeAll(async () => {
  server = await startKubeServer({ historyLimit: 10, bookmarkIntervalMs: 100 });
});

beforeEach(async () => {
  server.reset();
  await installCrds();
});

afterAll(async () => {
  await server.close();
});

describe('the apiserver rules', () => {
  it('bumps resourceVersion only on a real change, and generation only on a spec change', async () => {
    const created = (await call('POST', MEMORIES, memory('m'))).body;
    expect(created.metadata.generation).toBe(1);
    const same = (await call('PUT', `${MEMORIES}/m`, created)).body;
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const labelled = (await call('PATCH', `${MEMORIES}/m`, { metadata: { labels: { team: 'a' } } }, 'application/merge-patch+json')).body;
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(labelled.metadata.generation).toBe(1);
    const changed = (await call('PATCH', `${MEMORIES}/m`, { spec: { eventExpiryDays: 60 } }, 'application/merge-patch+json')).body;
    expect(changed.metadata.generation).toBe(2);
    const status = (await call('PATCH', `${MEMORIES}/m/status`, { status: { memoryId: 'mem-1' } }, 'application/merge-patch+json')).body;
    expect(status.metadata.generation).toBe(2);
    expect(status.status.memoryId).toBe('mem-1');
  });

  it('refuses unknown fields under Strict, warns under Warn and prunes them', async () => {
    const strict = await call('POST', `${MEMORIES}?fieldValidation=Strict`, memory('s', { spec: { colour: 'blue' } }));
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec.colour"');
    const warned = await call('POST', `${MEMORIES}?fieldValidation=Warn`, memory('w', { spec: { colour: 'blue' } }));
    expect(warned.status).toBe(201);
    expect(warned.warning).toBe('299 - "unknown field \\"spec.colour\\""');
    expect(warned.body.spec.colour).toBeUndefined();
  });

  it('terminates a namespace with its content, waiting for finalizers, and refuses new content meanwhile', async () => {
    await call('POST', MEMORIES, memory('held', { metadata: { finalizers: ['agentcore.dev/finalizer'] } }));
    await call('POST', MEMORIES, memory('free'));
    expect((await call('DELETE', `/api/v1/namespaces/${NS}`)).status).toBe(202);
    const ns = (await call('GET', `/api/v1/namespaces/${NS}`)).body;
    expect(ns.status.phase).toBe('Terminating');
    expect((await call('GET', `${MEMORIES}/free`)).status).toBe(404);
    expect((await call('GET', `${MEMORIES}/held`)).body.metadata.deletionTimestamp).toEqual(expect.any(String));
    const refused = await call('POST', MEMORIES, memory('late'));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(`memories.agentcore.dev "late" is forbidden: unable to create new content in namespace ${NS} because it is being terminated`);
    await call('PATCH', `${MEMORIES}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect((await call('GET', `/api/v1/namespaces/${NS}`)).status).toBe(404);
  });

  it('stops serving a kind when its CRD is deleted, after deleting its objects', async () => {
    await call('POST', MEMORIES, memory('m'));
    expect((await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/memories.agentcore.dev')).status).toBe(200);
    expect((await call('GET', MEMORIES)).body.message).toBe('the server could not find the requested resource');
    const apis = (await call('GET', '/apis/agentcore.dev/v1alpha1')).body;
    expect((apis.resources as { name: string }[]).map((r) => r.name)).toEqual(['agentruntimes', 'agentruntimes/status']);
  });

  it('turns objects entering and leaving a label selector into ADDED and DELETED watch events', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const events: string[] = [];
    const request = await new Watch(kc).watch(MEMORIES, { labelSelector: 'team=a' }, (type: string, o: KubernetesObject) => events.push(`${type} ${o.metadata?.name}`), () => undefined);
    try {
      await call('POST', MEMORIES, memory('m'));
      await call('PATCH', `${MEMORIES}/m`, { metadata: { labels: { team: 'a' } } }, 'application/merge-patch+json');
      await call('PATCH', `${MEMORIES}/m`, { spec: { eventExpiryDays: 45 } }, 'application/merge-patch+json');
      await call('PATCH', `${MEMORIES}/m`, { metadata: { labels: { team: 'b' } } }, 'application/merge-patch+json');
      const deadline = Date.now() + 5000;
      while (events.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      request.abort();
    }
    expect(events).toEqual(['ADDED m', 'MODIFIED m', 'DELETED m']);
  });

  it('answers a watch from before its history with a 410 ERROR event', async () => {
    const first = (await call('POST', MEMORIES, memory('m'))).body.metadata.resourceVersion as string;
    for (let i = 0; i < 12; i++) await call('PATCH', `${MEMORIES}/m`, { metadata: { labels: { n: String(i) } } }, 'application/merge-patch+json');
    const answer = await kubeRequest(server, 'GET', `${MEMORIES}?watch=true&resourceVersion=${first}`);
    expect(answer.status).toBe(200);
    const [event] = answer.text.trim().split('\n').map((line) => JSON.parse(line) as Loose);
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(event!.object.message).toMatch(new RegExp(`^too old resource version: ${first} \\(\\d+\\)$`));
  });

  it('injects a conflict on the next status write only', async () => {
    await call('POST', MEMORIES, memory('m'));
    server.faults.set([{ type: 'status', code: 409, verb: 'patch', subresource: 'status', times: 1 }]);
    const refused = await call('PATCH', `${MEMORIES}/m/status`, { status: { memoryId: 'x' } }, 'application/merge-patch+json');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('Operation cannot be fulfilled on memories.agentcore.dev "m": the object has been modified; please apply your changes to the latest version and try again');
    expect((await call('PATCH', `${MEMORIES}/m/status`, { status: { memoryId: 'x' } }, 'application/merge-patch+json')).status).toBe(200);
  });

  it('mints a service account token through TokenRequest that authenticates as the account', async () => {
    await call('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: 'robot' } });
    const minted = await call('POST', `/api/v1/namespaces/${NS}/serviceaccounts/robot/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } });
    expect(minted.status).toBe(201);
    const answer = await kubeRequest(server, 'GET', MEMORIES, { token: minted.body.status.token as string });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).message).toBe(`memories.agentcore.dev is forbidden: User "system:serviceaccount:${NS}:robot" cannot list resource "memories" in API group "agentcore.dev" in the namespace "${NS}"`);
  });

  it('sends the initial state then the initial-events-end bookmark when asked for initial events', async () => {
    await call('POST', MEMORIES, memory('a'));
    await call('POST', MEMORIES, memory('b'));
    const answer = await kubeRequest(server, 'GET', `${MEMORIES}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`);
    const events = answer.text.trim().split('\n').map((line) => JSON.parse(line) as Loose);
    expect(events.slice(0, 3).map((e) => `${e.type} ${e.object.metadata.name ?? ''}`)).toEqual(['ADDED a', 'ADDED b', 'BOOKMARK ']);
    expect(events[2]!.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('takes faults and drops watches through its admin endpoints', async () => {
    const admin = (path: string, body: unknown) => kubeRequest(server, 'POST', `/_admin/${path}`, { body: JSON.stringify(body), token: null });
    expect((await admin('faults', { rules: [{ type: 'status', code: 500, verb: 'list', times: 1 }] })).status).toBe(200);
    const failed = await call('GET', MEMORIES);
    expect(failed.body).toMatchObject({ code: 500, reason: 'InternalError', message: 'Internal error occurred: injected fault' });
    expect((await call('GET', MEMORIES)).status).toBe(200);
    const watching = kubeRequest(server, 'GET', `${MEMORIES}?watch=true`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(JSON.parse((await admin('drop-watches', {})).text)).toEqual({ dropped: 1 });
    expect((await watching).status).toBe(200);
  });

  it('refuses a delete whose preconditions no longer hold', async () => {
    const created = (await call('POST', MEMORIES, memory('m'))).body;
    await call('PATCH', `${MEMORIES}/m`, { metadata: { labels: { moved: 'yes' } } }, 'application/merge-patch+json');
    const stale = await call('DELETE', `${MEMORIES}/m`, { preconditions: { resourceVersion: created.metadata.resourceVersion } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/^Operation cannot be fulfilled on memories.agentcore.dev "m": Precondition failed: ResourceVersion in precondition: \d+, ResourceVersion in object meta: \d+$/);
    const wrongUid = await call('DELETE', `${MEMORIES}/m`, { preconditions: { uid: 'not-the-uid' } });
    expect(wrongUid.body.message).toBe(`Operation cannot be fulfilled on memories.agentcore.dev "m": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${created.metadata.uid}`);
    expect((await call('DELETE', `${MEMORIES}/m`, { preconditions: { uid: created.metadata.uid } })).status).toBe(200);
  });

  it.each([
    ['/api/v1', 'configmaps', { data: { a: '1' } }, { data: { a: '2' } }],
    ['/api/v1', 'secrets', { stringData: { a: '1' } }, { data: { a: 'Mg==' } }],
    ['/api/v1', 'serviceaccounts', {}, { automountServiceAccountToken: false }],
    ['/api/v1', 'events', { involvedObject: { kind: 'Memory', name: 'm' }, reason: 'Created', message: 'one' }, { message: 'two' }],
    ['/apis/events.k8s.io/v1', 'events', { regarding: { kind: 'Memory', name: 'm' }, reason: 'Created', note: 'one', action: 'Create', reportingController: 'agentcore.dev/operator', reportingInstance: 'op-1', eventTime: '2026-01-01T00:00:00.000000Z' }, { note: 'two' }],
    ['/apis/coordination.k8s.io/v1', 'leases', { spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }, { spec: { holderIdentity: 'b', leaseDurationSeconds: 15 } }],
    ['/apis/rbac.authorization.k8s.io/v1', 'roles', { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }, { rules: [] }],
    ['/apis/rbac.authorization.k8s.io/v1', 'rolebindings', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [] }, { subjects: [{ kind: 'User', name: 'u' }] }],
  ])('serves %s %s: create, get, list, update, delete', async (prefix, plural, content, change) => {
    const collection = `${prefix}/namespaces/${NS}/${plural}`;
    const created = await call('POST', collection, { metadata: { name: 'x' }, ...content });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'x', namespace: NS, uid: expect.any(String), resourceVersion: expect.any(String) });
    expect((await call('GET', `${collection}/x`)).body.metadata.uid).toBe(created.body.metadata.uid);
    expect(((await call('GET', collection)).body.items as Loose[]).map((o) => o.metadata.name)).toEqual(['x']);
    const updated = await call('PUT', `${collection}/x`, { ...created.body, ...change });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject(change);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
    expect((await call('DELETE', `${collection}/x`)).status).toBe(200);
    expect((await call('GET', `${collection}/x`)).status).toBe(404);
  });
});
