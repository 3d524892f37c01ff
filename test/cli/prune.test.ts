/**
 * `apply --prune` against the emulator: what this source created and no manifest claims any more is
 * deleted; what another source, someone else, or a Retain policy owns is left. Also: a no-op plan of a
 * tree of every kind reads AWS at most once per object.
 */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAgentRuntimeCommand, ListAgentRuntimesCommand, ListMemoriesCommand, ListGatewaysCommand, ListGatewayTargetsCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../src/aws/clients.js';
import { defaultServices } from '../../src/emulator/index.js';
import { isRead } from '../../src/aws/call.js';
import { cli, repoRoot } from '../helpers/cli.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator(defaultServices(), (e, a) => ((emulator = e), (aws = a)), { provisioningDelayMs: 20, deletionDelayMs: 20 });

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1';
beforeEach(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
});

let trees = 0;
function tree(...documents: string[]): string {
  const root = join(mkdtempSync(join(tmpdir(), 'agentcore-prune-')), `tree-${(trees += 1)}`);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'all.yaml'), documents.join('---\n'));
  return root;
}

const runtime = (name: string, extra = '') =>
  `apiVersion: agentcore.dev/v1alpha1\nkind: AgentRuntime\nmetadata:\n  name: ${name}\n  namespace: agents\nspec:\n  artifact:\n    image: ${IMAGE}\n  role:\n    managed: {}\n${extra}`;
const memory = (name: string, extra = '') => `apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata:\n  name: ${name}\n  namespace: agents\nspec:\n  eventExpiryDays: 30\n${extra}`;
const gateway = (name: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: Gateway\nmetadata:\n  name: ${name}\n  namespace: agents\nspec:\n  role:\n    arn: arn:aws:iam::123456789012:role/GatewayRole\n  authorizer:\n    type: AWS_IAM\n`;
const target = (name: string, gatewayName: string, extra = '') =>
  `apiVersion: agentcore.dev/v1alpha1\nkind: GatewayTarget\nmetadata:\n  name: ${name}\n  namespace: agents\nspec:\n${extra}  gatewayRef:\n    name: ${gatewayName}\n  lambda:\n    arn: arn:aws:lambda:us-west-2:123456789012:function:tools\n    toolSchema:\n      inline:\n        - name: get_weather\n          description: Current weather\n          inputSchema:\n            type: object\n`;

const flags = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2'];
const apply = (root: string, ...more: string[]) => cli(['apply', '-f', root, ...flags(), '--poll-ms', '20', '--timeout', '30s', ...(more.includes('--source') ? [] : ['--source', 'prune-tests']), ...more]);

async function runtimeNames(): Promise<string[]> {
  return (await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!.map((r) => r.agentRuntimeName!).sort();
}

/** The names of the gateways, each with the names of its targets. */
async function gatewaysAndTargets(): Promise<Record<string, string[]>> {
  const gateways = (await aws.agentcore.send(new ListGatewaysCommand({}))).items!;
  const entries = gateways.map(async (g) => [g.name!, (await aws.agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: g.gatewayId }))).items!.map((t) => t.name!).sort()]);
  return Object.fromEntries(await Promise.all(entries)) as Record<string, string[]>;
}

/** The writes the emulator has received since its counters were cleared, by service and operation. */
async function writes(): Promise<Record<string, number>> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  const written = Object.entries(counters).filter(([key]) => !isRead(key.split(':')[1]!));
  return Object.fromEntries(written.map(([key, outcomes]) => [key, Object.values(outcomes).reduce((a, b) => a + b, 0)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

describe('plan --prune', () => {
  test('shows what apply --prune then deletes, and apply --prune --plan shows the same before it does', async () => {
    const full = tree(runtime('keep'), runtime('gone'), memory('gone-memory'), gateway('gone-tools'), target('gone-target', 'gone-tools'), runtime('renamed'));
    expect((await apply(full)).code).toBe(0);
    const smaller = tree(runtime('keep'), runtime('renamed', '  runtimeName: renamed_v2\n'));
    await emulator.admin('DELETE', 'counters');
    const planned = await cli(['plan', '-f', smaller, ...flags(), '--source', 'prune-tests', '--prune', '--detailed-exitcode']);
    const expected = [
      '+ AgentRuntime/agents/renamed: create runtime renamed_v2',
      '    - runtime renamed',
      '- Gateway/agents/gone-tools: delete gateway gone-tools',
      '- GatewayTarget/agents/gone-target: delete target gone-target',
      '- Memory/agents/gone-memory: delete memory gone_memory',
      '- AgentRuntime/agents/gone: delete runtime gone',
      '    - role agentcore-agentruntime-agents-gone',
      'Plan: 1 to create, 0 to update, 0 to replace, 5 with deletions; 0 error(s).',
      '',
    ].join('\n');
    expect([planned.code, planned.out]).toEqual([2, expected]);
    expect(await writes()).toEqual({});
    // Whose each role is, the account's roles read once for the plan say: no role is read on its own.
    expect(Object.keys(await emulator.admin<Record<string, unknown>>('GET', 'counters')).filter((k) => k.startsWith('iam:'))).toEqual(['iam:GetAccountAuthorizationDetails']);

    const applied = await apply(smaller, '--prune', '--plan');
    expect(applied.code).toBe(0);
    expect(applied.out.startsWith(expected)).toBe(true);
    // Exactly what the plan said: the new runtime; the old one, a runtime and its role, a gateway and its target, a memory.
    expect(await writes()).toEqual({
      'bedrock-agentcore:CreateAgentRuntime': 1, 'bedrock-agentcore:DeleteAgentRuntime': 2, 'bedrock-agentcore:DeleteGateway': 1,
      'bedrock-agentcore:DeleteGatewayTarget': 1, 'bedrock-agentcore:DeleteMemory': 1, 'iam:DeleteRole': 1, 'iam:DeleteRolePolicy': 1,
    });
    const again = await cli(['plan', '-f', smaller, ...flags(), '--source', 'prune-tests', '--prune', '--detailed-exitcode']);
    expect([again.code, again.out]).toEqual([0, 'No changes: AWS matches the manifests.\n']);
  });

  test('needs --source, as apply --prune does', async () => {
    const planned = await cli(['plan', '-f', tree(memory('m')), ...flags(), '--prune']);
    expect([planned.code, planned.out]).toEqual([1, '--prune needs --source: name this tree (its repository and path, say) so that only what it created is pruned\n']);
  });
});

describe('apply --prune', () => {
  test('deletes the resources of objects that left the tree, with their targets and managed roles, and keeps the rest', async () => {
    const full = tree(runtime('keep'), runtime('gone'), memory('gone-memory'), gateway('gone-tools'), target('gone-target', 'gone-tools'));
    expect((await apply(full)).code).toBe(0);
    const roleOfGone = 'agentcore-agentruntime-agents-gone';
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: roleOfGone }))).resolves.toBeDefined();

    const smaller = tree(runtime('keep'));
    const plain = await apply(smaller);
    expect(plain.out).not.toContain('pruned');
    expect(await runtimeNames()).toEqual(['gone', 'keep']);

    const pruned = await apply(smaller, '--prune');
    expect(pruned.code).toBe(0);
    expect(pruned.out).toMatch(/AgentRuntime +agents\/gone +pruned/);
    expect(pruned.out).toMatch(/Memory +agents\/gone-memory +pruned/);
    expect(pruned.out).toMatch(/Gateway +agents\/gone-tools +pruned/);
    expect(await runtimeNames()).toEqual(['keep']);
    expect((await aws.agentcore.send(new ListMemoriesCommand({}))).memories).toEqual([]);
    expect((await aws.agentcore.send(new ListGatewaysCommand({}))).items).toEqual([]);
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: roleOfGone }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-agentruntime-agents-keep' }))).resolves.toBeDefined();

    const again = await apply(smaller, '--prune');
    expect(again.out).not.toContain('pruned');
  });

  test('deletes a target that left the tree from a gateway that stays, and the old target of a renamed one', async () => {
    const full = tree(gateway('tools'), target('weather', 'tools'), target('news', 'tools'), target('stocks', 'tools'));
    expect((await apply(full)).code).toBe(0);
    expect(await gatewaysAndTargets()).toEqual({ tools: ['news', 'stocks', 'weather'] });

    const smaller = tree(gateway('tools'), target('weather', 'tools'), target('stocks', 'tools', '  targetName: stocks-v2\n'));
    const pruned = await apply(smaller, '--prune');
    expect(pruned.code).toBe(0);
    expect(pruned.out).toMatch(/GatewayTarget +agents\/news +pruned/);
    expect(pruned.out).toMatch(/GatewayTarget +agents\/stocks +pruned/);
    expect(pruned.out).not.toMatch(/(Gateway|GatewayTarget) +agents\/(tools|weather) +pruned/);
    expect(pruned.out).toContain('2 resource(s) no manifest claims any more pruned');
    expect(await gatewaysAndTargets()).toEqual({ tools: ['stocks-v2', 'weather'] });

    const again = await apply(smaller, '--prune');
    expect(again.out).not.toContain('pruned');
  });

  test("keeps a gateway's undeclared targets while a target of that gateway is not ready", async () => {
    expect((await apply(tree(gateway('tools'), target('weather', 'tools'), target('news', 'tools')))).code).toBe(0);
    await emulator.admin('PUT', 'behaviours/GatewayTarget/weather-v2', { failCreate: 'the Lambda function is in another account' });

    const result = await apply(tree(gateway('tools'), target('weather', 'tools', '  targetName: weather-v2\n')), '--prune');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/GatewayTarget +agents\/weather +stalled/);
    expect(result.out).not.toContain('pruned');
    expect(await gatewaysAndTargets()).toEqual({ tools: ['news', 'weather', 'weather-v2'] });
  });

  test('leaves what another source, someone else, or an object with deletionPolicy: Retain owns', async () => {
    await apply(tree(runtime('elsewhere')), '--source', 'other-repo');
    await apply(tree(runtime('retained', '  deletionPolicy: Retain\n'), runtime('plain')));
    const summary = (await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!.find((r) => r.agentRuntimeName === 'plain')!;
    const got = await aws.agentcore.send(new (await import('@aws-sdk/client-bedrock-agentcore-control')).GetAgentRuntimeCommand({ agentRuntimeId: summary.agentRuntimeId }));
    await aws.agentcore.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'by_hand', agentRuntimeArtifact: got.agentRuntimeArtifact, roleArn: got.roleArn, networkConfiguration: { networkMode: 'PUBLIC' } }));

    const result = await apply(tree(runtime('plain')), '--prune');
    expect(result.code).toBe(0);
    expect(result.out).not.toContain('pruned');
    expect(await runtimeNames()).toEqual(['by_hand', 'elsewhere', 'plain', 'retained']);
  });

  test('without the tag listing (GetResources failing), apply still finds and reads what it owns, and prune refuses to guess', async () => {
    const full = tree(runtime('keep'), runtime('gone'));
    expect((await apply(full)).code).toBe(0);
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetResources', kind: 'internal', rate: 1 }] });
    await emulator.admin('DELETE', 'counters');
    const again = await apply(full);
    expect(again.code).toBe(0);
    const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
    expect(Object.keys(counters).filter((op) => /:(Create|Update|Delete|Tag|Untag|Put|Attach|Detach)/.test(op))).toEqual([]);
    // Each runtime's tags come from its own read instead.
    expect(counters['bedrock-agentcore:ListTagsForResource']).toEqual({ ok: 2 });

    const refused = await apply(tree(runtime('keep')), '--prune');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('Nothing was pruned: what the source owns could not be listed');
    expect(await runtimeNames()).toEqual(['gone', 'keep']);
    await emulator.admin('DELETE', 'faults');
  });

  test('an unchanged tree of every kind: apply writes nothing, plan plans nothing and reads AWS at most once per resource', async () => {
    const examples = join(repoRoot, 'manifests', 'examples');
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1.4.2' });
    process.env.GITHUB_CLIENT_SECRET = 'not-so-secret';
    expect((await apply(examples)).code).toBe(0);
    await emulator.admin('DELETE', 'counters');
    const again = await apply(examples, '--plan');
    expect(again.out).toContain('No changes: AWS matches the manifests.');
    const writes = Object.entries(await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters')).filter(([op]) => /:(Create|Update|Delete|Tag|Untag|Put|Attach|Detach)/.test(op));
    expect(writes).toEqual([]);
    await emulator.admin('DELETE', 'counters');
    const plan = await cli(['plan', '-f', examples, ...flags(), '--source', 'prune-tests', '--detailed-exitcode']);
    expect(plan.out).toContain('No changes');
    expect(plan.code).toBe(0);
    const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
    const reads = Object.values(counters).reduce((n, o) => n + Object.values(o).reduce((a, b) => a + b, 0), 0);
    // The AWS resources behind the 8 objects: the runtime, its prod, staging and DEFAULT endpoints, its
    // image, its role and the role's inline policy; the memory, its role and inline policy; the
    // gateway and its 2 targets; 2 credential providers and the 2 secrets AgentCore keeps for them;
    // the workload identity.
    const resources = 18;
    expect(reads).toBeLessThanOrEqual(resources);
  });
});
