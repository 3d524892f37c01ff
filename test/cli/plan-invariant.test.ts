/**
 * The plan is what apply does. For a table of changes to a tree of every kind (the examples), each
 * applied in turn: `plan -o json` is read, `apply` runs, and the writes the emulator received from it
 * are exactly those the plan's lines account for: every write answers a line, and every line is
 * answered by a write. Managed roles, tags, endpoints, secrets and prune are among the changes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRead } from '../../src/aws/call.js';
import { defaultServices } from '../../src/emulator/index.js';
import { cli, repoRoot } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

interface Change {
  action: 'create' | 'update' | 'replace' | 'delete' | 'wait';
  scope: 'resource' | 'part';
  subject: string;
  to?: unknown;
}
interface PlanData {
  summary: { changed: number; errors: number };
  objects: Record<string, { changes?: Change[]; error?: string }>;
}

/** The AWS operations of a kind's resource, by the name AWS gives the resource in them. */
const RESOURCE: Record<string, string> = {
  AgentRuntime: 'AgentRuntime', Memory: 'Memory', Gateway: 'Gateway', GatewayTarget: 'GatewayTarget',
  WorkloadIdentity: 'WorkloadIdentity', ApiKeyCredentialProvider: 'ApiKeyCredentialProvider', OAuth2CredentialProvider: 'Oauth2CredentialProvider',
};

const VERB: Record<Change['action'], string[]> = { create: ['Create'], update: ['Update'], replace: ['Delete', 'Create'], delete: ['Delete'], wait: [] };

/** The write operations that may carry out one line of the plan of an object of `kind` (one being created carries its parts in the create). */
function operationsOf(kind: string, change: Change, creating: boolean): string[] {
  const { action, subject } = change;
  const role = /^role \S+( trust policy| inline policy \S+| managed policy \S+| permissions boundary| tags)?$/.exec(subject);
  if (role) {
    const part = role[1] ?? '';
    if (part === '') return action === 'create' ? ['CreateRole'] : ['DeleteRole', 'DeleteRolePolicy', 'DetachRolePolicy'];
    if (part === ' trust policy') return action === 'create' ? ['CreateRole'] : ['UpdateAssumeRolePolicy'];
    if (part.startsWith(' inline policy')) return action === 'delete' ? ['DeleteRolePolicy'] : ['PutRolePolicy'];
    if (part.startsWith(' managed policy')) return action === 'delete' ? ['DetachRolePolicy'] : ['AttachRolePolicy'];
    if (part === ' permissions boundary') return action === 'create' ? ['CreateRole'] : ['PutRolePermissionsBoundary'];
    return ['TagRole'];
  }
  if (subject.startsWith('tag ')) return change.to === undefined ? ['UntagResource'] : ['TagResource'];
  if (subject.startsWith('endpoint ')) return VERB[action].map((v) => `${v}AgentRuntimeEndpoint`);
  if (change.scope === 'resource') return VERB[action].map((v) => `${v}${RESOURCE[kind]}`);
  return [`${creating ? 'Create' : 'Update'}${RESOURCE[kind]}`];
}

let emulator: TestEmulator;
let tree: string;
const saved = { ...process.env };
beforeAll(async () => {
  emulator = await startTestEmulator(defaultServices(), { provisioningDelayMs: 20, deletionDelayMs: 20 });
  await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1.4.2' });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
  tree = mkdtempSync(join(tmpdir(), 'agentcore-plan-invariant-'));
  cpSync(join(repoRoot, 'manifests', 'examples'), tree, { recursive: true });
});
afterAll(async () => {
  process.env = saved;
  rmSync(tree, { recursive: true, force: true });
  await emulator.close();
});

const flags = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2', '--source', 'invariant'];

/** The emulator's write operations since its counters were last cleared, each with how often it was called. */
async function writes(): Promise<Record<string, number>> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  return Object.fromEntries(Object.entries(counters).map(([key, outcomes]) => [key.split(':')[1]!, Object.values(outcomes).reduce((a, b) => a + b, 0)]).filter(([operation]) => !isRead(operation as string)));
}

/** Replaces text in one of the tree's files. */
const edit = (file: string, from: string, to: string) => () => {
  const text = readFileSync(join(tree, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(join(tree, file), text.replace(from, to));
};

type Case = [name: string, change: () => void, extra: string[]];
const CASES: Case[] = [
  ['a fresh tree of every kind, with managed roles', () => undefined, []],
  ['nothing changed', () => undefined, []],
  ['a memory description', edit('memory.yaml', 'Customer facts,', 'Facts,'), []],
  ['a memory strategy added', edit('memory.yaml', '    - name: preferences', '    - name: episodes\n      episodic:\n        namespaces: ["/support/customers/{actorId}/episodes"]\n    - name: preferences'), []],
  ['a runtime variable (a new version; staging follows it)', edit('agentruntime.yaml', 'LOG_LEVEL: info', 'LOG_LEVEL: debug'), []],
  ['a runtime tag added', edit('agentruntime.yaml', '    team: support', '    team: support\n    tier: gold'), []],
  ['a runtime tag removed', edit('agentruntime.yaml', '    cost-center: cx-42\n', ''), []],
  ['a managed role gains an action', edit('agentruntime.yaml', 'Action: [bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream]', 'Action: [bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream, bedrock:Converse]'), []],
  ['a gateway description', edit('gateway.yaml', 'Order lookup and shipping tools', 'Order tools'), []],
  ['a gateway target description', edit('gatewaytarget-lambda.yaml', 'Look up orders by id or by customer', 'Look up orders'), []],
  ['a workload identity return URL', edit('workloadidentity.yaml', 'https://support.example.com/oauth/callback', 'https://support.example.com/oauth/return'), []],
  ['an API key (a Secret of the tree)', edit('secrets.yaml', 'replace-with-the-carrier-api-key', 'a-new-carrier-key'), []],
  ['an OAuth2 client id', edit('oauth2credentialprovider.yaml', 'Iv1.8a61f9b3a7aba766', 'Iv1.0000000000000000'), []],
  ['a target removed from the tree, with --prune', () => rmSync(join(tree, 'gatewaytarget-openapi.yaml')), ['--prune']],
  ['a runtime removed from the tree, with --prune: its endpoints and its managed role go too', () => rmSync(join(tree, 'agentruntime.yaml')), ['--prune']],
];

describe('the plan is what apply does', () => {
  test.each(CASES)('%s', async (_, change, extra) => {
    change();
    const planned = await cli(['plan', '-f', tree, '-o', 'json', ...flags(), ...extra]);
    expect([planned.code, planned.err]).toEqual([0, '']);
    const plan = JSON.parse(planned.out) as PlanData;
    expect(plan.summary.errors).toBe(0);

    await emulator.admin('DELETE', 'counters');
    const applied = await cli(['apply', '-f', tree, ...flags(), '--poll', '20ms', '--timeout', '60s', ...extra]);
    expect([applied.code, applied.out]).toEqual([0, expect.stringMatching(/object\(s\) done\n$/)]);
    const written = await writes();

    const lines = Object.entries(plan.objects).flatMap(([key, p]) => {
      const changes = (p.changes ?? []).filter((c) => c.action !== 'wait');
      const creating = changes.some((c) => c.scope === 'resource' && c.action === 'create');
      return changes.map((c) => ({ line: `${key}: ${c.action} ${c.subject}`, operations: operationsOf(key.split('/')[0]!, c, creating) }));
    });
    const unanswered = lines.filter((l) => !l.operations.some((op) => op in written)).map((l) => l.line);
    const unplanned = Object.keys(written).filter((op) => !lines.some((l) => l.operations.includes(op)));
    expect({ unanswered, unplanned }).toEqual({ unanswered: [], unplanned: [] });
    expect(Object.keys(written).length === 0).toBe(plan.summary.changed === 0);

    const after = await cli(['plan', '-f', tree, '--detailed-exitcode', ...flags(), ...extra]);
    expect([after.code, after.out]).toEqual([0, 'No changes: AWS matches the manifests.\n']);
  });
});
