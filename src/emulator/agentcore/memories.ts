/**
 * AgentCore Memory and its strategies. A memory is CREATING, then ACTIVE (or FAILED); an update that
 * touches strategies makes it UPDATING until they settle. Strategies are addressed by the id the
 * service gives them, and get default namespaces when the caller names none. Unlike the runtime,
 * timestamps go on the wire as epoch seconds.
 */
import { epochSeconds } from '../clock.js';
import { randomSuffix } from '../ids.js';
import type { ServiceContext } from '../service.js';
import { arn, conflict, currentStatus, idempotent, notFound, paginate, pending, type PendingStatus, quotaExceeded, regionState, TRANSITIONAL } from './common.js';
import type { OperationFamily } from './index.js';
import { MemoryShapes } from './memory-shapes.js';
import { validationError, type RestCall, type RestOperation } from './rest-json.js';
import { deleteTags, setTags } from './tags.js';

type Json = Record<string, unknown>;
type StrategyType = 'SEMANTIC' | 'SUMMARIZATION' | 'USER_PREFERENCE' | 'CUSTOM' | 'EPISODIC';

interface StrategyRecord {
  strategyId: string;
  name: string;
  type: StrategyType;
  description?: string;
  namespaces: string[];
  namespaceTemplates: string[];
  configuration?: Json;
  memoryRecordSchema?: unknown;
  createdAt: number;
  updatedAt: number;
  status: string;
  pending?: PendingStatus;
}

interface MemoryRecord {
  id: string;
  name: string;
  arn: string;
  description?: string;
  encryptionKeyArn?: string;
  memoryExecutionRoleArn?: string;
  eventExpiryDuration: number;
  indexedKeys?: { key: string; type: string }[];
  streamDeliveryResources?: unknown;
  namespaceKeys?: unknown;
  createdAt: number;
  updatedAt: number;
  status: string;
  failureReason?: string;
  pending?: PendingStatus;
  strategies: StrategyRecord[];
}

const KIND = 'Memory';
const MAX_INDEXED_KEYS = 10;

const STRATEGY_TYPES: Record<string, StrategyType> = {
  semanticMemoryStrategy: 'SEMANTIC',
  summaryMemoryStrategy: 'SUMMARIZATION',
  userPreferenceMemoryStrategy: 'USER_PREFERENCE',
  customMemoryStrategy: 'CUSTOM',
  episodicMemoryStrategy: 'EPISODIC',
};

/** Custom overrides: the OverrideType each produces, and the prefix of its step members (`semanticExtractionOverride`). */
const OVERRIDES: Record<string, { type: string; family: string }> = {
  semanticOverride: { type: 'SEMANTIC_OVERRIDE', family: 'semantic' },
  summaryOverride: { type: 'SUMMARY_OVERRIDE', family: 'summary' },
  userPreferenceOverride: { type: 'USER_PREFERENCE_OVERRIDE', family: 'userPreference' },
  episodicOverride: { type: 'EPISODIC_OVERRIDE', family: 'episodic' },
};

const ACTOR_NAMESPACE = '/strategies/{memoryStrategyId}/actors/{actorId}/';
const SESSION_NAMESPACE = '/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/';

/** AWS documents no defaults for a self-managed strategy given without triggers or a context window; these are ours. */
const SELF_MANAGED_DEFAULTS = { triggerConditions: [{ messageBasedTrigger: { messageCount: 6 } }], historicalContextWindowSize: 4 };

const memories = (ctx: ServiceContext, region: string) => regionState<Record<string, MemoryRecord>>(ctx, region, 'memories', () => ({}));

/** The one member set in a union. */
function onlyMember(union: unknown): [string, Json] {
  const [entry] = Object.entries(union as Json);
  return [entry![0], entry![1] as Json];
}

/** Namespaces and namespaceTemplates mirror each other when only one is given, and default when neither is. */
function namespacesOf(input: Json, fallback: string): { namespaces: string[]; namespaceTemplates: string[] } {
  const namespaces = (input.namespaces ?? input.namespaceTemplates ?? [fallback]) as string[];
  return { namespaces: [...namespaces], namespaceTemplates: [...((input.namespaceTemplates ?? namespaces) as string[])] };
}

const withNamespaces = (input: Json, fallback: string): Json => ({ ...input, ...namespacesOf(input, fallback) });

function defaultNamespace(type: StrategyType, configuration: Json | undefined): string {
  const perSession = type === 'SUMMARIZATION' || type === 'EPISODIC' || configuration?.type === 'SUMMARY_OVERRIDE' || configuration?.type === 'EPISODIC_OVERRIDE';
  return perSession ? SESSION_NAMESPACE : ACTOR_NAMESPACE;
}

/** A custom strategy's input configuration, in the shape GetMemory reports it. */
function customConfiguration(input: Json): Json {
  const [member, body] = onlyMember(input);
  if (member === 'selfManagedConfiguration') return { type: 'SELF_MANAGED', selfManagedConfiguration: { ...SELF_MANAGED_DEFAULTS, ...body } };
  const { type, family } = OVERRIDES[member]!;
  const { extraction, consolidation, reflection } = body as { extraction?: Json; consolidation?: Json; reflection?: Json };
  return {
    type,
    ...(extraction ? { extraction: { customExtractionConfiguration: { [`${family}ExtractionOverride`]: extraction } } } : {}),
    ...(consolidation ? { consolidation: { customConsolidationConfiguration: { [`${family}ConsolidationOverride`]: consolidation } } } : {}),
    ...(reflection ? { reflection: { customReflectionConfiguration: { episodicReflectionOverride: withNamespaces(reflection, ACTOR_NAMESPACE) } } } : {}),
  };
}

function strategyName(input: Json): string {
  return onlyMember(input)[1].name as string;
}

function newStrategy(ctx: ServiceContext, input: Json, then: 'ACTIVE' | 'FAILED'): StrategyRecord {
  const [member, body] = onlyMember(input);
  const type = STRATEGY_TYPES[member]!;
  let configuration: Json | undefined;
  if (type === 'CUSTOM') {
    if (!body.configuration) throw validationError([{ name: `${member}.configuration`, message: 'Member must not be null for a custom strategy' }]);
    configuration = customConfiguration(body.configuration as Json);
  } else if (type === 'EPISODIC') {
    configuration = { reflection: { episodicReflectionConfiguration: withNamespaces((body.reflectionConfiguration ?? {}) as Json, ACTOR_NAMESPACE) } };
  }
  const name = body.name as string;
  const now = ctx.clock.now();
  return {
    strategyId: `${name}-${randomSuffix()}`,
    name,
    type,
    description: body.description as string | undefined,
    ...namespacesOf(body, defaultNamespace(type, configuration)),
    configuration,
    memoryRecordSchema: body.memoryRecordSchema,
    createdAt: now,
    updatedAt: now,
    status: 'CREATING',
    pending: pending(ctx, 'CREATING', then),
  };
}

/** Strategy names are unique within a memory, and a memory holds a limited number of strategies. */
function checkStrategyNames(ctx: ServiceContext, names: string[], field: string): void {
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw validationError([{ name: field, message: `Strategy names must be unique within a memory; ${duplicate} is used twice` }]);
  const limit = ctx.quotas.limit('strategiesPerMemory');
  if (names.length > limit) throw quotaExceeded(`A memory can have at most ${limit} strategies`);
}

/** Applies a ModifyStrategyConfiguration, refusing steps that do not belong to the strategy's kind. */
function modifiedConfiguration(strategy: StrategyRecord, change: Json): Json {
  const configuration: Json = { ...strategy.configuration };
  const family = Object.values(OVERRIDES).find((o) => o.type === configuration.type)?.family;
  const refuse = (step: string) =>
    validationError([{ name: `memoryStrategies.modifyMemoryStrategies.configuration.${step}`, message: `Strategy ${strategy.strategyId} is ${String(configuration.type ?? strategy.type)} and cannot take this ${step} configuration` }]);
  for (const step of ['extraction', 'consolidation', 'reflection'] as const) {
    if (!change[step]) continue;
    const [wrapper, inner] = onlyMember(change[step]);
    if (wrapper === 'episodicReflectionConfiguration') {
      if (strategy.type !== 'EPISODIC') throw refuse(step);
      configuration.reflection = { episodicReflectionConfiguration: withNamespaces(inner, ACTOR_NAMESPACE) };
      continue;
    }
    const [override, body] = onlyMember(inner);
    if (!family || !override.startsWith(family)) throw refuse(step);
    configuration[step] = { [wrapper]: { [override]: step === 'reflection' ? withNamespaces(body, ACTOR_NAMESPACE) : body } };
  }
  if (change.selfManagedConfiguration) {
    if (configuration.type !== 'SELF_MANAGED') throw refuse('selfManagedConfiguration');
    const current = configuration.selfManagedConfiguration as Json;
    const patch = change.selfManagedConfiguration as Json;
    configuration.selfManagedConfiguration = { ...current, ...patch, invocationConfiguration: { ...(current.invocationConfiguration as Json), ...(patch.invocationConfiguration as Json | undefined) } };
  }
  return configuration;
}

function modifiedStrategy(strategy: StrategyRecord, change: Json, now: number): StrategyRecord {
  const next = structuredClone(strategy);
  if (change.description !== undefined) next.description = change.description as string;
  if (change.namespaces || change.namespaceTemplates) Object.assign(next, namespacesOf(change, ACTOR_NAMESPACE));
  if (change.memoryRecordSchema !== undefined) next.memoryRecordSchema = change.memoryRecordSchema;
  if (change.configuration) next.configuration = modifiedConfiguration(strategy, change.configuration as Json);
  next.updatedAt = now;
  return next;
}

/** Applies every status change whose time has come; a memory whose deletion finished is removed. */
function settle(ctx: ServiceContext, region: string, memory: MemoryRecord): MemoryRecord | undefined {
  const now = ctx.clock.now();
  const stuck = ctx.faults.behaviour(KIND, memory.name).stuck === true;
  memory.strategies = memory.strategies.filter((s) => {
    if (!s.pending || !currentStatus(s.pending, now, stuck).settled) return true;
    if (s.pending.status === 'DELETING') return false;
    s.status = s.pending.then;
    s.updatedAt = s.pending.at;
    delete s.pending;
    return true;
  });
  if (memory.pending && currentStatus(memory.pending, now, stuck).settled) {
    if (memory.pending.status === 'DELETING') {
      delete memories(ctx, region)[memory.id];
      deleteTags(ctx, region, memory.arn);
      return undefined;
    }
    memory.status = memory.pending.then;
    memory.updatedAt = memory.pending.at;
    if (memory.pending.failureReason) memory.failureReason = memory.pending.failureReason;
    delete memory.pending;
  }
  return memory;
}

function find(call: RestCall): MemoryRecord {
  const memory = memories(call.ctx, call.region)[call.input.memoryId as string];
  const settled = memory && settle(call.ctx, call.region, memory);
  if (!settled) throw notFound(`Memory ${String(call.input.memoryId)}`);
  return settled;
}

function describeStrategy(s: StrategyRecord) {
  return {
    strategyId: s.strategyId,
    name: s.name,
    description: s.description,
    configuration: s.configuration,
    type: s.type,
    namespaces: s.namespaces,
    namespaceTemplates: s.namespaceTemplates,
    createdAt: epochSeconds(s.createdAt),
    updatedAt: epochSeconds(s.updatedAt),
    status: s.status,
    memoryRecordSchema: s.memoryRecordSchema,
  };
}

/** What GetMemory reports; a copy, since an idempotent answer is kept beside the record it describes. */
function describe(m: MemoryRecord) {
  return structuredClone({
    arn: m.arn,
    id: m.id,
    name: m.name,
    description: m.description,
    encryptionKeyArn: m.encryptionKeyArn,
    memoryExecutionRoleArn: m.memoryExecutionRoleArn,
    eventExpiryDuration: m.eventExpiryDuration,
    status: m.status,
    failureReason: m.failureReason,
    createdAt: epochSeconds(m.createdAt),
    updatedAt: epochSeconds(m.updatedAt),
    strategies: m.strategies.map(describeStrategy),
    indexedKeys: m.indexedKeys,
    streamDeliveryResources: m.streamDeliveryResources,
    namespaceKeys: m.namespaceKeys,
  });
}

function create(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'CreateMemory', input, () => {
    const all = memories(ctx, region);
    for (const m of Object.values(all)) settle(ctx, region, m);
    const name = input.name as string;
    if (Object.values(all).some((m) => m.name === name)) throw conflict(`A memory named ${name} already exists`);
    if (Object.keys(all).length >= ctx.quotas.limit('memoriesPerAccount')) throw quotaExceeded('The number of memories in this account has reached its limit');
    const strategyInputs = (input.memoryStrategies ?? []) as Json[];
    checkStrategyNames(ctx, strategyInputs.map(strategyName), 'memoryStrategies');
    const strategies = strategyInputs.map((s) => newStrategy(ctx, s, 'ACTIVE'));
    const id = `${name}-${randomSuffix()}`;
    const memoryArn = arn(ctx, region, `memory/${id}`);
    if (input.tags) setTags(ctx, region, memoryArn, input.tags as Record<string, string>);
    const failure = ctx.faults.consume(KIND, name, 'failCreate');
    if (failure) for (const s of strategies) s.pending!.then = 'FAILED';
    const now = ctx.clock.now();
    const memory: MemoryRecord = {
      id,
      name,
      arn: memoryArn,
      description: input.description as string | undefined,
      encryptionKeyArn: input.encryptionKeyArn as string | undefined,
      memoryExecutionRoleArn: input.memoryExecutionRoleArn as string | undefined,
      eventExpiryDuration: input.eventExpiryDuration as number,
      indexedKeys: input.indexedKeys as MemoryRecord['indexedKeys'],
      streamDeliveryResources: input.streamDeliveryResources,
      namespaceKeys: input.namespaceKeys,
      createdAt: now,
      updatedAt: now,
      status: 'CREATING',
      pending: pending(ctx, 'CREATING', failure ? 'FAILED' : 'ACTIVE', failure),
      strategies,
    };
    all[id] = memory;
    return { memory: describe(memory) };
  });
}

function withAddedIndexedKeys(memory: MemoryRecord, added: { key: string; type: string }[]): { key: string; type: string }[] {
  const keys = [...(memory.indexedKeys ?? []), ...added];
  const names = keys.map((k) => k.key);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw validationError([{ name: 'addIndexedKeys', message: `The key ${duplicate} is already indexed` }]);
  if (keys.length > MAX_INDEXED_KEYS) throw validationError([{ name: 'addIndexedKeys', message: `A memory can index at most ${MAX_INDEXED_KEYS} keys` }]);
  return keys;
}

function update(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'UpdateMemory', input, () => {
    const memory = find(call);
    if (TRANSITIONAL.has(memory.status)) throw conflict(`The memory is ${memory.status}; wait until it settles before updating it`);
    if (memory.status === 'FAILED') throw conflict('The memory is FAILED; it can only be deleted');
    const changes = (input.memoryStrategies ?? {}) as Json;
    const adds = (changes.addMemoryStrategies ?? []) as Json[];
    const modifies = (changes.modifyMemoryStrategies ?? []) as Json[];
    const deletes = (changes.deleteMemoryStrategies ?? []) as Json[];

    const live = new Map(memory.strategies.filter((s) => s.status !== 'DELETING').map((s) => [s.strategyId, s]));
    const unknown = [...modifies, ...deletes].map((c) => c.memoryStrategyId as string).filter((id) => !live.has(id));
    if (unknown.length > 0) throw validationError([{ name: 'memoryStrategies', message: `This memory has no strategy with id ${[...new Set(unknown)].join(', ')}` }]);
    const deleted = new Set(deletes.map((d) => d.memoryStrategyId as string));
    if (modifies.some((m) => deleted.has(m.memoryStrategyId as string))) throw validationError([{ name: 'memoryStrategies', message: 'A strategy cannot be modified and deleted in the same update' }]);
    const kept = [...live.values()].filter((s) => !deleted.has(s.strategyId));
    checkStrategyNames(ctx, [...kept.map((s) => s.name), ...adds.map(strategyName)], 'memoryStrategies.addMemoryStrategies');
    const now = ctx.clock.now();
    const added = adds.map((s) => newStrategy(ctx, s, 'ACTIVE'));
    const modified = new Map(modifies.map((m) => [m.memoryStrategyId as string, modifiedStrategy(live.get(m.memoryStrategyId as string)!, m, now)]));
    const indexedKeys = input.addIndexedKeys ? withAddedIndexedKeys(memory, input.addIndexedKeys as { key: string; type: string }[]) : memory.indexedKeys;

    memory.strategies = memory.strategies.map((s) => modified.get(s.strategyId) ?? s);
    for (const s of memory.strategies.filter((s) => deleted.has(s.strategyId))) {
      s.status = 'DELETING';
      s.updatedAt = now;
      s.pending = pending(ctx, 'DELETING', 'DELETED');
    }
    memory.strategies.push(...added);
    if (input.description !== undefined) memory.description = input.description as string;
    if (input.eventExpiryDuration !== undefined) memory.eventExpiryDuration = input.eventExpiryDuration as number;
    if (input.memoryExecutionRoleArn !== undefined) memory.memoryExecutionRoleArn = input.memoryExecutionRoleArn as string;
    if (input.streamDeliveryResources !== undefined) memory.streamDeliveryResources = input.streamDeliveryResources;
    if (input.namespaceKeys !== undefined) memory.namespaceKeys = input.namespaceKeys;
    memory.indexedKeys = indexedKeys;
    memory.updatedAt = now;
    if (adds.length + modifies.length + deletes.length > 0) {
      memory.status = 'UPDATING';
      memory.pending = pending(ctx, 'UPDATING', 'ACTIVE');
    }
    return { memory: describe(memory) };
  });
}

function remove(call: RestCall) {
  const { ctx, region, input } = call;
  return idempotent(ctx, region, 'DeleteMemory', input, () => {
    const memory = find(call);
    if (memory.status !== 'DELETING') {
      memory.status = 'DELETING';
      memory.pending = pending(ctx, 'DELETING', 'DELETED');
    }
    return { memoryId: memory.id, status: 'DELETING' };
  });
}

/** The emulator keeps nothing encrypted, so the `view` query (full or without_decryption) changes nothing. */
function get(call: RestCall) {
  return { memory: describe(find(call)) };
}

function list(call: RestCall) {
  const { ctx, region, input } = call;
  const all = Object.values(memories(ctx, region))
    .map((m) => settle(ctx, region, m))
    .filter((m): m is MemoryRecord => m !== undefined)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const { page, nextToken } = paginate(all, input.maxResults, input.nextToken, 100);
  return { memories: page.map((m) => ({ arn: m.arn, id: m.id, status: m.status, createdAt: epochSeconds(m.createdAt), updatedAt: epochSeconds(m.updatedAt) })), nextToken };
}

/** Whether an ARN names a memory here that is not being deleted (for the tagging operations). */
export function ownsMemoryArn(ctx: ServiceContext, region: string, resourceArn: string): boolean {
  const memory = Object.values(memories(ctx, region)).find((m) => m.arn === resourceArn);
  const settled = memory && settle(ctx, region, memory);
  return settled !== undefined && settled.status !== 'DELETING';
}

export const memoryOperations: RestOperation[] = [
  { name: 'CreateMemory', method: 'POST', uri: '/memories/create', code: 202, input: MemoryShapes.CreateMemory, apiClass: 'memoryCreate', handler: create },
  { name: 'GetMemory', method: 'GET', uri: '/memories/{memoryId}/details', code: 200, query: { view: 'view' }, input: MemoryShapes.GetMemory, apiClass: 'memoryGet', handler: get },
  { name: 'UpdateMemory', method: 'PUT', uri: '/memories/{memoryId}/update', code: 202, input: MemoryShapes.UpdateMemory, apiClass: 'memoryUpdate', handler: update },
  { name: 'DeleteMemory', method: 'DELETE', uri: '/memories/{memoryId}/delete', code: 202, query: { clientToken: 'clientToken' }, input: MemoryShapes.DeleteMemory, apiClass: 'memoryDelete', handler: remove },
  { name: 'ListMemories', method: 'POST', uri: '/memories/', code: 200, input: MemoryShapes.ListMemories, apiClass: 'memoryList', handler: list },
];

export const memoryFamily: OperationFamily = { operations: memoryOperations, ownsArn: ownsMemoryArn, throttlingCode: 'ThrottledException', serverErrorCode: 'ServiceException' };
