/**
 * What AWS holds for a memory: its settings, its strategies and its tags. A memory is found by the id
 * recorded in status, or else by name. ListMemories reports no names, but a memory's id is its name,
 * a hyphen and ten letters or digits, so candidates are picked by that prefix and confirmed with
 * GetMemory. Whether one found by name is ours (ownership tags) is reported, for the caller to decide.
 */
import {
  GetMemoryCommand, ListMemoriesCommand, type GetMemoryOutput, type Memory, type MemorySummary,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { allPages } from '../../aws/pages.js';
import { send, type RateGate } from '../../aws/call.js';
import type { AwsClients } from '../../aws/clients.js';
import { unlessNotFound } from '../../aws/errors.js';
import type { Memo } from '../memo.js';
import { tagsOf } from '../inventory.js';
import type { ReconcileEnv } from '../kind.js';
import { isOwnedBy, type Owner } from '../ownership.js';
import type { MemoryState } from './diff.js';
import { TRANSITIONAL } from '../steps.js';
import { locate } from '../resource/locate.js';

export interface ObservedMemory extends MemoryState {
  id: string;
  arn: string;
  status: string;
  failureReason?: string;
  /** When AWS last changed the memory, in milliseconds; part of an update's clientToken. */
  updatedAt?: number;
  /** Undefined when not read: a memory found by its recorded id is not asked for tags while AWS works on it. */
  tags?: Record<string, string>;
  foundByName: boolean;
  /** Whether it carries this object's ownership tags (assumed for one found by its recorded id). */
  owned: boolean;
}

export interface MemoryLookup {
  name: string;
  /** The id recorded in status by an earlier reconcile. */
  id?: string;
  owner: Owner;
}


async function getMemory(aws: AwsClients, gate: RateGate | undefined, id: string): Promise<Memory | undefined> {
  return (await unlessNotFound(send<GetMemoryOutput>(aws.agentcore, new GetMemoryCommand({ memoryId: id }), gate)))?.memory;
}

async function listMemories(aws: AwsClients, gate: RateGate | undefined): Promise<MemorySummary[]> {
  return allPages(async (nextToken) => {
    const page = await send<{ memories?: MemorySummary[]; nextToken?: string }>(aws.agentcore, new ListMemoriesCommand({ maxResults: 100, nextToken }), gate);
    return { items: page.memories, next: page.nextToken };
  });
}

/** How long one listing of the account's memories serves the objects looking for theirs by name. */
const LISTING_TTL_MS = 5000;
const MEMORY_LISTING_KEY = 'agentcore:memories';

/** The memory named `name`: candidates by id prefix, one not being deleted first, confirmed by GetMemory. */
async function findByName(aws: AwsClients, gate: RateGate | undefined, name: string, memo: Memo | undefined): Promise<Memory | undefined> {
  const listing = await (memo ? memo.get(MEMORY_LISTING_KEY, LISTING_TTL_MS, () => listMemories(aws, gate)) : listMemories(aws, gate));
  const idOfName = new RegExp(`^${name.replace(/[^a-zA-Z0-9_]/g, '\\$&')}-[a-zA-Z0-9]{10}$`);
  const candidates = listing.filter((m) => m.id && idOfName.test(m.id)).sort((a, b) => Number(a.status === 'DELETING') - Number(b.status === 'DELETING'));
  for (const candidate of candidates) {
    const memory = await getMemory(aws, gate, candidate.id!);
    if (memory?.name === name) return memory;
  }
  return undefined;
}

export async function observeMemory(env: ReconcileEnv, lookup: MemoryLookup): Promise<ObservedMemory | undefined> {
  const { aws, gate } = env;
  const found = await locate(env, lookup, { get: (id) => getMemory(aws, gate, id), nameOf: (m) => m.name, byName: () => findByName(aws, gate, lookup.name, env.memo), arnType: 'memory' });
  if (!found) return undefined;
  const { resource: memory, foundByName } = found;
  const observed: Omit<ObservedMemory, 'owned' | 'foundByName'> = {
    id: memory.id!,
    arn: memory.arn!,
    name: memory.name!,
    status: memory.status!,
    ...(memory.failureReason ? { failureReason: memory.failureReason } : {}),
    ...(memory.description !== undefined ? { description: memory.description } : {}),
    ...(memory.encryptionKeyArn !== undefined ? { encryptionKeyArn: memory.encryptionKeyArn } : {}),
    ...(memory.memoryExecutionRoleArn !== undefined ? { memoryExecutionRoleArn: memory.memoryExecutionRoleArn } : {}),
    eventExpiryDuration: memory.eventExpiryDuration!,
    ...(memory.updatedAt ? { updatedAt: memory.updatedAt.getTime() } : {}),
    strategies: memory.strategies ?? [],
  };
  if (!foundByName && TRANSITIONAL.has(observed.status)) return { ...observed, foundByName, owned: true };
  const tags = await tagsOf(env, observed.arn);
  // Deleted between the Get and this read: it is gone.
  if (!tags) return undefined;
  return { ...observed, tags, foundByName, owned: isOwnedBy(tags, lookup.owner) };
}
