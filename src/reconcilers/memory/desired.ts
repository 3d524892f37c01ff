/**
 * The memory AWS should hold for a spec: CreateMemory's input, each strategy written as the API's
 * MemoryStrategyInput union. Pure: the spec and the AWS name decide it.
 */
import type {
  CreateMemoryInput, CustomConfigurationInput, MemoryStrategyInput, TriggerConditionInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { STRATEGY_TYPES, type MemorySpec, type StrategyKind } from '../../api/v1alpha1/memory.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../errors.js';

export type SpecStrategy = NonNullable<MemorySpec['strategies']>[number];
export type CustomSpec = NonNullable<SpecStrategy['custom']>;
export type SelfManagedSpec = NonNullable<CustomSpec['selfManaged']>;
export type TriggerSpec = NonNullable<SelfManagedSpec['triggerConditions']>[number];
export interface PromptSpec {
  appendToPrompt: string;
  modelId: string;
}

/** The steps an override may carry. */
export type OverrideStep = 'extraction' | 'consolidation' | 'reflection';

/**
 * The variants of a custom strategy: the spec member, the OverrideType AWS reports for it, and (for
 * prompt overrides) the family prefix of its step members and the steps it has.
 */
export const CUSTOM_VARIANTS = {
  semanticOverride: { overrideType: 'SEMANTIC_OVERRIDE', family: 'semantic', steps: ['extraction', 'consolidation'] },
  summaryOverride: { overrideType: 'SUMMARY_OVERRIDE', family: 'summary', steps: ['consolidation'] },
  userPreferenceOverride: { overrideType: 'USER_PREFERENCE_OVERRIDE', family: 'userPreference', steps: ['extraction', 'consolidation'] },
  episodicOverride: { overrideType: 'EPISODIC_OVERRIDE', family: 'episodic', steps: ['extraction', 'consolidation', 'reflection'] },
  selfManaged: { overrideType: 'SELF_MANAGED', family: undefined, steps: [] },
} as const satisfies Record<string, { overrideType: string; family: string | undefined; steps: readonly OverrideStep[] }>;
export type CustomVariant = keyof typeof CUSTOM_VARIANTS;
export type PromptVariant = Exclude<CustomVariant, 'selfManaged'>;

/** The members every strategy kind shares, plus the kind-specific ones, as the spec holds them. */
export interface StrategyBody {
  description?: string;
  namespaces?: string[];
  reflectionNamespaces?: string[];
  semanticOverride?: Partial<Record<OverrideStep, PromptSpec>>;
  summaryOverride?: Partial<Record<OverrideStep, PromptSpec>>;
  userPreferenceOverride?: Partial<Record<OverrideStep, PromptSpec>>;
  episodicOverride?: Partial<Record<OverrideStep, PromptSpec>>;
  selfManaged?: SelfManagedSpec;
}

export interface DesiredStrategy {
  name: string;
  /** The spec key that is set: semantic, summary, userPreference, episodic or custom. */
  kind: StrategyKind;
  /** The AWS MemoryStrategyType. */
  type: string;
  /** For a custom strategy, which override (or self-managed pipeline) it is. */
  variant?: CustomVariant;
  /** The spec's members of the strategy's kind. */
  body: StrategyBody;
  /** What AddMemoryStrategies (or CreateMemory) takes for it. */
  input: MemoryStrategyInput;
}

export interface DesiredMemory {
  name: string;
  eventExpiryDuration: number;
  description?: string;
  encryptionKeyArn?: string;
  memoryExecutionRoleArn?: string;
  strategies: DesiredStrategy[];
}

const KINDS = Object.keys(STRATEGY_TYPES) as StrategyKind[];
const VARIANTS = Object.keys(CUSTOM_VARIANTS) as CustomVariant[];
const DEFAULT_EXPIRY_DAYS = 90;

function only<K extends string>(keys: readonly K[], holder: object, what: string): K {
  const set = keys.filter((k) => (holder as Record<string, unknown>)[k] !== undefined);
  if (set.length !== 1) throw new TerminalError(`${what} must set exactly one of ${keys.join(', ')}`, Reason.ValidationFailed);
  return set[0]!;
}

export function triggerInput(trigger: TriggerSpec): TriggerConditionInput {
  if (trigger.messageCount !== undefined) return { messageBasedTrigger: { messageCount: trigger.messageCount } };
  if (trigger.tokenCount !== undefined) return { tokenBasedTrigger: { tokenCount: trigger.tokenCount } };
  return { timeBasedTrigger: { idleSessionTimeout: trigger.idleSessionTimeoutSeconds } };
}

export const prompt = (p: PromptSpec): PromptSpec => ({ appendToPrompt: p.appendToPrompt, modelId: p.modelId });

function customInput(body: StrategyBody, variant: CustomVariant): CustomConfigurationInput {
  if (variant === 'selfManaged') {
    const s = body.selfManaged!;
    return {
      selfManagedConfiguration: {
        invocationConfiguration: { topicArn: s.topicArn, payloadDeliveryBucketName: s.payloadDeliveryBucketName },
        ...(s.triggerConditions ? { triggerConditions: s.triggerConditions.map(triggerInput) } : {}),
        ...(s.historicalContextWindowSize !== undefined ? { historicalContextWindowSize: s.historicalContextWindowSize } : {}),
      },
    };
  }
  const steps = body[variant] ?? {};
  const out: Partial<Record<OverrideStep, PromptSpec>> = {};
  for (const step of CUSTOM_VARIANTS[variant].steps) if (steps[step]) out[step] = prompt(steps[step]);
  return { [variant]: out } as unknown as CustomConfigurationInput;
}

function strategyInput(name: string, kind: StrategyKind, body: StrategyBody, variant: CustomVariant | undefined): MemoryStrategyInput {
  const common = {
    name,
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.namespaces ? { namespaces: [...body.namespaces] } : {}),
  };
  switch (kind) {
    case 'semantic':
      return { semanticMemoryStrategy: common };
    case 'summary':
      return { summaryMemoryStrategy: common };
    case 'userPreference':
      return { userPreferenceMemoryStrategy: common };
    case 'episodic':
      return { episodicMemoryStrategy: { ...common, ...(body.reflectionNamespaces ? { reflectionConfiguration: { namespaces: [...body.reflectionNamespaces] } } : {}) } };
    case 'custom':
      return { customMemoryStrategy: { ...common, configuration: customInput(body, variant!) } };
  }
}

export function desiredStrategy(strategy: SpecStrategy): DesiredStrategy {
  const kind = only(KINDS, strategy, `spec.strategies[${strategy.name}]`);
  const body = strategy[kind] as StrategyBody;
  const variant = kind === 'custom' ? only(VARIANTS, body, `spec.strategies[${strategy.name}].custom`) : undefined;
  return {
    name: strategy.name,
    kind,
    type: STRATEGY_TYPES[kind],
    ...(variant ? { variant } : {}),
    body,
    input: strategyInput(strategy.name, kind, body, variant),
  };
}

/** The memory a spec asks for, under the AWS name `name`; `roleArn` is the managed role's, when the spec asks for one. */
export function desiredMemory(spec: MemorySpec, name: string, roleArn: string | undefined = spec.role?.arn): DesiredMemory {
  return {
    name,
    eventExpiryDuration: spec.eventExpiryDays ?? DEFAULT_EXPIRY_DAYS,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.encryptionKeyArn !== undefined ? { encryptionKeyArn: spec.encryptionKeyArn } : {}),
    ...(roleArn ? { memoryExecutionRoleArn: roleArn } : {}),
    strategies: (spec.strategies ?? []).map(desiredStrategy),
  };
}

/** CreateMemory's input for a desired memory, without the clientToken and the tags. */
export function createInput(desired: DesiredMemory): Omit<CreateMemoryInput, 'clientToken' | 'tags'> {
  return {
    name: desired.name,
    eventExpiryDuration: desired.eventExpiryDuration,
    ...(desired.description !== undefined ? { description: desired.description } : {}),
    ...(desired.encryptionKeyArn !== undefined ? { encryptionKeyArn: desired.encryptionKeyArn } : {}),
    ...(desired.memoryExecutionRoleArn !== undefined ? { memoryExecutionRoleArn: desired.memoryExecutionRoleArn } : {}),
    ...(desired.strategies.length > 0 ? { memoryStrategies: desired.strategies.map((s) => s.input) } : {}),
  };
}
