/**
 * The WorkloadIdentity reconciler. A workload identity is named by the caller and created, read,
 * updated and deleted by that name, synchronously; its only setting is the set of OAuth2 return URLs.
 * Its ARN is an ordinary AgentCore ARN, so tags (ownership included) go through the tag APIs.
 */
import {
  CreateWorkloadIdentityCommand, DeleteWorkloadIdentityCommand, GetWorkloadIdentityCommand, UpdateWorkloadIdentityCommand, type CreateWorkloadIdentityResponse, type GetWorkloadIdentityResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { Annotation } from '../../api/meta.js';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { WorkloadIdentitySpec, WorkloadIdentityStatus } from '../../api/v1alpha1/workloadidentity.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, PlannedChange, ReconcileEnv } from '../kind.js';
import { tagsOf } from '../inventory.js';
import { isOwnedBy, NotOurs, ownershipTags } from '../ownership.js';
import { Run, sameSet, unlessNotFound, weigh } from './common.js';
import { applyTagChanges, plannedTagChanges } from '../steps.js';

export type WorkloadIdentityObject = ObjectOf<WorkloadIdentitySpec, WorkloadIdentityStatus>;
type WorkloadIdentityOutcome = Outcome<WorkloadIdentityStatus>;

const NAME_RULE = kindInfo('WorkloadIdentity')!.awsName;

interface ObservedIdentity {
  arn: string;
  returnUrls: string[];
  tags: Record<string, string>;
}

/**
 * The identity AWS holds under the object's name, with its tags. One the object has not recorded is
 * its own only if it carries the object's ownership tags, or the object asks to adopt it.
 */
async function observeIdentity(object: WorkloadIdentityObject, env: ReconcileEnv, name: string): Promise<ObservedIdentity | undefined> {
  const got = await unlessNotFound(send<GetWorkloadIdentityResponse>(env.aws.agentcore, new GetWorkloadIdentityCommand({ name }), env.gate));
  if (!got) return undefined;
  const arn = got.workloadIdentityArn!;
  const tags = await tagsOf(env, arn);
  // Deleted between the Get and this read: it is gone.
  if (!tags) return undefined;
  const recorded = object.status?.workloadIdentityArn === arn;
  if (!recorded && !isOwnedBy(tags, env.owner) && object.metadata.annotations?.[Annotation.adopt] !== 'true') {
    throw new NotOurs('A workload identity', name);
  }
  return { arn, returnUrls: got.allowedResourceOauth2ReturnUrls ?? [], tags };
}

export async function reconcileWorkloadIdentity(object: WorkloadIdentityObject, env: ReconcileEnv): Promise<WorkloadIdentityOutcome> {
  const { spec, metadata } = object;
  const run = new Run<WorkloadIdentityStatus>(object.status, metadata.generation, env.now(), env.pollMs);
  const { status, actions } = run;
  const name = awsNameOf(NAME_RULE, object);
  const returnUrls = spec.allowedOAuth2ReturnUrls ?? [];
  const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };
  try {
    const observed = await observeIdentity(object, env, name);
    status.lastSyncedAt = run.now.toISOString();

    if (!observed) {
      const created = await send<CreateWorkloadIdentityResponse>(
        env.aws.agentcore,
        new CreateWorkloadIdentityCommand({ name, ...(returnUrls.length > 0 ? { allowedResourceOauth2ReturnUrls: returnUrls } : {}), tags: desiredTags }),
        env.gate,
      );
      Object.assign(status, { identityName: name, workloadIdentityArn: created.workloadIdentityArn });
      actions.push(`created workload identity ${name}`);
      return run.ready(`Workload identity ${name} is ready`, false);
    }
    Object.assign(status, { identityName: name, workloadIdentityArn: observed.arn });

    const changes = sameSet(returnUrls, observed.returnUrls) ? [] : ['spec.allowedOAuth2ReturnUrls'];
    const { decision, specUnchanged } = weigh(changes, spec.driftPolicy, status, metadata.generation);
    if (decision === 'report') run.reportDrift(changes);
    if (decision === 'apply') {
      // The list given replaces the old one; none given leaves none.
      await send(env.aws.agentcore, new UpdateWorkloadIdentityCommand({ name, ...(returnUrls.length > 0 ? { allowedResourceOauth2ReturnUrls: returnUrls } : {}) }), env.gate);
      actions.push(`${specUnchanged ? 'corrected drift at' : 'updated'} ${changes.join(', ')}`);
      if (specUnchanged) run.driftCorrected(changes);
    }

    await applyTagChanges(env, observed.arn, desiredTags, observed.tags, actions);
    return run.ready(`Workload identity ${name} is ready`, decision === 'report');
  } catch (error) {
    return run.fail(error);
  }
}

/** Deletes the workload identity unless the object retains it; `done` once it is gone. */
export async function finalizeWorkloadIdentity(object: WorkloadIdentityObject, env: ReconcileEnv): Promise<WorkloadIdentityOutcome> {
  const run = new Run<WorkloadIdentityStatus>(object.status, object.metadata.generation, env.now(), env.pollMs);
  if (object.spec.deletionPolicy === 'Retain') {
    run.actions.push('retained the workload identity (deletionPolicy: Retain)');
    return run.done();
  }
  const name = awsNameOf(NAME_RULE, object);
  try {
    const observed = await observeIdentity(object, env, name);
    if (!observed) return run.done();
    await unlessNotFound(send(env.aws.agentcore, new DeleteWorkloadIdentityCommand({ name }), env.gate));
    run.actions.push(`deleted workload identity ${name}`);
    return run.requeue(Reason.Deleting, `Deleting workload identity ${name}`);
  } catch (error) {
    return run.fail(error);
  }
}

/** What reconcile would change: the same observe and decisions, no write. */
export async function planWorkloadIdentity(object: WorkloadIdentityObject, env: ReconcileEnv): Promise<ObjectPlan<WorkloadIdentityStatus>> {
  const { spec, metadata } = object;
  const name = awsNameOf(NAME_RULE, object);
  const returnUrls = spec.allowedOAuth2ReturnUrls ?? [];
  const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };
  const observed = await observeIdentity(object, env, name);
  if (!observed) return { changes: [{ action: 'create', subject: `identity ${name}` }] };
  const changes = sameSet(returnUrls, observed.returnUrls) ? [] : ['spec.allowedOAuth2ReturnUrls'];
  const { decision } = weigh(changes, spec.driftPolicy, object.status ?? {}, metadata.generation);
  const planned: PlannedChange[] = decision === 'apply' ? [{ action: 'update', subject: 'spec.allowedOAuth2ReturnUrls', from: observed.returnUrls, to: returnUrls }] : [];
  planned.push(...plannedTagChanges(desiredTags, observed.tags));
  return { changes: planned, observed: { identityName: name, workloadIdentityArn: observed.arn } };
}

export const workloadIdentityReconciler: KindReconciler<WorkloadIdentitySpec, WorkloadIdentityStatus> = {
  kind: 'WorkloadIdentity',
  references: () => [],
  reconcile: reconcileWorkloadIdentity,
  finalize: finalizeWorkloadIdentity,
  plan: planWorkloadIdentity,
};
