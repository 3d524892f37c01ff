/**
 * reconcile, finalize and plan for any kind described by a ResourceKind. Each is a straight line:
 * observe, decide (decide.ts), act; plan takes the same observations and decisions and acts on none.
 * Each step that can stop the run ends it with one condition and one reason.
 */
import { createHash } from 'node:crypto';
import { Annotation, ConditionType, OwnershipTag } from '../../api/meta.js';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import { classifyAwsError } from '../../aws/errors.js';
import { Reason, setCondition } from '../conditions.js';
import { TerminalError } from '../errors.js';
import {
  defaultRoleName, ensureManagedRole, managedRoleRequest, planManagedRole, removeManagedRole, retryForRolePropagation, statementsPolicy, trustPolicy,
  type PolicyStatement,
} from '../iam/index.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, PlannedChange, ReconcileEnv } from '../kind.js';
import { mayTakeOver, NotOurs, otherClaimant, ownershipTags } from '../ownership.js';
import { DependencyNotReady } from '../steps.js';
import { applyTagChanges, plannedTagChanges } from './tags.js';
import { approach, decideChanges, decideDelete, DELETING } from './decide.js';
import { UNKNOWN, type CommonSpec, type Context, type FieldChange, type ObservedResource, type ResourceKind } from './kind.js';
import { Run, type CommonStatus } from './run.js';
import { schemaProblems } from './schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKind = ResourceKind<any, any, any, any>;

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'An' : 'A');

function contextOf<Spec extends CommonSpec, Status extends CommonStatus>(kind: AnyKind, object: ObjectOf<Spec, Status>, env: ReconcileEnv, purpose: 'reconcile' | 'plan' | 'finalize'): Context<Spec, Status> {
  return {
    object,
    spec: object.spec,
    env,
    run: new Run<Status>(object, env),
    name: awsNameOf(kindInfo(kind.kind)!.awsName, object),
    adopt: object.metadata.annotations?.[Annotation.adopt] === 'true',
    planning: purpose === 'plan',
    deleting: purpose === 'finalize',
  };
}

/**
 * One string field of a referenced object's status, once that object is ready. Reconcile waits for it
 * (DependencyNotReady); a plan takes it as not known before apply.
 */
export function referenced(ctx: Pick<Context<unknown, CommonStatus>, 'env' | 'planning'>, kind: string, name: string, field: string): string {
  const target = ctx.env.lookup(kind, name);
  const value = target?.ready ? target.status[field] : undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (ctx.planning) return UNKNOWN;
  if (!target) throw new DependencyNotReady(`Waiting for ${kind} ${name}, which does not exist yet`);
  if (!target.ready) throw new DependencyNotReady(`Waiting for ${kind} ${name} to be ready`);
  throw new DependencyNotReady(`Waiting for ${kind} ${name} to report ${field}`);
}

/**
 * In file mode there is no generation. For an object that asks for driftPolicy: Report, the spec last
 * applied is recorded on the resource itself, as a digest in a tag, so that a difference can be told
 * from a new spec. Kinds AWS keeps no tags on cannot record it: their differences are applied.
 */
function appliedDigest(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>, desired: unknown): string | undefined {
  if (ctx.object.metadata.generation !== undefined || kind.tagging !== 'api' || ctx.spec.driftPolicy !== 'Report') return undefined;
  const inputs = kind.inputs?.of(desired);
  return createHash('sha256').update(JSON.stringify({ spec: ctx.spec, inputs })).digest('hex').slice(0, 32);
}

/** Whether the spec is the one last applied, so that any difference is drift. */
function specUnchanged(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>, desired: unknown, observed: ObservedResource): boolean {
  const { generation } = ctx.run;
  if (generation === undefined) {
    const digest = appliedDigest(kind, ctx, desired);
    return digest !== undefined && observed.tags?.[OwnershipTag.appliedSpec] === digest;
  }
  const recorded = kind.inputs?.recorded(ctx.object.status ?? {});
  const moved = recorded !== undefined && recorded !== kind.inputs!.of(desired);
  return ctx.object.status?.observedGeneration === generation && !moved;
}

function desiredTags(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>, desired: unknown): Record<string, string> {
  const digest = appliedDigest(kind, ctx, desired);
  return { ...ctx.spec.tags, ...ownershipTags(ctx.env.owner), ...(digest ? { [OwnershipTag.appliedSpec]: digest } : {}) };
}

async function managedRoleRequestOf(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>) {
  const managed = kind.role!.of(ctx.spec)!.managed!;
  const policies = async () => ({
    trustPolicy: trustPolicy(kind.role!.service, await ctx.env.aws.accountId()),
    inlinePolicy: kind.role!.policy ? await kind.role!.policy(ctx) : statementsPolicy(managed.statements as PolicyStatement[] | undefined),
  });
  return managedRoleRequest(ctx.env, managed, policies, { adopt: ctx.adopt });
}

/** The role the resource acts as: the one the spec names, or the managed one, created or brought in line now. */
async function ensureRole(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>): Promise<{ roleArn?: string; createdAt?: Date }> {
  const role = kind.role?.of(ctx.spec);
  if (!role?.managed) return { roleArn: role?.arn };
  const ensured = await ensureManagedRole(ctx.env, await managedRoleRequestOf(kind, ctx));
  ctx.run.actions.push(...ensured.actions);
  return { roleArn: ensured.roleArn, ...(ensured.createdAt ? { createdAt: ensured.createdAt } : {}) };
}

/** The role for a plan, read and never written (one that does not exist yet is not known), with what apply would write to it. */
async function plannedRole(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>): Promise<{ roleArn?: string; lines: PlannedChange[] }> {
  const role = kind.role?.of(ctx.spec);
  if (!role?.managed) return { roleArn: role?.arn, lines: [] };
  const planned = await planManagedRole(ctx.env, await managedRoleRequestOf(kind, ctx));
  return { roleArn: planned.create ? UNKNOWN : planned.roleArn, lines: planned.lines };
}

async function removeRole(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>): Promise<void> {
  const managed = kind.role?.of(ctx.spec)?.managed;
  if (managed) ctx.run.actions.push(...(await removeManagedRole(ctx.env, managed.roleName ?? defaultRoleName(ctx.env.owner))).actions);
}

const notOurs = (kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>, found: ObservedResource | undefined) =>
  new NotOurs(`${article(kind.noun)} ${kind.noun}`, found?.name ?? ctx.name, otherClaimant(found?.tags, ctx.env.owner));

/** Whether the object may act on this resource even if it does not own it (see mayTakeOver). */
const adopting = (ctx: Context<CommonSpec, CommonStatus>, found: ObservedResource | undefined) =>
  mayTakeOver(found?.tags, ctx.env.owner, ctx.adopt, ctx.env.settings.crossOwnerAdoption);

function failed(kind: AnyKind, observed: ObservedResource): string | undefined {
  if (observed.state !== undefined && kind.lifecycle.failed.has(observed.state)) return `AWS reports ${observed.state}: ${observed.failureReason ?? 'no reason given'}`;
  return undefined;
}

function waitingFor(kind: AnyKind, observed: ObservedResource): string {
  const pending = kind.lifecycle.pending?.states.has(observed.state ?? '') ? `: ${kind.lifecycle.pending.why}` : '';
  return `AWS reports the ${kind.noun} ${observed.state}${pending}`;
}

function deadResource(kind: AnyKind, observed: ObservedResource): TerminalError {
  return new TerminalError(`AWS reports ${observed.state}: ${observed.failureReason ?? 'no reason given'} (a ${observed.state!.toLowerCase()} ${kind.noun} can only be deleted)`, Reason.AWSFailed);
}

/**
 * Creates the resource. A create that fails because another run made it meanwhile (two applies of one
 * tree at once) finds it on a second look and goes on with it as found.
 */
async function createOrFind(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>, desired: unknown, tags: Record<string, string>): Promise<{ created: { status: object; observed?: ObservedResource } } | { found: ObservedResource }> {
  try {
    return { created: await kind.create(ctx, desired, tags) };
  } catch (error) {
    const cls = classifyAwsError(error);
    if (cls !== 'terminal' && cls !== 'conflict') throw error;
    const found = await kind.observe(ctx);
    if (!found || (!found.owned && !adopting(ctx, found))) throw error;
    return { found };
  }
}

/** The differences between the spec and AWS, and what they call for. */
async function weigh(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>, desired: unknown, observed: ObservedResource) {
  const settling: string | undefined = kind.settling?.(observed);
  const pushed: { path: string; words: string } | undefined = settling ? undefined : await kind.push?.(ctx, desired, observed);
  const decision = decideChanges({
    changes: kind.diff(desired, observed, ctx),
    specUnchanged: specUnchanged(kind, ctx, desired, observed),
    driftPolicy: ctx.spec.driftPolicy,
    replacement: kind.replacement,
    allowReplacement: (ctx.spec as { allowReplacement?: boolean }).allowReplacement,
    push: pushed !== undefined,
  });
  return { settling, pushed, decision };
}

/** The end of a run that found AWS as the spec wants it (or differing only where drift is reported). */
async function synced(kind: AnyKind, ctx: Context<CommonSpec, CommonStatus>, desired: unknown, observed: ObservedResource, driftReported: boolean): Promise<Outcome<CommonStatus>> {
  if (kind.syncedStatus) Object.assign(ctx.run.status, kind.syncedStatus(desired, observed));
  const remaining = await kind.afterSync?.(ctx, observed);
  if (remaining) return ctx.run.requeue(Reason.Progressing, remaining);
  return ctx.run.ready(kind.readyMessage(observed, ctx), driftReported);
}

/** Kinds without a role work out what they want first: a bad input (a secret not set) stops the run before any call. */
const desiredFirst = (kind: AnyKind) => kind.role === undefined;

export async function reconcileResource(kind: AnyKind, object: ObjectOf<CommonSpec, CommonStatus>, env: ReconcileEnv): Promise<Outcome<CommonStatus>> {
  const ctx = contextOf(kind, object, env, 'reconcile');
  const { run, name, spec } = ctx;
  const { status, actions } = run;
  let roleCreatedAt: Date | undefined;
  try {
    const early = desiredFirst(kind) ? await kind.desired(ctx, undefined) : undefined;
    let observed: ObservedResource | undefined = await kind.observe(ctx);
    status.lastSyncedAt = run.now.toISOString();
    const first = approach(observed, adopting(ctx, observed), kind.lifecycle);
    if (first.do === 'wait' && first.for === 'others-delete') return run.requeue(Reason.WaitingForAWS, `Waiting for another ${kind.noun} named ${name} to be deleted`);
    if (first.do === 'stall' && first.why === 'not-ours') throw notOurs(kind, ctx, observed);
    if (observed) Object.assign(status, kind.statusOf(observed, ctx));
    // While AWS works on the resource there is nothing to decide: no IAM, artifact or tag reads.
    if (first.do === 'wait') return run.requeue(Reason.WaitingForAWS, waitingFor(kind, observed!));
    if (first.do === 'stall') throw deadResource(kind, observed!);

    let desired = early;
    if (!desiredFirst(kind)) {
      const role = await ensureRole(kind, ctx);
      roleCreatedAt = role.createdAt;
      desired = await kind.desired(ctx, role.roleArn);
    }
    const tags = desiredTags(kind, ctx, desired);
    if (!observed) {
      const result = await createOrFind(kind, ctx, desired, tags);
      if ('created' in result) {
        Object.assign(status, result.created.status);
        actions.push(`created ${kind.noun} ${name}`);
        // Made at once, as asked: nothing to compare.
        if (!result.created.observed) return run.requeue(Reason.Creating, `Creating ${kind.noun} ${name}`);
        return await synced(kind, ctx, desired, result.created.observed, false);
      } else {
        observed = result.found;
        Object.assign(status, kind.statusOf(observed, ctx));
        if (approach(observed, adopting(ctx, observed), kind.lifecycle).do === 'wait') return run.requeue(Reason.WaitingForAWS, waitingFor(kind, observed));
      }
    }

    if (kind.desiredStatus) Object.assign(status, kind.desiredStatus(desired));
    const { settling, pushed, decision } = await weigh(kind, ctx, desired, observed);
    if (decision.do === 'refuse') throw new TerminalError(kind.refusal!(decision.changes, ctx), Reason.ReplacementNotAllowed);
    if (decision.do === 'replace') {
      const waiting = await kind.beforeDelete?.(ctx, observed);
      if (waiting) return run.requeue(Reason.Progressing, `Replacing the ${kind.noun}: ${waiting.message}`);
      await kind.delete(ctx, observed);
      const why = kind.replacedBecause?.(decision.changes) ?? `${decision.changes.map((c) => `${c.path} (${String(c.from)} to ${String(c.to)})`).join(', ')} cannot change in place`;
      actions.push(`deleted ${kind.noun} ${name} to replace it: ${why}`);
      return run.requeue(Reason.Progressing, `Replacing ${kind.noun} ${name}: ${why}`);
    }
    if (settling) return run.requeue(Reason.WaitingForAWS, settling);
    if (decision.do === 'report') run.reportDrift(decision.paths);
    let updated: { settled: boolean; status?: object } | undefined;
    if (decision.do === 'update') {
      const paths = decision.changes.map((c) => c.path);
      updated = await kind.update(ctx, desired, observed, decision.changes);
      if (updated.status) Object.assign(status, updated.status);
      const words = [...(paths.length > 0 ? [`${decision.correcting ? 'corrected drift at' : 'updated'} ${paths.join(', ')}${kind.updateWords ?? ''}`] : []), ...(pushed ? [pushed.words] : [])];
      actions.push(words.join('; '));
      if (paths.length > 0 && decision.correcting) run.driftCorrected(paths);
    }
    if (kind.tagging === 'api') await applyTagChanges(env, observed.arn, tags, observed.tags ?? {}, actions);
    if (updated && !updated.settled) {
      const paths = decision.do === 'update' ? decision.changes.map((c) => c.path) : [];
      return run.requeue(Reason.Updating, `Updating ${kind.noun} ${name}${paths.length > 0 ? `: ${paths.join(', ')} changed` : ''}`);
    }
    const unhealthy = (decision.do === 'nothing' ? failed(kind, observed) : undefined) ?? (updated ? undefined : kind.unhealthy?.(observed));
    if (unhealthy) throw new TerminalError(unhealthy, Reason.AWSFailed);
    return await synced(kind, ctx, desired, observed, decision.do === 'report');
  } catch (error) {
    if (retryForRolePropagation(error, roleCreatedAt, run.now)) return run.requeue(Reason.WaitingForAWS, 'Waiting for IAM to propagate the new role');
    return run.fail(error, kind.throttled?.(spec));
  }
}

/**
 * Deletes what the object made in AWS unless it retains it; `done` once it is gone. A resource of its
 * name that it does not own is forgotten, never deleted: the object is let go, and its status and
 * actions say what was left alone.
 */
export async function finalizeResource(kind: AnyKind, object: ObjectOf<CommonSpec, CommonStatus>, env: ReconcileEnv): Promise<Outcome<CommonStatus>> {
  const ctx = contextOf(kind, object, env, 'finalize');
  const { run, name } = ctx;
  const { status, actions } = run;
  if (ctx.spec.deletionPolicy === 'Retain') {
    actions.push(`retained the ${kind.noun} (deletionPolicy: Retain)`);
    return run.done();
  }
  try {
    const observed = await kind.observe(ctx);
    const decision = decideDelete(false, observed, adopting(ctx, observed), kind.lifecycle);
    if (decision === 'gone') {
      await removeRole(kind, ctx);
      status.awsStatus = 'DELETED';
      return run.done();
    }
    if (decision === 'leave') {
      const message = `Left ${kind.noun} ${observed!.name} alone: it is not managed by this object`;
      actions.push(`left ${kind.noun} ${observed!.name} alone: it is not managed by this object`);
      status.conditions = setCondition(status.conditions ?? [], ConditionType.Ready, 'False', Reason.NotOwned, message, run.generation, run.now);
      return run.done();
    }
    status.awsStatus = observed!.state;
    if (decision === 'wait') {
      const state = observed!.state;
      return run.requeue(Reason.Deleting, state === DELETING ? `Deleting ${kind.noun} ${name}` : `Waiting for ${kind.noun} ${name} to leave ${state} before deleting it`);
    }
    const blocked = await kind.beforeDelete?.(ctx, observed!);
    if (blocked) return run.requeue(blocked.reason, blocked.message);
    try {
      await kind.delete(ctx, observed!);
    } catch (error) {
      if (classifyAwsError(error) === 'notFound') return run.requeue(Reason.Deleting, `Deleting ${kind.noun} ${name}`);
      // A part added between the look and the delete (a target made out of band) is waited for.
      const late = await kind.beforeDelete?.(ctx, observed!);
      if (late) return run.requeue(late.reason, late.message);
      throw error;
    }
    actions.push(`deleted ${kind.noun} ${name}`);
    return run.requeue(Reason.Deleting, `Deleting ${kind.noun} ${name}`);
  } catch (error) {
    return run.fail(error, kind.throttled?.(ctx.spec));
  }
}

/** A field change as a plan line. */
function planLine(kind: AnyKind, change: FieldChange): PlannedChange {
  return kind.planChange?.(change) ?? { action: 'update', scope: 'part', subject: change.path, from: change.from, to: change.to };
}

/** What reconcile would do, from the same observations and decisions, without a write. */
export async function planResource(kind: AnyKind, object: ObjectOf<CommonSpec, CommonStatus>, env: ReconcileEnv): Promise<ObjectPlan<CommonStatus>> {
  const ctx = contextOf(kind, object, env, 'plan');
  const { name } = ctx;
  const whole = (action: PlannedChange['action'], extra: Partial<PlannedChange> = {}): PlannedChange => ({ action, scope: 'resource', subject: `${kind.short} ${name}`, ...extra });
  const early = desiredFirst(kind) ? await kind.desired(ctx, undefined) : undefined;
  const observed = await kind.observe(ctx);
  const result = (changes: PlannedChange[]): ObjectPlan<CommonStatus> => ({ changes, ...(observed ? { observed: kind.statusOf(observed, ctx) } : {}) });
  const first = approach(observed, adopting(ctx, observed), kind.lifecycle);
  if (first.do === 'stall' && first.why === 'not-ours') throw notOurs(kind, ctx, observed);
  if (first.do === 'wait') return result([whole('wait', { to: observed!.state })]);
  if (first.do === 'stall') throw deadResource(kind, observed!);
  const role = desiredFirst(kind) ? { lines: [] } : await plannedRole(kind, ctx);
  const desired = desiredFirst(kind) ? early : await kind.desired(ctx, role.roleArn);
  if (!observed) {
    const detail = kind.planCreateDetail?.(desired);
    return result([whole('create', detail === undefined ? {} : { to: detail }), ...(kind.planCreate?.(desired, ctx) ?? []), ...role.lines]);
  }
  const planned = (changes: PlannedChange[]): ObjectPlan<CommonStatus> => ({ changes, observed: kind.statusOf(observed, ctx) });

  const { settling, pushed, decision } = await weigh(kind, ctx, desired, observed);
  if (decision.do === 'refuse' || decision.do === 'replace') {
    const [c] = decision.changes;
    return planned([whole('replace', { from: c!.from, to: c!.to }), ...decision.changes.map((x): PlannedChange => ({ action: 'replace', scope: 'part', subject: x.path, from: x.from, to: x.to })), ...role.lines]);
  }
  const lines: PlannedChange[] = [];
  if (settling) lines.push(whole('wait', { to: settling }));
  lines.push(...role.lines);
  if (decision.do === 'update') {
    lines.push(...decision.changes.map((c) => planLine(kind, c)));
    if (pushed && !decision.changes.some((c) => c.path === pushed.path)) lines.push({ action: 'update', scope: 'part', subject: pushed.path, to: '(changed)' });
  }
  if (kind.tagging === 'api') lines.push(...plannedTagChanges(desiredTags(kind, ctx, desired), observed.tags ?? {}));
  lines.push(...(kind.planAfterSync?.(ctx, observed, lines) ?? []));
  return planned(lines);
}

/** The reconciler the engine and the cluster controllers run for a kind. */
export function reconcilerOf<Spec extends CommonSpec, Status extends CommonStatus, Desired, Observed extends ObservedResource>(kind: ResourceKind<Spec, Status, Desired, Observed>): KindReconciler<Spec, Status> {
  return {
    kind: kind.kind,
    references: (spec) => kind.references(spec),
    invalidity: (object) => schemaProblems(kind.kind, object),
    reconcile: (object, env) => reconcileResource(kind, object, env) as Promise<Outcome<Status>>,
    finalize: (object, env) => finalizeResource(kind, object, env) as Promise<Outcome<Status>>,
    plan: (object, env) => planResource(kind, object, env) as Promise<ObjectPlan<Status>>,
  };
}
