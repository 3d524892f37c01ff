import { spawnSync } from 'node:child_process';
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
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
