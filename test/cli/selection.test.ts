/**
 * Narrowing a command with -l/--selector and --target: apply and plan take the objects named and what
 * they reference, delete takes them and what references them; a selection that names nothing, or
 * prune of a narrowed tree, is refused before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ListGatewaysCommand, ListMemoriesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsClients } from '../../src/aws/clients.js';
import { isRead } from '../../src/aws/call.js';
import { defaultServices } from '../../src/emulator/index.js';
import { parseSelector } from '../../src/sources/files/selection.js';
import { cli } from '../helpers/cli.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator(defaultServices(), (e, a) => ((emulator = e), (aws = a)), { provisioningDelayMs: 20, deletionDelayMs: 20 });

let file: string;
const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  file = join(mkdtempSync(join(tmpdir(), 'agentcore-selection-')), 'tree.yaml');
  const head = (kind: string, name: string, labels: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: agents\n  labels: {${labels}}\nspec:\n`;
  writeFileSync(file, [
    `${head('Memory', 'notes', 'team: a')}  eventExpiryDays: 30\n`,
    `${head('Memory', 'other-notes', 'team: b')}  eventExpiryDays: 30\n`,
    `${head('Gateway', 'tools', 'team: b')}  role: {arn: 'arn:aws:iam::123456789012:role/G'}\n  authorizer: {type: AWS_IAM}\n`,
    `${head('GatewayTarget', 'weather', 'team: a')}  gatewayRef: {name: tools}\n  lambda:\n    arn: arn:aws:lambda:us-west-2:123456789012:function:tools\n    toolSchema:\n      inline:\n        - {name: get_weather, description: Weather, inputSchema: {type: object}}\n`,
  ].join('---\n'));
});
afterAll(() => {
  process.env = saved;
  rmSync(join(file, '..'), { recursive: true, force: true });
});

const flags = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2', '--poll', '20ms', '--timeout', '30s'];
const names = async () => ({
  memories: ((await aws.agentcore.send(new ListMemoriesCommand({}))).memories ?? []).map((m) => m.id!.replace(/-.*/, '')).sort(),
  gateways: ((await aws.agentcore.send(new ListGatewaysCommand({}))).items ?? []).map((g) => g.name!).sort(),
});
async function creates(): Promise<string[]> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  return Object.keys(counters).map((k) => k.split(':')[1]!).filter((op) => !isRead(op)).sort();
}

describe('-l/--selector and --target', () => {
  test('apply --target takes the object and what it references, nothing else', async () => {
    const result = await cli(['apply', '-f', file, ...flags(), '--target', 'GatewayTarget/agents/weather']);
    expect(result.code).toBe(0);
    expect(await creates()).toEqual(['CreateGateway', 'CreateGatewayTarget']);
    expect(await names()).toEqual({ memories: [], gateways: ['tools'] });
  });

  test('apply -l takes the objects with those labels (and what they reference); delete --target takes what references it too', async () => {
    expect((await cli(['apply', '-f', file, ...flags(), '-l', 'team=a'])).code).toBe(0);
    expect(await names()).toEqual({ memories: ['notes'], gateways: ['tools'] });
    expect((await cli(['apply', '-f', file, ...flags(), '-l', 'team notin (a)'])).code).toBe(0);
    expect(await names()).toEqual({ memories: ['notes', 'other_notes'], gateways: ['tools'] });

    const deleted = await cli(['delete', '-f', file, ...flags(), '--target', 'Gateway/agents/tools']);
    expect(deleted.out).toMatch(/GatewayTarget +agents\/weather +deleted/);
    expect(await names()).toEqual({ memories: ['notes', 'other_notes'], gateways: [] });
  });

  test.each([
    [['-l', 'team=c'], '--selector: no object of the manifests has labels that match team=c'],
    [['-l', 'team in (a'], '--selector: not a label selector requirement: team in (a (use key=value, key!=value, key in (a,b), key notin (a,b), key or !key)'],
    [['--target', 'Memory/agents/nope'], '--target: no object Memory/agents/nope in the manifests (name it Kind/namespace/name)'],
    [['--target', 'Memory/agents/notes', '--prune', '--source', 'narrow'], '--prune works on a whole tree: with --selector or --target it would delete what was left out'],
  ])('%j is refused before anything is sent', async (narrowing, said) => {
    const result = await cli(['apply', '-f', file, ...flags(), ...narrowing]);
    expect([result.code, result.out]).toEqual([1, `${said}\n`]);
    expect(await creates()).toEqual([]);
  });
});

describe('parseSelector', () => {
  test.each([
    ['team=a', [{ key: 'team', op: 'in', values: ['a'] }]],
    ['team==a,tier!=gold', [{ key: 'team', op: 'in', values: ['a'] }, { key: 'tier', op: 'notin', values: ['gold'] }]],
    ['env in (dev, prod),app.kubernetes.io/name', [{ key: 'env', op: 'in', values: ['dev', 'prod'] }, { key: 'app.kubernetes.io/name', op: 'exists' }]],
    ['!legacy', [{ key: 'legacy', op: 'absent' }]],
  ])('%s', (text, requirements) => {
    expect(parseSelector(text)).toEqual(requirements);
  });
});
