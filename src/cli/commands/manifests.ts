/**
 * What every command over a set of manifests shares (plan, apply, status, delete): their options, and
 * opening the file source they name, against AWS or an embedded emulator. Problems found before any
 * AWS call are printed here, and the command then does nothing.
 */
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_CLIENT_RATES } from '../../aws/api-classes.js';
import { awsClients } from '../../aws/clients.js';
import { defaultServices, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { RateLimiter } from '../../engine/rate-limiter.js';
import { createLogger, type LogFormat } from '../../observability/log.js';
import { parseImage } from '../../reconcilers/agentruntime/artifact.js';
import { reconcilerByKind } from '../../reconcilers/index.js';
import { DEFAULT_SETTINGS } from '../../reconcilers/kind.js';
import { formatProblem, manifestKey, type ManifestObject } from '../../sources/files/manifests.js';
import { referencedKeys } from '../../sources/files/preflight.js';
import { selectObjects } from '../../sources/files/selection.js';
import { FileSource, loadSource } from '../../sources/files/source.js';
import { awsOptionsOf, awsSetupProblem, withAwsOptions, type AwsCliOptions } from '../aws-options.js';
import { paintFor, plain, type Paint } from '../colour.js';
import { processIO, type CliIO } from '../io.js';
import { pushImage } from './emulator.js';
import { settingsOf, withOperatorSettings, type OperatorSettingOptions } from '../operator-settings.js';
import { loadLimitsOf, secretAccessFor, withSourceBounds, type SourceBoundOptions } from '../source-bounds.js';
import { createProgress, isLiveTerminal, progressSink, type Progress } from '../progress.js';

export interface ManifestOptions extends AwsCliOptions, SourceBoundOptions, OperatorSettingOptions {
  /** False with --no-color. */
  color?: boolean;
  emulatorState?: string;
  emulatorReset?: boolean;
  selector?: string;
  target?: string[];
  filename: string[];
  emulator?: boolean;
  logFormat: LogFormat;
  logLevel: string;
  concurrency: string;
  source: string;
  /** Only the commands that wait (apply, delete) take it; the others never poll. */
  pollMs?: string;
}

/** A command over a tree of manifests, with the options they all share; `-f` is required unless the command takes the tree from elsewhere (a saved plan). */
export function manifestCommand(program: Command, name: string, description: string, filename: 'required' | 'optional' = 'required'): Command {
  const command = program.command(name).description(description);
  const files = 'manifest files or directories, or - for standard input';
  if (filename === 'required') command.requiredOption('-f, --filename <path...>', files);
  else command.option('-f, --filename <path...>', files);
  return withOperatorSettings(withSourceBounds(withAwsOptions(
    command
      .option('--concurrency <n>', 'objects handled at once', '8')
      .option('--source <id>', 'name of this source, as apply writes it in the ownership tags', 'files')
      .option('--emulator', 'use an embedded AgentCore emulator instead of AWS (for trying things out); it keeps its state between commands')
      .option('--emulator-state <file>', 'with --emulator, the file it keeps its state in', defaultEmulatorState())
      .option('--emulator-reset', 'with --emulator, start from an empty emulator (the state file is cleared first)')
      .option('--log-format <format>', 'logs on standard error: text or json', 'text')
      .option('--log-level <level>', 'error, warn, info or debug', 'warn')
      .option('--no-color', 'no colours, even on a terminal (NO_COLOR does the same)')
      .option('-l, --selector <selector>', 'only the objects with these labels (key=value, key!=value, key in (a,b), key), with what they need')
      .option('--target <Kind/namespace/name...>', 'only these objects, with what they need'),
  )));
}

const EMBEDDED_REGION = 'us-west-2';

/** Where --emulator keeps its state unless told: the user's state folder (XDG_STATE_HOME, else ~/.local/state). */
export function defaultEmulatorState(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'agentcore-operator', 'emulator.json');
}

/**
 * The embedded default: an emulator in this process, its ECR holding the images the manifests name
 * (as if they had been pushed), so the manifests can be applied with no AWS account.
 */
async function startEmbeddedEmulator(objects: ManifestObject[], io: CliIO, options: ManifestOptions): Promise<RunningEmulator> {
  const statePath = resolve(io.cwd, options.emulatorState ?? defaultEmulatorState());
  if (options.emulatorReset) rmSync(statePath, { force: true });
  mkdirSync(dirname(statePath), { recursive: true });
  const emulator = await startEmulator({ services: defaultServices(), config: { provisioningDelayMs: 500, deletionDelayMs: 500, statePath } });
  for (const o of objects) {
    const image = (o.object.spec as { artifact?: { image?: string } }).artifact?.image;
    const ref = image ? parseImage(image) : undefined;
    if (!ref?.region || !ref.tag) continue;
    // A digest of the name: the same image each time the emulator starts on its kept state, so nothing looks re-pushed.
    await pushImage(emulator.url, ref, `sha256:${createHash('sha256').update(image!).digest('hex')}`);
  }
  io.out(`Using the embedded AgentCore emulator at ${emulator.url}, its state kept in ${statePath}: nothing reaches AWS.\n`);
  return emulator;
}

/** The colours of this command's output: on a terminal, unless NO_COLOR or --no-color says otherwise. */
export function paintOf(options: { color?: boolean }, io: CliIO): Paint {
  return io === processIO ? paintFor(process.stdout, process.env, options.color !== false) : plain;
}

/**
 * Why --prune may not run as asked: every tree applied without --source shares the default one, and
 * pruning it would delete the others'; a tree narrowed by --selector or --target would lose the rest.
 */
export function pruneRefusal(options: { prune?: boolean; selector?: string; target?: string[] }, command: Command): string | undefined {
  if (!options.prune) return undefined;
  if (command.getOptionValueSource('source') === 'default') return '--prune needs --source: name this tree (its repository and path, say) so that only what it created is pruned';
  if (options.selector || options.target?.length) return '--prune works on a whole tree: with --selector or --target it would delete what was left out';
  return undefined;
}

export interface OpenSource {
  source: FileSource;
  progress: Progress;
  close(): Promise<void>;
}

/** Loads, validates and preflights the manifests; prints the problems and returns undefined when there are any. */
export async function openSource(options: ManifestOptions, io: CliIO, along: 'references' | 'referrers' = 'references'): Promise<OpenSource | undefined> {
  const access = secretAccessFor(options.filename, io.cwd, options);
  const { set, problems } = await loadSource(options.filename, { cwd: io.cwd, limits: loadLimitsOf(options), access });
  if (problems.length > 0) {
    for (const p of problems) io.out(`${formatProblem(p)}\n`);
    io.out(`${problems.length} problem(s); nothing was sent to AWS\n`);
    return undefined;
  }
  // The whole tree is checked above; the command then works on the part it was narrowed to.
  const selected = selectObjects(set.objects, { selector: options.selector, targets: options.target }, (o) => referencedKeys(o, reconcilerByKind), along);
  if (typeof selected === 'string') {
    io.out(`${selected}\n`);
    return undefined;
  }
  set.objects = selected;
  const embedded = options.emulator ? await startEmbeddedEmulator(set.objects, io, options) : undefined;
  const aws = awsClients(embedded ? { endpointUrl: embedded.url, region: options.region ?? EMBEDDED_REGION, credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' } } : awsOptionsOf(options));
  const setup = await awsSetupProblem(aws, options);
  if (setup) {
    io.out(`${setup}\n`);
    aws.destroy();
    await embedded?.close();
    return undefined;
  }
  const live = io === processIO && isLiveTerminal(process.stdout, process.env);
  const keys = set.objects.map(manifestKey);
  const progress = createProgress(io, { live, columns: process.stdout.columns, rows: process.stdout.rows, keys });
  const source = new FileSource(set, {
    aws,
    gate: new RateLimiter(DEFAULT_CLIENT_RATES),
    source: options.source,
    concurrency: Number(options.concurrency),
    pollMs: Number(options.pollMs ?? 2000),
    settings: settingsOf(options, DEFAULT_SETTINGS),
    logger: createLogger({ format: options.logFormat, level: options.logLevel }),
    sink: progressSink(progress),
    access,
  });
  return {
    source,
    progress,
    close: async () => {
      aws.destroy();
      await embedded?.close();
    },
  };
}
