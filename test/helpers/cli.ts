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
export async function cliChild(args: string[], cwd = repoRoot): Promise<{ code: number | null; out: string; err: string }> {
  const { code, stdout, stderr } = await run(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), ...args], { ...process.env }, undefined, cwd);
  return { code, out: stdout, err: stderr };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end without blocking the test's event loop; never throws for a non-zero exit. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string, cwd?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
