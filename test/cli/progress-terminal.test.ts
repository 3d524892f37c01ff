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
function onTerminal(args: string[], more: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, join(repoRoot, 'dist', 'cli', 'main.js'), ...args].map(quote).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', COLUMNS: '120', ...more };
  delete env.CI;
  if (!more.NO_COLOR) delete env.NO_COLOR;
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
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

    const live = await onTerminal(['apply', '-f', tree(), ...flags]);
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
