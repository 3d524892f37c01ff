/**
 * The Gateway reconciler: observe AWS, decide, make the fewest calls that close the gap, report. Each
 * step that can stop the pipeline marks one condition with one reason. An update is a full
 * replacement built from the spec (plus what AWS holds in members the spec does not model).
 */
import {
  CreateGatewayCommand, DeleteGatewayCommand, UpdateGatewayCommand, type CreateGatewayResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { Annotation } from '../../api/meta.js';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { GatewaySpec, GatewayStatus } from '../../api/v1alpha1/gateway.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../contract.js';
import {
  defaultRoleName, ensureManagedRole, managedRoleRequest, planManagedRole, removeManagedRole, statementsPolicy, trustPolicy,
  type ManagedRoleRequest, type PolicyStatement,
} from '../iam/index.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, PlannedChange, ReconcileEnv } from '../kind.js';
import { NotOurs, ownershipTags } from '../ownership.js';
import { desiredGateway } from './desired.js';
import { diffGateway, GATEWAY_CARRIED, GATEWAY_MODEL } from './diff.js';
import { carryUnmodelled } from './normalise.js';
import { listTargets, observeGateway, type ObservedGateway } from './observe.js';
import { applyTagChanges, beginRun, clientToken, done, failure, markDriftCorrected, plannedTagChanges, reportDrift, specUnchanged, TRANSITIONAL } from '../steps.js';

export type GatewayObject = ObjectOf<GatewaySpec, GatewayStatus>;
export type GatewayOutcome = Outcome<GatewayStatus>;

const FAILED = new Set(['FAILED', 'UPDATE_UNSUCCESSFUL']);
const GATEWAY_RULE = kindInfo('Gateway')!.awsName;

/**
 * The gateway's role: the one the spec names, or a managed one trusted by AgentCore with the spec's
 * statements (a gateway does not know its targets, so what it may call - a Lambda function, say - is
 * granted there).
 */
async function managedRoleFor(object: GatewayObject, env: ReconcileEnv): Promise<ManagedRoleRequest> {
  const managed = object.spec.role.managed!;
  const account = await env.aws.accountId();
  return managedRoleRequest(env, managed, { trustPolicy: trustPolicy('gateway', account), inlinePolicy: statementsPolicy(managed.statements as PolicyStatement[] | undefined) }, { adopt: object.metadata.annotations?.[Annotation.adopt] === 'true' });
}

/** The role ARN for reconcile: the spec's, or the managed role created or brought in line now. */
async function roleOf(object: GatewayObject, env: ReconcileEnv, actions: string[]): Promise<string> {
  if (object.spec.role.arn) return object.spec.role.arn;
  const role = await ensureManagedRole(env, await managedRoleFor(object, env));
  actions.push(...role.actions);
  return role.roleArn;
}

/** A value a plan cannot know before apply: the ARN of a role not created yet, the id of a gateway not ready yet. */
export const UNKNOWN = '(known after apply)';

/** The role ARN for a plan: the managed role is read, never created; one that does not exist yet is not known. */
async function roleArnForPlan(object: GatewayObject, env: ReconcileEnv): Promise<string> {
  if (object.spec.role.arn) return object.spec.role.arn;
  const planned = await planManagedRole(env, await managedRoleFor(object, env));
  return planned.create ? UNKNOWN : planned.roleArn;
}

function statusOf(observed: ObservedGateway, roleArn: string | undefined): Partial<GatewayStatus> {
  const failed = FAILED.has(observed.status);
  return {
    gatewayName: observed.name,
    gatewayId: observed.id,
    gatewayArn: observed.arn,
    gatewayUrl: observed.url,
    roleArn,
    awsStatus: observed.status,
    statusReasons: observed.statusReasons,
    failureReason: failed ? (observed.statusReasons?.join('; ') ?? 'no reason given') : undefined,
    workloadIdentityArn: observed.workloadIdentityArn,
  };
}

export async function reconcileGateway(object: GatewayObject, env: ReconcileEnv): Promise<GatewayOutcome> {
  const { spec, metadata } = object;
  const { generation, now, uid, status, actions, requeue } = beginRun<GatewayStatus>(object, env);
  const name = awsNameOf(GATEWAY_RULE, object);

  try {
    const observed = await observeGateway(env, { name, id: status.gatewayId, owner: env.owner, adopt: metadata.annotations?.[Annotation.adopt] === 'true' });
    status.lastSyncedAt = now.toISOString();
    // While AWS works on the gateway there is nothing to decide: one Get, and no IAM or tag reads.
    if (observed && TRANSITIONAL.has(observed.status)) {
      Object.assign(status, statusOf(observed, status.roleArn));
      return requeue(Reason.WaitingForAWS, `AWS reports the gateway ${observed.status}`);
    }
    const roleArn = await roleOf(object, env, actions);
    const desired = desiredGateway(spec, roleArn);
    const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };

    if (!observed) {
      // The token is the same for a retry of this very create, so a crash cannot make a second
      // gateway. It names the gateway last seen, so a gateway deleted out of band is created anew
      // instead of being answered with the replay of the old create.
      const token = clientToken(uid, 'CreateGateway', name, desired, status.gatewayId ?? null);
      const created = await send<CreateGatewayResponse>(env.aws.agentcore, new CreateGatewayCommand({ name, ...desired, tags: desiredTags, clientToken: token } as never), env.gate);
      Object.assign(status, {
        gatewayName: name,
        gatewayId: created.gatewayId,
        gatewayArn: created.gatewayArn,
        gatewayUrl: created.gatewayUrl,
        roleArn,
        awsStatus: created.status ?? 'CREATING',
        statusReasons: undefined,
        failureReason: undefined,
        workloadIdentityArn: created.workloadIdentityDetails?.workloadIdentityArn,
      });
      actions.push(`created gateway ${name}`);
      return requeue(Reason.Creating, `Creating gateway ${name}`);
    }
    Object.assign(status, statusOf(observed, roleArn));
    if (observed.name !== name) {
      throw new TerminalError(`The gateway is named ${observed.name} and its name cannot change to ${name}; delete the object and create it again to get a new gateway`, Reason.ReplacementNotAllowed);
    }

    const changes = diffGateway(desired, observed.configuration);
    const replacement = changes.find((c) => c.action === 'replace');
    if (replacement) {
      // AWS refuses a new authorizer type on an existing gateway, and a new gateway would have a new
      // URL and none of the targets: the operator does not do that on its own.
      throw new TerminalError(
        `The authorizer type of a gateway cannot change in place (${String(replacement.from)} to ${String(replacement.to)}); a new gateway would have a new URL and no targets, so delete this object and create it again with the new type`,
        Reason.ReplacementNotAllowed,
      );
    }

    const unchanged = specUnchanged(status, generation);
    let reported = false;
    if (changes.length > 0) {
      const paths = changes.map((c) => c.path);
      if (unchanged && spec.driftPolicy === 'Report') {
        reportDrift(status, paths, generation, now);
        reported = true;
      } else {
        const body = carryUnmodelled(desired, observed.configuration, GATEWAY_MODEL, GATEWAY_CARRIED);
        await send(env.aws.agentcore, new UpdateGatewayCommand({ gatewayIdentifier: observed.id, name: observed.name, ...body } as never), env.gate);
        actions.push(`${unchanged ? 'corrected drift at' : 'updated'} ${paths.join(', ')}`);
        if (unchanged) markDriftCorrected(status, paths, generation, now);
        return requeue(Reason.Updating, `Updating gateway ${name}: ${paths.join(', ')} changed`);
      }
    } else if (FAILED.has(observed.status)) {
      throw new TerminalError(`AWS reports ${observed.status}: ${status.failureReason ?? 'no reason given'}`, Reason.AWSFailed);
    }

    await applyTagChanges(env, observed.arn, desiredTags, observed.tags, actions);
    return done(status, reported, `Gateway ${name} is ready`, generation, now, actions);
  } catch (error) {
    return failure(status, error, generation, now, actions, env.pollMs);
  }
}

/** AWS's answer to deleting a gateway that still has targets (a ValidationException). */
function stillHasTargets(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e.name === 'ValidationException' && /targets? before deleting the gateway|still has .*target/i.test(e.message ?? '');
}

/**
 * Deletes the gateway unless the object retains it; `done` once it is gone. AWS deletes a gateway only
 * once it has no targets, so this waits for the targets' own objects to delete them (and for any made
 * out of band to be removed) rather than deleting targets it does not manage.
 */
export async function finalizeGateway(object: GatewayObject, env: ReconcileEnv): Promise<GatewayOutcome> {
  const { metadata, spec } = object;
  const { generation, now, status, actions, requeue } = beginRun<GatewayStatus>(object, env);
  if (spec.deletionPolicy === 'Retain') return { status, next: { kind: 'done' }, actions: ['retained the gateway (deletionPolicy: Retain)'] };
  const name = awsNameOf(GATEWAY_RULE, object);
  try {
    let observed: ObservedGateway | undefined;
    try {
      observed = await observeGateway(env, { name, id: status.gatewayId, owner: env.owner, adopt: metadata.annotations?.[Annotation.adopt] === 'true' });
    } catch (error) {
      if (!(error instanceof NotOurs)) throw error;
      return { status, next: { kind: 'done' }, actions: [`left gateway ${name} alone: it is not managed by this object`] };
    }
    if (!observed) {
      if (spec.role.managed) actions.push(...(await removeManagedRole(env, spec.role.managed.roleName ?? defaultRoleName(env.owner))).actions);
      return { status: { ...status, awsStatus: 'DELETED' }, next: { kind: 'done' }, actions };
    }
    status.awsStatus = observed.status;
    if (observed.status === 'DELETING') return requeue(Reason.Deleting, `Deleting gateway ${name}`);
    if (TRANSITIONAL.has(observed.status)) return requeue(Reason.Deleting, `Waiting for gateway ${name} to leave ${observed.status} before deleting it`);

    const targets = await listTargets(env.aws, env.gate, observed.id);
    const waitForTargets = (which: string) => requeue(Reason.DependencyNotReady, `Gateway ${name} still has ${which}; AWS deletes a gateway only once its targets are gone`);
    if (targets.length > 0) return waitForTargets(`${targets.length} target(s): ${targets.map((t) => t.name ?? t.targetId ?? '?').sort().join(', ')}`);
    try {
      await send(env.aws.agentcore, new DeleteGatewayCommand({ gatewayIdentifier: observed.id }), env.gate);
    } catch (error) {
      // A target created between the list and the delete.
      if (stillHasTargets(error)) return waitForTargets('targets');
      throw error;
    }
    actions.push(`deleted gateway ${name}`);
    return requeue(Reason.Deleting, `Deleting gateway ${name}`);
  } catch (error) {
    return failure(status, error, generation, now, actions, env.pollMs);
  }
}

/** What reconcile would do, from the same observation and decisions, without a write. */
export async function planGateway(object: GatewayObject, env: ReconcileEnv): Promise<ObjectPlan<GatewayStatus>> {
  const { spec, metadata } = object;
  const name = awsNameOf(GATEWAY_RULE, object);
  const roleArn = await roleArnForPlan(object, env);
  const observed = await observeGateway(env, { name, id: object.status?.gatewayId, owner: env.owner, adopt: metadata.annotations?.[Annotation.adopt] === 'true' });
  const result = (changes: PlannedChange[]): ObjectPlan<GatewayStatus> => ({ changes, ...(observed ? { observed: statusOf(observed, roleArn) } : {}) });
  if (!observed) return result([{ action: 'create', subject: `gateway ${name}` }]);
  if (TRANSITIONAL.has(observed.status)) return result([{ action: 'wait', subject: `gateway ${name}`, to: observed.status }]);
  // A gateway's name cannot change: the object would need a new gateway.
  if (observed.name !== name) return result([{ action: 'replace', subject: `gateway ${name}`, from: observed.name, to: name }]);
  const changes = diffGateway(desiredGateway(spec, roleArn), observed.configuration);
  const replacement = changes.find((c) => c.action === 'replace');
  if (replacement) return result([{ action: 'replace', subject: `gateway ${name}`, from: replacement.from, to: replacement.to }]);
  const planned: PlannedChange[] = changes.map((c) => ({ action: 'update', subject: c.path, from: c.from, to: c.to }));
  planned.push(...plannedTagChanges({ ...spec.tags, ...ownershipTags(env.owner) }, observed.tags));
  return result(planned);
}

export const gatewayReconciler: KindReconciler<GatewaySpec, GatewayStatus> = {
  kind: 'Gateway',
  references: () => [],
  reconcile: reconcileGateway,
  finalize: finalizeGateway,
  plan: planGateway,
};
