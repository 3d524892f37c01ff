/**
 * Gateway: an update is a full replacement built from the spec (plus what AWS holds in members the
 * spec does not model). AWS deletes a gateway only once it has no targets, so a delete waits for the
 * targets' own objects to delete them (and for any made out of band to be removed) rather than
 * deleting targets it does not manage.
 */
import { CreateGatewayCommand, DeleteGatewayCommand, UpdateGatewayCommand, type CreateGatewayResponse } from '@aws-sdk/client-bedrock-agentcore-control';
import type { GatewaySpec, GatewayStatus } from '../../api/v1alpha1/gateway.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import type { ObjectOf, Outcome } from '../kind.js';
import type { FieldChange, ObservedResource, ResourceKind } from '../resource/kind.js';
import { nameOfId } from '../resource/locate.js';
import { reconcilerOf } from '../resource/pipeline.js';
import { clientToken, TRANSITIONAL } from '../steps.js';
import { desiredGateway, type DesiredGatewayConfiguration } from './desired.js';
import { diffGateway, GATEWAY_CARRIED, GATEWAY_MODEL } from './diff.js';
import { carryUnmodelled } from './normalise.js';
import { listTargets, observeGateway, type ObservedGateway } from './observe.js';

export type GatewayObject = ObjectOf<GatewaySpec, GatewayStatus>;
export type GatewayOutcome = Outcome<GatewayStatus>;

type Observed = ObservedGateway & ObservedResource;

const FAILED = new Set(['FAILED', 'UPDATE_UNSUCCESSFUL']);

function refusal([change]: FieldChange[]): string {
  if (change!.path === 'spec.gatewayName') {
    return `The gateway is named ${String(change!.from)} and its name cannot change to ${String(change!.to)}; delete the object and create it again to get a new gateway`;
  }
  // AWS refuses a new authorizer type on an existing gateway, and a new gateway would have a new URL
  // and none of the targets: the operator does not do that on its own.
  return `The authorizer type of a gateway cannot change in place (${String(change!.from)} to ${String(change!.to)}); a new gateway would have a new URL and no targets, so delete this object and create it again with the new type`;
}

export const gatewayKind: ResourceKind<GatewaySpec, GatewayStatus, DesiredGatewayConfiguration, Observed> = {
  kind: 'Gateway',
  noun: 'gateway',
  short: 'gateway',
  references: () => [],
  lifecycle: { working: TRANSITIONAL, failed: FAILED },
  tagging: 'api',
  replacement: 'refuse',
  permissions: { operations: ['GetGateway', 'ListGateways', 'ListGatewayTargets', 'CreateGateway', 'UpdateGateway', 'DeleteGateway'] },
  refusal,
  // A gateway does not know its targets, so what it may call (a Lambda function, say) is granted there.
  role: { of: (spec) => spec.role, service: 'gateway' },
  arn: { pattern: /:gateway\/([^/]+)$/, idField: 'gatewayId', nameOf: nameOfId },

  async observe({ env, name, object }) {
    const observed = await observeGateway(env, { name, id: object.status?.gatewayId, owner: env.owner });
    return observed && { ...observed, state: observed.status, ...(FAILED.has(observed.status) ? { failureReason: observed.statusReasons?.join('; ') ?? 'no reason given' } : {}) };
  },
  desired: async ({ spec }, roleArn) => desiredGateway(spec, roleArn!),
  diff(desired, observed, { name }) {
    if (observed.name !== name) return [{ path: 'spec.gatewayName', from: observed.name, to: name, replace: true }];
    return diffGateway(desired, observed.configuration).map((c) => ({ path: c.path, from: c.from, to: c.to, ...(c.action === 'replace' ? { replace: true } : {}) }));
  },
  statusOf: (observed) => ({
    gatewayName: observed.name,
    gatewayId: observed.id,
    gatewayArn: observed.arn,
    gatewayUrl: observed.url,
    roleArn: observed.configuration.roleArn as string | undefined,
    awsStatus: observed.status,
    statusReasons: observed.statusReasons,
    failureReason: FAILED.has(observed.status) ? (observed.statusReasons?.join('; ') ?? 'no reason given') : undefined,
    workloadIdentityArn: observed.workloadIdentityArn,
  }),

  // The token is the same for a retry of this very create, so a crash cannot make a second gateway. It
  // names the gateway last seen, so a gateway deleted out of band is created anew instead of being
  // answered with the replay of the old create.
  async create({ env, run, name, object }, desired, tags) {
    const token = clientToken(run.uid, 'CreateGateway', name, desired, tags, object.status?.gatewayId ?? null);
    const created = await send<CreateGatewayResponse>(env.aws.agentcore, new CreateGatewayCommand({ name, ...desired, tags, clientToken: token }), env.gate);
    return {
      status: {
        gatewayName: name,
        gatewayId: created.gatewayId,
        gatewayArn: created.gatewayArn,
        gatewayUrl: created.gatewayUrl,
        roleArn: desired.roleArn as string,
        awsStatus: created.status ?? 'CREATING',
        statusReasons: undefined,
        failureReason: undefined,
        workloadIdentityArn: created.workloadIdentityDetails?.workloadIdentityArn,
      },
    };
  },
  async update({ env }, desired, observed) {
    const body = carryUnmodelled(desired, observed.configuration, GATEWAY_MODEL, GATEWAY_CARRIED);
    await send(env.aws.agentcore, new UpdateGatewayCommand({ gatewayIdentifier: observed.id, name: observed.name, ...body }), env.gate);
    return { settled: false };
  },
  async delete({ env }, observed) {
    await send(env.aws.agentcore, new DeleteGatewayCommand({ gatewayIdentifier: observed.id }), env.gate);
  },
  async beforeDelete({ env, name }, observed) {
    const targets = await listTargets(env.aws, env.gate, observed.id);
    if (targets.length === 0) return undefined;
    const names = targets.map((t) => t.name ?? t.targetId ?? '?').sort().join(', ');
    return { reason: Reason.DependencyNotReady, message: `Gateway ${name} still has ${targets.length} target(s): ${names}; AWS deletes a gateway only once its targets are gone` };
  },
  readyMessage: (observed) => `Gateway ${observed.name} is ready`,
};

export const gatewayReconciler = reconcilerOf(gatewayKind);
export const reconcileGateway = gatewayReconciler.reconcile;
export const finalizeGateway = gatewayReconciler.finalize;
export const planGateway = gatewayReconciler.plan!;
