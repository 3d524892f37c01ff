import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { KubeObject } from '../meta.js';
import {
  Pattern, Tags, cel, commonSpecFields, exactlyOneOf, immutableOptional, listMap, roleSchema,
  statusSchema, unit,
} from '../schema.js';

/** The strategy kinds, as spec keys, and the AWS MemoryStrategyType each maps to. */
export const STRATEGY_TYPES = {
  semantic: 'SEMANTIC',
  summary: 'SUMMARIZATION',
  userPreference: 'USER_PREFERENCE',
  episodic: 'EPISODIC',
  custom: 'CUSTOM',
} as const;
export type StrategyKind = keyof typeof STRATEGY_TYPES;
export const MAX_STRATEGIES = 6;

const Namespaces = Type.Array(Type.String({ minLength: 1, maxLength: 512, pattern: Pattern.memoryNamespace }), {
  minItems: 1,
  maxItems: 1,
  description: 'Namespace records are stored under; may use {actorId}, {sessionId} and {memoryStrategyId}. AWS fills a default when omitted.',
});

const strategyBase = {
  description: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Strategy description.' })),
  namespaces: Type.Optional(Namespaces),
};

const Prompt = Type.Object(
  {
    appendToPrompt: Type.String({ minLength: 1, maxLength: 30000, description: 'Instructions appended to the built-in prompt.' }),
    modelId: Type.String({ minLength: 1, description: 'Bedrock model id used for this step.' }),
  },
  { description: 'A prompt override for one step.' },
);

function override(description: string, steps: TProperties) {
  return Type.Object(steps, { description });
}

const SelfManaged = Type.Object(
  {
    triggerConditions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            messageCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, ...unit('messages'), description: 'Trigger after this many messages.' })),
            tokenCount: Type.Optional(Type.Integer({ minimum: 100, maximum: 500000, ...unit('tokens'), description: 'Trigger after this many tokens.' })),
            idleSessionTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 3000, ...unit('seconds'), description: 'Trigger after the session is idle this long.' })),
          },
          { description: 'One trigger condition.', ...cel(exactlyOneOf(['messageCount', 'tokenCount', 'idleSessionTimeoutSeconds'], 'trigger')) },
        ),
        { minItems: 1, maxItems: 10, description: 'When AgentCore hands events to your pipeline.' },
      ),
    ),
    // The resource part was `.{0,1023}` in the service model; Go refuses repeat counts over 1000, so the
    // pattern leaves it open and maxLength bounds the whole ARN at the longest the model's pattern allowed.
    topicArn: Type.String({ maxLength: 1284, pattern: '^arn:[a-z0-9-\\.]{1,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[^/].*$', description: 'SNS topic notified when a trigger fires.' }),
    payloadDeliveryBucketName: Type.String({ pattern: Pattern.s3Bucket, description: 'S3 bucket that receives the payloads.' }),
    historicalContextWindowSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 50, ...unit('events'), description: 'Number of earlier events included.' })),
  },
  { description: 'Your own extraction pipeline, triggered by AgentCore.' },
);

const CustomStrategy = Type.Object(
  {
    ...strategyBase,
    semanticOverride: Type.Optional(override('Override the semantic strategy\'s prompts.', { extraction: Type.Optional(Prompt), consolidation: Type.Optional(Prompt) })),
    summaryOverride: Type.Optional(override('Override the summary strategy\'s prompt.', { consolidation: Type.Optional(Prompt) })),
    userPreferenceOverride: Type.Optional(override('Override the user-preference strategy\'s prompts.', { extraction: Type.Optional(Prompt), consolidation: Type.Optional(Prompt) })),
    episodicOverride: Type.Optional(override('Override the episodic strategy\'s prompts.', { extraction: Type.Optional(Prompt), consolidation: Type.Optional(Prompt), reflection: Type.Optional(Prompt) })),
    selfManaged: Type.Optional(SelfManaged),
  },
  {
    description: 'A built-in strategy with your own prompts, or a self-managed pipeline.',
    ...cel(exactlyOneOf(['semanticOverride', 'summaryOverride', 'userPreferenceOverride', 'episodicOverride', 'selfManaged'], 'custom strategy')),
  },
);

const strategyKinds = Object.keys(STRATEGY_TYPES) as StrategyKind[];

const Strategy = Type.Object(
  {
    name: Type.String({ pattern: Pattern.underscoreName, description: 'Strategy name, unique in the memory; strategies are matched by name.' }),
    semantic: Type.Optional(Type.Object(strategyBase, { description: 'Extract facts.' })),
    summary: Type.Optional(Type.Object(strategyBase, { description: 'Summarise sessions.' })),
    userPreference: Type.Optional(Type.Object(strategyBase, { description: 'Extract user preferences.' })),
    episodic: Type.Optional(
      Type.Object(
        { ...strategyBase, reflectionNamespaces: Type.Optional(Namespaces) },
        { description: 'Record episodes and reflect on them.' },
      ),
    ),
    custom: Type.Optional(CustomStrategy),
  },
  {
    description: 'A long-term memory strategy. Exactly one of semantic, summary, userPreference, episodic, custom.',
    ...cel(exactlyOneOf(strategyKinds, 'strategy type')),
  },
);

export const MemorySpec = Type.Object(
  {
    memoryName: Type.Optional(Type.String({ pattern: Pattern.underscoreName, description: 'AWS memory name; derived from metadata.name (hyphens and dots become underscores) when omitted. Immutable.' })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Memory description.' })),
    eventExpiryDays: Type.Integer({ minimum: 3, maximum: 365, ...unit('days'), default: 90, description: 'Days short-term events are kept (AWS documents 7 to 365).' }),
    encryptionKeyArn: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: Pattern.kmsKeyArn, description: 'Customer managed KMS key. Immutable.' })),
    role: Type.Optional(roleSchema('The role AgentCore assumes to run the strategies\' models (needed for custom strategies).')),
    strategies: Type.Optional(listMap(Strategy, 'name', { maxItems: 6, description: `Long-term memory strategies, keyed by name (at most ${MAX_STRATEGIES}).` })),
    tags: Type.Optional(Tags),
    ...commonSpecFields,
  },
  {
    description: 'The desired state of an AgentCore memory.',
    ...cel(immutableOptional('memoryName'), immutableOptional('encryptionKeyArn')),
  },
);
export type MemorySpec = Static<typeof MemorySpec>;

export const MemoryStatus = statusSchema('The observed state of the memory.', {
  memoryName: Type.Optional(Type.String({ description: 'AWS memory name.' })),
  memoryId: Type.Optional(Type.String({ description: 'AWS memory id.' })),
  memoryArn: Type.Optional(Type.String({ description: 'AWS memory ARN.' })),
  roleArn: Type.Optional(Type.String({ description: 'Execution role in use.' })),
  strategies: Type.Optional(
    listMap(
      Type.Object({
        name: Type.String({ description: 'Strategy name.' }),
        strategyId: Type.Optional(Type.String({ description: 'AWS strategy id.' })),
        type: Type.Optional(Type.String({ description: 'AWS strategy type.' })),
        status: Type.Optional(Type.String({ description: 'AWS strategy status.' })),
      }, { description: 'Observed state of one strategy.' }),
      'name',
      { maxItems: 6, description: 'Observed strategies.' },
    ),
  ),
});
export type MemoryStatus = Static<typeof MemoryStatus>;

export type Memory = KubeObject<MemorySpec, MemoryStatus>;
