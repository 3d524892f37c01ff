/**
 * The operator does not take the CRD's word for an object: with a CRD that lets anything through (an
 * old one, or one edited by hand), an object our schema refuses is Stalled with its field paths in
 * status, gets no finalizer, and costs no AWS call. On the real kube-apiserver, with the emulator.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createNamespace, describeCluster, installCrds } from '../helpers/kube.js';
import { repoRoot } from '../helpers/cli.js';
import { conditionOf, startStack, type ObjectWithStatus, type Stack } from '../helpers/operator.js';
import { waitFor } from '../helpers/wait.js';

const NAMESPACE = 'loose-crd';
let stack: Stack;

/** The Memory CRD with its schema replaced by one that keeps whatever it is given. */
function looseMemoryCrd(): unknown {
  const crd = parse(readFileSync(join(repoRoot, 'crds', 'agentcore.dev_memories.yaml'), 'utf8')) as { spec: { versions: { schema: unknown }[] } };
  for (const version of crd.spec.versions) version.schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return crd;
}

beforeAll(async () => {
  stack = await startStack([], []);
  await stack.kubectl(['replace', '-f', '-'], JSON.stringify(looseMemoryCrd()));
  await stack.kubectl(['wait', '--for=condition=Established', 'crd/memories.agentcore.dev', '--timeout=60s']);
  await createNamespace(stack.cluster, NAMESPACE);
}, 60_000);

afterAll(async () => {
  await stack?.kubectl(['delete', 'memories', '--all', '-n', NAMESPACE, '--wait=false']).catch(() => undefined);
  if (stack) await installCrds(stack.cluster);
  await stack?.close();
});

const memory = (name: string, body: Record<string, unknown>) => ({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'Memory', metadata: { name, namespace: NAMESPACE }, ...body });

describeCluster('an object the CRD let through but the schema refuses', () => {
  test('is Stalled with its field paths, gets no finalizer, and no AWS call is made for it', async () => {
    const objects = [
      memory('not-a-mapping', { spec: 'not a mapping' }),
      memory('no-spec', {}),
      memory('bad-policy', { spec: { eventExpiryDays: 30, deletionPolicy: 'Maybe' } }),
      memory('bad-strategies', { spec: { eventExpiryDays: 30, strategies: 'x' } }),
    ];
    await stack.kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    await stack.emulator.admin('DELETE', 'counters');
    stack.startOperator(['--namespaces', NAMESPACE]);
    const stalled = await waitFor(async () => {
      const items = (JSON.parse(await stack.kubectl(['get', 'memories', '-n', NAMESPACE, '-o', 'json'])) as { items: ObjectWithStatus[] }).items;
      return items.length === 4 && items.every((o) => conditionOf(o, 'Stalled')?.status === 'True') && items;
    }, { what: 'every invalid Memory to be Stalled' });
    const byName = new Map(stalled.map((o) => [o.metadata.name, o]));
    expect(conditionOf(byName.get('bad-policy')!, 'Stalled')).toMatchObject({ reason: 'ValidationFailed', message: expect.stringContaining('Invalid Memory: spec.deletionPolicy: must be one of') });
    expect(conditionOf(byName.get('bad-strategies')!, 'Stalled')!.message).toContain('spec.strategies: ');
    expect(conditionOf(byName.get('not-a-mapping')!, 'Stalled')!.message).toMatch(/^Invalid Memory: spec: /);
    expect(conditionOf(byName.get('no-spec')!, 'Stalled')!.message).toMatch(/^Invalid Memory: .*spec/);
    for (const o of stalled) {
      expect([o.metadata.name, conditionOf(o, 'Ready')?.status, o.metadata.finalizers ?? []]).toEqual([o.metadata.name, 'False', []]);
      expect(o.status!.observedGeneration).toBe(o.metadata.generation);
    }
    expect(await stack.emulator.admin('GET', 'counters')).toEqual({});

    // Once corrected, the same object is judged again, and reconciled.
    await stack.kubectl(['apply', '-f', '-'], JSON.stringify(memory('bad-policy', { spec: { eventExpiryDays: 30, deletionPolicy: 'Delete' } })));
    const fixed = await waitFor(async () => {
      const o = await stack.get('memory', 'bad-policy', NAMESPACE);
      return conditionOf(o, 'Ready')?.status === 'True' && o;
    }, { what: 'the corrected Memory to be Ready' });
    expect(fixed.metadata.finalizers).toEqual(['agentcore.dev/finalizer']);
  });
});
