/**
 * The Memory reconciler: observe AWS, decide, make the fewest calls that close the gap, report. One
 * UpdateMemory carries every strategy added, modified and deleted and every changed setting; tags go
 * through the tag APIs. Each step that can stop the pipeline marks one condition with one reason.
 */
import {
  CreateMemoryCommand, DeleteMemoryCommand, TagResourceCommand, UntagResourceCommand, UpdateMemoryCommand,
  type CreateMemoryOutput, type MemoryStrategy,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { Annotation, ConditionType } from '../../api/meta.js';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { MemorySpec, MemoryStatus } from '../../api/v1alpha1/memory.js';
import { send } from '../../aws/call.js';
import { markReady, markReconciling, Reason, setCondition } from '../conditions.js';
import { TerminalError } from '../contract.js';
import type { KindReconciler, ObjectOf, Outcome, ReconcileEnv } from '../kind.js';
import { ownershipTags, tagChanges } from '../ownership.js';
import { clientToken, failure } from '../steps.js';
import { ensureManagedRole, managedRoleRequest, statementsPolicy, trustPolicy, type PolicyStatement } from '../iam/index.js';
import { createInput, desiredMemory } from './desired.js';
import { diffMemory } from './diff.js';
import { MEMORY_LISTING_KEY, NotOurs, observeMemory, type MemoryLookup, type ObservedMemory } from './observe.js';

export type MemoryObject = ObjectOf<MemorySpec, MemoryStatus>;
export type MemoryOutcome = Outcome<MemoryStatus>;

const TRANSITIONAL = new Set(['CREATING', 'UPDATING', 'DELETING']);
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

/** An error turned into the status and the next step it calls for. */
/**
 * The role AgentCore assumes to run the strategies' models: the one the spec names, or a managed one
 * trusted by Bedrock and AgentCore with the spec's statements.
 */
async function executionRole(object: MemoryObject, env: ReconcileEnv, actions: string[]): Promise<string | undefined> {
  const managed = object.spec.role?.managed;
  if (!managed) return object.spec.role?.arn;
  const account = await env.aws.accountId();
  const request = managedRoleRequest(env, managed, { trustPolicy: trustPolicy('memory', account), inlinePolicy: statementsPolicy(managed.statements as PolicyStatement[] | undefined) }, { adopt: adopting(object) });
  const role = await ensureManagedRole(env, request);
  actions.push(...role.actions);
  return role.roleArn;
}

function lookupOf(object: MemoryObject, name: string, env: ReconcileEnv): MemoryLookup {
  return { name, id: object.status?.memoryId, owner: env.owner };
}

const adopting = (object: MemoryObject) => object.metadata.annotations?.[Annotation.adopt] === 'true';

export async function reconcileMemory(object: MemoryObject, env: ReconcileEnv): Promise<MemoryOutcome> {
  const { spec, metadata } = object;
  const generation = metadata.generation;
  const now = env.now();
  const uid = metadata.uid ?? `${metadata.namespace ?? 'default'}/${metadata.name}`;
  const name = awsNameOf(MEMORY_RULE, object);
  const status: MemoryStatus = { ...object.status, conditions: object.status?.conditions ?? [] };
  const actions: string[] = [];
  const requeue = (reason: Reason, message: string): MemoryOutcome => {
    status.conditions = markReconciling(status.conditions ?? [], reason, message, generation, now);
    return { status, next: { kind: 'requeue', afterMs: env.pollMs }, actions };
  };

  try {
    const desired = desiredMemory(spec, name, await executionRole(object, env, actions));
    const observed = await observeMemory(env.aws, env.gate, lookupOf(object, name, env), env.memo);
    status.lastSyncedAt = now.toISOString();
    if (observed && !observed.owned && !adopting(object)) {
      // Someone else's memory on its way out frees the name; wait for it rather than stall.
      if (observed.status === 'DELETING') return requeue(Reason.WaitingForAWS, `Waiting for another memory named ${name} to be deleted`);
      throw new NotOurs(name);
    }
    const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };

    if (!observed) {
      // The token is the same for a retry of this create, so a crash cannot duplicate the memory. It
      // names the memory last seen, so after that one is deleted a new create is not answered with
      // the replay of the old one.
      const token = clientToken(uid, 'create', generation ?? null, status.memoryId ?? null);
      const created = await send<CreateMemoryOutput>(env.aws.agentcore, new CreateMemoryCommand({ ...createInput(desired), tags: desiredTags, clientToken: token }), env.gate);
      env.memo?.forget(MEMORY_LISTING_KEY);
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
    if (TRANSITIONAL.has(observed.status)) return requeue(Reason.WaitingForAWS, `AWS reports the memory ${observed.status}`);
    if (observed.status === 'FAILED') {
      throw new TerminalError(`AWS reports FAILED: ${observed.failureReason ?? 'no reason given'} (a failed memory can only be deleted)`, Reason.AWSFailed);
    }

    const diff = diffMemory(desired, observed);
    const replace = diff.changes.filter((c) => c.action === 'replace');
    if (replace.length > 0) {
      throw new TerminalError(
        `${replace.map((c) => c.path).join(' and ')} cannot change in place, and the operator does not replace memories; delete the memory to have it created again`,
        Reason.ReplacementNotAllowed,
      );
    }
    const settling = observed.strategies.filter((s) => s.status === 'CREATING' || s.status === 'DELETING');
    if (settling.length > 0) return requeue(Reason.WaitingForAWS, `Waiting for strategies ${settling.map((s) => `${s.name} (${s.status})`).join(', ')}`);

    // Without a generation (file mode) every run is an explicit request to apply the spec, so no
    // difference counts as drift.
    const specUnchanged = generation !== undefined && status.observedGeneration === generation;
    const reported = specUnchanged && spec.driftPolicy === 'Report' && diff.changes.length > 0;
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

    const tags = tagChanges(desiredTags, observed.tags ?? {});
    if (Object.keys(tags.set).length > 0) {
      await send(env.aws.agentcore, new TagResourceCommand({ resourceArn: observed.arn, tags: tags.set }), env.gate);
      actions.push(`tagged ${Object.keys(tags.set).join(', ')}`);
    }
    if (tags.remove.length > 0) {
      await send(env.aws.agentcore, new UntagResourceCommand({ resourceArn: observed.arn, tagKeys: tags.remove }), env.gate);
      actions.push(`untagged ${tags.remove.join(', ')}`);
    }
    if (updated) return requeue(Reason.Updating, `Updating the memory: ${paths.join(', ')} changed`);

    const failed = observed.strategies.filter((s) => s.status !== 'ACTIVE');
    if (failed.length > 0) {
      throw new TerminalError(`AWS reports strategies ${failed.map((s) => `${s.name} ${s.status ?? 'without a status'}`).join(', ')}`, Reason.AWSFailed);
    }

    const message = `Memory ${name} is ACTIVE with ${observed.strategies.length} ${observed.strategies.length === 1 ? 'strategy' : 'strategies'}`;
    if (reported) {
      status.conditions = markReady(status.conditions ?? [], `${message}; drift reported`, generation, now);
    } else {
      status.drift = undefined;
      const drifted = status.conditions?.find((c) => c.type === ConditionType.Drifted);
      if (drifted?.status === 'True') status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'False', Reason.InSync, 'AWS matches the spec again', generation, now);
      status.conditions = setCondition(status.conditions ?? [], ConditionType.Synced, 'True', Reason.InSync, 'AWS matches the spec', generation, now);
      status.conditions = markReady(status.conditions, message, generation, now);
    }
    status.observedGeneration = generation;
    return { status, next: { kind: 'done' }, actions };
  } catch (error) {
    return failure(status, error, generation, now, actions, env.pollMs);
  }
}

/** Deletes the memory unless the object retains it; `done` once it is gone. A memory not ours is left alone. */
export async function finalizeMemory(object: MemoryObject, env: ReconcileEnv): Promise<MemoryOutcome> {
  const { metadata, spec } = object;
  const now = env.now();
  const status: MemoryStatus = { ...object.status, conditions: object.status?.conditions ?? [] };
  const actions: string[] = [];
  if (spec.deletionPolicy === 'Retain') return { status, next: { kind: 'done' }, actions: ['retained the memory (deletionPolicy: Retain)'] };
  const uid = metadata.uid ?? `${metadata.namespace ?? 'default'}/${metadata.name}`;
  try {
    const name = awsNameOf(MEMORY_RULE, object);
    const observed = await observeMemory(env.aws, env.gate, lookupOf(object, name, env), env.memo);
    if (!observed) return { status: { ...status, awsStatus: 'DELETED' }, next: { kind: 'done' }, actions };
    if (!observed.owned && !adopting(object)) return { status, next: { kind: 'done' }, actions: [`left memory ${name} alone: it is not managed by this object`] };
    status.awsStatus = observed.status;
    if (observed.status !== 'DELETING') {
      await send(env.aws.agentcore, new DeleteMemoryCommand({ memoryId: observed.id, clientToken: clientToken(uid, observed.id, 'delete') }), env.gate);
      env.memo?.forget(MEMORY_LISTING_KEY);
      actions.push(`deleted memory ${name}`);
    }
    status.conditions = markReconciling(status.conditions ?? [], Reason.Deleting, `Deleting memory ${name}`, metadata.generation, now);
    return { status, next: { kind: 'requeue', afterMs: env.pollMs }, actions };
  } catch (error) {
    return failure(status, error, metadata.generation, now, actions, env.pollMs);
  }
}

export const memoryReconciler: KindReconciler<MemorySpec, MemoryStatus> = {
  kind: 'Memory',
  references: () => [],
  reconcile: reconcileMemory,
  finalize: finalizeMemory,
};
