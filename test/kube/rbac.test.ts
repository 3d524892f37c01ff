/**
 * Authentication and RBAC as kubectl meets them: a service account's token from `kubectl create token`
 * is allowed what its Role and ClusterRole bindings grant and refused the rest, with the apiserver's
 * Forbidden message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { createNamespace, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { serviceAccountUser } from '../support/kube-apiserver/rbac.js';

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

beforeAll(async () => {
  cluster = await startTestCluster();
  await cluster.kubectl(['apply', '-f', join(repoRoot, 'crds')]);
  await createNamespace(cluster, NS);
  const applied = await cluster.kubectl(['apply', '-f', '-'], POLICY.map((o) => JSON.stringify(o)).join('\n---\n'));
  expect(applied.stderr).toBe('');
  const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, stringData: { k: 'v' } });
  expect((await cluster.kubectl(['apply', '-f', '-'], [secret('readable'), secret('hidden')].map((o) => JSON.stringify(o)).join('\n---\n'))).code).toBe(0);
  // `kubectl create token` sends a protobuf TokenRequest, which the test server does not decode.
  if (cluster.server) {
    token = cluster.server.tokenFor(serviceAccountUser(NS, 'operator'));
  } else {
    const created = await cluster.kubectl(['create', 'token', 'operator', '-n', NS]);
    expect(created.code).toBe(0);
    token = created.stdout.trim();
  }
}, 60_000);

afterAll(async () => {
  await cluster.kubectl(['delete', 'namespace', NS, '--wait=false']);
  await cluster.kubectl(['delete', 'clusterrole,clusterrolebinding', 'rbac-test-crd-reader']);
  await cluster.close();
});

describe('RBAC', () => {
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

  it('refuses a request without a token', async () => {
    const anonymous = await cluster.kubectl(['--token=not-a-real-token', 'get', 'namespaces']);
    expect(anonymous.stderr).toContain('Unauthorized');
  });
});
