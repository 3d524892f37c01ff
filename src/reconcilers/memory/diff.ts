/**
 * Desired against observed memory, in the spec's terms, and the one UpdateMemory body that closes the
 * gap. Strategies are matched by name: a new name is added, a gone name deleted, a same-named one
 * modified by its observed strategy id, or deleted and added again when its kind changed (or when an
 * override step was removed, which no modify can express). What AWS fills in when the spec says
 * nothing (default namespaces, self-managed triggers) is not a difference; nor is a member the spec
 * leaves out that the API cannot clear (description, execution role). Pure.
 */
import type {
  MemoryStrategy, ModifyMemoryStrategyInput, ModifySelfManagedConfiguration, ModifyStrategyConfiguration, UpdateMemoryInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { STRATEGY_TYPES, type StrategyKind } from '../../api/v1alpha1/memory.js';
import {
  CUSTOM_VARIANTS, prompt, triggerInput, type CustomVariant, type DesiredMemory, type DesiredStrategy, type OverrideStep, type PromptSpec, type PromptVariant,
} from './desired.js';

/** The parts of GetMemory's answer a spec decides. */
export interface MemoryState {
  name: string;
  description?: string;
  encryptionKeyArn?: string;
  memoryExecutionRoleArn?: string;
  eventExpiryDuration: number;
  strategies: MemoryStrategy[];
}

export interface MemoryChange {
  /** Where the difference is, in spec terms (`spec.strategies[facts].semantic.namespaces`). */
  path: string;
  from: unknown;
  to: unknown;
  /** `update` goes into UpdateMemory; `replace` would need the memory deleted and created again. */
  action: 'update' | 'replace';
}

export type MemoryUpdate = Pick<UpdateMemoryInput, 'description' | 'eventExpiryDuration' | 'memoryExecutionRoleArn' | 'memoryStrategies'>;

export interface MemoryDiff {
  changes: MemoryChange[];
  /** The UpdateMemory body (without memoryId and clientToken) for the `update` changes; none when there are none. */
  update?: MemoryUpdate;
}

export const ACTOR_NAMESPACE = '/strategies/{memoryStrategyId}/actors/{actorId}/';
export const SESSION_NAMESPACE = '/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/';
/** What the service filled in before it templated its defaults. */
const LEGACY_NAMESPACE = 'default';

/** The namespace AWS gives a strategy that names none: per session for summaries and episodes, per actor otherwise. */
export function defaultNamespace(type: string, overrideType?: string): string {
  const perSession = type === 'SUMMARIZATION' || type === 'EPISODIC' || overrideType === 'SUMMARY_OVERRIDE' || overrideType === 'EPISODIC_OVERRIDE';
  return perSession ? SESSION_NAMESPACE : ACTOR_NAMESPACE;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

function isServerDefault(namespaces: string[] | undefined, fallback: string): boolean {
  if (!namespaces || namespaces.length === 0) return true;
  return namespaces.length === 1 && [trimSlash(fallback), LEGACY_NAMESPACE].includes(trimSlash(namespaces[0]!));
}

/** Whether namespaces differ; a spec that gives none accepts whatever default AWS filled in. */
function namespacesDiffer(want: string[] | undefined, have: string[] | undefined, fallback: string): boolean {
  if (want === undefined) return !isServerDefault(have, fallback);
  return JSON.stringify(want) !== JSON.stringify(have ?? []);
}

const KIND_OF_TYPE = Object.fromEntries(Object.entries(STRATEGY_TYPES).map(([k, t]) => [t, k])) as Record<string, StrategyKind>;
const VARIANT_OF_OVERRIDE = Object.fromEntries(Object.entries(CUSTOM_VARIANTS).map(([v, { overrideType }]) => [overrideType, v])) as Record<string, CustomVariant>;

/** A strategy's kind in spec terms: `semantic`, `custom.selfManaged`. */
export function desiredLabel(s: DesiredStrategy): string {
  return s.variant ? `custom.${s.variant}` : s.kind;
}

function observedLabel(s: MemoryStrategy): string {
  const kind = KIND_OF_TYPE[s.type ?? ''] ?? s.type ?? 'unknown';
  if (kind !== 'custom') return kind;
  const variant = VARIANT_OF_OVERRIDE[s.configuration?.type ?? ''];
  return variant ? `custom.${variant}` : `custom.${s.configuration?.type ?? 'unknown'}`;
}

/** The one member of a union, or undefined. */
function member(union: unknown): unknown {
  if (typeof union !== 'object' || union === null) return undefined;
  const values = Object.values(union as Record<string, unknown>).filter((v) => v !== undefined);
  return values.length === 1 ? values[0] : undefined;
}

const WRAPPERS: Record<OverrideStep, string> = {
  extraction: 'customExtractionConfiguration',
  consolidation: 'customConsolidationConfiguration',
  reflection: 'customReflectionConfiguration',
};
const capitalised = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/** An override step as GetMemory reports it (`extraction.customExtractionConfiguration.semanticExtractionOverride`); empty placeholders count as absent. */
function observedStep(configuration: MemoryStrategy['configuration'], step: OverrideStep): PromptSpec | undefined {
  const body = member(member((configuration as Record<string, unknown> | undefined)?.[step])) as Partial<PromptSpec> | undefined;
  if (!body?.appendToPrompt || !body.modelId) return undefined;
  return { appendToPrompt: body.appendToPrompt, modelId: body.modelId };
}

function stepModification(variant: PromptVariant, step: OverrideStep, p: PromptSpec): ModifyStrategyConfiguration {
  return { [step]: { [WRAPPERS[step]]: { [`${CUSTOM_VARIANTS[variant].family}${capitalised(step)}Override`]: prompt(p) } } } as ModifyStrategyConfiguration;
}

/** Trigger conditions compared as a set. */
function sameTriggers(a: unknown[], b: unknown[] | undefined): boolean {
  const key = (list: unknown[]) => list.map((t) => JSON.stringify(t)).sort().join('\n');
  return key(a) === key(b ?? []);
}

interface StrategyPlan {
  changes: MemoryChange[];
  modify?: ModifyMemoryStrategyInput;
  /** The change cannot be made in place: delete the strategy and add it again. */
  recreate: boolean;
}

function diffStrategy(want: DesiredStrategy, have: MemoryStrategy): StrategyPlan {
  const base = `spec.strategies[${want.name}].${want.kind}`;
  const body = want.body;
  const changes: MemoryChange[] = [];
  const modify: ModifyMemoryStrategyInput = { memoryStrategyId: have.strategyId };
  const configuration: ModifyStrategyConfiguration = {};
  let recreate = false;
  const changed = (field: string, from: unknown, to: unknown) => changes.push({ path: `${base}.${field}`, from, to, action: 'update' });

  if (body.description !== undefined && body.description !== have.description) {
    changed('description', have.description, body.description);
    modify.description = body.description;
  }
  const fallback = defaultNamespace(want.type, want.variant ? CUSTOM_VARIANTS[want.variant].overrideType : undefined);
  if (namespacesDiffer(body.namespaces, have.namespaces, fallback)) {
    const to = body.namespaces ?? [fallback];
    changed('namespaces', have.namespaces, to);
    modify.namespaces = [...to];
  }
  if (want.kind === 'episodic') {
    const haveReflection = have.configuration?.reflection?.episodicReflectionConfiguration?.namespaces;
    if (namespacesDiffer(body.reflectionNamespaces, haveReflection, ACTOR_NAMESPACE)) {
      const to = body.reflectionNamespaces ?? [ACTOR_NAMESPACE];
      changed('reflectionNamespaces', haveReflection, to);
      configuration.reflection = { episodicReflectionConfiguration: { namespaces: [...to] } };
    }
  }
  if (want.variant && want.variant !== 'selfManaged') {
    const variant = want.variant;
    const steps = body[variant] ?? {};
    for (const step of CUSTOM_VARIANTS[variant].steps) {
      const to = steps[step] ? prompt(steps[step]) : undefined;
      const from = observedStep(have.configuration, step);
      if (JSON.stringify(to) === JSON.stringify(from)) continue;
      changed(`${variant}.${step}`, from, to);
      // No modify removes a step; the strategy has to be made again without it.
      if (!to) recreate = true;
      else Object.assign(configuration, stepModification(variant, step, to));
    }
  }
  if (want.variant === 'selfManaged') {
    const s = body.selfManaged!;
    const h = have.configuration?.selfManagedConfiguration;
    const patch: ModifySelfManagedConfiguration = {};
    const invocation = h?.invocationConfiguration;
    if (s.topicArn !== invocation?.topicArn) changed('selfManaged.topicArn', invocation?.topicArn, s.topicArn);
    if (s.payloadDeliveryBucketName !== invocation?.payloadDeliveryBucketName) changed('selfManaged.payloadDeliveryBucketName', invocation?.payloadDeliveryBucketName, s.payloadDeliveryBucketName);
    if (s.topicArn !== invocation?.topicArn || s.payloadDeliveryBucketName !== invocation?.payloadDeliveryBucketName) {
      patch.invocationConfiguration = { topicArn: s.topicArn, payloadDeliveryBucketName: s.payloadDeliveryBucketName };
    }
    if (s.triggerConditions) {
      const to = s.triggerConditions.map(triggerInput);
      if (!sameTriggers(to, h?.triggerConditions)) {
        changed('selfManaged.triggerConditions', h?.triggerConditions, to);
        patch.triggerConditions = to;
      }
    }
    if (s.historicalContextWindowSize !== undefined && s.historicalContextWindowSize !== h?.historicalContextWindowSize) {
      changed('selfManaged.historicalContextWindowSize', h?.historicalContextWindowSize, s.historicalContextWindowSize);
      patch.historicalContextWindowSize = s.historicalContextWindowSize;
    }
    if (Object.keys(patch).length > 0) configuration.selfManagedConfiguration = patch;
  }
  if (Object.keys(configuration).length > 0) modify.configuration = configuration;
  return { changes, recreate, ...(changes.length > 0 && !recreate ? { modify } : {}) };
}

export function diffMemory(desired: DesiredMemory, observed: MemoryState): MemoryDiff {
  const changes: MemoryChange[] = [];
  const update: MemoryUpdate = {};
  const scalar = (path: string, from: unknown, to: unknown, action: MemoryChange['action']) => changes.push({ path, from, to, action });

  if (desired.name !== observed.name) scalar('spec.memoryName', observed.name, desired.name, 'replace');
  if ((desired.encryptionKeyArn ?? undefined) !== (observed.encryptionKeyArn ?? undefined)) scalar('spec.encryptionKeyArn', observed.encryptionKeyArn, desired.encryptionKeyArn, 'replace');
  if (desired.description !== undefined && desired.description !== observed.description) {
    scalar('spec.description', observed.description, desired.description, 'update');
    update.description = desired.description;
  }
  if (desired.eventExpiryDuration !== observed.eventExpiryDuration) {
    scalar('spec.eventExpiryDays', observed.eventExpiryDuration, desired.eventExpiryDuration, 'update');
    update.eventExpiryDuration = desired.eventExpiryDuration;
  }
  if (desired.memoryExecutionRoleArn !== undefined && desired.memoryExecutionRoleArn !== observed.memoryExecutionRoleArn) {
    scalar('spec.role.arn', observed.memoryExecutionRoleArn, desired.memoryExecutionRoleArn, 'update');
    update.memoryExecutionRoleArn = desired.memoryExecutionRoleArn;
  }

  // A strategy being deleted is already gone as far as the spec is concerned.
  const have = new Map(observed.strategies.filter((s) => s.status !== 'DELETING').map((s) => [s.name!, s]));
  const add: DesiredStrategy[] = [];
  const modify: ModifyMemoryStrategyInput[] = [];
  const remove: MemoryStrategy[] = [];
  for (const want of desired.strategies) {
    const current = have.get(want.name);
    have.delete(want.name);
    if (!current) {
      scalar(`spec.strategies[${want.name}]`, undefined, desiredLabel(want), 'update');
      add.push(want);
    } else if (observedLabel(current) !== desiredLabel(want)) {
      scalar(`spec.strategies[${want.name}]`, observedLabel(current), desiredLabel(want), 'update');
      remove.push(current);
      add.push(want);
    } else {
      const plan = diffStrategy(want, current);
      changes.push(...plan.changes);
      if (plan.recreate) {
        remove.push(current);
        add.push(want);
      } else if (plan.modify) modify.push(plan.modify);
    }
  }
  for (const [name, gone] of [...have].sort(([a], [b]) => a.localeCompare(b))) {
    scalar(`spec.strategies[${name}]`, observedLabel(gone), undefined, 'update');
    remove.push(gone);
  }
  if (add.length + modify.length + remove.length > 0) {
    update.memoryStrategies = {
      ...(add.length > 0 ? { addMemoryStrategies: add.map((s) => s.input) } : {}),
      ...(modify.length > 0 ? { modifyMemoryStrategies: modify } : {}),
      ...(remove.length > 0 ? { deleteMemoryStrategies: remove.map((s) => ({ memoryStrategyId: s.strategyId })) } : {}),
    };
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, ...(Object.keys(update).length > 0 ? { update } : {}) };
}
