import type { Command } from 'commander';
import { awsClients } from '../../aws/clients.js';
import { RateLimiter } from '../../engine/rate-limiter.js';
import { DEFAULT_CLIENT_RATES } from '../../aws/api-classes.js';
import { Engine, keyOf, type EngineObject, type ObjectState } from '../../engine/engine.js';
import { DEFAULT_SETTINGS } from '../../reconcilers/kind.js';
import { Inventory } from '../../reconcilers/inventory.js';
import { listTargets } from '../../reconcilers/gateway/observe.js';
import { listEndpointNames } from '../../reconcilers/agentruntime/observe.js';
import { Memo } from '../../reconcilers/memo.js';
import { TerminalError } from '../../reconcilers/contract.js';
import { RECONCILERS, reconcilerByKind } from '../../reconcilers/index.js';
import { formatProblem, loadManifests, type ManifestObject } from '../../sources/files/manifests.js';
import { preflight } from '../../sources/files/preflight.js';
import { orphans, type Listings } from '../../sources/files/prune.js';
import { fileSecretResolver, secretsInSource } from '../../sources/files/secrets.js';
import { awsErrorMessage } from '../../aws/errors.js';
import { awsOptionsOf, withAwsOptions, type AwsCliOptions } from '../aws-options.js';
import { processIO, type CliIO } from '../io.js';
import { createProgress, isLiveTerminal, type Progress } from '../progress.js';
import { createLogger, type LogFormat } from '../../observability/log.js';
import { defaultServices, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { parseImage } from '../../reconcilers/agentruntime/artifact.js';
import { table } from './validate.js';
import { changesOf, printPlan } from './plan.js';
import { parseDuration } from '../duration.js';

/** The options every command over a set of manifests takes (plan, apply, status, delete). */
export interface ManifestOptions extends AwsCliOptions {
  filename: string[];
  emulator?: boolean;
  logFormat: LogFormat;
  logLevel: string;
  concurrency: string;
  source: string;
  /** Only the commands that wait (apply, delete) take it; the others never poll. */
  pollMs?: string;
}

export interface RunOptions extends ManifestOptions {
  timeout: string;
  pollMs: string;
  prune?: boolean;
  /** Show the plan first (a plan is a read of everything, which apply then makes again). */
  plan?: boolean;
}

export interface Prepared {
  engine: Engine;
  objects: EngineObject[];
  progress: Progress;
  /** A fresh inventory of what the source owns in AWS. */
  inventory(): Inventory;
  listings: Listings;
  close(): Promise<void>;
}

/** A command over manifests, with the options they all share. */
export function manifestCommand(program: Command, name: string, description: string): Command {
  return withAwsOptions(
    program
      .command(name)
      .description(description)
      .requiredOption('-f, --filename <path...>', 'manifest files or directories')
      .option('--concurrency <n>', 'objects handled at once', '8')
      .option('--source <id>', 'name of this source, as apply writes it in the ownership tags', 'files')
      .option('--emulator', 'use an embedded AgentCore emulator instead of AWS (for trying things out)')
      .option('--log-format <format>', 'logs on standard error: text or json', 'text')
      .option('--log-level <level>', 'error, warn, info or debug', 'warn'),
  );
}

const objectKey = (o: ManifestObject) => keyOf({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name });

/** Loads, validates and preflights the manifests; prints problems and returns undefined when there are any. */
const EMBEDDED_REGION = 'us-west-2';

/**
 * The embedded default: an emulator in this process, its ECR holding the images the manifests name
 * (as if they had been pushed), so the manifests can be applied with no AWS account.
 */
async function startEmbeddedEmulator(objects: ManifestObject[], io: CliIO): Promise<RunningEmulator> {
  const emulator = await startEmulator({ services: defaultServices(), config: { provisioningDelayMs: 500, deletionDelayMs: 500 } });
  for (const o of objects) {
    const image = (o.object.spec as { artifact?: { image?: string } }).artifact?.image;
    const ref = image ? parseImage(image) : undefined;
    if (!ref?.region || !ref.tag) continue;
    await fetch(`${emulator.url}/_admin/ecr/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ region: ref.region, repository: ref.repository, tag: ref.tag }) });
  }
  io.out(`Using the embedded AgentCore emulator at ${emulator.url}: nothing reaches AWS.\n`);
  return emulator;
}

export async function prepare(options: ManifestOptions, io: CliIO): Promise<Prepared | undefined> {
  const set = loadManifests(options.filename, io.cwd);
  const secrets = secretsInSource(set.skipped);
  const byKey = new Map(set.objects.map((o) => [objectKey(o), o]));
  const secretOf = (o: ManifestObject) => fileSecretResolver(o.file, o.namespace, secrets);
  const problems = set.problems.length > 0 ? set.problems : await preflight(set.objects, reconcilerByKind, secretOf);
  const unsupported = set.objects.filter((o) => !reconcilerByKind.has(o.info.kind));
  for (const o of unsupported) problems.push({ file: o.file, line: o.line, object: `${o.info.kind} ${o.namespace}/${o.object.metadata.name}`, message: `${o.info.kind} is not reconciled by this version of the operator yet` });
  if (problems.length > 0) {
    for (const p of problems) io.out(`${formatProblem(p)}\n`);
    io.out(`${problems.length} problem(s); nothing was sent to AWS\n`);
    return undefined;
  }
  const embedded = options.emulator ? await startEmbeddedEmulator(set.objects, io) : undefined;
  const aws = awsClients(embedded ? { endpointUrl: embedded.url, region: options.region ?? EMBEDDED_REGION, credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' } } : awsOptionsOf(options));
  const gate = new RateLimiter(DEFAULT_CLIENT_RATES);
  const memo = new Memo();
  const inventory = Inventory.ofSource({ aws, gate }, options.source);
  const live = io === processIO && isLiveTerminal(process.stdout, process.env);
  const progress = createProgress(io, { live, columns: process.stdout.columns, rows: process.stdout.rows, keys: set.objects.map(objectKey) });
  // An object pruned from AWS has no manifest left, so no secret of its own.
  const noSecrets = (): Promise<string> => Promise.reject(new TerminalError('a pruned object reads no secrets'));
  const engine = new Engine({
    reconcilers: RECONCILERS,
    concurrency: Number(options.concurrency),
    envFor: (o, lookup) => ({
      aws,
      gate,
      owner: { owner: `${o.namespace}/${o.kind}/${o.name}`, source: options.source, retain: (o.object.spec as { deletionPolicy?: string }).deletionPolicy === 'Retain' },
      now: () => new Date(),
      pollMs: Number(options.pollMs ?? 2000),
      lookup,
      secret: byKey.has(keyOf(o)) ? secretOf(byKey.get(keyOf(o))!) : noSecrets,
      settings: DEFAULT_SETTINGS,
      memo,
      inventory,
    }),
    logger: createLogger({ format: options.logFormat, level: options.logLevel }),
    onProgress: (event) => progress.update(event),
  });
  const objects: EngineObject[] = set.objects.map((o) => ({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name, object: o.object as EngineObject['object'] }));
  return {
    engine,
    objects,
    progress,
    inventory: () => Inventory.ofSource({ aws, gate }, options.source),
    listings: { targets: (gatewayId) => listTargets(aws, gate, gatewayId), endpoints: (runtimeId) => listEndpointNames(aws, gate, runtimeId) },
    close: async () => {
      aws.destroy();
      await embedded?.close();
    },
  };
}

/** One line of the final table: an object of the tree, or a resource pruned because none claims it. */
interface Outcome {
  object: EngineObject;
  state: ObjectState | 'pending';
  pruned?: boolean;
}

/** What a command did: an outcome per object, and problems that concern none of them. */
interface RunResult {
  outcomes: Outcome[];
  problems?: string[];
}

function report({ outcomes, problems = [] }: RunResult, io: CliIO): number {
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

/**
 * Deletes what the source owns in AWS that no object claims, once apply has run. The old resources
 * of a renamed object share its key, so each batch holds one resource per key.
 */
async function prune(prepared: Prepared, states: Map<string, ObjectState>, timeoutMs: number): Promise<RunResult> {
  const deadline = Date.now() + timeoutMs;
  let remaining: EngineObject[];
  try {
    remaining = (await orphans(prepared.inventory(), prepared.objects, states, prepared.listings)).map((o) => o.object);
  } catch (error) {
    return { outcomes: [], problems: [`Nothing was pruned: what the source owns could not be listed (${awsErrorMessage(error)})`] };
  }
  const outcomes: Outcome[] = [];
  while (remaining.length > 0) {
    const batch = [...new Map(remaining.map((o) => [keyOf(o), o])).values()];
    remaining = remaining.filter((o) => !batch.includes(o));
    const deleted = await prepared.engine.delete(batch, Math.max(0, deadline - Date.now()));
    outcomes.push(...batch.map((o) => ({ object: o, state: deleted.get(keyOf(o)) ?? 'pending', pruned: true })));
  }
  return { outcomes };
}

type Run = (prepared: Prepared, timeoutMs: number, options: RunOptions) => Promise<RunResult>;

function runCommand(name: string, description: string, program: Command, io: CliIO, setExitCode: (code: number) => void, run: Run): Command {
  return manifestCommand(program, name, description)
    .option('--timeout <duration>', 'give up waiting after this long', '10m')
    .option('--poll-ms <ms>', 'how often to look again at resources AWS is still working on', '2000')
    .action(async (options: RunOptions, command: Command) => {
      // Every tree applied without --source shares the default one: pruning it would delete the others'.
      if (options.prune && command.getOptionValueSource('source') === 'default') {
        io.out('--prune needs --source: name this tree (its repository and path, say) so that only what it created is pruned\n');
        return setExitCode(1);
      }
      const prepared = await prepare(options, io);
      if (!prepared) return setExitCode(1);
      try {
        let result: RunResult;
        try {
          result = await run(prepared, parseDuration(options.timeout), options);
        } finally {
          prepared.progress.finish();
        }
        setExitCode(report(result, io));
      } finally {
        await prepared.close();
      }
    });
}

const outcomesOf = (objects: EngineObject[], states: Map<string, ObjectState>): Outcome[] => objects.map((o) => ({ object: o, state: states.get(keyOf(o)) ?? 'pending' }));

export function applyCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  runCommand('apply', 'Make AWS match the manifests, in dependency order, and wait until every object is Ready.', program, io, setExitCode, async (prepared, timeoutMs, options) => {
    const started = Date.now();
    if (options.plan) printPlan(changesOf(await prepared.engine.plan(prepared.objects)), io);
    const states = await prepared.engine.apply(prepared.objects, timeoutMs);
    const applied = outcomesOf(prepared.objects, states);
    if (!options.prune) return { outcomes: applied };
    const pruned = await prune(prepared, states, timeoutMs - (Date.now() - started));
    return { outcomes: [...applied, ...pruned.outcomes], problems: pruned.problems };
  })
    .option('--plan', 'show the plan first (it reads AWS once more)')
    .option('--prune', 'also delete what this source (--source) created in AWS that no manifest claims any more');
  runCommand('delete', 'Delete the AWS resources of the manifests (dependents first), except those with deletionPolicy: Retain.', program, io, setExitCode, async (prepared, timeoutMs) => ({
    outcomes: outcomesOf(prepared.objects, await prepared.engine.delete(prepared.objects, timeoutMs)),
  }));
}
