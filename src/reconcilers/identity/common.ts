/**
 * What the three identity reconcilers share: one run's status, actions and the way it ends (Ready,
 * requeued, retried, Stalled), how differences found in AWS are weighed against driftPolicy, and a
 * last pass that scrubs every secret value the run handled from whatever it hands back.
 */
import { ConditionType, type Condition } from '../../api/meta.js';
import { markReconciling, Reason, setCondition } from '../conditions.js';
import { TerminalError } from '../contract.js';
import type { Next, Outcome } from '../kind.js';
import { done, failure } from '../steps.js';

/** The status fields every identity kind has (see commonStatusFields). */
export interface CommonStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  awsStatus?: string;
  failureReason?: string;
  drift?: string[];
  lastSyncedAt?: string;
}

export { TRANSITIONAL, uidOf } from '../steps.js';
export const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED']);

export { unlessNotFound } from '../../aws/errors.js';

/** Two lists as sets; an empty list is the same as none. */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = new Set(a ?? []);
  const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((v) => y.has(v));
}


export type Decision = 'none' | 'apply' | 'report';

/**
 * Differences are applied, except that with driftPolicy: Report a difference the spec did not ask
 * for (same generation as last reconciled) is only reported. Without a generation (file mode) every
 * run is an explicit request to apply the spec, so nothing counts as drift.
 */
export function weigh(paths: string[], driftPolicy: string | undefined, status: CommonStatus, generation: number | undefined): { decision: Decision; specUnchanged: boolean } {
  const specUnchanged = generation !== undefined && status.observedGeneration === generation;
  if (paths.length === 0) return { decision: 'none', specUnchanged };
  return { decision: specUnchanged && driftPolicy === 'Report' ? 'report' : 'apply', specUnchanged };
}

const REDACTED = '[redacted]';

/** One reconcile of one object: its status as it is being rebuilt, what was done, and how it ends. */
export class Run<S extends CommonStatus> {
  readonly status: S;
  readonly actions: string[] = [];
  readonly now: Date;
  private readonly secrets: string[] = [];

  constructor(previous: S | undefined, readonly generation: number | undefined, now: Date, private readonly pollMs: number) {
    this.status = { ...previous, conditions: previous?.conditions ?? [] } as S;
    this.now = now;
  }

  /** A secret value this run holds: it is scrubbed from everything the run returns. */
  hide(value: string): void {
    if (value.length > 0) this.secrets.push(value);
  }

  scrub(text: string): string {
    return this.secrets.reduce((t, s) => t.split(s).join(REDACTED), text);
  }

  private scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.scrubDeep(v)) as T;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.scrubDeep(v)])) as T;
    return value;
  }

  /** Every outcome leaves through here: no secret value survives in status, actions or the error. */
  private end(next: Next): Outcome<S> {
    if (this.secrets.length === 0) return { status: this.status, next, actions: this.actions };
    const scrubbed: Next =
      next.kind === 'retry' ? { kind: 'retry', error: new Error(this.scrub(next.error.message)) }
      : next.kind === 'stalled' ? { kind: 'stalled', error: new TerminalError(this.scrub(next.error.message), next.error.reason) }
      : next;
    return { status: this.scrubDeep(this.status), next: scrubbed, actions: this.actions.map((a) => this.scrub(a)) };
  }

  requeue(reason: Reason, message: string): Outcome<S> {
    this.status.conditions = markReconciling(this.status.conditions ?? [], reason, message, this.generation, this.now);
    return this.end({ kind: 'requeue', afterMs: this.pollMs });
  }

  /** A difference left in place (driftPolicy: Report). */
  reportDrift(paths: string[]): void {
    this.status.drift = paths;
    this.status.conditions = setCondition(this.status.conditions ?? [], ConditionType.Drifted, 'True', Reason.DriftDetected, `AWS differs from the spec at ${paths.join(', ')}`, this.generation, this.now);
    this.status.conditions = setCondition(this.status.conditions, ConditionType.Synced, 'False', Reason.DriftDetected, 'Drift is reported, not corrected (driftPolicy: Report)', this.generation, this.now);
  }

  driftCorrected(paths: string[]): void {
    this.status.conditions = setCondition(this.status.conditions ?? [], ConditionType.Drifted, 'False', Reason.DriftCorrected, `Corrected ${paths.join(', ')}`, this.generation, this.now);
  }

  /** AWS matches the spec (or differs only where drift is reported): Ready, and this generation is reconciled. */
  ready(message: string, driftReported: boolean): Outcome<S> {
    return this.end(done(this.status, driftReported, message, this.generation, this.now, this.actions).next);
  }

  /** Finished without touching conditions (a retained resource, a finished delete). */
  done(): Outcome<S> {
    return this.end({ kind: 'done' });
  }

  /** An error turned into the condition and the next step it calls for (the pipeline steps' rules). */
  fail(error: unknown): Outcome<S> {
    return this.end(failure(this.status, error, this.generation, this.now, this.actions, this.pollMs).next);
  }
}
