/**
 * AgentRuntime: every update mints a version; the runtime's named endpoints then follow the versions
 * the spec gives them (`latest` follows the newest). An image tag is resolved to its digest and an S3
 * object to its version, and that fingerprint goes into the session-restart variable, so new code
 * behind the same spec is a new version. The artifact kind (image or code) cannot change in place.
 */
import {
  CreateAgentRuntimeCommand, CreateAgentRuntimeEndpointCommand, DeleteAgentRuntimeCommand, DeleteAgentRuntimeEndpointCommand, UpdateAgentRuntimeCommand, UpdateAgentRuntimeEndpointCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { Annotation } from '../../api/meta.js';
import type { AgentRuntimeSpec, AgentRuntimeStatus } from '../../api/v1alpha1/agentruntime.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import { runtimePolicy, type PolicyStatement } from '../iam/index.js';
import type { ObjectOf, Outcome, PlannedChange } from '../kind.js';
import type { Context, ObservedResource, ResourceKind } from '../resource/kind.js';
import { nameOfId } from '../resource/locate.js';
import { reconcilerOf, referenced } from '../resource/pipeline.js';
import { clientToken, TRANSITIONAL } from '../steps.js';
import { codeVersion, resolveArtifact } from './artifact.js';
import { desiredRuntime, type DesiredRuntimeConfiguration, type RuntimeInputs } from './desired.js';
import { diffRuntime } from './diff.js';
import { endpointActions, endpointsSettled, type EndpointAction } from './endpoints.js';
import { observeRuntime, type ObservedRuntime } from './observe.js';
import { runtimePermissions } from './permissions.js';

export type RuntimeObject = ObjectOf<AgentRuntimeSpec, AgentRuntimeStatus>;
export type RuntimeOutcome = Outcome<AgentRuntimeStatus>;

type Observed = ObservedRuntime & ObservedResource;
type Ctx = Context<AgentRuntimeSpec, AgentRuntimeStatus>;

interface DesiredRuntime {
  body: DesiredRuntimeConfiguration;
  inputs: RuntimeInputs;
}

const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED']);

async function applyEndpoints({ env, run }: Ctx, observed: Observed, todo: EndpointAction[]): Promise<void> {
  const { aws, gate } = env;
  for (const a of todo) {
    if (a.type === 'create') {
      await send(aws.agentcore, new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: observed.id, name: a.name, agentRuntimeVersion: a.version, description: a.description, clientToken: clientToken(run.uid, observed.id, 'endpoint', a.name, a.version, observed.version) }), gate);
      run.actions.push(`created endpoint ${a.name} at version ${a.version}`);
    } else if (a.type === 'update') {
      await send(aws.agentcore, new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: observed.id, endpointName: a.name, agentRuntimeVersion: a.version, description: a.description, clientToken: clientToken(run.uid, observed.id, 'endpoint', a.name, a.version, a.from) }), gate);
      run.actions.push(`moved endpoint ${a.name} from version ${a.from} to ${a.version}`);
    } else {
      await send(aws.agentcore, new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: observed.id, endpointName: a.name }), gate);
      run.actions.push(`deleted endpoint ${a.name}`);
    }
  }
}

const namedEndpoints = (observed: Observed) => observed.endpoints.filter((e) => e.name !== 'DEFAULT');

/** The managed role's policy: exactly what the runtime uses (its image or code, memory, gateway), plus the spec's statements. */
async function rolePolicy(ctx: Ctx) {
  const { spec, env } = ctx;
  const [account, region] = await Promise.all([env.aws.accountId(), env.aws.region()]);
  return runtimePolicy({
    region,
    account,
    image: spec.artifact.image,
    code: spec.artifact.code ? { bucket: spec.artifact.code.s3.bucket, prefix: spec.artifact.code.s3.prefix } : undefined,
    memoryArn: spec.memoryRef ? referenced(ctx, 'Memory', spec.memoryRef.name, 'memoryArn') : undefined,
    gatewayArn: spec.gatewayRef ? referenced(ctx, 'Gateway', spec.gatewayRef.name, 'gatewayArn') : undefined,
    statements: spec.role.managed!.statements as PolicyStatement[] | undefined,
  });
}

export const agentRuntimeKind: ResourceKind<AgentRuntimeSpec, AgentRuntimeStatus, DesiredRuntime, Observed> = {
  kind: 'AgentRuntime',
  noun: 'runtime',
  short: 'runtime',
  references: (spec) => [
    ...(spec.memoryRef ? [{ kind: 'Memory', name: spec.memoryRef.name, path: 'spec.memoryRef.name' }] : []),
    ...(spec.gatewayRef ? [{ kind: 'Gateway', name: spec.gatewayRef.name, path: 'spec.gatewayRef.name' }] : []),
  ],
  lifecycle: { working: TRANSITIONAL, failed: FAILED },
  tagging: 'api',
  replacement: 'spec',
  permissions: runtimePermissions,
  refusal: () => 'The artifact kind (image or code) of a runtime cannot change in place; set spec.allowReplacement: true to let the operator delete and recreate it',
  replacedBecause: () => 'its artifact kind changed',
  role: { of: (spec) => spec.role, service: 'runtime', policy: rolePolicy },
  arn: { pattern: /:runtime\/([^/]+)$/, idField: 'agentRuntimeId', nameOf: nameOfId },

  async observe({ env, name, object }) {
    const endpointNames = [...(object.spec.endpoints ?? []).map((e) => e.name), ...(object.status?.endpoints ?? []).map((e) => e.name)];
    const observed = await observeRuntime(env, { name, id: object.status?.agentRuntimeId, owner: env.owner, endpointNames });
    return observed && { ...observed, name: nameOfId(observed.id), state: observed.status };
  },
  async desired(ctx, roleArn) {
    const { spec, env, object } = ctx;
    const artifact = await resolveArtifact(env.aws, env.gate, spec.artifact, env.memo, env.settings.sharedReadMs);
    const inputs: RuntimeInputs = {
      roleArn: roleArn!,
      codeVersionEnvName: env.settings.codeVersionEnvName,
      ...(spec.memoryRef ? { memoryId: referenced(ctx, 'Memory', spec.memoryRef.name, 'memoryId') } : {}),
      ...(spec.gatewayRef ? { gatewayUrl: referenced(ctx, 'Gateway', spec.gatewayRef.name, 'gatewayUrl') } : {}),
      image: artifact.image,
      codeVersion: codeVersion(artifact.fingerprint, object.metadata.annotations?.[Annotation.restartedAt]),
    };
    return { body: desiredRuntime(spec, inputs), inputs };
  },
  // New code (a re-pushed tag, a new S3 object version, a restart request) is a new desired state
  // though the spec's generation is the same: applied, never reported as drift.
  inputs: { of: (desired) => desired.inputs.codeVersion ?? '', recorded: (status) => status.codeVersion },
  diff: (desired, observed) => diffRuntime(desired.body, observed.configuration).map((c) => ({ path: c.path, from: c.from, to: c.to, ...(c.action === 'replace' ? { replace: true } : {}) })),
  statusOf: (observed, { name }) => ({
    runtimeName: name,
    agentRuntimeId: observed.id,
    agentRuntimeArn: observed.arn,
    version: observed.version,
    awsStatus: observed.status,
    failureReason: observed.failureReason,
    workloadIdentityArn: observed.workloadIdentityArn,
    image: (observed.configuration.agentRuntimeArtifact as { containerConfiguration?: { containerUri?: string } } | undefined)?.containerConfiguration?.containerUri,
    endpoints: namedEndpoints(observed).map((e) => ({ name: e.name, liveVersion: e.liveVersion, targetVersion: e.targetVersion, status: e.status })),
  }),
  desiredStatus: ({ inputs }) => ({ roleArn: inputs.roleArn, image: inputs.image, codeVersion: inputs.codeVersion }),

  // The token is the same for a retry of this very create, so a crash cannot duplicate the runtime; it
  // covers the request, so another create (a rename, a replacement) gets its own; and it names the
  // runtime last seen, so after that one is deleted a new create is not answered with the replay of
  // the old one.
  async create({ env, run, name, object }, desired, tags) {
    const token = clientToken(run.uid, 'create', run.generation, name, desired.body, tags, object.status?.agentRuntimeId ?? null);
    const created = await send<{ agentRuntimeId?: string; agentRuntimeArn?: string; agentRuntimeVersion?: string }>(
      env.aws.agentcore,
      new CreateAgentRuntimeCommand({ agentRuntimeName: name, ...desired.body, tags, clientToken: token }),
      env.gate,
    );
    return { status: { runtimeName: name, agentRuntimeId: created.agentRuntimeId, agentRuntimeArn: created.agentRuntimeArn, version: created.agentRuntimeVersion, awsStatus: 'CREATING' } };
  },
  async update({ env, run }, desired, observed) {
    const token = clientToken(run.uid, observed.id, 'update', observed.version, desired.body);
    await send(env.aws.agentcore, new UpdateAgentRuntimeCommand({ agentRuntimeId: observed.id, ...desired.body, clientToken: token }), env.gate);
    return { settled: false };
  },
  updateWords: ' (new version)',
  async delete({ env }, observed) {
    await send(env.aws.agentcore, new DeleteAgentRuntimeCommand({ agentRuntimeId: observed.id }), env.gate);
  },
  // Named endpoints go first; AWS removes DEFAULT with the runtime.
  async beforeDelete(ctx, observed) {
    const named = namedEndpoints(observed);
    if (named.length === 0) return undefined;
    if (!named.some((e) => TRANSITIONAL.has(e.status))) await applyEndpoints(ctx, observed, named.map((e) => ({ type: 'delete', name: e.name })));
    return { reason: Reason.Deleting, message: `Deleting runtime ${ctx.name}` };
  },
  async afterSync(ctx, observed) {
    const wanted = ctx.spec.endpoints ?? [];
    const todo = endpointActions(wanted, observed.endpoints, observed.version);
    if (todo.length > 0) {
      await applyEndpoints(ctx, observed, todo);
      return `Rolling endpoints: ${todo.map((a) => `${a.type} ${a.name}`).join(', ')}`;
    }
    if (!endpointsSettled(wanted, observed.endpoints, observed.version)) return 'Waiting for endpoints to serve their versions';
    return undefined;
  },
  readyMessage: (observed, { name }) => `Runtime ${name} version ${observed.version} is ready`,

  planCreate: (_desired, { spec }) => (spec.endpoints ?? []).map((e): PlannedChange => ({ action: 'create', scope: 'part', subject: `endpoint ${e.name}`, to: e.version ?? 'latest' })),
  planChange: (c) => ({ action: 'update', scope: 'part', subject: c.path, from: c.from, to: c.to, newVersion: true }),
  planAfterSync({ spec }, observed, planned) {
    const latest = planned.some((p) => p.newVersion) ? String(Number(observed.version) + 1) : observed.version;
    return endpointActions(spec.endpoints ?? [], observed.endpoints, latest).map((a): PlannedChange =>
      a.type === 'delete' ? { action: 'delete', scope: 'part', subject: `endpoint ${a.name}` } : { action: a.type, scope: 'part', subject: `endpoint ${a.name}`, ...(a.type === 'update' ? { from: a.from } : {}), to: a.version });
  },
};

export const agentRuntimeReconciler = reconcilerOf(agentRuntimeKind);
export const reconcileAgentRuntime = agentRuntimeReconciler.reconcile;
export const finalizeAgentRuntime = agentRuntimeReconciler.finalize;
export const planAgentRuntime = agentRuntimeReconciler.plan!;
