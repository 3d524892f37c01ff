import { describe } from '@jest/globals';
import { invalidCases, validCases } from '../helpers/tables.js';

const kind = 'Memory';
const semantic = (name: string) => ({ name, semantic: {} });
const TOPIC_PREFIX = 'arn:aws:sns:us-west-2:123456789012:';
const topicOfLength = (n: number) => TOPIC_PREFIX + 't'.repeat(n - TOPIC_PREFIX.length);
const selfManaged = (topicArn: string) => ({ name: 'mine', custom: { selfManaged: { topicArn, payloadDeliveryBucketName: 'my-payloads' } } });
const trigger = (condition: Record<string, number>) => ({ name: 'x', custom: { selfManaged: { topicArn: `${TOPIC_PREFIX}t`, payloadDeliveryBucketName: 'bucket', triggerConditions: [condition] } } });

describe('Memory: valid specs pass', () => {
  validCases(kind, [
    ['no strategies', {}],
    ['every built-in strategy', { strategies: [semantic('facts'), { name: 'sums', summary: { namespaces: ['/s/{actorId}/{sessionId}'] } }, { name: 'prefs', userPreference: {} }, { name: 'episodes', episodic: { reflectionNamespaces: ['/e/{actorId}'] } }] }],
    ['a custom override', { role: { managed: {} }, strategies: [{ name: 'custom_facts', custom: { semanticOverride: { extraction: { appendToPrompt: 'Focus on orders.', modelId: 'anthropic.claude-3-haiku' } } } }] }],
    ['a self-managed strategy', { strategies: [{ name: 'mine', custom: { selfManaged: { topicArn: 'arn:aws:sns:us-west-2:123456789012:memory', payloadDeliveryBucketName: 'my-payloads', triggerConditions: [{ messageCount: 5 }, { tokenCount: 1000 }] } } }] }],
    ['an encryption key and expiry bounds', { eventExpiryDays: 365, encryptionKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/12345678-1234-1234-1234-123456789012' }],
    ['six strategies', { strategies: Array.from({ length: 6 }, (_, i) => semantic(`s${i}`)) }],
    ['a topic ARN of 1284 characters', { strategies: [selfManaged(topicOfLength(1284))] }],
    ['a topic ARN whose resource is over 1023 characters', { strategies: [selfManaged(topicOfLength(1100))] }],
    ['a managed role with an extra statement', { role: { managed: { statements: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }] } } }],
  ]);
});

describe('Memory: each constraint names the field path', () => {
  invalidCases(kind, [
    ['a memory name with a hyphen', { memoryName: 'support-memory' }, 'spec.memoryName: must match ^[a-zA-Z][a-zA-Z0-9_]{0,47}$'],
    ['expiry below 3 days', { eventExpiryDays: 2 }, 'spec.eventExpiryDays: must be between 3 and 365 days'],
    ['expiry above 365 days', { eventExpiryDays: 366 }, 'spec.eventExpiryDays: must be between 3 and 365 days'],
    ['a strategy with two types', { strategies: [{ name: 'x', semantic: {}, summary: {} }] }, 'spec.strategies[0]: exactly one of semantic, summary, userPreference, episodic, custom must be set'],
    ['a strategy with no type', { strategies: [{ name: 'x' }] }, 'spec.strategies[0]: exactly one of semantic'],
    ['a strategy name with a hyphen', { strategies: [semantic('my-facts')] }, 'spec.strategies[0].name: must match'],
    ['two strategies with one name', { strategies: [semantic('facts'), { name: 'facts', summary: {} }] }, 'spec.strategies[1].name: duplicate entry'],
    ['seven strategies', { strategies: Array.from({ length: 7 }, (_, i) => semantic(`s${i}`)) }, 'spec.strategies: must have at most 6 items'],
    ['two namespaces', { strategies: [{ name: 'x', semantic: { namespaces: ['/a', '/b'] } }] }, 'spec.strategies[0].semantic.namespaces: must have exactly 1 item'],
    ['a namespace with an unknown variable', { strategies: [{ name: 'x', semantic: { namespaces: ['/a/{userId}'] } }] }, 'spec.strategies[0].semantic.namespaces[0]: must match'],
    ['a custom strategy with two overrides', { strategies: [{ name: 'x', custom: { semanticOverride: {}, summaryOverride: {} } }] }, 'spec.strategies[0].custom: exactly one of semanticOverride'],
    ['an extraction step on the summary override', { strategies: [{ name: 'x', custom: { summaryOverride: { extraction: { appendToPrompt: 'a', modelId: 'm' } } } }] }, 'spec.strategies[0].custom.summaryOverride.extraction: unknown field'],
    ['a prompt override without a model', { strategies: [{ name: 'x', custom: { semanticOverride: { extraction: { appendToPrompt: 'a' } } } }] }, 'spec.strategies[0].custom.semanticOverride.extraction.modelId: is required'],
    ['a trigger with two conditions', { strategies: [{ name: 'x', custom: { selfManaged: { topicArn: 'arn:aws:sns:us-west-2:123456789012:t', payloadDeliveryBucketName: 'bucket', triggerConditions: [{ messageCount: 1, tokenCount: 200 }] } } }] }, 'spec.strategies[0].custom.selfManaged.triggerConditions[0]: exactly one of messageCount, tokenCount, idleSessionTimeoutSeconds'],
    ['a token trigger below 100', { strategies: [{ name: 'x', custom: { selfManaged: { topicArn: 'arn:aws:sns:us-west-2:123456789012:t', payloadDeliveryBucketName: 'bucket', triggerConditions: [{ tokenCount: 99 }] } } }] }, 'spec.strategies[0].custom.selfManaged.triggerConditions[0].tokenCount: must be between 100 and 500000 tokens'],
    ['a message trigger above 50', { strategies: [trigger({ messageCount: 51 })] }, 'spec.strategies[0].custom.selfManaged.triggerConditions[0].messageCount: must be between 1 and 50 messages'],
    ['an idle trigger below 10 seconds', { strategies: [trigger({ idleSessionTimeoutSeconds: 9 })] }, 'spec.strategies[0].custom.selfManaged.triggerConditions[0].idleSessionTimeoutSeconds: must be between 10 and 3000 seconds'],
    ['no trigger conditions', { strategies: [{ name: 'x', custom: { selfManaged: { topicArn: `${TOPIC_PREFIX}t`, payloadDeliveryBucketName: 'bucket', triggerConditions: [] } } }] }, 'spec.strategies[0].custom.selfManaged.triggerConditions: must have between 1 and 10 items'],
    ['a context window of 51 events', { strategies: [{ name: 'x', custom: { selfManaged: { topicArn: `${TOPIC_PREFIX}t`, payloadDeliveryBucketName: 'bucket', historicalContextWindowSize: 51 } } }] }, 'spec.strategies[0].custom.selfManaged.historicalContextWindowSize: must be between 0 and 50 events'],
    ['a description over 4096 characters', { description: 'x'.repeat(4097) }, 'spec.description: must have between 1 and 4096 characters'],
    ['a KMS key that is an alias', { encryptionKeyArn: 'arn:aws:kms:us-west-2:123456789012:alias/mine' }, 'spec.encryptionKeyArn: must match'],
    ['a topic ARN of 1285 characters', { strategies: [selfManaged(topicOfLength(1285))] }, 'spec.strategies[0].custom.selfManaged.topicArn: must have at most 1284 characters'],
    ['a topic ARN whose resource starts with a slash', { strategies: [selfManaged(`${TOPIC_PREFIX}/t`)] }, 'spec.strategies[0].custom.selfManaged.topicArn: must match'],
    ['a statement with neither Action nor NotAction', { role: { managed: { statements: [{ Effect: 'Allow', Resource: '*' }] } } }, 'spec.role.managed.statements[0]: a statement needs Action or NotAction'],
  ]);
});
