/**
 * What every kind's reconciler is given and gives back. A reconciler observes AWS, decides, makes the
 * fewest calls that close the gap, and returns the object's new status with what should happen next;
 * the front end (files or cluster) writes the status and schedules the next run.
 */
import { randomBytes } from 'node:crypto';
import type { ObjectMeta } from '../api/meta.js';
import type { SecretRef } from '../api/schema.js';
import type { RateGate } from '../aws/call.js';
import type { AwsClients } from '../aws/clients.js';
import type { TerminalError } from './errors.js';
import { DEFAULT_ROLE_CAP, type RoleCap } from './iam/role-cap.js';
import type { Inventory } from './inventory.js';
import type { Memo } from './memo.js';
import type { Owner } from './ownership.js';

export interface ObjectOf<Spec, Status> {
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type Next =
  | { kind: 'done' }
  | { kind: 'requeue'; afterMs: number }
  | { kind: 'retry'; error: Error }
  | { kind: 'stalled'; error: TerminalError };

export interface Outcome<Status> {
  status: Status;
  next: Next;
  /** What was done to AWS, in words, for events, logs and apply's progress. */
  actions: string[];
}

/** Another object as the reconciler of a referencing object sees it. */
export interface ReferencedObject {
  ready: boolean;
  status: Record<string, unknown>;
  /** The AWS name its spec gives its resource (so it can be found in AWS before its status says where). */
  awsName?: string;
}

export interface ReconcileEnv {
  aws: AwsClients;
  gate?: RateGate;
  owner: Owner;
  now(): Date;
  /** How long to wait before looking again at a resource AWS is still working on. */
  pollMs: number;
  /** An object of this source (same namespace) by kind and name; undefined when there is none. */
  lookup(kind: string, name: string): ReferencedObject | undefined;
  /**
   * The value behind a secret reference; throws a TerminalError saying what is missing (`environment
   * variable X is not set`) when it resolves to nothing. The caller adds the spec field path.
   */
  secret(ref: SecretRef): Promise<string>;
  settings: OperatorSettings;
  /** Reads shared across the reconciles of one run (a listing, a digest), when the front end offers it. */
  memo?: Memo;
  /** What the source owns in AWS, with its tags, read once and shared, when the front end offers it. */
  inventory?: Inventory;
}

export interface OperatorSettings {
  /** The environment variable that carries a runtime's code version (default AGENTCORE_CODE_VERSION). */
  codeVersionEnvName: string;
  /** IAM path of the roles the operator creates. */
  rolePath: string;
  /**
   * Key for the keyed digests of secret values kept in status (never the values). Whoever reads the
   * status must not be able to test guesses against a digest, so it is random: per process unless the
   * installation gives one (AGENTCORE_SECRET_DIGEST_KEY). A digest made under another key costs one read
   * of the value AgentCore holds, not a push.
   */
  secretDigestKey: string;
  /**
   * How long a read that many objects share (an image tag's digest) serves them. A long-running
   * operator keeps it under its resync period, so a re-pushed tag is seen at the next resync.
   */
  sharedReadMs: number;
  /**
   * The adopt annotation may take over a resource another object of this operator claims (another
   * namespace's, another source's). Off: an object can then only adopt what nobody claims.
   */
  crossOwnerAdoption: boolean;
  /** What the roles the operator creates may be given (iam/role-cap.ts). */
  roleCap: RoleCap;
}

export const DEFAULT_SETTINGS: OperatorSettings = {
  codeVersionEnvName: 'AGENTCORE_CODE_VERSION',
  rolePath: '/agentcore/',
  secretDigestKey: randomBytes(32).toString('hex'),
  sharedReadMs: 10_000,
  crossOwnerAdoption: false,
  roleCap: DEFAULT_ROLE_CAP,
};

/** The settings of an operator that looks at every object again each `resyncMs`: a shared read is never older than half of it. */
export function settingsForResync(resyncMs: number, settings: OperatorSettings = DEFAULT_SETTINGS): OperatorSettings {
  return { ...settings, sharedReadMs: Math.min(settings.sharedReadMs, resyncMs / 2) };
}

/** One change a plan announces; `path` is in spec terms, values are never secrets. */
export interface PlannedChange {
  action: 'create' | 'update' | 'replace' | 'delete' | 'wait';
  /** Whether it is about the resource as a whole, or a part of it (a field, a tag, an endpoint). */
  scope: 'resource' | 'part';
  /** What the change is about: the resource itself, a field, a tag, an endpoint. */
  subject: string;
  from?: unknown;
  to?: unknown;
  /** An AgentRuntime update that mints a new version. */
  newVersion?: boolean;
}

/**
 * What `plan` finds: the changes apply would make, and what it observed of the object (ids, ARNs, URLs)
 * so the objects that reference it can be planned against the real values, not "known after apply".
 */
export interface ObjectPlan<Status> {
  changes: PlannedChange[];
  observed?: Partial<Status>;
}

export interface KindReconciler<Spec, Status> {
  kind: string;
  /** The objects this one references, by kind and name, and where in the spec (for error messages). */
  references(spec: Spec): { kind: string; name: string; path: string }[];
  /** What is wrong with the object by its kind's schema, with field paths; undefined when nothing is. */
  invalidity?(object: ObjectOf<Spec, Status>): string | undefined;
  reconcile(object: ObjectOf<Spec, Status>, env: ReconcileEnv): Promise<Outcome<Status>>;
  /** Removes what the object created in AWS (unless its deletionPolicy is Retain); `done` once it is gone. */
  finalize(object: ObjectOf<Spec, Status>, env: ReconcileEnv): Promise<Outcome<Status>>;
  /** What reconcile would change, read from AWS without writing anything. */
  plan?(object: ObjectOf<Spec, Status>, env: ReconcileEnv): Promise<ObjectPlan<Status>>;
}
