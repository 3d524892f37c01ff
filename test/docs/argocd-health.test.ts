/**
 * Runs docs/argocd-health.lua the way Argo CD does: a fresh Lua state per object, `obj` set as a global,
 * only the base and table libraries open, and the returned table read as { status, message }. Argo CD
 * runs gopher-lua (Lua 5.1) and wasmoon is Lua 5.4, so the script must keep to what both accept.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { LuaFactory, LuaLibraries } from 'wasmoon';
import { parse } from 'yaml';
import { KINDS } from '../../src/api/kinds.js';

const script = readFileSync(new URL('../../docs/argocd-health.lua', import.meta.url), 'utf8');
const ARGO_STATUSES = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

let factory: LuaFactory;
beforeAll(() => {
  factory = new LuaFactory();
});

async function health(obj: unknown): Promise<{ status: string; message: string }> {
  const lua = await factory.createEngine({ openStandardLibs: false, injectObjects: false, enableProxy: false });
  try {
    lua.global.loadLibrary(LuaLibraries.Base);
    lua.global.loadLibrary(LuaLibraries.Table);
    lua.global.set('obj', obj);
    const result = (await lua.doString(script)) as { status: string; message: string };
    return { status: result.status, message: result.message };
  } finally {
    lua.global.close();
  }
}

/** Objects as `kubectl get -o yaml` shows them, with the status the operator writes. */
const objects: Record<string, string> = {
  readyAgentRuntime: `
apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata:
  name: support-agent
  namespace: agents
  uid: 6f1c2a8e-3b7d-4f0e-9a51-2c4d8e7f6a10
  resourceVersion: "48213"
  generation: 4
  creationTimestamp: "2026-03-02T09:14:07Z"
  finalizers: [agentcore.dev/finalizer]
  annotations:
    argocd.argoproj.io/tracking-id: support:agentcore.dev/AgentRuntime:agents/support-agent
spec:
  suspend: false
  artifact:
    image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1.4.2
    trackDigest: true
  network: { mode: PUBLIC }
  protocol: HTTP
  endpoints:
    - { name: prod, version: "1" }
    - { name: staging, version: latest }
status:
  observedGeneration: 4
  conditions:
    - type: Ready
      status: "True"
      observedGeneration: 4
      lastTransitionTime: "2026-03-02T09:16:41Z"
      reason: Succeeded
      message: Runtime support_agent version 3 is ready
    - type: Synced
      status: "True"
      observedGeneration: 4
      lastTransitionTime: "2026-03-02T09:16:41Z"
      reason: InSync
      message: AWS matches the spec
  awsStatus: READY
  lastSyncedAt: "2026-03-02T10:01:12Z"
  runtimeName: support_agent
  agentRuntimeId: support_agent-Xk3mP9qL2a
  agentRuntimeArn: arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/support_agent-Xk3mP9qL2a
  version: "3"
  roleArn: arn:aws:iam::123456789012:role/agentcore-agents-support-agent
  image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent@sha256:9b2f0c6e1d4a7b3c8e5f2a1d0c9b8a7e6f5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b
  endpoints:
    - name: prod
      arn: arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/support_agent-Xk3mP9qL2a/runtime-endpoint/prod
      liveVersion: "1"
      status: READY
    - name: staging
      arn: arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/support_agent-Xk3mP9qL2a/runtime-endpoint/staging
      liveVersion: "3"
      status: READY
`,
  deletingAgentRuntime: `
apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata:
  name: old-agent
  namespace: agents
  generation: 3
  deletionTimestamp: "2026-03-02T11:00:00Z"
  deletionGracePeriodSeconds: 0
  finalizers: [agentcore.dev/finalizer]
spec:
  suspend: true
  artifact: { image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/old-agent:2.0.0 }
status:
  observedGeneration: 2
  conditions:
    - { type: Ready, status: "False", observedGeneration: 3, lastTransitionTime: "2026-03-02T11:00:01Z", reason: Deleting, message: Deleting runtime old_agent }
    - { type: Reconciling, status: "True", observedGeneration: 3, lastTransitionTime: "2026-03-02T11:00:01Z", reason: Deleting, message: Deleting runtime old_agent }
  awsStatus: DELETING
`,
  suspendedMemory: `
apiVersion: agentcore.dev/v1alpha1
kind: Memory
metadata: { name: support-memory, namespace: agents, generation: 2 }
spec:
  suspend: true
  eventExpiryDays: 30
  strategies: [{ name: facts, semantic: {} }]
status:
  observedGeneration: 1
  conditions:
    - { type: Ready, status: "False", observedGeneration: 2, lastTransitionTime: "2026-03-02T12:00:00Z", reason: Suspended, message: "Reconciliation is suspended (spec.suspend: true)" }
  awsStatus: ACTIVE
`,
  newGatewayDefaultStatus: `
apiVersion: agentcore.dev/v1alpha1
kind: Gateway
metadata: { name: support-tools, namespace: agents, generation: 1, creationTimestamp: "2026-03-02T09:14:07Z" }
spec:
  role: { managed: { statements: [{ Effect: Allow, Action: lambda:InvokeFunction, Resource: "arn:aws:lambda:us-west-2:123456789012:function:order-lookup" }] } }
  authorizer: { type: AWS_IAM }
status:
  observedGeneration: -1
`,
  gatewayTargetWithoutStatus: `
apiVersion: agentcore.dev/v1alpha1
kind: GatewayTarget
metadata: { name: order-lookup, namespace: agents, generation: 1 }
spec:
  gatewayRef: { name: support-tools }
  lambda: { arn: "arn:aws:lambda:us-west-2:123456789012:function:order-lookup", toolSchema: { inline: [{ name: get_order, description: Get an order by its id., inputSchema: { type: object } }] } }
  credentials: { gatewayIamRole: {} }
`,
  agentRuntimeNewSpec: `
apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata: { name: support-agent, namespace: agents, generation: 5 }
spec:
  artifact: { image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1.5.0 }
status:
  observedGeneration: 4
  conditions:
    - { type: Ready, status: "True", observedGeneration: 4, lastTransitionTime: "2026-03-02T09:16:41Z", reason: Succeeded, message: Runtime support_agent version 3 is ready }
  awsStatus: READY
  version: "3"
`,
  stalledWorkloadIdentity: `
apiVersion: agentcore.dev/v1alpha1
kind: WorkloadIdentity
metadata: { name: support-agent-identity, namespace: agents, generation: 2 }
spec:
  identityName: support-agent-identity
  tags: { team: support }
status:
  observedGeneration: 2
  conditions:
    - { type: Ready, status: "False", observedGeneration: 2, lastTransitionTime: "2026-03-02T09:20:00Z", reason: AccessDenied, message: "AccessDeniedException: not authorized to perform bedrock-agentcore:TagResource" }
    - { type: Stalled, status: "True", observedGeneration: 2, lastTransitionTime: "2026-03-02T09:20:00Z", reason: AccessDenied, message: "AccessDeniedException: not authorized to perform bedrock-agentcore:TagResource" }
  identityName: support-agent-identity
  workloadIdentityArn: arn:aws:bedrock-agentcore:us-west-2:123456789012:workload-identity-directory/default/workload-identity/support-agent-identity
`,
  stalledOnNewGeneration: `
apiVersion: agentcore.dev/v1alpha1
kind: Gateway
metadata: { name: support-tools, namespace: agents, generation: 3 }
spec:
  role: { arn: "arn:aws:iam::123456789012:role/support-tools-gateway" }
  authorizer: { type: CUSTOM_JWT, customJWT: { discoveryUrl: "https://auth.example.com/.well-known/openid-configuration", allowedClients: [support-agent] } }
status:
  observedGeneration: 2
  conditions:
    - { type: Ready, status: "False", observedGeneration: 3, lastTransitionTime: "2026-03-02T09:25:00Z", reason: AccessDenied, message: "AccessDeniedException: not authorized to perform bedrock-agentcore:UpdateGateway" }
    - { type: Stalled, status: "True", observedGeneration: 3, lastTransitionTime: "2026-03-02T09:25:00Z", reason: AccessDenied, message: "AccessDeniedException: not authorized to perform bedrock-agentcore:UpdateGateway" }
`,
  stalledOnOlderGeneration: `
apiVersion: agentcore.dev/v1alpha1
kind: Gateway
metadata: { name: support-tools, namespace: agents, generation: 4 }
spec:
  role: { arn: "arn:aws:iam::123456789012:role/support-tools-gateway-v2" }
  authorizer: { type: CUSTOM_JWT, customJWT: { discoveryUrl: "https://auth.example.com/.well-known/openid-configuration", allowedClients: [support-agent] } }
status:
  observedGeneration: 2
  conditions:
    - { type: Ready, status: "False", observedGeneration: 3, lastTransitionTime: "2026-03-02T09:25:00Z", reason: AccessDenied, message: "AccessDeniedException: not authorized to perform bedrock-agentcore:UpdateGateway" }
    - { type: Stalled, status: "True", observedGeneration: 3, lastTransitionTime: "2026-03-02T09:25:00Z", reason: AccessDenied, message: "AccessDeniedException: not authorized to perform bedrock-agentcore:UpdateGateway" }
`,
  reconcilingMemory: `
apiVersion: agentcore.dev/v1alpha1
kind: Memory
metadata: { name: support-memory, namespace: agents, generation: 1 }
spec: { eventExpiryDays: 30 }
status:
  observedGeneration: 1
  conditions:
    - { type: Ready, status: "False", observedGeneration: 1, lastTransitionTime: "2026-03-02T09:14:09Z", reason: Creating, message: Creating memory support_memory }
    - { type: Reconciling, status: "True", observedGeneration: 1, lastTransitionTime: "2026-03-02T09:14:09Z", reason: Creating, message: Creating memory support_memory }
  awsStatus: CREATING
`,
  waitingForDependency: `
apiVersion: agentcore.dev/v1alpha1
kind: GatewayTarget
metadata: { name: order-lookup, namespace: agents, generation: 1 }
spec:
  gatewayRef: { name: support-tools }
  lambda: { arn: "arn:aws:lambda:us-west-2:123456789012:function:order-lookup", toolSchema: { inline: [{ name: get_order, description: Get an order by its id., inputSchema: { type: object } }] } }
status:
  observedGeneration: 1
  conditions:
    - { type: Ready, status: "False", observedGeneration: 1, lastTransitionTime: "2026-03-02T09:14:09Z", reason: DependencyNotReady, message: Waiting for Gateway support-tools to be ready }
    - { type: Reconciling, status: "True", observedGeneration: 1, lastTransitionTime: "2026-03-02T09:14:09Z", reason: DependencyNotReady, message: Waiting for Gateway support-tools to be ready }
`,
  failingOAuth2Provider: `
apiVersion: agentcore.dev/v1alpha1
kind: OAuth2CredentialProvider
metadata: { name: github, namespace: agents, generation: 1 }
spec:
  vendor: GithubOauth2
  clientId: Iv1.8a61f9b3a7aba766
  clientSecret: { secretKeyRef: { name: github-oauth, key: client-secret } }
status:
  observedGeneration: 1
  conditions:
    - { type: Ready, status: "False", observedGeneration: 1, lastTransitionTime: "2026-03-02T13:02:00Z", reason: AWSFailed, message: "InternalServerException: service unavailable" }
    - { type: Synced, status: "True", observedGeneration: 1, lastTransitionTime: "2026-03-02T09:14:10Z", reason: InSync, message: AWS matches the spec }
`,
  readyWithoutMessage: `
apiVersion: agentcore.dev/v1alpha1
kind: ApiKeyCredentialProvider
metadata: { name: shipping-api-key, namespace: agents, generation: 1 }
spec:
  apiKey: { secretKeyRef: { name: shipping-carrier, key: api-key } }
status:
  observedGeneration: 1
  conditions:
    - { type: Ready, status: "True", observedGeneration: 1, lastTransitionTime: "2026-03-02T09:14:10Z", reason: Succeeded, message: "" }
`,
  readyUnknown: `
apiVersion: agentcore.dev/v1alpha1
kind: Memory
metadata: { name: support-memory, namespace: agents, generation: 1 }
spec: { eventExpiryDays: 30 }
status:
  observedGeneration: 1
  conditions:
    - { type: Ready, status: Unknown, observedGeneration: 1, lastTransitionTime: "2026-03-02T09:14:09Z", reason: Progressing, message: Reconciliation in progress }
`,
  noConditions: `
apiVersion: agentcore.dev/v1alpha1
kind: Memory
metadata: { name: support-memory, namespace: agents, generation: 1 }
spec: { eventExpiryDays: 30 }
status:
  observedGeneration: 1
`,
};

const expected: [string, string, { status: string; message: string }][] = [
  ['Ready=True: Healthy with the Ready message (AgentRuntime with endpoints)', 'readyAgentRuntime', { status: 'Healthy', message: 'Runtime support_agent version 3 is ready' }],
  ['deletionTimestamp: Progressing, before anything else (even suspend)', 'deletingAgentRuntime', { status: 'Progressing', message: 'Pending deletion' }],
  ['spec.suspend: Suspended', 'suspendedMemory', { status: 'Suspended', message: 'Reconciliation is suspended (spec.suspend: true)' }],
  ['observedGeneration -1 (the CRD default): Progressing', 'newGatewayDefaultStatus', { status: 'Progressing', message: 'Waiting for the operator to observe generation 1' }],
  ['no status at all: Progressing', 'gatewayTargetWithoutStatus', { status: 'Progressing', message: 'Waiting for the operator to observe generation 1' }],
  ['a new spec not yet observed: Progressing, not the old Ready=True', 'agentRuntimeNewSpec', { status: 'Progressing', message: 'Waiting for the operator to observe generation 5' }],
  ['Stalled=True: Degraded with its message', 'stalledWorkloadIdentity', { status: 'Degraded', message: 'AccessDeniedException: not authorized to perform bedrock-agentcore:TagResource' }],
  ['Stalled=True judged on the current generation: Degraded although observedGeneration lags', 'stalledOnNewGeneration', { status: 'Degraded', message: 'AccessDeniedException: not authorized to perform bedrock-agentcore:UpdateGateway' }],
  ['Stalled=True left from an older generation: Progressing until the operator looks again', 'stalledOnOlderGeneration', { status: 'Progressing', message: 'Waiting for the operator to observe generation 4' }],
  ['Reconciling=True: Progressing with its message', 'reconcilingMemory', { status: 'Progressing', message: 'Creating memory support_memory' }],
  ['waiting on a dependency: Progressing, not Degraded', 'waitingForDependency', { status: 'Progressing', message: 'Waiting for Gateway support-tools to be ready' }],
  ['Ready=False: Degraded with reason and message', 'failingOAuth2Provider', { status: 'Degraded', message: 'AWSFailed: InternalServerException: service unavailable' }],
  ['Ready=True with an empty message: Healthy with the reason', 'readyWithoutMessage', { status: 'Healthy', message: 'Succeeded' }],
  ['Ready=Unknown: Progressing with its message', 'readyUnknown', { status: 'Progressing', message: 'Reconciliation in progress' }],
  ['observed but no conditions: Progressing', 'noConditions', { status: 'Progressing', message: 'Waiting for the operator to report Ready' }],
];

describe('Argo CD health check (docs/argocd-health.lua)', () => {
  test.each(expected)('%s', async (_title, name, want) => {
    const got = await health(parse(objects[name]!));
    expect(got).toEqual(want);
    expect(ARGO_STATUSES).toContain(got.status);
  });

  test('the script keeps to syntax Lua 5.1 (gopher-lua) also accepts', () => {
    const code = script.replace(/--.*$/gm, '');
    for (const newer of ['goto', '::', '//', '<const>', '<close>', '&', '|', '<<', '>>']) {
      expect(code).not.toContain(newer);
    }
  });

  test('every fixture is covered by a case', () => {
    expect(expected.map(([, name]) => name).sort()).toEqual(Object.keys(objects).sort());
  });

  test('a Ready=False object without a message still gets a readable message', async () => {
    const obj = parse(objects.failingOAuth2Provider!);
    obj.status.conditions[0].message = '';
    expect(await health(obj)).toEqual({ status: 'Degraded', message: 'AWSFailed' });
  });

  test('an object without metadata.generation is judged on its conditions alone', async () => {
    const obj = parse(objects.readyAgentRuntime!);
    delete obj.metadata.generation;
    expect(await health(obj)).toEqual({ status: 'Healthy', message: 'Runtime support_agent version 3 is ready' });
    delete obj.status;
    expect(await health(obj)).toEqual({ status: 'Progressing', message: 'Waiting for the operator to reconcile' });
  });
});

describe('docs/argocd.md', () => {
  const doc = readFileSync(new URL('../../docs/argocd.md', import.meta.url), 'utf8');

  test('the kinds its argocd-cm patch adds keys for are every kind of the registry', () => {
    const line = doc.split('\n').find((l) => l.startsWith('kinds="'));
    expect(line?.slice('kinds="'.length, -1).split(' ').sort()).toEqual(KINDS.map((k) => k.kind).sort());
  });

  test('every per-kind key it shows names a kind', () => {
    const keys = [...doc.matchAll(/resource\.customizations\.health\.agentcore\.dev_(\w+)/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((kind) => !KINDS.some((k) => k.kind === kind))).toEqual([]);
  });
});
