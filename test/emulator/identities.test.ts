import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  type BedrockAgentCoreControlClient, CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand,
  DeleteApiKeyCredentialProviderCommand, DeleteOauth2CredentialProviderCommand, DeleteWorkloadIdentityCommand, GetApiKeyCredentialProviderCommand,
  GetOauth2CredentialProviderCommand, GetWorkloadIdentityCommand, ListApiKeyCredentialProvidersCommand, ListOauth2CredentialProvidersCommand,
  ListTagsForResourceCommand, ListWorkloadIdentitiesCommand, UpdateApiKeyCredentialProviderCommand, UpdateOauth2CredentialProviderCommand,
  UpdateWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { agentCoreService, runtimeFamily } from '../../src/emulator/agentcore/index.js';
import { identityFamily } from '../../src/emulator/agentcore/identities.js';
import { memoryFamily } from '../../src/emulator/agentcore/memories.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';

let emulator: TestEmulator;
let client: BedrockAgentCoreControlClient;
/** The raw body of every response the client received during the current test. */
let rawBodies: string[] = [];

/** Keeps each raw response body before the SDK parses it, so a test can see exactly what went over the wire. */
function captureRawBodies(c: BedrockAgentCoreControlClient): void {
  c.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { body?: AsyncIterable<Uint8Array> | Uint8Array };
      if (response.body && Symbol.asyncIterator in response.body) {
        const chunks: Uint8Array[] = [];
        for await (const chunk of response.body) chunks.push(chunk);
        const raw = Buffer.concat(chunks);
        rawBodies.push(raw.toString('utf8'));
        response.body = new Uint8Array(raw);
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'captureRawBody' },
  );
}

useEmulator([agentCoreService([runtimeFamily, memoryFamily, identityFamily])], (e, aws) => {
  emulator = e;
  client = aws.agentcore;
  captureRawBodies(client);
});
beforeEach(() => {
  rawBodies = [];
});
afterEach(async () => {
  await emulator.admin('POST', 'reset');
  await emulator.admin('PUT', 'config', {
    rateScale: 0,
    rates: { identity: 20 },
    limits: { workloadIdentitiesPerAccount: 11000, oauth2ProvidersPerAccount: 50, apiKeyProvidersPerAccount: 50 },
  });
});

const REGION = 'us-west-2';
const ACCOUNT = '123456789012';
const SIGNED = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64) };
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const state = async () => JSON.stringify(await emulator.admin('GET', 'state'));


describe('workload identities', () => {
  test('create (201), get, update replacing the return URLs, list, delete (204)', async () => {
    const created = await client.send(new CreateWorkloadIdentityCommand({ name: 'support-agent.v1', allowedResourceOauth2ReturnUrls: ['https://app.example.com/callback'], tags: { team: 'support' } }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      name: 'support-agent.v1',
      workloadIdentityArn: `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:workload-identity-directory/default/workload-identity/support-agent.v1`,
      allowedResourceOauth2ReturnUrls: ['https://app.example.com/callback'],
    });

    const got = await client.send(new GetWorkloadIdentityCommand({ name: 'support-agent.v1' }));
    expect(got.createdTime).toBeInstanceOf(Date);
    expect(got.lastUpdatedTime).toBeInstanceOf(Date);
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: created.workloadIdentityArn }))).tags).toEqual({ team: 'support' });

    const updated = await client.send(new UpdateWorkloadIdentityCommand({ name: 'support-agent.v1', allowedResourceOauth2ReturnUrls: ['myapp://oauth', 'https://other.example.com/cb'] }));
    expect([updated.$metadata.httpStatusCode, updated.allowedResourceOauth2ReturnUrls]).toEqual([200, ['myapp://oauth', 'https://other.example.com/cb']]);
    await client.send(new UpdateWorkloadIdentityCommand({ name: 'support-agent.v1' }));
    expect((await client.send(new GetWorkloadIdentityCommand({ name: 'support-agent.v1' }))).allowedResourceOauth2ReturnUrls).toBeUndefined();

    await client.send(new CreateWorkloadIdentityCommand({ name: 'second' }));
    await client.send(new CreateWorkloadIdentityCommand({ name: 'third' }));
    const first = await client.send(new ListWorkloadIdentitiesCommand({ maxResults: 2 }));
    const rest = await client.send(new ListWorkloadIdentitiesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect([...first.workloadIdentities!, ...rest.workloadIdentities!].map((w) => w.name)).toEqual(['support-agent.v1', 'second', 'third']);
    expect(rest.nextToken).toBeUndefined();

    const deleted = await client.send(new DeleteWorkloadIdentityCommand({ name: 'support-agent.v1' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await failure(client.send(new GetWorkloadIdentityCommand({ name: 'support-agent.v1' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(client.send(new DeleteWorkloadIdentityCommand({ name: 'support-agent.v1' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('a duplicate name is a ValidationException, since the model gives this operation no ConflictException', async () => {
    await client.send(new CreateWorkloadIdentityCommand({ name: 'taken' }));
    expect(await failure(client.send(new CreateWorkloadIdentityCommand({ name: 'taken' })))).toMatchObject({ name: 'ValidationException', status: 400, reason: 'ResourceConflict', fieldList: [{ name: 'name' }] });
  });

  test('names like constructor or __proto__ are ordinary names', async () => {
    for (const name of ['constructor', '__proto__']) {
      expect(await failure(client.send(new GetWorkloadIdentityCommand({ name })))).toMatchObject({ name: 'ResourceNotFoundException' });
      await client.send(new CreateWorkloadIdentityCommand({ name }));
      expect((await client.send(new GetWorkloadIdentityCommand({ name }))).name).toBe(name);
    }
    expect((await client.send(new ListWorkloadIdentitiesCommand({}))).workloadIdentities!.map((w) => w.name)).toEqual(['constructor', '__proto__']);
  });

  test('names, return URLs and page sizes are validated', async () => {
    const error = await failure(client.send(new CreateWorkloadIdentityCommand({ name: 'ab', allowedResourceOauth2ReturnUrls: ['not a url'] })));
    expect(error.fieldList!.map((f) => f.name).sort()).toEqual(['allowedResourceOauth2ReturnUrls.0', 'name']);
    expect((await failure(client.send(new ListWorkloadIdentitiesCommand({ maxResults: 21 })))).fieldList).toEqual([{ name: 'maxResults', message: 'Member must have value less than or equal to 20' }]);
  });

  test('timestamps are epoch seconds on the wire', async () => {
    const before = Date.now();
    await client.send(new CreateWorkloadIdentityCommand({ name: 'wire-identity' }));
    const response = await fetch(`${emulator.url}/identities/GetWorkloadIdentity`, { method: 'POST', headers: { ...SIGNED, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'wire-identity' }) });
    const raw = (await response.json()) as { createdTime: unknown; lastUpdatedTime: unknown };
    expect(typeof raw.createdTime).toBe('number');
    expect(typeof raw.lastUpdatedTime).toBe('number');
    expect(Math.abs((raw.createdTime as number) * 1000 - before)).toBeLessThan(5000);
  });
});

describe('OAuth2 credential providers', () => {
  const SECRET = 'oauth-client-secret-3b9f1c';
  const ROTATED = 'oauth-client-secret-rotated-77d2e0';
  const DISCOVERY = 'https://idp.example.com/.well-known/openid-configuration';

  test('create (201), get, update replacing the configuration, list, delete (204); the secret never comes back', async () => {
    const created = await client.send(new CreateOauth2CredentialProviderCommand({
      name: 'corp-idp',
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: DISCOVERY }, clientId: 'client-1', clientSecret: SECRET, clientAuthenticationMethod: 'CLIENT_SECRET_POST' } },
    }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.credentialProviderArn).toBe(`arn:aws:acps:${REGION}:${ACCOUNT}:token-vault/default/oauth2credentialprovider/corp-idp`);
    expect(created.clientSecretArn!.secretArn).toMatch(new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bedrock-agentcore-identity!default/oauth2/corp-idp-[a-zA-Z0-9]{6}$`));
    expect(created.clientSecretSource).toBe('MANAGED');
    expect(created.callbackUrl).toMatch(new RegExp(`^https://bedrock-agentcore\\.${REGION}\\.amazonaws\\.com/identities/oauth2/callback/[0-9a-f-]{36}$`));
    expect(created.oauth2ProviderConfigOutput).toEqual({ customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: DISCOVERY }, clientId: 'client-1', clientAuthenticationMethod: 'CLIENT_SECRET_POST' } });

    const got = await client.send(new GetOauth2CredentialProviderCommand({ name: 'corp-idp' }));
    expect(got).toMatchObject({ name: 'corp-idp', credentialProviderVendor: 'CustomOauth2', status: 'READY', callbackUrl: created.callbackUrl, clientSecretArn: created.clientSecretArn });
    expect(got.createdTime).toBeInstanceOf(Date);

    const updated = await client.send(new UpdateOauth2CredentialProviderCommand({
      name: 'corp-idp',
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: DISCOVERY }, clientId: 'client-2', clientSecret: ROTATED } },
    }));
    expect(updated.$metadata.httpStatusCode).toBe(200);
    expect(updated.oauth2ProviderConfigOutput).toEqual({ customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: DISCOVERY }, clientId: 'client-2' } });
    expect(updated.clientSecretArn).toEqual(created.clientSecretArn);
    const kept = await state();
    expect(kept).toContain(sha256(ROTATED));
    expect(kept).not.toContain(sha256(SECRET));

    const listed = await client.send(new ListOauth2CredentialProvidersCommand({}));
    expect(listed.credentialProviders).toEqual([{ name: 'corp-idp', credentialProviderVendor: 'CustomOauth2', credentialProviderArn: created.credentialProviderArn, createdTime: got.createdTime, lastUpdatedTime: expect.any(Date) }]);

    const tooLong = await failure(client.send(new UpdateOauth2CredentialProviderCommand({
      name: 'corp-idp',
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: DISCOVERY }, clientSecret: SECRET.repeat(100) } },
    })));
    expect(tooLong).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'oauth2ProviderConfigInput.customOauth2ProviderConfig.clientSecret' }] });

    const deleted = await client.send(new DeleteOauth2CredentialProviderCommand({ name: 'corp-idp' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await failure(client.send(new GetOauth2CredentialProviderCommand({ name: 'corp-idp' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });

    expect(rawBodies).toHaveLength(7);
    expect(rawBodies[0]).toContain('clientSecretArn');
    for (const body of rawBodies) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(ROTATED);
    }
    expect(await state()).not.toContain(SECRET);
  });

  test('a second provider of the same name is a ConflictException', async () => {
    const input = { name: 'dup', credentialProviderVendor: 'GoogleOauth2' as const, oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'g', clientSecret: SECRET } } };
    await client.send(new CreateOauth2CredentialProviderCommand(input));
    expect(await failure(client.send(new CreateOauth2CredentialProviderCommand(input)))).toMatchObject({ name: 'ConflictException', status: 409 });
    for (const body of rawBodies) expect(body).not.toContain(SECRET);
  });

  test('built-in vendors get their discovery filled in; a config member for another vendor is refused', async () => {
    const google = await client.send(new CreateOauth2CredentialProviderCommand({ name: 'google', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'g-id', clientSecret: SECRET } } }));
    expect(google.oauth2ProviderConfigOutput).toEqual({ googleOauth2ProviderConfig: { clientId: 'g-id', oauthDiscovery: { discoveryUrl: 'https://accounts.google.com/.well-known/openid-configuration' } } });
    const github = await client.send(new CreateOauth2CredentialProviderCommand({ name: 'github', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'gh-id', clientSecret: SECRET } } }));
    expect(github.oauth2ProviderConfigOutput!.githubOauth2ProviderConfig!.oauthDiscovery!.authorizationServerMetadata).toMatchObject({ issuer: 'https://github.com', tokenEndpoint: 'https://github.com/login/oauth/access_token' });
    const okta = await client.send(new CreateOauth2CredentialProviderCommand({ name: 'okta', credentialProviderVendor: 'OktaOauth2', oauth2ProviderConfigInput: { includedOauth2ProviderConfig: { clientId: 'o-id', clientSecret: SECRET, issuer: 'https://corp.okta.com' } } }));
    expect(okta.oauth2ProviderConfigOutput).toEqual({ includedOauth2ProviderConfig: { clientId: 'o-id', oauthDiscovery: { discoveryUrl: 'https://corp.okta.com/.well-known/openid-configuration' } } });

    const mismatch = await failure(client.send(new CreateOauth2CredentialProviderCommand({ name: 'mixed', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'g-id', clientSecret: SECRET } } })));
    expect(mismatch).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'oauth2ProviderConfigInput.googleOauth2ProviderConfig' }] });
    const twoConfigs = await failure(client.send(new CreateOauth2CredentialProviderCommand({
      name: 'two', credentialProviderVendor: 'GoogleOauth2',
      oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'a' }, slackOauth2ProviderConfig: { clientId: 'b' } } as never,
    })));
    expect(twoConfigs.fieldList).toEqual([{ name: 'oauth2ProviderConfigInput', message: 'Member must have exactly one member set' }]);
    for (const body of rawBodies) expect(body).not.toContain(SECRET);
  });

  test('an external client secret is referenced, not held; EXTERNAL without a reference is refused', async () => {
    const created = await client.send(new CreateOauth2CredentialProviderCommand({
      name: 'external',
      credentialProviderVendor: 'SlackOauth2',
      oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientId: 's-id', clientSecretSource: 'EXTERNAL', clientSecretConfig: { secretId: 'team/slack', jsonKey: 'client_secret' } } },
    }));
    expect(created).toMatchObject({ clientSecretArn: { secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:team/slack` }, clientSecretJsonKey: 'client_secret', clientSecretSource: 'EXTERNAL' });
    const missing = await failure(client.send(new CreateOauth2CredentialProviderCommand({
      name: 'external-2', credentialProviderVendor: 'SlackOauth2', oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientId: 's-id', clientSecretSource: 'EXTERNAL' } },
    })));
    expect(missing).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'oauth2ProviderConfigInput.slackOauth2ProviderConfig.clientSecretConfig' }] });
  });
});

describe('API key credential providers', () => {
  const KEY = 'sk-live-0f8e7d6c5b4a';
  const NEW_KEY = 'sk-live-rotated-99aa88';

  test('create (201), get, update replacing the key, switch to an external secret, list, delete (204); the key never comes back', async () => {
    const created = await client.send(new CreateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: KEY, tags: { team: 'search' } }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ name: 'search_api', credentialProviderArn: `arn:aws:acps:${REGION}:${ACCOUNT}:token-vault/default/apikeycredentialprovider/search_api`, apiKeySecretSource: 'MANAGED' });
    expect(created.apiKeySecretArn!.secretArn).toMatch(new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bedrock-agentcore-identity!default/apikey/search_api-[a-zA-Z0-9]{6}$`));
    expect(await state()).toContain(sha256(KEY));

    const got = await client.send(new GetApiKeyCredentialProviderCommand({ name: 'search_api' }));
    expect(got).toMatchObject({ name: 'search_api', apiKeySecretArn: created.apiKeySecretArn });
    expect(got.createdTime).toBeInstanceOf(Date);

    const updated = await client.send(new UpdateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: NEW_KEY }));
    expect([updated.$metadata.httpStatusCode, updated.apiKeySecretArn]).toEqual([200, created.apiKeySecretArn]);
    const kept = await state();
    expect(kept).toContain(sha256(NEW_KEY));
    expect(kept).not.toContain(sha256(KEY));

    const external = await client.send(new UpdateApiKeyCredentialProviderCommand({
      name: 'search_api', apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:search-key-AbCdEf`, jsonKey: 'key' },
    }));
    expect(external).toMatchObject({ apiKeySecretSource: 'EXTERNAL', apiKeySecretJsonKey: 'key', apiKeySecretArn: { secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:search-key-AbCdEf` } });
    const managedAgain = await client.send(new UpdateApiKeyCredentialProviderCommand({ name: 'search_api', apiKey: KEY }));
    expect(managedAgain).toMatchObject({ apiKeySecretSource: 'MANAGED', apiKeySecretArn: created.apiKeySecretArn });

    expect((await client.send(new ListApiKeyCredentialProvidersCommand({ maxResults: 100 }))).credentialProviders!.map((p) => p.name)).toEqual(['search_api']);
    expect((await failure(client.send(new ListApiKeyCredentialProvidersCommand({ maxResults: 101 })))).fieldList).toEqual([{ name: 'maxResults', message: 'Member must have value less than or equal to 100' }]);
    expect((await failure(client.send(new ListOauth2CredentialProvidersCommand({ maxResults: 21 })))).fieldList).toEqual([{ name: 'maxResults', message: 'Member must have value less than or equal to 20' }]);

    expect((await client.send(new DeleteApiKeyCredentialProviderCommand({ name: 'search_api' }))).$metadata.httpStatusCode).toBe(204);
    expect(await failure(client.send(new GetApiKeyCredentialProviderCommand({ name: 'search_api' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });

    for (const body of rawBodies) {
      expect(body).not.toContain(KEY);
      expect(body).not.toContain(NEW_KEY);
    }
    const final = await state();
    expect(final).not.toContain(KEY);
    expect(final).not.toContain(NEW_KEY);
  });

  test('duplicates conflict; a managed provider needs a key; a key with an external source is refused', async () => {
    await client.send(new CreateApiKeyCredentialProviderCommand({ name: 'dup', apiKey: KEY }));
    expect(await failure(client.send(new CreateApiKeyCredentialProviderCommand({ name: 'dup', apiKey: KEY })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(client.send(new CreateApiKeyCredentialProviderCommand({ name: 'keyless' })))).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'apiKey' }] });
    const both = await failure(client.send(new CreateApiKeyCredentialProviderCommand({ name: 'both', apiKey: KEY, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: 's', jsonKey: 'k' } })));
    expect(both).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'apiKey' }] });
    expect(both.message).not.toContain(KEY);
    for (const body of rawBodies) expect(body).not.toContain(KEY);
  });
});

describe('quotas and throttling', () => {
  test('counts over the limits give ServiceQuotaExceededException', async () => {
    await emulator.admin('PUT', 'config', { limits: { workloadIdentitiesPerAccount: 1, oauth2ProvidersPerAccount: 1, apiKeyProvidersPerAccount: 1 } });
    await client.send(new CreateWorkloadIdentityCommand({ name: 'one' }));
    await client.send(new CreateOauth2CredentialProviderCommand({ name: 'one', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'g' } } }));
    await client.send(new CreateApiKeyCredentialProviderCommand({ name: 'one', apiKey: 'k' }));
    const refused = [
      await failure(client.send(new CreateWorkloadIdentityCommand({ name: 'two' }))),
      await failure(client.send(new CreateOauth2CredentialProviderCommand({ name: 'two', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'g' } } }))),
      await failure(client.send(new CreateApiKeyCredentialProviderCommand({ name: 'two', apiKey: 'k' }))),
    ];
    expect(refused.map((r) => [r.name, r.status])).toEqual(Array(3).fill(['ServiceQuotaExceededException', 402]));
  });

  test('identity operations throttle with 429 ThrottlingException', async () => {
    await client.send(new CreateWorkloadIdentityCommand({ name: 'busy' }));
    await emulator.admin('PUT', 'config', { rateScale: 1, rates: { identity: 1 } });
    const outcomes = await Promise.all([1, 2, 3].map(() => client.send(new GetWorkloadIdentityCommand({ name: 'busy' })).then(() => 'ok', (e: { name: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`)));
    expect(outcomes.sort()).toEqual(['ThrottlingException 429', 'ThrottlingException 429', 'ok']);
  });
});
