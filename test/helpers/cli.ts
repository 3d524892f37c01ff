import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';

export const repoRoot = join(import.meta.dirname, '..', '..');

export async function cli(args: string[], cwd = repoRoot): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), cwd });
  return { code, out, err };
}

/** Runs the built command (dist/) as a separate process, as a user's shell would. */
export function cliProcess(args: string[], cwd = repoRoot): { code: number | null; out: string; err: string } {
  // The test's process.env is not what a child inherits under Jest, so it is passed on explicitly.
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/**
 * The same, without blocking: needed when the process talks to an emulator running in the test's own
 * process, which a synchronous wait would starve.
 */
export function cliChild(args: string[], cwd = repoRoot): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), ...args], { cwd, env: { ...process.env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
