import { afterEach, describe, expect, test } from '@jest/globals';
import {
  BedrockAgentCoreControlClient, CreateMemoryCommand, DeleteMemoryCommand, GetMemoryCommand, ListMemoriesCommand, ListTagsForResourceCommand,
  TagResourceCommand, UpdateMemoryCommand, type CreateMemoryCommandInput, type MemoryStrategy, type MemoryStrategyInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { agentCoreService, runtimeFamily } from '../../src/emulator/agentcore/index.js';
import { identityFamily } from '../../src/emulator/agentcore/identities.js';
import { memoryFamily } from '../../src/emulator/agentcore/memories.js';
import type { EmulatorConfig } from '../../src/emulator/config.js';
import { startEmulator } from '../../src/emulator/server.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';
import { ManualClock, waitFor } from '../helpers/wait.js';

let emulator: TestEmulator;
let client: BedrockAgentCoreControlClient;

useEmulator([agentCoreService([runtimeFamily, memoryFamily, identityFamily])], (e, aws) => {
  emulator = e;
  client = aws.agentcore;
});
afterEach(async () => {
  await emulator.admin('POST', 'reset');
  await emulator.admin('PUT', 'config', {
    provisioningDelayMs: 0,
    deletionDelayMs: 0,
    rateScale: 0,
    rates: { memoryCreate: 3 },
    limits: { memoriesPerAccount: 150, strategiesPerMemory: 6 },
  });
});

const ACTOR_NAMESPACE = '/strategies/{memoryStrategyId}/actors/{actorId}/';
const SESSION_NAMESPACE = '/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/';
const SIGNED = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64) };

const memoryInput = (name: string, extra: Partial<CreateMemoryCommandInput> = {}): CreateMemoryCommandInput => ({ name, eventExpiryDuration: 30, ...extra });
const semantic = (name: string, extra: Record<string, unknown> = {}): MemoryStrategyInput => ({ semanticMemoryStrategy: { name, ...extra } });
const getMemory = async (memoryId: string, on = client) => (await on.send(new GetMemoryCommand({ memoryId }))).memory!;
const byName = (strategies: MemoryStrategy[] | undefined, name: string) => strategies!.find((s) => s.name === name)!;

const closeAfterTest: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closeAfterTest.splice(0)) await close();
});

/**
 * An emulator of the test's own on a clock that stands still until the test moves it, for the tests of
 * provisioning delays: no time passes between two calls, however slow the machine.
 */
async function onClock(config: Partial<EmulatorConfig>): Promise<{ clock: ManualClock; client: BedrockAgentCoreControlClient }> {
  const clock = new ManualClock();
  const running = await startEmulator({ services: [agentCoreService([runtimeFamily, memoryFamily, identityFamily])], clock, config: { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 0, ...config } });
  const own = new BedrockAgentCoreControlClient({ ...emulator.clientConfig, endpoint: running.url, maxAttempts: 1 });
  closeAfterTest.push(async () => {
    own.destroy();
    await running.close();
  });
  return { clock, client: own };
}


describe('the memory lifecycle', () => {
  test('CREATING, then ACTIVE; strategies added, modified and deleted by id while UPDATING; DELETING, then gone', async () => {
    const { clock, client } = await onClock({ provisioningDelayMs: 400, deletionDelayMs: 400 });
    const created = await client.send(new CreateMemoryCommand(memoryInput('lifecycle_memory', {
      memoryStrategies: [semantic('facts'), { summaryMemoryStrategy: { name: 'summaries', namespaceTemplates: ['/summaries/{actorId}/{sessionId}/'] } }],
    })));
    expect(created.$metadata.httpStatusCode).toBe(202);
    const memory = created.memory!;
    expect(memory.id).toMatch(/^lifecycle_memory-[a-zA-Z0-9]{10}$/);
    expect(memory.arn).toBe(`arn:aws:bedrock-agentcore:us-west-2:123456789012:memory/${memory.id}`);
    expect(memory.status).toBe('CREATING');
    const facts = byName(memory.strategies, 'facts');
    expect(facts).toMatchObject({ type: 'SEMANTIC', status: 'CREATING', namespaces: [ACTOR_NAMESPACE], namespaceTemplates: [ACTOR_NAMESPACE] });
    expect(facts.strategyId).toMatch(/^facts-[a-zA-Z0-9]{10}$/);
    expect(byName(memory.strategies, 'summaries')).toMatchObject({ type: 'SUMMARIZATION', namespaces: ['/summaries/{actorId}/{sessionId}/'], namespaceTemplates: ['/summaries/{actorId}/{sessionId}/'] });

    expect((await getMemory(memory.id!, client)).status).toBe('CREATING');
    expect(await failure(client.send(new UpdateMemoryCommand({ memoryId: memory.id, description: 'too early' })))).toMatchObject({ name: 'ConflictException', status: 409 });

    clock.advance(400);
    const active = await getMemory(memory.id!, client);
    expect(active.status).toBe('ACTIVE');
    expect(active.strategies!.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE']);
    const summariesId = byName(active.strategies, 'summaries').strategyId!;

    const updated = await client.send(new UpdateMemoryCommand({
      memoryId: memory.id,
      memoryStrategies: {
        addMemoryStrategies: [{ userPreferenceMemoryStrategy: { name: 'prefs' } }],
        modifyMemoryStrategies: [{ memoryStrategyId: facts.strategyId, description: 'what the user told us', namespaces: ['/facts/{actorId}/'] }],
        deleteMemoryStrategies: [{ memoryStrategyId: summariesId }],
      },
    }));
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect(updated.memory!.status).toBe('UPDATING');
    const updating = await getMemory(memory.id!, client);
    expect(updating.status).toBe('UPDATING');
    expect(byName(updating.strategies, 'prefs')).toMatchObject({ type: 'USER_PREFERENCE', status: 'CREATING', namespaces: [ACTOR_NAMESPACE] });
    expect(byName(updating.strategies, 'summaries').status).toBe('DELETING');
    expect(byName(updating.strategies, 'facts')).toMatchObject({ strategyId: facts.strategyId, status: 'ACTIVE', description: 'what the user told us', namespaces: ['/facts/{actorId}/'], namespaceTemplates: ['/facts/{actorId}/'] });

    clock.advance(400);
    const settled = await getMemory(memory.id!, client);
    expect(settled.status).toBe('ACTIVE');
    expect(settled.strategies!.map((s) => [s.name, s.status])).toEqual([['facts', 'ACTIVE'], ['prefs', 'ACTIVE']]);

    const deleted = await client.send(new DeleteMemoryCommand({ memoryId: memory.id }));
    expect([deleted.$metadata.httpStatusCode, deleted.memoryId, deleted.status]).toEqual([202, memory.id, 'DELETING']);
    expect((await getMemory(memory.id!, client)).status).toBe('DELETING');
    expect((await client.send(new ListMemoriesCommand({}))).memories!.map((m) => m.status)).toEqual(['DELETING']);
    clock.advance(400);
    expect(await failure(getMemory(memory.id!, client))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect((await client.send(new ListMemoriesCommand({}))).memories).toEqual([]);
  });

  test('a create that fails ends FAILED with the reason, and a failed memory can only be deleted', async () => {
    await emulator.admin('PUT', 'behaviours/Memory/broken_memory', { failCreate: 'The KMS key is disabled' });
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('broken_memory', { memoryStrategies: [semantic('facts')] })));
    const failed = await getMemory(memory!.id!);
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'The KMS key is disabled' });
    expect(failed.strategies![0]!.status).toBe('FAILED');
    expect(await failure(client.send(new UpdateMemoryCommand({ memoryId: memory!.id, description: 'fix' })))).toMatchObject({ name: 'ConflictException' });
    await client.send(new DeleteMemoryCommand({ memoryId: memory!.id }));
    expect(await failure(getMemory(memory!.id!))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('a memory held stuck stays CREATING until released', async () => {
    await emulator.admin('PUT', 'behaviours/Memory/stuck_memory', { stuck: true });
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('stuck_memory')));
    expect((await getMemory(memory!.id!)).status).toBe('CREATING');
    await emulator.admin('DELETE', 'behaviours/Memory/stuck_memory');
    expect((await getMemory(memory!.id!)).status).toBe('ACTIVE');
  });

  test('an update that leaves strategies alone is partial and applies at once', async () => {
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('partial_memory', {
      description: 'first',
      memoryExecutionRoleArn: 'arn:aws:iam::123456789012:role/MemoryRole',
      encryptionKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab',
      indexedKeys: [{ key: 'topic', type: 'STRING' }],
      memoryStrategies: [semantic('facts')],
    })));
    // so the update's time is a later one
    await waitFor(() => Date.now() > memory!.createdAt!.getTime(), { what: 'the clock to move past the create' });
    const updated = await client.send(new UpdateMemoryCommand({ memoryId: memory!.id, eventExpiryDuration: 90, addIndexedKeys: [{ key: 'priority', type: 'NUMBER' }] }));
    expect(updated.memory!.status).toBe('ACTIVE');
    const after = await getMemory(memory!.id!);
    expect(after).toMatchObject({
      status: 'ACTIVE',
      description: 'first',
      eventExpiryDuration: 90,
      memoryExecutionRoleArn: 'arn:aws:iam::123456789012:role/MemoryRole',
      encryptionKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab',
      indexedKeys: [{ key: 'topic', type: 'STRING' }, { key: 'priority', type: 'NUMBER' }],
    });
    expect(after.strategies!.map((s) => s.name)).toEqual(['facts']);
    expect(after.updatedAt!.getTime()).toBeGreaterThan(after.createdAt!.getTime());
    expect(await failure(client.send(new UpdateMemoryCommand({ memoryId: memory!.id, addIndexedKeys: [{ key: 'topic', type: 'STRING' }] })))).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'addIndexedKeys' }] });
  });
});

describe('strategies', () => {
  test('a strategy id that is not in the memory is refused, for modify and for delete', async () => {
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('unknown_ids', { memoryStrategies: [semantic('facts')] })));
    const modify = await failure(client.send(new UpdateMemoryCommand({ memoryId: memory!.id, memoryStrategies: { modifyMemoryStrategies: [{ memoryStrategyId: 'facts-0000000000', description: 'x' }] } })));
    expect(modify).toMatchObject({ name: 'ValidationException', status: 400, reason: 'FieldValidationFailed', fieldList: [{ name: 'memoryStrategies' }] });
    const remove = await failure(client.send(new UpdateMemoryCommand({ memoryId: memory!.id, memoryStrategies: { deleteMemoryStrategies: [{ memoryStrategyId: 'gone-0000000000' }] } })));
    expect(remove).toMatchObject({ name: 'ValidationException', status: 400 });
    expect((await getMemory(memory!.id!)).status).toBe('ACTIVE');
  });

  test('names are unique within a memory, and a memory holds at most six strategies', async () => {
    expect(await failure(client.send(new CreateMemoryCommand(memoryInput('twins', { memoryStrategies: [semantic('same'), { summaryMemoryStrategy: { name: 'same' } }] }))))).toMatchObject({ name: 'ValidationException' });
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => semantic(`s_${n}`));
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('full_memory', { memoryStrategies: six })));
    expect(memory!.strategies).toHaveLength(6);
    const seventh = await failure(client.send(new UpdateMemoryCommand({ memoryId: memory!.id, memoryStrategies: { addMemoryStrategies: [semantic('s_g')] } })));
    expect(seventh).toMatchObject({ name: 'ServiceQuotaExceededException', status: 402 });
    const duplicate = await failure(client.send(new UpdateMemoryCommand({ memoryId: memory!.id, memoryStrategies: { addMemoryStrategies: [semantic('s_a')] } })));
    expect(duplicate).toMatchObject({ name: 'ValidationException' });
    const swapped = await client.send(new UpdateMemoryCommand({
      memoryId: memory!.id,
      memoryStrategies: { deleteMemoryStrategies: [{ memoryStrategyId: byName(memory!.strategies, 's_a').strategyId }], addMemoryStrategies: [semantic('s_a')] },
    }));
    expect(swapped.memory!.strategies!.filter((s) => s.name === 's_a').map((s) => s.status).sort()).toEqual(['CREATING', 'DELETING']);
  });

  test('custom overrides are reported as a typed configuration, and modified only with steps of their own kind', async () => {
    const extraction = { appendToPrompt: 'Extract only product facts.', modelId: 'amazon.nova-lite-v1:0' };
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('custom_memory', {
      memoryStrategies: [{ customMemoryStrategy: { name: 'products', configuration: { semanticOverride: { extraction } } } }],
    })));
    const products = byName(memory!.strategies, 'products');
    expect(products).toMatchObject({ type: 'CUSTOM', namespaces: [ACTOR_NAMESPACE] });
    expect(products.configuration).toEqual({ type: 'SEMANTIC_OVERRIDE', extraction: { customExtractionConfiguration: { semanticExtractionOverride: extraction } } });

    const wrongKind = await failure(client.send(new UpdateMemoryCommand({
      memoryId: memory!.id,
      memoryStrategies: { modifyMemoryStrategies: [{ memoryStrategyId: products.strategyId, configuration: { extraction: { customExtractionConfiguration: { userPreferenceExtractionOverride: extraction } } } }] },
    })));
    expect(wrongKind).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'memoryStrategies.modifyMemoryStrategies.configuration.extraction' }] });

    const consolidation = { appendToPrompt: 'Merge duplicates.', modelId: 'amazon.nova-lite-v1:0' };
    await client.send(new UpdateMemoryCommand({
      memoryId: memory!.id,
      memoryStrategies: { modifyMemoryStrategies: [{ memoryStrategyId: products.strategyId, configuration: { consolidation: { customConsolidationConfiguration: { semanticConsolidationOverride: consolidation } } } }] },
    }));
    expect(byName((await getMemory(memory!.id!)).strategies, 'products').configuration).toEqual({
      type: 'SEMANTIC_OVERRIDE',
      extraction: { customExtractionConfiguration: { semanticExtractionOverride: extraction } },
      consolidation: { customConsolidationConfiguration: { semanticConsolidationOverride: consolidation } },
    });

    const bare = await failure(client.send(new CreateMemoryCommand(memoryInput('bare_custom', { memoryStrategies: [{ customMemoryStrategy: { name: 'nothing' } }] }))));
    expect(bare).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'customMemoryStrategy.configuration' }] });
  });

  test('default namespaces follow the strategy kind; episodic strategies get a reflection namespace; self-managed gets defaults', async () => {
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('kinds_memory', {
      memoryStrategies: [
        { summaryMemoryStrategy: { name: 'summaries' } },
        { episodicMemoryStrategy: { name: 'episodes' } },
        { userPreferenceMemoryStrategy: { name: 'prefs', namespaces: ['/prefs/{actorId}/'] } },
        { customMemoryStrategy: { name: 'own', configuration: { selfManagedConfiguration: { invocationConfiguration: { topicArn: 'arn:aws:sns:us-west-2:123456789012:memory', payloadDeliveryBucketName: 'memory-payloads' } } } } },
      ],
    })));
    const strategies = memory!.strategies;
    expect(byName(strategies, 'summaries').namespaces).toEqual([SESSION_NAMESPACE]);
    expect(byName(strategies, 'episodes')).toMatchObject({
      type: 'EPISODIC',
      namespaces: [SESSION_NAMESPACE],
      configuration: { reflection: { episodicReflectionConfiguration: { namespaces: [ACTOR_NAMESPACE], namespaceTemplates: [ACTOR_NAMESPACE] } } },
    });
    expect(byName(strategies, 'prefs')).toMatchObject({ namespaces: ['/prefs/{actorId}/'], namespaceTemplates: ['/prefs/{actorId}/'] });
    expect(byName(strategies, 'own').configuration).toMatchObject({
      type: 'SELF_MANAGED',
      selfManagedConfiguration: { invocationConfiguration: { topicArn: 'arn:aws:sns:us-west-2:123456789012:memory', payloadDeliveryBucketName: 'memory-payloads' }, historicalContextWindowSize: expect.any(Number) },
    });
    expect(byName(strategies, 'own').configuration!.selfManagedConfiguration!.triggerConditions!.length).toBeGreaterThan(0);
  });
});

describe('validation', () => {
  test('every broken member is named, down to the strategy union and its prompts', async () => {
    const error = await failure(client.send(new CreateMemoryCommand({
      name: 'bad-name',
      eventExpiryDuration: 2,
      description: '',
      memoryStrategies: [
        semantic('facts', { namespaces: ['/a/{actorId}/', '/b/'] }),
        { customMemoryStrategy: { name: 'long', configuration: { semanticOverride: { extraction: { appendToPrompt: 'x'.repeat(30001), modelId: 'm' } } } } },
        semantic('odd', { namespaceTemplates: ['/facts/{userId}/'] }),
      ],
    })));
    expect(error).toMatchObject({ name: 'ValidationException', status: 400, reason: 'FieldValidationFailed' });
    expect(error.fieldList!.map((f) => f.name).sort()).toEqual([
      'description',
      'eventExpiryDuration',
      'memoryStrategies.0.semanticMemoryStrategy.namespaces',
      'memoryStrategies.1.customMemoryStrategy.configuration.semanticOverride.extraction.appendToPrompt',
      'memoryStrategies.2.semanticMemoryStrategy.namespaceTemplates.0',
      'name',
    ]);
    expect(error.message).not.toContain('x'.repeat(100));
  });

  test('a strategy with two kinds set, an expiry over a year and a malformed id are refused', async () => {
    const both = await failure(client.send(new CreateMemoryCommand(memoryInput('two_kinds', { memoryStrategies: [{ semanticMemoryStrategy: { name: 'a' }, summaryMemoryStrategy: { name: 'b' } } as never] }))));
    expect(both.fieldList).toEqual([{ name: 'memoryStrategies.0', message: 'Member must have exactly one member set' }]);
    expect((await failure(client.send(new CreateMemoryCommand(memoryInput('long_expiry', { eventExpiryDuration: 366 }))))).fieldList).toEqual([
      { name: 'eventExpiryDuration', message: 'Member must have value less than or equal to 365' },
    ]);
    expect((await failure(getMemory('not_a_memory_id'))).fieldList).toEqual([{ name: 'memoryId', message: expect.stringMatching(/^Member must satisfy regular expression pattern/) }]);
    expect(await failure(getMemory('missing-0123456789'))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});

describe('names, idempotency, quotas, tags', () => {
  test('memory names are unique per account', async () => {
    await client.send(new CreateMemoryCommand(memoryInput('unique_memory')));
    expect(await failure(client.send(new CreateMemoryCommand(memoryInput('unique_memory'))))).toMatchObject({ name: 'ConflictException', status: 409 });
  });

  test('a clientToken replays the first answer for the same request, and refuses a different one', async () => {
    const first = await client.send(new CreateMemoryCommand(memoryInput('token_memory', { clientToken: 'create-once' })));
    const again = await client.send(new CreateMemoryCommand(memoryInput('token_memory', { clientToken: 'create-once' })));
    expect(again.memory!.id).toBe(first.memory!.id);
    expect((await client.send(new ListMemoriesCommand({}))).memories).toHaveLength(1);
    const mismatch = await failure(client.send(new CreateMemoryCommand(memoryInput('other_memory', { clientToken: 'create-once' }))));
    expect(mismatch).toMatchObject({ name: 'ValidationException', status: 400, reason: 'IdempotentParameterMismatchException' });

    // While the first update keeps the memory UPDATING, only the replay of that very update escapes a ConflictException.
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 5000 });
    const memoryId = first.memory!.id!;
    const add = { memoryId, clientToken: 'add-prefs', memoryStrategies: { addMemoryStrategies: [{ userPreferenceMemoryStrategy: { name: 'prefs' } }] } };
    const updated = await client.send(new UpdateMemoryCommand(add));
    const replayed = await client.send(new UpdateMemoryCommand(add));
    expect(await failure(client.send(new UpdateMemoryCommand({ ...add, clientToken: 'another-token' })))).toMatchObject({ name: 'ConflictException' });
    expect(replayed.memory).toEqual(updated.memory);
    expect((await getMemory(memoryId)).strategies).toHaveLength(1);

    const deleted = await client.send(new DeleteMemoryCommand({ memoryId, clientToken: 'delete-once' }));
    expect(await client.send(new DeleteMemoryCommand({ memoryId, clientToken: 'delete-once' }))).toMatchObject({ memoryId: deleted.memoryId, status: 'DELETING' });
  });

  test('the memory count limit gives ServiceQuotaExceededException', async () => {
    await emulator.admin('PUT', 'config', { limits: { memoriesPerAccount: 2 } });
    await client.send(new CreateMemoryCommand(memoryInput('quota_a')));
    await client.send(new CreateMemoryCommand(memoryInput('quota_b')));
    expect(await failure(client.send(new CreateMemoryCommand(memoryInput('quota_c'))))).toMatchObject({ name: 'ServiceQuotaExceededException', status: 402 });
  });

  test('tags given at creation are listed on the memory ARN, and go with the memory', async () => {
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('tagged_memory', { tags: { team: 'search' } })));
    await client.send(new TagResourceCommand({ resourceArn: memory!.arn, tags: { env: 'dev' } }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: memory!.arn }))).tags).toEqual({ team: 'search', env: 'dev' });
    await client.send(new DeleteMemoryCommand({ memoryId: memory!.id }));
    expect(await failure(client.send(new ListTagsForResourceCommand({ resourceArn: memory!.arn })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('the wire', () => {
  test('timestamps are epoch seconds on the wire, which the SDK turns into Dates', async () => {
    const before = Date.now();
    const { memory } = await client.send(new CreateMemoryCommand(memoryInput('wire_memory', { memoryStrategies: [semantic('facts')] })));
    expect(memory!.createdAt).toBeInstanceOf(Date);
    expect(memory!.strategies![0]!.createdAt).toBeInstanceOf(Date);
    const response = await fetch(`${emulator.url}/memories/${memory!.id}/details?view=full`, { headers: SIGNED });
    const raw = (await response.json()) as { memory: { createdAt: unknown; updatedAt: unknown; strategies: { createdAt: unknown }[] } };
    expect(typeof raw.memory.createdAt).toBe('number');
    expect(typeof raw.memory.updatedAt).toBe('number');
    expect(typeof raw.memory.strategies[0]!.createdAt).toBe('number');
    expect(Math.abs((raw.memory.createdAt as number) * 1000 - before)).toBeLessThan(5000);
    expect(memory!.createdAt!.getTime()).toBe(Math.round((raw.memory.createdAt as number) * 1000));
  });

  test('ListMemories pages with maxResults and nextToken in the JSON body', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push((await client.send(new CreateMemoryCommand(memoryInput(`paged_${n}`)))).memory!.id!);
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListMemoriesCommand({ maxResults: 2, nextToken }));
      for (const m of page.memories!) {
        expect(m).toMatchObject({ status: 'ACTIVE', arn: expect.stringMatching(/:memory\//) });
        expect(m.createdAt).toBeInstanceOf(Date);
      }
      seen.push(...page.memories!.map((m) => m.id!));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const list = (body: unknown, query = '') => fetch(`${emulator.url}/memories/${query}`, { method: 'POST', headers: { ...SIGNED, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const fromBody = (await (await list({ maxResults: 2 })).json()) as { memories: unknown[]; nextToken?: string };
    expect(fromBody.memories).toHaveLength(2);
    expect(typeof fromBody.nextToken).toBe('string');
    const fromQuery = (await (await list({}, '?maxResults=2')).json()) as { memories: unknown[]; nextToken?: string };
    expect(fromQuery.memories).toHaveLength(5);
    expect(await failure(client.send(new ListMemoriesCommand({ nextToken: 'forged' })))).toMatchObject({ name: 'ValidationException' });
  });

  test('memory operations throttle with 429 ThrottledException, not ThrottlingException', async () => {
    await emulator.admin('PUT', 'config', { rateScale: 1, rates: { memoryCreate: 1 } });
    const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((n) => client.send(new CreateMemoryCommand(memoryInput(`busy_${n}`))).then(() => 'ok', (e: { name: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual(['ThrottledException 429', 'ThrottledException 429', 'ThrottledException 429']);
    const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
    expect(counters['bedrock-agentcore:CreateMemory']).toEqual({ ok: 1, ThrottledException: 3 });
  });
});
