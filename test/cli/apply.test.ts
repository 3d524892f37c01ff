import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { join } from 'node:path';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { ecrService } from '../../src/emulator/ecr/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { cli, cliChild, repoRoot, run } from '../helpers/cli.js';

let emulator: TestEmulator;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startTestEmulator([agentCoreService(), ecrService()]);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  dir = mkdtempSync(join(tmpdir(), 'agentcore-apply-'));
});
afterAll(async () => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
  await emulator.close();
});

const runtime = (name: string, extra = '') => `apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata:
  name: ${name}
  namespace: agents
spec:
  artifact:
    image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1
  role:
    arn: arn:aws:iam::123456789012:role/AgentRole
  endpoints:
    - name: prod
${extra}`;

function tree(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** The AWS options every command takes; apply and delete also wait, and take how. */
const awsRead = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2'];
const aws = () => [...awsRead(), '--poll', '20ms', '--timeout', '30s'];
const writes = async () => {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  return Object.keys(counters).filter((k) => /:(Create|Update|Delete|Tag|Untag)/.test(k)).reduce((n, k) => n + Object.values(counters[k]!).reduce((a, b) => a + b, 0), 0);
};

describe('agentcore-operator apply and delete, against the emulator', () => {
  test('apply creates what the manifests describe and waits for Ready; applying again changes nothing; delete removes it', async () => {
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const root = tree('one', { 'agents/runtime.yaml': runtime('support-agent'), 'namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: agents\n' });

    const first = await cli(['apply', '-f', root, ...aws()]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('AgentRuntime/agents/support-agent: created runtime support_agent');
    expect(first.out).toContain('AgentRuntime/agents/support-agent: created endpoint prod at version 1');
    expect(first.out).toMatch(/AgentRuntime\s+agents\/support-agent\s+ready\s+READY\s+Runtime support_agent version 1 is ready/);

    const before = await writes();
    const second = await cli(['apply', '-f', root, ...aws()]);
    expect(second.code).toBe(0);
    expect(second.out).not.toMatch(/: (created|updated|moved|tagged|deleted)/);
    expect(await writes()).toBe(before);

    const removed = await cli(['delete', '-f', root, ...aws()]);
    expect(removed.code).toBe(0);
    expect(removed.out).toContain('deleted endpoint prod');
    expect(removed.out).toContain('deleted runtime support_agent');
  });

  test('plan shows what apply would do, changes nothing, and says "No changes" once applied', async () => {
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const root = tree('planned', { 'runtime.yaml': runtime('planned-agent') });
    await emulator.admin('DELETE', 'counters');
    const before = await cli(['plan', '-f', root, '--detailed-exitcode', ...awsRead()]);
    expect(before.code).toBe(2);
    expect(before.out).toContain('+ AgentRuntime/agents/planned-agent: create runtime planned_agent\n    + endpoint prod = "latest"\n');
    expect(before.out).toContain('Plan: 1 to create, 0 to update, 0 to replace, 0 with deletions; 0 error(s).');
    expect(await writes()).toBe(0);

    expect((await cli(['apply', '-f', root, ...aws()])).code).toBe(0);
    const after = await cli(['plan', '-f', root, '--detailed-exitcode', ...awsRead()]);
    expect([after.code, after.out]).toEqual([0, 'No changes: AWS matches the manifests.\n']);

    const digest = (await emulator.admin<{ digest: string }>('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' })).digest;
    const repushed = await cli(['plan', '-f', root, '--detailed-exitcode', ...awsRead()]);
    expect(repushed.code).toBe(2);
    expect(repushed.out).toContain('~ AgentRuntime/agents/planned-agent (a new runtime version)');
    expect(repushed.out).toContain(`spec.artifact.image: "123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent@sha256:`);
    expect(repushed.out).toContain(`-> "123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent@${digest}"`);
    const json = JSON.parse((await cli(['plan', '-f', root, '-o', 'json', ...awsRead()])).out) as { formatVersion: number; summary: Record<string, number>; objects: Record<string, { changes: { action: string; subject: string; newVersion?: boolean }[] }> };
    expect([json.formatVersion, json.summary]).toEqual([1, { create: 0, update: 1, replace: 0, delete: 0, errors: 0, changed: 1 }]);
    // --json, the flag of earlier versions, and -o yaml give the same data.
    expect(JSON.parse((await cli(['plan', '-f', root, '--json', ...awsRead()])).out)).toEqual(json);
    expect(parse((await cli(['plan', '-f', root, '-o', 'yaml', ...awsRead()])).out)).toEqual(json);
    expect(json.objects['AgentRuntime/agents/planned-agent']!.changes.map((c) => [c.action, c.subject, c.newVersion])).toEqual([
      ['update', 'spec.artifact.image', true],
      ['update', 'spec.env.AGENTCORE_CODE_VERSION', true],
      ['update', 'endpoint prod', undefined],
    ]);
    await cli(['delete', '-f', root, ...aws()]);
  });

  test('status shows each object missing, then in sync, then differing (exit 2, 0, 2, as plan --detailed-exitcode), and changes nothing', async () => {
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const root = tree('statused', { 'runtime.yaml': runtime('statused-agent') });
    const before = await cli(['status', '-f', root, ...awsRead()]);
    expect([before.code, before.err]).toEqual([2, '']);
    expect(before.out).toMatch(/AgentRuntime\/agents\/statused-agent\s+missing\s+runtime statused_agent does not exist/);
    await cli(['apply', '-f', root, ...aws()]);
    const synced = await cli(['status', '-f', root, ...awsRead()]);
    expect([synced.code, synced.out]).toEqual([0, expect.stringMatching(/AgentRuntime\/agents\/statused-agent\s+in sync/)]);
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const writesBefore = await writes();
    const differing = await cli(['status', '-f', root, '--json', ...awsRead()]);
    expect(differing.code).toBe(2);
    const wide = await cli(['status', '-f', root, '-o', 'wide', ...awsRead()]);
    expect(wide.out.split('\n')[0]).toMatch(/^OBJECT +STATE +AWS +DETAIL$/);
    expect(wide.out).toMatch(/AgentRuntime\/agents\/statused-agent +differs +.*agentRuntimeId=statused_agent-\w+/);
    expect(await cli(['status', '-f', root, '-o', 'xml', ...awsRead()])).toMatchObject({ code: 1, err: expect.stringContaining("option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are text, wide, json, yaml.") });
    const json = (JSON.parse(differing.out) as { object: string; state: string; detail: string; observed?: unknown }[]).map(({ observed: _, ...row }) => row);
    expect(json).toEqual([{ object: 'AgentRuntime/agents/statused-agent', state: 'differs', detail: 'update spec.artifact.image, update spec.env.AGENTCORE_CODE_VERSION, update endpoint prod' }]);
    expect(await writes()).toBe(writesBefore);
    await cli(['delete', '-f', root, ...aws()]);
  });

  test('a suspended object is not reconciled: no call to AWS, and the output says so', async () => {
    await emulator.admin('DELETE', 'counters');
    const root = tree('suspended', { 'runtime.yaml': runtime('paused-agent', '  suspend: true\n') });
    const result = await cli(['apply', '-f', root, ...aws()]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/AgentRuntime\s+agents\/paused-agent\s+suspended\s+Reconciliation is suspended/);
    expect(result.out).toContain('1 object(s) suspended: not reconciled');
    expect(await writes()).toBe(0);
  });

  test('a dangling reference is reported with its field path and nothing is sent to AWS', async () => {
    await emulator.admin('DELETE', 'counters');
    const root = tree('dangling', { 'runtime.yaml': runtime('lonely-agent', '  memoryRef:\n    name: missing-memory\n') });
    const result = await cli(['apply', '-f', root, ...aws()]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('runtime.yaml:14: AgentRuntime agents/lonely-agent: spec.memoryRef.name: refers to Memory agents/missing-memory, which is not in this source');
    expect(result.out).toContain('nothing was sent to AWS');
    expect(await emulator.admin('GET', 'counters')).toEqual({});
  });

  test('a secret reference that resolves to nothing is reported with its field path before any AWS call', async () => {
    await emulator.admin('DELETE', 'counters');
    delete process.env.WEATHER_API_KEY_FOR_TEST;
    const root = tree('secretless', { 'key.yaml': 'apiVersion: agentcore.dev/v1alpha1\nkind: ApiKeyCredentialProvider\nmetadata:\n  name: weather-key\n  namespace: agents\nspec:\n  apiKey:\n    env: WEATHER_API_KEY_FOR_TEST\n' });
    const result = await cli(['apply', '-f', root, ...aws(), '--secret-env', 'WEATHER_*']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('key.yaml:7: ApiKeyCredentialProvider agents/weather-key: spec.apiKey: environment variable WEATHER_API_KEY_FOR_TEST is not set');
    expect(await emulator.admin('GET', 'counters')).toEqual({});
  });

  test('an API key from the environment is applied, and never printed', async () => {
    process.env.WEATHER_API_KEY_FOR_TEST = 'sk-live-do-not-print-4242';
    const root = tree('keyed', { 'key.yaml': 'apiVersion: agentcore.dev/v1alpha1\nkind: ApiKeyCredentialProvider\nmetadata:\n  name: weather-key\n  namespace: agents\nspec:\n  apiKey:\n    env: WEATHER_API_KEY_FOR_TEST\n' });
    const refused = await cli(['apply', '-f', root, ...aws()]);
    expect([refused.code, refused.out]).toEqual([1, expect.stringContaining('key.yaml:7: ApiKeyCredentialProvider agents/weather-key: spec.apiKey: environment variable WEATHER_API_KEY_FOR_TEST may not be read as a secret: allow it with --secret-env')]);
    const result = await cli(['apply', '-f', root, ...aws(), '--secret-env', 'WEATHER_API_KEY_FOR_TEST']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/ApiKeyCredentialProvider\s+agents\/weather-key\s+ready/);
    expect(result.out + result.err).not.toContain('sk-live-do-not-print-4242');
    await cli(['delete', '-f', root, ...aws()]);
  });

  test('--emulator keeps its state between commands: apply, then status says in sync; --emulator-reset starts again from nothing', async () => {
    const root = tree('sandbox', { 'runtime.yaml': runtime('sandboxed-agent') });
    const sandbox = ['--emulator', '--emulator-state', join(dir, 'sandbox.json')];
    expect((await cli(['apply', '-f', root, ...sandbox, '--emulator-reset', '--poll', '20ms', '--timeout', '30s'])).code).toBe(0);
    const kept = await cli(['status', '-f', root, ...sandbox]);
    expect([kept.code, kept.out]).toEqual([0, expect.stringMatching(/its state kept in .*sandbox\.json: nothing reaches AWS\.\n[\s\S]*AgentRuntime\/agents\/sandboxed-agent +in sync/)]);
    const reset = await cli(['status', '-f', root, ...sandbox, '--emulator-reset']);
    expect([reset.code, reset.out]).toEqual([2, expect.stringMatching(/AgentRuntime\/agents\/sandboxed-agent +missing/)]);
  });

  test('the main job: every example applied against the embedded emulator reaches Ready', async () => {
    const result = await cli(['apply', '-f', 'manifests/examples', '--emulator', '--emulator-reset', '--emulator-state', join(dir, 'main-job.json'), '--poll-ms', '100', '--timeout', '60s']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Using the embedded AgentCore emulator');
    expect(result.out).toContain('8 object(s) done');
    const created = result.out.split('\n').filter((l) => l.includes(': created ')).map((l) => l.split(':')[0]);
    expect(created.indexOf('AgentRuntime/agents/support-agent')).toBeGreaterThan(created.indexOf('Memory/agents/support-memory'));
    expect(created.indexOf('AgentRuntime/agents/support-agent')).toBeGreaterThan(created.indexOf('Gateway/agents/support-tools'));
    expect(created.indexOf('GatewayTarget/agents/order-lookup')).toBeGreaterThan(created.indexOf('Gateway/agents/support-tools'));
    expect(result.out).not.toContain('replace-with-the-carrier-api-key');
  });

  test('--log-format json writes one JSON object per reconcile on standard error, with no secret in it', async () => {
    process.env.WEATHER_API_KEY_FOR_TEST = 'sk-live-never-logged-7777';
    const root = tree('logged', { 'key.yaml': 'apiVersion: agentcore.dev/v1alpha1\nkind: ApiKeyCredentialProvider\nmetadata:\n  name: logged-key\n  namespace: agents\nspec:\n  apiKey:\n    env: WEATHER_API_KEY_FOR_TEST\n' });
    const result = await cliChild(['apply', '-f', root, ...aws(), '--log-format', 'json', '--log-level', 'info', '--secret-env', 'WEATHER_API_KEY_FOR_TEST']);
    expect(result.code).toBe(0);
    const lines = result.err.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'reconcile finished', key: 'ApiKeyCredentialProvider/agents/logged-key', outcome: 'success' }));
    expect(lines.every((l) => typeof l.reconcileId === 'number' && typeof l.timestamp === 'string')).toBe(true);
    expect(result.out + result.err).not.toContain('sk-live-never-logged-7777');
    await cliChild(['delete', '-f', root, ...aws()]);
  });

  test('a managed role that grants iam:* is refused by plan and apply before any write; the administrator sets the cap with --role-* flags', async () => {
    const memory = 'apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata:\n  name: capped\n  namespace: agents\nspec:\n  eventExpiryDays: 30\n  role:\n    managed:\n      statements:\n        - {Effect: Allow, Action: "iam:*", Resource: "*"}\n';
    const root = tree('capped', { 'memory.yaml': memory });
    await emulator.admin('DELETE', 'counters');
    const refusal = "spec.role.managed.statements[0]: allows iam:*, which the operator's role cap denies (iam:*)";
    const planned = await cli(['plan', '-f', root, ...awsRead()]);
    expect([planned.code, planned.out]).toEqual([1, expect.stringContaining(refusal)]);
    const applied = await cli(['apply', '-f', root, ...aws()]);
    expect([applied.code, applied.out]).toEqual([1, expect.stringMatching(new RegExp(`Memory\\s+agents/capped\\s+stalled.*${refusal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]);
    expect(await writes()).toBe(0);
    const strict = await cli(['plan', '-f', root, ...awsRead(), '--role-denied-actions', 'iam:Put*', '--role-allowed-actions', 's3:*']);
    expect(strict.out).toContain("spec.role.managed.statements[0]: allows iam:*, which the operator's role cap denies (iam:Put*)");
  });

  test('fail fast: once what is left waits on a stalled object, apply stops at once (not at --timeout) and names it for each waiting object', async () => {
    const memory = 'apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata:\n  name: refused\n  namespace: agents\nspec:\n  eventExpiryDays: 30\n  role:\n    managed:\n      statements:\n        - {Effect: Allow, Action: "iam:*", Resource: "*"}\n';
    const root = tree('failfast', { 'memory.yaml': memory, 'runtime.yaml': runtime('remembering-agent', '  memoryRef:\n    name: refused\n') });
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    // An hour: the test's own timeout ends it long before, unless apply stops by itself.
    const applied = await cli(['apply', '-f', root, ...awsRead(), '--poll-ms', '20', '--timeout', '1h']);
    expect(applied.code).toBe(1);
    expect(applied.out).toMatch(/AgentRuntime +agents\/remembering-agent +stalled +Waits on what will not become ready in this run: Memory\/agents\/refused is stalled \(spec\.role\.managed\.statements\[0\]: allows iam:\*/);
    expect(applied.out).toContain('2 of 2 object(s) not done');
  });

  test('--poll and --timeout take durations as run does (--poll-ms still takes milliseconds); one that is not is named, before anything is read', async () => {
    const root = tree('durations', { 'runtime.yaml': runtime('timed-agent') });
    expect(await cli(['apply', '-f', root, ...awsRead(), '--poll', 'often'])).toMatchObject({ code: 1, out: '--poll: not a duration: often (use 90s, 10m, 1h)\n' });
    expect(await cli(['delete', '-f', root, ...awsRead(), '--timeout', '5 minutes'])).toMatchObject({ code: 1, out: '--timeout: not a duration: 5 minutes (use 90s, 10m, 1h)\n' });
    expect(await cli(['apply', '-f', root, ...awsRead(), '--poll-ms', 'often'])).toMatchObject({ code: 1, out: '--poll-ms: not a duration: often (use 90s, 10m, 1h)\n' });
  });

  test.each([
    ['an unknown profile', ['--profile', 'nope', '--region', 'us-west-2'], {}, /^AWS profile nope gives no credentials: .+ \(is it in ~\/\.aws\/config or ~\/\.aws\/credentials\?\)\n$/],
    ['no region', [], { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }, /^No AWS region: give --region, or set AWS_REGION or a region in your AWS profile\n$/],
    ['no credentials', ['--region', 'us-west-2'], {}, /^No AWS credentials: .+ \(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE or --profile, or run where an IAM role is given\)\n$/],
  ])('%s is said once, before any object is read, and the command exits 1', async (_, flags, env, said) => {
    // A machine with no AWS set-up at all: an empty home, no AWS variables, no instance metadata to ask.
    const home = mkdtempSync(join(tmpdir(), 'agentcore-no-aws-'));
    const result = await run(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), 'plan', '-f', 'manifests/examples', ...flags], { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env }, undefined, repoRoot);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(said);
  });

  test('invalid manifests stop apply before any AWS call', async () => {
    await emulator.admin('DELETE', 'counters');
    const root = tree('invalid', { 'runtime.yaml': runtime('bad-agent', '  protocol: GRPC\n') });
    const result = await cli(['apply', '-f', root, ...aws()]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('spec.protocol: must be one of: HTTP, MCP, A2A, AGUI');
    expect(await emulator.admin('GET', 'counters')).toEqual({});
  });
});
