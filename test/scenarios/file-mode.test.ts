/**
 * The file-mode scenarios of reference/peers-iac.md §6, each named after its number, driven through
 * the CLI (`apply`, `plan`, `delete`) against the emulator over HTTP. They assert AWS state, the
 * output a user sees and the emulator's call counters, not call sequences.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteAgentRuntimeCommand, GetAgentRuntimeCommand, GetAgentRuntimeEndpointCommand, GetMemoryCommand, ListAgentRuntimeVersionsCommand,
  ListAgentRuntimesCommand, ListGatewaysCommand, ListGatewayTargetsCommand, ListTagsForResourceCommand, ListWorkloadIdentitiesCommand, UpdateAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import { defaultServices } from '../../src/emulator/index.js';
import { cli, repoRoot } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startTestEmulator(defaultServices(), { provisioningDelayMs: 30, deletionDelayMs: 30 });
  aws = awsClients({ endpointUrl: emulator.url, region: 'us-west-2', credentials: emulator.clientConfig.credentials, maxAttempts: 1 });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  dir = mkdtempSync(join(tmpdir(), 'agentcore-scenarios-'));
});
afterAll(async () => {
  process.env = saved;
  aws.destroy();
  rmSync(dir, { recursive: true, force: true });
  await emulator.close();
});
beforeEach(async () => {
  await emulator.admin('POST', 'reset');
  await emulator.admin('PUT', 'config', { provisioningDelayMs: 30, deletionDelayMs: 30, rateScale: 0 });
  for (const tag of ['1', '2']) await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag });
});

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent';
let counter = 0;

/** Writes the manifests into a fresh folder and returns its path. */
function manifests(...documents: string[]): string {
  const root = join(dir, `tree-${(counter += 1)}`);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'all.yaml'), documents.join('---\n'));
  return root;
}

function runtime(spec: string, name = 'support-agent'): string {
  return `apiVersion: agentcore.dev/v1alpha1\nkind: AgentRuntime\nmetadata:\n  name: ${name}\n  namespace: agents\nspec:\n  role:\n    arn: arn:aws:iam::123456789012:role/AgentRole\n${spec}`;
}

const image = (tag: string) => `  artifact:\n    image: ${IMAGE}:${tag}\n`;
/** The AWS options every command takes; apply and delete also wait, and take how. */
const readFlags = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2'];
const flags = () => [...readFlags(), '--poll-ms', '20', '--timeout', '30s'];
const apply = (root: string) => cli(['apply', '-f', root, ...flags()]);

async function counters(): Promise<Record<string, Record<string, number>>> {
  return emulator.admin('GET', 'counters');
}
async function writes(): Promise<number> {
  return Object.entries(await counters()).filter(([op]) => /:(Create|Update|Delete|Tag|Untag|Put|Attach|Detach)/.test(op)).reduce((n, [, o]) => n + Object.values(o).reduce((a, b) => a + b, 0), 0);
}
async function calls(operation: string): Promise<number> {
  return Object.values((await counters())[`bedrock-agentcore:${operation}`] ?? {}).reduce((a, b) => a + b, 0);
}
async function onlyRuntime() {
  const [summary] = (await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!;
  return aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: summary!.agentRuntimeId }));
}

describe('file mode, the scenarios of peers-iac.md §6', () => {
  test('scenario 1: a runtime is created, waits through CREATING, and reports its id, ARN, version 1 and a READY DEFAULT endpoint', async () => {
    const result = await apply(manifests(runtime(image('1'))));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/AgentRuntime\s+agents\/support-agent\s+ready\s+READY\s+Runtime support_agent version 1 is ready/);
    const got = await onlyRuntime();
    expect([got.status, got.agentRuntimeVersion]).toEqual(['READY', '1']);
    expect(await aws.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: got.agentRuntimeId, endpointName: 'DEFAULT' }))).toMatchObject({ status: 'READY', liveVersion: '1' });
  });

  test('scenario 2: re-applying an identical spec makes zero mutations and no new version', async () => {
    const root = manifests(runtime(`${image('1')}  endpoints:\n    - name: prod\n  tags:\n    team: support\n`));
    await apply(root);
    const before = await writes();
    expect((await apply(root)).code).toBe(0);
    expect(await writes()).toBe(before);
    expect((await onlyRuntime()).agentRuntimeVersion).toBe('1');
  });

  test('scenario 3: a tag-only change uses TagResource/UntagResource and leaves the version', async () => {
    await apply(manifests(runtime(`${image('1')}  tags:\n    team: a\n    old: x\n`)));
    const updates = await calls('UpdateAgentRuntime');
    await apply(manifests(runtime(`${image('1')}  tags:\n    team: b\n`)));
    const got = await onlyRuntime();
    expect(got.agentRuntimeVersion).toBe('1');
    expect(await calls('UpdateAgentRuntime')).toBe(updates);
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: got.agentRuntimeArn }));
    expect([tags!.team, tags!.old]).toEqual(['b', undefined]);
  });

  test('scenario 4: an image change (tag to tag, tag to digest) is one full update each, DEFAULT follows, a pinned endpoint stays', async () => {
    await apply(manifests(runtime(`${image('1')}  endpoints:\n    - name: prod\n      version: "1"\n`)));
    await apply(manifests(runtime(`${image('2')}  endpoints:\n    - name: prod\n      version: "1"\n`)));
    const digest = (await emulator.admin<{ digest: string }>('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '3' })).digest;
    await apply(manifests(runtime(`  artifact:\n    image: ${IMAGE}@${digest}\n  endpoints:\n    - name: prod\n      version: "1"\n`)));
    const got = await onlyRuntime();
    expect([got.agentRuntimeVersion, got.agentRuntimeArtifact!.containerConfiguration!.containerUri, got.roleArn]).toEqual(['3', `${IMAGE}@${digest}`, 'arn:aws:iam::123456789012:role/AgentRole']);
    expect(await calls('UpdateAgentRuntime')).toBe(2);
    expect(await aws.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: got.agentRuntimeId, endpointName: 'DEFAULT' }))).toMatchObject({ liveVersion: '3' });
    expect(await aws.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: got.agentRuntimeId, endpointName: 'prod' }))).toMatchObject({ liveVersion: '1', targetVersion: '1' });
  });

  test('scenario 5: a re-pushed tag is detected (the operator resolves digests) and rolls a version pinned to the new digest', async () => {
    const root = manifests(runtime(image('1')));
    await apply(root);
    const digest = (await emulator.admin<{ digest: string }>('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' })).digest;
    const plan = await cli(['plan', '-f', root, '--detailed-exitcode', ...readFlags()]);
    expect(plan.code).toBe(2);
    await apply(root);
    const got = await onlyRuntime();
    expect([got.agentRuntimeVersion, got.agentRuntimeArtifact!.containerConfiguration!.containerUri, got.environmentVariables!.AGENTCORE_CODE_VERSION]).toEqual(['2', `${IMAGE}@${digest}`, digest]);
  });

  test('scenario 7: a lifecycle given in part is late-initialised, with no perpetual diff', async () => {
    const root = manifests(runtime(`${image('1')}  lifecycle:\n    maxLifetimeSeconds: 3600\n`));
    await apply(root);
    expect((await onlyRuntime()).lifecycleConfiguration).toEqual({ idleRuntimeSessionTimeout: 900, maxLifetime: 3600 });
    expect((await cli(['plan', '-f', root, '--detailed-exitcode', ...readFlags()])).code).toBe(0);
  });

  test('scenario 8: an empty environment equals none, and set-valued fields in another order are no diff', async () => {
    const vpc = (sgs: string, subnets: string, audience: string) => runtime(`${image('1')}  env: {}\n  network:\n    mode: VPC\n    securityGroups: [${sgs}]\n    subnets: [${subnets}]\n  authorizer:\n    customJWT:\n      discoveryUrl: https://idp.example.com/.well-known/openid-configuration\n      allowedAudience: [${audience}]\n  requestHeaders:\n    allowlist: [X-Amzn-Bedrock-AgentCore-Runtime-Custom-A, Authorization]\n`);
    await apply(manifests(vpc('sg-00000001, sg-00000002', 'subnet-0000000a, subnet-0000000b', 'a, b')));
    const before = await writes();
    const reordered = manifests(vpc('sg-00000002, sg-00000001', 'subnet-0000000b, subnet-0000000a', 'b, a'));
    expect((await cli(['plan', '-f', reordered, '--detailed-exitcode', ...readFlags()])).code).toBe(0);
    await apply(reordered);
    expect(await writes()).toBe(before);
  });

  test('scenario 9: an authorizer added, modified and removed, each in place', async () => {
    const jwt = (clients: string) => `  authorizer:\n    customJWT:\n      discoveryUrl: https://idp.example.com/.well-known/openid-configuration\n      allowedClients: [${clients}]\n`;
    await apply(manifests(runtime(image('1'))));
    await apply(manifests(runtime(`${image('1')}${jwt('a')}`)));
    expect((await onlyRuntime()).authorizerConfiguration).toEqual({ customJWTAuthorizer: { discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration', allowedClients: ['a'] } });
    await apply(manifests(runtime(`${image('1')}${jwt('a, b')}`)));
    await apply(manifests(runtime(image('1'))));
    const got = await onlyRuntime();
    expect([got.agentRuntimeVersion, got.authorizerConfiguration]).toEqual(['4', undefined]);
  });

  test('scenario 10: the protocol changes in place, HTTP to MCP to A2A to AGUI', async () => {
    for (const protocol of ['HTTP', 'MCP', 'A2A', 'AGUI']) await apply(manifests(runtime(`${image('1')}  protocol: ${protocol}\n`)));
    const got = await onlyRuntime();
    expect([got.protocolConfiguration!.serverProtocol, got.agentRuntimeVersion]).toEqual(['AGUI', '4']);
  });

  test('scenario 11: an artifact kind switch is planned as a replacement, and stalls unless replacement is allowed', async () => {
    await aws.s3.send(new (await import('@aws-sdk/client-s3')).CreateBucketCommand({ Bucket: 'agent-code', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
    await aws.s3.send(new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: 'agent-code', Key: 'agent.zip', Body: 'zip' }));
    await apply(manifests(runtime(image('1'))));
    const code = `  artifact:\n    code:\n      s3: { bucket: agent-code, prefix: agent.zip }\n      runtime: PYTHON_3_13\n      entryPoint: [main.py]\n`;
    const refused = manifests(runtime(code));
    expect((await cli(['plan', '-f', refused, ...readFlags()])).out).toContain('-/+ AgentRuntime/agents/support-agent: replace runtime support_agent');
    const stalled = await apply(refused);
    expect(stalled.code).toBe(1);
    expect(stalled.out).toContain('set spec.allowReplacement: true');
    expect((await apply(manifests(runtime(`${code}  allowReplacement: true\n`)))).code).toBe(0);
    expect((await onlyRuntime()).agentRuntimeArtifact!.codeConfiguration).toBeDefined();
  });

  test('scenario 12: renaming a runtime creates it under the new name; apply --prune then deletes the old one and its endpoints', async () => {
    const endpoint = '  endpoints:\n    - name: prod\n';
    await apply(manifests(runtime(`${image('1')}  runtimeName: first_name\n${endpoint}`)));
    const renamed = manifests(runtime(`${image('1')}  runtimeName: second_name\n${endpoint}`));
    expect((await cli(['plan', '-f', renamed, ...readFlags()])).out).toContain('+ AgentRuntime/agents/support-agent: create runtime second_name');
    await apply(renamed);
    const names = async () => (await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!.map((r) => r.agentRuntimeName).sort();
    // Without --prune nothing is deleted: file mode keeps no state, and the old runtime is still ours.
    expect(await names()).toEqual(['first_name', 'second_name']);
    expect((await cli(['apply', '-f', renamed, '--prune', ...flags()])).out).toContain('--prune needs --source');
    const pruned = await cli(['apply', '-f', renamed, '--prune', '--source', 'files', ...flags()]);
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain('AgentRuntime/agents/support-agent: deleted endpoint prod');
    expect(pruned.out).toMatch(/AgentRuntime +agents\/support-agent +pruned/);
    expect(await names()).toEqual(['second_name']);
    const kept = await onlyRuntime();
    expect((await aws.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: kept.agentRuntimeId, endpointName: 'prod' }))).status).toBe('READY');
  });

  test('scenario 13: a runtime UPDATING is waited for, not stormed; a failed create is Stalled with its reason until the spec changes', async () => {
    await apply(manifests(runtime(image('1'))));
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 400 });
    const got = await onlyRuntime();
    await aws.agentcore.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: got.agentRuntimeId, agentRuntimeArtifact: got.agentRuntimeArtifact, roleArn: got.roleArn, environmentVariables: { OUT: 'of band' } }));
    const result = await apply(manifests(runtime(image('1'))));
    expect(result.code).toBe(0);
    expect((await counters())['bedrock-agentcore:UpdateAgentRuntime']).toEqual({ ok: 2 });

    await emulator.admin('POST', 'reset');
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 30 });
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    await emulator.admin('PUT', 'behaviours/AgentRuntime/support_agent', { failCreate: 'Image manifest is not for linux/arm64' });
    const failed = await apply(manifests(runtime(image('1'))));
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('Stalled: AWS reports CREATE_FAILED: Image manifest is not for linux/arm64');
  });

  test('scenario 15: a pinned endpoint moved to a new version shows target ahead of live while it rolls, then both on the new version', async () => {
    await apply(manifests(runtime(`${image('1')}  endpoints:\n    - name: prod\n      version: "1"\n`)));
    await apply(manifests(runtime(`${image('2')}  endpoints:\n    - name: prod\n      version: "1"\n`)));
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 300 });
    const rolling = apply(manifests(runtime(`${image('2')}  endpoints:\n    - name: prod\n      version: "2"\n`)));
    const id = (await onlyRuntime()).agentRuntimeId;
    let seen: { liveVersion?: string; targetVersion?: string; status?: string } = {};
    for (let i = 0; i < 50 && seen.status !== 'UPDATING'; i += 1) {
      seen = await aws.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'prod' }));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toMatchObject({ status: 'UPDATING', liveVersion: '1', targetVersion: '2' });
    expect((await rolling).code).toBe(0);
    expect(await aws.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'prod' }))).toMatchObject({ status: 'READY', liveVersion: '2', targetVersion: '2' });
  });

  test('scenario 16: a runtime deleted out of band is created again; a field edited out of band is reverted (as a new version)', async () => {
    const root = manifests(runtime(`${image('1')}  env:\n    LOG_LEVEL: info\n`));
    await apply(root);
    const first = await onlyRuntime();
    await aws.agentcore.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: first.agentRuntimeId, agentRuntimeArtifact: first.agentRuntimeArtifact, roleArn: first.roleArn, environmentVariables: { ...first.environmentVariables, LOG_LEVEL: 'debug' } }));
    await apply(root);
    const reverted = await onlyRuntime();
    expect([reverted.agentRuntimeVersion, reverted.environmentVariables!.LOG_LEVEL]).toEqual(['3', 'info']);
    await aws.agentcore.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: first.agentRuntimeId }));
    await new Promise((r) => setTimeout(r, 50));
    expect((await apply(root)).code).toBe(0);
    const recreated = await onlyRuntime();
    expect(recreated.agentRuntimeId).not.toBe(first.agentRuntimeId);
  });

  test('scenario 17: a memory with strategies; add, modify and delete matched by name; expiry in place; a new encryption key stalls', async () => {
    const memory = (strategies: string, extra = '') => `apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata:\n  name: support-memory\n  namespace: agents\nspec:\n  eventExpiryDays: 30\n${extra}  strategies:\n${strategies}`;
    await apply(manifests(memory('    - name: facts\n      semantic: {}\n    - name: sums\n      summary: {}\n')));
    const created = (await aws.agentcore.send(new (await import('@aws-sdk/client-bedrock-agentcore-control')).ListMemoriesCommand({}))).memories![0]!;
    await apply(manifests(memory('    - name: facts\n      semantic:\n        namespaces: ["/facts/{actorId}"]\n    - name: prefs\n      userPreference: {}\n', '')));
    const got = (await aws.agentcore.send(new GetMemoryCommand({ memoryId: created.id }))).memory!;
    expect(got.strategies!.map((s) => `${s.name}:${s.type}`).sort()).toEqual(['facts:SEMANTIC', 'prefs:USER_PREFERENCE']);
    expect(got.strategies!.find((s) => s.name === 'facts')!.namespaces).toEqual(['/facts/{actorId}']);
    expect((await counters())['bedrock-agentcore:UpdateMemory']).toEqual({ ok: 1 });
    const key = 'arn:aws:kms:us-west-2:123456789012:key/12345678-1234-1234-1234-123456789012';
    const stalled = await apply(manifests(memory('    - name: facts\n      semantic:\n        namespaces: ["/facts/{actorId}"]\n', `  encryptionKeyArn: ${key}\n`)));
    expect(stalled.code).toBe(1);
  });

  test('scenario 18: gateway and targets; CUSTOM_JWT without its configuration is refused before AWS; a target type switch is replaced', async () => {
    const gateway = (authorizer: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: Gateway\nmetadata:\n  name: tools\n  namespace: agents\nspec:\n  role:\n    arn: arn:aws:iam::123456789012:role/GatewayRole\n  authorizer:\n${authorizer}`;
    const target = (kind: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: GatewayTarget\nmetadata:\n  name: weather\n  namespace: agents\nspec:\n  gatewayRef:\n    name: tools\n${kind}`;
    const invalid = await apply(manifests(gateway('    type: CUSTOM_JWT\n')));
    expect(invalid.out).toContain('spec.authorizer.customJWT: customJWT is required when type is CUSTOM_JWT');
    expect(await writes()).toBe(0);
    const mcp = '  mcpServer:\n    endpoint: https://mcp.example.com/mcp\n';
    const openApi = '  openApi:\n    inline: \'{"openapi":"3.0.0","info":{"title":"w","version":"1"},"paths":{}}\'\n';
    expect((await apply(manifests(gateway('    type: AWS_IAM\n'), target(mcp)))).code).toBe(0);
    expect((await apply(manifests(gateway('    type: AWS_IAM\n'), target(openApi)))).code).toBe(0);
    const gatewayId = (await aws.agentcore.send(new (await import('@aws-sdk/client-bedrock-agentcore-control')).ListGatewaysCommand({}))).items![0]!.gatewayId;
    const targets = (await aws.agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId }))).items!;
    expect(targets.map((t) => t.name)).toEqual(['weather']);
    expect((await counters())['bedrock-agentcore:DeleteGatewayTarget']).toEqual({ ok: 1 });
  });

  test('scenario 19: with 20% throttling and 5% 500s injected, apply still converges, keeping under the quota client-side', async () => {
    await emulator.admin('PUT', 'faults', { rules: [{ operation: '*', kind: 'throttle', rate: 0.2 }, { operation: '*', kind: 'internal', rate: 0.05 }], seed: 7 });
    const docs = Array.from({ length: 6 }, (_, i) => runtime(image('1'), `agent-${i}`));
    const result = await cli(['apply', '-f', manifests(...docs), ...flags(), '--timeout', '60s']);
    await emulator.admin('DELETE', 'faults');
    expect(result.code).toBe(0);
    expect(result.out).toContain('6 object(s) done');
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toHaveLength(6);
  });

  test('scenario 20: delete removes endpoints before the runtime, never DEFAULT, and a runtime already gone counts as deleted', async () => {
    const root = manifests(runtime(`${image('1')}  endpoints:\n    - name: prod\n    - name: canary\n`));
    await apply(root);
    const removed = await cli(['delete', '-f', root, ...flags()]);
    expect(removed.code).toBe(0);
    const lines = removed.out.split('\n').filter((l) => l.startsWith('AgentRuntime/') && l.includes(': deleted'));
    expect(lines.map((l) => l.split(': ')[1])).toEqual(['deleted endpoint canary', 'deleted endpoint prod', 'deleted runtime support_agent']);
    expect((await counters())['bedrock-agentcore:DeleteAgentRuntimeEndpoint']).toEqual({ ok: 2 });
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toEqual([]);
    expect((await cli(['delete', '-f', root, ...flags()])).code).toBe(0);
    expect((await aws.agentcore.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: 'gone-abcdefghij' })).catch((e: Error) => e.name))).toBe('ResourceNotFoundException');
  });
});

describe('a crash of the apply process', () => {
  test('killed between the create call and its next step, a re-run finishes the job and creates no duplicate', async () => {
    const root = manifests(runtime(`${image('1')}  endpoints:\n    - name: prod\n`));
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetAgentRuntime', kind: 'latency', rate: 1, latencyMs: 5000 }] });
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), 'apply', '-f', root, ...flags()], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('created runtime support_agent')) resolve();
      });
      child.once('exit', () => reject(new Error(`apply exited before creating: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await emulator.admin('DELETE', 'faults');

    const rerun = await apply(root);
    expect(rerun.code).toBe(0);
    expect(rerun.out).not.toContain('created runtime');
    const runtimes = (await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!;
    expect(runtimes.map((r) => r.agentRuntimeName)).toEqual(['support_agent']);
    expect(await calls('CreateAgentRuntime')).toBe(1);
  });
});

describe('file mode does what cluster mode does', () => {
  const examples = join(repoRoot, 'manifests', 'examples');
  const gatewayTargets = async () => {
    const gateways = (await aws.agentcore.send(new ListGatewaysCommand({}))).items ?? [];
    return Promise.all(gateways.map(async (g) => (await aws.agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: g.gatewayId }))).items ?? []));
  };

  test('delete -f of the examples deletes the targets (found through their gateway), then the gateway and its managed role', async () => {
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1.4.2' });
    expect((await apply(examples)).code).toBe(0);
    expect((await gatewayTargets()).flat()).toHaveLength(2);
    const removed = await cli(['delete', '-f', examples, ...flags()]);
    expect(removed.code).toBe(0);
    expect(removed.out).toContain('deleted target');
    expect(await calls('DeleteGatewayTarget')).toBe(2);
    expect((await aws.agentcore.send(new ListGatewaysCommand({}))).items).toEqual([]);
    for (const RoleName of ['agentcore-gateway-agents-support-tools', 'agentcore-agentruntime-agents-support-agent']) {
      await expect(aws.iam.send(new GetRoleCommand({ RoleName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    }
  });

  test('driftPolicy: Report leaves an out-of-band change in place and reports it; a spec change is still applied', async () => {
    const root = manifests(runtime(`${image('1')}  description: as specified\n  driftPolicy: Report\n`));
    expect((await apply(root)).code).toBe(0);
    const { agentRuntimeId, agentRuntimeVersion, ...live } = await onlyRuntime();
    await aws.agentcore.send(new UpdateAgentRuntimeCommand({ ...(live as object), agentRuntimeId, description: 'changed by hand' } as never));

    const reported = await apply(root);
    expect(reported.code).toBe(0);
    expect(reported.out).toContain('drift reported');
    expect((await onlyRuntime()).description).toBe('changed by hand');

    const changed = manifests(runtime(`${image('1')}  description: a new spec\n  driftPolicy: Report\n`));
    expect((await apply(changed)).code).toBe(0);
    const after = await onlyRuntime();
    expect([after.description, Number(after.agentRuntimeVersion) > Number(agentRuntimeVersion) + 1]).toEqual(['a new spec', true]);
  });

  test('two applies of one tree at once both end Ready, each recognising what the other made', async () => {
    const identity = 'apiVersion: agentcore.dev/v1alpha1\nkind: WorkloadIdentity\nmetadata:\n  name: twice\n  namespace: agents\nspec: {}\n';
    const root = manifests(identity, runtime(image('1')));
    const [first, second] = await Promise.all([apply(root), apply(root)]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect((await aws.agentcore.send(new ListWorkloadIdentitiesCommand({}))).workloadIdentities).toHaveLength(1);
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toHaveLength(1);
  });

  test('status --json shows what AWS runs, the image digest among it', async () => {
    const root = manifests(runtime(image('1')));
    await apply(root);
    const rows = JSON.parse((await cli(['status', '-f', root, '--json', ...readFlags()])).out) as { object: string; state: string; observed?: { image?: string } }[];
    expect(rows).toEqual([expect.objectContaining({ object: 'AgentRuntime/agents/support-agent', state: 'in sync', observed: expect.objectContaining({ image: expect.stringMatching(/support-agent@sha256:[0-9a-f]{64}$/) }) })]);
  });
});
