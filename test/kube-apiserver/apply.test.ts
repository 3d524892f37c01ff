import { describe, expect, test } from '@jest/globals';
import { fieldPaths, serverSideApply, trackUpdate } from '../support/kube-apiserver/apply.js';
import { ApiError } from '../support/kube-apiserver/types.js';
import type { KubeObject, ManagedFieldsEntry } from '../support/kube-apiserver/types.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';

function cm(data: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', ...extra }, data };
}

/** What the store adds on create: the server-owned metadata that is never part of field ownership. */
function stored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '5', creationTimestamp: T0 } };
}

function entries(obj: KubeObject): ManagedFieldsEntry[] {
  return obj.metadata.managedFields ?? [];
}

function entry(obj: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return entries(obj).find((e) => e.manager === manager);
}

function owned(obj: KubeObject, manager: string): string[] {
  const e = entry(obj, manager);
  return e ? fieldPaths(e.fieldsV1) : [];
}

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const apply = (current: KubeObject | undefined, applied: KubeObject, manager: string, now: string, force = false): KubeObject =>
  serverSideApply(current, applied, { manager, force, now }).object;

describe('serverSideApply', () => {
  test('create: the object gets the applied fields and one Apply entry', () => {
    const obj = apply(undefined, cm({ a: '1' }, { labels: { app: 'x' } }), 'kubectl', T0);
    expect(obj.data).toEqual({ a: '1' });
    expect(obj.metadata.labels).toEqual({ app: 'x' });
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
      },
    ]);
  });

  test('re-applying the same config changes nothing, not even the time', () => {
    const first = stored(apply(undefined, cm({ a: '1' }), 'kubectl', T0));
    const again = apply(first, cm({ a: '1' }), 'kubectl', T1);
    expect(again).toEqual(first);
  });

  test('a field dropped from the config is removed and no longer owned', () => {
    const first = stored(apply(undefined, cm({ a: '1', b: '2' }, { labels: { app: 'x' } }), 'kubectl', T0));
    const next = apply(first, cm({ a: '1' }), 'kubectl', T1);
    expect(next.data).toEqual({ a: '1' });
    expect(next.metadata.labels).toBeUndefined();
    expect(owned(next, 'kubectl')).toEqual(['.data.a']);
    expect(entry(next, 'kubectl')?.time).toBe(T1);
    expect(next.metadata.uid).toBe('u-1');
  });

  test('a dropped field another manager also owns stays', () => {
    const first = stored(apply(undefined, cm({ a: '1', b: '2' }), 'one', T0));
    const shared = apply(first, cm({ b: '2' }), 'two', T1);
    const next = apply(shared, cm({ a: '1' }), 'one', T2);
    expect(next.data).toEqual({ a: '1', b: '2' });
    expect(owned(next, 'one')).toEqual(['.data.a']);
    expect(owned(next, 'two')).toEqual(['.data.b']);
  });

  test('a field set by an Update is not pruned when the applier drops it', () => {
    const first = stored(apply(undefined, cm({ a: '1' }), 'kubectl', T0));
    const edited = trackUpdate(first, cm({ a: '1', z: '9' }, { ...first.metadata }), { manager: 'editor', now: T1 });
    const next = apply(edited, cm({ a: '2' }), 'kubectl', T2);
    expect(next.data).toEqual({ a: '2', z: '9' });
  });

  describe('conflicts', () => {
    const base = stored(apply(undefined, cm({ a: '1', b: '1' }), 'kubectl', T0));
    const controller = trackUpdate(base, { ...base, data: { a: '2', b: '2' } }, { manager: 'controller', now: T1 });

    test('a changed value owned by another manager is a 409', () => {
      const err = failure(() => apply(controller, cm({ a: '3', b: '2' }), 'kubectl', T2));
      expect(err.code).toBe(409);
      expect(err.status()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Apply failed with 1 conflict: conflict with "controller" using v1: .data.a',
        reason: 'Conflict',
        details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "controller" using v1', field: '.data.a' }] },
        code: 409,
      });
    });

    test('several conflicts are listed per manager', () => {
      const err = failure(() => apply(controller, cm({ a: '3', b: '3' }), 'kubectl', T2));
      expect(err.message).toBe('Apply failed with 2 conflicts: conflicts with "controller" using v1:\n- .data.a\n- .data.b');
      expect(err.details?.causes).toHaveLength(2);
    });

    test('conflicts with several managers, an Apply manager named without apiVersion', () => {
      const other = apply(controller, cm({ c: '1' }), 'helm', T2);
      const err = failure(() => apply(other, cm({ a: '9', c: '2' }), 'kubectl', T2));
      expect(err.message).toBe(
        'Apply failed with 2 conflicts: conflicts with "controller" using v1:\n- .data.a\nconflicts with "helm":\n- .data.c',
      );
    });

    test('the same value is shared ownership, not a conflict', () => {
      const next = apply(controller, cm({ a: '2', b: '2' }), 'kubectl', T2);
      expect(next.data).toEqual({ a: '2', b: '2' });
      expect(owned(next, 'kubectl')).toEqual(['.data.a', '.data.b']);
      expect(owned(next, 'controller')).toEqual(['.data.a', '.data.b']);
    });

    test('force takes the fields over', () => {
      const next = serverSideApply(controller, cm({ a: '3', b: '2' }), { manager: 'kubectl', force: true, now: T2 }).object;
      expect(next.data).toEqual({ a: '3', b: '2' });
      expect(owned(next, 'controller')).toEqual(['.data.b']);
      expect(owned(next, 'kubectl')).toEqual(['.data.a', '.data.b']);
    });

    test('force that takes every field drops the other entry', () => {
      const next = serverSideApply(controller, cm({ a: '3', b: '3' }), { manager: 'kubectl', force: true, now: T2 }).object;
      expect(entries(next).map((e) => e.manager)).toEqual(['kubectl']);
    });
  });

  test('kubectl apply --server-side over a client-side apply with identical values does not conflict', () => {
    const lastApplied = JSON.stringify(cm({ a: '1' }));
    const created = trackUpdate(undefined, cm({ a: '1' }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }), {
      manager: 'kubectl-client-side-apply',
      now: T0,
    });
    expect(entry(created, 'kubectl-client-side-apply')?.fieldsV1).toEqual({
      'f:data': { '.': {}, 'f:a': {} },
      'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
    });
    const next = apply(stored(created), cm({ a: '1' }), 'kubectl', T1);
    expect(owned(next, 'kubectl')).toEqual(['.data.a']);
    expect(entries(next).map((e) => [e.manager, e.operation])).toEqual([
      ['kubectl', 'Apply'],
      ['kubectl-client-side-apply', 'Update'],
    ]);
  });

  test('finalizers are a set: an applier adds to a controller-added finalizer', () => {
    const base = stored(apply(undefined, cm({ a: '1' }), 'kubectl', T0));
    const withFinalizer = trackUpdate(base, { ...base, metadata: { ...base.metadata, finalizers: ['ctrl/a'] } }, { manager: 'ctrl', now: T1 });
    expect(entry(withFinalizer, 'ctrl')?.fieldsV1).toEqual({ 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"ctrl/a"': {} } } });
    const next = apply(withFinalizer, cm({ a: '1' }, { finalizers: ['user/b'] }), 'kubectl', T2);
    expect(next.metadata.finalizers).toEqual(['ctrl/a', 'user/b']);
    expect(owned(next, 'kubectl')).toEqual(['.data.a', '.metadata.finalizers[="user/b"]']);
    const dropped = apply(next, cm({ a: '1' }), 'kubectl', T2);
    expect(dropped.metadata.finalizers).toEqual(['ctrl/a']);
  });

  test('keyed lists given by the caller merge per item and report item paths', () => {
    const listTypes = { 'spec.containers': { keys: ['name'] } };
    const pod = (containers: Record<string, unknown>[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } });
    const one = serverSideApply(undefined, pod([{ name: 'a', image: 'a:1' }]), { manager: 'one', force: false, now: T0, listTypes }).object;
    expect(entry(one, 'one')?.fieldsV1).toEqual({
      'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    });
    const two = serverSideApply(one, pod([{ name: 'b', image: 'b:1' }]), { manager: 'two', force: false, now: T1, listTypes }).object;
    expect(two.spec).toEqual({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] });
    const err = failure(() => serverSideApply(two, pod([{ name: 'a', image: 'a:2' }]), { manager: 'two', force: false, now: T2, listTypes }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "one": .spec.containers[name="a"].image');
    // `two` no longer applies container b, which nobody else owns: it goes.
    const moved = serverSideApply(two, pod([{ name: 'a', image: 'a:2' }]), { manager: 'two', force: true, now: T2, listTypes }).object;
    expect(moved.spec).toEqual({ containers: [{ name: 'a', image: 'a:2' }] });
    expect(fieldPaths(entry(moved, 'one')?.fieldsV1 ?? {})).toEqual(['.spec.containers[name="a"]', '.spec.containers[name="a"].name']);
  });

  test('lists are atomic by default: the whole list is one leaf', () => {
    const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ verbs: ['get'] }] };
    const obj = apply(undefined, role, 'kubectl', T0);
    expect(entry(obj, 'kubectl')?.fieldsV1).toEqual({ 'f:rules': {} });
    expect(entry(obj, 'kubectl')?.apiVersion).toBe('rbac.authorization.k8s.io/v1');
  });

  test('ignored top-level fields are neither written nor owned; subresource entries are separate', () => {
    const cr = (spec: unknown, status: unknown): KubeObject => ({ apiVersion: 'x.io/v1', kind: 'W', metadata: { name: 'w' }, spec, status });
    const main = serverSideApply(undefined, cr({ n: 1 }, { ready: true }), { manager: 'kubectl', force: false, now: T0, ignoreTopLevel: ['status'] }).object;
    expect(main.status).toBeUndefined();
    expect(owned(main, 'kubectl')).toEqual(['.spec.n']);
    const status = serverSideApply(stored(main), cr({ n: 2 }, { ready: true }), {
      manager: 'ctrl',
      force: false,
      now: T1,
      subresource: 'status',
      ignoreTopLevel: ['spec', 'metadata'],
    }).object;
    expect(status.spec).toEqual({ n: 1 });
    expect(status.status).toEqual({ ready: true });
    expect(entry(status, 'ctrl')).toMatchObject({ operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:ready': {} } } });
  });

  test('an applier owning nothing has no entry', () => {
    const obj = apply(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' } }, 'kubectl', T0);
    expect(obj.metadata.managedFields).toBeUndefined();
    // an empty map is a leaf, so applying `data: {}` owns it
    expect(owned(apply(undefined, cm({}), 'kubectl', T0), 'kubectl')).toEqual(['.data']);
  });

  test.each<[string, KubeObject, Record<string, unknown>, string]>([
    ['managedFields in the config', cm({}, { managedFields: [] }), {}, 'metadata.managedFields must be nil'],
    [
      'another apiVersion',
      { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'cfg' } },
      { expectedApiVersion: 'v1' },
      'Incorrect version specified in apply patch. Specified patch version: v2, expected: v1',
    ],
  ])('%s is a 400', (_name, applied, extra, message) => {
    const err = failure(() => serverSideApply(undefined, applied, { manager: 'm', force: false, now: T0, ...extra }));
    expect([err.code, err.reason, err.message]).toEqual([400, 'BadRequest', message]);
  });
});

describe('trackUpdate', () => {
  test('create: changed fields owned with Update, new maps marked with "."', () => {
    const obj = trackUpdate(undefined, cm({ a: '1' }, { labels: { app: 'x' }, uid: 'u', resourceVersion: '1' }), { manager: 'kubectl-create', now: T0 });
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      },
    ]);
  });

  test.each<[string, Record<string, string>, string[], string[], string | undefined]>([
    ['changing a field moves it to the updater', { a: '2', b: '1' }, ['.data', '.data.b'], ['.data.a'], T1],
    ['adding a field gives it to the updater', { a: '1', b: '1', c: '1' }, ['.data', '.data.a', '.data.b'], ['.data.c'], T1],
    ['removing a field takes it from everyone', { b: '1' }, ['.data', '.data.b'], [], undefined],
    ['an unchanged object leaves managedFields alone', { a: '1', b: '1' }, ['.data', '.data.a', '.data.b'], [], undefined],
  ])('%s', (_name, data, creatorOwns, updaterOwns, updaterTime) => {
    const created = stored(trackUpdate(undefined, cm({ a: '1', b: '1' }), { manager: 'creator', now: T0 }));
    const next = trackUpdate(created, { ...created, data }, { manager: 'updater', now: T1 });
    expect(owned(next, 'creator')).toEqual(creatorOwns);
    expect(owned(next, 'updater')).toEqual(updaterOwns);
    expect(entry(next, 'updater')?.time).toBe(updaterTime);
    expect(entry(next, 'creator')?.time).toBe(T0);
  });

  test('the same manager accumulates fields in one entry and its time moves', () => {
    const created = stored(trackUpdate(undefined, cm({ a: '1' }), { manager: 'm', now: T0 }));
    const next = trackUpdate(created, { ...created, data: { a: '1', b: '2' } }, { manager: 'm', now: T1 });
    expect(entries(next)).toHaveLength(1);
    expect(owned(next, 'm')).toEqual(['.data', '.data.a', '.data.b']);
    expect(entry(next, 'm')?.time).toBe(T1);
  });

  test('an update takes fields from an Apply owner; entries left empty are dropped', () => {
    const applied = stored(apply(undefined, cm({ a: '1' }), 'kubectl', T0));
    const next = trackUpdate(applied, { ...applied, data: { a: '2' } }, { manager: 'editor', now: T1 });
    expect(entries(next).map((e) => [e.manager, e.operation])).toEqual([['editor', 'Update']]);
    expect(owned(next, 'editor')).toEqual(['.data.a']);
  });

  test('entries are sorted Apply first, then by time', () => {
    const applied = stored(apply(undefined, cm({ a: '1' }), 'kubectl', T1));
    const next = trackUpdate(applied, { ...applied, data: { a: '1', b: '1' } }, { manager: 'editor', now: T0 });
    const later = trackUpdate(next, { ...next, data: { a: '1', b: '1', c: '1' } }, { manager: 'another', now: T2 });
    expect(entries(later).map((e) => e.manager)).toEqual(['kubectl', 'editor', 'another']);
  });

  test('a status subresource update gets its own entry', () => {
    const cr: KubeObject = { apiVersion: 'x.io/v1', kind: 'W', metadata: { name: 'w' }, spec: { n: 1 } };
    const created = trackUpdate(undefined, cr, { manager: 'kubectl', now: T0 });
    const next = trackUpdate(created, { ...created, status: { ready: true } }, { manager: 'ctrl', now: T1, subresource: 'status' });
    expect(entry(next, 'ctrl')).toMatchObject({ operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': { '.': {}, 'f:ready': {} } } });
  });

  test('managedFields supplied by the request replace the stored ones', () => {
    const created = stored(trackUpdate(undefined, cm({ a: '1' }), { manager: 'creator', now: T0 }));
    const given: ManagedFieldsEntry[] = [
      { manager: 'someone', operation: 'Apply', apiVersion: 'v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
    ];
    const next = trackUpdate(created, { ...created, metadata: { ...created.metadata, managedFields: given } }, { manager: 'x', now: T1 });
    expect(next.metadata.managedFields).toEqual(given);
  });

  test('managedFields [{}] strips them', () => {
    const created = stored(trackUpdate(undefined, cm({ a: '1' }), { manager: 'creator', now: T0 }));
    const reset = { ...created, metadata: { ...created.metadata, managedFields: [{}] as unknown as ManagedFieldsEntry[] } };
    expect(trackUpdate(created, reset, { manager: 'x', now: T1 }).metadata.managedFields).toBeUndefined();
  });

  test('an empty managedFields list keeps the stored ones', () => {
    const created = stored(trackUpdate(undefined, cm({ a: '1' }), { manager: 'creator', now: T0 }));
    const next = trackUpdate(created, { ...created, metadata: { ...created.metadata, managedFields: [] } }, { manager: 'x', now: T1 });
    expect(next.metadata.managedFields).toEqual(created.metadata.managedFields);
  });
});
