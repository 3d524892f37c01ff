/**
 * Input shapes of the Memory operations, in the API's member names, with the constraints of the
 * service model: the strategy input union and its members down to the override prompts.
 */
import { Type } from '@sinclair/typebox';
import { int, list, opaque, P, str, struct, TagsMap, UnderscoreName, union } from './shapes.js';

const MEMORY_ID = '^[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}$';
const ANY_ARN = '^arn:[a-z0-9-\\.]{1,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[^/].{0,1023}$';

export const MemoryId = str({ min: 12, pattern: MEMORY_ID });
const Arn = str({ pattern: ANY_ARN });
const Description = str({ min: 1, max: 4096 });
/** Memory tokens are free-form, unlike the runtime's UUID-like ClientToken. */
const MemoryClientToken = str({ min: 0, max: 500 });
const Namespaces = list(str({ min: 1, max: 512, pattern: P.memoryNamespace }), 1, 1);
const ExpiryDays = int(3, 365);

const MetadataKey = str({ min: 1, max: 128, pattern: P.tag });
const MetadataValueType = str({ enum: ['STRING', 'STRINGLIST', 'NUMBER'] });

const MemoryRecordSchema = struct({
  metadataSchema: list(
    struct(
      {
        key: MetadataKey,
        type: MetadataValueType,
        extractionType: str({ enum: ['LLM_INFERRED', 'STRICTLY_CONSISTENT'] }),
        extractionConfig: union({
          llmExtractionConfig: struct(
            {
              llmExtractionInstruction: str({ min: 1, max: 1000 }),
              definition: str({ min: 1, max: 1000 }),
              validation: union({
                stringValidation: struct({ allowedValues: list(str({ min: 1, max: 256, pattern: P.tag }), 1, 10) }, ['allowedValues']),
                stringListValidation: struct({ allowedValues: list(str({ min: 1, max: 64, pattern: P.tag }), 1, 10), maxItems: int(1, 5) }),
                numberValidation: struct({ minValue: Type.Number(), maxValue: Type.Number() }),
              }),
            },
            ['definition'],
          ),
        }),
      },
      ['key'],
    ),
    1,
    20,
  ),
});

/** One override step: a prompt appended to the built-in one, and the model that runs it. */
const OverrideStep = struct({ appendToPrompt: str({ min: 1, max: 30000 }), modelId: str() }, ['appendToPrompt', 'modelId']);
const ReflectionNamespaces = struct({ namespaces: Namespaces, namespaceTemplates: Namespaces, memoryRecordSchema: MemoryRecordSchema });
const ReflectionOverrideStep = struct(
  { appendToPrompt: str({ min: 1, max: 30000 }), modelId: str(), namespaces: Namespaces, namespaceTemplates: Namespaces, memoryRecordSchema: MemoryRecordSchema },
  ['appendToPrompt', 'modelId'],
);

const TriggerConditions = list(
  union({
    messageBasedTrigger: struct({ messageCount: int(1, 50) }),
    tokenBasedTrigger: struct({ tokenCount: int(100, 500000) }),
    timeBasedTrigger: struct({ idleSessionTimeout: int(10, 3000) }),
  }),
  1,
);
const invocationMembers = { topicArn: Arn, payloadDeliveryBucketName: str({ pattern: P.s3Bucket }) };
const ContextWindow = int(0, 50);

const CustomConfigurationInput = union({
  semanticOverride: struct({ extraction: OverrideStep, consolidation: OverrideStep }),
  summaryOverride: struct({ consolidation: OverrideStep }),
  userPreferenceOverride: struct({ extraction: OverrideStep, consolidation: OverrideStep }),
  episodicOverride: struct({ extraction: OverrideStep, consolidation: OverrideStep, reflection: ReflectionOverrideStep }),
  selfManagedConfiguration: struct(
    { triggerConditions: TriggerConditions, invocationConfiguration: struct(invocationMembers, ['topicArn', 'payloadDeliveryBucketName']), historicalContextWindowSize: ContextWindow },
    ['invocationConfiguration'],
  ),
});

const strategyMembers = { name: UnderscoreName, description: Description, namespaces: Namespaces, namespaceTemplates: Namespaces, memoryRecordSchema: MemoryRecordSchema };

export const MemoryStrategyInput = union({
  semanticMemoryStrategy: struct(strategyMembers, ['name']),
  summaryMemoryStrategy: struct(strategyMembers, ['name']),
  userPreferenceMemoryStrategy: struct(strategyMembers, ['name']),
  customMemoryStrategy: struct({ ...strategyMembers, configuration: CustomConfigurationInput }, ['name']),
  episodicMemoryStrategy: struct({ ...strategyMembers, reflectionConfiguration: ReflectionNamespaces }, ['name']),
});

const ModifyStrategyConfiguration = struct({
  extraction: union({
    customExtractionConfiguration: union({ semanticExtractionOverride: OverrideStep, userPreferenceExtractionOverride: OverrideStep, episodicExtractionOverride: OverrideStep }),
  }),
  consolidation: union({
    customConsolidationConfiguration: union({
      semanticConsolidationOverride: OverrideStep,
      summaryConsolidationOverride: OverrideStep,
      userPreferenceConsolidationOverride: OverrideStep,
      episodicConsolidationOverride: OverrideStep,
    }),
  }),
  reflection: union({ episodicReflectionConfiguration: ReflectionNamespaces, customReflectionConfiguration: union({ episodicReflectionOverride: ReflectionOverrideStep }) }),
  selfManagedConfiguration: struct({ triggerConditions: TriggerConditions, invocationConfiguration: struct(invocationMembers), historicalContextWindowSize: ContextWindow }),
});

const ModifyMemoryStrategies = struct({
  addMemoryStrategies: list(MemoryStrategyInput),
  modifyMemoryStrategies: list(
    struct(
      { memoryStrategyId: str(), description: Description, namespaces: Namespaces, namespaceTemplates: Namespaces, configuration: ModifyStrategyConfiguration, memoryRecordSchema: MemoryRecordSchema },
      ['memoryStrategyId'],
    ),
  ),
  deleteMemoryStrategies: list(struct({ memoryStrategyId: str() }, ['memoryStrategyId'])),
});

const IndexedKeys = list(struct({ key: MetadataKey, type: MetadataValueType }, ['key', 'type']), 1, 10);

const StreamDeliveryResources = struct(
  {
    resources: list(
      union({
        kinesis: struct(
          {
            dataStreamArn: Arn,
            contentConfigurations: list(struct({ type: str({ enum: ['MEMORY_RECORDS'] }), level: str({ enum: ['METADATA_ONLY', 'FULL_CONTENT'] }) }, ['type']), 1, 1),
          },
          ['dataStreamArn', 'contentConfigurations'],
        ),
      }),
      0,
      1,
    ),
  },
  ['resources'],
);

const namespaceKeys = opaque('newer than the model: accepted as sent');

export const MemoryShapes = {
  CreateMemory: struct(
    {
      clientToken: MemoryClientToken,
      name: UnderscoreName,
      description: Description,
      encryptionKeyArn: Arn,
      memoryExecutionRoleArn: Arn,
      eventExpiryDuration: ExpiryDays,
      memoryStrategies: list(MemoryStrategyInput),
      indexedKeys: IndexedKeys,
      streamDeliveryResources: StreamDeliveryResources,
      tags: TagsMap,
      namespaceKeys,
    },
    ['name', 'eventExpiryDuration'],
  ),
  GetMemory: struct({ memoryId: MemoryId, view: str({ enum: ['full', 'without_decryption'] }) }, ['memoryId']),
  UpdateMemory: struct(
    {
      clientToken: MemoryClientToken,
      memoryId: MemoryId,
      description: Description,
      eventExpiryDuration: ExpiryDays,
      memoryExecutionRoleArn: Arn,
      memoryStrategies: ModifyMemoryStrategies,
      addIndexedKeys: IndexedKeys,
      streamDeliveryResources: StreamDeliveryResources,
      namespaceKeys,
    },
    ['memoryId'],
  ),
  DeleteMemory: struct({ clientToken: MemoryClientToken, memoryId: MemoryId }, ['memoryId']),
  ListMemories: struct({ maxResults: int(1, 100), nextToken: str() }),
};
