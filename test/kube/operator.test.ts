/**
 * Cluster mode end to end, as a user drives it: the real kubectl against the real
 * kube-apiserver, `agentcore-operator run` in its own process, and the AgentCore emulator behind the real AWS
 * SDK. Every assertion is on what a user can see: status through kubectl, AWS state through the SDK,
 * Events, metrics and logs. Each test has a namespace, objects and an operator (watching that namespace
 * only) of its own, and gives its objects AWS names no other test uses.
 */
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import {
  GetAgentRuntimeCommand, GetApiKeyCredentialProviderCommand, ListAgentRuntimesCommand, ListGatewaysCommand, ListMemoriesCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { kubeClient, loadKubeConfig, type KubeClient } from '../../src/sources/kube/client.js';
import { REGION } from '../helpers/emulator.js';
import { createNamespace, describeCluster } from '../helpers/kube.js';
import { conditionOf as condition, isReady, startOperator, startStack, type ObjectWithStatus as Obj, type RunningOperator, type Stack } from '../helpers/operator.js';
import { secretDigest } from '../../src/reconcilers/secret.js';
import { isRead } from '../../src/aws/call.js';
import { networkInterfaces } from 'node:os';
import { waitFor } from '../helpers/wait.js';

const KINDS = 'agentruntimes,memories,gateways,gatewaytargets,workloadidentities,oauth2credentialproviders,apikeycredentialproviders';
const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/R';

let stack: Stack;
let kube: KubeClient;
const operators: RunningOperator[] = [];

beforeAll(async () => {
  stack = await startStack([], [{ repository: 'support-agent', tag: '1.4.2' }]);
  kube = kubeClient(loadKubeConfig({ kubeconfig: stack.cluster.kubeconfig }));
}, 60_000);

afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.kill('SIGKILL')));
});

afterAll(async () => {
  kube?.close();
  await stack?.close();
});

/** The test's own namespace, and an operator that reconciles what is in it and nothing else. */
async function ownNamespace(namespace: string, flags: string[] = []): Promise<RunningOperator> {
  await createNamespace(stack.cluster, namespace);
  const operator = stack.startOperator(['--namespaces', namespace, ...flags]);
  operators.push(operator);
  return operator;
}

const kubectl = (args: string[], input?: string) => stack.kubectl(args, input);
const apply = (...objects: unknown[]) => kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n---\n'));

async function objects(namespace: string, kinds = KINDS): Promise<Obj[]> {
  return (JSON.parse(await kubectl(['get', kinds, '-n', namespace, '-o', 'json'])) as { items: Obj[] }).items;
}

async function events(namespace: string): Promise<{ reason: string; note: string; type: string; regarding: { kind: string; name: string } }[]> {
  const list = await kube.request<{ items: never[] }>('GET', `/apis/events.k8s.io/v1/namespaces/${namespace}/events`);
  return list.items;
}

async function runtimeNamed(name: string) {
  const list = await stack.aws.agentcore.send(new ListAgentRuntimesCommand({}));
  const summary = list.agentRuntimes?.find((r) => r.agentRuntimeName === name);
  return summary ? stack.aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: summary.agentRuntimeId })) : undefined;
}

/** Waits until the object is Ready at its latest generation and `also` holds for it; answers it. */
function readyObject(kind: string, name: string, namespace: string, also: (o: Obj) => boolean = () => true, timeoutMs = 60_000): Promise<Obj> {
  return waitFor(async () => {
    const o = await stack.get(kind, name, namespace);
    return isReady(o) && also(o) && o;
  }, { timeoutMs, what: `${kind} ${namespace}/${name} to be Ready` });
}

const runtime = (name: string, namespace: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'agentcore.dev/v1alpha1',
  kind: 'AgentRuntime',
  metadata: { name, namespace },
  spec: { artifact: { image: `${IMAGE}:1.4.2` }, role: { arn: ROLE_ARN }, ...spec },
});
const memory = (name: string, namespace: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'Memory', metadata: { name, namespace }, spec: { eventExpiryDays: 30, ...spec } });
const secret = (name: string, namespace: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data });
const apiKeyProvider = (name: string, namespace: string, secretName: string) => ({
  apiVersion: 'agentcore.dev/v1alpha1',
  kind: 'ApiKeyCredentialProvider',
  metadata: { name, namespace },
  spec: { apiKey: { secretKeyRef: { name: secretName, key: 'api-key' } } },
});

async function metricsOf(operator: RunningOperator): Promise<string> {
  return (await fetch(`${await operator.httpUrl()}/metrics`)).text();
}

/** The API key AWS keeps for a credential provider, read back through Secrets Manager. */
async function apiKeyOf(provider: string): Promise<string> {
  const found = await stack.aws.agentcore.send(new GetApiKeyCredentialProviderCommand({ name: provider }));
  const value = await stack.aws.secretsManager.send(new GetSecretValueCommand({ SecretId: found.apiKeySecretArn!.secretArn }));
  return (JSON.parse(value.SecretString!) as { api_key: string }).api_key;
}

describeCluster('agentcore-operator run', () => {
  test('kubectl apply -f manifests/examples/: every object becomes Ready with its AWS ids in status', async () => {
    const ns = 'agents';
    await ownNamespace(ns);
    await kubectl(['apply', '-f', 'manifests/examples/']);
    const all = await waitFor(async () => {
      const items = await objects(ns);
      return items.length === 8 && items.every(isReady) && items;
    }, { timeoutMs: 90_000, what: 'every example to be Ready' });
    const byName = new Map(all.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    expect(byName.get('AgentRuntime/support-agent')!.status).toMatchObject({ agentRuntimeId: expect.stringMatching(/^support_agent-/), version: '1', awsStatus: 'READY' });
    const memoryId = byName.get('Memory/support-memory')!.status!.memoryId;
    expect(memoryId).toEqual(expect.any(String));
    expect(byName.get('Gateway/support-tools')!.status).toMatchObject({ gatewayId: expect.any(String) });
    for (const o of all) expect(o.metadata.finalizers).toContain('agentcore.dev/finalizer');
    const runtime = await runtimeNamed('support_agent');
    expect(runtime?.agentRuntimeId).toBe(byName.get('AgentRuntime/support-agent')!.status!.agentRuntimeId);
    // One AWS resource each: memory ids start with the memory's name.
    expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories!.filter((m) => m.id!.startsWith('support_memory-')).map((m) => m.id)).toEqual([memoryId]);
    expect((await stack.aws.agentcore.send(new ListGatewaysCommand({}))).items!.filter((g) => g.name === 'support-tools')).toHaveLength(1);
    // kstatus: kubectl wait works on the Ready condition.
    await kubectl(['wait', '--for=condition=Ready', 'agentcore', '--all', '-n', ns, '--timeout=60s']);
    expect((await events(ns)).filter((e) => e.reason === 'Created' && e.regarding.name === 'support-agent').length).toBeGreaterThan(0);
  }, 150_000);

  test('at rest it neither reconciles nor calls AWS: its own status writes trigger nothing; probes are green', async () => {
    const ns = 'at-rest';
    // One object at a time, and no resync while the test runs: see below.
    const operator = await ownNamespace(ns, ['--concurrency', '1', '--resync', '1h']);
    await apply(runtime('resting-agent', ns));
    await readyObject('agentruntime', 'resting-agent', ns);
    // The reconcile that wrote Ready made its AWS calls before that write.
    const calls = JSON.stringify(await stack.emulator.admin('GET', 'counters'));
    // A suspended object costs one reconcile and no AWS call. The operator takes events in the order the
    // apiserver sent them, and reconciles one object at a time in the order they were queued: once it
    // has reconciled this one, it has also seen the status writes that made resting-agent Ready, and
    // finished any reconcile they would have queued.
    await apply(runtime('later-agent', ns, { suspend: true }));
    await waitFor(async () => condition(await stack.get('agentruntime', 'later-agent', ns), 'Ready')?.reason === 'Suspended', { what: 'the suspended object to say so' });
    expect(JSON.stringify(await stack.emulator.admin('GET', 'counters'))).toBe(calls);
    const metrics = await metricsOf(operator);
    // one add per new object, none for a status write
    expect(metrics).toMatch(/^workqueue_adds_total\{name="agentruntime"\} 2$/m);
    expect([(await fetch(`${await operator.httpUrl()}/healthz`)).status, (await fetch(`${await operator.httpUrl()}/readyz`)).status]).toEqual([200, 200]);
    expect(metrics).toMatch(/^agentcore_condition\{kind="AgentRuntime",namespace="at-rest",name="resting-agent",type="Ready",status="True"\} 1$/m);
    expect(metrics).toMatch(/^agentcore_aws_calls_total\{service="BedrockAgentCoreControl",operation="CreateAgentRuntime",outcome="success"\} 1$/m);
    expect(metrics).toMatch(/^agentcore_informer_synced\{resource="AgentRuntime"\} 1$/m);
    // The depth is sampled a few times a second.
    await waitFor(async () => /^workqueue_depth\{name="agentruntime"\} 0$/m.test(await metricsOf(operator)), { what: 'the queue depth to read 0' });
  }, 90_000);

  test('a new image mints a new version: the endpoint that follows latest moves, the pinned one stays', async () => {
    const ns = 'new-image';
    await ownNamespace(ns);
    await apply(runtime('versioned-agent', ns, { endpoints: [{ name: 'prod', version: '1' }, { name: 'staging', version: 'latest' }] }));
    await readyObject('agentruntime', 'versioned-agent', ns, (o) => o.status?.version === '1');
    await stack.emulator.admin('POST', 'ecr/push', { region: REGION, repository: 'support-agent', tag: '1.5.0' });
    await kubectl(['patch', 'agentruntime', 'versioned-agent', '-n', ns, '--type=merge', '-p', JSON.stringify({ spec: { artifact: { image: `${IMAGE}:1.5.0` } } })]);
    const after = await readyObject('agentruntime', 'versioned-agent', ns, (o) => o.status?.version === '2');
    const endpoints = after.status!.endpoints as { name: string; liveVersion: string }[];
    expect(endpoints.find((e) => e.name === 'prod')?.liveVersion).toBe('1');
    expect(endpoints.find((e) => e.name === 'staging')?.liveVersion).toBe('2');
    expect((await runtimeNamed('versioned_agent'))?.agentRuntimeVersion).toBe('2');
    const reasons = (await events(ns)).filter((e) => e.regarding.name === 'versioned-agent').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['NewVersion', 'EndpointMoved']));
  }, 120_000);

  test('annotating restartedAt mints a new version with a bumped code version', async () => {
    const ns = 'restarted';
    await ownNamespace(ns);
    await apply(runtime('restarted-agent', ns));
    const before = await readyObject('agentruntime', 'restarted-agent', ns);
    await kubectl(['annotate', 'agentruntime', 'restarted-agent', '-n', ns, 'agentcore.dev/restartedAt=2026-11-24T12:00:00Z']);
    const after = await readyObject('agentruntime', 'restarted-agent', ns, (o) => o.status?.version === String(Number(before.status!.version) + 1));
    expect(after.status!.codeVersion).not.toEqual(before.status!.codeVersion);
    expect(String(after.status!.codeVersion)).toContain('2026-11-24T12:00:00Z');
    const aws = await runtimeNamed('restarted_agent');
    expect(aws?.environmentVariables?.AGENTCORE_CODE_VERSION).toBe(after.status!.codeVersion);
  }, 120_000);

  test('requestedAt asks for a reconcile, echoed in status.lastHandledReconcileAt', async () => {
    const ns = 'requested';
    await ownNamespace(ns);
    await apply(memory('requested-memory', ns));
    await readyObject('memory', 'requested-memory', ns);
    await kubectl(['annotate', '--overwrite', 'memory', 'requested-memory', '-n', ns, 'agentcore.dev/requestedAt=now-1']);
    await waitFor(async () => (await stack.get('memory', 'requested-memory', ns)).status?.lastHandledReconcileAt === 'now-1', { what: 'lastHandledReconcileAt' });
  }, 120_000);

  test('a changed Secret updates the credential provider that reads it', async () => {
    const ns = 'rotated';
    await ownNamespace(ns);
    await apply(secret('carrier', ns, { 'api-key': 'first-carrier-key-2c9d' }), apiKeyProvider('rotated-api-key', ns, 'carrier'));
    await readyObject('apikeycredentialprovider', 'rotated-api-key', ns);
    expect(await apiKeyOf('rotated-api-key')).toBe('first-carrier-key-2c9d');
    await apply(secret('carrier', ns, { 'api-key': 'rotated-carrier-key-6b1f' }));
    await waitFor(async () => (await apiKeyOf('rotated-api-key')) === 'rotated-carrier-key-6b1f', { what: 'the provider to hold the rotated key' });
  }, 120_000);

  test('an invalid object is rejected by the CRD schema and never reaches AWS', async () => {
    const ns = 'invalid';
    await ownNamespace(ns);
    const bad = runtime('bad-agent', ns, { endpoints: [{ name: '1-not-a-name' }] });
    const result = await stack.cluster.kubectl(['apply', '-f', '-'], JSON.stringify(bad));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.endpoints[0].name');
    expect(await objects(ns, 'agentruntimes')).toEqual([]);
    expect(await runtimeNamed('bad_agent')).toBeUndefined();
  }, 60_000);

  test('a dependent created before its dependency waits with a clear reason, then converges', async () => {
    const ns = 'dependent';
    await ownNamespace(ns);
    await apply(runtime('late-agent', ns, { memoryRef: { name: 'late-memory' } }));
    const waiting = await waitFor(async () => {
      const o = await stack.get('agentruntime', 'late-agent', ns);
      return condition(o, 'Ready')?.reason === 'DependencyNotReady' && o;
    }, { what: 'the runtime to wait for its memory' });
    expect(condition(waiting, 'Ready')!.message).toContain('late-memory');
    expect(condition(waiting, 'Reconciling')?.status).toBe('True');
    await apply(memory('late-memory', ns));
    await readyObject('agentruntime', 'late-agent', ns);
  }, 120_000);

  test('spec.suspend stops reconciling and says so; resuming rolls the change', async () => {
    const ns = 'suspended';
    await ownNamespace(ns);
    await apply(runtime('suspended-agent', ns));
    await readyObject('agentruntime', 'suspended-agent', ns);
    await kubectl(['patch', 'agentruntime', 'suspended-agent', '-n', ns, '--type=merge', '-p', JSON.stringify({ spec: { suspend: true, description: 'changed while suspended' } })]);
    await waitFor(async () => condition(await stack.get('agentruntime', 'suspended-agent', ns), 'Ready')?.reason === 'Suspended', { what: 'Suspended' });
    expect((await runtimeNamed('suspended_agent'))?.description).toBeUndefined();
    await kubectl(['patch', 'agentruntime', 'suspended-agent', '-n', ns, '--type=merge', '-p', JSON.stringify({ spec: { suspend: false } })]);
    await readyObject('agentruntime', 'suspended-agent', ns);
    expect((await runtimeNamed('suspended_agent'))?.description).toBe('changed while suspended');
  }, 120_000);

  test('kubectl delete removes the AWS resources (a Retain one stays) and then the objects', async () => {
    const ns = 'deleted';
    await ownNamespace(ns);
    const gateway = { apiVersion: 'agentcore.dev/v1alpha1', kind: 'Gateway', metadata: { name: 'doomed-tools', namespace: ns }, spec: { role: { arn: ROLE_ARN }, authorizer: { type: 'AWS_IAM' } } };
    await apply(memory('doomed-memory', ns), runtime('doomed-agent', ns, { memoryRef: { name: 'doomed-memory' } }), gateway, runtime('kept-agent', ns, { deletionPolicy: 'Retain' }));
    await waitFor(async () => {
      const items = await objects(ns);
      return items.length === 4 && items.every(isReady);
    }, { timeoutMs: 60_000, what: 'every object to be Ready' });
    const memoryId = (await stack.get('memory', 'doomed-memory', ns)).status!.memoryId as string;
    await kubectl(['delete', 'agentruntimes,memories,gateways', '--all', '-n', ns, '--timeout=60s']);
    expect(await objects(ns)).toEqual([]);
    expect(await runtimeNamed('doomed_agent')).toBeUndefined();
    expect((await runtimeNamed('kept_agent'))?.status).toBe('READY');
    expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories!.filter((m) => m.id === memoryId)).toEqual([]);
    expect((await stack.aws.agentcore.send(new ListGatewaysCommand({}))).items!.filter((g) => g.name === 'doomed-tools')).toEqual([]);
  }, 120_000);

  test('no secret value appears in logs, status, Events or metrics', async () => {
    const ns = 'secret-keeping';
    const operator = await ownNamespace(ns);
    const values = ['kept-quiet-key-4e1a', 'kept-quiet-client-secret-07bd', 'kept-quiet-rotated-key-93c0'];
    const oauth2 = {
      apiVersion: 'agentcore.dev/v1alpha1',
      kind: 'OAuth2CredentialProvider',
      metadata: { name: 'quiet-github', namespace: ns },
      spec: { vendor: 'GithubOauth2', clientId: 'Iv1.quiet', clientSecret: { secretKeyRef: { name: 'quiet', key: 'client-secret' } } },
    };
    await apply(secret('quiet', ns, { 'api-key': values[0]!, 'client-secret': values[1]! }), apiKeyProvider('quiet-api-key', ns, 'quiet'), apiKeyProvider('gone-api-key', ns, 'quiet'), oauth2);
    for (const [kind, name] of [['apikeycredentialprovider', 'quiet-api-key'], ['apikeycredentialprovider', 'gone-api-key'], ['oauth2credentialprovider', 'quiet-github']]) await readyObject(kind!, name!, ns);
    await apply(secret('quiet', ns, { 'api-key': values[2]!, 'client-secret': values[1]! }));
    await waitFor(async () => (await apiKeyOf('quiet-api-key')) === values[2], { what: 'the provider to hold the rotated key' });
    await kubectl(['delete', 'apikeycredentialprovider', 'gone-api-key', '-n', ns, '--timeout=60s']);
    // Deleted objects leave no series behind.
    const metrics = await waitFor(async () => {
      const text = await metricsOf(operator);
      return !/^agentcore_condition\{[^}]*name="gone-api-key"/m.test(text) && text;
    }, { what: 'the deleted object’s series to go' });
    expect(metrics).toContain('controller_runtime_reconcile_total');
    expect(operator.output()).toContain('"reconcileId"');
    const seen = [operator.output(), JSON.stringify(await events(ns)), metrics, await kubectl(['get', KINDS, '-n', ns, '-o', 'json'])].join('\n');
    for (const value of values) expect(seen).not.toContain(value);
  }, 120_000);

  test('the installation\'s digest key (AGENTCORE_SECRET_DIGEST_KEY) keys the secret digest in status; no key of its own is a constant', async () => {
    const ns = 'digest-key';
    await createNamespace(stack.cluster, ns);
    const operator = startOperator({ kubeconfig: stack.cluster.kubeconfig, awsEndpoint: stack.emulator.url }, ['--namespaces', ns], { AGENTCORE_SECRET_DIGEST_KEY: 'installation-digest-key' });
    operators.push(operator);
    await apply(secret('keyed', ns, { 'api-key': 'keyed-carrier-key-5d2e' }), apiKeyProvider('keyed-api-key', ns, 'keyed'));
    const ready = await readyObject('apikeycredentialprovider', 'keyed-api-key', ns);
    const uid = (ready.metadata as { uid?: string }).uid!;
    expect(ready.status!.appliedSecretDigest).toBe(secretDigest('installation-digest-key', uid, 'keyed-carrier-key-5d2e'));
  }, 60_000);

  test('--secret-digest-key-secret: the first start makes the key in a Secret of its namespace; a restart reads it and so needs no read of the value AWS holds', async () => {
    const ns = 'digest-secret';
    await createNamespace(stack.cluster, ns);
    const flags = ['--namespaces', ns, '--secret-digest-key-secret', 'agentcore-digest-key'];
    const start = () => {
      const started = startOperator({ kubeconfig: stack.cluster.kubeconfig, awsEndpoint: stack.emulator.url }, flags, { POD_NAMESPACE: ns });
      operators.push(started);
      return started;
    };
    const first = start();
    await apply(secret('kept', ns, { 'api-key': 'kept-carrier-key-91c4' }), apiKeyProvider('kept-api-key', ns, 'kept'));
    const ready = await readyObject('apikeycredentialprovider', 'kept-api-key', ns);
    const key = (JSON.parse(await kubectl(['get', 'secret', 'agentcore-digest-key', '-n', ns, '-o', 'json'])) as { data: { key: string } }).data.key;
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(ready.status!.appliedSecretDigest).toBe(secretDigest(key, (ready.metadata as { uid?: string }).uid!, 'kept-carrier-key-91c4'));

    await first.kill('SIGKILL');
    await stack.emulator.admin('DELETE', 'counters');
    const second = start();
    await waitFor(async () => /^controller_runtime_reconcile_total\{controller="apikeycredentialprovider",result="requeue_after"\} [1-9]/m.test(await metricsOf(second)), { what: 'the restarted operator to reconcile the provider' });
    const calls = Object.keys(await stack.emulator.admin<Record<string, number>>('GET', 'counters'));
    expect(calls).toContain('bedrock-agentcore:GetApiKeyCredentialProvider');
    expect(calls.filter((c) => c.startsWith('secretsmanager:') || !isRead(c.split(':')[1]!))).toEqual([]);
  }, 90_000);

  test('run listens on loopback unless told: its port is closed on the machine\'s other addresses, open on them with --http-address 0.0.0.0', async () => {
    const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    expect(outside).toBeDefined();
    const portOf = async (o: RunningOperator) => new URL(await o.httpUrl()).port;
    const healthz = (port: string) => fetch(`http://${outside}:${port}/healthz`).then((r) => r.status, (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message);
    const local = await ownNamespace('http-address');
    expect(await healthz(await portOf(local))).toBe('ECONNREFUSED');
    const everywhere = stack.startOperator(['--namespaces', 'http-address', '--http-address', '0.0.0.0']);
    operators.push(everywhere);
    expect(await healthz(await portOf(everywhere))).toBe(200);
  }, 60_000);
});
