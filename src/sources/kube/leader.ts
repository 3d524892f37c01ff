/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: the holder renews
 * the lease every retry period through optimistic concurrency; a candidate takes it over only when the
 * lease record has not changed for a whole lease duration as measured on the candidate's own clock,
 * because another process's timestamps cannot be trusted. A leader that cannot renew within the renew
 * deadline gives up, so it stops before any candidate may consider the lease expired.
 */
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../../engine/backoff.js';
import { KubeApiError, type KubeClient, type KubeObject } from './client.js';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  /** The Lease's name, e.g. agentcore-operator-leader. */
  name: string;
  /** The holderIdentity written to the lease, unique per process, e.g. `${hostname}_${random}`. */
  identity: string;
  /** How long an unchanged lease stays valid for the others; default 15000. */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a failed renewal before it gives up; default 10000. */
  renewDeadlineMs?: number;
  /** The pause between two attempts to acquire or renew; default 2000. */
  retryPeriodMs?: number;
  onStartedLeading(): void;
  /** Leadership was lost (renewal failed past the renew deadline, or another holder took the lease): the caller exits the process. */
  onStoppedLeading(): void;
  onStatus?(event: LeaderStatusEvent): void;
  /**
   * The clock: durations are measured and waited on it, and timestamps written from it. By default a
   * monotonic one, so that a step of the wall clock cannot make a lease look expired early.
   */
  clock?: Clock;
}

export interface LeaderStatusEvent {
  type: 'acquired' | 'renewed' | 'lost' | 'released' | 'error';
  holder?: string;
  error?: unknown;
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [field: string]: unknown;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** The outcome of one attempt: we hold the lease, another live holder does, or the attempt failed. */
type Attempt = 'leader' | 'other' | 'failed';

/** client-go's JitterUntil factor: an acquire retry waits between 1 and 2.2 retry periods. */
const JITTER = 1.2;

/** A metav1.MicroTime: RFC 3339 with six fractional digits, e.g. 2026-11-24T10:00:00.000000Z. */
export function microTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const monotonicClock: Clock = { now: () => performance.timeOrigin + performance.now(), after: systemClock.after };

function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.code === 409;
}

/** What is wrong with a set of lease timings, if anything: the leader must give up before the others take over. */
export function leaseTimingProblem(t: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }): string | undefined {
  if (t.leaseDurationMs <= t.renewDeadlineMs) return 'the lease duration must be longer than the renew deadline';
  if (t.renewDeadlineMs <= t.retryPeriodMs * JITTER) return `the renew deadline must be longer than ${JITTER} retry periods`;
  return undefined;
}

export class LeaderElector {
  private readonly client: KubeClient;
  private readonly identity: string;
  private readonly collection: string;
  private readonly path: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  /** controller-runtime bounds each request by max(renewDeadline/2, 1s). */
  private readonly requestTimeoutMs: number;
  private readonly clock: Clock;

  private leading = false;
  /** When, on our clock, the last successful acquire or renewal began. */
  private renewedAt = -Infinity;
  private stopping = false;
  /** The lease as we last wrote it. */
  private lease: Lease | undefined;
  /** The last lease record seen and when, on our clock, it was first seen. */
  private observed: { record: string; at: number } | undefined;
  /** The holder in the lease last seen. */
  private holder: string | undefined;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.client = options.client;
    this.identity = options.identity;
    this.collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/leases`;
    this.path = `${this.collection}/${encodeURIComponent(options.name)}`;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.requestTimeoutMs = Math.max(this.renewDeadlineMs / 2, 1_000);
    this.clock = options.clock ?? monotonicClock;
    if (!options.identity) throw new Error('leader election needs an identity');
    const problem = leaseTimingProblem({ leaseDurationMs: this.leaseDurationMs, renewDeadlineMs: this.renewDeadlineMs, retryPeriodMs: this.retryPeriodMs });
    if (problem) throw new Error(problem);
  }

  run(): Promise<void> {
    this.running ??= this.lead();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running?.catch(() => undefined); // a throwing callback is run()'s to report
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Whether the lease is surely still ours: we lead, and our last renewal began less than the renew
   * deadline ago on our monotonic clock. Another replica takes the lease only a lease duration after
   * it last saw it change, so this leaves the difference as margin, whatever the renew loop has noticed.
   */
  holdsLease(): boolean {
    return this.leading && this.clock.now() - this.renewedAt < this.renewDeadlineMs;
  }

  private async lead(): Promise<void> {
    if (!(await this.acquire())) return;
    // stop() may have come while the winning request was in flight: then we only hand the lease back
    if (!this.stopping) {
      this.leading = true;
      this.status({ type: 'acquired', holder: this.identity });
      this.options.onStartedLeading();
      const lost = await this.renew();
      this.leading = false;
      if (lost) {
        this.status({ type: 'lost', holder: this.holder });
        this.options.onStoppedLeading();
        return;
      }
    }
    await this.release();
  }

  /** Resolves true once we hold the lease, false when stopped first. */
  private async acquire(): Promise<boolean> {
    while (!this.stopping) {
      const startedAt = this.clock.now();
      if ((await this.attempt()) === 'leader') {
        this.renewedAt = startedAt;
        return true;
      }
      await this.sleep(this.retryPeriodMs * (1 + Math.random() * JITTER));
    }
    return false;
  }

  /** Renews until stopped (resolves false) or until leadership is lost (resolves true). */
  private async renew(): Promise<boolean> {
    for (;;) {
      await this.sleep(Math.min(this.retryPeriodMs, Math.max(0, this.renewedAt + this.renewDeadlineMs - this.clock.now())));
      if (this.stopping) return false;
      const startedAt = this.clock.now();
      const outcome = await this.attempt(this.renewedAt + this.renewDeadlineMs);
      if (outcome === 'other') return true;
      if (outcome === 'leader') {
        this.renewedAt = startedAt;
        this.status({ type: 'renewed', holder: this.identity });
      } else if (this.clock.now() - this.renewedAt >= this.renewDeadlineMs) {
        return true;
      }
    }
  }

  /** One try to acquire or renew, every request of it ending by the deadline when one is given. */
  private async attempt(deadline?: number): Promise<Attempt> {
    try {
      if (this.leading && this.lease && (await this.renewCached(deadline))) return 'leader';
      const current = await this.get(deadline);
      if (!current) return (await this.create(deadline)) ? 'leader' : 'failed';
      this.observe(current);
      const holder = current.spec?.holderIdentity ?? '';
      if (holder && holder !== this.identity && !this.expired()) return 'other';
      return (await this.update(current, this.takeSpec(current.spec), deadline)) ? 'leader' : 'failed';
    } catch (error) {
      this.status({ type: 'error', holder: this.holder, error });
      return 'failed';
    }
  }

  /** The leader's fast path: write over the lease it last wrote, without reading it first. */
  private async renewCached(deadline: number | undefined): Promise<boolean> {
    try {
      return await this.update(this.lease!, this.takeSpec(this.lease!.spec), deadline);
    } catch {
      return false; // the read-then-write path retries and reports
    }
  }

  /** The spec that makes us the holder: a new term when the holder changes, else the same one renewed. */
  private takeSpec(current: LeaseSpec | undefined): LeaseSpec {
    const time = microTime(this.clock.now());
    const same = current?.holderIdentity === this.identity;
    return {
      ...current,
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: same && current.acquireTime ? current.acquireTime : time,
      renewTime: time,
      leaseTransitions: (current?.leaseTransitions ?? 0) + (current && !same ? 1 : 0),
    };
  }

  /** Hands the lease over at once, as client-go's ReleaseOnCancel does; never throws. */
  private async release(): Promise<void> {
    try {
      const current = await this.get();
      if (current?.spec?.holderIdentity !== this.identity) return;
      const spec: LeaseSpec = { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.clock.now()) };
      if (await this.update(current, spec)) this.status({ type: 'released', holder: this.identity });
    } catch (error) {
      this.status({ type: 'error', holder: this.identity, error });
    }
  }

  private async get(deadline?: number): Promise<Lease | undefined> {
    try {
      return await this.client.request<Lease>('GET', this.path, { timeoutMs: this.timeout(deadline) });
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  /** Creates the lease held by us; false when another candidate created it first. */
  private async create(deadline: number | undefined): Promise<boolean> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: { ...this.takeSpec(undefined), leaseTransitions: 0 },
    };
    try {
      this.written(await this.client.request<Lease>('POST', this.collection, { body, timeoutMs: this.timeout(deadline) }));
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /** Replaces the lease's spec if nobody wrote it since `current` was read; false when somebody did. */
  private async update(current: Lease, spec: LeaseSpec, deadline?: number): Promise<boolean> {
    try {
      this.written(await this.client.request<Lease>('PUT', this.path, { body: { ...current, spec }, timeoutMs: this.timeout(deadline) }));
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  private written(lease: Lease): void {
    this.lease = lease;
    this.observe(lease);
  }

  private observe(lease: Lease): void {
    this.holder = lease.spec?.holderIdentity;
    const record = JSON.stringify([lease.spec?.holderIdentity ?? '', lease.spec?.renewTime ?? '', lease.metadata.resourceVersion ?? '']);
    if (record !== this.observed?.record) this.observed = { record, at: this.clock.now() };
  }

  private expired(): boolean {
    return this.observed !== undefined && this.clock.now() - this.observed.at >= this.leaseDurationMs;
  }

  /** A request's timeout: the usual bound, cut short so no request outlives the renew deadline. */
  private timeout(deadline: number | undefined): number {
    if (deadline === undefined) return this.requestTimeoutMs;
    const left = Math.ceil(deadline - this.clock.now());
    if (left <= 0) throw new Error(`the lease was not renewed within ${this.renewDeadlineMs} ms`);
    return Math.min(this.requestTimeoutMs, left);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.clock.after(ms, () => this.wake!());
      this.wake = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }

  private status(event: LeaderStatusEvent): void {
    this.options.onStatus?.(event);
  }
}
