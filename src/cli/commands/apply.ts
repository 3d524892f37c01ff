import { Option, type Command } from 'commander';
import type { RunResult } from '../../sources/files/source.js';
import { createInterface } from 'node:readline/promises';
import { processIO, type CliIO } from '../io.js';
import { isLiveTerminal } from '../progress.js';
import { parseDurationFlags } from '../duration.js';
import { manifestCommand, openSource, paintOf, pruneRefusal, type ManifestOptions, type OpenSource } from './manifests.js';
import { changesOf, printPlan, summaryOf } from './plan.js';
import { table } from './validate.js';
import { readSavedPlan, staleObjects, type SavedPlan } from '../saved-plan.js';

export interface RunOptions extends ManifestOptions {
  timeout: string;
  poll: string;
  pollMs?: string;
  prune?: boolean;
  /** Show the plan first (a plan is a read of everything, which apply then makes again). */
  plan?: boolean;
  /** Apply without asking on a terminal. */
  yes?: boolean;
  /** Set when applying a saved plan: it was reviewed, so it is not asked about again. */
  savedPlan?: boolean;
}

/** The person at the terminal said no. */
class Cancelled extends Error {}

/** Asks on the terminal whether to go ahead; only "yes" is taken for one. */
async function confirmed(io: CliIO): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    io.out('\nDo you want to make these changes? Only "yes" goes ahead.\n');
    return (await prompt.question('  Enter a value: ')).trim() === 'yes';
  } finally {
    prompt.close();
  }
}

function report({ outcomes, problems }: RunResult, io: CliIO): number {
  const rows = outcomes.map(({ object: o, state, pruned }) => {
    const status = o.object.status ?? {};
    const ready = ((status.conditions ?? []) as { type: string; status: string; message: string }[]).find((c) => c.type === 'Ready');
    const shown = pruned && state === 'deleted' ? 'pruned' : state;
    return [o.kind, `${o.namespace}/${o.name}`, shown, String(status.awsStatus ?? ''), ready?.message ?? ''];
  });
  io.out(table(rows, ['KIND', 'OBJECT', 'STATE', 'AWS STATUS', 'MESSAGE']));
  const bad = outcomes.filter((o) => o.state === 'stalled' || o.state === 'pending').length;
  const paused = outcomes.filter((o) => o.state === 'suspended').length;
  const pruned = outcomes.filter((o) => o.pruned && o.state === 'deleted').length;
  if (paused > 0) io.out(`${paused} object(s) suspended: not reconciled\n`);
  if (pruned > 0) io.out(`${pruned} resource(s) no manifest claims any more pruned\n`);
  io.out(bad === 0 ? `${outcomes.length} object(s) done\n` : `${bad} of ${outcomes.length} object(s) not done\n`);
  for (const problem of problems) io.out(`${problem}\n`);
  return bad === 0 && problems.length === 0 ? 0 : 1;
}

/** --timeout and --poll (or the older --poll-ms), or a message naming the flag that is not a duration. */
function durationsOf(options: RunOptions): { timeoutMs: number; pollMs: number } | string {
  const { pollMs } = options;
  const [pollFlag, poll] = pollMs === undefined ? ['poll', options.poll] : ['poll-ms', /^\d+$/.test(pollMs) ? `${pollMs}ms` : pollMs];
  const parsed = parseDurationFlags({ timeout: options.timeout, [pollFlag]: poll });
  return typeof parsed === 'string' ? parsed : { timeoutMs: parsed.timeout!, pollMs: parsed[pollFlag]! };
}

type Run = (opened: OpenSource, timeoutMs: number, options: RunOptions) => Promise<RunResult>;

/** The tree, source and narrowing of a saved plan become the command's own; undefined when there is no plan file. */
function takeSavedPlan(file: string | undefined, options: RunOptions, command: Command, io: CliIO): SavedPlan | string | undefined {
  if (file === undefined) return options.filename ? undefined : "error: required option '-f, --filename <path...>' not specified";
  if (options.filename) return 'give a saved plan or -f, not both: the plan names the manifests it was made of';
  const saved = readSavedPlan(file, io.cwd);
  if (typeof saved === 'string') return saved;
  // What the plan was made with decides what it is of; a flag given again here must agree with it.
  for (const flag of ['source', 'selector', 'target', 'prune', 'region', 'profile', 'endpointUrl'] as const) {
    if (command.getOptionValueSource(flag) === 'cli' && JSON.stringify(options[flag]) !== JSON.stringify(saved.arguments[flag])) return `--${flag} differs from the saved plan's; make a new plan`;
  }
  Object.assign(options, saved.arguments);
  return saved;
}

function runCommand(name: string, description: string, program: Command, io: CliIO, setExitCode: (code: number) => void, run: Run, planFile = false): Command {
  const command = manifestCommand(program, name, description, planFile ? 'optional' : 'required')
    .option('--timeout <duration>', 'give up waiting after this long', '10m')
    .option('--poll <duration>', 'how often to look again at resources AWS is still working on', '2s')
    // The flag of earlier versions, kept working: milliseconds.
    .addOption(new Option('--poll-ms <ms>').hideHelp());
  if (planFile) command.argument('[plan-file]', 'a plan saved by plan --out: apply exactly it, or nothing when AWS or the manifests changed since');
  return command.action(async (...args: unknown[]) => {
    const [file, options, self] = (planFile ? args : [undefined, ...args]) as [string | undefined, RunOptions, Command];
    const saved = takeSavedPlan(file, options, self, io);
    if (typeof saved === 'string') {
      io.out(`${saved}\n`);
      return setExitCode(1);
    }
    options.savedPlan = saved !== undefined;
    const durations = durationsOf(options);
    if (typeof durations === 'string') {
      io.out(`${durations}\n`);
      return setExitCode(1);
    }
    const refusal = saved ? undefined : pruneRefusal(options, self);
    if (refusal) {
      io.out(`${refusal}\n`);
      return setExitCode(1);
    }
    // Narrowed to some objects, delete takes what references them too; apply, what they reference.
    const opened = await openSource({ ...options, pollMs: String(durations.pollMs) }, io, name === 'delete' ? 'referrers' : 'references');
    if (!opened) return setExitCode(1);
    try {
      const stale = saved ? staleObjects(saved, await opened.source.plan({ prune: options.prune })) : [];
      if (stale.length > 0) {
        io.out(`The saved plan is out of date: AWS or the manifests changed since it was made, for ${stale.join(', ')}. Nothing was applied; make a new plan.\n`);
        return setExitCode(1);
      }
      let result: RunResult | undefined;
      try {
        result = await run(opened, durations.timeoutMs, options);
      } catch (error) {
        if (!(error instanceof Cancelled)) throw error;
      } finally {
        opened.progress.finish();
      }
      if (!result) io.out('Apply cancelled: nothing was changed.\n');
      setExitCode(result ? report(result, io) : 1);
    } finally {
      await opened.close();
    }
  });
}

export function applyCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  runCommand('apply', 'Make AWS match the manifests (or exactly a plan saved by plan --out), in dependency order, and wait until every object is Ready.', program, io, setExitCode, async ({ source }, timeoutMs, options) => {
    // A person at a terminal sees what will change and says yes first, as with terraform apply; CI and pipes are not asked.
    const ask = !options.yes && !options.savedPlan && io === processIO && process.stdin.isTTY === true && isLiveTerminal(process.stdout, process.env);
    if (options.plan || ask) {
      const plans = changesOf(await source.plan({ prune: options.prune }));
      printPlan(plans, io, paintOf(options, io));
      if (ask && summaryOf(plans).changed > 0 && !(await confirmed(io))) throw new Cancelled();
    }
    return source.apply({ timeoutMs, prune: options.prune });
  }, true)
    .option('--plan', 'show the plan first (it reads AWS once more); on a terminal it is shown, and asked about, anyway')
    .option('-y, --yes', 'apply without asking, even on a terminal')
    .option('--prune', 'also delete what this source (--source) created in AWS that no manifest claims any more');
  runCommand('delete', 'Delete the AWS resources of the manifests (dependents first), except those with deletionPolicy: Retain.', program, io, setExitCode, ({ source }, timeoutMs) => source.delete({ timeoutMs }));
}
