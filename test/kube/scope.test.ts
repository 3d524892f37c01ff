/**
 * Cluster mode's edges, through the real kubectl and the `run` command: what a deployment watches (a
 * namespace list, a label selector), a Secret that is missing and then appears, a delete AWS refuses,
 * and Events that are not repeated.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ListAgentRuntimesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { kubeClient, loadKubeConfig, type KubeClient } from '../../src/sources/kube/client.js';
import { describeCluster } from '../helpers/kube.js';
import { conditionOf, eventually, isReady, startStack, type RunningOperator, type Stack } from '../helpers/operator.js';

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/scoped-agent:1';
let stack: Stack;
let kube: KubeClient;
let red: RunningOperator;
let blue: RunningOperator;
/** This file's namespaces: red watches A, blue the objects of B labelled operator=blue, nobody C. */
const A = 'scope-a';
const B = 'scope-b';
const C = 'scope-c';

const runtime = (name: string, namespace: string, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'AgentRuntime', metadata: { name, namespace, labels }, spec: { artifact: { image: IMAGE }, role: { arn: 'arn:aws:iam::123456789012:role/R' } } });
const apiKeyProvider = (name: string, secret: string, key: string) =>
  JSON.stringify({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'ApiKeyCredentialProvider', metadata: { name, namespace: A }, spec: { apiKey: { secretKeyRef: { name: secret, key } } } });
const secret = (name: string, data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: A }, stringData: data });

async function runtimeNames(): Promise<string[]> {
  return ((await stack.aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes ?? []).map((r) => r.agentRuntimeName!).sort();
}

describeCluster('cluster mode', () => {
  beforeAll(async () => {
    stack = await startStack([A, B, C], [{ repository: 'scoped-agent', tag: '1' }]);
    kube = kubeClient(loadKubeConfig({ kubeconfig: stack.cluster.kubeconfig }));
    red = stack.startOperator(['--namespaces', A, '--cluster-name', 'red', '--resync', '1s']);
    blue = stack.startOperator(['--namespaces', B, '--label-selector', 'operator=blue', '--cluster-name', 'blue']);
    // Both watch by now, so what they are told of arrives over their watches in the order it happened.
    for (const operator of [red, blue]) await eventually(async () => (await fetch(`${await operator.httpUrl()}/readyz`)).ok, 30_000, 'the operators to sync their caches');
  }, 60_000);

  afterAll(async () => {
    kube?.close();
    await stack?.close();
  });

  describe('watch scope', () => {
    test('each deployment reconciles only its namespaces and labels; nobody touches the rest', async () => {
      // The objects out of scope first: an operator that wrongly watched them would hear of them before
      // the objects in scope (on the same watch, in that order), and would have started on them (adding
      // its finalizer comes first) before it made those Ready.
      await stack.kubectl(['apply', '-f', '-'], [runtime('plain-in-b', B), runtime('in-c', C)].join('\n---\n'));
      await stack.kubectl(['apply', '-f', '-'], [runtime('in-a', A), runtime('blue-in-b', B, { operator: 'blue' })].join('\n---\n'));
      await eventually(async () => isReady(await stack.get('agentruntime', 'in-a', A)) && isReady(await stack.get('agentruntime', 'blue-in-b', B)), 30_000, 'the objects in scope to be Ready');
      for (const [name, namespace] of [['plain-in-b', B], ['in-c', C]]) {
        const untouched = await stack.get('agentruntime', name!, namespace!);
        expect([untouched.status?.conditions, untouched.metadata.finalizers]).toEqual([undefined, undefined]);
      }
      expect(await runtimeNames()).toEqual(['blue_in_b', 'in_a']);
    }, 60_000);
  });

  describe('resync', () => {
    test('a resync that finds AWS as it was reads, and writes nothing to AWS or to Kubernetes', async () => {
      await eventually(async () => isReady(await stack.get('agentruntime', 'in-a', A)), 30_000, 'in-a to be Ready');
      const reconciles = async () => [...(await (await fetch(`${await red.httpUrl()}/metrics`)).text()).matchAll(/^controller_runtime_reconcile_total\{controller="agentruntime"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      const writes = async () => Object.entries(await stack.emulator.admin<Record<string, Record<string, number>>>('GET', 'counters')).filter(([op]) => /:(Create|Update|Delete|Tag|Untag)/.test(op)).length;
      const before = { version: (await stack.get('agentruntime', 'in-a', A)).metadata.resourceVersion, reconciles: await reconciles(), writes: await writes() };
      // Two resyncs (every second) have reconciled in-a again.
      await eventually(async () => (await reconciles()) >= before.reconciles + 2, 20_000, 'two resyncs');
      const after = await stack.get('agentruntime', 'in-a', A);
      expect([after.metadata.resourceVersion, await writes()]).toEqual([before.version, before.writes]);
    }, 60_000);
  });

  describe('progress', () => {
    test('the finalizer is on and the new generation shows as Reconciling before the first AWS write answers', async () => {
      await stack.emulator.admin('PUT', 'faults', { rules: [{ operation: 'CreateAgentRuntime', kind: 'latency', latencyMs: 2000 }] });
      try {
        await stack.kubectl(['apply', '-f', '-'], runtime('slow', A));
        const early = await eventually(async () => {
          const o = await stack.get('agentruntime', 'slow', A);
          return conditionOf(o, 'Reconciling')?.status === 'True' && o;
        }, 10_000, 'the progress patch');
        expect(await runtimeNames()).not.toContain('slow');
        expect(early.metadata.finalizers).toContain('agentcore.dev/finalizer');
        expect(conditionOf(early, 'Ready')).toMatchObject({ status: 'False', reason: 'Progressing', message: 'Reconciling generation 1', observedGeneration: 1 });
      } finally {
        await stack.emulator.admin('DELETE', 'faults');
      }
      await eventually(async () => isReady(await stack.get('agentruntime', 'slow', A)), 20_000, 'slow to be Ready');
    }, 40_000);
  });

  describe('references and failures', () => {
    test('a missing Secret is waited for with a clear reason; once created, the provider converges', async () => {
      await stack.kubectl(['apply', '-f', '-'], apiKeyProvider('weather', 'weather-keys', 'api-key'));
      const waiting = await eventually(async () => {
        const o = await stack.get('apikeycredentialprovider', 'weather', A);
        return conditionOf(o, 'Ready')?.reason === 'DependencyNotReady' && o;
      }, 20_000, 'the provider to wait for its Secret');
      expect(conditionOf(waiting, 'Ready')!.message).toContain('Secret weather-keys');
      await stack.kubectl(['apply', '-f', '-'], secret('weather-keys', { 'api-key': 'k-1' }));
      await eventually(async () => isReady(await stack.get('apikeycredentialprovider', 'weather', A)), 20_000, 'the provider to converge');
    }, 60_000);

    test('a failure retried many times is one Warning Event, not one per attempt', async () => {
      await stack.kubectl(['apply', '-f', '-'], secret('partial-keys', { other: 'x' }));
      await stack.kubectl(['apply', '-f', '-'], apiKeyProvider('partial', 'partial-keys', 'api-key'));
      await eventually(async () => conditionOf(await stack.get('apikeycredentialprovider', 'partial', A), 'Stalled')?.status === 'True', 20_000, 'the provider to stall');
      for (let i = 0; i < 4; i += 1) {
        await stack.kubectl(['annotate', '--overwrite', 'apikeycredentialprovider', 'partial', '-n', A, `agentcore.dev/requestedAt=${i}`]);
        await eventually(async () => (await stack.get('apikeycredentialprovider', 'partial', A)).status?.lastHandledReconcileAt === String(i), 20_000, `reconcile ${i}`);
      }
      const events = (await kube.request<{ items: { reason: string; type: string; note: string; regarding: { name: string } }[] }>('GET', `/apis/events.k8s.io/v1/namespaces/${A}/events`)).items;
      const failures = events.filter((e) => e.regarding.name === 'partial' && e.reason === 'Failed');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ type: 'Warning', note: expect.stringContaining('has no key api-key') });
    }, 60_000);

    test('a delete AWS refuses is reported in status and retried; the object goes once AWS lets it', async () => {
      await stack.kubectl(['apply', '-f', '-'], runtime('sticky', A));
      await eventually(async () => isReady(await stack.get('agentruntime', 'sticky', A)), 20_000, 'sticky to be Ready');
      await stack.emulator.admin('PUT', 'faults', { rules: [{ operation: 'DeleteAgentRuntime', kind: 'internal' }] });
      await stack.kubectl(['delete', 'agentruntime', 'sticky', '-n', A, '--wait=false']);
      const stuck = await eventually(async () => {
        const o = await stack.get('agentruntime', 'sticky', A);
        return conditionOf(o, 'Ready')?.reason === 'ProgressingWithRetry' && o;
      }, 20_000, 'the refused delete to show in status');
      expect(stuck.metadata.finalizers).toContain('agentcore.dev/finalizer');
      expect(await runtimeNames()).toContain('sticky');
      await stack.emulator.admin('DELETE', 'faults');
      await eventually(async () => (await stack.cluster.kubectl(['get', 'agentruntime', 'sticky', '-n', A])).code !== 0, 60_000, 'the object to go once AWS deletes');
      expect(await runtimeNames()).not.toContain('sticky');
    }, 90_000);
  });
});
