import { beforeEach, describe, expect, test } from '@jest/globals';
import {
  CreateMemoryCommand, DeleteMemoryCommand, GetMemoryCommand, ListMemoriesCommand, ListTagsForResourceCommand, UpdateMemoryCommand,
  type MemoryStrategy,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { MemorySpec } from '../../src/api/v1alpha1/memory.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { iamService } from '../../src/emulator/iam/index.js';
import { stsService } from '../../src/emulator/sts/index.js';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { removeManagedRole } from '../../src/reconcilers/iam/index.js';
import { DEFAULT_SETTINGS, type ReconcileEnv } from '../../src/reconcilers/kind.js';
import { createInput, desiredMemory } from '../../src/reconcilers/memory/desired.js';
import { diffMemory, type MemoryState, type MemoryUpdate } from '../../src/reconcilers/memory/diff.js';
import { finalizeMemory, memoryReconciler, planMemory, reconcileMemory, type MemoryObject, type MemoryOutcome } from '../../src/reconcilers/memory/index.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

const ACTOR = '/strategies/{memoryStrategyId}/actors/{actorId}/';
const SESSION = '/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/';
const ROLE = 'arn:aws:iam::123456789012:role/MemoryRole';
const KEY = 'arn:aws:kms:us-west-2:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab';
const PROMPT = { appendToPrompt: 'Extract only product facts.', modelId: 'amazon.nova-lite-v1:0' };
const OTHER_PROMPT = { appendToPrompt: 'Merge duplicates.', modelId: 'amazon.nova-lite-v1:0' };
const INVOCATION = { topicArn: 'arn:aws:sns:us-west-2:123456789012:memory', payloadDeliveryBucketName: 'memory-payloads' };

// ---------------------------------------------------------------------------------------------
// The pure diff, as tables.
// ---------------------------------------------------------------------------------------------

const spec = (extra: Partial<MemorySpec> = {}): MemorySpec => ({ eventExpiryDays: 90, ...extra }) as MemorySpec;
const observedStrategy = (name: string, type: string, extra: Partial<MemoryStrategy> = {}): MemoryStrategy => {
  const namespaces = extra.namespaces ?? [type === 'SUMMARIZATION' || type === 'EPISODIC' ? SESSION : ACTOR];
  return { strategyId: `${name}-0123456789`, name, type: type as MemoryStrategy['type'], status: 'ACTIVE', namespaceTemplates: namespaces, ...extra, namespaces };
};
const state = (strategies: MemoryStrategy[] = [], extra: Partial<MemoryState> = {}): MemoryState => ({ name: 'support_memory', eventExpiryDuration: 90, strategies, ...extra });
const diff = (s: MemorySpec, observed: MemoryState) => diffMemory(desiredMemory(s, 'support_memory'), observed);

const semanticOverride = (steps: Record<string, unknown>) => ({
  type: 'SEMANTIC_OVERRIDE' as const,
  ...(steps.extraction ? { extraction: { customExtractionConfiguration: { semanticExtractionOverride: steps.extraction } } } : {}),
  ...(steps.consolidation ? { consolidation: { customConsolidationConfiguration: { semanticConsolidationOverride: steps.consolidation } } } : {}),
}) as MemoryStrategy['configuration'];

describe('diffMemory: what is not a difference', () => {
  const cases: [string, MemorySpec, MemoryState][] = [
    ['a memory without strategies, as specified', spec({ description: 'd' }), state([], { description: 'd' })],
    [
      'default namespaces AWS filled in for every kind, when the spec gives none',
      spec({ strategies: [{ name: 'facts', semantic: {} }, { name: 'sums', summary: {} }, { name: 'prefs', userPreference: {} }, { name: 'eps', episodic: {} }, { name: 'own', custom: { summaryOverride: { consolidation: PROMPT } } }] }),
      state([
        observedStrategy('facts', 'SEMANTIC'),
        observedStrategy('sums', 'SUMMARIZATION'),
        observedStrategy('prefs', 'USER_PREFERENCE'),
        observedStrategy('eps', 'EPISODIC', { configuration: { reflection: { episodicReflectionConfiguration: { namespaces: [ACTOR], namespaceTemplates: [ACTOR] } } } }),
        observedStrategy('own', 'CUSTOM', { namespaces: [SESSION], configuration: { type: 'SUMMARY_OVERRIDE', consolidation: { customConsolidationConfiguration: { summaryConsolidationOverride: PROMPT } } } }),
      ]),
    ],
    ['the legacy `default` namespace, and a default without its trailing slash', spec({ strategies: [{ name: 'a', semantic: {} }, { name: 'b', semantic: {} }] }), state([observedStrategy('a', 'SEMANTIC', { namespaces: ['default'] }), observedStrategy('b', 'SEMANTIC', { namespaces: [ACTOR.slice(0, -1)] })])],
    ['namespaces the spec gives, as given', spec({ strategies: [{ name: 'facts', semantic: { namespaces: ['/facts/{actorId}/'] } }] }), state([observedStrategy('facts', 'SEMANTIC', { namespaces: ['/facts/{actorId}/'] })])],
    ['a description and role the spec leaves out (the API cannot clear them)', spec(), state([], { description: 'theirs', memoryExecutionRoleArn: ROLE })],
    ['a strategy description the spec leaves out', spec({ strategies: [{ name: 'facts', semantic: {} }] }), state([observedStrategy('facts', 'SEMANTIC', { description: 'anything' })])],
    [
      'self-managed triggers and context window AWS filled in',
      spec({ strategies: [{ name: 'own', custom: { selfManaged: INVOCATION } }] }),
      state([observedStrategy('own', 'CUSTOM', { configuration: { type: 'SELF_MANAGED', selfManagedConfiguration: { invocationConfiguration: INVOCATION, triggerConditions: [{ messageBasedTrigger: { messageCount: 6 } }], historicalContextWindowSize: 4 } } })]),
    ],
    [
      'self-managed triggers in another order',
      spec({ strategies: [{ name: 'own', custom: { selfManaged: { ...INVOCATION, triggerConditions: [{ messageCount: 3 }, { tokenCount: 1000 }] } } }] }),
      state([observedStrategy('own', 'CUSTOM', { configuration: { type: 'SELF_MANAGED', selfManagedConfiguration: { invocationConfiguration: INVOCATION, triggerConditions: [{ tokenBasedTrigger: { tokenCount: 1000 } }, { messageBasedTrigger: { messageCount: 3 } }], historicalContextWindowSize: 4 } } })]),
    ],
    [
      'an override step with an empty placeholder AWS reports for a step the spec leaves out',
      spec({ strategies: [{ name: 'own', custom: { semanticOverride: { extraction: PROMPT } } }] }),
      state([observedStrategy('own', 'CUSTOM', { configuration: { ...semanticOverride({ extraction: PROMPT }), consolidation: { customConsolidationConfiguration: { semanticConsolidationOverride: {} as never } } } })]),
    ],
    ['a strategy AWS is deleting whose name is gone from the spec', spec(), state([observedStrategy('old', 'SEMANTIC', { status: 'DELETING' })])],
  ];
  test.each(cases)('%s', (_name, s, observed) => {
    expect(diff(s, observed)).toEqual({ changes: [] });
  });
});

describe('diffMemory: differences and the one UpdateMemory body', () => {
  const cases: [string, MemorySpec, MemoryState, string[], MemoryUpdate][] = [
    [
      'memory settings',
      spec({ description: 'new', eventExpiryDays: 30, role: { arn: ROLE } }),
      state([], { description: 'old', memoryExecutionRoleArn: 'arn:aws:iam::123456789012:role/Old' }),
      ['spec.description', 'spec.eventExpiryDays', 'spec.role.arn'],
      { description: 'new', eventExpiryDuration: 30, memoryExecutionRoleArn: ROLE },
    ],
    [
      'a new name is added, a gone name deleted by its id, a changed one modified by its id',
      spec({ strategies: [{ name: 'facts', semantic: { description: 'what users said' } }, { name: 'prefs', userPreference: {} }] }),
      state([observedStrategy('facts', 'SEMANTIC'), observedStrategy('sums', 'SUMMARIZATION')]),
      ['spec.strategies[facts].semantic.description', 'spec.strategies[prefs]', 'spec.strategies[sums]'],
      {
        memoryStrategies: {
          addMemoryStrategies: [{ userPreferenceMemoryStrategy: { name: 'prefs' } }],
          modifyMemoryStrategies: [{ memoryStrategyId: 'facts-0123456789', description: 'what users said' }],
          deleteMemoryStrategies: [{ memoryStrategyId: 'sums-0123456789' }],
        },
      },
    ],
    [
      'namespaces set out of band go back to the default when the spec gives none',
      spec({ strategies: [{ name: 'sums', summary: {} }] }),
      state([observedStrategy('sums', 'SUMMARIZATION', { namespaces: ['/elsewhere/{actorId}/'] })]),
      ['spec.strategies[sums].summary.namespaces'],
      { memoryStrategies: { modifyMemoryStrategies: [{ memoryStrategyId: 'sums-0123456789', namespaces: [SESSION] }] } },
    ],
    [
      'namespaces the spec changes',
      spec({ strategies: [{ name: 'facts', semantic: { namespaces: ['/facts/{actorId}/'] } }] }),
      state([observedStrategy('facts', 'SEMANTIC')]),
      ['spec.strategies[facts].semantic.namespaces'],
      { memoryStrategies: { modifyMemoryStrategies: [{ memoryStrategyId: 'facts-0123456789', namespaces: ['/facts/{actorId}/'] }] } },
    ],
    [
      'a kind change is a delete and an add of the same name',
      spec({ strategies: [{ name: 'facts', summary: {} }] }),
      state([observedStrategy('facts', 'SEMANTIC')]),
      ['spec.strategies[facts]'],
      { memoryStrategies: { addMemoryStrategies: [{ summaryMemoryStrategy: { name: 'facts' } }], deleteMemoryStrategies: [{ memoryStrategyId: 'facts-0123456789' }] } },
    ],
    [
      'so is a change of custom variant',
      spec({ strategies: [{ name: 'own', custom: { userPreferenceOverride: { extraction: PROMPT } } }] }),
      state([observedStrategy('own', 'CUSTOM', { configuration: semanticOverride({ extraction: PROMPT }) })]),
      ['spec.strategies[own]'],
      { memoryStrategies: { addMemoryStrategies: [{ customMemoryStrategy: { name: 'own', configuration: { userPreferenceOverride: { extraction: PROMPT } } } }], deleteMemoryStrategies: [{ memoryStrategyId: 'own-0123456789' }] } },
    ],
    [
      'a changed or added override step is modified in its wrapper',
      spec({ strategies: [{ name: 'own', custom: { semanticOverride: { extraction: OTHER_PROMPT, consolidation: OTHER_PROMPT } } }] }),
      state([observedStrategy('own', 'CUSTOM', { configuration: semanticOverride({ extraction: PROMPT }) })]),
      ['spec.strategies[own].custom.semanticOverride.consolidation', 'spec.strategies[own].custom.semanticOverride.extraction'],
      {
        memoryStrategies: {
          modifyMemoryStrategies: [{
            memoryStrategyId: 'own-0123456789',
            configuration: {
              extraction: { customExtractionConfiguration: { semanticExtractionOverride: OTHER_PROMPT } },
              consolidation: { customConsolidationConfiguration: { semanticConsolidationOverride: OTHER_PROMPT } },
            },
          }],
        },
      },
    ],
    [
      'a removed override step cannot be modified away: delete and add',
      spec({ strategies: [{ name: 'own', custom: { semanticOverride: { extraction: PROMPT } } }] }),
      state([observedStrategy('own', 'CUSTOM', { configuration: semanticOverride({ extraction: PROMPT, consolidation: OTHER_PROMPT }) })]),
      ['spec.strategies[own].custom.semanticOverride.consolidation'],
      { memoryStrategies: { addMemoryStrategies: [{ customMemoryStrategy: { name: 'own', configuration: { semanticOverride: { extraction: PROMPT } } } }], deleteMemoryStrategies: [{ memoryStrategyId: 'own-0123456789' }] } },
    ],
    [
      'episodic reflection namespaces',
      spec({ strategies: [{ name: 'eps', episodic: { reflectionNamespaces: ['/reflections/{actorId}/'] } }] }),
      state([observedStrategy('eps', 'EPISODIC', { configuration: { reflection: { episodicReflectionConfiguration: { namespaces: [ACTOR], namespaceTemplates: [ACTOR] } } } })]),
      ['spec.strategies[eps].episodic.reflectionNamespaces'],
      { memoryStrategies: { modifyMemoryStrategies: [{ memoryStrategyId: 'eps-0123456789', configuration: { reflection: { episodicReflectionConfiguration: { namespaces: ['/reflections/{actorId}/'] } } } }] } },
    ],
    [
      'self-managed invocation and triggers',
      spec({ strategies: [{ name: 'own', custom: { selfManaged: { ...INVOCATION, topicArn: 'arn:aws:sns:us-west-2:123456789012:other', triggerConditions: [{ idleSessionTimeoutSeconds: 60 }] } } }] }),
      state([observedStrategy('own', 'CUSTOM', { configuration: { type: 'SELF_MANAGED', selfManagedConfiguration: { invocationConfiguration: INVOCATION, triggerConditions: [{ messageBasedTrigger: { messageCount: 6 } }], historicalContextWindowSize: 4 } } })]),
      ['spec.strategies[own].custom.selfManaged.topicArn', 'spec.strategies[own].custom.selfManaged.triggerConditions'],
      {
        memoryStrategies: {
          modifyMemoryStrategies: [{
            memoryStrategyId: 'own-0123456789',
            configuration: { selfManagedConfiguration: { invocationConfiguration: { ...INVOCATION, topicArn: 'arn:aws:sns:us-west-2:123456789012:other' }, triggerConditions: [{ timeBasedTrigger: { idleSessionTimeout: 60 } }] } },
          }],
        },
      },
    ],
    [
      'a name whose strategy AWS is deleting is added again',
      spec({ strategies: [{ name: 'facts', semantic: {} }] }),
      state([observedStrategy('facts', 'SEMANTIC', { status: 'DELETING' })]),
      ['spec.strategies[facts]'],
      { memoryStrategies: { addMemoryStrategies: [{ semanticMemoryStrategy: { name: 'facts' } }] } },
    ],
  ];
  test.each(cases)('%s', (_name, s, observed, paths, update) => {
    const result = diff(s, observed);
    expect(result.changes.map((c) => c.path)).toEqual(paths);
    expect(result.changes.every((c) => c.action === 'update')).toBe(true);
    expect(result.update).toEqual(update);
  });

  test('the name and the encryption key are immutable: replacement, never in the update', () => {
    const result = diffMemory(desiredMemory(spec({ memoryName: 'renamed', encryptionKeyArn: KEY }), 'renamed'), state());
    expect(result.changes.map((c) => [c.path, c.action])).toEqual([['spec.encryptionKeyArn', 'replace'], ['spec.memoryName', 'replace']]);
    expect(result.update).toBeUndefined();
  });

  test('changes carry where they came from and what they go to', () => {
    expect(diff(spec({ eventExpiryDays: 30, strategies: [{ name: 'facts', summary: {} }] }), state([observedStrategy('facts', 'SEMANTIC')])).changes).toEqual([
      { path: 'spec.eventExpiryDays', from: 90, to: 30, action: 'update' },
      { path: 'spec.strategies[facts]', from: 'semantic', to: 'summary', action: 'update' },
    ]);
  });
});

describe('desiredMemory', () => {
  test('the spec as CreateMemory input, each strategy in the API union', () => {
    const input = createInput(desiredMemory(spec({
      description: 'support',
      eventExpiryDays: 30,
      encryptionKeyArn: KEY,
      role: { arn: ROLE },
      strategies: [
        { name: 'facts', semantic: { description: 'facts', namespaces: ['/facts/{actorId}/'] } },
        { name: 'eps', episodic: { reflectionNamespaces: ['/reflections/{actorId}/'] } },
        { name: 'own', custom: { episodicOverride: { reflection: PROMPT } } },
        { name: 'pipe', custom: { selfManaged: { ...INVOCATION, triggerConditions: [{ tokenCount: 500 }], historicalContextWindowSize: 2 } } },
      ],
    }), 'support_memory'));
    expect(input).toEqual({
      name: 'support_memory',
      description: 'support',
      eventExpiryDuration: 30,
      encryptionKeyArn: KEY,
      memoryExecutionRoleArn: ROLE,
      memoryStrategies: [
        { semanticMemoryStrategy: { name: 'facts', description: 'facts', namespaces: ['/facts/{actorId}/'] } },
        { episodicMemoryStrategy: { name: 'eps', reflectionConfiguration: { namespaces: ['/reflections/{actorId}/'] } } },
        { customMemoryStrategy: { name: 'own', configuration: { episodicOverride: { reflection: PROMPT } } } },
        { customMemoryStrategy: { name: 'pipe', configuration: { selfManagedConfiguration: { invocationConfiguration: INVOCATION, triggerConditions: [{ tokenBasedTrigger: { tokenCount: 500 } }], historicalContextWindowSize: 2 } } } },
      ],
    });
  });

  test('a managed role is refused, saying it is not reconciled yet', () => {
    expect(desiredMemory(spec({ role: { managed: {} } } as Partial<MemorySpec>), 'm', 'arn:aws:iam::123456789012:role/agentcore/m').memoryExecutionRoleArn).toBe('arn:aws:iam::123456789012:role/agentcore/m');
  });

  test('the kind references nothing', () => {
    expect(memoryReconciler.references(spec({ strategies: [{ name: 'a', semantic: {} }] }))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Against the emulator, over HTTP, with the real SDK client.
// ---------------------------------------------------------------------------------------------

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator([agentCoreService(), iamService(), stsService()], (e, a) => {
  emulator = e;
  aws = a;
});
beforeEach(async () => {
  await emulator.admin('PUT', 'config', { provisioningDelayMs: 0, deletionDelayMs: 0 });
});

const OWNER = 'agents/Memory/support-memory';

function memoryObject(s: Partial<MemorySpec> = {}, name = 'support-memory'): MemoryObject {
  return { metadata: { name, namespace: 'agents', uid: `uid-${name}`, generation: 1 }, spec: spec(s) };
}

function env(owner = OWNER): ReconcileEnv {
  return {
    aws,
    owner: { owner, source: 'test' },
    now: () => new Date(),
    pollMs: 10,
    lookup: () => undefined,
    secret: () => Promise.reject(new Error('no secrets here')),
    settings: DEFAULT_SETTINGS,
  };
}

/** Runs the reconciler until it is done or stalled, carrying status from one run to the next. */
async function converge(object: MemoryObject, e: ReconcileEnv = env(), rounds = 20): Promise<MemoryOutcome & { runs: number; allActions: string[] }> {
  const allActions: string[] = [];
  for (let runs = 1; runs <= rounds; runs += 1) {
    const outcome = await reconcileMemory(object, e);
    object.status = outcome.status;
    allActions.push(...outcome.actions);
    if (outcome.next.kind === 'done' || outcome.next.kind === 'stalled') return { ...outcome, runs, allActions };
    if (outcome.next.kind === 'requeue') await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not converged after ${rounds} runs: ${JSON.stringify(object.status?.conditions)}`);
}

async function finalize(object: MemoryObject): Promise<string[]> {
  const actions: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const outcome = await finalizeMemory(object, env());
    object.status = outcome.status;
    actions.push(...outcome.actions);
    if (outcome.next.kind === 'done') return actions;
    if (outcome.next.kind !== 'requeue') throw new Error(`finalize ended ${outcome.next.kind}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('finalize did not finish');
}

type Counters = Record<string, Record<string, number>>;
const counters = () => emulator.admin<Counters>('GET', 'counters');
const calls = (c: Counters, op: string) => Object.values(c[`bedrock-agentcore:${op}`] ?? {}).reduce((a, b) => a + b, 0);
const WRITES = /:(Create|Update|Delete|Tag|Untag)/;
const writeCalls = (c: Counters) => Object.entries(c).filter(([op]) => WRITES.test(op)).reduce((n, [, outcomes]) => n + Object.values(outcomes).reduce((a, b) => a + b, 0), 0);

const getMemory = async (id: string) => (await aws.agentcore.send(new GetMemoryCommand({ memoryId: id }))).memory!;
const listMemories = async () => (await aws.agentcore.send(new ListMemoriesCommand({}))).memories!;
const condition = (o: MemoryObject, type: string) => o.status?.conditions?.find((c) => c.type === type);
const strategyId = (o: MemoryObject, name: string) => o.status!.strategies!.find((s) => s.name === name)!.strategyId!;

const STRATEGIES: MemorySpec['strategies'] = [
  { name: 'facts', semantic: {} },
  { name: 'summaries', summary: { description: 'per session' } },
  { name: 'episodes', episodic: {} },
];

describe('Memory reconciler against the emulator', () => {
  test('creates the memory with its strategies and tags, waits while AWS works, then reports Ready; a second run makes no write', async () => {
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 150 });
    const object = memoryObject({ description: 'Support memory', eventExpiryDays: 30, role: { arn: ROLE }, strategies: STRATEGIES, tags: { team: 'support' } });
    const outcome = await converge(object);
    expect(outcome.next.kind).toBe('done');
    expect(outcome.runs).toBeGreaterThan(2);
    expect(outcome.allActions).toEqual(['created memory support_memory']);
    expect(condition(object, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 1, message: 'Memory support_memory is ACTIVE with 3 strategies' });
    expect(condition(object, 'Synced')).toMatchObject({ status: 'True' });
    expect(object.status).toMatchObject({ memoryName: 'support_memory', awsStatus: 'ACTIVE', roleArn: ROLE, observedGeneration: 1 });
    expect(object.status!.memoryId).toMatch(/^support_memory-[a-zA-Z0-9]{10}$/);
    expect(object.status!.memoryArn).toBe(`arn:aws:bedrock-agentcore:us-west-2:123456789012:memory/${object.status!.memoryId}`);
    expect(object.status!.strategies).toEqual([
      { name: 'episodes', strategyId: expect.stringMatching(/^episodes-/), type: 'EPISODIC', status: 'ACTIVE' },
      { name: 'facts', strategyId: expect.stringMatching(/^facts-/), type: 'SEMANTIC', status: 'ACTIVE' },
      { name: 'summaries', strategyId: expect.stringMatching(/^summaries-/), type: 'SUMMARIZATION', status: 'ACTIVE' },
    ]);
    const memory = await getMemory(object.status!.memoryId!);
    expect(memory).toMatchObject({ description: 'Support memory', eventExpiryDuration: 30, memoryExecutionRoleArn: ROLE });
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: object.status!.memoryArn }));
    expect(tags).toEqual({ team: 'support', 'agentcore.dev/managed-by': 'agentcore-operator', 'agentcore.dev/owner': OWNER, 'agentcore.dev/source': 'test' });

    // The default namespaces AWS filled in (per actor, per session, reflections) are not drift.
    const before = await counters();
    const again = await reconcileMemory(object, env());
    expect([again.next.kind, again.actions]).toEqual(['done', []]);
    const after = await counters();
    expect(writeCalls(after)).toBe(writeCalls(before));
    expect(calls(after, 'ListMemories')).toBe(calls(before, 'ListMemories'));
  });

  test('strategies are added, modified and deleted by name in one UpdateMemory; a kind change is a delete and an add', async () => {
    const object = memoryObject({ strategies: STRATEGIES });
    await converge(object);
    const factsId = strategyId(object, 'facts');
    const summariesId = strategyId(object, 'summaries');
    object.spec.strategies = [
      { name: 'facts', semantic: { description: 'what users told us', namespaces: ['/facts/{actorId}/'] } },
      { name: 'episodes', summary: {} },
      { name: 'prefs', userPreference: {} },
    ];
    object.metadata.generation = 2;
    const before = await counters();
    const outcome = await converge(object);
    expect(outcome.next.kind).toBe('done');
    expect(outcome.allActions).toEqual([
      'updated spec.strategies[episodes], spec.strategies[facts].semantic.description, spec.strategies[facts].semantic.namespaces, spec.strategies[prefs], spec.strategies[summaries]',
    ]);
    const after = await counters();
    expect(calls(after, 'UpdateMemory') - calls(before, 'UpdateMemory')).toBe(1);
    expect(writeCalls(after) - writeCalls(before)).toBe(1);

    const memory = await getMemory(object.status!.memoryId!);
    const byName = new Map(memory.strategies!.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['episodes', 'facts', 'prefs']);
    expect(byName.get('facts')).toMatchObject({ strategyId: factsId, description: 'what users told us', namespaces: ['/facts/{actorId}/'] });
    expect(byName.get('episodes')!.type).toBe('SUMMARIZATION');
    expect(memory.strategies!.some((s) => s.strategyId === summariesId)).toBe(false);
    expect(object.status!.strategies!.map((s) => [s.name, s.type, s.status])).toEqual([['episodes', 'SUMMARIZATION', 'ACTIVE'], ['facts', 'SEMANTIC', 'ACTIVE'], ['prefs', 'USER_PREFERENCE', 'ACTIVE']]);
    expect(object.status!.observedGeneration).toBe(2);
    expect((await reconcileMemory(object, env())).actions).toEqual([]);
  });

  test('custom strategies: steps and self-managed settings are modified in place; a removed step remakes the strategy', async () => {
    const object = memoryObject({
      role: { arn: ROLE },
      strategies: [
        { name: 'products', custom: { semanticOverride: { extraction: PROMPT } } },
        { name: 'episodes', custom: { episodicOverride: { reflection: PROMPT } } },
        { name: 'pipeline', custom: { selfManaged: INVOCATION } },
      ],
    });
    await converge(object);
    expect((await reconcileMemory(object, env())).actions).toEqual([]);
    const productsId = strategyId(object, 'products');

    object.spec.strategies = [
      { name: 'products', custom: { semanticOverride: { extraction: OTHER_PROMPT, consolidation: OTHER_PROMPT } } },
      { name: 'episodes', custom: { episodicOverride: { reflection: OTHER_PROMPT } } },
      { name: 'pipeline', custom: { selfManaged: { ...INVOCATION, triggerConditions: [{ tokenCount: 1000 }], historicalContextWindowSize: 8 } } },
    ];
    object.metadata.generation = 2;
    const modified = await converge(object);
    expect(modified.next.kind).toBe('done');
    expect(modified.allActions).toHaveLength(1);
    let memory = await getMemory(object.status!.memoryId!);
    const byName = (name: string) => memory.strategies!.find((s) => s.name === name)!;
    expect(byName('products')).toMatchObject({
      strategyId: productsId,
      configuration: {
        type: 'SEMANTIC_OVERRIDE',
        extraction: { customExtractionConfiguration: { semanticExtractionOverride: OTHER_PROMPT } },
        consolidation: { customConsolidationConfiguration: { semanticConsolidationOverride: OTHER_PROMPT } },
      },
    });
    expect(byName('episodes').configuration!.reflection!.customReflectionConfiguration!.episodicReflectionOverride).toMatchObject(OTHER_PROMPT);
    expect(byName('pipeline').configuration!.selfManagedConfiguration).toMatchObject({ triggerConditions: [{ tokenBasedTrigger: { tokenCount: 1000 } }], historicalContextWindowSize: 8, invocationConfiguration: INVOCATION });
    expect((await reconcileMemory(object, env())).actions).toEqual([]);

    object.spec.strategies[0] = { name: 'products', custom: { semanticOverride: { extraction: OTHER_PROMPT } } };
    object.metadata.generation = 3;
    const remade = await converge(object);
    expect(remade.allActions).toEqual(['updated spec.strategies[products].custom.semanticOverride.consolidation']);
    memory = await getMemory(object.status!.memoryId!);
    expect(byName('products').strategyId).not.toBe(productsId);
    expect(byName('products').configuration).toEqual({ type: 'SEMANTIC_OVERRIDE', extraction: { customExtractionConfiguration: { semanticExtractionOverride: OTHER_PROMPT } } });
  });

  test('a change of settings only is one UpdateMemory, and a tag change goes through the tag APIs', async () => {
    const object = memoryObject({ description: 'first', tags: { team: 'a', old: 'x' } });
    await converge(object);
    object.spec = spec({ description: 'second', eventExpiryDays: 120, tags: { team: 'b' } });
    object.metadata.generation = 2;
    const outcome = await converge(object);
    expect(outcome.allActions).toEqual(['updated spec.description, spec.eventExpiryDays', 'tagged team', 'untagged old']);
    expect(await getMemory(object.status!.memoryId!)).toMatchObject({ description: 'second', eventExpiryDuration: 120 });
    expect((await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: object.status!.memoryArn }))).tags!.team).toBe('b');
  });

  test('an out-of-band change is corrected and reported as spec paths', async () => {
    const object = memoryObject({ description: 'Support memory', strategies: STRATEGIES });
    await converge(object);
    await aws.agentcore.send(new UpdateMemoryCommand({
      memoryId: object.status!.memoryId,
      description: 'changed by hand',
      memoryStrategies: {
        modifyMemoryStrategies: [{ memoryStrategyId: strategyId(object, 'facts'), namespaces: ['/elsewhere/{actorId}/'] }],
        addMemoryStrategies: [{ userPreferenceMemoryStrategy: { name: 'extra' } }],
      },
    }));
    const outcome = await converge(object);
    expect(outcome.next.kind).toBe('done');
    expect(outcome.allActions).toEqual(['corrected drift at spec.description, spec.strategies[extra], spec.strategies[facts].semantic.namespaces']);
    expect(condition(object, 'Drifted')).toMatchObject({ status: 'False', reason: 'DriftCorrected', message: 'Corrected spec.description, spec.strategies[extra], spec.strategies[facts].semantic.namespaces' });
    expect(condition(object, 'Ready')).toMatchObject({ status: 'True' });
    const memory = await getMemory(object.status!.memoryId!);
    expect(memory.description).toBe('Support memory');
    expect(memory.strategies!.map((s) => s.name).sort()).toEqual(['episodes', 'facts', 'summaries']);
    expect(memory.strategies!.find((s) => s.name === 'facts')!.namespaces).toEqual([ACTOR]);
    expect(object.status!.drift).toBeUndefined();
  });

  test('with driftPolicy: Report, drift is reported and left alone', async () => {
    const object = memoryObject({ strategies: STRATEGIES, driftPolicy: 'Report' });
    await converge(object);
    await aws.agentcore.send(new UpdateMemoryCommand({
      memoryId: object.status!.memoryId,
      eventExpiryDuration: 10,
      memoryStrategies: { modifyMemoryStrategies: [{ memoryStrategyId: strategyId(object, 'facts'), namespaces: ['/elsewhere/{actorId}/'] }] },
    }));
    const before = await counters();
    const outcome = await converge(object);
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', []]);
    expect(writeCalls(await counters())).toBe(writeCalls(before));
    expect(object.status!.drift).toEqual(['spec.eventExpiryDays', 'spec.strategies[facts].semantic.namespaces']);
    expect(condition(object, 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(condition(object, 'Synced')).toMatchObject({ status: 'False', reason: 'DriftDetected' });
    expect(condition(object, 'Ready')).toMatchObject({ status: 'True', message: expect.stringContaining('drift reported') });

    // A spec change is applied, drift and all.
    object.spec.description = 'now managed';
    object.metadata.generation = 2;
    const applied = await converge(object);
    expect(applied.allActions).toEqual(['updated spec.description, spec.eventExpiryDays, spec.strategies[facts].semantic.namespaces']);
    expect(object.status!.drift).toBeUndefined();
    expect(condition(object, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync' });
  });

  test('a failed create is Stalled with the AWS reason', async () => {
    await emulator.admin('PUT', 'behaviours/Memory/support_memory', { failCreate: 'The KMS key is disabled' });
    const object = memoryObject({ strategies: STRATEGIES });
    const stalled = await converge(object);
    expect(stalled.next.kind).toBe('stalled');
    expect(condition(object, 'Stalled')).toMatchObject({ status: 'True', reason: 'AWSFailed', message: expect.stringContaining('AWS reports FAILED: The KMS key is disabled') });
    expect(condition(object, 'Ready')).toMatchObject({ status: 'False', reason: 'AWSFailed' });
    expect(object.status).toMatchObject({ awsStatus: 'FAILED', failureReason: 'The KMS key is disabled' });
    expect(object.status!.observedGeneration).toBeUndefined();
    // Once the failed memory is deleted, the next run creates it again.
    await aws.agentcore.send(new DeleteMemoryCommand({ memoryId: object.status!.memoryId }));
    const fixed = await converge(object);
    expect(fixed.next.kind).toBe('done');
    expect(object.status).toMatchObject({ awsStatus: 'ACTIVE', failureReason: undefined });
    expect(condition(object, 'Stalled')).toBeUndefined();
  });

  test('a changed encryption key is Stalled as a replacement the operator does not make', async () => {
    const object = memoryObject();
    await converge(object);
    object.spec.encryptionKeyArn = KEY;
    object.metadata.generation = 2;
    const before = await counters();
    const outcome = await converge(object);
    expect(outcome.next.kind).toBe('stalled');
    expect(condition(object, 'Stalled')).toMatchObject({ reason: 'ReplacementNotAllowed', message: expect.stringContaining('spec.encryptionKeyArn') });
    expect(writeCalls(await counters())).toBe(writeCalls(before));
  });

  test('a managed role is created, trusted by Bedrock and AgentCore, and the memory runs with it', async () => {
    const object = memoryObject({ role: { managed: {} } } as Partial<MemorySpec>);
    const outcome = await converge(object);
    expect(outcome.next.kind).toBe('done');
    const role = (await aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-memory-agents-support-memory' }))).Role!;
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toMatch(/bedrock\.amazonaws\.com[\s\S]*bedrock-agentcore\.amazonaws\.com|bedrock-agentcore\.amazonaws\.com[\s\S]*bedrock\.amazonaws\.com/);
    expect(outcome.status.roleArn).toBe(role.Arn);
  });

  test('finalize removes the managed role with the memory, as it does for runtimes and gateways', async () => {
    await emulator.admin('PUT', 'config', { deletionDelayMs: 100 });
    const object = memoryObject({ role: { managed: {} } } as Partial<MemorySpec>);
    expect((await converge(object)).next.kind).toBe('done');
    await aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-memory-agents-support-memory' }));
    const actions = await finalize(object);
    expect(actions).toEqual(['deleted memory support_memory', 'deleted role agentcore-memory-agents-support-memory']);
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-memory-agents-support-memory' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('finalize deletes the memory and is done once it is gone; Retain leaves it', async () => {
    await emulator.admin('PUT', 'config', { deletionDelayMs: 100 });
    const object = memoryObject({ strategies: STRATEGIES });
    await converge(object);
    const actions = await finalize(object);
    expect(actions).toEqual(['deleted memory support_memory']);
    expect(object.status!.awsStatus).toBe('DELETED');
    expect(await listMemories()).toEqual([]);
    expect(calls(await counters(), 'DeleteMemory')).toBe(1);

    const kept = memoryObject({ deletionPolicy: 'Retain' }, 'kept-memory');
    await converge(kept);
    expect(await finalize(kept)).toEqual(['retained the memory (deletionPolicy: Retain)']);
    expect((await listMemories()).map((m) => m.id)).toEqual([kept.status!.memoryId]);
  });

  test('a crash between the create call and the status write creates no duplicate', async () => {
    const first = await reconcileMemory(memoryObject({ strategies: STRATEGIES }), env());
    expect(first.actions).toEqual(['created memory support_memory']);
    // The status of that run is lost: the next run starts from the object as it was.
    const object = memoryObject({ strategies: STRATEGIES });
    const outcome = await converge(object);
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', []]);
    expect(await listMemories()).toHaveLength(1);
    expect(object.status!.memoryId).toBe(first.status.memoryId);
    expect(calls(await counters(), 'CreateMemory')).toBe(1);
  });

  test('a memory deleted out of band is created again', async () => {
    const object = memoryObject();
    await converge(object);
    const firstId = object.status!.memoryId!;
    await aws.agentcore.send(new DeleteMemoryCommand({ memoryId: firstId }));
    expect((await converge(object)).next.kind).toBe('done');
    expect(object.status!.memoryId).not.toBe(firstId);
    expect((await listMemories()).map((m) => m.id)).toEqual([object.status!.memoryId]);
  });

  test('a memory of the same name that is not ours is refused unless the object asks to adopt it, and finalize leaves it alone', async () => {
    const { memory } = await aws.agentcore.send(new CreateMemoryCommand({ name: 'support_memory', eventExpiryDuration: 90, tags: { team: 'theirs' } }));
    const ours = memoryObject();
    const refused = await converge(ours);
    expect(refused.next.kind).toBe('stalled');
    expect(condition(ours, 'Stalled')).toMatchObject({ reason: 'ValidationFailed', message: expect.stringContaining('agentcore.dev/adopt') });
    expect(await finalize(memoryObject())).toEqual(['left memory support_memory alone: it is not managed by this object']);
    expect(await listMemories()).toHaveLength(1);

    const adopting = memoryObject({ strategies: [{ name: 'facts', semantic: {} }] });
    adopting.metadata.annotations = { 'agentcore.dev/adopt': 'true' };
    const adopted = await converge(adopting);
    expect(adopted.next.kind).toBe('done');
    expect(adopted.allActions).toEqual(['updated spec.strategies[facts]', 'tagged agentcore.dev/managed-by, agentcore.dev/owner, agentcore.dev/source', 'untagged team']);
    expect(adopting.status!.memoryId).toBe(memory!.id);
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: memory!.arn }));
    expect(tags!['agentcore.dev/owner']).toBe(OWNER);
  });

  test('throttling is retried, not reported as a failure', async () => {
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'CreateMemory', kind: 'throttle', rate: 1, count: 1 }] });
    const object = memoryObject();
    const first = await reconcileMemory(object, env());
    expect(first.next.kind).toBe('retry');
    expect(first.status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ProgressingWithRetry', message: expect.stringContaining('ThrottledException') });
    object.status = first.status;
    expect((await converge(object)).next.kind).toBe('done');
    expect(await listMemories()).toHaveLength(1);
  });
});

describe('Memory calls and tokens', () => {
  test('polling a memory that is CREATING reads it once and leaves IAM and the tags alone', async () => {
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 5000 });
    const object = memoryObject({ role: { managed: {} } } as Partial<MemorySpec>);
    const first = await reconcileMemory(object, env());
    expect(first.actions).toContain('created memory support_memory');
    object.status = first.status;
    await emulator.admin('DELETE', 'counters');
    expect((await reconcileMemory(object, env())).next.kind).toBe('requeue');
    expect(await emulator.admin('GET', 'counters')).toEqual({ 'bedrock-agentcore:GetMemory': { ok: 1 } });
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 0 });
  });

  test('a renamed memory is created under its new name, also from an object with no status (file mode)', async () => {
    const fileMode = (memoryName: string): MemoryObject => ({ metadata: { name: 'support-memory', namespace: 'agents' }, spec: spec({ memoryName }) });
    expect((await converge(fileMode('first_name'))).next.kind).toBe('done');
    const renamed = await converge(fileMode('second_name'));
    expect([renamed.next.kind, renamed.status.memoryName]).toEqual(['done', 'second_name']);
  });
});

describe('Memory plan against the emulator', () => {
  test('before create the plan is one create with its strategies, and no write; a managed role is not created but known after apply', async () => {
    expect(memoryReconciler.plan).toBe(planMemory);
    const object = memoryObject({ role: { managed: {} }, strategies: STRATEGIES, tags: { team: 'support' } } as Partial<MemorySpec>);
    const before = await counters();
    const planned = (await planMemory(object, env())).changes;
    expect(planned.slice(0, 4)).toEqual([
      { action: 'create', scope: 'resource', subject: 'memory support_memory' },
      { action: 'create', scope: 'part', subject: 'strategy facts', to: 'semantic' },
      { action: 'create', scope: 'part', subject: 'strategy summaries', to: 'summary' },
      { action: 'create', scope: 'part', subject: 'strategy episodes', to: 'episodic' },
    ]);
    expect(planned.slice(4).map((c) => `${c.action} ${c.subject}`)).toEqual([
      'create role agentcore-memory-agents-support-memory',
      'create role agentcore-memory-agents-support-memory trust policy',
    ]);
    const after = await counters();
    expect(writeCalls(after)).toBe(writeCalls(before));
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-memory-agents-support-memory' }))).rejects.toThrow();

    expect((await converge(object)).next.kind).toBe('done');
    expect((await planMemory(object, env())).changes).toEqual([]);

    // The role gone out of band: the plan does not make it again, and its ARN is not known until apply.
    const roleArn = object.status!.roleArn;
    await removeManagedRole(env(), 'agentcore-memory-agents-support-memory');
    const beforeRoleless = await counters();
    const roleless = (await planMemory(object, env())).changes;
    expect(roleless.map((c) => `${c.action} ${c.subject}`)).toEqual([
      'create role agentcore-memory-agents-support-memory',
      'create role agentcore-memory-agents-support-memory trust policy',
      'update spec.role.arn',
    ]);
    expect(roleless.at(-1)).toEqual({ action: 'update', scope: 'part', subject: 'spec.role.arn', from: roleArn, to: '(known after apply)' });
    expect(writeCalls(await counters())).toBe(writeCalls(beforeRoleless));
  });

  test('after a spec change the plan lists exactly the changes reconcile then makes', async () => {
    const object = memoryObject({ description: 'first', strategies: STRATEGIES, tags: { team: 'a', old: 'x' } });
    await converge(object);
    object.spec = spec({
      description: 'second',
      strategies: [
        { name: 'facts', semantic: { namespaces: ['/facts/{actorId}/'] } },
        { name: 'episodes', summary: {} },
        { name: 'prefs', userPreference: {} },
      ],
      tags: { team: 'b', env: 'prod' },
    });
    object.metadata.generation = 2;
    const before = await counters();
    const plan = (await planMemory(object, env())).changes;
    expect(writeCalls(await counters())).toBe(writeCalls(before));
    expect(plan).toEqual([
      { action: 'update', scope: 'part', subject: 'spec.description', from: 'first', to: 'second' },
      { action: 'update', scope: 'part', subject: 'spec.strategies[episodes]', from: 'episodic', to: 'summary' },
      { action: 'update', scope: 'part', subject: 'spec.strategies[facts].semantic.namespaces', from: [ACTOR], to: ['/facts/{actorId}/'] },
      { action: 'create', scope: 'part', subject: 'strategy prefs', to: 'userPreference' },
      { action: 'delete', scope: 'part', subject: 'strategy summaries', from: 'summary' },
      { action: 'update', scope: 'part', subject: 'tag team', from: 'a', to: 'b' },
      { action: 'create', scope: 'part', subject: 'tag env', to: 'prod' },
      { action: 'delete', scope: 'part', subject: 'tag old', from: 'x' },
    ]);
    const outcome = await converge(object);
    expect(outcome.allActions).toEqual([
      'updated spec.description, spec.strategies[episodes], spec.strategies[facts].semantic.namespaces, spec.strategies[prefs], spec.strategies[summaries]',
      'tagged team, env',
      'untagged old',
    ]);
    expect((await planMemory(object, env())).changes).toEqual([]);
  });

  test('a memory AWS is still working on gives wait', async () => {
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 500 });
    const object = memoryObject({ strategies: STRATEGIES });
    object.status = (await reconcileMemory(object, env())).status;
    expect((await planMemory(object, env())).changes).toEqual([{ action: 'wait', scope: 'resource', subject: 'memory support_memory', to: 'CREATING' }]);
  });

  test('a new encryption key gives replace, and no write', async () => {
    const object = memoryObject();
    await converge(object);
    object.spec.encryptionKeyArn = KEY;
    object.metadata.generation = 2;
    const before = await counters();
    expect((await planMemory(object, env())).changes).toEqual([
      { action: 'replace', scope: 'resource', subject: 'memory support_memory', from: undefined, to: KEY },
      { action: 'replace', scope: 'part', subject: 'spec.encryptionKeyArn', from: undefined, to: KEY },
    ]);
    expect(writeCalls(await counters())).toBe(writeCalls(before));
  });
});
