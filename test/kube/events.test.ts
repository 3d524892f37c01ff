/** The event recorder against the real apiserver: one Event per repeat window, then again after it. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { kubeClient, loadKubeConfig, type KubeClient } from '../../src/sources/kube/client.js';
import { EventRecorder, EventReason } from '../../src/sources/kube/events.js';
import { createNamespace, describeCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';

const NS = 'events-test';
let cluster: TestCluster;
let client: KubeClient;

describeCluster('the event recorder', () => {
  beforeAll(async () => {
    cluster = await startTestCluster();
    await createNamespace(cluster, NS);
    client = kubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  }, 60_000);

  afterAll(async () => {
    client?.close();
    // The test control plane's close deletes the namespace; against KUBECONFIG's cluster, so does this.
    await cluster?.kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
    await cluster?.close();
  });

  test('a repeat within the window is dropped; after the window it is recorded again; another object is its own', async () => {
    let now = 1_000_000;
    const errors: unknown[] = [];
    const recorder = new EventRecorder({ client, controller: 'agentcore.dev/operator', instance: 'test', dedupeWindowMs: 60_000, now: () => now, onError: (error) => errors.push(error) });
    const object = (uid: string, name: string) => ({ metadata: { name, namespace: NS, uid, resourceVersion: '1' } });
    const failed = [{ type: 'Warning' as const, reason: EventReason.Failed, note: 'AWSFailed: boom' }];
    await recorder.record('AgentRuntime', object('u1', 'a'), failed);
    now += 30_000;
    await recorder.record('AgentRuntime', object('u1', 'a'), failed);
    await recorder.record('AgentRuntime', object('u2', 'b'), failed);
    now += 61_000;
    await recorder.record('AgentRuntime', object('u1', 'a'), failed);
    // The apiserver accepted every Event written (it validates them: namespace, type, reporting controller).
    expect(errors).toEqual([]);
    const events = (
      await client.request<{ items: { regarding: { name: string; kind: string; namespace: string }; reason: string; type: string; note: string; reportingController: string; eventTime: string }[] }>(
        'GET',
        `/apis/events.k8s.io/v1/namespaces/${NS}/events`,
      )
    ).items;
    expect(events.map((e) => e.regarding.name).sort()).toEqual(['a', 'a', 'b']);
    expect(events[0]).toMatchObject({ reason: 'Failed', type: 'Warning', note: 'AWSFailed: boom', reportingController: 'agentcore.dev/operator', regarding: { kind: 'AgentRuntime', namespace: NS } });
    expect(events.filter((e) => e.regarding.name === 'a').map((e) => e.eventTime).sort()).toEqual(['1970-01-01T00:16:40.000000Z', '1970-01-01T00:18:11.000000Z']);
  });
});
