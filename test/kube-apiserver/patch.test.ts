import { describe, expect, test } from '@jest/globals';
import { jsonPatch, mergePatch, strategicMergePatch } from '../support/kube-apiserver/patch.js';
import { ApiError } from '../support/kube-apiserver/types.js';

const INVALID = 'the server rejected our request due to an error in our request';

function failure(fn: () => unknown): { code: number; reason: string; message: string; status: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, reason: err.reason, message: err.message, status: err.status() };
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('mergePatch (RFC 7386)', () => {
  test.each<[string, unknown, unknown, unknown]>([
    ['replaces a scalar', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['adds a key', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    ['null deletes a key', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    ['nested merge', { m: { a: 1, b: 2 } }, { m: { b: null, c: 3 } }, { m: { a: 1, c: 3 } }],
    ['arrays are replaced', { l: [1, 2] }, { l: [3] }, { l: [3] }],
    ['object replaces scalar, nulls dropped', { a: 'x' }, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    ['scalar replaces object', { a: { b: 1 } }, { a: 2 }, { a: 2 }],
    ['deleting a missing key is a no-op', { a: 1 }, { z: null }, { a: 1 }],
    ['labels as kubectl label sends them', { metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { a: null, c: '3' } } }, { metadata: { labels: { b: '2', c: '3' } } }],
  ])('%s', (_name, target, patch, expected) => {
    const before = JSON.stringify(target);
    expect(mergePatch(target, patch)).toEqual(expected);
    expect(JSON.stringify(target)).toBe(before);
  });

  test('a null patch is 400 Invalid JSON Patch', () => {
    expect(failure(() => mergePatch({}, null))).toMatchObject({ code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' });
  });
});

describe('jsonPatch (RFC 6902)', () => {
  const doc = { metadata: { labels: { 'a/b': 'x', 'c~d': 'y' } }, spec: { list: [1, 2, 3], n: 1 } };

  test.each<[string, unknown, unknown]>([
    ['add a key', [{ op: 'add', path: '/spec/m', value: 5 }], { ...doc, spec: { ...doc.spec, m: 5 } }],
    ['add replaces an existing key', [{ op: 'add', path: '/spec/n', value: 2 }], { ...doc, spec: { ...doc.spec, n: 2 } }],
    ['add inserts into an array', [{ op: 'add', path: '/spec/list/1', value: 9 }], { ...doc, spec: { ...doc.spec, list: [1, 9, 2, 3] } }],
    ['add "-" appends', [{ op: 'add', path: '/spec/list/-', value: 4 }], { ...doc, spec: { ...doc.spec, list: [1, 2, 3, 4] } }],
    ['remove an array item', [{ op: 'remove', path: '/spec/list/0' }], { ...doc, spec: { ...doc.spec, list: [2, 3] } }],
    ['~1 escapes /', [{ op: 'remove', path: '/metadata/labels/a~1b' }], { ...doc, metadata: { labels: { 'c~d': 'y' } } }],
    ['~0 escapes ~', [{ op: 'replace', path: '/metadata/labels/c~0d', value: 'z' }], { ...doc, metadata: { labels: { 'a/b': 'x', 'c~d': 'z' } } }],
    ['replace', [{ op: 'replace', path: '/spec/n', value: 7 }], { ...doc, spec: { ...doc.spec, n: 7 } }],
    ['move', [{ op: 'move', from: '/spec/n', path: '/spec/k' }], { ...doc, spec: { list: [1, 2, 3], k: 1 } }],
    ['copy', [{ op: 'copy', from: '/spec/n', path: '/spec/k' }], { ...doc, spec: { ...doc.spec, k: 1 } }],
    ['test passes then applies', [{ op: 'test', path: '/spec/list', value: [1, 2, 3] }, { op: 'remove', path: '/spec/n' }], { ...doc, spec: { list: [1, 2, 3] } }],
    ['replace the whole document', [{ op: 'replace', path: '', value: { a: 1 } }], { a: 1 }],
    ['null patch is no operations', null, doc],
  ])('%s', (_name, ops, expected) => {
    const before = JSON.stringify(doc);
    expect(jsonPatch(doc, ops)).toEqual(expected);
    expect(JSON.stringify(doc)).toBe(before);
  });

  test.each<[string, unknown]>([
    ['failed test', [{ op: 'test', path: '/spec/n', value: 2 }]],
    ['remove a missing key', [{ op: 'remove', path: '/spec/missing' }]],
    ['replace a missing key', [{ op: 'replace', path: '/spec/missing', value: 1 }]],
    ['add under a missing parent', [{ op: 'add', path: '/nope/x', value: 1 }]],
    ['index out of range', [{ op: 'add', path: '/spec/list/9', value: 1 }]],
    ['leading-zero index', [{ op: 'remove', path: '/spec/list/01' }]],
    ['unknown op', [{ op: 'frob', path: '/spec/n' }]],
    ['path without leading slash', [{ op: 'remove', path: 'spec/n' }]],
    ['move into its own child', [{ op: 'move', from: '/spec', path: '/spec/x' }]],
    ['add without value', [{ op: 'add', path: '/spec/x' }]],
  ])('%s is 422 Invalid with the generic message', (_name, ops) => {
    const f = failure(() => jsonPatch(doc, ops));
    expect(f).toMatchObject({ code: 422, reason: 'Invalid', message: INVALID });
    expect(f.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: INVALID,
      reason: 'Invalid',
      details: {},
      code: 422,
    });
  });

  test.each<[string, unknown, string]>([
    ['an object', { op: 'add' }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['a list of strings', ['add'], 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'],
  ])('a patch that is %s is 400 BadRequest', (_name, ops, message) => {
    expect(failure(() => jsonPatch(doc, ops))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });
});

describe('strategicMergePatch', () => {
  test.each<[string, unknown, unknown, unknown]>([
    ['maps merge, null deletes', { data: { a: '1', b: '2' } }, { data: { a: null, c: '3' } }, { data: { b: '2', c: '3' } }],
    ['lists without a merge key are replaced', { rules: [{ verbs: ['get'] }] }, { rules: [{ verbs: ['list'] }] }, { rules: [{ verbs: ['list'] }] }],
    [
      'finalizers merge as a set',
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { finalizers: ['b', 'c'] } },
      { metadata: { finalizers: ['a', 'b', 'c'] } },
    ],
    [
      '$deleteFromPrimitiveList',
      { metadata: { finalizers: ['a', 'b', 'c'] } },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
      { metadata: { finalizers: ['a', 'c'] } },
    ],
    [
      'ownerReferences merge by uid',
      { metadata: { ownerReferences: [{ uid: '1', name: 'a' }, { uid: '2', name: 'b' }] } },
      { metadata: { ownerReferences: [{ uid: '2', name: 'B' }, { uid: '3', name: 'c' }] } },
      { metadata: { ownerReferences: [{ uid: '1', name: 'a' }, { uid: '2', name: 'B' }, { uid: '3', name: 'c' }] } },
    ],
    [
      'containers merge by name, env by name, inside a pod template',
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'side', image: 's' }] } } } },
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'a:2', env: [{ name: 'Y', value: '2' }] }] } } } },
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'app', image: 'a:2', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] },
                { name: 'side', image: 's' },
              ],
            },
          },
        },
      },
    ],
    [
      '$patch: delete on a list item',
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
      { spec: { containers: [{ name: 'b' }] } },
    ],
    [
      '$patch: replace on a list',
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      { spec: { containers: [{ name: 'c' }, { $patch: 'replace' }] } },
      { spec: { containers: [{ name: 'c' }] } },
    ],
    ['$patch: replace on a map', { data: { a: '1', b: '2' } }, { data: { $patch: 'replace', c: '3' } }, { data: { c: '3' } }],
    ['$patch: delete on a map', { data: { a: '1' }, keep: 1 }, { data: { $patch: 'delete' } }, { keep: 1 }],
    [
      '$setElementOrder orders a merged list',
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'x' }] } },
      { spec: { containers: [{ name: 'b' }, { name: 'a', image: 'x' }] } },
    ],
    [
      '$retainKeys drops unlisted keys',
      { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      { spec: { strategy: { type: 'Recreate' } } },
    ],
    [
      'kubectl apply style annotation patch',
      { metadata: { name: 'x', annotations: { keep: '1' } }, data: { a: '1' } },
      { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, data: { a: '2' } },
      { metadata: { name: 'x', annotations: { keep: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, data: { a: '2' } },
    ],
    ['new nested maps drop nulls', {}, { spec: { a: { b: null, c: 1 } } }, { spec: { a: { c: 1 } } }],
  ])('%s', (_name, target, patch, expected) => {
    const before = JSON.stringify(target);
    expect(strategicMergePatch(target, patch)).toEqual(expected);
    expect(JSON.stringify(target)).toBe(before);
  });

  test('caller-supplied merge keys replace the built-in table', () => {
    const target = { spec: { items: [{ id: 1, v: 'a' }], containers: [{ name: 'a' }] } };
    const patch = { spec: { items: [{ id: 2, v: 'b' }], containers: [{ name: 'b' }] } };
    expect(strategicMergePatch(target, patch, { 'spec.items': 'id' })).toEqual({
      spec: { items: [{ id: 1, v: 'a' }, { id: 2, v: 'b' }], containers: [{ name: 'b' }] },
    });
  });

  test.each<[string, unknown, unknown, number, string, string]>([
    ['a non-object patch', {}, [1], 400, 'BadRequest', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['a bad $deleteFromPrimitiveList', {}, { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }, 400, 'BadRequest', 'invalid patch format of primitive list'],
    ['a bad $retainKeys', {}, { spec: { $retainKeys: 'x' } }, 400, 'BadRequest', 'invalid patch format of retainKeys'],
    ['a bad $setElementOrder', {}, { spec: { '$setElementOrder/containers': 'x' } }, 400, 'BadRequest', 'invalid patch format of setElementOrder list'],
    ['patch keys outside $retainKeys', {}, { spec: { $retainKeys: ['a'], b: 1 } }, 422, 'Invalid', INVALID],
    ['an unknown $patch', { data: {} }, { data: { $patch: 'frob' } }, 500, '', 'unknown patch type: frob in map: map[$patch:frob]'],
    ['an item without its merge key', { spec: { containers: [] } }, { spec: { containers: [{ image: 'x' }] } }, 500, '', 'map: map[image:x] does not contain declared merge key: name'],
  ])('%s fails as the apiserver answers', (_name, target, patch, code, reason, message) => {
    expect(failure(() => strategicMergePatch(target, patch))).toMatchObject({ code, reason, message });
  });
});
