/**
 * Cluster mode put together: an informer per kind (and one for Secrets) per watched namespace, a
 * controller per kind, the reference index that routes a change of a Memory, Gateway or Secret to the
 * objects that read it, and leader election gating the controllers. Informers run on every replica,
 * so a new leader starts with a warm cache; only the leader reconciles.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { SecretRef } from '../../api/schema.js';
import type { AwsClients } from '../../aws/clients.js';
import { fenced, type RateGate } from '../../aws/call.js';
import { Inventory } from '../../reconcilers/inventory.js';
import { Memo } from '../../reconcilers/memo.js';
import { TerminalError, TransientError } from '../../reconcilers/errors.js';
import { DependencyNotReady } from '../../reconcilers/steps.js';
import type { KindReconciler, OperatorSettings, ReconcileEnv } from '../../reconcilers/kind.js';
import type { Logger } from '../../observability/log.js';
import type { OperatorMetrics } from '../../observability/metrics.js';
import { KubeApiError, type KubeClient, type KubeObject } from './client.js';
import { KindController, type ObjectCache } from './controller.js';
import { EventRecorder } from './events.js';
import { Informer, LONGEST_DEFAULT_SILENCE_MS, type InformerOptions } from './informer.js';
import { LeaderElector } from './leader.js';
import { isReady, needsReconcile, referenceView } from './predicates.js';
import { ReferenceIndex, SECRET, parseRefKey } from './references.js';
import { collectionPath, scopedPaths, secretsPath, slimObject, type WatchScope } from './resources.js';

export interface LeaderElectionSettings {
  namespace: string;
  name: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface OperatorOptions {
  client: KubeClient;
  aws: AwsClients;
  gate: RateGate;
  reconcilers: KindReconciler<never, never>[];
  scope: WatchScope;
  /** Written into the ownership tags (`agentcore.dev/source`): which cluster the resources belong to. */
  source: string;
  identity: string;
  concurrency: number;
  resyncMs: number;
  pollMs: number;
  settings: OperatorSettings;
  metrics: OperatorMetrics;
  logger: Logger;
  /** Off when undefined: this process reconciles at once (one replica, or tests). */
  leaderElection?: LeaderElectionSettings;
  /** Timings of the informers (tests shorten them). */
  informers?: Pick<InformerOptions, 'relistIntervalMs' | 'idleTimeoutMs' | 'backoff'>;
  /** Called when the process must end: leadership was lost. */
  onFatal(reason: string): void;
}

interface SecretSummary extends KubeObject {
  /** A keyed digest of the Secret's data: enough to tell a change, useless to guess a value. */
  dataDigest: string;
}

export class Operator {
  private readonly informers = new Map<string, Map<string, Informer>>();
  private readonly controllers = new Map<string, KindController>();
  private readonly references: ReferenceIndex;
  private readonly memo = new Memo();
  private inventory: { at: number; value: Inventory } | undefined;
  private elector: LeaderElector | undefined;
  private leading = false;
  private started = false;
  private depthTimer: NodeJS.Timeout | undefined;
  private readonly digestKey = randomBytes(32);
  /** Aborted when the lease is lost: the calls in flight are cancelled and nothing more is written. */
  private readonly leadership = new AbortController();
  /** The AWS gate of every reconcile: with leader election, writes only while the lease is surely held. */
  private readonly gate: RateGate;

  constructor(private readonly options: OperatorOptions) {
    this.gate = options.leaderElection ? fenced(options.gate, () => (this.elector?.holdsLease() ? undefined : 'this replica is not sure it still holds the leader lease'), this.leadership.signal) : options.gate;
    const reconcilers = new Map(options.reconcilers.map((r) => [r.kind, r]));
    this.references = new ReferenceIndex(reconcilers);
    const events = new EventRecorder({
      client: options.client,
      controller: 'agentcore.dev/operator',
      instance: options.identity,
      onEmitted: (e) => options.metrics.eventEmitted(e.type, e.reason),
      onError: (error) => options.logger.warn('Event not recorded', { error: error instanceof Error ? error.message : String(error) }),
    });
    const cache: ObjectCache = { get: (kind, namespace, name) => this.cached(kind, namespace, name) };
    for (const reconciler of options.reconcilers) {
      const controller = new KindController({
        reconciler: reconciler as never,
        client: options.client,
        cache,
        references: this.references,
        events,
        envFor: (object) => this.envFor(reconciler.kind, object),
        concurrency: options.concurrency,
        resyncMs: options.resyncMs,
        pollMs: options.pollMs,
        metrics: options.metrics,
        logger: options.logger,
        signal: this.leadership.signal,
      });
      this.controllers.set(reconciler.kind, controller);
      this.watch(reconciler.kind, (ns) => collectionPath(reconciler.kind, ns), {
        transform: slimObject,
        onChange: (current, previous) => this.objectChanged(reconciler.kind, current, previous),
      });
    }
    this.watch(SECRET, secretsPath, {
      transform: (secret) => this.summarizeSecret(secret),
      onChange: (current, previous) => this.secretChanged(current as SecretSummary | undefined, previous as SecretSummary | undefined),
    });
  }

  start(): void {
    for (const informer of this.allInformers()) informer.start();
    this.depthTimer = setInterval(() => {
      for (const c of this.controllers.values()) this.options.metrics.setQueueDepth(c.controllerName, c.queueDepth);
      for (const [resource, byNamespace] of this.informers) {
        const all = [...byNamespace.values()];
        this.options.metrics.informerSynced(resource, all.every((i) => i.hasSynced()));
        this.options.metrics.informerEvent(resource, Math.max(0, ...all.map((i) => i.lastEventAt)));
      }
      this.startControllersWhenReady();
    }, 250);
    this.depthTimer.unref();
    for (const c of this.controllers.values()) this.options.metrics.setWorkers(c.controllerName, 0, this.options.concurrency);
    if (!this.options.leaderElection) {
      this.leading = true;
      this.options.metrics.setLeader(true);
      return;
    }
    let lastError = '';
    this.elector = new LeaderElector({
      client: this.options.client,
      identity: this.options.identity,
      ...this.options.leaderElection,
      // A failing attempt is retried every few seconds: say so once per distinct error, not each time.
      onStatus: (event) => {
        const message = event.type === 'error' ? (event.error instanceof Error ? event.error.message : String(event.error)) : '';
        if (message && message !== lastError) this.options.logger.warn('Leader election attempt failed', { error: message });
        lastError = message;
      },
      onStartedLeading: () => {
        this.leading = true;
        this.options.metrics.setLeader(true);
        this.options.logger.info('Became the leader', { identity: this.options.identity });
        this.startControllersWhenReady();
      },
      onStoppedLeading: () => {
        this.leading = false;
        this.leadership.abort(new Error('this replica lost the leader lease'));
        this.options.metrics.setLeader(false);
        this.options.onFatal('lost the leader lease');
      },
    });
    void this.elector.run();
  }

  /** Every informer has its first full list: the cache can be trusted for lookups and deletions. */
  ready(): boolean {
    return this.allInformers().every((i) => i.hasSynced());
  }

  /**
   * Alive unless a synced watch has heard nothing (not even a bookmark) for three silence timeouts:
   * its watchdog should have reconnected long before, so the process is wedged and a restart helps.
   */
  healthy(): { ok: boolean; message?: string } {
    const window = 3 * (this.options.informers?.idleTimeoutMs ?? LONGEST_DEFAULT_SILENCE_MS);
    const stale = [...this.informers].filter(([, byNamespace]) => [...byNamespace.values()].some((i) => i.hasSynced() && Date.now() - i.lastEventAt > window));
    return stale.length === 0 ? { ok: true } : { ok: false, message: `no watch event for ${window / 1000} s: ${stale.map(([resource]) => resource).join(', ')}` };
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Stops reconciling, releases the lease (so another replica takes over at once), stops watching. */
  async stop(): Promise<void> {
    clearInterval(this.depthTimer);
    await Promise.all([...this.controllers.values()].map((c) => c.stop()));
    await this.elector?.stop();
    await Promise.all(this.allInformers().map((i) => i.stop()));
  }

  private startControllersWhenReady(): void {
    if (this.started || !this.leading || !this.ready()) return;
    this.started = true;
    this.options.logger.info('Caches synced; reconciling', { kinds: [...this.controllers.keys()] });
    for (const c of this.controllers.values()) c.start();
  }

  private watch(resource: string, pathOf: (namespace?: string) => string, handlers: Pick<InformerOptions, 'onChange' | 'transform'>): void {
    const byNamespace = new Map<string, Informer>();
    const paths = scopedPaths(this.options.scope, pathOf);
    paths.forEach((path, i) => {
      const namespace = this.options.scope.namespaces?.[i] ?? '*';
      const informer = new Informer({
        client: this.options.client,
        path,
        ...(resource === SECRET ? {} : { labelSelector: this.options.scope.labelSelector }),
        ...this.options.informers,
        ...handlers,
        onStatus: (event) => {
          if (event.type === 'reconnect') this.options.metrics.watchReconnected(resource);
          if (event.type === 'relist') this.options.metrics.relisted(resource, event.reason);
          if (event.type === 'error') {
            // A dropped connection is routine and the informer reconnects; an answer of the API server (403, 500) is worth a warning.
            this.options.logger.log(event.error instanceof KubeApiError ? 'warn' : 'info', 'Watch interrupted; retrying', { resource, path, error: event.error instanceof Error ? event.error.message : String(event.error) });
          }
        },
      });
      byNamespace.set(namespace, informer);
    });
    this.informers.set(resource, byNamespace);
  }

  private allInformers(): Informer[] {
    return [...this.informers.values()].flatMap((m) => [...m.values()]);
  }

  private cached(kind: string, namespace: string, name: string): KubeObject | undefined {
    const byNamespace = this.informers.get(kind);
    return (byNamespace?.get(namespace) ?? byNamespace?.get('*'))?.get(namespace, name);
  }

  private objectChanged(kind: string, current: KubeObject | undefined, previous: KubeObject | undefined): void {
    const { namespace = '', name } = (current ?? previous)!.metadata;
    const formerReferences = current ? [] : this.references.referencesOf(kind, namespace, name);
    this.references.update(kind, namespace, name, current);
    const controller = this.controllers.get(kind)!;
    if (current) controller.caughtUp(current);
    if (!current || needsReconcile(previous, current)) controller.enqueue(namespace, name);
    if (referenceView(previous) !== referenceView(current)) this.enqueueDependents(kind, namespace, name);
    // An object that was gone may have been what a deleting object waited for.
    for (const ref of formerReferences) this.enqueueRef(ref);
  }

  private secretChanged(current: SecretSummary | undefined, previous: SecretSummary | undefined): void {
    if (current?.dataDigest === previous?.dataDigest) return;
    const { namespace = '', name } = (current ?? previous)!.metadata;
    this.enqueueDependents(SECRET, namespace, name);
  }

  private enqueueDependents(kind: string, namespace: string, name: string): void {
    for (const ref of this.references.dependentsOf(kind, namespace, name)) this.enqueueRef(ref);
  }

  private enqueueRef(ref: string): void {
    const r = parseRefKey(ref);
    this.controllers.get(r.kind)?.enqueue(r.namespace, r.name);
  }

  /** A Secret as the cache keeps it: its metadata and a keyed digest of its data, never the values. */
  private summarizeSecret(secret: KubeObject): SecretSummary {
    const { name, namespace, uid, resourceVersion } = secret.metadata;
    const data = JSON.stringify(Object.entries((secret.data ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b)));
    return { metadata: { name, namespace, uid, resourceVersion }, dataDigest: createHmac('sha256', this.digestKey).update(data).digest('hex') };
  }

  private envFor(kind: string, object: KubeObject): ReconcileEnv {
    const namespace = object.metadata.namespace ?? '';
    const spec = (object.spec ?? {}) as { deletionPolicy?: string };
    return {
      aws: this.options.aws,
      gate: this.gate,
      owner: { owner: `${namespace}/${kind}/${object.metadata.name}`, source: this.options.source, retain: spec.deletionPolicy === 'Retain' },
      now: () => new Date(),
      pollMs: this.options.pollMs,
      lookup: (refKind, name) => {
        const target = this.cached(refKind, namespace, name);
        if (!target) return undefined;
        const awsName = awsNameOf(kindInfo(refKind)!.awsName, target as { metadata: { name: string }; spec: object });
        return { ready: isReady(target) && !target.metadata.deletionTimestamp, status: (target.status ?? {}) as Record<string, unknown>, awsName };
      },
      secret: (ref) => this.readSecret(namespace, ref),
      settings: this.options.settings,
      memo: this.memo,
      inventory: this.currentInventory(),
    };
  }

  /** One inventory of what this cluster owns in AWS per resync period, shared by every reconcile in it. */
  private currentInventory(): Inventory {
    if (!this.inventory || Date.now() - this.inventory.at > this.options.resyncMs) {
      this.inventory = { at: Date.now(), value: Inventory.ofSource({ aws: this.options.aws, gate: this.gate }, this.options.source) };
    }
    return this.inventory.value;
  }

  /** A key of a Secret in the object's namespace, read when needed and never kept. */
  private async readSecret(namespace: string, ref: SecretRef): Promise<string> {
    if (!ref.secretKeyRef) throw new TerminalError('in a cluster, a secret is read from a Kubernetes Secret (secretKeyRef) or by AgentCore (awsSecretsManager)', 'ValidationFailed');
    const { name, key } = ref.secretKeyRef;
    let secret: { data?: Record<string, string> };
    try {
      secret = await this.options.client.request('GET', `${secretsPath(namespace)}/${encodeURIComponent(name)}`);
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) throw new DependencyNotReady(`Waiting for Secret ${name}, which does not exist yet`);
      if (error instanceof KubeApiError && error.code === 403) throw new TerminalError(`the operator may not read Secret ${namespace}/${name} (${error.reason})`, 'AccessDenied');
      throw new TransientError(`reading Secret ${namespace}/${name}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    const encoded = secret.data?.[key];
    if (encoded === undefined) throw new TerminalError(`Secret ${namespace}/${name} has no key ${key}`, 'ValidationFailed');
    return Buffer.from(encoded, 'base64').toString('utf8');
  }
}
