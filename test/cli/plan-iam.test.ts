/**
 * The plan tells the whole truth about managed roles: every IAM write apply would make is a line of the
 * plan (the role, its trust policy, its inline policy as a readable diff, its managed policies), status
 * and --detailed-exitcode agree with it, and apply then sends exactly those writes to IAM.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRead } from '../../src/aws/call.js';
import { defaultServices } from '../../src/emulator/index.js';
import { cli } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

// One emulator for the whole file, never reset: each test takes the tree on from where the last left it.
let emulator: TestEmulator;
let root: string;
const saved = { ...process.env };
beforeAll(async () => {
  emulator = await startTestEmulator(defaultServices(), { provisioningDelayMs: 20, deletionDelayMs: 20 });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
  root = mkdtempSync(join(tmpdir(), 'agentcore-plan-iam-'));
});
afterAll(async () => {
  process.env = saved;
  rmSync(root, { recursive: true, force: true });
  await emulator.close();
});

const ROLE = 'role agentcore-agentruntime-agents-iam-agent';
const write = (actions: string[], managedPolicies: string[] = []) =>
  writeFileSync(join(root, 'runtime.yaml'), `apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata: {name: iam-agent, namespace: agents}
spec:
  artifact: {image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1}
  role:
    managed:
      managedPolicyArns: ${JSON.stringify(managedPolicies)}
      statements:
        - {Effect: Allow, Action: ${JSON.stringify(actions)}, Resource: "*"}
`);

const awsRead = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2'];
const plan = (...flags: string[]) => cli(['plan', '-f', root, ...awsRead(), ...flags]);
const apply = () => cli(['apply', '-f', root, ...awsRead(), '--poll-ms', '20', '--timeout', '30s']);

/** The IAM writes the emulator has received since the counters were cleared, by operation, in order of name. */
async function iamWrites(): Promise<Record<string, number>> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  const writes = Object.entries(counters).filter(([key]) => key.startsWith('iam:') && !isRead(key.slice(4)));
  return Object.fromEntries(writes.map(([key, outcomes]) => [key.slice(4), Object.values(outcomes).reduce((a, b) => a + b, 0)]).sort());
}

/** The lines of one object's plan block that are about its role. */
const roleLines = (out: string) => out.split('\n').filter((l) => l.startsWith(`    `) && l.includes(ROLE)).map((l) => l.trim());

describe('plan and managed roles', () => {
  test('a fresh tree: the plan lists the role, its trust policy and its inline policy, and apply writes exactly those', async () => {
    write(['bedrock:InvokeModel'], ['arn:aws:iam::aws:policy/AmazonBedrockReadOnly']);
    await emulator.admin('DELETE', 'counters');
    const planned = await plan('--detailed-exitcode');
    expect(planned.code).toBe(2);
    expect(roleLines(planned.out)).toEqual([
      `+ ${ROLE} = "/agentcore/agentcore-agentruntime-agents-iam-agent"`,
      `+ ${ROLE} trust policy:`,
      `+ ${ROLE} inline policy agentcore-operator:`,
      `+ ${ROLE} managed policy arn:aws:iam::aws:policy/AmazonBedrockReadOnly`,
    ]);
    expect(planned.out).toContain('        +         "bedrock:InvokeModel"\n');
    expect(await iamWrites()).toEqual({});

    expect((await apply()).code).toBe(0);
    expect(await iamWrites()).toEqual({ AttachRolePolicy: 1, CreateRole: 1, PutRolePolicy: 1 });
    expect(await plan('--detailed-exitcode')).toMatchObject({ code: 0, out: 'No changes: AWS matches the manifests.\n' });
  });

  test('a statement gains an action: plan shows the inline policy as a diff, status says it differs, apply makes one PutRolePolicy', async () => {
    write(['bedrock:InvokeModel', 's3:GetObject'], ['arn:aws:iam::aws:policy/AmazonBedrockReadOnly']);
    await emulator.admin('DELETE', 'counters');
    const planned = await plan('--detailed-exitcode');
    expect(planned.code).toBe(2);
    expect(roleLines(planned.out)).toEqual([`~ ${ROLE} inline policy agentcore-operator:`]);
    const diff = planned.out.split('\n').filter((l) => /^ {8}[+-] /.test(l)).map((l) => l.trim());
    expect(diff).toEqual(['-         "bedrock:InvokeModel"', '+         "bedrock:InvokeModel",', '+         "s3:GetObject"']);
    expect(planned.out).toContain('Plan: 0 to create, 1 to update, 0 to replace, 0 with deletions; 0 error(s).');

    const status = await cli(['status', '-f', root, ...awsRead(), '--json']);
    expect((JSON.parse(status.out) as { state: string; detail: string }[]).map((r) => [r.state, r.detail])).toEqual([['differs', `update ${ROLE} inline policy agentcore-operator`]]);
    expect(await iamWrites()).toEqual({});

    expect((await apply()).code).toBe(0);
    expect(await iamWrites()).toEqual({ PutRolePolicy: 1 });
    expect(await plan('--detailed-exitcode')).toMatchObject({ code: 0 });
  });

  test('a managed policy dropped: the plan says it is detached, and apply detaches only that', async () => {
    write(['bedrock:InvokeModel', 's3:GetObject']);
    await emulator.admin('DELETE', 'counters');
    const planned = await plan('--detailed-exitcode');
    expect([planned.code, roleLines(planned.out)]).toEqual([2, [`- ${ROLE} managed policy arn:aws:iam::aws:policy/AmazonBedrockReadOnly`]]);
    expect(planned.out).toContain('Plan: 0 to create, 0 to update, 0 to replace, 1 with deletions; 0 error(s).');
    expect((await apply()).code).toBe(0);
    expect(await iamWrites()).toEqual({ DetachRolePolicy: 1 });
  });
});
