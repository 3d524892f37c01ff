/**
 * The AgentRuntime reconciler: observe AWS, decide, make the fewest calls that close the gap, report.
 * Each step that can stop the pipeline marks one condition with one reason. It returns the new status
 * and what should happen next; the front end (files or cluster) writes the status.
 */
import {
  CreateAgentRuntimeCommand, CreateAgentRuntimeEndpointCommand, DeleteAgentRuntimeCommand, DeleteAgentRuntimeEndpointCommand, UpdateAgentRuntimeCommand, UpdateAgentRuntimeEndpointCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { Annotation, ConditionType } from '../../api/meta.js';
import { awsNameOf } from '../../api/names.js';
import { kindInfo } from '../../api/kinds.js';
import type { AgentRuntimeSpec, AgentRuntimeStatus } from '../../api/v1alpha1/agentruntime.js';
import { send } from '../../aws/call.js';
import { Reason, setCondition } from '../conditions.js';
import { TerminalError } from '../contract.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, PlannedChange, ReconcileEnv } from '../kind.js';
import { applyTagChanges, beginRun, clientToken, DependencyNotReady, done, failure, plannedTagChanges, referencedField, TRANSITIONAL } from '../steps.js';
import {
  defaultRoleName, ensureManagedRole, managedRoleRequest, planManagedRole, removeManagedRole, retryForRolePropagation,
  runtimePolicy, trustPolicy, type ManagedRoleRequest, type PolicyStatement,
} from '../iam/index.js';
import { ownershipTags, type Owner } from '../ownership.js';
import { codeVersion, resolveArtifact } from './artifact.js';
import { desiredRuntime, type RuntimeInputs } from './desired.js';
import { diffRuntime } from './diff.js';
import { endpointActions, endpointsSettled, type EndpointAction } from './endpoints.js';
import { observeRuntime, type ObservedRuntime, type RuntimeLookup } from './observe.js';

export type RuntimeObject = ObjectOf<AgentRuntimeSpec, AgentRuntimeStatus>;
export type RuntimeOutcome = Outcome<AgentRuntimeStatus>;

const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED']);
const RUNTIME_RULE = kindInfo('AgentRuntime')!.awsName;


function statusOf(observed: ObservedRuntime, name: string, inputs: RuntimeInputs): Partial<AgentRuntimeStatus> {
  return {
    runtimeName: name,
    agentRuntimeId: observed.id,
    agentRuntimeArn: observed.arn,
    version: observed.version,
    awsStatus: observed.status,
    failureReason: observed.failureReason,
    roleArn: inputs.roleArn,
    image: inputs.image,
    codeVersion: inputs.codeVersion,
    workloadIdentityArn: observed.workloadIdentityArn,
    endpoints: observed.endpoints.filter((e) => e.name !== 'DEFAULT').map((e) => ({ name: e.name, liveVersion: e.liveVersion, targetVersion: e.targetVersion, status: e.status })),
  };
}

async function applyEndpoints(env: ReconcileEnv, observed: ObservedRuntime, todo: EndpointAction[], uid: string, actions: string[]): Promise<void> {
  const { aws, gate } = env;
  for (const a of todo) {
    if (a.type === 'create') {
      await send(aws.agentcore, new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: observed.id, name: a.name, agentRuntimeVersion: a.version, description: a.description, clientToken: clientToken(uid, observed.id, 'endpoint', a.name, a.version, observed.version) }), gate);
      actions.push(`created endpoint ${a.name} at version ${a.version}`);
    } else if (a.type === 'update') {
      await send(aws.agentcore, new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: observed.id, endpointName: a.name, agentRuntimeVersion: a.version, description: a.description, clientToken: clientToken(uid, observed.id, 'endpoint', a.name, a.version, a.from) }), gate);
      actions.push(`moved endpoint ${a.name} from version ${a.from} to ${a.version}`);
    } else {
      await send(aws.agentcore, new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: observed.id, endpointName: a.name }), gate);
      actions.push(`deleted endpoint ${a.name}`);
    }
  }
}

function lookupOf(object: RuntimeObject, name: string, owner: Owner): RuntimeLookup {
  return {
    name,
    id: object.status?.agentRuntimeId,
    owner,
    adopt: object.metadata.annotations?.[Annotation.adopt] === 'true',
    endpointNames: [...(object.spec.endpoints ?? []).map((e) => e.name), ...(object.status?.endpoints ?? []).map((e) => e.name)],
  };
}

/** The managed role this runtime needs: trusted by AgentCore, allowed exactly what the runtime uses. */
async function managedRoleFor(object: RuntimeObject, env: ReconcileEnv): Promise<ManagedRoleRequest> {
  const { spec } = object;
  const managed = spec.role.managed!;
  const [account, region] = await Promise.all([env.aws.accountId(), env.aws.region()]);
  const inlinePolicy = runtimePolicy({
    region,
    account,
    image: spec.artifact.image,
    code: spec.artifact.code ? { bucket: spec.artifact.code.s3.bucket, prefix: spec.artifact.code.s3.prefix } : undefined,
    memoryArn: spec.memoryRef ? referencedField(env, 'Memory', spec.memoryRef.name, 'memoryArn') : undefined,
    gatewayArn: spec.gatewayRef ? referencedField(env, 'Gateway', spec.gatewayRef.name, 'gatewayArn') : undefined,
    statements: managed.statements as PolicyStatement[] | undefined,
  });
  return managedRoleRequest(env, managed, { trustPolicy: trustPolicy('runtime', account), inlinePolicy }, { adopt: object.metadata.annotations?.[Annotation.adopt] === 'true' });
}

/** The execution role: the one the spec names, or the managed one, created or brought in line now. */
async function executionRole(object: RuntimeObject, env: ReconcileEnv, actions: string[]): Promise<{ roleArn: string; createdAt?: Date }> {
  if (object.spec.role.arn) return { roleArn: object.spec.role.arn };
  const role = await ensureManagedRole(env, await managedRoleFor(object, env));
  actions.push(...role.actions);
  return { roleArn: role.roleArn, ...(role.createdAt ? { createdAt: role.createdAt } : {}) };
}

function referencedInputs(spec: AgentRuntimeSpec, env: ReconcileEnv, roleArn: string): Omit<RuntimeInputs, 'image' | 'codeVersion'> {
  return {
    roleArn,
    codeVersionEnvName: env.settings.codeVersionEnvName,
    ...(spec.memoryRef ? { memoryId: referencedField(env, 'Memory', spec.memoryRef.name, 'memoryId') } : {}),
    ...(spec.gatewayRef ? { gatewayUrl: referencedField(env, 'Gateway', spec.gatewayRef.name, 'gatewayUrl') } : {}),
  };
}

export async function reconcileAgentRuntime(object: RuntimeObject, env: ReconcileEnv): Promise<RuntimeOutcome> {
  const { spec, metadata } = object;
  const { generation, now, uid, status, actions, requeue } = beginRun<AgentRuntimeStatus>(object, env);
  const name = awsNameOf(RUNTIME_RULE, object);
  const previousCodeVersion = status.codeVersion;

  let roleCreatedAt: Date | undefined;
  try {
    const observed = await observeRuntime(env, lookupOf(object, name, env.owner));
    status.lastSyncedAt = now.toISOString();
    // While AWS works on the runtime there is nothing to decide: one Get, and no IAM, ECR or tag reads.
    if (observed && TRANSITIONAL.has(observed.status)) {
      Object.assign(status, { agentRuntimeId: observed.id, agentRuntimeArn: observed.arn, version: observed.version, awsStatus: observed.status });
      return requeue(Reason.WaitingForAWS, `AWS reports the runtime ${observed.status}`);
    }
    const role = await executionRole(object, env, actions);
    roleCreatedAt = role.createdAt;
    const references = referencedInputs(spec, env, role.roleArn);
    const artifact = await resolveArtifact(env.aws, env.gate, spec.artifact, env.memo);
    const inputs: RuntimeInputs = { ...references, image: artifact.image, codeVersion: codeVersion(artifact.fingerprint, metadata.annotations?.[Annotation.restartedAt]) };
    const desired = desiredRuntime(spec, inputs);
    const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };

    if (!observed) {
      // The token is the same for a retry of this very create, so a crash cannot duplicate the
      // runtime; it covers the request, so another create (a rename, a replacement) gets its own; and
      // it names the runtime last seen, so after that one is deleted a new create is not answered with
      // the replay of the old one.
      const token = clientToken(uid, 'create', generation, name, desired, status.agentRuntimeId ?? null);
      const created = await send<{ agentRuntimeId?: string; agentRuntimeArn?: string; agentRuntimeVersion?: string }>(
        env.aws.agentcore,
        new CreateAgentRuntimeCommand({ agentRuntimeName: name, ...desired, tags: desiredTags, clientToken: token } as never),
        env.gate,
      );
      Object.assign(status, { runtimeName: name, agentRuntimeId: created.agentRuntimeId, agentRuntimeArn: created.agentRuntimeArn, version: created.agentRuntimeVersion, awsStatus: 'CREATING' });
      actions.push(`created runtime ${name}`);
      return requeue(Reason.Creating, `Creating runtime ${name}`);
    }
    Object.assign(status, statusOf(observed, name, inputs));

    const changes = diffRuntime(desired, observed.configuration);
    if (changes.some((c) => c.action === 'replace')) {
      if (!spec.allowReplacement) {
        throw new TerminalError('The artifact kind (image or code) of a runtime cannot change in place; set spec.allowReplacement: true to let the operator delete and recreate it', Reason.ReplacementNotAllowed);
      }
      const named = observed.endpoints.filter((e) => e.name !== 'DEFAULT');
      if (named.length > 0) await applyEndpoints(env, observed, named.map((e) => ({ type: 'delete', name: e.name })), uid, actions);
      else {
        await send(env.aws.agentcore, new DeleteAgentRuntimeCommand({ agentRuntimeId: observed.id }), env.gate);
        actions.push(`deleted runtime ${name} to replace it`);
        status.agentRuntimeId = undefined;
      }
      return requeue(Reason.Progressing, 'Replacing the runtime: its artifact kind changed');
    }

    // Without a generation (file mode) every run is an explicit request to apply the spec, so no
    // difference counts as drift; nor does new code (a re-pushed tag, a new S3 object version, a
    // restart request), which is a new desired state even though the spec's generation is the same.
    const codeMoved = previousCodeVersion !== undefined && previousCodeVersion !== inputs.codeVersion;
    const specUnchanged = generation !== undefined && status.observedGeneration === generation && !codeMoved;
    if (changes.length > 0) {
      const paths = changes.map((c) => c.path);
      if (specUnchanged && spec.driftPolicy === 'Report') {
        status.drift = paths;
        status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'True', Reason.DriftDetected, `AWS differs from the spec at ${paths.join(', ')}`, generation, now);
        status.conditions = setCondition(status.conditions, ConditionType.Synced, 'False', Reason.DriftDetected, 'Drift is reported, not corrected (driftPolicy: Report)', generation, now);
      } else {
        await send(env.aws.agentcore, new UpdateAgentRuntimeCommand({ agentRuntimeId: observed.id, ...desired, clientToken: clientToken(uid, observed.id, 'update', observed.version, desired) } as never), env.gate);
        actions.push(`${specUnchanged ? 'corrected drift at' : 'updated'} ${paths.join(', ')} (new version)`);
        if (specUnchanged) status.conditions = setCondition(status.conditions ?? [], ConditionType.Drifted, 'False', Reason.DriftCorrected, `Corrected ${paths.join(', ')}`, generation, now);
        return requeue(Reason.Updating, `Rolling a new version: ${paths.join(', ')} changed`);
      }
    } else if (FAILED.has(observed.status)) {
      throw new TerminalError(`AWS reports ${observed.status}: ${observed.failureReason ?? 'no reason given'}`, Reason.AWSFailed);
    }

    await applyTagChanges(env, observed.arn, desiredTags, observed.tags, actions);

    const wanted = spec.endpoints ?? [];
    const todo = endpointActions(wanted, observed.endpoints, observed.version);
    if (todo.length > 0) {
      await applyEndpoints(env, observed, todo, uid, actions);
      return requeue(Reason.Progressing, `Rolling endpoints: ${todo.map((a) => `${a.type} ${a.name}`).join(', ')}`);
    }
    if (!endpointsSettled(wanted, observed.endpoints, observed.version)) return requeue(Reason.WaitingForAWS, 'Waiting for endpoints to serve their versions');

    const driftReported = Boolean(status.drift?.length) && spec.driftPolicy === 'Report' && changes.length > 0;
    return done(status, driftReported, `Runtime ${name} version ${observed.version} is ready`, generation, now, actions);
  } catch (error) {
    if (retryForRolePropagation(error, roleCreatedAt, now)) return requeue(Reason.WaitingForAWS, 'Waiting for IAM to propagate the new execution role');
    return failure(status, error, generation, now, actions, env.pollMs);
  }
}

/** Deletes the runtime (named endpoints first) unless the object retains it; `done` once it is gone. */
export async function finalizeAgentRuntime(object: RuntimeObject, env: ReconcileEnv): Promise<RuntimeOutcome> {
  const { spec } = object;
  const { generation, now, uid, status, actions, requeue } = beginRun<AgentRuntimeStatus>(object, env);
  if (spec.deletionPolicy === 'Retain') return { status, next: { kind: 'done' }, actions: ['retained the runtime (deletionPolicy: Retain)'] };
  try {
    const name = awsNameOf(RUNTIME_RULE, object);
    const observed = await observeRuntime(env, lookupOf(object, name, env.owner));
    if (!observed) {
      if (spec.role.managed) actions.push(...(await removeManagedRole(env, spec.role.managed.roleName ?? defaultRoleName(env.owner))).actions);
      status.conditions = setCondition(status.conditions ?? [], ConditionType.Ready, 'False', Reason.Deleting, `Runtime ${name} is deleted`, generation, now);
      return { status: { ...status, awsStatus: 'DELETED' }, next: { kind: 'done' }, actions };
    }
    Object.assign(status, { awsStatus: observed.status });
    const named = observed.endpoints.filter((e) => e.name !== 'DEFAULT');
    const settling = named.filter((e) => TRANSITIONAL.has(e.status));
    if (settling.length > 0 || observed.status === 'DELETING') return requeue(Reason.Deleting, `Deleting runtime ${name}`);
    if (named.length > 0) await applyEndpoints(env, observed, named.map((e) => ({ type: 'delete', name: e.name })), uid, actions);
    else {
      await send(env.aws.agentcore, new DeleteAgentRuntimeCommand({ agentRuntimeId: observed.id }), env.gate);
      actions.push(`deleted runtime ${name}`);
    }
    return requeue(Reason.Deleting, `Deleting runtime ${name}`);
  } catch (error) {
    return failure(status, error, generation, now, actions, env.pollMs);
  }
}

/** What reconcile would do, from the same decisions, without a write. */
export async function planAgentRuntime(object: RuntimeObject, env: ReconcileEnv): Promise<ObjectPlan<AgentRuntimeStatus>> {
  const { spec } = object;
  const name = awsNameOf(RUNTIME_RULE, object);
  const references = await referencedInputsForPlan(object, env);
  const observed = await observeRuntime(env, lookupOf(object, name, env.owner));
  const result = (changes: PlannedChange[]): ObjectPlan<AgentRuntimeStatus> => ({ changes, ...(observed ? { observed: { runtimeName: name, agentRuntimeId: observed.id, agentRuntimeArn: observed.arn, version: observed.version, awsStatus: observed.status } } : {}) });
  if (observed && TRANSITIONAL.has(observed.status)) return result([{ action: 'wait', subject: `runtime ${name}`, to: observed.status }]);
  const artifact = await resolveArtifact(env.aws, env.gate, spec.artifact, env.memo);
  const desired = desiredRuntime(spec, { ...references, image: artifact.image, codeVersion: codeVersion(artifact.fingerprint, object.metadata.annotations?.[Annotation.restartedAt]) });
  const desiredTags = { ...spec.tags, ...ownershipTags(env.owner) };
  if (!observed) {
    return result([
      { action: 'create', subject: `runtime ${name}` },
      ...(spec.endpoints ?? []).map((e): PlannedChange => ({ action: 'create', subject: `endpoint ${e.name}`, to: e.version ?? 'latest' })),
    ]);
  }
  const changes = diffRuntime(desired, observed.configuration);
  if (changes.some((c) => c.action === 'replace')) return result([{ action: 'replace', subject: `runtime ${name}`, from: changes[0]!.from, to: changes[0]!.to }]);
  const planned: PlannedChange[] = changes.map((c) => ({ action: 'update', subject: c.path, from: c.from, to: c.to, newVersion: true }));
  planned.push(...plannedTagChanges(desiredTags, observed.tags));
  const latest = planned.some((p) => p.newVersion) ? String(Number(observed.version) + 1) : observed.version;
  for (const a of endpointActions(spec.endpoints ?? [], observed.endpoints, latest)) {
    planned.push(a.type === 'delete' ? { action: 'delete', subject: `endpoint ${a.name}` } : { action: a.type, subject: `endpoint ${a.name}`, ...(a.type === 'update' ? { from: a.from } : {}), to: a.version });
  }
  return result(planned);
}

const UNKNOWN = '(known after apply)';

/** In a plan a reference not yet ready, or a role not yet created, is not an error: its value is simply not known yet. */
async function referencedInputsForPlan(object: RuntimeObject, env: ReconcileEnv): Promise<Omit<RuntimeInputs, 'image' | 'codeVersion'>> {
  const { spec } = object;
  try {
    let roleArn = spec.role.arn ?? UNKNOWN;
    if (spec.role.managed) {
      const planned = await planManagedRole(env, await managedRoleFor(object, env));
      if (!planned.create) roleArn = planned.roleArn;
    }
    return referencedInputs(spec, env, roleArn);
  } catch (error) {
    if (!(error instanceof DependencyNotReady)) throw error;
    return { roleArn: spec.role.arn ?? UNKNOWN, codeVersionEnvName: env.settings.codeVersionEnvName, ...(spec.memoryRef ? { memoryId: UNKNOWN } : {}), ...(spec.gatewayRef ? { gatewayUrl: UNKNOWN } : {}) };
  }
}

export const agentRuntimeReconciler: KindReconciler<AgentRuntimeSpec, AgentRuntimeStatus> = {
  kind: 'AgentRuntime',
  references: (spec) => [
    ...(spec.memoryRef ? [{ kind: 'Memory', name: spec.memoryRef.name, path: 'spec.memoryRef.name' }] : []),
    ...(spec.gatewayRef ? [{ kind: 'Gateway', name: spec.gatewayRef.name, path: 'spec.gatewayRef.name' }] : []),
  ],
  reconcile: reconcileAgentRuntime,
  finalize: finalizeAgentRuntime,
  plan: planAgentRuntime,
};
