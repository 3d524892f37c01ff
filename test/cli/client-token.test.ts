/**
 * Client tokens never refuse a legitimate create, of any kind that sends one with its tags: a resource
 * adopted into another source, pruned, and declared again; pruned and declared again as it was; deleted and applied again. Each sequence runs
 * through the built CLI's commands against the emulator, which holds tokens as AWS documents them (a
 * repeat of a token with another request is refused; with the same one, answered as the first time).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ListAgentRuntimesCommand, ListGatewaysCommand, ListMemoriesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsClients } from '../../src/aws/clients.js';
import { defaultServices } from '../../src/emulator/index.js';
import { cli } from '../helpers/cli.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator(defaultServices(), (e, a) => ((emulator = e), (aws = a)), { provisioningDelayMs: 20, deletionDelayMs: 20 });

let dir: string;
const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  dir = mkdtempSync(join(tmpdir(), 'agentcore-client-token-'));
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

let trees = 0;
function tree(...documents: string[]): string {
  const file = join(dir, `tree-${(trees += 1)}.yaml`);
  writeFileSync(file, documents.join('---\n'));
  return file;
}

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1';
const ROLE = 'arn:aws:iam::123456789012:role/AgentRole';
/** Each kind that carries tags and a create token: its document (with extra metadata lines), and the ids of its resources named `notes`. */
const KINDS = {
  Memory: {
    doc: (name: string, metadata = '') => `apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata:\n  name: ${name}\n  namespace: agents\n${metadata}spec:\n  eventExpiryDays: 30\n`,
    ids: async () => ((await aws.agentcore.send(new ListMemoriesCommand({}))).memories ?? []).filter((m) => m.id?.startsWith('notes-')).map((m) => m.id!),
  },
  AgentRuntime: {
    doc: (name: string, metadata = '') => `apiVersion: agentcore.dev/v1alpha1\nkind: AgentRuntime\nmetadata:\n  name: ${name}\n  namespace: agents\n${metadata}spec:\n  artifact: {image: ${IMAGE}}\n  role: {arn: ${ROLE}}\n`,
    ids: async () => ((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes ?? []).filter((r) => r.agentRuntimeName === 'notes').map((r) => r.agentRuntimeId!),
  },
  Gateway: {
    doc: (name: string, metadata = '') => `apiVersion: agentcore.dev/v1alpha1\nkind: Gateway\nmetadata:\n  name: ${name}\n  namespace: agents\n${metadata}spec:\n  role: {arn: ${ROLE}}\n  authorizer: {type: AWS_IAM}\n`,
    ids: async () => ((await aws.agentcore.send(new ListGatewaysCommand({}))).items ?? []).filter((g) => g.name === 'notes').map((g) => g.gatewayId!),
  },
};
const ADOPT = '  annotations:\n    agentcore.dev/adopt: "true"\n';

type Step = [command: 'apply' | 'delete', documents: string[], flags: string[]];
const run = ([command, documents, flags]: Step) => cli([command, '-f', tree(...documents), '--endpoint-url', emulator.url, '--region', 'us-west-2', '--poll-ms', '20', '--timeout', '30s', ...flags]);

/** The sequences, for one kind: `it` is the object of the kind, `other` something else of the source's, so a tree without `it` is not empty. */
function sequences(doc: (name: string, metadata?: string) => string): [string, Step[]][] {
  const it = doc('notes');
  const other = KINDS.Memory.doc('other');
  return [
    ['adopted into another source, pruned there, declared there again', [
      ['apply', [it], ['--source', 'repo-a']],
      ['apply', [doc('notes', ADOPT)], ['--source', 'repo-b', '--allow-cross-owner-adoption']],
      ['apply', [other], ['--source', 'repo-b', '--prune']],
      ['apply', [it], ['--source', 'repo-b']],
    ]],
    ['pruned, then declared again as it was', [
      ['apply', [it, other], ['--source', 'repo-a']],
      ['apply', [other], ['--source', 'repo-a', '--prune']],
      ['apply', [it, other], ['--source', 'repo-a']],
    ]],
    ['deleted, then applied again', [
      ['apply', [it], ['--source', 'repo-a']],
      ['delete', [it], ['--source', 'repo-a']],
      ['apply', [it], ['--source', 'repo-a']],
    ]],
  ];
}

describe.each(Object.entries(KINDS))('client tokens of a %s', (_kind, { doc, ids }) => {
  test.each(sequences(doc))('%s: every step succeeds, and one resource is left, a new one', async (_, steps) => {
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const seen: string[][] = [];
    for (const step of steps) {
      const result = await run(step);
      expect([step.join(' '), result.code, result.out.split('\n').filter((l) => /client token|not done/.test(l))]).toEqual([step.join(' '), 0, []]);
      seen.push(await ids());
    }
    expect(seen.at(-1)).toHaveLength(1);
    expect(seen.at(-1)![0]).not.toBe(seen[0]![0]);
  });
});
