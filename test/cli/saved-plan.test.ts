/**
 * Saved plans: `plan --out FILE` then `apply FILE` applies exactly the plan that was reviewed, and
 * refuses, writing nothing, when AWS or the manifests changed in between.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GetMemoryCommand, ListMemoriesCommand, UpdateMemoryCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import { isRead } from '../../src/aws/call.js';
import { defaultServices } from '../../src/emulator/index.js';
import { cli } from '../helpers/cli.js';
import { REGION, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
let dir: string;
const saved = { ...process.env };
beforeAll(async () => {
  emulator = await startTestEmulator(defaultServices(), { provisioningDelayMs: 20, deletionDelayMs: 20 });
  aws = awsClients({ endpointUrl: emulator.url, region: REGION, credentials: emulator.clientConfig.credentials, maxAttempts: 1 });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  dir = mkdtempSync(join(tmpdir(), 'agentcore-saved-plan-'));
});
afterAll(async () => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
  aws.destroy();
  await emulator.close();
});

const tree = () => join(dir, 'memory.yaml');
const write = (description: string) => writeFileSync(tree(), `apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata: {name: notes, namespace: agents}\nspec: {description: ${description}, eventExpiryDays: 30}\n`);
const flags = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2', '--source', 'saved'];
const planTo = (file: string) => cli(['plan', '-f', tree(), ...flags(), '--out', file], dir);
const applyPlan = (file: string, ...more: string[]) => cli(['apply', file, '--poll', '20ms', '--timeout', '30s', ...more], dir);

async function writes(): Promise<string[]> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  return Object.keys(counters).map((k) => k.split(':')[1]!).filter((op) => !isRead(op)).sort();
}
const memoryId = async () => (await aws.agentcore.send(new ListMemoriesCommand({}))).memories?.[0]?.id;

describe('plan --out and apply FILE', () => {
  test('apply FILE applies the saved plan, with the arguments it was made with', async () => {
    write('first');
    const planned = await planTo('create.plan');
    expect(planned.code).toBe(0);
    expect(planned.out).toContain('+ Memory/agents/notes: create memory notes\n');
    expect(planned.out).toContain('Saved the plan to create.plan; apply exactly it with: agentcore-operator apply create.plan\n');
    const file = JSON.parse(readFileSync(join(dir, 'create.plan'), 'utf8')) as { kind: string; arguments: { filename: string[]; source: string }; plan: { summary: { create: number } } };
    expect([file.kind, file.arguments.filename, file.arguments.source, file.plan.summary.create]).toEqual(['agentcore-operator/saved-plan', [tree()], 'saved', 1]);

    await emulator.admin('DELETE', 'counters');
    const applied = await applyPlan('create.plan');
    expect([applied.code, applied.out]).toEqual([0, expect.stringMatching(/Memory +agents\/notes +ready/)]);
    expect(await writes()).toEqual(['CreateMemory']);
  });

  test('when AWS changed since the plan, apply FILE refuses and writes nothing', async () => {
    write('second');
    expect((await planTo('update.plan')).code).toBe(0);
    await aws.agentcore.send(new UpdateMemoryCommand({ memoryId: await memoryId(), eventExpiryDuration: 45 }));
    await emulator.admin('DELETE', 'counters');
    const refused = await applyPlan('update.plan');
    expect([refused.code, refused.out]).toEqual([1, 'The saved plan is out of date: AWS or the manifests changed since it was made, for Memory/agents/notes. Nothing was applied; make a new plan.\n']);
    expect(await writes()).toEqual([]);
    expect((await aws.agentcore.send(new GetMemoryCommand({ memoryId: await memoryId() }))).memory?.description).toBe('first');
  });

  test('when the manifests changed since the plan, apply FILE refuses too', async () => {
    expect((await planTo('again.plan')).code).toBe(0);
    write('third');
    await emulator.admin('DELETE', 'counters');
    expect(await applyPlan('again.plan')).toMatchObject({ code: 1, out: expect.stringContaining('The saved plan is out of date') });
    expect(await writes()).toEqual([]);
  });

  test.each([
    [['again.plan', '-f', 'memory.yaml'], 'give a saved plan or -f, not both: the plan names the manifests it was made of'],
    [['again.plan', '--source', 'elsewhere'], "--source differs from the saved plan's; make a new plan"],
    [['memory.yaml'], "memory.yaml: not a saved plan (Unexpected token 'a', \"apiVersion\"... is not valid JSON)"],
    [[], "error: required option '-f, --filename <path...>' not specified"],
  ])('apply %j is refused: %s', async (args, said) => {
    const refused = await cli(['apply', ...args, '--region', 'us-west-2'], dir);
    expect([refused.code, refused.out]).toEqual([1, `${said}\n`]);
  });

  test('a plan of standard input cannot be saved', async () => {
    const refused = await cli(['plan', '-f', '-', ...flags(), '--out', 'stdin.plan'], dir);
    expect([refused.code, refused.out, existsSync(join(dir, 'stdin.plan'))]).toEqual([1, '--out needs the manifests in files: a saved plan reads them again when applied\n', false]);
  });
});
