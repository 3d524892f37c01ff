import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockAgentCoreControlClient, CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand, DeleteApiKeyCredentialProviderCommand,
  DeleteOauth2CredentialProviderCommand, GetApiKeyCredentialProviderCommand, GetOauth2CredentialProviderCommand, UpdateApiKeyCredentialProviderCommand,
  UpdateOauth2CredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { secretsManagerService } from '../../src/emulator/secretsmanager/index.js';
import { startTestEmulator, useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';

let emulator: TestEmulator;
let agentcore: BedrockAgentCoreControlClient;
let secrets: SecretsManagerClient;

useEmulator([agentCoreService(), secretsManagerService()], (e, aws) => {
  emulator = e;
  agentcore = aws.agentcore;
  secrets = aws.secretsManager;
});
afterEach(async () => {
  await emulator.admin('POST', 'reset');
  await emulator.admin('PUT', 'config', { rateScale: 0 });
});

const REGION = 'us-west-2';
const ACCOUNT = '123456789012';
const KEY = 'sk-live-5d4c3b2a1f0e';
const NEW_KEY = 'sk-live-rotated-6e5d4c';
const CLIENT_SECRET = 'oauth-client-secret-8a7b6c';
const DISCOVERY = 'https://idp.example.com/.well-known/openid-configuration';
const value = (secretId: string) => secrets.send(new GetSecretValueCommand({ SecretId: secretId }));

describe('the secret AgentCore Identity keeps for a MANAGED provider', () => {
  test('an API key is the JSON document {api_key: value}, read by ARN, partial ARN or name; an update makes a new version', async () => {
    const created = await agentcore.send(new CreateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: KEY }));
    const arn = created.apiKeySecretArn!.secretArn!;
    expect(created.apiKeySecretJsonKey).toBe('api_key');
    expect((await agentcore.send(new GetApiKeyCredentialProviderCommand({ name: 'search_api' }))).apiKeySecretJsonKey).toBe('api_key');

    const read = await value(arn);
    expect(read).toMatchObject({
      ARN: arn,
      Name: 'bedrock-agentcore-identity!default/apikey/search_api',
      SecretString: JSON.stringify({ api_key: KEY }),
      VersionStages: ['AWSCURRENT'],
    });
    expect(read.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(read.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(read.CreatedDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect((await value(arn.slice(0, -7))).ARN).toBe(arn);
    expect((await value('bedrock-agentcore-identity!default/apikey/search_api')).ARN).toBe(arn);

    await agentcore.send(new UpdateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: KEY }));
    expect((await value(arn)).VersionId).toBe(read.VersionId);
    await agentcore.send(new UpdateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: NEW_KEY }));
    const rotated = await value(arn);
    expect(JSON.parse(rotated.SecretString!)).toEqual({ api_key: NEW_KEY });
    expect(rotated.VersionId).not.toBe(read.VersionId);
    expect(await failure(secrets.send(new GetSecretValueCommand({ SecretId: arn, VersionId: read.VersionId })))).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    expect(await failure(secrets.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' })))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', VersionId: rotated.VersionId }))).SecretString).toBe(rotated.SecretString);
  });

  test('switching to an external secret keeps the managed one; deleting the provider deletes it', async () => {
    const created = await agentcore.send(new CreateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: KEY }));
    const arn = created.apiKeySecretArn!.secretArn!;
    const external = await agentcore.send(new UpdateApiKeyCredentialProviderCommand({ name: 'search_api', apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: 'team/search', jsonKey: 'key' } }));
    expect(external.apiKeySecretJsonKey).toBe('key');
    expect(JSON.parse((await value(arn)).SecretString!)).toEqual({ api_key: KEY });

    await agentcore.send(new DeleteApiKeyCredentialProviderCommand({ name: 'search_api' }));
    expect(await failure(value(arn))).toMatchObject({ name: 'ResourceNotFoundException', status: 400, message: "Secrets Manager can't find the specified secret." });
    expect(await emulator.admin('GET', 'state')).not.toHaveProperty(['secretsmanager', 'secrets', `${ACCOUNT}/${REGION}`, 'bedrock-agentcore-identity!default/apikey/search_api']);
  });

  test('an OAuth2 client secret is the document {client_secret: value}; an update without one leaves none', async () => {
    const input = {
      name: 'corp-idp',
      credentialProviderVendor: 'CustomOauth2' as const,
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: DISCOVERY }, clientId: 'client-1', clientSecret: CLIENT_SECRET } },
    };
    const created = await agentcore.send(new CreateOauth2CredentialProviderCommand(input));
    const arn = created.clientSecretArn!.secretArn!;
    expect(created.clientSecretJsonKey).toBe('client_secret');
    expect((await agentcore.send(new GetOauth2CredentialProviderCommand({ name: 'corp-idp' }))).clientSecretJsonKey).toBe('client_secret');
    expect(await value(arn)).toMatchObject({ Name: 'bedrock-agentcore-identity!default/oauth2/corp-idp', SecretString: JSON.stringify({ client_secret: CLIENT_SECRET }) });

    await agentcore.send(new UpdateOauth2CredentialProviderCommand({ ...input, oauth2ProviderConfigInput: { customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: DISCOVERY }, clientId: 'client-1' } } }));
    expect(await failure(value(arn))).toMatchObject({ name: 'ResourceNotFoundException' });
    await agentcore.send(new UpdateOauth2CredentialProviderCommand(input));
    expect(JSON.parse((await value(arn)).SecretString!)).toEqual({ client_secret: CLIENT_SECRET });

    await agentcore.send(new DeleteOauth2CredentialProviderCommand({ name: 'corp-idp' }));
    expect(await failure(value(arn))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('a refused request leaves the managed secret as it was', async () => {
    const created = await agentcore.send(new CreateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: KEY }));
    const refused = await failure(agentcore.send(new UpdateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: NEW_KEY, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: 's', jsonKey: 'k' } })));
    expect(refused.name).toBe('ValidationException');
    expect(JSON.parse((await value(created.apiKeySecretArn!.secretArn!)).SecretString!)).toEqual({ api_key: KEY });
  });
});

describe('Secrets Manager', () => {
  test('CreateSecret, then GetSecretValue by name or ARN; a taken name is ResourceExistsException', async () => {
    const created = await secrets.send(new CreateSecretCommand({ Name: 'team/search', SecretString: JSON.stringify({ key: 'external-value' }), Description: 'search' }));
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:team/search-[A-Za-z0-9]{6}$`));
    expect(created).toMatchObject({ Name: 'team/search', VersionId: expect.any(String) });
    expect(await value('team/search')).toMatchObject({ ARN: created.ARN, SecretString: '{"key":"external-value"}', VersionId: created.VersionId });
    expect((await value(created.ARN!)).Name).toBe('team/search');
    expect(await failure(secrets.send(new CreateSecretCommand({ Name: 'team/search', SecretString: 'x' })))).toMatchObject({ name: 'ResourceExistsException', status: 400 });

    await secrets.send(new CreateSecretCommand({ Name: 'empty' }));
    expect(await failure(value('empty'))).toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" });
    expect(await failure(secrets.send(new CreateSecretCommand({ Name: 'bad name!' })))).toMatchObject({ name: 'InvalidParameterException' });
  });

  test('a missing secret is ResourceNotFoundException; a secret in another region is not found', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'regional', SecretString: 'v' }));
    expect(await failure(value('nowhere'))).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    expect(await failure(value(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:nowhere-AbCdEf`))).toMatchObject({ name: 'ResourceNotFoundException' });
    const elsewhere = new SecretsManagerClient({ ...emulator.clientConfig, region: 'eu-west-1', maxAttempts: 1 });
    expect(await failure(elsewhere.send(new GetSecretValueCommand({ SecretId: 'regional' })))).toMatchObject({ name: 'ResourceNotFoundException' });
    elsewhere.destroy();
    expect(await failure(secrets.send(new GetSecretValueCommand({ SecretId: '' })))).toMatchObject({ name: 'InvalidParameterException' });
  });

  test('a read refused by a behaviour is AccessDeniedException, and names no value', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'locked', SecretString: 'locked-value-1234' }));
    await emulator.admin('PUT', 'behaviours/Secret/locked', { accessDenied: true });
    const denied = await failure(value('locked'));
    expect(denied).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(denied.message).toContain('secretsmanager:GetSecretValue');
    expect(denied.message).not.toContain('locked-value-1234');
    await emulator.admin('DELETE', 'behaviours/Secret/locked');
    expect((await value('locked')).SecretString).toBe('locked-value-1234');
  });

  test('calls are counted, throttle with ThrottlingException, and fail with InternalServiceError', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'busy', SecretString: 'v' }));
    await emulator.admin('DELETE', 'counters');
    await value('busy');
    await failure(value('nowhere'));
    expect(await emulator.admin('GET', 'counters')).toEqual({ 'secretsmanager:GetSecretValue': { ok: 1, ResourceNotFoundException: 1 } });

    await emulator.admin('PUT', 'config', { rateScale: 1, rates: { secretsManager: 1 } });
    const outcomes = await Promise.all([1, 2, 3].map(() => value('busy').then(() => 'ok', (e: { name: string }) => e.name)));
    expect(outcomes.filter((o) => o === 'ThrottlingException').length).toBeGreaterThan(0);
    await emulator.admin('PUT', 'config', { rateScale: 0, rates: { secretsManager: 10000 } });

    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetSecretValue', kind: 'internal', rate: 1, count: 1 }] });
    expect(await failure(value('busy'))).toMatchObject({ name: 'InternalServiceError', status: 500 });
  });

  test('an operation the emulator does not serve is UnknownOperationException', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/secretsmanager/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64),
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.RotateSecret',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('with a state file', () => {
  test('a managed secret survives a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretsmanager-state-'));
    try {
      const statePath = join(dir, 'state.json');
      const first = await startTestEmulator([agentCoreService(), secretsManagerService()], { statePath });
      const firstClient = new BedrockAgentCoreControlClient({ ...first.clientConfig, maxAttempts: 1 });
      const created = await firstClient.send(new CreateApiKeyCredentialProviderCommand({ name: 'durable', apiKey: KEY }));
      firstClient.destroy();
      await first.close();

      const second = await startTestEmulator([agentCoreService(), secretsManagerService()], { statePath });
      const secondClient = new SecretsManagerClient({ ...second.clientConfig, maxAttempts: 1 });
      expect(JSON.parse((await secondClient.send(new GetSecretValueCommand({ SecretId: created.apiKeySecretArn!.secretArn! }))).SecretString!)).toEqual({ api_key: KEY });
      secondClient.destroy();
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
