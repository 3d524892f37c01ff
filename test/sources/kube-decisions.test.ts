import { describe, expect, test } from '@jest/globals';
import type { Condition } from '../../src/api/meta.js';
import type { KubeObject } from '../../src/sources/kube/client.js';
import { eventsFor, type OperatorEvent } from '../../src/sources/kube/events.js';
import { LONGEST_DEFAULT_SILENCE_MS, watchSilenceTimeoutMs } from '../../src/sources/kube/informer.js';
import { needsReconcile, referencedSecrets, referenceView } from '../../src/sources/kube/predicates.js';
import { ReferenceIndex } from '../../src/sources/kube/references.js';
import { mergePatchOf } from '../../src/sources/kube/status-patch.js';
import { slimObject } from '../../src/sources/kube/resources.js';
import { reconcilerByKind } from '../../src/reconcilers/index.js';

const obj = (meta: Partial<KubeObject['metadata']> = {}, status?: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'a', namespace: 'ns', uid: 'u1', generation: 1, resourceVersion: '10', finalizers: ['agentcore.dev/finalizer'], ...meta },
  spec,
  ...(status ? { status } : {}),
});
const cond = (type: string, status: Condition['status'], reason = 'Succeeded', message = ''): Condition => ({ type, status, reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' });

describe('needsReconcile', () => {
  test.each<[string, KubeObject | undefined, KubeObject | undefined, boolean]>([
    ['a new object', undefined, obj(), true],
    ['a deleted object is not reconciled (it is gone)', obj(), undefined, false],
    ['our own status write (same generation)', obj(), obj({ resourceVersion: '11' }, { conditions: [cond('Ready', 'True')] }), false],
    ['a label edit', obj(), obj({ resourceVersion: '11', labels: { team: 'x' } }), false],
    ['a spec change bumps the generation', obj(), obj({ generation: 2, resourceVersion: '11' }), true],
    ['deletion begins', obj(), obj({ resourceVersion: '11', deletionTimestamp: '2026-01-01T00:00:00Z' }), true],
    ['a restart is requested', obj(), obj({ resourceVersion: '11', annotations: { 'agentcore.dev/restartedAt': '1' } }), true],
    ['a reconcile is requested', obj({ annotations: { 'agentcore.dev/requestedAt': '1' } }), obj({ annotations: { 'agentcore.dev/requestedAt': '2' } }), true],
    ['an unrelated annotation', obj(), obj({ annotations: { note: 'x' } }), false],
    ['someone removed our finalizer', obj(), obj({ finalizers: [] }), true],
    ['the object was recreated under the same name', obj(), obj({ uid: 'u2' }), true],
  ])('%s', (_, previous, current, expected) => {
    expect(needsReconcile(previous, current)).toBe(expected);
  });
});

describe('referenceView: what a dependent reads of an object', () => {
  const ready = obj({}, { memoryId: 'm-1', conditions: [cond('Ready', 'True')], lastSyncedAt: '1' });
  test.each<[string, KubeObject | undefined, boolean]>([
    ['a condition message or sync time changed: no change', obj({}, { memoryId: 'm-1', conditions: [cond('Ready', 'True', 'Succeeded', 'other')], lastSyncedAt: '2' }), false],
    ['readiness flipped', obj({}, { memoryId: 'm-1', conditions: [cond('Ready', 'False')] }), true],
    ['an id changed', obj({}, { memoryId: 'm-2', conditions: [cond('Ready', 'True')] }), true],
    ['deletion began', obj({ deletionTimestamp: 'x' }, { memoryId: 'm-1', conditions: [cond('Ready', 'True')] }), true],
    ['the object is gone', undefined, true],
  ])('%s', (_, after, changed) => {
    expect(referenceView(ready) !== referenceView(after)).toBe(changed);
  });
});

test('referencedSecrets finds every secretKeyRef, however deep', () => {
  const spec = { oauth: { clientSecret: { secretKeyRef: { name: 'b', key: 'k' } } }, apiKey: { secretKeyRef: { name: 'a', key: 'k' } }, other: [{ secretKeyRef: { name: 'a', key: 'j' } }], env: { secretKeyRef: 'not-a-ref' } };
  expect(referencedSecrets(spec)).toEqual(['a', 'b']);
});

describe('mergePatchOf', () => {
  test.each<[string, unknown, unknown, unknown]>([
    ['equal: nothing to send', { a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }, undefined],
    ['undefined members count as absent', { a: 1 }, { a: 1, b: undefined }, undefined],
    ['a changed field', { a: 1, b: 2 }, { a: 1, b: 3 }, { b: 3 }],
    ['a removed field is null', { a: 1, b: 2 }, { a: 1 }, { b: null }],
    ['a nested change', { s: { x: 1, y: 2 } }, { s: { x: 1, y: 3 } }, { s: { y: 3 } }],
    ['a changed list is sent whole', { c: [{ t: 'Ready', s: 'False' }] }, { c: [{ t: 'Ready', s: 'True' }] }, { c: [{ t: 'Ready', s: 'True' }] }],
    ['from nothing', {}, { a: { b: 1 } }, { a: { b: 1 } }],
  ])('%s', (_, before, after, patch) => {
    expect(mergePatchOf(before, after)).toEqual(patch);
  });
});

describe('eventsFor', () => {
  const reasons = (events: OperatorEvent[]) => events.map((e) => `${e.type}/${e.reason}`);
  test.each<[string, Record<string, unknown> | undefined, Record<string, unknown>, string[], string[]]>([
    ['nothing changed: no event', { version: '1' }, { version: '1' }, [], []],
    ['created', undefined, { version: '1' }, ['created runtime support_agent', 'created endpoint prod at version 1'], ['Normal/Created', 'Normal/Created']],
    ['a new version and an endpoint moved', { version: '1' }, { version: '2' }, ['updated spec.artifact.image (new version)', 'moved endpoint staging from version 1 to 2'], ['Normal/Updated', 'Normal/EndpointMoved', 'Normal/NewVersion']],
    ['drift corrected', { version: '2' }, { version: '2' }, ['corrected drift at spec.description'], ['Normal/DriftCorrected']],
    ['deleted', undefined, {}, ['deleted runtime support_agent'], ['Normal/Deleted']],
    ['newly stalled: a warning', { conditions: [] }, { conditions: [cond('Stalled', 'True', 'AWSFailed', 'boom')] }, [], ['Warning/Failed']],
    ['still stalled with the same message: no new warning', { conditions: [cond('Stalled', 'True', 'AWSFailed', 'boom')] }, { conditions: [cond('Stalled', 'True', 'AWSFailed', 'boom')] }, [], []],
  ])('%s', (_, before, after, actions, expected) => {
    expect(reasons(eventsFor(before, after, actions))).toEqual(expected);
  });
});

describe('ReferenceIndex', () => {
  const runtime = (memory: string) => obj({ name: 'agent' }, undefined, { memoryRef: { name: memory }, artifact: { image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/agent:1' }, role: { arn: 'arn:aws:iam::123456789012:role/R' } });
  const provider = obj({ name: 'p' }, undefined, { apiKey: { secretKeyRef: { name: 'keys', key: 'k' } } });

  test('dependents follow the references as they change, and forget a deleted object', () => {
    const index = new ReferenceIndex(reconcilerByKind as never);
    index.update('AgentRuntime', 'ns', 'agent', runtime('mem-a'));
    index.update('ApiKeyCredentialProvider', 'ns', 'p', provider);
    expect(index.dependentsOf('Memory', 'ns', 'mem-a')).toEqual(['AgentRuntime/ns/agent']);
    expect(index.dependentsOf('Secret', 'ns', 'keys')).toEqual(['ApiKeyCredentialProvider/ns/p']);
    expect(index.dependentsOf('Memory', 'other', 'mem-a')).toEqual([]);
    index.update('AgentRuntime', 'ns', 'agent', runtime('mem-b'));
    expect(index.dependentsOf('Memory', 'ns', 'mem-a')).toEqual([]);
    expect(index.dependentsOf('Memory', 'ns', 'mem-b')).toEqual(['AgentRuntime/ns/agent']);
    index.update('AgentRuntime', 'ns', 'agent', undefined);
    expect(index.dependentsOf('Memory', 'ns', 'mem-b')).toEqual([]);
    expect(index.referencesOf('AgentRuntime', 'ns', 'agent')).toEqual([]);
  });

  test('an object its schema refuses (a loose CRD let it through) references nothing, even what it names', () => {
    const index = new ReferenceIndex(reconcilerByKind as never);
    index.update('GatewayTarget', 'ns', 'target', obj({ name: 'target' }, undefined, { description: 'no gatewayRef, no target type' }));
    index.update('AgentRuntime', 'ns', 'agent', obj({ name: 'agent' }, undefined, { memoryRef: { name: 'mem-a' }, artifact: { image: 'not an image' } }));
    expect([index.referencesOf('GatewayTarget', 'ns', 'target'), index.dependentsOf('Memory', 'ns', 'mem-a')]).toEqual([[], []]);
  });
});

test('slimObject drops managedFields and kubectl\'s last-applied copy, and keeps everything else', () => {
  const full = {
    metadata: { name: 'a', resourceVersion: '3', managedFields: [{ manager: 'kubectl' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}', 'agentcore.dev/restartedAt': '1' } },
    spec: { x: 1 },
    status: { y: 2 },
  };
  expect(slimObject(full)).toEqual({ metadata: { name: 'a', resourceVersion: '3', annotations: { 'agentcore.dev/restartedAt': '1' } }, spec: { x: 1 }, status: { y: 2 } });
  expect(full.metadata.managedFields).toHaveLength(1);
});

describe('watchSilenceTimeoutMs: a quiet watch outlives its own timeout before the watchdog calls it dead', () => {
  // A real apiserver ends a quiet watch at timeoutSeconds without a word, and sends no bookmark until its
  // watch cache moves on; a watchdog shorter than the timeout would cut healthy watches and back off.
  test.each([
    [1, 61_000],
    [300, 360_000],
    [600, 660_000],
  ])('a %i s watch is dead after %i ms of silence', (timeoutSeconds, silenceMs) => {
    expect(watchSilenceTimeoutMs(timeoutSeconds)).toBe(silenceMs);
    expect(watchSilenceTimeoutMs(timeoutSeconds)).toBeGreaterThan(timeoutSeconds * 1000);
  });

  test('the longest default silence is that of the longest default watch (600 s)', () => {
    expect(LONGEST_DEFAULT_SILENCE_MS).toBe(watchSilenceTimeoutMs(600));
  });
});
