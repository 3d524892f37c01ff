/**
 * The file source as a class: load and preflight before any call, then apply, plan and delete through
 * the engine, cancellable with an AbortSignal. Against the emulator, through the real SDK clients.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMemoriesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AwsClients } from '../../src/aws/clients.js';
import { defaultServices } from '../../src/emulator/index.js';
import type { StatusReport, StatusSink } from '../../src/engine/status.js';
import { DEFAULT_SETTINGS } from '../../src/reconcilers/kind.js';
import { secretAccessOf } from '../../src/sources/files/secrets.js';
import { FileSource, loadSource } from '../../src/sources/files/source.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator(defaultServices(), (e, a) => {
  emulator = e;
  aws = a;
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-source-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const memory = (name: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata:\n  name: ${name}\n  namespace: agents\nspec:\n  eventExpiryDays: 30\n`;

function tree(name: string, ...documents: string[]): string {
  const root = join(dir, name);
  writeFileSync(`${root}.yaml`, documents.join('---\n'));
  return `${root}.yaml`;
}

const open = async (path: string, sink?: StatusSink) => {
  const { set, problems } = await loadSource([path]);
  expect(problems).toEqual([]);
  return new FileSource(set, { aws, source: 'file-source-test', concurrency: 4, pollMs: 20, settings: DEFAULT_SETTINGS, sink, access: secretAccessOf([path]) });
};

describe('FileSource', () => {
  test('a reference to an object not in the tree is a problem found before any call', async () => {
    const target = 'apiVersion: agentcore.dev/v1alpha1\nkind: GatewayTarget\nmetadata:\n  name: weather\n  namespace: agents\nspec:\n  gatewayRef:\n    name: nowhere\n  lambda:\n    arn: arn:aws:lambda:us-west-2:123456789012:function:weather\n    toolSchema:\n      inline:\n        - name: forecast\n          description: The forecast.\n          inputSchema:\n            type: object\n';
    await emulator.admin('DELETE', 'counters');
    const { problems } = await loadSource([tree('dangling', target)]);
    expect(problems.map((p) => p.message)).toContain('refers to Gateway agents/nowhere, which is not in this source');
    expect(await emulator.admin('GET', 'counters')).toEqual({});
  });

  test('apply, plan and delete go through the engine and leave AWS as the tree says', async () => {
    const source = await open(tree('memories', memory('first'), memory('second')));
    const applied = await source.apply({ timeoutMs: 30_000 });
    expect(applied.outcomes.map((o) => o.state)).toEqual(['ready', 'ready']);
    expect([...(await source.plan()).values()].map((p) => (p instanceof Error ? p.message : p.changes))).toEqual([[], []]);
    expect((await source.delete({ timeoutMs: 30_000 })).outcomes.map((o) => o.state)).toEqual(['deleted', 'deleted']);
    expect((await aws.agentcore.send(new ListMemoriesCommand({}))).memories?.filter((m) => m.status !== 'DELETING')).toEqual([]);
  });

  test('every run of an object is reported through the status sink, with what it did and the state it left', async () => {
    const reports: StatusReport[] = [];
    const source = await open(tree('reported', memory('reported')), { report: (r) => Promise.resolve(void reports.push(r)) });
    await source.apply({ timeoutMs: 30_000 });
    expect(reports.every((r) => r.kind === 'Memory' && r.object.metadata.namespace === 'agents' && r.object.metadata.name === 'reported')).toBe(true);
    expect(reports.flatMap((r) => r.actions)).toEqual([expect.stringMatching(/^created memory /)]);
    expect(reports.at(-1)).toMatchObject({ state: 'ready', status: { conditions: expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]) } });
    reports.length = 0;
    await source.delete({ timeoutMs: 30_000 });
    expect(reports.flatMap((r) => r.actions)).toEqual([expect.stringMatching(/^deleted memory /)]);
    expect(reports.at(-1)?.state).toBe('deleted');
  });

  test('an aborted run stops at once and reports what it did not finish as pending', async () => {
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 600_000 });
    try {
      const source = await open(tree('stuck', memory('slow')));
      const controller = new AbortController();
      const running = source.apply({ timeoutMs: 600_000, signal: controller.signal });
      controller.abort();
      const result = await running;
      expect(result.outcomes.map((o) => [o.object.name, o.state])).toEqual([['slow', 'pending']]);
    } finally {
      await emulator.admin('PUT', 'config', { provisioningDelayMs: 0 });
    }
  });
});
