/**
 * Cluster mode end to end, as a user drives it: the real kubectl against the real
 * kube-apiserver, `agentcore-operator run` in its own process, and the AgentCore emulator behind the real AWS
 * SDK. Every assertion is on what a user can see: status through kubectl, AWS state through the SDK,
 * Events, metrics and logs.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { GetAgentRuntimeCommand, GetApiKeyCredentialProviderCommand, ListAgentRuntimesCommand, ListGatewaysCommand, ListMemoriesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { kubeClient, loadKubeConfig, type KubeClient } from '../../src/sources/kube/client.js';
import { REGION } from '../helpers/emulator.js';
import { describeCluster } from '../helpers/kube.js';
import { conditionOf as condition, eventually, isReady, startStack, type ObjectWithStatus as Obj, type RunningOperator, type Stack } from '../helpers/operator.js';

const NS = 'agents';
const KINDS = 'agentruntimes,memories,gateways,gatewaytargets,workloadidentities,oauth2credentialproviders,apikeycredentialproviders';
const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent';
const SECRET_VALUES = ['replace-with-the-carrier-api-key', 'replace-with-the-github-oauth-app-secret', 'rotated-carrier-key-6b1f'];

let stack: Stack;
let kube: KubeClient;
let operator: RunningOperator;

async function objects(kinds = KINDS): Promise<Obj[]> {
  return (JSON.parse(await stack.kubectl(['get', kinds, '-n', NS, '-o', 'json'])) as { items: Obj[] }).items;
}

const object = (kind: string, name: string) => stack.get(kind, name, NS);
const kubectl = (args: string[], input?: string) => stack.kubectl(args, input);

async function events(): Promise<{ reason: string; note: string; type: string; regarding: { kind: string; name: string } }[]> {
  const list = await kube.request<{ items: never[] }>('GET', `/apis/events.k8s.io/v1/namespaces/${NS}/events`);
  return list.items;
}

async function runtimeNamed(name: string) {
  const list = await stack.aws.agentcore.send(new ListAgentRuntimesCommand({}));
  const summary = list.agentRuntimes?.find((r) => r.agentRuntimeName === name);
  return summary ? stack.aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: summary.agentRuntimeId })) : undefined;
}

beforeAll(async () => {
  stack = await startStack([NS], [{ repository: 'support-agent', tag: '1.4.2' }]);
  kube = kubeClient(loadKubeConfig({ kubeconfig: stack.cluster.kubeconfig }));
  operator = stack.startOperator();
}, 60_000);

afterAll(async () => {
  kube?.close();
  await stack?.close();
});

describeCluster('agentcore-operator run', () => {
  test('kubectl apply -f manifests/examples/: every object becomes Ready with its AWS ids in status', async () => {
    await kubectl(['apply', '-f', 'manifests/examples/']);
    const all = await eventually(async () => {
      const items = await objects();
      return items.length === 8 && items.every(isReady) && items;
    }, 60_000, 'every example to be Ready');
    const byName = new Map(all.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    expect(byName.get('AgentRuntime/support-agent')!.status).toMatchObject({ agentRuntimeId: expect.stringMatching(/^support_agent-/), version: '1', awsStatus: 'READY' });
    expect(byName.get('Memory/support-memory')!.status).toMatchObject({ memoryId: expect.any(String) });
    expect(byName.get('Gateway/support-tools')!.status).toMatchObject({ gatewayId: expect.any(String) });
    for (const o of all) expect(o.metadata.finalizers).toContain('agentcore.dev/finalizer');
    const runtime = await runtimeNamed('support_agent');
    expect(runtime?.agentRuntimeId).toBe(byName.get('AgentRuntime/support-agent')!.status!.agentRuntimeId);
    expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories).toHaveLength(1);
    expect((await stack.aws.agentcore.send(new ListGatewaysCommand({}))).items).toHaveLength(1);
    // kstatus: kubectl wait works on the Ready condition.
    await kubectl(['wait', '--for=condition=Ready', 'agentcore', '--all', '-n', NS, '--timeout=10s']);
    expect((await events()).filter((e) => e.reason === 'Created' && e.regarding.name === 'support-agent').length).toBeGreaterThan(0);
  }, 90_000);

  test('at rest it neither reconciles nor calls AWS: its own status writes trigger nothing; probes are green', async () => {
    const url = await operator.httpUrl();
    const reconciles = async () => [...(await (await fetch(`${url}/metrics`)).text()).matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const calls = async () => JSON.stringify(await stack.emulator.admin('GET', 'counters'));
    const before = [await reconciles(), await calls()];
    await new Promise((r) => setTimeout(r, 2000));
    expect([await reconciles(), await calls()]).toEqual(before);
    expect([(await fetch(`${url}/healthz`)).status, (await fetch(`${url}/readyz`)).status]).toEqual([200, 200]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^agentcore_condition\{kind="AgentRuntime",namespace="agents",name="support-agent",type="Ready",status="True"\} 1$/m);
    expect(metrics).toMatch(/^agentcore_aws_calls_total\{service="BedrockAgentCoreControl",operation="CreateAgentRuntime",outcome="success"\} 1$/m);
    expect(metrics).toMatch(/^agentcore_informer_synced\{resource="AgentRuntime"\} 1$/m);
    expect(metrics).toMatch(/^workqueue_depth\{name="agentruntime"\} 0$/m);
  }, 30_000);

  test('a new image mints a new version: the endpoint that follows latest moves, the pinned one stays', async () => {
    await stack.emulator.admin('POST', 'ecr/push', { region: REGION, repository: 'support-agent', tag: '1.5.0' });
    await kubectl(['patch', 'agentruntime', 'support-agent', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { artifact: { image: `${IMAGE}:1.5.0` } } })]);
    const after = await eventually(async () => {
      const o = await object('agentruntime', 'support-agent');
      return isReady(o) && o.status?.version === '2' && o;
    }, 30_000, 'version 2 to be Ready');
    const endpoints = after.status!.endpoints as { name: string; liveVersion: string }[];
    expect(endpoints.find((e) => e.name === 'prod')?.liveVersion).toBe('1');
    expect(endpoints.find((e) => e.name === 'staging')?.liveVersion).toBe('2');
    expect((await runtimeNamed('support_agent'))?.agentRuntimeVersion).toBe('2');
    const reasons = (await events()).filter((e) => e.regarding.name === 'support-agent').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['NewVersion', 'EndpointMoved']));
  }, 60_000);

  test('annotating restartedAt mints a new version with a bumped code version', async () => {
    const before = await object('agentruntime', 'support-agent');
    await kubectl(['annotate', 'agentruntime', 'support-agent', '-n', NS, 'agentcore.dev/restartedAt=2026-11-24T12:00:00Z']);
    const after = await eventually(async () => {
      const o = await object('agentruntime', 'support-agent');
      return isReady(o) && o.status?.version === '3' && o;
    }, 30_000, 'version 3 after the restart');
    expect(after.status!.codeVersion).not.toEqual(before.status!.codeVersion);
    expect(String(after.status!.codeVersion)).toContain('2026-11-24T12:00:00Z');
    const runtime = await runtimeNamed('support_agent');
    expect(runtime?.environmentVariables?.AGENTCORE_CODE_VERSION).toBe(after.status!.codeVersion);
  }, 60_000);

  test('requestedAt asks for a reconcile, echoed in status.lastHandledReconcileAt', async () => {
    await kubectl(['annotate', '--overwrite', 'memory', 'support-memory', '-n', NS, 'agentcore.dev/requestedAt=now-1']);
    await eventually(async () => (await object('memory', 'support-memory')).status?.lastHandledReconcileAt === 'now-1', 20_000, 'lastHandledReconcileAt');
  }, 30_000);

  test('a changed Secret updates the credential provider that reads it', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shipping-carrier', namespace: NS }, stringData: { 'api-key': SECRET_VALUES[2] } }));
    await eventually(async () => {
      const provider = await stack.aws.agentcore.send(new GetApiKeyCredentialProviderCommand({ name: 'shipping-api-key' }));
      const secret = await stack.aws.secretsManager.send(new GetSecretValueCommand({ SecretId: provider.apiKeySecretArn!.secretArn }));
      return (JSON.parse(secret.SecretString!) as { api_key: string }).api_key === SECRET_VALUES[2];
    }, 20_000, 'the provider to hold the rotated key');
  }, 30_000);

  test('an invalid object is rejected by the CRD schema and never reaches AWS', async () => {
    const bad = { apiVersion: 'agentcore.dev/v1alpha1', kind: 'AgentRuntime', metadata: { name: 'bad-agent', namespace: NS }, spec: { artifact: { image: `${IMAGE}:1.4.2` }, role: { arn: 'arn:aws:iam::123456789012:role/R' }, endpoints: [{ name: '1-not-a-name' }] } };
    const result = await stack.cluster.kubectl(['apply', '-f', '-'], JSON.stringify(bad));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.endpoints[0].name');
    expect(await runtimeNamed('bad_agent')).toBeUndefined();
  }, 30_000);

  test('a dependent created before its dependency waits with a clear reason, then converges', async () => {
    const runtime = { apiVersion: 'agentcore.dev/v1alpha1', kind: 'AgentRuntime', metadata: { name: 'late-agent', namespace: NS }, spec: { artifact: { image: `${IMAGE}:1.4.2` }, role: { arn: 'arn:aws:iam::123456789012:role/R' }, memoryRef: { name: 'late-memory' } } };
    await kubectl(['apply', '-f', '-'], JSON.stringify(runtime));
    const waiting = await eventually(async () => {
      const o = await object('agentruntime', 'late-agent');
      return condition(o, 'Ready')?.reason === 'DependencyNotReady' && o;
    }, 20_000, 'the runtime to wait for its memory');
    expect(condition(waiting, 'Ready')!.message).toContain('late-memory');
    expect(condition(waiting, 'Reconciling')?.status).toBe('True');
    const memory = { apiVersion: 'agentcore.dev/v1alpha1', kind: 'Memory', metadata: { name: 'late-memory', namespace: NS }, spec: { eventExpiryDays: 30 } };
    await kubectl(['apply', '-f', '-'], JSON.stringify(memory));
    await eventually(async () => isReady(await object('agentruntime', 'late-agent')), 30_000, 'the runtime to converge once its memory exists');
  }, 60_000);

  test('spec.suspend stops reconciling and says so; resuming rolls the change', async () => {
    await kubectl(['patch', 'agentruntime', 'late-agent', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { suspend: true, description: 'changed while suspended' } })]);
    await eventually(async () => condition(await object('agentruntime', 'late-agent'), 'Ready')?.reason === 'Suspended', 20_000, 'Suspended');
    expect((await runtimeNamed('late_agent'))?.description).toBeUndefined();
    await kubectl(['patch', 'agentruntime', 'late-agent', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { suspend: false } })]);
    await eventually(async () => isReady(await object('agentruntime', 'late-agent')), 30_000, 'Ready after resuming');
    expect((await runtimeNamed('late_agent'))?.description).toBe('changed while suspended');
  }, 60_000);

  test('kubectl delete removes the AWS resources (a Retain one stays) and then the objects', async () => {
    await kubectl(['patch', 'agentruntime', 'late-agent', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { deletionPolicy: 'Retain' } })]);
    await eventually(async () => isReady(await object('agentruntime', 'late-agent')), 20_000, 'the Retain policy to be observed');
    await kubectl(['delete', '-f', 'manifests/examples/', '--timeout=60s']);
    await kubectl(['delete', 'agentruntime/late-agent', 'memory/late-memory', '-n', NS, '--timeout=60s']);
    expect(await objects()).toEqual([]);
    expect(await runtimeNamed('support_agent')).toBeUndefined();
    expect((await runtimeNamed('late_agent'))?.status).toBe('READY');
    expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories).toEqual([]);
    expect((await stack.aws.agentcore.send(new ListGatewaysCommand({}))).items).toEqual([]);
  }, 90_000);

  test('no secret value appears in logs, status, Events or metrics', async () => {
    const metrics = await (await fetch(`${await operator.httpUrl()}/metrics`)).text();
    const seen = [operator.output(), JSON.stringify(await events()), metrics, await kubectl(['get', KINDS, '-A', '-o', 'json'])].join('\n');
    expect(metrics).toContain('controller_runtime_reconcile_total');
    // Deleted objects leave no series behind.
    expect(metrics).not.toMatch(/^agentcore_condition\{[^}]*name="support-agent"/m);
    expect(operator.output()).toContain('"reconcileId"');
    for (const value of SECRET_VALUES) expect(seen).not.toContain(value);
  }, 30_000);
});
