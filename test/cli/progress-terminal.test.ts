/**
 * `apply` on a real terminal: the built command runs under `script`, which gives it a pseudo-terminal,
 * against the emulator. On a terminal the progress block is redrawn in place; piped (as everywhere
 * else in the tests) the same run prints plain lines only.
 */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultServices } from '../../src/emulator/index.js';
import { cliChild, repoRoot } from '../helpers/cli.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
useEmulator(defaultServices(), (e) => (emulator = e), { provisioningDelayMs: 200 });

const CLEAR_LINE = '\x1b[2K';
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs the command with its standard output on a pseudo-terminal; CI unset, as on a developer's machine. */
function onTerminal(args: string[], more: NodeJS.ProcessEnv = {}, typed?: string): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, join(repoRoot, 'dist', 'cli', 'main.js'), ...args].map(quote).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', COLUMNS: '120', ...more };
  delete env.CI;
  if (!more.NO_COLOR) delete env.NO_COLOR;
  return new Promise((resolve) => {
    // What is typed reaches the command through the terminal; with nothing to type, its input is closed.
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: [typed === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (typed !== undefined) child.stdin!.end(typed);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'agentcore-terminal-'));
  writeFileSync(
    join(root, 'runtime.yaml'),
    'apiVersion: agentcore.dev/v1alpha1\nkind: AgentRuntime\nmetadata:\n  name: support-agent\n  namespace: agents\nspec:\n  artifact:\n    image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1\n  role:\n    arn: arn:aws:iam::123456789012:role/AgentRole\n',
  );
  return root;
}

describe('apply progress', () => {
  test('on a terminal the block is redrawn in place and ends on the final state; piped, plain lines only', async () => {
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' };
    Object.assign(process.env, env);
    const flags = ['--endpoint-url', emulator.url, '--region', 'us-west-2', '--poll-ms', '50', '--timeout', '30s'];

    const live = await onTerminal(['apply', '-f', tree(), ...flags, '--yes']);
    expect(live.code).toBe(0);
    expect(live.out).toContain(CLEAR_LINE);
    // The action stays in the scrollback once, and the last frame shows the object ready.
    expect(live.out.split('AgentRuntime/agents/support-agent: created runtime support_agent').length - 1).toBe(1);
    const lastFrame = live.out.slice(live.out.lastIndexOf(CLEAR_LINE));
    expect(lastFrame).toMatch(/AgentRuntime\/agents\/support-agent.*ready/);

    await emulator.admin('POST', 'reset');
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const piped = await cliChild(['apply', '-f', tree(), ...flags]);
    expect(piped.code).toBe(0);
    expect(piped.out).not.toContain('\x1b[');
    expect(piped.out).toContain('AgentRuntime/agents/support-agent: created runtime support_agent\n');
  });
});

describe('plan colours', () => {
  const GREEN_PLUS = '\x1b[32m+\x1b[39m';
  test('on a terminal the signs are coloured; NO_COLOR, --no-color or a pipe give plain text', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const plan = ['plan', '-f', tree(), '--endpoint-url', emulator.url, '--region', 'us-west-2'];
    const coloured = await onTerminal(plan);
    expect(coloured.out).toContain(`${GREEN_PLUS} \x1b[1mAgentRuntime/agents/support-agent\x1b[22m: create runtime support_agent`);
    for (const plain of [await onTerminal(plan, { NO_COLOR: '1' }), await onTerminal([...plan, '--no-color']), await cliChild(plan)]) {
      expect(plain.out).toContain('+ AgentRuntime/agents/support-agent: create runtime support_agent');
      expect(plain.out).not.toContain('\x1b[');
    }
  });
});

describe('apply on a terminal asks first', () => {
  const flags = () => ['--endpoint-url', emulator.url, '--region', 'us-west-2', '--poll', '50ms', '--timeout', '30s', '--no-color'];
  const runtimes = async () => Object.keys(await emulator.admin<Record<string, unknown>>('GET', 'counters')).filter((k) => k.endsWith(':CreateAgentRuntime'));

  test('it shows the plan and goes ahead only on "yes"; --yes does not ask; piped, it never asks', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' });
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const declined = await onTerminal(['apply', '-f', tree(), ...flags()], {}, 'no\n');
    expect(declined.out).toContain('+ AgentRuntime/agents/support-agent: create runtime support_agent');
    expect(declined.out).toContain('Do you want to make these changes? Only "yes" goes ahead.');
    expect([declined.code, declined.out.trimEnd().endsWith('Apply cancelled: nothing was changed.')]).toEqual([1, true]);
    expect(await runtimes()).toEqual([]);

    const accepted = await onTerminal(['apply', '-f', tree(), ...flags()], {}, 'yes\n');
    expect([accepted.code, accepted.out]).toEqual([0, expect.stringMatching(/AgentRuntime +agents\/support-agent +ready/)]);
    expect(await runtimes()).toEqual(['bedrock-agentcore:CreateAgentRuntime']);

    await emulator.admin('POST', 'reset');
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const unasked = await onTerminal(['apply', '-f', tree(), ...flags(), '--yes'], {}, '');
    expect([unasked.code, unasked.out.includes('Do you want')]).toEqual([0, false]);
    await emulator.admin('POST', 'reset');
    await emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag: '1' });
    const piped = await cliChild(['apply', '-f', tree(), ...flags()]);
    expect([piped.code, piped.out.includes('Do you want')]).toEqual([0, false]);
  });
});
