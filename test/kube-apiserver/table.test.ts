import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { humanDuration, toTable } from '../support/kube-apiserver/table.js';
import { typesFromCrd } from '../support/kube-apiserver/resources.js';
import type { KubeObject, PrinterColumn, ResourceType } from '../support/kube-apiserver/types.js';

function crdType(file: string): ResourceType {
  return typesFromCrd(parse(readFileSync(new URL(`../../crds/${file}`, import.meta.url), 'utf8')) as KubeObject)[0]!;
}

function builtIn(group: string, kind: string, namespaced = true): ResourceType {
  return {
    group,
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural: `${kind.toLowerCase()}s`,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced,
    verbs: ['get', 'list'],
    statusSubresource: false,
    printerColumns: [],
    custom: false,
  };
}

const NOW = new Date('2024-05-10T12:00:00Z');
const CREATED = '2024-05-10T11:55:00Z'; // 5m before NOW
const agentRuntime = crdType('agentcore.dev_agentruntimes.yaml');

function runtime(name: string, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'agentcore.dev/v1alpha1',
    kind: 'AgentRuntime',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', creationTimestamp: CREATED },
    spec: { artifact: { image: 'public.ecr.aws/acme/agent:1' } },
    ...(status ? { status } : {}),
  };
}

const READY_STATUS = {
  awsStatus: 'READY',
  version: '3',
  agentRuntimeId: 'agent-abc',
  agentRuntimeArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-abc',
  conditions: [
    { type: 'Synced', status: 'True', reason: 'Synced', message: 'spec applied' },
    { type: 'Ready', status: 'True', reason: 'Available', message: 'runtime is ready' },
  ],
};

describe('custom resource tables use the CRD printer columns', () => {
  const table = toTable(agentRuntime, [runtime('ready', READY_STATUS), runtime('fresh')], { resourceVersion: '42', now: NOW });

  test('Table envelope', () => {
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '42' } });
    expect((table.metadata as Record<string, unknown>).continue).toBeUndefined();
  });

  test('columns: Name, then additionalPrinterColumns with type, format, description and priority', () => {
    const columns = table.columnDefinitions as Record<string, unknown>[];
    expect(columns.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Version', 'string', '', 0],
      ['ID', 'string', '', 0],
      ['ARN', 'string', '', 1],
      ['Message', 'string', '', 1],
      ['Age', 'date', '', 0],
    ]);
    expect(columns[1]!.description).toBe('Whether the AWS resource is ready and matches the spec');
    expect(columns[0]!.description).toMatch(/^Name must be unique within a namespace/);
  });

  test.each<[string, unknown[]]>([
    ['ready', ['ready', 'True', 'READY', '3', 'agent-abc', READY_STATUS.agentRuntimeArn, 'runtime is ready', '5m']],
    ['fresh', ['fresh', null, null, null, null, null, null, '5m']],
  ])('cells of %s', (name, cells) => {
    const rows = table.rows as { cells: unknown[] }[];
    const row = rows.find((r) => r.cells[0] === name)!;
    expect(row.cells).toEqual(cells);
  });

  test('rows carry PartialObjectMetadata by default', () => {
    const row = (table.rows as { object: Record<string, unknown> }[])[0]!;
    expect(row.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: runtime('ready').metadata });
  });

  test.each<['None' | 'Object', (object: KubeObject) => unknown]>([
    ['None', () => null],
    ['Object', (object) => object],
  ])('includeObject=%s', (includeObject, expected) => {
    const object = runtime('ready', READY_STATUS);
    const t = toTable(agentRuntime, [object], { resourceVersion: '1', includeObject, continue: 'next', now: NOW });
    expect((t.rows as { object: unknown }[])[0]!.object).toEqual(expected(object));
    expect(t.metadata).toEqual({ resourceVersion: '1', continue: 'next' });
  });
});

describe('custom column types are formatted as apiextensions-apiserver formats them', () => {
  const columns: PrinterColumn[] = [
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
    { name: 'On', type: 'boolean', jsonPath: '.spec.on' },
    { name: 'Text', type: 'string', jsonPath: '.spec.value' },
    { name: 'When', type: 'date', jsonPath: '.spec.when' },
  ];
  const type: ResourceType = { ...agentRuntime, printerColumns: columns };
  test.each<[string, Record<string, unknown>, unknown[]]>([
    ['typed values', { replicas: 3, ratio: 0.25, on: true, value: 'x', when: '2024-05-08T12:00:00Z' }, [3, 0.25, true, 'x', '2d']],
    ['integer from a float, number from an int', { replicas: 2.7, ratio: 4 }, [2, 4, null, null, null]],
    ['mismatched types are null', { replicas: 'three', ratio: 'x', on: 'yes', when: 12 }, [null, null, null, null, null]],
    ['string columns print any value', { value: { b: [1, 2], a: true } }, [null, null, null, 'map[a:true b:[1 2]]', null]],
    ['string column of null', { value: null }, [null, null, null, '<no value>', null]],
    ['invalid date', { when: 'yesterday' }, [null, null, null, null, '<invalid>']],
  ])('%s', (_, spec, cells) => {
    const object: KubeObject = { apiVersion: 'agentcore.dev/v1alpha1', kind: 'AgentRuntime', metadata: { name: 'x' }, spec };
    const row = (toTable(type, [object], { resourceVersion: '1', now: NOW }).rows as { cells: unknown[] }[])[0]!;
    expect(row.cells.slice(1)).toEqual(cells);
  });

  test('a CRD without printer columns gets the default Age column', () => {
    const t = toTable({ ...agentRuntime, printerColumns: [] }, [runtime('a')], { resourceVersion: '1', now: NOW });
    expect((t.columnDefinitions as { name: string; type: string }[]).map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Age', 'date'],
    ]);
    expect((t.rows as { cells: unknown[] }[])[0]!.cells).toEqual(['a', '5m']);
  });

  test('a filter error makes the cell null', () => {
    const object = runtime('odd', { conditions: [{ status: 'True' }] }); // no type: client-go cannot compare
    const row = (toTable(agentRuntime, [object], { resourceVersion: '1', now: NOW }).rows as { cells: unknown[] }[])[0]!;
    expect(row.cells[1]).toBeNull();
  });
});

describe('built-in kinds use the apiserver printers', () => {
  const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: CREATED });
  test.each<[string, ResourceType, KubeObject, string[], unknown[]]>([
    ['Namespace', builtIn('', 'Namespace', false), { apiVersion: 'v1', kind: 'Namespace', metadata: meta('team'), status: { phase: 'Active' } }, ['Name', 'Status', 'Age'], ['team', 'Active', '5m']],
    ['Secret', builtIn('', 'Secret'), { apiVersion: 'v1', kind: 'Secret', metadata: meta('creds'), type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } }, ['Name', 'Type', 'Data', 'Age'], ['creds', 'Opaque', 2, '5m']],
    ['ConfigMap', builtIn('', 'ConfigMap'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cfg'), data: { a: '1' }, binaryData: { b: 'AA==' } }, ['Name', 'Data', 'Age'], ['cfg', 2, '5m']],
    ['ServiceAccount', builtIn('', 'ServiceAccount'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('sa') }, ['Name', 'Secrets', 'Age'], ['sa', 0, '5m']],
    ['Lease', builtIn('coordination.k8s.io', 'Lease'), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('leader'), spec: { holderIdentity: 'pod-1' } }, ['Name', 'Holder', 'Age'], ['leader', 'pod-1', '5m']],
    ['Role', builtIn('rbac.authorization.k8s.io', 'Role'), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('reader') }, ['Name', 'Created At'], ['reader', CREATED]],
    ['ClusterRole', builtIn('rbac.authorization.k8s.io', 'ClusterRole', false), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin' } }, ['Name', 'Created At'], ['admin', '0001-01-01T00:00:00Z']],
    ['CustomResourceDefinition', builtIn('apiextensions.k8s.io', 'CustomResourceDefinition', false), { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: meta('agentruntimes.agentcore.dev') }, ['Name', 'Created At'], ['agentruntimes.agentcore.dev', CREATED]],
    [
      'RoleBinding',
      builtIn('rbac.authorization.k8s.io', 'RoleBinding'),
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta('bind'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'op', namespace: 'system' }, { kind: 'User', name: 'bob' }],
      },
      ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts'],
      ['bind', 'ClusterRole/view', '5m', 'alice, bob', 'devs', 'system:op'],
    ],
    [
      'Event',
      builtIn('', 'Event'),
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: meta('agent.17a'),
        involvedObject: { kind: 'AgentRuntime', name: 'agent', namespace: 'default' },
        reason: 'Synced',
        message: 'runtime updated ',
        type: 'Normal',
        source: { component: 'agentcore-operator' },
        firstTimestamp: '2024-05-10T10:00:00Z',
        lastTimestamp: '2024-05-10T11:59:30Z',
        count: 4,
      },
      ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'],
      ['30s', 'Normal', 'Synced', 'agentruntime/agent', '', 'agentcore-operator', 'runtime updated', '120m', 4, 'agent.17a'],
    ],
  ])('%s', (_, type, object, columns, cells) => {
    const t = toTable(type, [object], { resourceVersion: '9', now: NOW });
    expect((t.columnDefinitions as { name: string }[]).map((c) => c.name)).toEqual(columns);
    expect((t.rows as { cells: unknown[] }[])[0]!.cells).toEqual(cells);
  });

  test('noHeaders leaves the column definitions out', () => {
    const t = toTable(builtIn('', 'Secret'), [], { resourceVersion: '3', noHeaders: true });
    expect(t.columnDefinitions).toBeUndefined();
    expect(t.rows).toEqual([]);
  });
});

describe('ages read like duration.HumanDuration', () => {
  const s = 1000;
  test.each<[number, string]>([
    [-5 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [125 * s, '2m5s'],
    [10 * 60 * s, '10m'],
    [179 * 60 * s, '179m'],
    [3 * 3600 * s, '3h'],
    [(3 * 3600 + 7 * 60) * s, '3h7m'],
    [8 * 3600 * s, '8h'],
    [47 * 3600 * s, '47h'],
    [48 * 3600 * s, '2d'],
    [(3 * 24 + 5) * 3600 * s, '3d5h'],
    [8 * 24 * 3600 * s, '8d'],
    [729 * 24 * 3600 * s, '729d'],
    [(2 * 365 + 10) * 24 * 3600 * s, '2y10d'],
    [9 * 365 * 24 * 3600 * s, '9y'],
  ])('%d ms', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
