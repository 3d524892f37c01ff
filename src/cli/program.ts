import { Command } from 'commander';
import { createRequire } from 'node:module';
import type { CliIO } from './io.js';

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

type Register = (program: Command, io: CliIO, setExitCode: (code: number) => void) => void;

/**
 * Each command's module, loaded only when that command runs (all of them for help): a long-running
 * `run` then carries neither the emulator nor the file-mode machinery in memory.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./commands/validate.js')).validateCommand,
  apply: async () => (await import('./commands/apply.js')).applyCommand,
  delete: async () => (await import('./commands/apply.js')).applyCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  crds: async () => (await import('./commands/crds.js')).crdsCommand,
  generate: async () => (await import('./commands/generate.js')).generateCommand,
  emulator: async () => (await import('./commands/emulator.js')).emulatorCommand,
  get: async () => (await import('./commands/cluster.js')).clusterCommands,
  reconcile: async () => (await import('./commands/cluster.js')).clusterCommands,
  suspend: async () => (await import('./commands/cluster.js')).clusterCommands,
  resume: async () => (await import('./commands/cluster.js')).clusterCommands,
  completion: async () => (await import('./commands/completion.js')).completionCommand,
};

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function runCli(args: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('agentcore-operator')
    .description('GitOps operator for Amazon Bedrock AgentCore')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  // A command's own module, or all of them: for help, for a command not known, and for completion, which lists them.
  const requested = args[0] !== undefined && args[0] in COMMANDS && args[0] !== 'completion' ? [args[0]] : Object.keys(COMMANDS);
  const registered = new Set<Register>();
  for (const name of requested) {
    const register = await COMMANDS[name]!();
    if (registered.has(register)) continue;
    registered.add(register);
    register(program, io, (code) => (exitCode = code));
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code;
    throw error;
  }
  return exitCode;
}
