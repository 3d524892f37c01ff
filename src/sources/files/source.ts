/**
 * A file source: the manifests under some paths, reconciled against AWS as one run. Its pipeline is a
 * straight line: load (validate every object), preflight (references, cycles, secrets), then the
 * engine (plan, apply or delete, in dependency order), then prune of what the source owns and no longer
 * declares. The cluster's counterpart is the Operator in sources/kube; both run the same engine and
 * reconcilers, and report each object's runs through a status sink. A run can be cancelled with an AbortSignal: objects not yet done are reported pending.
 */
import type { AwsClients } from '../../aws/clients.js';
import { awsErrorMessage } from '../../aws/errors.js';
import type { RateGate } from '../../aws/call.js';
import { Engine, keyOf, type EngineObject, type ObjectState } from '../../engine/engine.js';
import type { StatusSink } from '../../engine/status.js';
import type { Logger } from '../../observability/log.js';
import { listEndpointNames } from '../../reconcilers/agentruntime/observe.js';
import { TerminalError } from '../../reconcilers/errors.js';
import { listTargets } from '../../reconcilers/gateway/observe.js';
import { RECONCILERS, reconcilerByKind } from '../../reconcilers/index.js';
import { Inventory } from '../../reconcilers/inventory.js';
import type { ObjectPlan, OperatorSettings } from '../../reconcilers/kind.js';
import { Memo } from '../../reconcilers/memo.js';
import type { LoadLimits } from './loader.js';
import { loadManifests, manifestKey, type ManifestProblem, type ManifestSet } from './manifests.js';
import { preflight } from './preflight.js';
import { expectedAfterApply, orphans, plannedDeletion, type Listings, type Orphan } from './prune.js';
import { fileSecretResolver, secretAccessOf, secretsInSource, type SecretAccess } from './secrets.js';

/** The key a plan gives to what keeps prune from being planned. */
export const PRUNE_KEY = '(prune)';

/** How one object of a run ended; `pruned` marks a resource no manifest claims any more. */
export interface ObjectOutcome {
  object: EngineObject;
  state: ObjectState;
  pruned?: boolean;
}

/** What a run did: an outcome per object, and problems that concern none of them. */
export interface RunResult {
  outcomes: ObjectOutcome[];
  problems: string[];
}

export interface FileSourceOptions {
  aws: AwsClients;
  gate?: RateGate;
  /** Written into the ownership tags (`agentcore.dev/source`): which tree the resources belong to. */
  source: string;
  concurrency: number;
  pollMs: number;
  settings: OperatorSettings;
  logger?: Logger;
  /** Where each run of an object is reported (apply's progress, say). */
  sink?: StatusSink;
  /** What secret references may read: the same as loadSource checked them against. */
  access: SecretAccess;
}

/**
 * The manifests under `paths`, checked as a whole before anything reaches AWS: every problem (schema,
 * references, cycles, secrets that resolve to nothing, kinds not reconciled), each with file, line,
 * object and field path.
 */
export async function loadSource(paths: string[], options: { cwd?: string; limits?: LoadLimits; access?: SecretAccess } = {}): Promise<{ set: ManifestSet; problems: ManifestProblem[] }> {
  const set = loadManifests(paths, options.cwd, options.limits);
  const secrets = secretsInSource(set.skipped);
  const access = options.access ?? secretAccessOf(paths, options.cwd);
  const problems = set.problems.length > 0 ? set.problems : await preflight(set.objects, reconcilerByKind, (o) => fileSecretResolver(o.file, o.namespace, secrets, access));
  for (const o of set.objects.filter((x) => !reconcilerByKind.has(x.info.kind))) {
    problems.push({ file: o.file, line: o.line, object: `${o.info.kind} ${o.namespace}/${o.object.metadata.name}`, message: `${o.info.kind} is not reconciled by this version of the operator yet` });
  }
  return { set, problems };
}

export class FileSource {
  readonly objects: EngineObject[];
  private readonly engine: Engine;
  /** Reads the runs share (a listing, the account's roles), for apply and plan alike. */
  private readonly memo = new Memo();

  /** `set` must be free of problems (see loadSource). */
  constructor(set: ManifestSet, private readonly options: FileSourceOptions) {
    const secrets = secretsInSource(set.skipped);
    const byKey = new Map(set.objects.map((o) => [manifestKey(o), o]));
    const inventory = this.inventory();
    // An object pruned from AWS has no manifest left, so no secret of its own.
    const noSecrets = (): Promise<string> => Promise.reject(new TerminalError('a pruned object reads no secrets'));
    this.engine = new Engine({
      reconcilers: RECONCILERS,
      concurrency: options.concurrency,
      envFor: (o, lookup) => {
        const manifest = byKey.get(keyOf(o));
        return {
          aws: options.aws,
          gate: options.gate,
          owner: { owner: `${o.namespace}/${o.kind}/${o.name}`, source: options.source, retain: (o.object.spec as { deletionPolicy?: string }).deletionPolicy === 'Retain' },
          now: () => new Date(),
          pollMs: options.pollMs,
          lookup,
          secret: manifest ? fileSecretResolver(manifest.file, manifest.namespace, secrets, options.access) : noSecrets,
          settings: options.settings,
          memo: this.memo,
          inventory,
        };
      },
      logger: options.logger,
      sink: options.sink,
    });
    this.objects = set.objects.map((o) => {
      const object = { ...o.object, metadata: { ...o.object.metadata, namespace: o.namespace } } as EngineObject['object'];
      return { kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name, object };
    });
  }

  /** A fresh inventory of what the source owns in AWS. */
  private inventory(): Inventory {
    return Inventory.ofSource({ aws: this.options.aws, gate: this.options.gate }, this.options.source);
  }

  /**
   * What apply would change, object by object, without a write; with `prune`, also what it would then
   * prune, under the key of the object that owned it (as if apply brought every object to Ready).
   */
  async plan(options: { prune?: boolean } = {}): Promise<Map<string, ObjectPlan<Record<string, unknown>> | Error>> {
    const plans = await this.engine.plan(this.objects);
    if (!options.prune) return plans;
    const { objects, states } = expectedAfterApply(this.objects, plans);
    let found: Orphan[];
    try {
      found = await orphans(this.inventory(), objects, states, this.listings());
    } catch (error) {
      plans.set(PRUNE_KEY, new Error(`what the source owns could not be listed, so what prune would delete is not known (${awsErrorMessage(error)})`));
      return plans;
    }
    const { aws, gate } = this.options;
    for (const orphan of found) {
      const key = keyOf(orphan.object);
      const planned = plans.get(key);
      if (planned instanceof Error) continue;
      const lines = await plannedDeletion(orphan, { aws, gate, memo: this.memo }, this.options.source);
      plans.set(key, { ...planned, changes: [...(planned?.changes ?? []), ...lines] });
    }
    return plans;
  }

  /** The listings prune needs of what AWS keeps no tags on. */
  private listings(): Listings {
    const { aws, gate } = this.options;
    return { targets: (gatewayId: string) => listTargets(aws, gate, gatewayId), endpoints: (runtimeId: string) => listEndpointNames(aws, gate, runtimeId) };
  }

  /** Makes AWS match the manifests; with `prune`, then deletes what the source owns that no manifest claims. */
  async apply(options: { timeoutMs: number; prune?: boolean; signal?: AbortSignal }): Promise<RunResult> {
    const deadline = Date.now() + options.timeoutMs;
    const states = await this.engine.apply(this.objects, options.timeoutMs, options.signal);
    const applied = this.objects.map((o) => ({ object: o, state: states.get(keyOf(o)) ?? 'pending' }));
    if (!options.prune || options.signal?.aborted) return { outcomes: applied, problems: [] };
    const pruned = await this.prune(states, Math.max(0, deadline - Date.now()), options.signal);
    return { outcomes: [...applied, ...pruned.outcomes], problems: pruned.problems };
  }

  /** Removes the manifests' AWS resources, dependents first, except those with deletionPolicy: Retain. */
  async delete(options: { timeoutMs: number; signal?: AbortSignal }): Promise<RunResult> {
    const states = await this.engine.delete(this.objects, options.timeoutMs, options.signal);
    return { outcomes: this.objects.map((o) => ({ object: o, state: states.get(keyOf(o)) ?? 'pending' })), problems: [] };
  }

  /**
   * Deletes what the source owns in AWS that no object claims, once apply has run. The old resources of
   * a renamed object share its key, so each batch holds one resource per key.
   */
  private async prune(states: Map<string, ObjectState>, timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
    const deadline = Date.now() + timeoutMs;
    let remaining: EngineObject[];
    try {
      remaining = (await orphans(this.inventory(), this.objects, states, this.listings())).map((o) => o.object);
    } catch (error) {
      return { outcomes: [], problems: [`Nothing was pruned: what the source owns could not be listed (${awsErrorMessage(error)})`] };
    }
    const outcomes: ObjectOutcome[] = [];
    while (remaining.length > 0 && !signal?.aborted) {
      const batch = [...new Map(remaining.map((o) => [keyOf(o), o])).values()];
      remaining = remaining.filter((o) => !batch.includes(o));
      const deleted = await this.engine.delete(batch, Math.max(0, deadline - Date.now()), signal);
      outcomes.push(...batch.map((o) => ({ object: o, state: deleted.get(keyOf(o)) ?? 'pending', pruned: true })));
    }
    return { outcomes, problems: [] };
  }
}
