/**
 * Memory: one UpdateMemory carries every strategy added, modified and deleted and every changed
 * setting; tags go through the tag APIs. A memory's strategies settle on their own after an update,
 * and until they do nothing else changes.
 */
import { CreateMemoryCommand, DeleteMemoryCommand, UpdateMemoryCommand, type CreateMemoryOutput, type MemoryStrategy } from '@aws-sdk/client-bedrock-agentcore-control';
import type { MemorySpec, MemoryStatus } from '../../api/v1alpha1/memory.js';
import { send } from '../../aws/call.js';
import type { ObjectOf, Outcome, PlannedChange } from '../kind.js';
import type { ObservedResource, ResourceKind } from '../resource/kind.js';
import { nameOfId } from '../resource/locate.js';
import { reconcilerOf } from '../resource/pipeline.js';
import { clientToken, TRANSITIONAL } from '../steps.js';
import { createInput, desiredMemory, type DesiredMemory } from './desired.js';
import { desiredLabel, diffMemory } from './diff.js';
import { observeMemory, type ObservedMemory } from './observe.js';

export type MemoryObject = ObjectOf<MemorySpec, MemoryStatus>;
export type MemoryOutcome = Outcome<MemoryStatus>;

type Observed = ObservedMemory & ObservedResource;

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

const STRATEGY_PATH = /^spec\.strategies\[(.+)\]$/;

export const memoryKind: ResourceKind<MemorySpec, MemoryStatus, DesiredMemory, Observed> = {
  kind: 'Memory',
  noun: 'memory',
  short: 'memory',
  references: () => [],
  lifecycle: { working: TRANSITIONAL, failed: new Set(), dead: new Set(['FAILED']) },
  tagging: 'api',
  replacement: 'refuse',
  permissions: { operations: ['GetMemory', 'ListMemories', 'CreateMemory', 'UpdateMemory', 'DeleteMemory'] },
  refusal: (changes) => `${changes.map((c) => c.path).join(' and ')} cannot change in place, and the operator does not replace memories; delete the memory to have it created again`,
  role: { of: (spec) => spec.role, service: 'memory' },
  arn: { pattern: /:memory\/([^/]+)$/, idField: 'memoryId', nameOf: nameOfId },

  async observe({ env, name, object }) {
    const observed = await observeMemory(env, { name, id: object.status?.memoryId, owner: env.owner });
    return observed && { ...observed, state: observed.status };
  },
  desired: async ({ spec, name }, roleArn) => desiredMemory(spec, name, roleArn),
  diff: (desired, observed) => diffMemory(desired, observed).changes.map((c) => ({ path: c.path, from: c.from, to: c.to, ...(c.action === 'replace' ? { replace: true } : {}) })),
  statusOf: (observed) => ({
    memoryName: observed.name,
    memoryId: observed.id,
    memoryArn: observed.arn,
    roleArn: observed.memoryExecutionRoleArn,
    awsStatus: observed.status,
    failureReason: observed.failureReason,
    strategies: strategiesOf(observed.strategies),
  }),

  // The token is the same for a retry of this very create, so a crash cannot duplicate the memory; it
  // covers the whole request, tags too, so another create (a rename, another source's) gets its own;
  // and it names the memory last seen, so after that one is deleted a new create is not answered with
  // the replay of the old one.
  async create({ env, run, object }, desired, tags) {
    const input = createInput(desired);
    const token = clientToken(run.uid, 'create', run.generation ?? null, input, tags, object.status?.memoryId ?? null);
    const { memory } = await send<CreateMemoryOutput>(env.aws.agentcore, new CreateMemoryCommand({ ...input, tags, clientToken: token }), env.gate);
    return {
      status: {
        memoryName: desired.name,
        memoryId: memory?.id,
        memoryArn: memory?.arn,
        roleArn: memory?.memoryExecutionRoleArn,
        awsStatus: memory?.status ?? 'CREATING',
        failureReason: undefined,
        strategies: strategiesOf(memory?.strategies ?? []),
      },
    };
  },
  async update({ env, run }, desired, observed) {
    const { update } = diffMemory(desired, observed);
    const token = clientToken(run.uid, observed.id, 'update', observed.updatedAt ?? null, update);
    await send(env.aws.agentcore, new UpdateMemoryCommand({ memoryId: observed.id, ...update, clientToken: token }), env.gate);
    return { settled: false };
  },
  async delete({ env, run }, observed) {
    await send(env.aws.agentcore, new DeleteMemoryCommand({ memoryId: observed.id, clientToken: clientToken(run.uid, observed.id, 'delete') }), env.gate);
  },
  settling(observed) {
    const settling = observed.strategies.filter((s) => s.status === 'CREATING' || s.status === 'DELETING');
    return settling.length > 0 ? `Waiting for strategies ${settling.map((s) => `${s.name} (${s.status})`).join(', ')}` : undefined;
  },
  unhealthy(observed) {
    const failed = observed.strategies.filter((s) => s.status !== 'ACTIVE');
    return failed.length > 0 ? `AWS reports strategies ${failed.map((s) => `${s.name} ${s.status ?? 'without a status'}`).join(', ')}` : undefined;
  },
  readyMessage: (observed) => `Memory ${observed.name} is ACTIVE with ${observed.strategies.length} ${observed.strategies.length === 1 ? 'strategy' : 'strategies'}`,

  planCreate: (desired) => desired.strategies.map((s): PlannedChange => ({ action: 'create', scope: 'part', subject: `strategy ${s.name}`, to: desiredLabel(s) })),
  planChange(c) {
    const strategy = STRATEGY_PATH.exec(c.path)?.[1];
    if (strategy !== undefined && c.from === undefined) return { action: 'create', scope: 'part', subject: `strategy ${strategy}`, to: c.to };
    if (strategy !== undefined && c.to === undefined) return { action: 'delete', scope: 'part', subject: `strategy ${strategy}`, from: c.from };
    return { action: 'update', scope: 'part', subject: c.path, from: c.from, to: c.to };
  },
};

export const memoryReconciler = reconcilerOf(memoryKind);
export const reconcileMemory = memoryReconciler.reconcile;
export const finalizeMemory = memoryReconciler.finalize;
export const planMemory = memoryReconciler.plan!;
