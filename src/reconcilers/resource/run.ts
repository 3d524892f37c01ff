/**
 * One run of the pipeline over one object: the status it rebuilds, what it did to AWS, and how it ends
 * (Ready, requeued, retried, Stalled). Every ending leaves through `end`, which scrubs the secret
 * values the run handled from status, actions and errors.
 */
import { ConditionType, type Condition } from '../../api/meta.js';
import { markReady, markReconciling, markStalled, Reason, setCondition } from '../conditions.js';
import { TerminalError, TransientError } from '../errors.js';
import type { Next, Outcome, ReconcileEnv } from '../kind.js';
import { awsErrorMessage, classifyAwsError, terminalReasonOf } from '../../aws/errors.js';
import { DependencyNotReady, uidOf } from '../steps.js';

/** The status fields every kind has. */
export interface CommonStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  awsStatus?: string;
  failureReason?: string;
  drift?: string[];
  lastSyncedAt?: string;
}

const REDACTED = '[redacted]';

export class Run<S extends CommonStatus> {
  readonly status: S;
  readonly actions: string[] = [];
  readonly now: Date;
  readonly generation: number | undefined;
  readonly uid: string;
  private readonly secrets: string[] = [];
  private readonly pollMs: number;

  constructor(object: { metadata: { uid?: string; namespace?: string; name: string; generation?: number }; status?: S }, env: Pick<ReconcileEnv, 'now' | 'pollMs'>) {
    this.status = { ...object.status, conditions: object.status?.conditions ?? [] } as S;
    this.generation = object.metadata.generation;
    this.uid = uidOf(object.metadata);
    this.now = env.now();
    this.pollMs = env.pollMs;
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

  private end(next: Next): Outcome<S> {
    if (this.secrets.length === 0) return { status: this.status, next, actions: this.actions };
    const scrubbed: Next =
      next.kind === 'retry' ? { kind: 'retry', error: new Error(this.scrub(next.error.message)) }
      : next.kind === 'stalled' ? { kind: 'stalled', error: new TerminalError(this.scrub(next.error.message), next.error.reason) }
      : next;
    return { status: this.scrubDeep(this.status), next: scrubbed, actions: this.actions.map((a) => this.scrub(a)) };
  }

  /** Ready False and Reconciling True with one reason, and a look again after the poll interval. */
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
    const { status, generation, now } = this;
    if (driftReported) {
      status.conditions = markReady(status.conditions ?? [], `${message}; drift reported`, generation, now);
    } else {
      status.drift = undefined;
      const drifted = status.conditions?.find((c) => c.type === ConditionType.Drifted);
      if (drifted?.status === 'True') status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'False', Reason.InSync, 'AWS matches the spec again', generation, now);
      status.conditions = setCondition(status.conditions ?? [], ConditionType.Synced, 'True', Reason.InSync, 'AWS matches the spec', generation, now);
      status.conditions = markReady(status.conditions, message, generation, now);
    }
    status.observedGeneration = generation;
    return this.end({ kind: 'done' });
  }

  /** Finished without touching conditions (a retained or forgotten resource, a finished delete). */
  done(): Outcome<S> {
    return this.end({ kind: 'done' });
  }

  /**
   * An error turned into the condition and the next step it calls for. `throttled` words the message
   * for a throttled call, which is retried like any other transient error.
   */
  fail(error: unknown, throttled?: string): Outcome<S> {
    const { status, generation, now } = this;
    if (error instanceof DependencyNotReady) return this.requeue(Reason.DependencyNotReady, error.message);
    if (error instanceof TerminalError) {
      status.conditions = markStalled(status.conditions ?? [], error.reason as Reason, error.message, generation, now);
      return this.end({ kind: 'stalled', error });
    }
    const kind = error instanceof TransientError ? 'transient' : classifyAwsError(error);
    const message = kind === 'throttled' && throttled ? `${throttled}: ${awsErrorMessage(error)}` : awsErrorMessage(error);
    if (kind === 'terminal') {
      const reason = terminalReasonOf(error);
      status.conditions = markStalled(status.conditions ?? [], reason, message, generation, now);
      return this.end({ kind: 'stalled', error: new TerminalError(message, reason) });
    }
    status.conditions = setCondition(status.conditions ?? [], ConditionType.Ready, 'False', Reason.ProgressingWithRetry, message, generation, now);
    return this.end({ kind: 'retry', error: error instanceof Error ? error : new Error(message) });
  }
}
