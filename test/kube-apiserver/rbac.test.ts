import { describe, expect, test } from '@jest/globals';
import {
  authorize,
  bootstrapPolicy,
  forbidden,
  serviceAccountUser,
  type RbacObjects,
  type RequestAttributes,
  type UserInfo,
} from '../support/kube-apiserver/rbac.js';
import type { KubeObject } from '../support/kube-apiserver/types.js';

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';

function role(namespace: string, name: string, rules: Record<string, unknown>[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'Role', metadata: { name, namespace }, rules };
}
function clusterRole(name: string, rules: Record<string, unknown>[], extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name }, rules, ...extra };
}
function roleBinding(namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: Record<string, unknown>[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects };
}
function clusterRoleBinding(name: string, roleName: string, subjects: Record<string, unknown>[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects };
}

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const bob: UserInfo = { name: 'bob', groups: ['devs', 'system:authenticated'] };
const carol: UserInfo = { name: 'carol', groups: ['system:authenticated'] };
const sa = serviceAccountUser('team-a', 'operator');
const otherSa = serviceAccountUser('team-b', 'operator');
const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const admin: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

const AC = 'agentcore.dev';

const POLICY: RbacObjects = {
  roles: [
    role('team-a', 'runtime-reader', [{ apiGroups: [AC], resources: ['agentruntimes'], verbs: ['get', 'list', 'watch'] }]),
    role('team-a', 'status-writer', [{ apiGroups: [AC], resources: ['agentruntimes/status'], verbs: ['patch', 'update'] }]),
    role('team-a', 'one-secret', [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['creds'], verbs: ['get', 'list', 'update', 'create', 'delete'] }]),
  ],
  clusterRoles: [
    clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]),
    clusterRole('node-viewer', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]),
    clusterRole('everything-in-ac', [{ apiGroups: [AC], resources: ['*'], verbs: ['*'] }]),
    clusterRole('any-status', [{ apiGroups: ['*'], resources: ['*/status'], verbs: ['get'] }]),
    clusterRole('metrics-reader', [{ nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] }]),
    clusterRole('aggregate-view', [], {
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-view': 'true' } }] },
    }),
    {
      ...clusterRole('gateway-view', [{ apiGroups: [AC], resources: ['gateways'], verbs: ['get'] }]),
      metadata: { name: 'gateway-view', labels: { 'example.com/aggregate-to-view': 'true' } },
    },
  ],
  roleBindings: [
    roleBinding('team-a', 'alice-reads', { kind: 'Role', name: 'runtime-reader' }, [{ kind: 'User', name: 'alice' }]),
    roleBinding('team-a', 'sa-status', { kind: 'Role', name: 'status-writer' }, [{ kind: 'ServiceAccount', name: 'operator' }]),
    roleBinding('team-a', 'bob-secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [{ kind: 'Group', name: 'devs' }]),
    roleBinding('team-a', 'carol-one-secret', { kind: 'Role', name: 'one-secret' }, [{ kind: 'User', name: 'carol' }]),
    roleBinding('team-a', 'dangling', { kind: 'ClusterRole', name: 'does-not-exist' }, [{ kind: 'User', name: 'dave' }]),
    roleBinding('team-b', 'wrong-ns-sa', { kind: 'ClusterRole', name: 'everything-in-ac' }, [{ kind: 'ServiceAccount', name: 'operator', namespace: 'team-a' }]),
  ],
  clusterRoleBindings: [
    clusterRoleBinding('bob-nodes', 'node-viewer', [{ kind: 'User', name: 'bob' }]),
    clusterRoleBinding('sa-ac', 'everything-in-ac', [{ kind: 'ServiceAccount', name: 'operator', namespace: 'team-b' }]),
    clusterRoleBinding('carol-status', 'any-status', [{ kind: 'User', name: 'carol' }]),
    clusterRoleBinding('monitoring', 'metrics-reader', [{ kind: 'Group', name: 'devs' }]),
    clusterRoleBinding('erin-view', 'aggregate-view', [{ kind: 'User', name: 'erin' }]),
  ],
};

function res(user: UserInfo, verb: string, resource: string, extra: Partial<RequestAttributes> = {}): RequestAttributes {
  return { user, verb, resourceRequest: true, apiGroup: '', resource, ...extra };
}
function url(user: UserInfo, verb: string, path: string): RequestAttributes {
  return { user, verb, resourceRequest: false, path };
}

describe('authorize', () => {
  test.each<[string, RequestAttributes, boolean]>([
    // Role via RoleBinding: only in its namespace.
    ['role grants in its namespace', res(alice, 'get', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x' }), true],
    ['role grants list', res(alice, 'list', 'agentruntimes', { apiGroup: AC, namespace: 'team-a' }), true],
    ['role does not grant other verbs', res(alice, 'delete', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x' }), false],
    ['role does not reach other namespaces', res(alice, 'get', 'agentruntimes', { apiGroup: AC, namespace: 'team-b', name: 'x' }), false],
    ['role does not grant cluster-wide', res(alice, 'list', 'agentruntimes', { apiGroup: AC }), false],
    ['role is group-specific', res(alice, 'get', 'agentruntimes', { apiGroup: 'other.dev', namespace: 'team-a', name: 'x' }), false],
    ['resource rule does not cover the subresource', res(alice, 'get', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x', subresource: 'status' }), false],
    // ClusterRole via RoleBinding: limited to the binding's namespace.
    ['clusterrole via rolebinding in namespace', res(bob, 'list', 'secrets', { namespace: 'team-a' }), true],
    ['clusterrole via rolebinding elsewhere', res(bob, 'list', 'secrets', { namespace: 'team-b' }), false],
    ['clusterrole via rolebinding at cluster scope', res(bob, 'list', 'secrets'), false],
    // ClusterRoleBinding: everywhere.
    ['clusterrolebinding cluster-scoped', res(bob, 'list', 'nodes'), true],
    ['clusterrolebinding in any namespace', res(bob, 'get', 'nodes', { name: 'n1' }), true],
    // ServiceAccount subjects.
    ['sa subject defaulted to the binding namespace', res(sa, 'patch', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x', subresource: 'status' }), true],
    ['sa subresource rule does not cover the main resource', res(sa, 'patch', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x' }), false],
    ['same-named sa in another namespace is not the subject', res(serviceAccountUser('team-c', 'operator'), 'patch', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x', subresource: 'status' }), false],
    ['sa with explicit namespace in a clusterrolebinding', res(otherSa, 'delete', 'gateways', { apiGroup: AC, namespace: 'prod', name: 'g' }), true],
    ['resources * covers subresources too', res(otherSa, 'update', 'agentruntimes', { apiGroup: AC, namespace: 'prod', name: 'g', subresource: 'status' }), true],
    ['rolebinding to an sa of another namespace grants there only', res(sa, 'create', 'gateways', { apiGroup: AC, namespace: 'team-b' }), true],
    ['... and not in the sa own namespace', res(sa, 'create', 'gateways', { apiGroup: AC, namespace: 'team-a' }), false],
    // */subresource.
    ['*/status matches any status subresource', res(carol, 'get', 'deployments', { apiGroup: 'apps', namespace: 'x', name: 'd', subresource: 'status' }), true],
    ['*/status does not match the main resource', res(carol, 'get', 'deployments', { apiGroup: 'apps', namespace: 'x', name: 'd' }), false],
    ['*/status does not match other subresources', res(carol, 'get', 'deployments', { apiGroup: 'apps', namespace: 'x', name: 'd', subresource: 'scale' }), false],
    // resourceNames.
    ['resourceNames allow the named object', res(carol, 'get', 'secrets', { namespace: 'team-a', name: 'creds' }), true],
    ['resourceNames deny other names', res(carol, 'get', 'secrets', { namespace: 'team-a', name: 'other' }), false],
    ['resourceNames never match list', res(carol, 'list', 'secrets', { namespace: 'team-a' }), false],
    ['resourceNames match list narrowed to the name', res(carol, 'list', 'secrets', { namespace: 'team-a', name: 'creds' }), true],
    ['resourceNames never match create', res(carol, 'create', 'secrets', { namespace: 'team-a' }), false],
    ['resourceNames match update by name', res(carol, 'update', 'secrets', { namespace: 'team-a', name: 'creds' }), true],
    // Aggregation.
    ['aggregated clusterrole gains the selected rules', res({ name: 'erin', groups: [] }, 'get', 'gateways', { apiGroup: AC, namespace: 'n', name: 'g' }), true],
    ['aggregated clusterrole gains nothing else', res({ name: 'erin', groups: [] }, 'list', 'gateways', { apiGroup: AC, namespace: 'n' }), false],
    // Masters.
    ['system:masters may do anything', res(admin, 'deletecollection', 'secrets', { namespace: 'kube-system' }), true],
    ['system:masters may hit any path', url(admin, 'post', '/anything'), true],
    // Non-resource URLs.
    ['exact nonResourceURL', url(bob, 'get', '/metrics'), true],
    ['prefix nonResourceURL', url(bob, 'get', '/logs/kube-apiserver.log'), true],
    ['prefix nonResourceURL needs the prefix', url(bob, 'get', '/logs'), false],
    ['nonResourceURL verb must match', url(bob, 'post', '/metrics'), false],
    ['nonResourceURL rules ignore resource requests', res(bob, 'get', 'metrics'), false],
    ['unbound user cannot read /metrics', url(alice, 'get', '/metrics'), false],
    // Bootstrap policy.
    ['authenticated users can discover /api', url(alice, 'get', '/api'), true],
    ['... /api/v1', url(alice, 'get', '/api/v1'), true],
    ['... /apis', url(alice, 'get', '/apis'), true],
    ['... /apis/agentcore.dev/v1alpha1', url(alice, 'get', '/apis/agentcore.dev/v1alpha1'), true],
    ['... /openapi/v3', url(alice, 'get', '/openapi/v3'), true],
    ['... /openapi/v2', url(sa, 'get', '/openapi/v2'), true],
    ['... /version', url(sa, 'get', '/version'), true],
    ['... /healthz', url(sa, 'get', '/healthz'), true],
    ['... /livez', url(sa, 'get', '/livez'), true],
    ['... /readyz', url(sa, 'get', '/readyz'), true],
    ['but not post to them', url(alice, 'post', '/apis'), false],
    ['authenticated users can create selfsubjectaccessreviews', res(sa, 'create', 'selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io' }), true],
    ['authenticated users can create selfsubjectrulesreviews', res(alice, 'create', 'selfsubjectrulesreviews', { apiGroup: 'authorization.k8s.io' }), true],
    ['but not subjectaccessreviews', res(alice, 'create', 'subjectaccessreviews', { apiGroup: 'authorization.k8s.io' }), false],
    ['anonymous users see health and version', url(anonymous, 'get', '/version'), true],
    ['anonymous users cannot discover', url(anonymous, 'get', '/apis'), false],
    ['anonymous users cannot read resources', res(anonymous, 'list', 'namespaces'), false],
    ['bound to cluster-admin by name', res({ name: 'root', groups: [] }, 'delete', 'nodes', { name: 'n' }), false],
  ])('%s', (_name, attrs, allowed) => {
    expect(authorize(attrs, POLICY).allowed).toBe(allowed);
  });

  test('the bootstrap cluster-admin ClusterRole can be bound', () => {
    const rbac: RbacObjects = { ...POLICY, clusterRoleBindings: [clusterRoleBinding('root-admin', 'cluster-admin', [{ kind: 'User', name: 'root' }])] };
    expect(authorize(res({ name: 'root', groups: [] }, 'delete', 'nodes', { name: 'n' }), rbac).allowed).toBe(true);
    expect(authorize(url({ name: 'root', groups: [] }, 'get', '/metrics'), rbac).allowed).toBe(true);
  });

  test('the bootstrap policy can be switched off', () => {
    expect(authorize(url(alice, 'get', '/apis'), POLICY, { bootstrap: false }).allowed).toBe(false);
  });

  test('a stored object with a bootstrap name replaces the built-in one', () => {
    const rbac: RbacObjects = { ...POLICY, clusterRoles: [clusterRole('system:discovery', [])] };
    expect(authorize(url(alice, 'get', '/apis'), rbac).allowed).toBe(false);
    expect(authorize(url(alice, 'get', '/version'), rbac).allowed).toBe(true); // system:public-info-viewer
  });

  test('bootstrapPolicy returns fresh, storable objects', () => {
    const policy = bootstrapPolicy();
    expect(policy.clusterRoles.map((r) => r.metadata.name)).toEqual(
      expect.arrayContaining(['cluster-admin', 'system:discovery', 'system:basic-user', 'system:public-info-viewer']),
    );
    expect(policy.clusterRoleBindings.find((b) => b.metadata.name === 'system:discovery')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:discovery' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }],
    });
    policy.clusterRoles[0]!.metadata.name = 'mutated';
    expect(bootstrapPolicy().clusterRoles[0]!.metadata.name).toBe('cluster-admin');
  });

  test.each<[string, RequestAttributes, RbacObjects, { allowed: boolean; reason?: string }]>([
    [
      'allowed by a ClusterRoleBinding',
      res(bob, 'list', 'nodes'),
      POLICY,
      { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "bob-nodes" of ClusterRole "node-viewer" to User "bob"' },
    ],
    [
      'allowed by a RoleBinding to a group',
      res(bob, 'get', 'secrets', { namespace: 'team-a', name: 's' }),
      POLICY,
      { allowed: true, reason: 'RBAC: allowed by RoleBinding "bob-secrets/team-a" of ClusterRole "secret-reader" to Group "devs"' },
    ],
    [
      'allowed by a RoleBinding to a ServiceAccount',
      res(sa, 'update', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x', subresource: 'status' }),
      POLICY,
      { allowed: true, reason: 'RBAC: allowed by RoleBinding "sa-status/team-a" of Role "status-writer" to ServiceAccount "operator/team-a"' },
    ],
    [
      'allowed by the bootstrap policy',
      url(alice, 'get', '/apis'),
      POLICY,
      { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"' },
    ],
    ['masters carry no reason', url(admin, 'get', '/x'), POLICY, { allowed: true }],
    ['plain denial carries no reason', res(alice, 'list', 'secrets'), POLICY, { allowed: false }],
    [
      'a missing role is reported',
      res({ name: 'dave', groups: [] }, 'get', 'pods', { namespace: 'team-a', name: 'p' }),
      POLICY,
      { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found' },
    ],
    [
      'several missing roles are aggregated',
      res({ name: 'dave', groups: [] }, 'get', 'pods', { namespace: 'team-a', name: 'p' }),
      {
        ...POLICY,
        roleBindings: [
          ...POLICY.roleBindings,
          roleBinding('team-a', 'dangling-role', { kind: 'Role', name: 'gone' }, [{ kind: 'User', name: 'dave' }]),
        ],
      },
      {
        allowed: false,
        reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "does-not-exist" not found, role.rbac.authorization.k8s.io "gone" not found]',
      },
    ],
  ])('%s', (_name, attrs, rbac, expected) => {
    expect(authorize(attrs, rbac)).toEqual(expected);
  });
});

describe('forbidden', () => {
  test.each<[string, RequestAttributes, string | undefined, string, Record<string, string>]>([
    [
      'named namespaced get of a custom resource',
      res(sa, 'get', 'agentruntimes', { apiGroup: AC, namespace: 'ns', name: 'x' }),
      undefined,
      'agentruntimes.agentcore.dev "x" is forbidden: User "system:serviceaccount:team-a:operator" cannot get resource "agentruntimes" in API group "agentcore.dev" in the namespace "ns"',
      { name: 'x', group: AC, kind: 'agentruntimes' },
    ],
    [
      'list without a name',
      res(serviceAccountUser('ns', 'sa'), 'list', 'agentruntimes', { apiGroup: AC, namespace: 'ns' }),
      undefined,
      'agentruntimes.agentcore.dev is forbidden: User "system:serviceaccount:ns:sa" cannot list resource "agentruntimes" in API group "agentcore.dev" in the namespace "ns"',
      { group: AC, kind: 'agentruntimes' },
    ],
    [
      'core group at the cluster scope',
      res({ name: 'u', groups: [] }, 'list', 'secrets'),
      undefined,
      'secrets is forbidden: User "u" cannot list resource "secrets" in API group "" at the cluster scope',
      { kind: 'secrets' },
    ],
    [
      'subresource',
      res({ name: 'u', groups: [] }, 'patch', 'agentruntimes', { apiGroup: AC, namespace: 'ns', name: 'x', subresource: 'status' }),
      undefined,
      'agentruntimes.agentcore.dev "x" is forbidden: User "u" cannot patch resource "agentruntimes/status" in API group "agentcore.dev" in the namespace "ns"',
      { name: 'x', group: AC, kind: 'agentruntimes' },
    ],
    [
      'non-resource path',
      url({ name: 'u', groups: [] }, 'get', '/metrics'),
      undefined,
      'forbidden: User "u" cannot get path "/metrics"',
      {},
    ],
    [
      'with the RBAC reason appended',
      res({ name: 'dave', groups: [] }, 'get', 'pods', { namespace: 'team-a', name: 'p' }),
      'RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found',
      'pods "p" is forbidden: User "dave" cannot get resource "pods" in API group "" in the namespace "team-a": RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found',
      { name: 'p', kind: 'pods' },
    ],
    [
      'HTML-looking characters are escaped',
      url({ name: '<script>&', groups: [] }, 'get', '/x'),
      undefined,
      'forbidden: User "&lt;script&gt;&amp;" cannot get path "/x"',
      {},
    ],
  ])('%s', (_name, attrs, reason, message, details) => {
    const err = forbidden(attrs, reason);
    expect(err.code).toBe(403);
    expect(err.reason).toBe('Forbidden');
    expect(err.message).toBe(message);
    expect(err.status()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason: 'Forbidden',
      details,
      code: 403,
    });
  });

  test('a denied decision turns into the matching 403', () => {
    const attrs = res(alice, 'delete', 'agentruntimes', { apiGroup: AC, namespace: 'team-a', name: 'x' });
    const decision = authorize(attrs, POLICY);
    expect(decision.allowed).toBe(false);
    expect(forbidden(attrs, decision.reason).message).toBe(
      'agentruntimes.agentcore.dev "x" is forbidden: User "alice" cannot delete resource "agentruntimes" in API group "agentcore.dev" in the namespace "team-a"',
    );
  });
});

describe('serviceAccountUser', () => {
  test('names and groups', () => {
    expect(serviceAccountUser('ns', 'sa')).toEqual({
      name: 'system:serviceaccount:ns:sa',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
    });
  });
});
