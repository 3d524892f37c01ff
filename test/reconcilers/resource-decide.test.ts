/** The pipeline's decisions, as tables: pure functions of what was found and what the spec asks. */
import { describe, expect, test } from '@jest/globals';
import { approach, decideChanges, decideDelete, type ChangeInputs } from '../../src/reconcilers/resource/decide.js';
import type { Lifecycle } from '../../src/reconcilers/resource/kind.js';

const lifecycle: Lifecycle = {
  working: new Set(['CREATING', 'UPDATING', 'DELETING']),
  pending: { states: new Set(['CREATE_PENDING_AUTH']), why: 'consent' },
  failed: new Set(['UPDATE_FAILED']),
  dead: new Set(['FAILED']),
};
const ours = (state?: string) => ({ state, owned: true });
const theirs = (state?: string) => ({ state, owned: false });

describe('approach: what the resource as found calls for', () => {
  test.each([
    ['absent', undefined, false, { do: 'create' }],
    ['someone else\'s', theirs('READY'), false, { do: 'stall', why: 'not-ours' }],
    ['someone else\'s, on its way out', theirs('DELETING'), false, { do: 'wait', for: 'others-delete' }],
    ['someone else\'s, adopted', theirs('READY'), true, { do: 'compare' }],
    ['ours, AWS working on it', ours('UPDATING'), false, { do: 'wait', for: 'aws' }],
    ['ours, waiting for a user', ours('CREATE_PENDING_AUTH'), false, { do: 'wait', for: 'aws' }],
    ['ours, in a state only a delete leaves', ours('FAILED'), false, { do: 'stall', why: 'dead' }],
    ['ours, after a failed update (an update may fix it)', ours('UPDATE_FAILED'), false, { do: 'compare' }],
    ['ours, of a kind without states', ours(), false, { do: 'compare' }],
  ] as const)('%s', (_, found, adopt, expected) => {
    expect(approach(found, adopt, lifecycle)).toEqual(expected);
  });
});

describe('decideChanges: what the differences call for', () => {
  const field = { path: 'spec.description', from: 'a', to: 'b' };
  const kindChange = { path: 'spec.artifact', from: 'image', to: 'code', replace: true };
  const base: ChangeInputs = { changes: [], specUnchanged: false, replacement: 'refuse', push: false };
  test.each<[string, Partial<ChangeInputs>, unknown]>([
    ['no difference', {}, { do: 'nothing' }],
    ['a new spec', { changes: [field] }, { do: 'update', changes: [field], correcting: false, push: false }],
    ['drift, corrected', { changes: [field], specUnchanged: true }, { do: 'update', changes: [field], correcting: true, push: false }],
    ['drift, reported', { changes: [field], specUnchanged: true, driftPolicy: 'Report' }, { do: 'report', paths: ['spec.description'] }],
    ['a new spec under Report is applied', { changes: [field], driftPolicy: 'Report' }, { do: 'update', changes: [field], correcting: false, push: false }],
    ['a rotated secret is pushed whatever the policy', { specUnchanged: true, driftPolicy: 'Report', push: true }, { do: 'update', changes: [], correcting: true, push: true }],
    ['a replacement refused', { changes: [field, kindChange] }, { do: 'refuse', changes: [kindChange] }],
    ['a replacement the spec allows', { changes: [kindChange], replacement: 'spec', allowReplacement: true }, { do: 'replace', changes: [kindChange] }],
    ['a replacement the spec does not allow', { changes: [kindChange], replacement: 'spec' }, { do: 'refuse', changes: [kindChange] }],
    ['a replacement always made', { changes: [kindChange], replacement: 'always' }, { do: 'replace', changes: [kindChange] }],
    ['drift needing a replacement, under Report', { changes: [kindChange], specUnchanged: true, driftPolicy: 'Report' }, { do: 'report', paths: ['spec.artifact'] }],
  ])('%s', (_, inputs, expected) => {
    expect(decideChanges({ ...base, ...inputs })).toEqual(expected);
  });
});

describe('decideDelete: what a delete calls for', () => {
  test.each([
    ['retained', true, ours('READY'), false, 'retain'],
    ['already gone', false, undefined, false, 'gone'],
    ['someone else\'s: forgotten, never deleted', false, theirs('READY'), false, 'leave'],
    ['someone else\'s, adopted', false, theirs('READY'), true, 'delete'],
    ['being deleted', false, ours('DELETING'), false, 'wait'],
    ['AWS working on it', false, ours('UPDATING'), false, 'wait'],
    ['waiting for a user\'s consent: deleted all the same', false, ours('CREATE_PENDING_AUTH'), false, 'delete'],
    ['ready', false, ours('READY'), false, 'delete'],
  ] as const)('%s', (_, retain, found, adopt, expected) => {
    expect(decideDelete(retain, found, adopt, lifecycle)).toBe(expected);
  });
});
