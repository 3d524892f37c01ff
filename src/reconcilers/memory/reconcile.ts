/**
 * The Memory reconciler: observe AWS, decide, make the fewest calls that close the gap, report. One
 * UpdateMemory carries every strategy added, modified and deleted and every changed setting; tags go
 * through the tag APIs. Each step that can stop the pipeline marks one condition with one reason.
 */
import {
  CreateMemoryCommand, DeleteMemoryCommand, UpdateMemoryCommand, type CreateMemoryOutput, type MemoryStrategy,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { Annotation, ConditionType } from '../../api/meta.js';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { MemorySpec, MemoryStatus } from '../../api/v1alpha1/memory.js';
import { send } from '../../aws/call.js';
import { markReconciling, Reason, setCondition } from '../conditions.js';
import { TerminalError } from '../contract.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, PlannedChange, ReconcileEnv } from '../kind.js';
import { NotOurs, ownershipTags } from '../ownership.js';
import { applyTagChanges, beginRun, clientToken, done, failure, plannedTagChanges, TRANSITIONAL } from '../steps.js';
import {
  ensureManagedRole, managedRoleRequest, planManagedRole, statementsPolicy, trustPolicy, type ManagedRoleRequest, type PolicyStatement,
} from '../iam/index.js';
import { createInput, desiredMemory } from './desired.js';
import { desiredLabel, diffMemory, type MemoryChange } from './diff.js';
import { observeMemory, type MemoryLookup, type ObservedMemory } from './observe.js';

export type MemoryObject = ObjectOf<MemorySpec, MemoryStatus>;
export type MemoryOutcome = Outcome<MemoryStatus>;

const MEMORY_RULE = kindInfo('Memory')!.awsName;


/** One entry per name (a strategy being deleted gives way to its same-named successor), sorted by name. */
function strategiesOf(strategies: MemoryStrategy[]): NonNullable<MemoryStatus['strategies']> {
  const byName = new Map<string, MemoryStrategy>();
  for (const s of strategies) {
    const seen = byName.get(s.name!);
    if (!seen || seen.status === 'DELETING') byName.set(s.name!, s);
  }
  return [...byName.values()]
    .sort((a, b) => a.name!.localeCompare(b.name!))
    .map((s) => ({ name: s.name!, strategyId: s.strategyId, type: s.type, status: s.status }));
}

function statusOf(observed: ObservedMemory): Partial<MemoryStatus> {
  return {
    memoryName: observed.name,
    memoryId: observed.id,
    memoryArn: observed.arn,
    roleArn: observed.memoryExecutionRoleArn,
    awsStatus: observed.status,
    failureReason: observed.failureReason,
    strategies: strategiesOf(observed.strategies),
  };
}

/** The managed execution role: trusted by Bedrock and AgentCore, with the spec's statements. */
async function managedRoleFor(object: MemoryObject, env: ReconcileEnv): Promise<ManagedRoleRequest> {
  const managed = object.spec.role!.managed!;
  const account = await env.aws.accountId();
  return managedRoleRequest(env, managed, { trustPolicy: trustPolicy('memory', account), inlinePolicy: statementsPolicy(managed.statements as PolicyStatement[] | undefined) }, { adopt: adopting(object) });
}

/**
 * The role AgentCore assumes to run the strategies' models: the one the spec names, or the managed
 * one, created or brought in line now.
 */
async function executionRole(object: MemoryObject, env: ReconcileEnv, actions: string[]): Promise<string | undefined> {
  if (!object.spec.role?.managed) return object.spec.role?.arn;
  const role = await ensureManagedRole(env, await managedRoleFor(object, env));
  actions.push(...role.actions);
  return role.roleArn;
}

/**
 * Whether a memory of our name belongs to someone else: true while it is being deleted (its name
 * will be free), a NotOurs error when it stays, false when it is ours (or being adopted) or absent.
 */
function othersMemory(observed: ObservedMemory | undefined, object: MemoryObject, name: string): boolean {
  if (!observed || observed.owned || adopting(object)) return false;
  if (observed.status === 'DELETING') return true;
  throw new NotOurs('A memory', name);
}

function failedMemory(observed: ObservedMemory): TerminalError {
  return new TerminalError(`AWS reports FAILED: ${observed.failureReason ?? 'no reason given'} (a failed memory can only be deleted)`, Reason.AWSFailed);
}

function replacementRefused(replace: MemoryChange[]): TerminalError {
  return new TerminalError(
    `${replace.map((c) => c.path).join(' and ')} cannot change in place, and the operator does not replace memories; delete the memory to have it created again`,
    Reason.ReplacementNotAllowed,
  );
}

/** Strategies AWS is still adding or removing; nothing else changes until they settle. */
const settlingStrategies = (observed: ObservedMemory) => observed.strategies.filter((s) => s.status === 'CREATING' || s.status === 'DELETING');

/**
 * Whether differences are only reported: the spec is the one already applied (a difference is drift)
 * and driftPolicy is Report. Without a generation (file mode) every run applies the spec.
 */
function driftReportedOnly(object: MemoryObject, changes: MemoryChange[]): { specUnchanged: boolean; reported: boolean } {
  const generation = object.metadata.generation;
  const specUnchanged = generation !== undefined && object.status?.observedGeneration === generation;
  return { specUnchanged, reported: specUnchanged && object.spec.driftPolicy === 'Report' && changes.length > 0 };
}

function lookupOf(object: MemoryObject, name: string, env: ReconcileEnv): MemoryLookup {
  return { name, id: object.status?.memoryId, owner: env.owner };
}

const adopting = (object: MemoryObject) => object.metadata.annotations?.[Annotation.adopt] === 'true';

export async function reconcileMemory(object: MemoryObject, env: ReconcileEnv): Promise<MemoryOutcome> {
  const { spec } = object;
  const { generation, now, uid, status, actions, requeue } = beginRun<MemoryStatus>(object, env);
  const name = awsNameOf(MEMORY_RULE, object);

  try {
    const observed = await observeMemory(env, lookupOf(object, name, env));
    status.lastSyncedAt = now.toISOString();
    // Someone else's memory on its way out frees the name; wait for it rather than stall.
    if (othersMemory(observed, object, name)) return requeue(Reason.WaitingForAWS, `Waiting for another memory named ${name} to be deleted`);
    // While AWS works on the memory there is nothing to decide: one Get, and no IAM or tag reads.
    if (observed && TRANSITIONAL.has(observed.status)) {
      Object.assign(status, statusOf(observed));
      return requeue(Reason.WaitingForAWS, `AWS reports the memory ${observed.status}`);
    }
    const desired = desiredMemory(spec, name, await executionRole(object, env, actions));
    const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };

    if (!observed) {
      // The token is the same for a retry of this very create, so a crash cannot duplicate the
      // memory; it covers the request, so another create (a rename) gets its own; and it names the
      // memory last seen, so after that one is deleted a new create is not answered with the replay
      // of the old one.
      const input = createInput(desired);
      const token = clientToken(uid, 'create', generation ?? null, input, status.memoryId ?? null);
      const created = await send<CreateMemoryOutput>(env.aws.agentcore, new CreateMemoryCommand({ ...input, tags: desiredTags, clientToken: token }), env.gate);
      const memory = created.memory;
      Object.assign(status, {
        memoryName: name,
        memoryId: memory?.id,
        memoryArn: memory?.arn,
        roleArn: memory?.memoryExecutionRoleArn,
        awsStatus: memory?.status ?? 'CREATING',
        failureReason: undefined,
        strategies: strategiesOf(memory?.strategies ?? []),
      });
      actions.push(`created memory ${name}`);
      return requeue(Reason.Creating, `Creating memory ${name}`);
    }
    Object.assign(status, statusOf(observed));
    if (observed.status === 'FAILED') throw failedMemory(observed);

    const diff = diffMemory(desired, observed);
    const replace = diff.changes.filter((c) => c.action === 'replace');
    if (replace.length > 0) throw replacementRefused(replace);
    const settling = settlingStrategies(observed);
    if (settling.length > 0) return requeue(Reason.WaitingForAWS, `Waiting for strategies ${settling.map((s) => `${s.name} (${s.status})`).join(', ')}`);

    const { specUnchanged, reported } = driftReportedOnly(object, diff.changes);
    const paths = diff.changes.map((c) => c.path);
    let updated = false;
    if (reported) {
      status.drift = paths;
      status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'True', Reason.DriftDetected, `AWS differs from the spec at ${paths.join(', ')}`, generation, now);
      status.conditions = setCondition(status.conditions, ConditionType.Synced, 'False', Reason.DriftDetected, 'Drift is reported, not corrected (driftPolicy: Report)', generation, now);
    } else if (diff.update) {
      const token = clientToken(uid, observed.id, 'update', observed.updatedAt ?? null, diff.update);
      await send(env.aws.agentcore, new UpdateMemoryCommand({ memoryId: observed.id, ...diff.update, clientToken: token }), env.gate);
      actions.push(`${specUnchanged ? 'corrected drift at' : 'updated'} ${paths.join(', ')}`);
      if (specUnchanged) status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'False', Reason.DriftCorrected, `Corrected ${paths.join(', ')}`, generation, now);
      updated = true;
    }

    await applyTagChanges(env, observed.arn, desiredTags, observed.tags ?? {}, actions);
    if (updated) return requeue(Reason.Updating, `Updating the memory: ${paths.join(', ')} changed`);

    const failed = observed.strategies.filter((s) => s.status !== 'ACTIVE');
    if (failed.length > 0) {
      throw new TerminalError(`AWS reports strategies ${failed.map((s) => `${s.name} ${s.status ?? 'without a status'}`).join(', ')}`, Reason.AWSFailed);
    }

    const message = `Memory ${name} is ACTIVE with ${observed.strategies.length} ${observed.strategies.length === 1 ? 'strategy' : 'strategies'}`;
    return done(status, reported, message, generation, now, actions);
  } catch (error) {
    return failure(status, error, generation, now, actions, env.pollMs);
  }
}

/** Deletes the memory unless the object retains it; `done` once it is gone. A memory not ours is left alone. */
export async function finalizeMemory(object: MemoryObject, env: ReconcileEnv): Promise<MemoryOutcome> {
  const { metadata, spec } = object;
  const { now, uid, status, actions } = beginRun<MemoryStatus>(object, env);
  if (spec.deletionPolicy === 'Retain') return { status, next: { kind: 'done' }, actions: ['retained the memory (deletionPolicy: Retain)'] };
  try {
    const name = awsNameOf(MEMORY_RULE, object);
    const observed = await observeMemory(env, lookupOf(object, name, env));
    if (!observed) return { status: { ...status, awsStatus: 'DELETED' }, next: { kind: 'done' }, actions };
    if (!observed.owned && !adopting(object)) return { status, next: { kind: 'done' }, actions: [`left memory ${name} alone: it is not managed by this object`] };
    status.awsStatus = observed.status;
    if (observed.status !== 'DELETING') {
      await send(env.aws.agentcore, new DeleteMemoryCommand({ memoryId: observed.id, clientToken: clientToken(uid, observed.id, 'delete') }), env.gate);
      actions.push(`deleted memory ${name}`);
    }
    status.conditions = markReconciling(status.conditions ?? [], Reason.Deleting, `Deleting memory ${name}`, metadata.generation, now);
    return { status, next: { kind: 'requeue', afterMs: env.pollMs }, actions };
  } catch (error) {
    return failure(status, error, metadata.generation, now, actions, env.pollMs);
  }
}

const UNKNOWN = '(known after apply)';

/**
 * What reconcile would do, from the same observe and the same decisions, without a write. A managed
 * role not created yet is not created here: its ARN is not known until apply.
 */
export async function planMemory(object: MemoryObject, env: ReconcileEnv): Promise<ObjectPlan<MemoryStatus>> {
  const { spec } = object;
  const name = awsNameOf(MEMORY_RULE, object);
  const subject = `memory ${name}`;
  let roleArn = spec.role?.arn;
  if (spec.role?.managed) {
    const role = await planManagedRole(env, await managedRoleFor(object, env));
    roleArn = role.create ? UNKNOWN : role.roleArn;
  }
  const desired = desiredMemory(spec, name, roleArn);
  const observed = await observeMemory(env, lookupOf(object, name, env));
  const result = (changes: PlannedChange[]): ObjectPlan<MemoryStatus> => ({ changes, ...(observed ? { observed: statusOf(observed) } : {}) });
  if (othersMemory(observed, object, name)) return result([{ action: 'wait', subject, to: observed!.status }]);
  if (!observed) {
    return result([
      { action: 'create', subject },
      ...desired.strategies.map((s): PlannedChange => ({ action: 'create', subject: `strategy ${s.name}`, to: desiredLabel(s) })),
    ]);
  }
  if (TRANSITIONAL.has(observed.status)) return result([{ action: 'wait', subject, to: observed.status }]);
  if (observed.status === 'FAILED') throw failedMemory(observed);

  const diff = diffMemory(desired, observed);
  const replace = diff.changes.filter((c) => c.action === 'replace');
  if (replace.length > 0) return result([{ action: 'replace', subject }, ...replace.map((c): PlannedChange => ({ action: 'replace', subject: c.path, from: c.from, to: c.to }))]);
  const planned: PlannedChange[] = settlingStrategies(observed).map((s) => ({ action: 'wait', subject: `strategy ${s.name!}`, to: s.status }));
  if (!driftReportedOnly(object, diff.changes).reported) {
    for (const c of diff.changes) {
      const strategy = /^spec\.strategies\[(.+)\]$/.exec(c.path)?.[1];
      if (strategy !== undefined && c.from === undefined) planned.push({ action: 'create', subject: `strategy ${strategy}`, to: c.to });
      else if (strategy !== undefined && c.to === undefined) planned.push({ action: 'delete', subject: `strategy ${strategy}`, from: c.from });
      else planned.push({ action: 'update', subject: c.path, from: c.from, to: c.to });
    }
  }
  const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };
  const observedTags = observed.tags ?? {};
  planned.push(...plannedTagChanges(desiredTags, observedTags));
  return result(planned);
}

export const memoryReconciler: KindReconciler<MemorySpec, MemoryStatus> = {
  kind: 'Memory',
  references: () => [],
  reconcile: reconcileMemory,
  finalize: finalizeMemory,
  plan: planMemory,
};
