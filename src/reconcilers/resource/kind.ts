/**
 * A kind of AWS resource, described: how to find it, what the spec wants of it, how the two differ,
 * and the calls that create, update and delete it. The pipeline (pipeline.ts) turns a description into
 * reconcile, finalize and plan; a kind adds hooks only where it is truly particular.
 */
import type { ManagedRoleSpec, PolicyDocument, RoleService } from '../iam/index.js';
import type { KindPermissions } from '../iam/operator-policy.js';
import type { Reason } from '../conditions.js';
import type { ObjectOf, PlannedChange, ReconcileEnv } from '../kind.js';
import type { CommonStatus, Run } from './run.js';

/** A difference between the spec and AWS, in spec terms (`spec.description`). */
export interface FieldChange {
  path: string;
  from?: unknown;
  to?: unknown;
  /** AWS cannot make this change in place: the resource would be deleted and created again. */
  replace?: boolean;
}

/** What every kind's observation tells the pipeline. */
export interface ObservedResource {
  /** The identifier the kind's calls take: an id, or the name for kinds addressed by name. */
  id: string;
  arn: string;
  name: string;
  /** AWS's status for it (CREATING, READY, ACTIVE...); undefined for kinds AWS gives none. */
  state?: string;
  failureReason?: string;
  /** Undefined when AWS keeps no tags on the kind, or they were not read (AWS is still working on it). */
  tags?: Record<string, string>;
  /**
   * Whether the object may treat it as its own: it was found by the id the object recorded, it carries
   * the object's ownership tags, or AWS gives the kind no tags to tell (its name is the only claim).
   */
  owned: boolean;
}

/** The spec fields the pipeline reads on every kind. */
export interface CommonSpec {
  tags?: Record<string, string>;
  driftPolicy?: string;
  deletionPolicy?: string;
}

export interface Reference {
  kind: string;
  name: string;
  /** Where in the spec, for error messages. */
  path: string;
}

/** One object in one pipeline run: what every hook is given. */
export interface Context<Spec, Status extends CommonStatus> {
  object: ObjectOf<Spec, Status>;
  spec: Spec;
  env: ReconcileEnv;
  run: Run<Status>;
  /** The resource's AWS name. */
  name: string;
  /** The object asks to take over a resource of its name that is not its own. */
  adopt: boolean;
  /** A plan: nothing is written, and a value not known before apply is UNKNOWN rather than awaited. */
  planning: boolean;
  /** A delete: what the resource refers to may itself be on its way out, and is not waited for. */
  deleting: boolean;
}

/** A value a plan cannot know before apply: the ARN of a role not created yet, the id of a gateway not ready yet. */
export const UNKNOWN = '(known after apply)';

export interface ManagedRoleHook<Spec, Status extends CommonStatus> {
  /** The managed role the spec asks for, if any; `arn` is a role the spec names instead. */
  of(spec: Spec): { managed?: ManagedRoleSpec; arn?: string } | undefined;
  service: RoleService;
  /** The role's inline policy; by default the spec's own statements. */
  policy?(ctx: Context<Spec, Status>): Promise<PolicyDocument | undefined>;
}

export interface Lifecycle {
  /** AWS is working on the resource and refuses other operations on it until it settles. */
  working: ReadonlySet<string>;
  /** The resource waits for someone else (a user's OAuth consent): nothing to change, though it can be deleted. */
  pending?: { states: ReadonlySet<string>; why: string };
  /** AWS gave up on the last operation; a new update may still fix it. */
  failed: ReadonlySet<string>;
  /** A state no update can leave: the resource can only be deleted. */
  dead?: ReadonlySet<string>;
}

export interface ResourceKind<Spec extends CommonSpec, Status extends CommonStatus, Desired, Observed extends ObservedResource> {
  kind: string;
  /** The resource in words, as messages and plans name it: `memory`, `workload identity`. */
  noun: string;
  /** The resource's name in plan lines, where the object's kind already says the rest (`provider`). */
  short: string;
  references(spec: Spec): Reference[];
  lifecycle: Lifecycle;
  /** How tags reach AWS: through the tag APIs, only with Create (AWS refuses tag calls on it), or not at all. */
  tagging: 'api' | 'create' | 'none';
  /**
   * What a change AWS cannot make in place leads to: refused (Stalled, with `refusal` saying why),
   * done when the spec says `allowReplacement: true`, or always done (the resource holds nothing the
   * spec does not give again).
   */
  replacement: 'refuse' | 'spec' | 'always';
  refusal?(changes: FieldChange[], ctx: Context<Spec, Status>): string;
  /** Why a replacement is made, in words (`its kind changed from lambda to mcpServer`). */
  replacedBecause?(changes: FieldChange[]): string;
  role?: ManagedRoleHook<Spec, Status>;
  /** What the operator's own IAM policy (docs/iam-policy.json) must allow for this kind. */
  permissions: KindPermissions;
  /**
   * How the resource's ARN names it, for kinds AWS keeps readable ownership tags on: prune finds such a
   * resource by its tags and rebuilds the object that owned it from the ARN (`idField` is the status
   * field recording the id, `nameOf` the AWS name an id belongs to).
   */
  arn?: { pattern: RegExp; idField: keyof Status & string; nameOf(id: string): string };

  observe(ctx: Context<Spec, Status>): Promise<Observed | undefined>;
  desired(ctx: Context<Spec, Status>, roleArn: string | undefined): Promise<Desired>;
  diff(desired: Desired, observed: Observed, ctx: Context<Spec, Status>): FieldChange[];
  /** The status fields an observation gives. */
  statusOf(observed: Observed, ctx: Context<Spec, Status>): Partial<Status>;
  /**
   * Creates the resource: the status fields of what AWS answered, and, when AWS made it at once, the
   * resource as it now is (the run then goes on with it instead of looking again later).
   */
  create(ctx: Context<Spec, Status>, desired: Desired, tags: Record<string, string>): Promise<{ status: Partial<Status>; observed?: Observed }>;
  /** Brings the resource to `desired`; whether it is ready at once. */
  update(ctx: Context<Spec, Status>, desired: Desired, observed: Observed, changes: FieldChange[]): Promise<{ settled: boolean; status?: Partial<Status> }>;
  delete(ctx: Context<Spec, Status>, observed: Observed): Promise<void>;
  readyMessage(observed: Observed, ctx: Context<Spec, Status>): string;

  /** A reason to wait before changing anything (parts AWS is still adding or removing). */
  settling?(observed: Observed): string | undefined;
  /** A reason AWS reports the resource unhealthy though no change is due, beyond the failed states. */
  unhealthy?(observed: Observed): string | undefined;
  /**
   * A change the spec asks for though no field differs (a rotated secret): it goes with an update
   * whatever the driftPolicy. `path` is the spec field, `words` what the update pushes.
   */
  push?(ctx: Context<Spec, Status>, desired: Desired, observed: Observed): Promise<{ path: string; words: string } | undefined>;
  /** Status fields the desired state gives (the image and code version deployed), recorded on every run that gets that far. */
  desiredStatus?(desired: Desired): Partial<Status>;
  /** Words added to an update's action (` (new version)`). */
  updateWords?: string;
  /** Status fields once AWS matches the spec (the digest of a secret value AWS was found to hold). */
  syncedStatus?(desired: Desired, observed: Observed): Partial<Status>;
  /**
   * What the desired state is made of beyond the spec (a runtime's code version, from the digest behind
   * its tag), and where status records the one last applied: when it moves, the change is applied,
   * never reported as drift.
   */
  inputs?: { of(desired: Desired): string; recorded(status: Partial<Status>): string | undefined };
  /** Work once the resource matches the spec (a runtime's endpoints); a message to wait on while there is some. */
  afterSync?(ctx: Context<Spec, Status>, observed: Observed): Promise<string | undefined>;
  /** Parts to remove (or wait for) before the resource can go; the condition to wait with while there are some. */
  beforeDelete?(ctx: Context<Spec, Status>, observed: Observed): Promise<{ reason: Reason; message: string } | undefined>;
  /** Words for a throttled call of this object, when AWS's limit is not the caller's own. */
  throttled?(spec: Spec): string;

  /** What a plan's create line says the resource will be made with, where that is worth saying (in a gateway not known yet). */
  planCreateDetail?(desired: Desired): unknown;
  /** Lines a plan adds to a create (a memory's strategies, a runtime's endpoints). */
  planCreate?(desired: Desired, ctx: Context<Spec, Status>): PlannedChange[];
  /** A field change as a plan line, where a kind words it otherwise (a strategy added, a new version). */
  planChange?(change: FieldChange): PlannedChange;
  /** Lines a plan adds after the resource's own (a runtime's endpoints). */
  planAfterSync?(ctx: Context<Spec, Status>, observed: Observed, planned: PlannedChange[]): PlannedChange[];
}
