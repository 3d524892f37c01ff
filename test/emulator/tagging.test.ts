import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import {
  BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, CreateGatewayCommand, CreateMemoryCommand, DeleteAgentRuntimeCommand,
  DeleteGatewayCommand, DeleteMemoryCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  GetResourcesCommand, GetTagKeysCommand, ResourceGroupsTaggingAPIClient, paginateGetResources, type GetResourcesCommandInput,
  type ResourceTagMapping,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { defaultServices } from '../../src/emulator/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { taggingService } from '../../src/emulator/tagging/index.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';
import { ManualClock } from '../helpers/wait.js';

let emulator: TestEmulator;
let agentcore: BedrockAgentCoreControlClient;
let tagging: ResourceGroupsTaggingAPIClient;

useEmulator(defaultServices(), (e, aws) => {
  emulator = e;
  agentcore = aws.agentcore;
  tagging = aws.tagging;
});
afterEach(async () => {
  await emulator.admin('POST', 'reset');
  await emulator.admin('PUT', 'config', { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 0 });
});

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/agent:1';

async function createRuntime(name: string, tags?: Record<string, string>, client = agentcore): Promise<string> {
  const { agentRuntimeArn } = await client.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: name,
    agentRuntimeArtifact: { containerConfiguration: { containerUri: IMAGE } },
    roleArn: 'arn:aws:iam::123456789012:role/AgentRole',
    networkConfiguration: { networkMode: 'PUBLIC' },
    ...(tags ? { tags } : {}),
  }));
  return agentRuntimeArn!;
}

async function createMemory(name: string, tags?: Record<string, string>, client = agentcore): Promise<string> {
  const { memory } = await client.send(new CreateMemoryCommand({ name, eventExpiryDuration: 30, ...(tags ? { tags } : {}) }));
  return memory!.arn!;
}

async function createGateway(name: string, tags?: Record<string, string>, client = agentcore): Promise<string> {
  const { gatewayArn } = await client.send(new CreateGatewayCommand({
    name,
    roleArn: 'arn:aws:iam::123456789012:role/GatewayRole',
    protocolType: 'MCP',
    authorizerType: 'AWS_IAM',
    ...(tags ? { tags } : {}),
  }));
  return gatewayArn!;
}

/** The answer as a map ARN → tags, so the order of tags within a resource is not what is compared. */
const asTags = (list: ResourceTagMapping[] | undefined) => Object.fromEntries((list ?? []).map((m) => [m.ResourceARN!, Object.fromEntries((m.Tags ?? []).map((t) => [t.Key!, t.Value!]))]));

async function arnsOf(input: GetResourcesCommandInput = {}, client = tagging): Promise<string[]> {
  const { ResourceTagMappingList } = await client.send(new GetResourcesCommand(input));
  return (ResourceTagMappingList ?? []).map((m) => m.ResourceARN!);
}

const sorted = (arns: string[]) => [...arns].sort();

/** A runtime, a memory and a gateway with overlapping tags, and one untagged runtime. */
async function fleet(client = agentcore) {
  const runtime = await createRuntime('support_agent', { team: 'support', env: 'prod', 'agentcore.dev/owner': 'agents/support' }, client);
  const memory = await createMemory('support_memory', { team: 'support', env: 'staging' }, client);
  const gateway = await createGateway('tools-gw', { team: 'tools', env: 'prod' }, client);
  const untagged = await createRuntime('untagged_agent', undefined, client);
  return { runtime, memory, gateway, untagged };
}

describe('GetResources lists the AgentCore resources of the tag store', () => {
  test('without filters: every tagged resource of the region, once, in ARN order, with all its tags', async () => {
    const { runtime, memory, gateway } = await fleet();
    const output = await tagging.send(new GetResourcesCommand({}));
    expect(output.ResourceTagMappingList!.map((m) => m.ResourceARN)).toEqual(sorted([runtime, memory, gateway]));
    expect(asTags(output.ResourceTagMappingList)).toEqual({
      [runtime]: { team: 'support', env: 'prod', 'agentcore.dev/owner': 'agents/support' },
      [memory]: { team: 'support', env: 'staging' },
      [gateway]: { team: 'tools', env: 'prod' },
    });
    expect(output.PaginationToken).toBe('');
  });

  test('an empty region answers an empty list and an empty token', async () => {
    const output = await tagging.send(new GetResourcesCommand({}));
    expect(output.ResourceTagMappingList).toEqual([]);
    expect(output.PaginationToken).toBe('');
  });

  test('tag filters: a key alone matches any value; values are alternatives; filters must all match', async () => {
    const { runtime, memory, gateway } = await fleet();
    expect(sorted(await arnsOf({ TagFilters: [{ Key: 'team' }] }))).toEqual(sorted([runtime, memory, gateway]));
    expect(sorted(await arnsOf({ TagFilters: [{ Key: 'team', Values: [] }] }))).toEqual(sorted([runtime, memory, gateway]));
    expect(await arnsOf({ TagFilters: [{ Key: 'team', Values: ['support'] }] })).toEqual(sorted([runtime, memory]));
    expect(await arnsOf({ TagFilters: [{ Key: 'env', Values: ['staging', 'prod'] }] })).toEqual(sorted([runtime, memory, gateway]));
    expect(await arnsOf({ TagFilters: [{ Key: 'team', Values: ['support'] }, { Key: 'env', Values: ['prod'] }] })).toEqual([runtime]);
    expect(await arnsOf({ TagFilters: [{ Key: 'team', Values: ['support', 'tools'] }, { Key: 'agentcore.dev/owner' }] })).toEqual([runtime]);
    expect(await arnsOf({ TagFilters: [{ Key: 'team', Values: ['nobody'] }] })).toEqual([]);
    expect(await arnsOf({ TagFilters: [{ Key: 'Team' }] })).toEqual([]);
  });

  test('resource type filters: a service, or a service and the first segment of the resource', async () => {
    const { runtime, memory, gateway } = await fleet();
    expect(await arnsOf({ ResourceTypeFilters: ['bedrock-agentcore'] })).toEqual(sorted([runtime, memory, gateway]));
    expect(await arnsOf({ ResourceTypeFilters: ['bedrock-agentcore:memory'] })).toEqual([memory]);
    expect(await arnsOf({ ResourceTypeFilters: ['bedrock-agentcore:runtime', 'bedrock-agentcore:gateway'] })).toEqual(sorted([runtime, gateway]));
    expect(await arnsOf({ ResourceTypeFilters: ['ec2', 's3:bucket'] })).toEqual([]);
    expect(await arnsOf({ ResourceTypeFilters: ['bedrock-agentcore'], TagFilters: [{ Key: 'env', Values: ['prod'] }] })).toEqual(sorted([runtime, gateway]));
  });

  test('an ARN list answers those of its ARNs that are tagged resources here, and ignores the rest', async () => {
    const { runtime, gateway, untagged } = await fleet();
    const unknown = 'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/nothing-0000000000';
    const output = await tagging.send(new GetResourcesCommand({ ResourceARNList: [gateway, unknown, runtime, untagged, runtime] }));
    expect(asTags(output.ResourceTagMappingList)).toEqual({ [runtime]: { team: 'support', env: 'prod', 'agentcore.dev/owner': 'agents/support' }, [gateway]: { team: 'tools', env: 'prod' } });
    expect(output.ResourceTagMappingList!.map((m) => m.ResourceARN)).toEqual(sorted([runtime, gateway]));
    expect(output.PaginationToken).toBe('');
  });

  test('IAM roles are not listed, and resources of another region are not either', async () => {
    const { runtime, memory, gateway } = await fleet();
    const elsewhere = new BedrockAgentCoreControlClient({ ...emulator.clientConfig, region: 'eu-west-1', maxAttempts: 1 });
    const taggingElsewhere = new ResourceGroupsTaggingAPIClient({ ...emulator.clientConfig, region: 'eu-west-1', maxAttempts: 1 });
    try {
      expect(await arnsOf({}, taggingElsewhere)).toEqual([]);
      expect(await arnsOf({ ResourceARNList: [runtime] }, taggingElsewhere)).toEqual([]);
      const european = await createRuntime('european_agent', { team: 'support' }, elsewhere);
      expect(european).toContain(':eu-west-1:');
      expect(await arnsOf({}, taggingElsewhere)).toEqual([european]);
      expect(await arnsOf({ TagFilters: [{ Key: 'team' }] })).toEqual(sorted([runtime, memory, gateway]));
    } finally {
      elsewhere.destroy();
      taggingElsewhere.destroy();
    }
  });
});

describe('GetResources pages', () => {
  test('one resource a page: the paginator collects every resource exactly once and stops on the empty token', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(await createRuntime(`paged_agent_${i}`, { batch: 'paged', index: String(i) }));
    created.push(await createMemory('paged_memory', { batch: 'paged' }));
    await createGateway('other-gw', { batch: 'other' });

    const pages: ResourceTagMapping[][] = [];
    const tokens: (string | undefined)[] = [];
    for await (const page of paginateGetResources({ client: tagging, pageSize: 1 }, { TagFilters: [{ Key: 'batch', Values: ['paged'] }] })) {
      pages.push(page.ResourceTagMappingList ?? []);
      tokens.push(page.PaginationToken);
    }
    expect(pages.map((p) => p.length)).toEqual(created.map(() => 1));
    expect(pages.flat().map((m) => m.ResourceARN)).toEqual(sorted(created));
    expect(tokens.at(-1)).toBe('');
    expect(tokens.slice(0, -1).every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
  });

  test('a resource deleted between pages neither stops the listing nor makes it repeat one', async () => {
    const created: string[] = [];
    for (let i = 0; i < 4; i++) created.push(await createRuntime(`cursor_agent_${i}`, { batch: 'cursor' }));
    const order = sorted(created);
    const first = await tagging.send(new GetResourcesCommand({ ResourcesPerPage: 2 }));
    expect(first.ResourceTagMappingList!.map((m) => m.ResourceARN)).toEqual(order.slice(0, 2));

    await agentcore.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: order[1]!.split('/').pop()! }));
    const second = await tagging.send(new GetResourcesCommand({ ResourcesPerPage: 2, PaginationToken: first.PaginationToken }));
    expect(second.ResourceTagMappingList!.map((m) => m.ResourceARN)).toEqual(order.slice(2));
    expect(second.PaginationToken).toBe('');
  });

  test('TagsPerPage bounds the tags of a page and never splits a resource', async () => {
    const tags = (i: number) => Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`k${k}`, `v${i}`]));
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(await createRuntime(`heavy_agent_${i}`, tags(i)));
    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateGetResources({ client: tagging }, { TagsPerPage: 100 })) {
      sizes.push(page.ResourceTagMappingList!.length);
      for (const m of page.ResourceTagMappingList!) {
        expect(m.Tags).toHaveLength(40);
        seen.push(m.ResourceARN!);
      }
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(sorted(created));
  });
});

describe('GetResources follows the tag store', () => {
  test('TagResource and UntagResource show in the next answer; a resource whose last tag went stays, with no tags', async () => {
    const { runtime, gateway } = await fleet();
    await agentcore.send(new TagResourceCommand({ resourceArn: gateway, tags: { team: 'support', tier: 'gold' } }));
    await agentcore.send(new UntagResourceCommand({ resourceArn: runtime, tagKeys: ['env'] }));
    const output = await tagging.send(new GetResourcesCommand({ ResourceARNList: [runtime, gateway] }));
    expect(asTags(output.ResourceTagMappingList)).toEqual({
      [runtime]: { team: 'support', 'agentcore.dev/owner': 'agents/support' },
      [gateway]: { team: 'support', env: 'prod', tier: 'gold' },
    });
    expect(await arnsOf({ TagFilters: [{ Key: 'env', Values: ['prod'] }] })).toEqual([gateway]);

    await agentcore.send(new UntagResourceCommand({ resourceArn: gateway, tagKeys: ['team', 'env', 'tier'] }));
    const emptied = await tagging.send(new GetResourcesCommand({ ResourceARNList: [gateway] }));
    expect(emptied.ResourceTagMappingList).toEqual([{ ResourceARN: gateway, Tags: [] }]);
    expect(await arnsOf({ TagFilters: [{ Key: 'team' }] })).not.toContain(gateway);
  });

  test('a resource tagged after its creation is listed', async () => {
    const { untagged } = await fleet();
    expect(await arnsOf({ TagFilters: [{ Key: 'late' }] })).toEqual([]);
    await agentcore.send(new TagResourceCommand({ resourceArn: untagged, tags: { late: 'yes' } }));
    expect(await arnsOf({ TagFilters: [{ Key: 'late' }] })).toEqual([untagged]);
  });

  test('deleted resources are gone', async () => {
    const { runtime, memory, gateway } = await fleet();
    await agentcore.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: runtime.split('/').pop()! }));
    await agentcore.send(new DeleteMemoryCommand({ memoryId: memory.split('/').pop()! }));
    await agentcore.send(new DeleteGatewayCommand({ gatewayIdentifier: gateway.split('/').pop()! }));
    expect(await arnsOf({})).toEqual([]);
    expect(await arnsOf({ ResourceARNList: [runtime, memory, gateway] })).toEqual([]);
  });

  test('a resource whose deletion finished while nothing looked at it is gone too', async () => {
    // An emulator on a clock that stands still until the test moves it.
    const clock = new ManualClock();
    const slow = await startEmulator({ services: [agentCoreService(), taggingService()], clock, config: { provisioningDelayMs: 0, deletionDelayMs: 150, rateScale: 0 } });
    const config = { ...emulator.clientConfig, endpoint: slow.url, maxAttempts: 1 };
    const control = new BedrockAgentCoreControlClient(config);
    const client = new ResourceGroupsTaggingAPIClient(config);
    try {
      const { runtime, memory, gateway } = await fleet(control);
      await control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: runtime.split('/').pop()! }));
      await control.send(new DeleteMemoryCommand({ memoryId: memory.split('/').pop()! }));
      await control.send(new DeleteGatewayCommand({ gatewayIdentifier: gateway.split('/').pop()! }));
      clock.advance(150);
      expect(await arnsOf({}, client)).toEqual([]);
    } finally {
      control.destroy();
      client.destroy();
      await slow.close();
    }
  });
});

describe('GetResources validation', () => {
  const refused = async (input: Record<string, unknown>) => failure(tagging.send(new GetResourcesCommand(input as GetResourcesCommandInput)));
  const arn = (i: number) => `arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/agent-${String(i).padStart(10, '0')}`;

  test.each([
    ['ResourcesPerPage below 1', { ResourcesPerPage: 0 }, 'ResourcesPerPage'],
    ['ResourcesPerPage above 100', { ResourcesPerPage: 101 }, 'ResourcesPerPage'],
    ['TagsPerPage below 100', { TagsPerPage: 99 }, 'TagsPerPage'],
    ['TagsPerPage above 500', { TagsPerPage: 501 }, 'TagsPerPage'],
    ['51 tag filters', { TagFilters: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` })) }, 'TagFilters'],
    ['a tag filter without a key', { TagFilters: [{ Values: ['x'] }] }, 'TagFilters[0].Key'],
    ['an empty tag key', { TagFilters: [{ Key: '' }] }, 'TagFilters[0].Key'],
    ['a tag key of 129 characters', { TagFilters: [{ Key: 'k'.repeat(129) }] }, 'TagFilters[0].Key'],
    ['21 values for a key', { TagFilters: [{ Key: 'k', Values: Array.from({ length: 21 }, (_, i) => `v${i}`) }] }, 'TagFilters[0].Values'],
    ['a value of 257 characters', { TagFilters: [{ Key: 'k', Values: ['v'.repeat(257)] }] }, 'TagFilters[0].Values[0]'],
    ['a malformed resource type', { ResourceTypeFilters: ['bedrock-agentcore:'] }, 'ResourceTypeFilters[0]'],
    ['101 resource types', { ResourceTypeFilters: Array.from({ length: 101 }, () => 'ec2') }, 'ResourceTypeFilters'],
    ['an empty ARN list', { ResourceARNList: [] }, 'ResourceARNList'],
    ['101 ARNs', { ResourceARNList: Array.from({ length: 101 }, (_, i) => arn(i)) }, 'ResourceARNList'],
    ['a string that is not an ARN', { ResourceARNList: ['support_agent'] }, 'ResourceARNList[0]'],
    ['an ARN list with tag filters', { ResourceARNList: [arn(1)], TagFilters: [{ Key: 'team' }] }, 'ResourceARNList'],
    ['an ARN list with resource type filters', { ResourceARNList: [arn(1)], ResourceTypeFilters: ['bedrock-agentcore'] }, 'ResourceARNList'],
    ['an ARN list with ResourcesPerPage', { ResourceARNList: [arn(1)], ResourcesPerPage: 10 }, 'ResourceARNList'],
    ['ExcludeCompliantResources without IncludeComplianceDetails', { ExcludeCompliantResources: true }, 'ExcludeCompliantResources'],
    ['a PaginationToken not given by GetResources', { PaginationToken: 'not-a-token' }, 'PaginationToken'],
  ])('%s is an InvalidParameterException naming the parameter', async (_, input, parameter) => {
    const error = await refused(input);
    expect(error).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(error.message).toContain(parameter);
  });

  test('a member of the wrong JSON type is a SerializationException, as AWS JSON services answer', async () => {
    expect(await refused({ ResourcesPerPage: 'ten' })).toMatchObject({ name: 'SerializationException', status: 400 });
  });

  test('compliance details: with no tag policy every resource is compliant', async () => {
    const { runtime } = await fleet();
    const output = await tagging.send(new GetResourcesCommand({ ResourceARNList: [runtime], IncludeComplianceDetails: true }));
    expect(output.ResourceTagMappingList![0]!.ComplianceDetails).toEqual({ NoncompliantKeys: [], KeysWithNoncompliantValues: [], ComplianceStatus: true });
    expect(await arnsOf({ IncludeComplianceDetails: true, ExcludeCompliantResources: true })).toEqual([]);
  });

  test('an operation the emulator does not implement is refused in a way the SDK parses', async () => {
    expect(await failure(tagging.send(new GetTagKeysCommand({})))).toMatchObject({ name: 'UnknownOperationException', status: 400 });
  });
});

describe('GetResources under faults and quotas', () => {
  test('an injected throttle is ThrottledException, which the SDK retries', async () => {
    await createRuntime('throttled_agent', { team: 'support' });
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetResources', kind: 'throttle', rate: 1 }] });
    expect(await failure(tagging.send(new GetResourcesCommand({})))).toMatchObject({ name: 'ThrottledException', status: 400 });

    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetResources', kind: 'throttle', rate: 1, count: 1 }] });
    await emulator.admin('DELETE', 'counters');
    const retrying = new ResourceGroupsTaggingAPIClient(emulator.clientConfig);
    try {
      const output = await retrying.send(new GetResourcesCommand({}));
      expect(output.ResourceTagMappingList).toHaveLength(1);
      expect(output.$metadata.attempts).toBe(2);
    } finally {
      retrying.destroy();
    }
    expect(await emulator.admin('GET', 'counters')).toEqual({ 'tagging:GetResources': { ThrottledException: 1, ok: 1 } });
  });

  test('an injected server fault is InternalServiceException', async () => {
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetResources', kind: 'internal', rate: 1 }] });
    expect(await failure(tagging.send(new GetResourcesCommand({})))).toMatchObject({ name: 'InternalServiceException', status: 500 });
  });

  test('the rate quota answers ThrottledException once the second has been used', async () => {
    await emulator.admin('PUT', 'config', { rateScale: 1, rates: { taggingApi: 2 } });
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => tagging.send(new GetResourcesCommand({})).then(() => 'ok', (e: Error) => e.name)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'ThrottledException')).toHaveLength(2);
  });
});

describe('GetResources pagination tokens expire', () => {
  let clocked: RunningEmulator;
  let now = Date.UTC(2025, 0, 1);
  let control: BedrockAgentCoreControlClient;
  let client: ResourceGroupsTaggingAPIClient;

  beforeAll(async () => {
    clocked = await startEmulator({ services: [agentCoreService(), taggingService()], clock: { now: () => now }, config: { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 0 } });
    const config = { ...emulator.clientConfig, endpoint: clocked.url, maxAttempts: 1 };
    control = new BedrockAgentCoreControlClient(config);
    client = new ResourceGroupsTaggingAPIClient(config);
  });
  afterAll(async () => {
    control.destroy();
    client.destroy();
    await clocked.close();
  });

  test('a token is good for 15 minutes, then PaginationTokenExpiredException', async () => {
    for (const name of ['clock_agent_a', 'clock_agent_b', 'clock_agent_c']) await createRuntime(name, { team: 'clock' }, control);
    const first = await client.send(new GetResourcesCommand({ ResourcesPerPage: 1 }));
    now += 14 * 60 * 1000;
    const second = await client.send(new GetResourcesCommand({ ResourcesPerPage: 1, PaginationToken: first.PaginationToken }));
    expect(second.ResourceTagMappingList).toHaveLength(1);
    now += 16 * 60 * 1000;
    expect(await failure(client.send(new GetResourcesCommand({ ResourcesPerPage: 1, PaginationToken: second.PaginationToken })))).toMatchObject({ name: 'PaginationTokenExpiredException', status: 400 });
  });
});
