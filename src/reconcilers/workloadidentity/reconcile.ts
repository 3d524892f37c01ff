/**
 * WorkloadIdentity: created, read, updated and deleted by name, synchronously; its one setting is the
 * set of OAuth2 return URLs. Its ARN is an ordinary AgentCore ARN, so tags (ownership included) go
 * through the tag APIs.
 */
import {
  CreateWorkloadIdentityCommand, DeleteWorkloadIdentityCommand, GetWorkloadIdentityCommand, UpdateWorkloadIdentityCommand, type CreateWorkloadIdentityResponse, type GetWorkloadIdentityResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { WorkloadIdentitySpec, WorkloadIdentityStatus } from '../../api/v1alpha1/workloadidentity.js';
import { send } from '../../aws/call.js';
import { unlessNotFound } from '../../aws/errors.js';
import { tagsOf } from '../inventory.js';
import { isOwnedBy } from '../ownership.js';
import type { ObservedResource, ResourceKind } from '../resource/kind.js';
import { reconcilerOf } from '../resource/pipeline.js';
import { sameSet } from '../sets.js';

interface ObservedIdentity extends ObservedResource {
  returnUrls: string[];
}

/** The list given replaces the old one; none given leaves none. */
const returnUrlsInput = (urls: string[]) => (urls.length > 0 ? { allowedResourceOauth2ReturnUrls: urls } : {});

export const workloadIdentityKind: ResourceKind<WorkloadIdentitySpec, WorkloadIdentityStatus, string[], ObservedIdentity> = {
  kind: 'WorkloadIdentity',
  noun: 'workload identity',
  short: 'identity',
  references: () => [],
  lifecycle: { working: new Set(), failed: new Set() },
  tagging: 'api',
  replacement: 'refuse',
  permissions: { operations: ['GetWorkloadIdentity', 'CreateWorkloadIdentity', 'UpdateWorkloadIdentity', 'DeleteWorkloadIdentity'] },
  arn: { pattern: /:workload-identity-directory\/[^/]+\/workload-identity\/([^/]+)$/, idField: 'identityName', nameOf: (name) => name },

  async observe({ env, name, object }) {
    const got = await unlessNotFound(send<GetWorkloadIdentityResponse>(env.aws.agentcore, new GetWorkloadIdentityCommand({ name }), env.gate));
    if (!got) return undefined;
    const arn = got.workloadIdentityArn!;
    const tags = await tagsOf(env, arn);
    // Deleted between the Get and this read: it is gone.
    if (!tags) return undefined;
    const owned = object.status?.workloadIdentityArn === arn || isOwnedBy(tags, env.owner);
    return { id: name, arn, name, tags, owned, returnUrls: got.allowedResourceOauth2ReturnUrls ?? [] };
  },
  desired: async ({ spec }) => spec.allowedOAuth2ReturnUrls ?? [],
  diff: (desired, observed) => (sameSet(desired, observed.returnUrls) ? [] : [{ path: 'spec.allowedOAuth2ReturnUrls', from: observed.returnUrls, to: desired }]),
  statusOf: (observed) => ({ identityName: observed.name, workloadIdentityArn: observed.arn }),

  async create({ env, name }, desired, tags) {
    const created = await send<CreateWorkloadIdentityResponse>(env.aws.agentcore, new CreateWorkloadIdentityCommand({ name, ...returnUrlsInput(desired), tags }), env.gate);
    const arn = created.workloadIdentityArn!;
    return { status: { identityName: name, workloadIdentityArn: arn }, observed: { id: name, arn, name, tags, owned: true, returnUrls: desired } };
  },
  async update({ env, name }, desired) {
    await send(env.aws.agentcore, new UpdateWorkloadIdentityCommand({ name, ...returnUrlsInput(desired) }), env.gate);
    return { settled: true };
  },
  async delete({ env, name }) {
    await send(env.aws.agentcore, new DeleteWorkloadIdentityCommand({ name }), env.gate);
  },
  readyMessage: (observed) => `Workload identity ${observed.name} is ready`,
};

export const workloadIdentityReconciler = reconcilerOf(workloadIdentityKind);
