import { afterEach, describe, expect, test } from '@jest/globals';
import {
  BedrockAgentCoreControlClient, CreateGatewayCommand, CreateGatewayTargetCommand, DeleteGatewayCommand, DeleteGatewayTargetCommand,
  GetGatewayCommand, GetGatewayTargetCommand, ListGatewaysCommand, ListGatewayTargetsCommand, ListTagsForResourceCommand,
  SynchronizeGatewayTargetsCommand, TagResourceCommand, UntagResourceCommand, UpdateGatewayCommand, UpdateGatewayTargetCommand,
  type CreateGatewayCommandInput, type CreateGatewayTargetCommandInput, type TargetConfiguration,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { gatewayFamily } from '../../src/emulator/agentcore/gateways.js';
import { agentCoreService, runtimeFamily } from '../../src/emulator/agentcore/index.js';
import type { EmulatorConfig } from '../../src/emulator/config.js';
import { startEmulator } from '../../src/emulator/server.js';
import type { ServiceContext } from '../../src/emulator/service.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';
import { ManualClock } from '../helpers/wait.js';

let emulator: TestEmulator;
let client: BedrockAgentCoreControlClient;

useEmulator([agentCoreService([runtimeFamily, gatewayFamily])], (e, aws) => {
  emulator = e;
  client = aws.agentcore;
});
afterEach(async () => {
  await emulator.admin('POST', 'reset');
  await emulator.admin('PUT', 'config', { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 0, limits: { targetsPerGateway: 100, concurrentTargetOperationsPerGateway: 5 } });
});

const ROLE = 'arn:aws:iam::123456789012:role/GatewayRole';
const LAMBDA = 'arn:aws:lambda:us-west-2:123456789012:function:weather-tools';
const JWT = { customJWTAuthorizer: { discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration', allowedClients: ['client-1'] } };

const gatewayInput = (name: string, extra: Partial<CreateGatewayCommandInput> = {}): CreateGatewayCommandInput => ({
  name,
  roleArn: ROLE,
  protocolType: 'MCP',
  authorizerType: 'AWS_IAM',
  ...extra,
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  inputSchema: { type: 'object' as const, properties: { city: { type: 'string' as const }, days: { type: 'array' as const, items: { type: 'integer' as const } } }, required: ['city'] },
};

const TARGETS: Record<string, { configuration: TargetConfiguration; targetType: string }> = {
  lambda: { configuration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [weatherTool] } } } }, targetType: 'LAMBDA' },
  openApi: { configuration: { mcp: { openApiSchema: { inlinePayload: '{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{}}' } } }, targetType: 'OPEN_API_SCHEMA' },
  smithy: { configuration: { mcp: { smithyModel: { s3: { uri: 's3://models-bucket/weather.json', bucketOwnerAccountId: '123456789012' } } } }, targetType: 'SMITHY_MODEL' },
  mcpServer: { configuration: { mcp: { mcpServer: { endpoint: 'https://mcp.example.com/mcp' } } }, targetType: 'MCP_SERVER' },
};

const targetInput = (gatewayIdentifier: string, name: string, extra: Partial<CreateGatewayTargetCommandInput> = {}): CreateGatewayTargetCommandInput => ({
  gatewayIdentifier,
  name,
  targetConfiguration: TARGETS.lambda!.configuration,
  credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }],
  ...extra,
});


async function readyGateway(name: string, on = client): Promise<string> {
  const { gatewayId } = await on.send(new CreateGatewayCommand(gatewayInput(name)));
  return gatewayId!;
}

const closeAfterTest: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closeAfterTest.splice(0)) await close();
});

/**
 * An emulator of the test's own on a clock that stands still until the test moves it, for the tests of
 * provisioning delays: no time passes between two calls, however slow the machine.
 */
async function onClock(config: Partial<EmulatorConfig>): Promise<{ clock: ManualClock; client: BedrockAgentCoreControlClient; ctx: ServiceContext }> {
  const clock = new ManualClock();
  const running = await startEmulator({ services: [agentCoreService([runtimeFamily, gatewayFamily])], clock, config: { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 0, ...config } });
  const own = new BedrockAgentCoreControlClient({ ...emulator.clientConfig, endpoint: running.url, maxAttempts: 1 });
  closeAfterTest.push(async () => {
    own.destroy();
    await running.close();
  });
  return { clock, client: own, ctx: running.ctx };
}

describe('gateways', () => {
  test('a gateway is CREATING until the provisioning delay has passed, then READY; ids, ARN and URL have the real formats', async () => {
    const { clock, client } = await onClock({ provisioningDelayMs: 300 });
    const created = await client.send(new CreateGatewayCommand(gatewayInput('Weather-GW', { tags: { team: 'tools' } })));
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created.gatewayId).toMatch(/^weather-gw-[0-9a-z]{10}$/);
    expect(created).toMatchObject({
      gatewayArn: `arn:aws:bedrock-agentcore:us-west-2:123456789012:gateway/${created.gatewayId}`,
      gatewayUrl: `https://${created.gatewayId}.gateway.bedrock-agentcore.us-west-2.amazonaws.com/mcp`,
      status: 'CREATING',
      name: 'Weather-GW',
      authorizerType: 'AWS_IAM',
      protocolType: 'MCP',
      workloadIdentityDetails: { workloadIdentityArn: expect.stringMatching(/:workload-identity-directory\/default\/workload-identity\//) },
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.updatedAt).toBeInstanceOf(Date);
    const gatewayIdentifier = created.gatewayId!;
    expect((await client.send(new GetGatewayCommand({ gatewayIdentifier }))).status).toBe('CREATING');
    const busy = await failure(client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'Weather-GW', roleArn: ROLE, authorizerType: 'AWS_IAM' })));
    expect(busy).toMatchObject({ name: 'ConflictException', status: 409 });
    clock.advance(299);
    expect((await client.send(new GetGatewayCommand({ gatewayIdentifier }))).status).toBe('CREATING');
    clock.advance(1);
    const ready = await client.send(new GetGatewayCommand({ gatewayIdentifier }));
    expect(ready).toMatchObject({ status: 'READY', gatewayId: gatewayIdentifier });
    expect(ready.createdAt).toBeInstanceOf(Date);
    expect(ready.createdAt!.getTime()).toBe(created.createdAt!.getTime());

    await client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'Weather-GW', roleArn: ROLE, authorizerType: 'AWS_IAM', description: 'second' }));
    expect((await client.send(new GetGatewayCommand({ gatewayIdentifier }))).status).toBe('UPDATING');
    clock.advance(300);
    expect(await client.send(new GetGatewayCommand({ gatewayIdentifier }))).toMatchObject({ status: 'READY', description: 'second' });
  });

  test('a create that fails ends FAILED and an update that fails ends UPDATE_UNSUCCESSFUL, each with its reason', async () => {
    await emulator.admin('PUT', 'behaviours/Gateway/broken-gw', { failCreate: 'The role cannot be assumed' });
    const { gatewayId: gatewayIdentifier } = await client.send(new CreateGatewayCommand(gatewayInput('broken-gw')));
    expect(await client.send(new GetGatewayCommand({ gatewayIdentifier }))).toMatchObject({ status: 'FAILED', statusReasons: ['The role cannot be assumed'] });
    await emulator.admin('PUT', 'behaviours/Gateway/broken-gw', { failUpdate: 'KMS key disabled' });
    await client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'broken-gw', roleArn: ROLE, authorizerType: 'AWS_IAM' }));
    expect(await client.send(new GetGatewayCommand({ gatewayIdentifier }))).toMatchObject({ status: 'UPDATE_UNSUCCESSFUL', statusReasons: ['KMS key disabled'] });
    await client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'broken-gw', roleArn: ROLE, authorizerType: 'AWS_IAM' }));
    const fixed = await client.send(new GetGatewayCommand({ gatewayIdentifier }));
    expect(fixed.status).toBe('READY');
    expect(fixed.statusReasons).toBeUndefined();
  });

  test('an update is a full replacement: the members it leaves out are gone', async () => {
    const { gatewayId: gatewayIdentifier } = await client.send(new CreateGatewayCommand(gatewayInput('replaced-gw', {
      description: 'first',
      exceptionLevel: 'DEBUG',
      kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/0123abcd-0123-abcd-0123-0123456789ab',
      protocolConfiguration: { mcp: { instructions: 'Use the weather tools', searchType: 'SEMANTIC', supportedVersions: ['2025-03-26'] } },
    })));
    const before = await client.send(new GetGatewayCommand({ gatewayIdentifier }));
    expect(before).toMatchObject({ description: 'first', exceptionLevel: 'DEBUG', protocolConfiguration: { mcp: { searchType: 'SEMANTIC' } } });
    const other = 'arn:aws:iam::123456789012:role/OtherRole';
    const updated = await client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'replaced-gw', roleArn: other, authorizerType: 'AWS_IAM' }));
    expect(updated).toMatchObject({ status: 'UPDATING', roleArn: other });
    const after = await client.send(new GetGatewayCommand({ gatewayIdentifier }));
    expect(after).toMatchObject({ status: 'READY', roleArn: other, protocolType: 'MCP' });
    expect([after.description, after.exceptionLevel, after.kmsKeyArn, after.protocolConfiguration]).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('the name and the authorizer type cannot change, and CUSTOM_JWT needs an authorizer configuration', async () => {
    const missing = await failure(client.send(new CreateGatewayCommand(gatewayInput('jwt-gw', { authorizerType: 'CUSTOM_JWT' }))));
    expect(missing).toMatchObject({ name: 'ValidationException', status: 400, reason: 'FieldValidationFailed' });
    expect(missing.fieldList!.map((f) => f.name)).toEqual(['authorizerConfiguration']);
    const { gatewayId: gatewayIdentifier } = await client.send(new CreateGatewayCommand(gatewayInput('jwt-gw', { authorizerType: 'CUSTOM_JWT', authorizerConfiguration: JWT })));
    expect(await client.send(new GetGatewayCommand({ gatewayIdentifier }))).toMatchObject({ authorizerType: 'CUSTOM_JWT', authorizerConfiguration: JWT });

    const renamed = await failure(client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'other-gw', roleArn: ROLE, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: JWT })));
    expect(renamed).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(renamed.fieldList!.map((f) => f.name)).toEqual(['name']);
    const switched = await failure(client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'jwt-gw', roleArn: ROLE, authorizerType: 'AWS_IAM' })));
    expect(switched.fieldList!.map((f) => f.name)).toEqual(['authorizerType']);
    const dropped = await failure(client.send(new UpdateGatewayCommand({ gatewayIdentifier, name: 'jwt-gw', roleArn: ROLE, authorizerType: 'CUSTOM_JWT' })));
    expect(dropped.fieldList!.map((f) => f.name)).toEqual(['authorizerConfiguration']);
  });

  test('names are unique per account, and malformed members are named in fieldList', async () => {
    await readyGateway('unique-gw');
    expect(await failure(client.send(new CreateGatewayCommand(gatewayInput('unique-gw'))))).toMatchObject({ name: 'ConflictException', status: 409 });
    const bad = await failure(client.send(new CreateGatewayCommand(gatewayInput('bad_name', { roleArn: 'not-a-role', authorizerType: 'OPEN' as never }))));
    expect(bad).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(bad.fieldList!.map((f) => f.name).sort()).toEqual(['authorizerType', 'name', 'roleArn']);
  });

  test('the same clientToken returns the first gateway instead of making a second one', async () => {
    const clientToken = 'c'.repeat(8) + '-0000-4000-8000-' + 'd'.repeat(12);
    const first = await client.send(new CreateGatewayCommand(gatewayInput('token-gw', { clientToken })));
    const again = await client.send(new CreateGatewayCommand(gatewayInput('token-gw', { clientToken })));
    expect(again.gatewayId).toBe(first.gatewayId);
    expect((await client.send(new ListGatewaysCommand({}))).items).toHaveLength(1);
  });

  test('tags are set on create and changed with TagResource and UntagResource', async () => {
    const { gatewayArn, gatewayId } = await client.send(new CreateGatewayCommand(gatewayInput('tagged-gw', { tags: { team: 'tools' } })));
    await client.send(new TagResourceCommand({ resourceArn: gatewayArn, tags: { env: 'prod' } }));
    await client.send(new UntagResourceCommand({ resourceArn: gatewayArn, tagKeys: ['team'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: gatewayArn }))).tags).toEqual({ env: 'prod' });
    await client.send(new DeleteGatewayCommand({ gatewayIdentifier: gatewayId }));
    expect(await failure(client.send(new ListTagsForResourceCommand({ resourceArn: gatewayArn })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('ListGateways pages with maxResults and nextToken', async () => {
    for (const n of [1, 2, 3, 4, 5]) await readyGateway(`paged-${n}`);
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListGatewaysCommand({ maxResults: 2, nextToken }));
      names.push(...page.items!.map((g) => g.name!));
      for (const g of page.items!) expect(g).toMatchObject({ status: 'READY', authorizerType: 'AWS_IAM', protocolType: 'MCP', createdAt: expect.any(Date), updatedAt: expect.any(Date) });
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect([pages, names]).toEqual([3, ['paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5']]);
    expect(await failure(client.send(new ListGatewaysCommand({ maxResults: 1001 })))).toMatchObject({ name: 'ValidationException' });
  });
});

describe('targets', () => {
  test.each(Object.entries(TARGETS))('a target of kind %s is created, updated, synchronized and deleted', async (kind, { configuration, targetType }) => {
    const gatewayIdentifier = await readyGateway(`gw-${kind.toLowerCase()}`);
    const created = await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, `${kind}-target`, { targetConfiguration: configuration, description: 'first' })));
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created.targetId).toMatch(/^[0-9a-zA-Z]{10}$/);
    expect(created).toMatchObject({ status: 'CREATING', name: `${kind}-target`, targetConfiguration: configuration, gatewayArn: expect.stringContaining(`:gateway/${gatewayIdentifier}`) });
    const targetId = created.targetId!;
    expect(await client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }))).toMatchObject({ status: 'READY', description: 'first', credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }] });
    expect((await client.send(new ListGatewayTargetsCommand({ gatewayIdentifier }))).items).toEqual([expect.objectContaining({ targetId, targetType, status: 'READY' })]);

    await client.send(new UpdateGatewayTargetCommand({ gatewayIdentifier, targetId, name: `${kind}-renamed`, targetConfiguration: configuration }));
    const updated = await client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }));
    expect(updated).toMatchObject({ status: 'READY', name: `${kind}-renamed`, credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }] });
    expect(updated.description).toBeUndefined();
    expect(updated.updatedAt).toBeInstanceOf(Date);

    const synced = await client.send(new SynchronizeGatewayTargetsCommand({ gatewayIdentifier, targetIdList: [targetId] }));
    expect(synced.targets!.map((t) => [t.targetId, t.status])).toEqual([[targetId, 'SYNCHRONIZING']]);
    const after = await client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }));
    expect(after.status).toBe('READY');
    expect(after.lastSynchronizedAt).toBeInstanceOf(Date);

    expect(await client.send(new DeleteGatewayTargetCommand({ gatewayIdentifier, targetId }))).toMatchObject({ status: 'DELETING', targetId });
    expect(await failure(client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('statuses settle after the delay, a failed update is UPDATE_UNSUCCESSFUL, and a busy target refuses changes', async () => {
    const { clock, client, ctx } = await onClock({});
    const gatewayIdentifier = await readyGateway('slow-targets', client);
    ctx.config.provisioningDelayMs = 300;
    const { targetId } = await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'slow-target')));
    expect((await client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }))).status).toBe('CREATING');
    const busy = await failure(client.send(new UpdateGatewayTargetCommand({ gatewayIdentifier, targetId, targetConfiguration: TARGETS.lambda!.configuration })));
    expect(busy).toMatchObject({ name: 'ConflictException', status: 409 });
    clock.advance(300);
    expect((await client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }))).status).toBe('READY');
    ctx.config.provisioningDelayMs = 0;
    ctx.faults.behaviours.set('GatewayTarget/slow-target', { failUpdate: 'Lambda function not found' });
    await client.send(new UpdateGatewayTargetCommand({ gatewayIdentifier, targetId, name: 'slow-target', targetConfiguration: TARGETS.lambda!.configuration }));
    expect(await client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }))).toMatchObject({ status: 'UPDATE_UNSUCCESSFUL', statusReasons: ['Lambda function not found'] });
  });

  test('target names are unique within a gateway, not across gateways', async () => {
    const one = await readyGateway('names-one');
    const two = await readyGateway('names-two');
    await client.send(new CreateGatewayTargetCommand(targetInput(one, 'shared-name')));
    expect(await failure(client.send(new CreateGatewayTargetCommand(targetInput(one, 'shared-name'))))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect((await client.send(new CreateGatewayTargetCommand(targetInput(two, 'shared-name')))).status).toBe('CREATING');
  });

  test('a target of a missing gateway is not found', async () => {
    const missing = await failure(client.send(new CreateGatewayTargetCommand(targetInput('nowhere-abcdefghij', 'orphan'))));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(client.send(new ListGatewayTargetsCommand({ gatewayIdentifier: 'nowhere-abcdefghij' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('tool schemas are checked at every level, and credentials take exactly one matching provider', async () => {
    const gatewayIdentifier = await readyGateway('checked-gw');
    const withTool = (inputSchema: unknown) => ({ mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [{ ...weatherTool, inputSchema }] } } } }) as TargetConfiguration;
    const top = await failure(client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'bad-top', { targetConfiguration: withTool({ type: 'map' }) }))));
    expect(top).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(top.fieldList!.map((f) => f.name)).toEqual(['targetConfiguration.mcp.lambda.toolSchema.inlinePayload.0.inputSchema.type']);
    const nested = await failure(client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'bad-nested', { targetConfiguration: withTool({ type: 'object', properties: { when: { type: 'date' } } }) }))));
    expect(nested.fieldList!.map((f) => f.name)).toEqual(['targetConfiguration.mcp.lambda.toolSchema.inlinePayload.0.inputSchema.properties.when.type']);

    const two = await failure(client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'two-creds', {
      credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }, { credentialProviderType: 'GATEWAY_IAM_ROLE' }],
    }))));
    expect(two.fieldList!.map((f) => f.name)).toEqual(['credentialProviderConfigurations']);
    const oauth = await failure(client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'oauth-target', {
      targetConfiguration: TARGETS.openApi!.configuration,
      credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH' }],
    }))));
    expect(oauth).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'credentialProviderConfigurations.0.credentialProvider', message: expect.stringContaining('oauthCredentialProvider') }] });
    const providerArn = 'arn:aws:bedrock-agentcore:us-west-2:123456789012:token-vault/default/oauth2credentialprovider/idp';
    const good = await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'oauth-target', {
      targetConfiguration: TARGETS.openApi!.configuration,
      credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn, scopes: ['read'] } } }],
    })));
    expect(good.credentialProviderConfigurations).toEqual([{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn, scopes: ['read'] } } }]);
  });

  test('a sixth target operation in flight on one gateway is throttled with 429; it succeeds once one settles', async () => {
    const { clock, client, ctx } = await onClock({});
    const gatewayIdentifier = await readyGateway('busy-gw', client);
    ctx.config.provisioningDelayMs = 500;
    for (const n of [1, 2, 3, 4, 5]) expect((await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, `busy-${n}`)))).status).toBe('CREATING');
    const sixth = await failure(client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'busy-6'))));
    expect(sixth).toMatchObject({ name: 'ThrottlingException', status: 429 });
    expect((await client.send(new ListGatewayTargetsCommand({ gatewayIdentifier }))).items).toHaveLength(5);
    clock.advance(500);
    expect((await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'busy-6')))).status).toBe('CREATING');
  });

  test('a gateway holds at most targetsPerGateway targets', async () => {
    await emulator.admin('PUT', 'config', { limits: { targetsPerGateway: 2 } });
    const gatewayIdentifier = await readyGateway('full-gw');
    for (const n of [1, 2]) await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, `full-${n}`)));
    expect(await failure(client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'full-3'))))).toMatchObject({ name: 'ServiceQuotaExceededException', status: 402 });
  });

  test('ListGatewayTargets pages with maxResults and nextToken', async () => {
    const gatewayIdentifier = await readyGateway('paged-targets');
    for (const n of [1, 2, 3, 4, 5]) await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, `paged-${n}`)));
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListGatewayTargetsCommand({ gatewayIdentifier, maxResults: 2, nextToken }));
      names.push(...page.items!.map((t) => t.name!));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect([pages, names]).toEqual([3, ['paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5']]);
  });
});

describe('deleting a gateway', () => {
  test('is refused while it has targets, and allowed once they are gone', async () => {
    const { clock, client, ctx } = await onClock({});
    const gatewayIdentifier = await readyGateway('doomed-gw', client);
    const { targetId } = await client.send(new CreateGatewayTargetCommand(targetInput(gatewayIdentifier, 'last-target')));
    const refused = await failure(client.send(new DeleteGatewayCommand({ gatewayIdentifier })));
    expect(refused).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(refused.message).toMatch(/Delete all targets before deleting the gateway/);
    expect((await client.send(new GetGatewayCommand({ gatewayIdentifier }))).status).toBe('READY');

    ctx.config.deletionDelayMs = 300;
    await client.send(new DeleteGatewayTargetCommand({ gatewayIdentifier, targetId }));
    expect((await client.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }))).status).toBe('DELETING');
    expect(await failure(client.send(new DeleteGatewayCommand({ gatewayIdentifier })))).toMatchObject({ name: 'ValidationException' });
    clock.advance(300);
    expect((await client.send(new ListGatewayTargetsCommand({ gatewayIdentifier }))).items).toEqual([]);

    const deleting = await client.send(new DeleteGatewayCommand({ gatewayIdentifier }));
    expect(deleting).toMatchObject({ $metadata: { httpStatusCode: 202 }, gatewayId: gatewayIdentifier, status: 'DELETING' });
    expect((await client.send(new GetGatewayCommand({ gatewayIdentifier }))).status).toBe('DELETING');
    clock.advance(300);
    expect(await failure(client.send(new GetGatewayCommand({ gatewayIdentifier })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect((await client.send(new ListGatewaysCommand({}))).items).toEqual([]);
  });
});
