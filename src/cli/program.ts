import { Command } from 'commander';
import { applyCommand } from './commands/apply.js';
import { crdsCommand } from './commands/crds.js';
import { emulatorCommand } from './commands/emulator.js';
import { generateCommand } from './commands/generate.js';
import { planCommand } from './commands/plan.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import type { CliIO } from './io.js';

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function runCli(args: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('agentcore-operator')
    .description('GitOps operator for Amazon Bedrock AgentCore')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  validateCommand(program, io, (code) => (exitCode = code));
  applyCommand(program, io, (code) => (exitCode = code));
  planCommand(program, io, (code) => (exitCode = code));
  statusCommand(program, io, (code) => (exitCode = code));
  runCommand(program, io, (code) => (exitCode = code));
  crdsCommand(program, io);
  generateCommand(program, io);
  emulatorCommand(program, io);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code;
    throw error;
  }
  return exitCode;
}
