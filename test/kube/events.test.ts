/** The event recorder against the API test server: one Event per repeat window, then again after it. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { kubeClient, loadKubeConfig, type KubeClient } from '../../src/sources/kube/client.js';
import { EventRecorder, EventReason } from '../../src/sources/kube/events.js';
import { startTestCluster, type TestCluster } from '../helpers/kube.js';

let cluster: TestCluster;
let client: KubeClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  client = kubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
});

afterAll(async () => {
  client?.close();
  await cluster?.close();
});

test('a repeat within the window is dropped; after the window it is recorded again; another object is its own', async () => {
  let now = 1_000_000;
  const recorder = new EventRecorder({ client, controller: 'agentcore.dev/operator', instance: 'test', dedupeWindowMs: 60_000, now: () => now });
  const object = (uid: string, name: string) => ({ metadata: { name, namespace: 'default', uid, resourceVersion: '1' } });
  const failed = [{ type: 'Warning' as const, reason: EventReason.Failed, note: 'AWSFailed: boom' }];
  await recorder.record('AgentRuntime', object('u1', 'a'), failed);
  now += 30_000;
  await recorder.record('AgentRuntime', object('u1', 'a'), failed);
  await recorder.record('AgentRuntime', object('u2', 'b'), failed);
  now += 61_000;
  await recorder.record('AgentRuntime', object('u1', 'a'), failed);
  const events = (await client.request<{ items: { regarding: { name: string; kind: string }; reason: string; type: string; note: string; reportingController: string }[] }>('GET', '/apis/events.k8s.io/v1/namespaces/default/events')).items;
  expect(events.map((e) => e.regarding.name).sort()).toEqual(['a', 'a', 'b']);
  expect(events[0]).toMatchObject({ reason: 'Failed', type: 'Warning', note: 'AWSFailed: boom', reportingController: 'agentcore.dev/operator', regarding: { kind: 'AgentRuntime' } });
});
