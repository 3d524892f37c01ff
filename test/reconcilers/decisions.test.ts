import { describe, expect, test } from '@jest/globals';
import type { Condition } from '../../src/api/meta.js';
import { endpointActions, endpointsSettled, type DesiredEndpoint, type EndpointAction, type ObservedEndpoint } from '../../src/reconcilers/agentruntime/endpoints.js';
import { markReady, markReconciling, markStalled, Reason, setCondition } from '../../src/reconcilers/conditions.js';
import { tagChanges } from '../../src/reconcilers/ownership.js';

const ep = (name: string, targetVersion: string, extra: Partial<ObservedEndpoint> = {}): ObservedEndpoint => ({ name, targetVersion, liveVersion: targetVersion, status: 'READY', ...extra });

describe('endpointActions', () => {
  test.each<[string, DesiredEndpoint[], ObservedEndpoint[], EndpointAction[]]>([
    ['nothing to do when every endpoint is where it should be', [{ name: 'prod', version: '3' }, { name: 'staging', version: 'latest' }], [ep('DEFAULT', '5'), ep('prod', '3'), ep('staging', '5')], []],
    ['a missing endpoint is created at its version', [{ name: 'prod', version: '3' }], [ep('DEFAULT', '5')], [{ type: 'create', name: 'prod', version: '3' }]],
    ['latest follows the newest version', [{ name: 'staging' }], [ep('DEFAULT', '6'), ep('staging', '5')], [{ type: 'update', name: 'staging', version: '6', from: '5' }]],
    ['a pin moves when the spec moves it', [{ name: 'prod', version: '4' }], [ep('prod', '3')], [{ type: 'update', name: 'prod', version: '4', from: '3' }]],
    ['a description change is an update', [{ name: 'prod', version: '3', description: 'Production' }], [ep('prod', '3')], [{ type: 'update', name: 'prod', version: '3', from: '3', description: 'Production' }]],
    ['an endpoint gone from the spec is deleted; DEFAULT never is', [], [ep('DEFAULT', '5'), ep('old', '2'), ep('canary', '4')], [{ type: 'delete', name: 'canary' }, { type: 'delete', name: 'old' }]],
  ])('%s', (_, desired, observed, expected) => {
    expect(endpointActions(desired, observed, observed.find((e) => e.name === 'DEFAULT')?.targetVersion ?? '5')).toEqual(expected);
  });

  test.each<[string, ObservedEndpoint[], boolean]>([
    ['every endpoint serves its version', [ep('prod', '3'), ep('staging', '5')], true],
    ['a move still rolling: live behind target', [ep('prod', '3'), ep('staging', '5', { liveVersion: '4', status: 'UPDATING' })], false],
    ['a failed endpoint', [ep('prod', '3', { status: 'UPDATE_FAILED' }), ep('staging', '5')], false],
    ['an endpoint missing', [ep('prod', '3')], false],
  ])('settled: %s', (_, observed, settled) => {
    expect(endpointsSettled([{ name: 'prod', version: '3' }, { name: 'staging', version: 'latest' }], observed, '5')).toBe(settled);
  });
});

describe('tagChanges', () => {
  test('sets what differs, removes what the spec no longer has, leaves aws: keys alone', () => {
    expect(tagChanges({ team: 'a', env: 'prod' }, { team: 'b', env: 'prod', old: 'x', 'aws:cloudformation:stack': 's' })).toEqual({ set: { team: 'a' }, remove: ['old'] });
    expect(tagChanges({ team: 'a' }, { team: 'a' })).toEqual({ set: {}, remove: [] });
  });
});

describe('conditions', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:05:00Z');

  test('lastTransitionTime moves only when the status flips', () => {
    const ready = markReady([], 'ok', 1, t0);
    expect(markReady(ready, 'still ok', 2, t1).find((c) => c.type === 'Ready')).toMatchObject({ lastTransitionTime: t0.toISOString(), message: 'still ok', observedGeneration: 2 });
    expect(markReconciling(ready, Reason.Updating, 'rolling', 2, t1).find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: t1.toISOString() });
  });

  test('Reconciling and Stalled are present only while True, and never together; Ready is always there', () => {
    const types = (c: Condition[]) => c.map((x) => `${x.type}=${x.status}`);
    let c = markReconciling([], Reason.Creating, 'creating', 1, t0);
    expect(types(c)).toEqual(['Ready=False', 'Reconciling=True']);
    c = markStalled(c, Reason.AWSFailed, 'CREATE_FAILED: image not found', 1, t0);
    expect(types(c)).toEqual(['Ready=False', 'Stalled=True']);
    c = markReady(c, 'ready', 1, t0);
    expect(types(c)).toEqual(['Ready=True']);
  });

  test('long messages are cut to the bound', () => {
    const [c] = setCondition([], 'Ready', 'False', Reason.AWSFailed, 'x'.repeat(30000), 1, t0);
    expect(c!.message.length).toBe(20000);
  });
});
