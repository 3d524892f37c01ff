/**
 * Authentication and RBAC as kubectl meets them: a service account's token from `kubectl create token`
 * is allowed what its Role and ClusterRole bindings grant and refused the rest, with the apiserver's
 * Forbidden message.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import { createNamespace, describeCluster, installCrds, startTestCluster, type TestCluster } from '../helpers/kube.js';

const NS = 'rbac-test';
let cluster: TestCluster;
let token: string;

const POLICY = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'operator', namespace: NS } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'runtimes-reader', namespace: NS },
    rules: [
      { apiGroups: ['agentcore.dev'], resources: ['agentruntimes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['agentcore.dev'], resources: ['agentruntimes/status'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['readable'], verbs: ['get'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'operator-runtimes', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'runtimes-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: NS }],
  },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'rbac-test-crd-reader' }, rules: [{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list'] }] },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'rbac-test-crd-reader' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbac-test-crd-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: NS }],
  },
];

async function asOperator(...args: string[]) {
  return cluster.kubectl([`--token=${token}`, ...args]);
}

describeCluster('RBAC', () => {
  beforeAll(async () => {
    cluster = await startTestCluster();
    await installCrds(cluster);
    await createNamespace(cluster, NS);
    const applied = await cluster.kubectl(['apply', '-f', '-'], POLICY.map((o) => JSON.stringify(o)).join('\n---\n'));
    expect(applied.stderr).toBe('');
    expect((await cluster.kubectl(['create', 'secret', 'generic', 'readable', '-n', NS, '--from-literal=k=v'])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'secret', 'generic', 'hidden', '-n', NS, '--from-literal=k=v'])).code).toBe(0);
    // The real TokenRequest, as `kubectl create token` sends it (protobuf).
    const created = await cluster.kubectl(['create', 'token', 'operator', '-n', NS]);
    expect(created.stderr).toBe('');
    token = created.stdout.trim();
  }, 60_000);

  afterAll(async () => {
    // The test control plane's close deletes what this file made; against KUBECONFIG's cluster, so does this.
    await cluster?.kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
    await cluster?.kubectl(['delete', 'clusterrole,clusterrolebinding', 'rbac-test-crd-reader', '--ignore-not-found']);
    await cluster?.close();
  });

  it('allows what the bindings grant', async () => {
    const list = await asOperator('get', 'agentruntimes', '-n', NS);
    expect(list.code).toBe(0);
    expect(list.stderr).toContain('No resources found');
    expect((await asOperator('get', 'crd', 'agentruntimes.agentcore.dev', '-o', 'name')).stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/agentruntimes.agentcore.dev');
    expect((await asOperator('get', 'secret', 'readable', '-n', NS, '-o', 'name')).stdout.trim()).toBe('secret/readable');
  });

  it('refuses the rest with the apiserver Forbidden message', async () => {
    const secrets = await asOperator('get', 'secrets', '-n', NS);
    expect(secrets.stderr.trim()).toBe(
      `Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:${NS}:operator" cannot list resource "secrets" in API group "" in the namespace "${NS}"`,
    );
    const hidden = await asOperator('get', 'secret', 'hidden', '-n', NS);
    expect(hidden.stderr.trim()).toBe(
      `Error from server (Forbidden): secrets "hidden" is forbidden: User "system:serviceaccount:${NS}:operator" cannot get resource "secrets" in API group "" in the namespace "${NS}"`,
    );
    const elsewhere = await asOperator('get', 'agentruntimes', '-n', 'default');
    expect(elsewhere.stderr).toContain('cannot list resource "agentruntimes" in API group "agentcore.dev" in the namespace "default"');
    const create = await asOperator('create', 'configmap', 'x', '-n', NS);
    expect(create.stderr).toContain('cannot create resource "configmaps" in API group "" in the namespace');
  });

  // kubectl auth can-i sends a protobuf SelfSubjectAccessReview; client-node sends the same review as JSON.
  it('answers a SelfSubjectAccessReview from the same rules', async () => {
    const canI = async (...args: string[]) => (await asOperator('auth', 'can-i', ...args, '-n', NS)).stdout.trim();
    expect(await canI('watch', 'agentruntimes.agentcore.dev')).toBe('yes');
    expect(await canI('patch', 'agentruntimes.agentcore.dev', '--subresource=status')).toBe('yes');
    expect(await canI('update', 'agentruntimes.agentcore.dev')).toBe('no');
    expect(await canI('list', 'secrets')).toBe('no');
    expect(await canI('get', 'secrets/readable')).toBe('yes');
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    kc.loadFromClusterAndUser(kc.getCurrentCluster()!, { name: 'operator', token });
    const reviews = kc.makeApiClient(AuthorizationV1Api);
    const ask = async (verb: string, group: string, resource: string, subresource?: string) =>
      (await reviews.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: NS, verb, group, resource, subresource } } } })).status?.allowed;
    expect(await ask('watch', 'agentcore.dev', 'agentruntimes')).toBe(true);
    expect(await ask('patch', 'agentcore.dev', 'agentruntimes', 'status')).toBe(true);
    expect(await ask('update', 'agentcore.dev', 'agentruntimes')).toBe(false);
    expect(await ask('list', '', 'secrets')).toBe(false);
  });

  it('refuses a token the apiserver does not know', async () => {
    const unknown = await cluster.kubectl(['--token=not-a-real-token', 'get', 'namespaces']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim()).toBe('error: You must be logged in to the server (Unauthorized)');
  });
});
