import { afterEach, describe, expect, test } from '@jest/globals';
import {
  BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, CreateAgentRuntimeEndpointCommand, DeleteAgentRuntimeCommand,
  DeleteAgentRuntimeEndpointCommand, GetAgentRuntimeCommand, GetAgentRuntimeEndpointCommand, ListAgentRuntimeEndpointsCommand,
  ListAgentRuntimeVersionsCommand, ListAgentRuntimesCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
  UpdateAgentRuntimeCommand, UpdateAgentRuntimeEndpointCommand, type CreateAgentRuntimeCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { startEmulator } from '../../src/emulator/server.js';
import { startTestEmulator, useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';
import { ManualClock } from '../helpers/wait.js';

let emulator: TestEmulator;
let client: BedrockAgentCoreControlClient;

useEmulator([agentCoreService()], (e, aws) => {
  emulator = e;
  client = aws.agentcore;
});
afterEach(async () => {
  await emulator.admin('POST', 'reset');
  await emulator.admin('PUT', 'config', { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 0 });
});

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/agent';
const ROLE = 'arn:aws:iam::123456789012:role/AgentRole';
const runtimeInput = (name: string, extra: Partial<CreateAgentRuntimeCommandInput> = {}): CreateAgentRuntimeCommandInput => ({
  agentRuntimeName: name,
  agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:1` } },
  roleArn: ROLE,
  networkConfiguration: { networkMode: 'PUBLIC' },
  ...extra,
});


const endpoint = (agentRuntimeId: string, endpointName: string) => client.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId, endpointName }));

describe('the versioning table of the AgentCore developer guide, replayed', () => {
  test('create, protocol change, endpoint, image update, promotion, network change', async () => {
    const created = await client.send(new CreateAgentRuntimeCommand(runtimeInput('versioned_agent')));
    const id = created.agentRuntimeId!;
    expect(created).toMatchObject({ agentRuntimeVersion: '1', status: 'CREATING' });
    expect(await endpoint(id, 'DEFAULT')).toMatchObject({ liveVersion: '1', targetVersion: '1', status: 'READY' });

    const v2 = await client.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:1` } }, roleArn: ROLE, protocolConfiguration: { serverProtocol: 'MCP' } }));
    expect(v2.agentRuntimeVersion).toBe('2');
    expect(await endpoint(id, 'DEFAULT')).toMatchObject({ liveVersion: '2', targetVersion: '2' });

    await client.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'PROD', agentRuntimeVersion: '2' }));
    expect((await client.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }))).agentRuntimes).toHaveLength(2);
    expect(await endpoint(id, 'PROD')).toMatchObject({ liveVersion: '2', targetVersion: '2', status: 'READY' });

    await client.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:2` } }, roleArn: ROLE, protocolConfiguration: { serverProtocol: 'MCP' } }));
    expect(await endpoint(id, 'DEFAULT')).toMatchObject({ liveVersion: '3', targetVersion: '3' });
    expect(await endpoint(id, 'PROD')).toMatchObject({ liveVersion: '2', targetVersion: '2' });

    await client.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'PROD', agentRuntimeVersion: '3' }));
    expect((await client.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }))).agentRuntimes).toHaveLength(3);
    expect(await endpoint(id, 'PROD')).toMatchObject({ liveVersion: '3', targetVersion: '3', status: 'READY' });

    await client.send(new UpdateAgentRuntimeCommand({
      agentRuntimeId: id,
      agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:2` } },
      roleArn: ROLE,
      protocolConfiguration: { serverProtocol: 'MCP' },
      networkConfiguration: { networkMode: 'VPC', networkModeConfig: { securityGroups: ['sg-0123456789abcdef0'], subnets: ['subnet-01234567'] } },
    }));
    expect(await endpoint(id, 'DEFAULT')).toMatchObject({ liveVersion: '4', targetVersion: '4' });
    expect(await endpoint(id, 'PROD')).toMatchObject({ liveVersion: '3', targetVersion: '3' });
    const v3 = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '3' }));
    expect(v3.networkConfiguration).toEqual({ networkMode: 'PUBLIC' });
    expect(v3.agentRuntimeArtifact).toEqual({ containerConfiguration: { containerUri: `${IMAGE}:2` } });
  });
});

describe('versions', () => {
  test('an update is a full replacement: what it leaves out is gone from the new version', async () => {
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('replaced_agent', { environmentVariables: { A: '1' }, description: 'first', lifecycleConfiguration: { maxLifetime: 3600 } })));
    await client.send(new UpdateAgentRuntimeCommand({ agentRuntimeId, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:2` } }, roleArn: ROLE }));
    const latest = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }));
    expect(latest.environmentVariables).toBeUndefined();
    expect(latest.description).toBeUndefined();
    expect(latest.lifecycleConfiguration).toEqual({ idleRuntimeSessionTimeout: 900, maxLifetime: 28800 });
    const first = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId, agentRuntimeVersion: '1' }));
    expect(first).toMatchObject({ environmentVariables: { A: '1' }, description: 'first', lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 3600 } });
  });

  test('server defaults are filled in: network, protocol, lifecycle', async () => {
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand({ ...runtimeInput('defaults_agent'), networkConfiguration: undefined }));
    expect(await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).toMatchObject({
      networkConfiguration: { networkMode: 'PUBLIC' },
      protocolConfiguration: { serverProtocol: 'HTTP' },
      lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
      status: 'READY',
    });
  });

  test('tag changes mint no version', async () => {
    const { agentRuntimeId, agentRuntimeArn } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('tagged_agent', { tags: { team: 'a' } })));
    await client.send(new TagResourceCommand({ resourceArn: agentRuntimeArn, tags: { env: 'prod', team: 'b' } }));
    await client.send(new UntagResourceCommand({ resourceArn: agentRuntimeArn, tagKeys: ['env'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: agentRuntimeArn }))).tags).toEqual({ team: 'b' });
    expect((await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).agentRuntimeVersion).toBe('1');
  });

  test('statuses settle after the provisioning delay: CREATING, then READY; UPDATING, then READY', async () => {
    // An emulator on a clock that stands still until the test moves it: no time passes between two calls.
    const clock = new ManualClock();
    const slow = await startEmulator({ services: [agentCoreService()], clock, config: { provisioningDelayMs: 300, deletionDelayMs: 0, rateScale: 0 } });
    const client = new BedrockAgentCoreControlClient({ ...emulator.clientConfig, endpoint: slow.url, maxAttempts: 1 });
    const endpoint = (agentRuntimeId: string, endpointName: string) => client.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId, endpointName }));
    try {
      const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('slow_agent')));
      expect((await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).status).toBe('CREATING');
      expect(await endpoint(agentRuntimeId!, 'DEFAULT')).toMatchObject({ status: 'CREATING', targetVersion: '1' });
      const refused = await failure(client.send(new UpdateAgentRuntimeCommand({ agentRuntimeId, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:2` } }, roleArn: ROLE })));
      expect(refused).toMatchObject({ name: 'ConflictException', status: 409 });
      clock.advance(299);
      expect((await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).status).toBe('CREATING');
      clock.advance(1);
      expect((await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).status).toBe('READY');
      await client.send(new UpdateAgentRuntimeCommand({ agentRuntimeId, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:2` } }, roleArn: ROLE }));
      expect(await endpoint(agentRuntimeId!, 'DEFAULT')).toMatchObject({ status: 'UPDATING', liveVersion: '1', targetVersion: '2' });
      clock.advance(300);
      expect(await endpoint(agentRuntimeId!, 'DEFAULT')).toMatchObject({ status: 'READY', liveVersion: '2' });
    } finally {
      client.destroy();
      await slow.close();
    }
  });

  test('a create that fails is CREATE_FAILED with a reason, and a corrected update rolls forward', async () => {
    await emulator.admin('PUT', 'behaviours/AgentRuntime/broken_agent', { failCreate: 'Image not found in ECR' });
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('broken_agent')));
    expect(await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).toMatchObject({ status: 'CREATE_FAILED', failureReason: 'Image not found in ECR' });
    await client.send(new UpdateAgentRuntimeCommand({ agentRuntimeId, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:fixed` } }, roleArn: ROLE }));
    expect(await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).toMatchObject({ status: 'READY', agentRuntimeVersion: '2' });
  });

  test('a resource held stuck stays transitional until released', async () => {
    await emulator.admin('PUT', 'behaviours/AgentRuntime/stuck_agent', { stuck: true });
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('stuck_agent')));
    expect((await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).status).toBe('CREATING');
    await emulator.admin('DELETE', 'behaviours/AgentRuntime/stuck_agent');
    expect((await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).status).toBe('READY');
  });
});

describe('names, ids, idempotency, pagination', () => {
  test('ids and ARNs have the real formats, and names are unique per account', async () => {
    const created = await client.send(new CreateAgentRuntimeCommand(runtimeInput('unique_agent')));
    expect(created.agentRuntimeId).toMatch(/^unique_agent-[a-zA-Z0-9]{10}$/);
    expect(created.agentRuntimeArn).toBe(`arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/${created.agentRuntimeId}`);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await failure(client.send(new CreateAgentRuntimeCommand(runtimeInput('unique_agent'))))).toMatchObject({ name: 'ConflictException', status: 409 });
  });

  test('the same clientToken with the same request returns the first result; with another request, an error', async () => {
    const token = 'a'.repeat(8) + '-0000-4000-8000-' + 'b'.repeat(12);
    const first = await client.send(new CreateAgentRuntimeCommand(runtimeInput('token_agent', { clientToken: token })));
    const again = await client.send(new CreateAgentRuntimeCommand(runtimeInput('token_agent', { clientToken: token })));
    expect(again.agentRuntimeId).toBe(first.agentRuntimeId);
    expect((await client.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toHaveLength(1);
    const mismatch = await failure(client.send(new CreateAgentRuntimeCommand(runtimeInput('other_agent', { clientToken: token }))));
    expect(mismatch).toMatchObject({ name: 'ValidationException', status: 400, reason: 'IdempotentParameterMismatchException' });
  });

  test('lists page with maxResults and nextToken', async () => {
    for (const n of [1, 2, 3, 4, 5]) await client.send(new CreateAgentRuntimeCommand(runtimeInput(`paged_${n}`)));
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListAgentRuntimesCommand({ maxResults: 2, nextToken }));
      names.push(...page.agentRuntimes!.map((r) => r.agentRuntimeName!));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(names).toEqual(['paged_1', 'paged_2', 'paged_3', 'paged_4', 'paged_5']);
    expect(await failure(client.send(new ListAgentRuntimesCommand({ nextToken: 'forged' })))).toMatchObject({ name: 'ValidationException' });
  });
});

describe('validation', () => {
  test('every broken member is named in fieldList, with the reason', async () => {
    const error = await failure(client.send(new CreateAgentRuntimeCommand({
      agentRuntimeName: 'bad-name',
      agentRuntimeArtifact: { containerConfiguration: { containerUri: 'docker.io/nginx' } },
      roleArn: 'not-an-arn',
      lifecycleConfiguration: { maxLifetime: 10 },
    })));
    expect(error).toMatchObject({ name: 'ValidationException', status: 400, reason: 'FieldValidationFailed' });
    expect(error.fieldList!.map((f) => f.name).sort()).toEqual(['agentRuntimeArtifact.containerConfiguration.containerUri', 'agentRuntimeName', 'lifecycleConfiguration.maxLifetime', 'roleArn']);
    expect(error.message).toMatch(/^4 validation errors detected: /);
  });

  test('a union with two members set is refused', async () => {
    const error = await failure(client.send(new CreateAgentRuntimeCommand(runtimeInput('union_agent', {
      agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:1` }, codeConfiguration: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' } }, runtime: 'NODE_22', entryPoint: ['index.js'] } } as never,
    }))));
    expect(error.fieldList).toEqual([{ name: 'agentRuntimeArtifact', message: 'Member must have exactly one member set' }]);
  });

  test('a required member missing is named', async () => {
    const error = await failure(client.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'x', agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:1` } } } as never)));
    expect(error.fieldList).toEqual([{ name: 'roleArn', message: 'Member must not be null' }]);
  });
});

describe('endpoints and deletion', () => {
  test('DEFAULT is listed, cannot be deleted, and a runtime with named endpoints cannot be deleted', async () => {
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('ended_agent')));
    await client.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId, name: 'prod' }));
    const listed = await client.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId }));
    expect(listed.runtimeEndpoints!.map((e) => [e.name, e.liveVersion, e.status])).toEqual([['DEFAULT', '1', 'READY'], ['prod', '1', 'READY']]);
    expect(await failure(client.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId, endpointName: 'DEFAULT' })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(client.send(new DeleteAgentRuntimeCommand({ agentRuntimeId })))).toMatchObject({ name: 'ConflictException', message: 'This agent has endpoints that must be deleted first' });
    await client.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId, endpointName: 'prod' }));
    expect(await client.send(new DeleteAgentRuntimeCommand({ agentRuntimeId }))).toMatchObject({ status: 'DELETING' });
    expect(await failure(client.send(new GetAgentRuntimeCommand({ agentRuntimeId })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('deleting one version leaves the others', async () => {
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('pruned_agent')));
    await client.send(new UpdateAgentRuntimeCommand({ agentRuntimeId, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE}:2` } }, roleArn: ROLE }));
    await client.send(new DeleteAgentRuntimeCommand({ agentRuntimeId, agentRuntimeVersion: '1' }));
    const versions = await client.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId }));
    expect(versions.agentRuntimes!.map((v) => v.agentRuntimeVersion)).toEqual(['2']);
  });

  test('an endpoint pinned to a missing version is refused', async () => {
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('pinned_agent')));
    expect(await failure(client.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId, name: 'prod', agentRuntimeVersion: '9' })))).toMatchObject({ name: 'ValidationException' });
  });
});

describe('out-of-band changes through the admin API', () => {
  test('PATCH /_admin/state changes stored state directly, for what the API cannot do', async () => {
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('patched_agent', { environmentVariables: { A: '1' } })));
    await emulator.admin('PATCH', 'state', { agentcore: { 'us-west-2': { runtimes: { [agentRuntimeId!]: { versions: { '1': { config: { environmentVariables: { A: '2' } }, status: 'UPDATE_FAILED', failureReason: 'changed behind our back', pending: null } } } } } } });
    const got = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId }));
    expect([got.agentRuntimeVersion, got.environmentVariables, got.status, got.failureReason]).toEqual(['1', { A: '2' }, 'UPDATE_FAILED', 'changed behind our back']);
  });
});

describe('the wire', () => {
  test('an unsigned request is refused with 403', async () => {
    const response = await fetch(`${emulator.url}/runtimes/`, { method: 'POST' });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  test('malformed JSON, a wrong content type and an unknown route get AWS-shaped errors', async () => {
    const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64) };
    const bad = await fetch(`${emulator.url}/runtimes/`, { method: 'PUT', headers: { ...signed, 'content-type': 'application/json' }, body: '{not json' });
    expect([bad.status, bad.headers.get('x-amzn-errortype'), ((await bad.json()) as { reason: string }).reason]).toEqual([400, 'ValidationException', 'CannotParse']);
    const form = await fetch(`${emulator.url}/runtimes/`, { method: 'PUT', headers: { ...signed, 'content-type': 'text/plain' }, body: 'hello' });
    expect(form.status).toBe(400);
    const unknown = await fetch(`${emulator.url}/nothing/here`, { headers: signed });
    expect([unknown.status, unknown.headers.get('x-amzn-errortype')]).toEqual([404, 'UnknownOperationException']);
  });

  test('an oversized body is refused before it is read whole', async () => {
    const small = await startTestEmulator([agentCoreService()], { maxBodyBytes: 1024 });
    const response = await fetch(`${small.url}/runtimes/`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'x'.repeat(4096) }) });
    expect([response.status, response.headers.get('x-amzn-errortype')]).toEqual([413, 'ValidationException']);
    await small.close();
  });

  test('runtime timestamps are ISO-8601 strings on the wire', async () => {
    const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('wire_agent')));
    const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64) };
    const raw = (await (await fetch(`${emulator.url}/runtimes/${agentRuntimeId}/`, { headers: signed })).json()) as { createdAt: unknown; lastUpdatedAt: unknown };
    expect(raw.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(typeof raw.lastUpdatedAt).toBe('string');
  });

  test('throttling is answered with 429 ThrottlingException at the configured rate', async () => {
    // On a clock that stands still, a burst meets a full bucket and no refill: exactly the rate passes.
    const clock = new ManualClock();
    const busy = await startEmulator({ services: [agentCoreService()], clock, config: { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 1, rates: { runtimeGet: 5 } } });
    const client = new BedrockAgentCoreControlClient({ ...emulator.clientConfig, endpoint: busy.url, maxAttempts: 1 });
    const burst = async () => {
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => client.send(new GetAgentRuntimeCommand({ agentRuntimeId })).then(() => 'ok', (e: Error) => e.name)));
      return { ok: outcomes.filter((o) => o === 'ok').length, throttled: outcomes.filter((o) => o === 'ThrottlingException').length };
    };
    let agentRuntimeId: string | undefined;
    try {
      ({ agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand(runtimeInput('busy_agent'))));
      expect(await burst()).toEqual({ ok: 5, throttled: 15 });
      expect(await burst()).toEqual({ ok: 0, throttled: 20 });
      clock.advance(1000);
      expect(await burst()).toEqual({ ok: 5, throttled: 15 });
    } finally {
      client.destroy();
      await busy.close();
    }
  });

  test('a dropped connection is retried by the SDK, and injected latency delays the answer', async () => {
    const retrying = new BedrockAgentCoreControlClient({ ...emulator.clientConfig, maxAttempts: 3 });
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'ListAgentRuntimes', kind: 'reset', rate: 1, count: 1 }, { operation: 'ListAgentRuntimes', kind: 'latency', rate: 1, latencyMs: 120 }] });
    const started = Date.now();
    const result = await retrying.send(new ListAgentRuntimesCommand({}));
    expect(result.$metadata.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
    expect(counters['bedrock-agentcore:ListAgentRuntimes']).toEqual({ reset: 1, ok: 1 });
    retrying.destroy();
  });

  test("the SDK's own retries recover from injected 500s and 429s", async () => {
    const retrying = new BedrockAgentCoreControlClient({ ...emulator.clientConfig, maxAttempts: 3 });
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'ListAgentRuntimes', kind: 'internal', rate: 1, count: 1 }, { operation: 'ListAgentRuntimes', kind: 'throttle', rate: 1, count: 1 }] });
    const result = await retrying.send(new ListAgentRuntimesCommand({}));
    expect(result.$metadata.attempts).toBe(3);
    const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
    expect(counters['bedrock-agentcore:ListAgentRuntimes']).toEqual({ InternalServerException: 1, ThrottlingException: 1, ok: 1 });
    retrying.destroy();
  });
});
