import type { Command } from 'commander';
import { awsClients } from '../../aws/clients.js';
import { RateLimiter } from '../../engine/rate-limiter.js';
import { DEFAULT_CLIENT_RATES } from '../../aws/api-classes.js';
import { Engine, keyOf, type EngineObject, type ObjectState } from '../../engine/engine.js';
import { DEFAULT_SETTINGS } from '../../reconcilers/kind.js';
import { Memo } from '../../reconcilers/memo.js';
import { RECONCILERS, reconcilerByKind } from '../../reconcilers/index.js';
import { formatProblem, loadManifests, type ManifestObject } from '../../sources/files/manifests.js';
import { preflight } from '../../sources/files/preflight.js';
import { fileSecretResolver, secretsInSource } from '../../sources/files/secrets.js';
import { awsOptionsOf, withAwsOptions, type AwsCliOptions } from '../aws-options.js';
import type { CliIO } from '../io.js';
import { createLogger, type LogFormat } from '../../observability/log.js';
import { defaultServices, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { parseImage } from '../../reconcilers/agentruntime/artifact.js';
import { table } from './validate.js';

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

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (use 90s, 10m, 1h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Number(m[1]) * unit;
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

export async function prepare(options: ManifestOptions, io: CliIO): Promise<{ engine: Engine; objects: EngineObject[]; close(): Promise<void> } | undefined> {
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
  const engine = new Engine({
    reconcilers: RECONCILERS,
    concurrency: Number(options.concurrency),
    envFor: (o, lookup) => ({
      aws,
      gate,
      owner: { owner: `${o.namespace}/${o.kind}/${o.name}`, source: options.source },
      now: () => new Date(),
      pollMs: Number(options.pollMs ?? 2000),
      lookup,
      secret: secretOf(byKey.get(keyOf(o))!),
      settings: DEFAULT_SETTINGS,
      memo,
    }),
    logger: createLogger({ format: options.logFormat, level: options.logLevel }),
    onProgress: (event) => {
      for (const action of event.actions) io.out(`${event.key}: ${action}\n`);
      if (event.state === 'stalled') io.out(`${event.key}: Stalled: ${event.message ?? ''}\n`);
    },
  });
  const objects: EngineObject[] = set.objects.map((o) => ({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name, object: o.object as EngineObject['object'] }));
  return {
    engine,
    objects,
    close: async () => {
      aws.destroy();
      await embedded?.close();
    },
  };
}

function report(objects: EngineObject[], states: Map<string, ObjectState>, io: CliIO): number {
  const rows = objects.map((o) => {
    const status = o.object.status ?? {};
    const ready = ((status.conditions ?? []) as { type: string; status: string; message: string }[]).find((c) => c.type === 'Ready');
    return [o.kind, `${o.namespace}/${o.name}`, states.get(keyOf(o)) ?? 'pending', String(status.awsStatus ?? ''), ready?.message ?? ''];
  });
  io.out(table(rows, ['KIND', 'OBJECT', 'STATE', 'AWS STATUS', 'MESSAGE']));
  const bad = [...states.values()].filter((s) => s === 'stalled' || s === 'pending').length;
  const paused = [...states.values()].filter((s) => s === 'suspended').length;
  if (paused > 0) io.out(`${paused} object(s) suspended: not reconciled\n`);
  io.out(bad === 0 ? `${objects.length} object(s) done\n` : `${bad} of ${objects.length} object(s) not done\n`);
  return bad === 0 ? 0 : 1;
}

function runCommand(name: string, description: string, program: Command, io: CliIO, setExitCode: (code: number) => void, run: (engine: Engine, objects: EngineObject[], timeoutMs: number) => Promise<Map<string, ObjectState>>): void {
  manifestCommand(program, name, description)
    .option('--timeout <duration>', 'give up waiting after this long', '10m')
    .option('--poll-ms <ms>', 'how often to look again at resources AWS is still working on', '2000')
    .action(async (options: RunOptions) => {
      const prepared = await prepare(options, io);
      if (!prepared) return setExitCode(1);
      try {
        const states = await run(prepared.engine, prepared.objects, parseDuration(options.timeout));
        setExitCode(report(prepared.objects, states, io));
      } finally {
        await prepared.close();
      }
    });
}

export function applyCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  runCommand('apply', 'Make AWS match the manifests, in dependency order, and wait until every object is Ready.', program, io, setExitCode, (e, o, t) => e.apply(o, t));
  runCommand('delete', 'Delete the AWS resources of the manifests (dependents first), except those with deletionPolicy: Retain.', program, io, setExitCode, (e, o, t) => e.delete(o, t));
}
