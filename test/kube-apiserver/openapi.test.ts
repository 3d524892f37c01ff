import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { hashOf, openApiV3Document, openApiV3DocumentForPath, openApiV3Paths, schemaNameOf } from '../support/kube-apiserver/openapi.js';
import { typesFromCrd } from '../support/kube-apiserver/resources.js';
import type { KubeObject, ResourceType } from '../support/kube-apiserver/types.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function crdTypes(): ResourceType[] {
  const dir = new URL('../../crds/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => typesFromCrd(parse(readFileSync(new URL(f, dir), 'utf8')) as KubeObject));
}

function builtIn(group: string, kind: string, plural: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return { group, version: 'v1', kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [], categories: [], namespaced, verbs: ALL_VERBS, statusSubresource: false, printerColumns: [], custom: false, ...extra };
}

const custom = crdTypes();
const builtIns = [
  builtIn('', 'Namespace', 'namespaces', false, { statusSubresource: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  builtIn('', 'Secret', 'secrets', true),
  builtIn('', 'ConfigMap', 'configmaps', true),
  builtIn('', 'ServiceAccount', 'serviceaccounts', true),
  builtIn('', 'Event', 'events', true),
  builtIn('coordination.k8s.io', 'Lease', 'leases', true),
  builtIn('rbac.authorization.k8s.io', 'Role', 'roles', true),
  builtIn('rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false),
  builtIn('apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', false, { statusSubresource: true }),
  builtIn('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
];
const types = [...builtIns, ...custom];

type Doc = { openapi: string; info: Record<string, unknown>; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, Record<string, unknown>> } };
const crdDoc = openApiV3Document('agentcore.dev/v1alpha1', types) as unknown as Doc;
const coreDoc = openApiV3Document('v1', types) as unknown as Doc;

describe('/openapi/v3 index', () => {
  const index = openApiV3Paths(types) as { paths: Record<string, { serverRelativeURL: string }> };

  test('one entry per group-version plus the discovery documents', () => {
    expect(Object.keys(index.paths).sort()).toEqual(
      ['api', 'api/v1', 'apis', 'apis/agentcore.dev/v1alpha1', 'apis/apiextensions.k8s.io/v1', 'apis/authorization.k8s.io/v1', 'apis/coordination.k8s.io/v1', 'apis/rbac.authorization.k8s.io/v1', 'version'].sort(),
    );
  });

  test.each(['api/v1', 'apis/agentcore.dev/v1alpha1', 'api', 'apis', 'version'])('%s points at its document by hash', (key) => {
    const document = openApiV3DocumentForPath(key, types)!;
    expect(index.paths[key]!.serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${hashOf(document)}`);
    expect(hashOf(document)).toMatch(/^[0-9A-F]{128}$/);
  });

  test('the hash is stable and follows the content', () => {
    expect(hashOf(openApiV3Document('v1', types))).toBe(hashOf(openApiV3Document('v1', types)));
    expect(hashOf(openApiV3Document('v1', types))).not.toBe(hashOf(openApiV3Document('v1', builtIns.slice(1))));
  });

  test('unknown paths have no document', () => {
    expect(openApiV3DocumentForPath('apis/nope.dev/v1', types)).toBeUndefined();
  });
});

describe('custom resource document', () => {
  test('envelope', () => {
    expect(crdDoc.openapi).toBe('3.0.0');
    expect(crdDoc.info).toMatchObject({ title: 'Kubernetes' });
  });

  test('paths for every resource of the group-version', () => {
    const prefix = '/apis/agentcore.dev/v1alpha1';
    const expected = custom.flatMap((t) => [
      `${prefix}/${t.plural}`,
      `${prefix}/namespaces/{namespace}/${t.plural}`,
      `${prefix}/namespaces/{namespace}/${t.plural}/{name}`,
      `${prefix}/namespaces/{namespace}/${t.plural}/{name}/status`,
    ]);
    expect(Object.keys(crdDoc.paths).sort()).toEqual(expected.sort());
    const item = crdDoc.paths[`${prefix}/namespaces/{namespace}/agentruntimes/{name}`]!;
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'parameters', 'patch', 'put']);
    expect(Object.keys(crdDoc.paths[`${prefix}/namespaces/{namespace}/agentruntimes`]!).sort()).toEqual(['delete', 'get', 'parameters', 'post']);
    expect(Object.keys(crdDoc.paths[`${prefix}/agentruntimes`]!).sort()).toEqual(['get', 'parameters']);
  });

  test.each<[string, string, string]>([
    ['/namespaces/{namespace}/agentruntimes', 'post', 'post'],
    ['/namespaces/{namespace}/agentruntimes/{name}', 'put', 'put'],
    ['/namespaces/{namespace}/agentruntimes/{name}', 'patch', 'patch'],
    ['/namespaces/{namespace}/agentruntimes/{name}/status', 'patch', 'patch'],
    ['/namespaces/{namespace}/agentruntimes/{name}/status', 'put', 'put'],
  ])('%s %s declares fieldValidation, dryRun and fieldManager and carries the GVK', (path, method, action) => {
    const op = crdDoc.paths[`/apis/agentcore.dev/v1alpha1${path}`]![method]!;
    const names = (op.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager']));
    expect(op['x-kubernetes-group-version-kind']).toEqual({ group: 'agentcore.dev', kind: 'AgentRuntime', version: 'v1alpha1' });
    expect(op['x-kubernetes-action']).toBe(action);
  });

  test('custom resources are never patched with a strategic merge patch', () => {
    const op = crdDoc.paths['/apis/agentcore.dev/v1alpha1/namespaces/{namespace}/agentruntimes/{name}']!.patch!;
    const contentTypes = Object.keys((op.requestBody as { content: Record<string, unknown> }).content);
    expect(contentTypes).toEqual(['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
  });

  test('schemas are named by reversed group, version and kind, with their GVK', () => {
    const names = Object.keys(crdDoc.components.schemas);
    for (const t of custom) {
      expect(names).toContain(`dev.agentcore.v1alpha1.${t.kind}`);
      expect(names).toContain(`dev.agentcore.v1alpha1.${t.listKind}`);
      expect(crdDoc.components.schemas[`dev.agentcore.v1alpha1.${t.kind}`]!['x-kubernetes-group-version-kind']).toEqual([{ group: 'agentcore.dev', kind: t.kind, version: 'v1alpha1' }]);
      expect(crdDoc.components.schemas[`dev.agentcore.v1alpha1.${t.listKind}`]!['x-kubernetes-group-version-kind']).toEqual([{ group: 'agentcore.dev', kind: t.listKind, version: 'v1alpha1' }]);
    }
    expect(names).toEqual(expect.arrayContaining(['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch']));
  });

  test('the kind schema is the CRD schema with metadata referring to ObjectMeta', () => {
    const schema = crdDoc.components.schemas['dev.agentcore.v1alpha1.AgentRuntime']!;
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(schema.description).toBe('An AgentCore runtime: a container image or code zip served as an agent, with its named endpoints.');
    expect(properties.metadata).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] });
    expect((properties.spec as { description: string }).description).toBe('The desired state of an AgentCore runtime.');
    const artifact = (properties.spec!.properties as Record<string, Record<string, unknown>>).artifact!;
    expect(artifact.description).toBe('What the runtime runs: a container image or a code zip. Exactly one.');
    expect(Object.keys(properties).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  test('the list schema holds items of the kind and ListMeta', () => {
    const list = crdDoc.components.schemas['dev.agentcore.v1alpha1.AgentRuntimeList']!;
    const properties = list.properties as Record<string, Record<string, unknown>>;
    expect(list.required).toEqual(['items']);
    expect(properties.items).toMatchObject({ type: 'array', items: { allOf: [{ $ref: '#/components/schemas/dev.agentcore.v1alpha1.AgentRuntime' }] } });
    expect(properties.metadata).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }] });
  });

  test('the input CRD schema is not modified', () => {
    const runtime = custom.find((t) => t.kind === 'AgentRuntime')!;
    expect((runtime.schema!.properties as Record<string, unknown>).metadata).toEqual({ type: 'object' });
  });

  test('every $ref resolves inside the document', () => {
    for (const doc of [crdDoc, coreDoc]) {
      const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
      expect(refs.length).toBeGreaterThan(0);
      for (const name of refs) expect(Object.keys(doc.components.schemas)).toContain(name);
    }
  });
});

describe('built-in documents', () => {
  test.each<[string, string]>([
    ['v1', 'io.k8s.api.core.v1.Secret'],
    ['v1', 'io.k8s.api.core.v1.Namespace'],
    ['coordination.k8s.io/v1', 'io.k8s.api.coordination.v1.Lease'],
    ['rbac.authorization.k8s.io/v1', 'io.k8s.api.rbac.v1.ClusterRoleBinding'],
    ['apiextensions.k8s.io/v1', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'],
    ['authorization.k8s.io/v1', 'io.k8s.api.authorization.v1.SelfSubjectAccessReview'],
  ])('%s has %s with its GVK', (groupVersion, name) => {
    const doc = openApiV3Document(groupVersion, types) as unknown as Doc;
    const schema = doc.components.schemas[name]!;
    const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group, kind: name.split('.').pop(), version }]);
  });

  test('built-in PATCH operations accept strategic merge patches and declare fieldValidation', () => {
    const op = coreDoc.paths['/api/v1/namespaces/{namespace}/secrets/{name}']!.patch!;
    expect(Object.keys((op.requestBody as { content: Record<string, unknown> }).content)).toContain('application/strategic-merge-patch+json');
    expect((op.parameters as { name: string }[]).map((p) => p.name)).toContain('fieldValidation');
    expect(op.operationId).toBe('patchCoreV1NamespacedSecret');
    expect(coreDoc.paths['/api/v1/namespaces/{name}/status']!.patch!.operationId).toBe('patchCoreV1NamespaceStatus');
  });

  test('only the verbs a type serves become operations', () => {
    const doc = openApiV3Document('authorization.k8s.io/v1', types) as unknown as Doc;
    expect(Object.keys(doc.paths)).toEqual(['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']);
    expect(Object.keys(doc.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']!).sort()).toEqual(['parameters', 'post']);
  });

  test.each<[string, string, Record<string, unknown>]>([
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers', { 'x-kubernetes-patch-strategy': 'merge' }],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences', { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid' }],
    ['io.k8s.api.core.v1.ServiceAccount', 'secrets', { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' }],
  ])('%s.%s carries strategic merge patch metadata', (schemaName, field, extensions) => {
    const properties = coreDoc.components.schemas[schemaName]!.properties as Record<string, Record<string, unknown>>;
    expect(properties[field]).toMatchObject(extensions);
  });

  test('ObjectMeta fields have descriptions', () => {
    const properties = coreDoc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.properties as Record<string, { description?: string }>;
    for (const field of ['name', 'namespace', 'labels', 'annotations', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'finalizers', 'ownerReferences', 'managedFields']) {
      expect(properties[field]?.description).toBeTruthy();
    }
  });

  test.each<[Partial<ResourceType>, string]>([
    [{ group: '', version: 'v1', kind: 'Secret', custom: false }, 'io.k8s.api.core.v1.Secret'],
    [{ group: 'events.k8s.io', version: 'v1', kind: 'Event', custom: false }, 'io.k8s.api.events.v1.Event'],
    [{ group: 'agentcore.dev', version: 'v1alpha1', kind: 'Gateway', custom: true }, 'dev.agentcore.v1alpha1.Gateway'],
    [{ group: 'stable.example.com', version: 'v1', kind: 'CronTab', custom: true }, 'com.example.stable.v1.CronTab'],
  ])('schemaNameOf(%j)', (type, name) => {
    expect(schemaNameOf(type as ResourceType)).toBe(name);
  });
});
