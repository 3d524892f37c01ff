import { afterEach, describe, expect, test } from '@jest/globals';
import {
  CreateGatewayCommand, CreateGatewayTargetCommand, GetGatewayCommand, GetGatewayTargetCommand, ListGatewaysCommand, ListGatewayTargetsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UpdateGatewayCommand, UpdateGatewayTargetCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { Condition } from '../../src/api/meta.js';
import type { GatewaySpec } from '../../src/api/v1alpha1/gateway.js';
import type { GatewayTargetSpec } from '../../src/api/v1alpha1/gatewaytarget.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { iamService } from '../../src/emulator/iam/index.js';
import { stsService } from '../../src/emulator/sts/index.js';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { desiredGateway, diffGateway, finalizeGateway, gatewayReconciler, planGateway, reconcileGateway, type GatewayObject } from '../../src/reconcilers/gateway/index.js';
import { carryUnmodelled, type FieldChange } from '../../src/reconcilers/gateway/normalise.js';
import { GATEWAY_CARRIED, GATEWAY_MODEL } from '../../src/reconcilers/gateway/diff.js';
import { desiredTarget, diffTarget, finalizeGatewayTarget, gatewayTargetReconciler, planGatewayTarget, reconcileGatewayTarget, type TargetObject } from '../../src/reconcilers/gatewaytarget/index.js';
import { DEFAULT_SETTINGS, type ObjectOf, type Outcome, type ReconcileEnv, type ReferencedObject } from '../../src/reconcilers/kind.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

const ROLE = 'arn:aws:iam::123456789012:role/GatewayRole';
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/OtherRole';
const KMS = 'arn:aws:kms:us-west-2:123456789012:key/0123abcd-0123-abcd-0123-0123456789ab';
const LAMBDA = 'arn:aws:lambda:us-west-2:123456789012:function:weather-tools';
const JWT = { discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration', allowedClients: ['client-1', 'client-2'] };
const OAUTH_ARN = 'arn:aws:bedrock-agentcore:us-west-2:123456789012:token-vault/default/oauth2credentialprovider/idp';
const API_KEY_ARN = 'arn:aws:bedrock-agentcore:us-west-2:123456789012:token-vault/default/apikeycredentialprovider/weather-key';
const OPENAPI = '{"openapi":"3.0.0","info":{"title":"weather","version":"1"},"paths":{}}';
const POLICY_ENGINE = { arn: 'arn:aws:bedrock-agentcore:us-west-2:123456789012:policy-engine/guard-abcdefghij', mode: 'ENFORCE' as const };

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'array', items: { type: 'integer' } } }, required: ['city', 'days'] },
};
const forecastTool = { name: 'get_forecast', description: 'Forecast for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } };

const gatewaySpec = (extra: Partial<GatewaySpec> = {}): GatewaySpec => ({ role: { arn: ROLE }, authorizer: { type: 'AWS_IAM' }, ...extra }) as GatewaySpec;
const targetSpec = (extra: Partial<GatewayTargetSpec> = {}): GatewayTargetSpec =>
  ({ gatewayRef: { name: 'support-tools' }, lambda: { arn: LAMBDA, toolSchema: { inline: [weatherTool] } }, ...extra }) as GatewayTargetSpec;

/** What a Get answers for a configuration: ids, status, timestamps and the members AWS adds. */
function gatewayObserved(config: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { gatewayId: 'support-tools-abcdefghij', status: 'READY', createdAt: new Date(0), workloadIdentityDetails: { workloadIdentityArn: 'arn:wi' }, ...JSON.parse(JSON.stringify(config)), ...extra };
}
function targetObserved(config: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { targetId: 'ABCDEFGHIJ', status: 'READY', createdAt: new Date(0), ...JSON.parse(JSON.stringify(config)), ...extra };
}
const paths = (changes: FieldChange[]) => changes.map((c) => `${c.action} ${c.path}`);

describe('diffGateway: no change when nothing really differs', () => {
  test.each<[string, GatewaySpec, (o: Record<string, unknown>) => Record<string, unknown>]>([
    ['AWS holds what the spec asks', gatewaySpec({ description: 'tools', exceptionLevel: 'DEBUG', kmsKeyArn: KMS }), (o) => o],
    ['the protocol type AWS reports by default', gatewaySpec(), (o) => ({ ...o, protocolType: undefined })],
    ['JWT allow-lists in another order', gatewaySpec({ authorizer: { type: 'CUSTOM_JWT', customJWT: JWT } }), (o) => ({ ...o, authorizerConfiguration: { customJWTAuthorizer: { ...JWT, allowedClients: ['client-2', 'client-1'] } } })],
    ['MCP versions filled in by AWS when the spec names none', gatewaySpec({ mcp: { instructions: 'Use the tools' } }), (o) => ({ ...o, protocolConfiguration: { mcp: { instructions: 'Use the tools', supportedVersions: ['2025-03-26'] } } })],
    ['an empty mcp block and none', gatewaySpec({ mcp: {} }), (o) => ({ ...o, protocolConfiguration: { mcp: {} } })],
    ['members the spec does not model (a policy engine, session settings)', gatewaySpec({ mcp: { searchType: 'SEMANTIC' } }), (o) => ({ ...o, policyEngineConfiguration: POLICY_ENGINE, protocolConfiguration: { mcp: { searchType: 'SEMANTIC', sessionConfiguration: { sessionTimeoutInSeconds: 900 } } } })],
  ])('%s', (_, spec, observe) => {
    const desired = desiredGateway(spec, ROLE);
    expect(diffGateway(desired, observe(gatewayObserved(desired)))).toEqual([]);
  });
});

describe('diffGateway: real changes, in spec terms', () => {
  test.each<[string, GatewaySpec, Record<string, unknown>, string[]]>([
    ['the role', gatewaySpec(), { roleArn: OTHER_ROLE }, ['update spec.role.arn']],
    ['MCP instructions', gatewaySpec({ mcp: { instructions: 'new' } }), { protocolConfiguration: { mcp: { instructions: 'old' } } }, ['update spec.mcp.instructions']],
    ['MCP versions the spec names', gatewaySpec({ mcp: { supportedVersions: ['2025-06-18'] } }), { protocolConfiguration: { mcp: { supportedVersions: ['2025-03-26'] } } }, ['update spec.mcp.supportedVersions']],
    ['a JWT client added out of band', gatewaySpec({ authorizer: { type: 'CUSTOM_JWT', customJWT: JWT } }), { authorizerConfiguration: { customJWTAuthorizer: { ...JWT, allowedClients: ['client-1', 'client-2', 'client-3'] } } }, ['update spec.authorizer.customJWT.allowedClients']],
    ['a description set out of band', gatewaySpec(), { description: 'someone else' }, ['update spec.description']],
    ['exception level and key removed from the spec', gatewaySpec(), { exceptionLevel: 'DEBUG', kmsKeyArn: KMS }, ['update spec.exceptionLevel', 'update spec.kmsKeyArn']],
    ['another authorizer type', gatewaySpec({ authorizer: { type: 'NONE' } }), { authorizerType: 'AWS_IAM' }, ['replace spec.authorizer.type']],
  ])('%s', (_, spec, observed, expected) => {
    const desired = desiredGateway(spec, ROLE);
    expect(paths(diffGateway(desired, gatewayObserved(desired, observed)))).toEqual(expected);
  });

  test('a full-replacement update carries the members the spec does not model, into the maps the spec has', () => {
    const desired = desiredGateway(gatewaySpec({ mcp: { instructions: 'new' } }), ROLE);
    const observed = gatewayObserved(desired, { policyEngineConfiguration: POLICY_ENGINE, webAclArn: 'arn:waf', protocolConfiguration: { mcp: { instructions: 'old', sessionConfiguration: { sessionTimeoutInSeconds: 900 } } } });
    expect(carryUnmodelled(desired, observed, GATEWAY_MODEL, GATEWAY_CARRIED)).toEqual({
      ...desired,
      policyEngineConfiguration: POLICY_ENGINE,
      protocolConfiguration: { mcp: { instructions: 'new', sessionConfiguration: { sessionTimeoutInSeconds: 900 } } },
    });
  });
});

describe('diffTarget: no change when nothing really differs', () => {
  const lambda = (tools: unknown[]) => ({ targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: tools } } } } });
  test.each<[string, GatewayTargetSpec, (o: Record<string, unknown>) => Record<string, unknown>]>([
    ['AWS holds what the spec asks', targetSpec({ description: 'weather' }), (o) => o],
    ['tools in another order, required names in another order', targetSpec({ lambda: { arn: LAMBDA, toolSchema: { inline: [weatherTool, forecastTool] } } }), (o) => ({ ...o, ...lambda([forecastTool, { ...weatherTool, inputSchema: { ...weatherTool.inputSchema, required: ['days', 'city'] } }]) })],
    ['JSON Schema keywords the API does not keep', targetSpec({ lambda: { arn: LAMBDA, toolSchema: { inline: [{ ...weatherTool, inputSchema: { ...weatherTool.inputSchema, additionalProperties: false } }] } } }), (o) => ({ ...o, ...lambda([weatherTool]) })],
    ['an OpenAPI document formatted differently', targetSpec({ lambda: undefined, openApi: { inline: OPENAPI } }), (o) => ({ ...o, targetConfiguration: { mcp: { openApiSchema: { inlinePayload: JSON.stringify(JSON.parse(OPENAPI), null, 2) } } } })],
    ['an OpenAPI document in YAML and in JSON', targetSpec({ lambda: undefined, openApi: { inline: 'openapi: 3.0.0\ninfo:\n  title: weather\n  version: "1"\npaths: {}\n' } }), (o) => ({ ...o, targetConfiguration: { mcp: { openApiSchema: { inlinePayload: OPENAPI } } } })],
    ['no credentials and the gateway role AWS reports', targetSpec(), (o) => ({ ...o, credentialProviderConfigurations: undefined })],
    ['OAuth scopes in another order', targetSpec({ credentials: { oauth: { providerArn: OAUTH_ARN, scopes: ['read', 'write'] } } }), (o) => ({ ...o, credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn: OAUTH_ARN, scopes: ['write', 'read'], grantType: 'CLIENT_CREDENTIALS' } } }] })],
    ['where an API key goes, filled in by AWS', targetSpec({ credentials: { apiKey: { providerArn: API_KEY_ARN } } }), (o) => ({ ...o, credentialProviderConfigurations: [{ credentialProviderType: 'API_KEY', credentialProvider: { apiKeyCredentialProvider: { providerArn: API_KEY_ARN, credentialLocation: 'HEADER', credentialParameterName: 'Authorization' } } }] })],
    ['an MCP server with the listing mode and priority AWS adds', targetSpec({ lambda: undefined, mcpServer: { endpoint: 'https://mcp.example.com/mcp' } }), (o) => ({ ...o, targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://mcp.example.com/mcp', listingMode: 'DEFAULT', resourcePriority: 0 } } } })],
  ])('%s', (_, spec, observe) => {
    const desired = desiredTarget(spec, { providerArn: spec.credentials?.oauth?.providerArn ?? spec.credentials?.apiKey?.providerArn });
    expect(diffTarget(desired, observe(targetObserved(desired)))).toEqual([]);
  });
});

describe('diffTarget: real changes, in spec terms', () => {
  test.each<[string, GatewayTargetSpec, Record<string, unknown>, string[]]>([
    ['a tool description', targetSpec(), { targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [{ ...weatherTool, description: 'old' }] } } } } }, ['update spec.lambda.toolSchema.inline.get_weather.description']],
    ['a tool added out of band', targetSpec(), { targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [weatherTool, forecastTool] } } } } }, ['update spec.lambda.toolSchema.inline.get_forecast.description', 'update spec.lambda.toolSchema.inline.get_forecast.inputSchema.properties.city.type', 'update spec.lambda.toolSchema.inline.get_forecast.inputSchema.type']],
    ['a property type in a tool schema', targetSpec(), { targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [{ ...weatherTool, inputSchema: { ...weatherTool.inputSchema, properties: { ...weatherTool.inputSchema.properties, city: { type: 'number' } } } }] } } } } }, ['update spec.lambda.toolSchema.inline.get_weather.inputSchema.properties.city.type']],
    ['the function', targetSpec(), { targetConfiguration: { mcp: { lambda: { lambdaArn: `${LAMBDA}-v2`, toolSchema: { inlinePayload: [weatherTool] } } } } }, ['update spec.lambda.arn']],
    ['an OpenAPI document', targetSpec({ lambda: undefined, openApi: { inline: OPENAPI } }), { targetConfiguration: { mcp: { openApiSchema: { inlinePayload: OPENAPI.replace('"1"', '"2"') } } } }, ['update spec.openApi.inline']],
    ['a Smithy model moved in S3', targetSpec({ lambda: undefined, smithy: { s3: { uri: 's3://models/weather.json' } } }), { targetConfiguration: { mcp: { smithyModel: { s3: { uri: 's3://models/old.json' } } } } }, ['update spec.smithy.s3.uri']],
    ['credentials of another type', targetSpec({ credentials: { oauth: { providerArn: OAUTH_ARN, scopes: ['read'] } } }), { credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }] }, ['update spec.credentials', 'update spec.credentials.oauth.providerArn', 'update spec.credentials.oauth.scopes']],
    ['an API key prefix', targetSpec({ credentials: { apiKey: { providerArn: API_KEY_ARN, prefix: 'Bearer' } } }), { credentialProviderConfigurations: [{ credentialProviderType: 'API_KEY', credentialProvider: { apiKeyCredentialProvider: { providerArn: API_KEY_ARN, credentialPrefix: 'Token' } } }] }, ['update spec.credentials.apiKey.prefix']],
    ['another kind of target', targetSpec({ lambda: undefined, openApi: { inline: OPENAPI } }), { targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [weatherTool] } } } } }, ['replace spec.openApi']],
  ])('%s', (_, spec, observed, expected) => {
    const desired = desiredTarget(spec, { providerArn: spec.credentials?.oauth?.providerArn ?? spec.credentials?.apiKey?.providerArn });
    expect(paths(diffTarget(desired, targetObserved(desired, observed)))).toEqual(expected);
  });

  test('the kind change names both kinds', () => {
    const desired = desiredTarget(targetSpec({ lambda: undefined, mcpServer: { endpoint: 'https://mcp.example.com/mcp' } }), {});
    expect(diffTarget(desired, targetObserved(desiredTarget(targetSpec(), {})))).toEqual([{ path: 'spec.mcpServer', from: 'lambda', to: 'mcpServer', action: 'replace' }]);
  });
});

describe('references', () => {
  test('a target references its gateway, and a credential provider given by reference', () => {
    expect(gatewayReconciler.references(gatewaySpec())).toEqual([]);
    expect(gatewayTargetReconciler.references(targetSpec())).toEqual([{ kind: 'Gateway', name: 'support-tools', path: 'spec.gatewayRef.name' }]);
    expect(gatewayTargetReconciler.references(targetSpec({ credentials: { oauth: { providerRef: { name: 'idp' }, scopes: ['read'] } } }))).toEqual([
      { kind: 'Gateway', name: 'support-tools', path: 'spec.gatewayRef.name' },
      { kind: 'OAuth2CredentialProvider', name: 'idp', path: 'spec.credentials.oauth.providerRef.name' },
    ]);
    expect(gatewayTargetReconciler.references(targetSpec({ credentials: { apiKey: { providerRef: { name: 'weather-key' } } } }))[1]).toEqual({ kind: 'ApiKeyCredentialProvider', name: 'weather-key', path: 'spec.credentials.apiKey.providerRef.name' });
  });
});

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator([agentCoreService(), iamService(), stsService()], (e, a) => {
  emulator = e;
  aws = a;
});
afterEach(async () => {
  await emulator.admin('PUT', 'config', { provisioningDelayMs: 0, deletionDelayMs: 0 });
});

function gatewayObject(spec: Partial<GatewaySpec> = {}, name = 'support-tools'): GatewayObject {
  return { metadata: { name, namespace: 'agents', uid: `uid-${name}`, generation: 1 }, spec: gatewaySpec(spec) };
}
function targetObject(spec: Partial<GatewayTargetSpec> = {}, name = 'weather'): TargetObject {
  return { metadata: { name, namespace: 'agents', uid: `uid-target-${name}`, generation: 1 }, spec: targetSpec(spec) };
}

function env(objects: Record<string, ReferencedObject> = {}, owner = 'agents/Gateway/support-tools'): ReconcileEnv {
  return {
    aws,
    owner: { owner, source: 'test' },
    now: () => new Date(),
    pollMs: 10,
    lookup: (kind, name) => objects[`${kind}/${name}`],
    secret: () => Promise.reject(new Error('no secrets here')),
    settings: DEFAULT_SETTINGS,
  };
}
/** The environment a target sees: its gateway as the engine would present it. */
const withGateway = (gateway: GatewayObject, ready = true, more: Record<string, ReferencedObject> = {}) =>
  env({ [`Gateway/${gateway.metadata.name}`]: { ready, status: (gateway.status ?? {}) as Record<string, unknown> }, ...more }, 'agents/GatewayTarget/weather');

type Reconcile<S, T> = (object: ObjectOf<S, T>, env: ReconcileEnv) => Promise<Outcome<T>>;

/** Runs a reconcile (or finalize) until it is done or stalled, carrying status from one run to the next. */
async function converge<S, T>(run: Reconcile<S, T>, object: ObjectOf<S, T>, e: ReconcileEnv, rounds = 10): Promise<Outcome<T> & { runs: number; allActions: string[] }> {
  const allActions: string[] = [];
  for (let runs = 1; runs <= rounds; runs += 1) {
    const outcome = await run(object, e);
    object.status = outcome.status;
    allActions.push(...outcome.actions);
    if (outcome.next.kind === 'done' || outcome.next.kind === 'stalled') return { ...outcome, runs, allActions };
  }
  throw new Error(`not converged after ${rounds} runs: ${JSON.stringify(object.status)}`);
}

const WRITES = /:(Create|Update|Delete|Tag|Untag|Synchronize)/;
async function writeCalls(): Promise<number> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  return Object.entries(counters).filter(([op]) => WRITES.test(op)).reduce((n, [, outcomes]) => n + Object.values(outcomes).reduce((a, b) => a + b, 0), 0);
}
async function allCalls(): Promise<number> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  return Object.values(counters).reduce((n, outcomes) => n + Object.values(outcomes).reduce((a, b) => a + b, 0), 0);
}

const condition = (o: { status?: { conditions?: Condition[] } }, type: string) => o.status?.conditions?.find((c) => c.type === type);
const getGateway = (o: GatewayObject) => aws.agentcore.send(new GetGatewayCommand({ gatewayIdentifier: o.status!.gatewayId }));
const getTarget = (o: TargetObject) => aws.agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier: o.status!.gatewayId, targetId: o.status!.targetId }));

async function readyGateway(spec: Partial<GatewaySpec> = {}): Promise<GatewayObject> {
  const gateway = gatewayObject(spec);
  expect((await converge(reconcileGateway, gateway, env())).next.kind).toBe('done');
  return gateway;
}

describe('Gateway reconciler against the emulator', () => {
  test('creates the gateway with its tags and reports Ready with ids, URL and identity; a second run makes no write', async () => {
    const gateway = gatewayObject({ description: 'Support tools', tags: { team: 'support' }, mcp: { instructions: 'Use the tools', searchType: 'SEMANTIC' } });
    const outcome = await converge(reconcileGateway, gateway, env());
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['created gateway support-tools']]);
    expect(condition(gateway, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(gateway.status).toMatchObject({
      gatewayName: 'support-tools',
      gatewayId: expect.stringMatching(/^support-tools-[0-9a-z]{10}$/),
      gatewayArn: expect.stringContaining(':gateway/support-tools-'),
      gatewayUrl: expect.stringMatching(/^https:\/\/support-tools-[0-9a-z]{10}\.gateway\.bedrock-agentcore\.us-west-2\.amazonaws\.com/),
      workloadIdentityArn: expect.stringContaining('workload-identity'),
      awsStatus: 'READY',
      roleArn: ROLE,
      observedGeneration: 1,
    });
    expect(gateway.status!.statusReasons).toBeUndefined();
    const got = await getGateway(gateway);
    expect(got).toMatchObject({ name: 'support-tools', roleArn: ROLE, authorizerType: 'AWS_IAM', protocolType: 'MCP', description: 'Support tools', protocolConfiguration: { mcp: { instructions: 'Use the tools', searchType: 'SEMANTIC' } } });
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: gateway.status!.gatewayArn }));
    expect(tags).toEqual({ team: 'support', 'agentcore.dev/managed-by': 'agentcore-operator', 'agentcore.dev/owner': 'agents/Gateway/support-tools', 'agentcore.dev/source': 'test' });

    const writes = await writeCalls();
    const again = await reconcileGateway(gateway, env());
    expect([again.next.kind, again.actions]).toEqual(['done', []]);
    expect(await writeCalls()).toBe(writes);
  });

  test('a CUSTOM_JWT gateway is created with its authorizer and stays in sync', async () => {
    const gateway = await readyGateway({ authorizer: { type: 'CUSTOM_JWT', customJWT: JWT } });
    expect((await getGateway(gateway)).authorizerConfiguration).toEqual({ customJWTAuthorizer: JWT });
    const writes = await writeCalls();
    expect((await reconcileGateway(gateway, env())).actions).toEqual([]);
    expect(await writeCalls()).toBe(writes);
  });

  test('a spec change is one full-replacement update: members the spec drops are gone, members it does not model stay', async () => {
    const gateway = await readyGateway({ description: 'first', exceptionLevel: 'DEBUG', kmsKeyArn: KMS, mcp: { instructions: 'old' } });
    // A policy engine attached out of band is not the spec's to manage, and no drift.
    const current = await getGateway(gateway);
    await aws.agentcore.send(new UpdateGatewayCommand({ ...current, gatewayIdentifier: gateway.status!.gatewayId, name: 'support-tools', roleArn: ROLE, authorizerType: 'AWS_IAM', policyEngineConfiguration: POLICY_ENGINE }));
    expect((await converge(reconcileGateway, gateway, env())).allActions).toEqual([]);

    Object.assign(gateway.spec, { description: undefined, exceptionLevel: undefined, role: { arn: OTHER_ROLE }, mcp: { instructions: 'new' } });
    gateway.metadata.generation = 2;
    const outcome = await converge(reconcileGateway, gateway, env());
    expect(outcome.allActions).toEqual(['updated spec.description, spec.exceptionLevel, spec.mcp.instructions, spec.role.arn']);
    expect(gateway.status).toMatchObject({ observedGeneration: 2, roleArn: OTHER_ROLE, awsStatus: 'READY' });
    const got = await getGateway(gateway);
    expect(got).toMatchObject({ roleArn: OTHER_ROLE, kmsKeyArn: KMS, protocolConfiguration: { mcp: { instructions: 'new' } }, policyEngineConfiguration: POLICY_ENGINE });
    expect([got.description, got.exceptionLevel]).toEqual([undefined, undefined]);
  });

  test('a tag-only change goes through the tag APIs, not UpdateGateway', async () => {
    const gateway = await readyGateway({ tags: { team: 'a', old: 'x' } });
    gateway.spec.tags = { team: 'b' };
    gateway.metadata.generation = 2;
    await emulator.admin('DELETE', 'counters');
    expect((await converge(reconcileGateway, gateway, env())).allActions).toEqual(['tagged team', 'untagged old']);
    expect(await emulator.admin<Record<string, unknown>>('GET', 'counters')).not.toHaveProperty(['bedrock-agentcore:UpdateGateway']);
  });

  test('a changed authorizer type is Stalled with ReplacementNotAllowed, and nothing is written', async () => {
    const gateway = await readyGateway();
    gateway.spec.authorizer = { type: 'CUSTOM_JWT', customJWT: JWT };
    gateway.metadata.generation = 2;
    const writes = await writeCalls();
    const outcome = await converge(reconcileGateway, gateway, env());
    expect(outcome.next.kind).toBe('stalled');
    expect(condition(gateway, 'Stalled')).toMatchObject({ status: 'True', reason: 'ReplacementNotAllowed', message: expect.stringContaining('AWS_IAM to CUSTOM_JWT') });
    expect(condition(gateway, 'Ready')).toMatchObject({ status: 'False', reason: 'ReplacementNotAllowed' });
    expect(await writeCalls()).toBe(writes);
    expect((await getGateway(gateway)).authorizerType).toBe('AWS_IAM');
  });

  test('out-of-band drift is corrected and reported as field paths; tags changed out of band are put back', async () => {
    const gateway = await readyGateway({ description: 'Support tools', authorizer: { type: 'CUSTOM_JWT', customJWT: JWT } });
    await aws.agentcore.send(new UpdateGatewayCommand({
      gatewayIdentifier: gateway.status!.gatewayId, name: 'support-tools', roleArn: OTHER_ROLE, authorizerType: 'CUSTOM_JWT',
      authorizerConfiguration: { customJWTAuthorizer: { ...JWT, allowedClients: ['client-1'] } }, exceptionLevel: 'DEBUG',
    }));
    await aws.agentcore.send(new TagResourceCommand({ resourceArn: gateway.status!.gatewayArn, tags: { 'agentcore.dev/owner': 'agents/Gateway/support-tools', intruder: 'yes' } }));
    const outcome = await converge(reconcileGateway, gateway, env());
    expect(outcome.allActions).toEqual(['corrected drift at spec.authorizer.customJWT.allowedClients, spec.description, spec.exceptionLevel, spec.role.arn', 'untagged intruder']);
    expect(condition(gateway, 'Drifted')).toMatchObject({ status: 'False', reason: 'DriftCorrected' });
    expect(await getGateway(gateway)).toMatchObject({ roleArn: ROLE, description: 'Support tools', authorizerConfiguration: { customJWTAuthorizer: JWT } });
    expect((await getGateway(gateway)).exceptionLevel).toBeUndefined();
  });

  test('with driftPolicy: Report, drift is reported and left alone', async () => {
    const gateway = await readyGateway({ description: 'Support tools', driftPolicy: 'Report' });
    await aws.agentcore.send(new UpdateGatewayCommand({ gatewayIdentifier: gateway.status!.gatewayId, name: 'support-tools', roleArn: ROLE, authorizerType: 'AWS_IAM', description: 'changed' }));
    await converge(reconcileGateway, gateway, env());
    const writes = await writeCalls();
    const outcome = await converge(reconcileGateway, gateway, env());
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', []]);
    expect(await writeCalls()).toBe(writes);
    expect(gateway.status!.drift).toEqual(['spec.description']);
    expect(condition(gateway, 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(condition(gateway, 'Synced')).toMatchObject({ status: 'False' });
  });

  test('waits while AWS is CREATING; a FAILED create is Stalled with the status reasons, and a corrected spec rolls forward', async () => {
    await emulator.admin('PUT', 'behaviours/Gateway/support-tools', { failCreate: 'The role cannot be assumed' });
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 150 });
    const gateway = gatewayObject();
    const first = await reconcileGateway(gateway, env());
    gateway.status = first.status;
    const second = await reconcileGateway(gateway, env());
    expect([second.next.kind, condition({ status: second.status }, 'Ready')]).toEqual(['requeue', expect.objectContaining({ reason: 'WaitingForAWS', message: 'AWS reports the gateway CREATING' })]);
    gateway.status = second.status;
    await new Promise((r) => setTimeout(r, 200));
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 0 });
    const stalled = await converge(reconcileGateway, gateway, env());
    expect(stalled.next.kind).toBe('stalled');
    expect(condition(gateway, 'Stalled')).toMatchObject({ reason: 'AWSFailed', message: 'AWS reports FAILED: The role cannot be assumed' });
    expect(gateway.status).toMatchObject({ awsStatus: 'FAILED', statusReasons: ['The role cannot be assumed'] });

    gateway.spec.role = { arn: OTHER_ROLE };
    gateway.metadata.generation = 2;
    const fixed = await converge(reconcileGateway, gateway, env());
    expect([fixed.next.kind, fixed.allActions]).toEqual(['done', ['updated spec.role.arn']]);
    expect(gateway.status!.statusReasons).toBeUndefined();
    expect(condition(gateway, 'Stalled')).toBeUndefined();
  });

  test('an UPDATE_UNSUCCESSFUL gateway is Stalled with the reason AWS gives', async () => {
    const gateway = await readyGateway();
    await emulator.admin('PUT', 'behaviours/Gateway/support-tools', { failUpdate: 'KMS key disabled' });
    gateway.spec.kmsKeyArn = KMS;
    gateway.metadata.generation = 2;
    const outcome = await converge(reconcileGateway, gateway, env());
    expect(outcome.next.kind).toBe('stalled');
    expect(condition(gateway, 'Stalled')).toMatchObject({ reason: 'AWSFailed', message: 'AWS reports UPDATE_UNSUCCESSFUL: KMS key disabled' });
  });

  test('a managed role is created, trusted by AgentCore with the spec\'s statements, and removed with the gateway', async () => {
    const statement = { Effect: 'Allow' as const, Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:us-west-2:123456789012:function:order-lookup' };
    const gateway = gatewayObject({ role: { managed: { statements: [statement] } } });
    expect((await converge(reconcileGateway, gateway, env())).next.kind).toBe('done');
    const roleName = 'agentcore-gateway-agents-support-tools';
    const role = (await aws.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
    expect(gateway.status!.roleArn).toBe(role.Arn);
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toContain('bedrock-agentcore.amazonaws.com');
    const policy = decodeURIComponent((await aws.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'agentcore-operator' }))).PolicyDocument!);
    expect(policy).toContain('function:order-lookup');
    for (let i = 0; i < 10 && (await finalizeGateway(gateway, env())).next.kind !== 'done'; i += 1);
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: roleName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('a gateway of the same name that is not ours is left alone unless the object asks to adopt it', async () => {
    await aws.agentcore.send(new CreateGatewayCommand({ name: 'support-tools', roleArn: ROLE, authorizerType: 'AWS_IAM' }));
    const ours = gatewayObject();
    expect((await converge(reconcileGateway, ours, env())).next.kind).toBe('stalled');
    expect(condition(ours, 'Stalled')!.message).toContain('agentcore.dev/adopt');
    expect((await finalizeGateway(ours, env())).actions).toEqual(['left gateway support-tools alone: it is not managed by this object']);
    const adopting = gatewayObject();
    adopting.metadata.annotations = { 'agentcore.dev/adopt': 'true' };
    expect((await converge(reconcileGateway, adopting, env())).allActions).toEqual(['tagged agentcore.dev/managed-by, agentcore.dev/owner, agentcore.dev/source']);
  });

  test('a crash between the create call and the status write creates no second gateway', async () => {
    expect((await reconcileGateway(gatewayObject(), env())).actions).toEqual(['created gateway support-tools']);
    expect((await converge(reconcileGateway, gatewayObject(), env())).next.kind).toBe('done');
    expect((await aws.agentcore.send(new ListGatewaysCommand({}))).items).toHaveLength(1);
  });
});

describe('gateway calls while AWS is still working', () => {
  test('polling a gateway that is CREATING reads it once and leaves IAM and the tags alone', async () => {
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 5000 });
    const gateway = gatewayObject({ role: { managed: {} } });
    const first = await reconcileGateway(gateway, env());
    expect(first.actions).toContain('created gateway support-tools');
    gateway.status = first.status;
    await emulator.admin('DELETE', 'counters');
    expect((await reconcileGateway(gateway, env())).next.kind).toBe('requeue');
    expect(await emulator.admin('GET', 'counters')).toEqual({ 'bedrock-agentcore:GetGateway': { ok: 1 } });
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 0 });
  });
});

describe('GatewayTarget reconciler against the emulator', () => {
  const KINDS: [string, Partial<GatewayTargetSpec>, Record<string, unknown>][] = [
    ['lambda with inline tools', {}, { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [weatherTool] } } }],
    ['lambda with tools in S3', { lambda: { arn: LAMBDA, toolSchema: { s3: { uri: 's3://tools/weather.json' } } } }, { lambda: { lambdaArn: LAMBDA, toolSchema: { s3: { uri: 's3://tools/weather.json' } } } }],
    ['openApi inline', { lambda: undefined, openApi: { inline: OPENAPI } }, { openApiSchema: { inlinePayload: OPENAPI } }],
    ['smithy in S3', { lambda: undefined, smithy: { s3: { uri: 's3://models/weather.json', bucketOwnerAccountId: '123456789012' } } }, { smithyModel: { s3: { uri: 's3://models/weather.json', bucketOwnerAccountId: '123456789012' } } }],
    ['mcpServer', { lambda: undefined, mcpServer: { endpoint: 'https://mcp.example.com/mcp' } }, { mcpServer: { endpoint: 'https://mcp.example.com/mcp' } }],
  ];
  test.each(KINDS)('a %s target is created in a ready gateway, reports Ready, and a second run makes no write', async (_, spec, mcp) => {
    const gateway = await readyGateway();
    const target = targetObject({ description: 'Weather tools', ...spec });
    const outcome = await converge(reconcileGatewayTarget, target, withGateway(gateway));
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['created target weather']]);
    expect(condition(target, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(target.status).toMatchObject({ targetName: 'weather', targetId: expect.stringMatching(/^[0-9a-zA-Z]{10}$/), gatewayId: gateway.status!.gatewayId, gatewayArn: gateway.status!.gatewayArn, awsStatus: 'READY' });
    expect(await getTarget(target)).toMatchObject({ name: 'weather', description: 'Weather tools', targetConfiguration: { mcp }, credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }] });

    const writes = await writeCalls();
    const again = await reconcileGatewayTarget(target, withGateway(gateway));
    expect([again.next.kind, again.actions]).toEqual(['done', []]);
    expect(await writeCalls()).toBe(writes);
  });

  test('a target waits, calling nothing, while its gateway is missing or not ready', async () => {
    const gateway = gatewayObject();
    const target = targetObject();
    const missing = await reconcileGatewayTarget(target, env());
    expect([missing.next.kind, condition({ status: missing.status }, 'Ready')]).toEqual(['requeue', expect.objectContaining({ status: 'False', reason: 'DependencyNotReady', message: 'Waiting for Gateway support-tools, which does not exist yet' })]);
    const waiting = await reconcileGatewayTarget(target, withGateway(gateway, false));
    expect(condition({ status: waiting.status }, 'Reconciling')).toMatchObject({ status: 'True', reason: 'DependencyNotReady', message: 'Waiting for Gateway support-tools to be ready' });
    expect(waiting.actions).toEqual([]);
    expect(await allCalls()).toBe(0);

    await converge(reconcileGateway, gateway, env());
    expect((await converge(reconcileGatewayTarget, target, withGateway(gateway))).next.kind).toBe('done');
  });

  test('credentials: an OAuth provider by reference waits for it, then its ARN is used; an API key provider by ARN', async () => {
    const gateway = await readyGateway();
    const oauth = targetObject({ lambda: undefined, openApi: { inline: OPENAPI }, credentials: { oauth: { providerRef: { name: 'idp' }, scopes: ['read'] } } });
    const waiting = await reconcileGatewayTarget(oauth, withGateway(gateway, true, { 'OAuth2CredentialProvider/idp': { ready: false, status: {} } }));
    expect(condition({ status: waiting.status }, 'Ready')).toMatchObject({ reason: 'DependencyNotReady', message: 'Waiting for OAuth2CredentialProvider idp to be ready' });
    await converge(reconcileGatewayTarget, oauth, withGateway(gateway, true, { 'OAuth2CredentialProvider/idp': { ready: true, status: { credentialProviderArn: OAUTH_ARN } } }));
    expect((await getTarget(oauth)).credentialProviderConfigurations).toEqual([{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn: OAUTH_ARN, scopes: ['read'] } } }]);

    const apiKey = targetObject({ lambda: undefined, openApi: { inline: OPENAPI }, credentials: { apiKey: { providerArn: API_KEY_ARN, location: 'HEADER', parameterName: 'X-Api-Key' } } }, 'weather-key');
    await converge(reconcileGatewayTarget, apiKey, withGateway(gateway));
    expect((await getTarget(apiKey)).credentialProviderConfigurations).toEqual([{ credentialProviderType: 'API_KEY', credentialProvider: { apiKeyCredentialProvider: { providerArn: API_KEY_ARN, credentialParameterName: 'X-Api-Key', credentialLocation: 'HEADER' } } }]);
  });

  test('a spec change is one full-replacement update; drift in a tool schema is corrected', async () => {
    const gateway = await readyGateway();
    const target = targetObject({ description: 'Weather tools' });
    await converge(reconcileGatewayTarget, target, withGateway(gateway));
    target.spec.lambda = { arn: LAMBDA, toolSchema: { inline: [weatherTool, forecastTool] } };
    target.spec.description = undefined;
    target.metadata.generation = 2;
    const updated = await converge(reconcileGatewayTarget, target, withGateway(gateway));
    expect(updated.allActions).toEqual(['updated spec.description, spec.lambda.toolSchema.inline.get_forecast.description, spec.lambda.toolSchema.inline.get_forecast.inputSchema.properties.city.type, spec.lambda.toolSchema.inline.get_forecast.inputSchema.type']);
    const got = await getTarget(target);
    expect(got.description).toBeUndefined();
    expect(got.targetConfiguration).toEqual({ mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [weatherTool, forecastTool] } } } });

    await aws.agentcore.send(new UpdateGatewayTargetCommand({
      gatewayIdentifier: gateway.status!.gatewayId, targetId: target.status!.targetId, name: 'weather',
      targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [forecastTool, { ...weatherTool, inputSchema: { type: 'object', properties: { city: { type: 'number' } } } }] } } } } as never,
      metadataConfiguration: { allowedRequestHeaders: ['x-request-id'] },
    }));
    const corrected = await converge(reconcileGatewayTarget, target, withGateway(gateway));
    expect(corrected.allActions).toEqual(['corrected drift at spec.lambda.toolSchema.inline.get_weather.inputSchema.properties.city.type, spec.lambda.toolSchema.inline.get_weather.inputSchema.properties.days.items.type, spec.lambda.toolSchema.inline.get_weather.inputSchema.properties.days.type, spec.lambda.toolSchema.inline.get_weather.inputSchema.required']);
    const after = await getTarget(target);
    expect(after.targetConfiguration).toEqual({ mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload: [weatherTool, forecastTool] } } } });
    expect(after.metadataConfiguration).toEqual({ allowedRequestHeaders: ['x-request-id'] });
  });

  test('a changed kind deletes the target and creates it again, with no other target left behind', async () => {
    const gateway = await readyGateway();
    const target = targetObject();
    await converge(reconcileGatewayTarget, target, withGateway(gateway));
    const firstId = target.status!.targetId;
    await emulator.admin('PUT', 'config', { deletionDelayMs: 100 });
    target.spec.lambda = undefined;
    target.spec.mcpServer = { endpoint: 'https://mcp.example.com/mcp' };
    target.metadata.generation = 2;
    const outcome = await converge(async (o, e) => {
      const r = await reconcileGatewayTarget(o, e);
      await new Promise((resolve) => setTimeout(resolve, 30));
      return r;
    }, target, withGateway(gateway), 20);
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['deleted target weather to replace it: its kind changed from lambda to mcpServer', 'created target weather']]);
    expect(target.status!.targetId).not.toBe(firstId);
    expect((await getTarget(target)).targetConfiguration).toEqual({ mcp: { mcpServer: { endpoint: 'https://mcp.example.com/mcp' } } });
    expect((await aws.agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gateway.status!.gatewayId }))).items!.map((t) => t.targetId)).toEqual([target.status!.targetId]);
  });

  test('a sixth target operation in flight on one gateway is throttled: a retry, not a failure', async () => {
    const gateway = await readyGateway();
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 300 });
    for (const n of [1, 2, 3, 4, 5]) {
      await aws.agentcore.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gateway.status!.gatewayId, name: `busy-${n}`, targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://mcp.example.com/mcp' } } } }));
    }
    const target = targetObject();
    const throttled = await reconcileGatewayTarget(target, withGateway(gateway));
    expect(throttled.next.kind).toBe('retry');
    expect(condition({ status: throttled.status }, 'Ready')).toMatchObject({ status: 'False', reason: 'ProgressingWithRetry', message: expect.stringContaining('AWS throttled a call for gateway support-tools (it runs at most 5 target operations at a time); retrying: ThrottlingException') });
    expect(condition({ status: throttled.status }, 'Stalled')).toBeUndefined();
    target.status = throttled.status;
    await new Promise((r) => setTimeout(r, 350));
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 0 });
    expect((await converge(reconcileGatewayTarget, target, withGateway(gateway))).next.kind).toBe('done');
  });

  test('a crash between the create call and the status write creates no second target; one found by name is taken as ours', async () => {
    const gateway = await readyGateway();
    expect((await reconcileGatewayTarget(targetObject(), withGateway(gateway))).actions).toEqual(['created target weather']);
    const fresh = targetObject();
    expect((await converge(reconcileGatewayTarget, fresh, withGateway(gateway))).allActions).toEqual([]);
    expect((await aws.agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gateway.status!.gatewayId }))).items!.map((t) => t.targetId)).toEqual([fresh.status!.targetId]);
  });

  test('a FAILED target is Stalled with the status reasons AWS gives', async () => {
    const gateway = await readyGateway();
    await emulator.admin('PUT', 'behaviours/GatewayTarget/weather', { failCreate: 'Lambda function not found' });
    const target = targetObject();
    expect((await converge(reconcileGatewayTarget, target, withGateway(gateway))).next.kind).toBe('stalled');
    expect(condition(target, 'Stalled')).toMatchObject({ reason: 'AWSFailed', message: 'AWS reports FAILED: Lambda function not found' });
    expect(target.status!.statusReasons).toEqual(['Lambda function not found']);
  });
});

describe('deletion', () => {
  test('a gateway with targets waits until they are gone, then is deleted', async () => {
    const gateway = await readyGateway();
    const weather = targetObject();
    const news = targetObject({ lambda: undefined, mcpServer: { endpoint: 'https://news.example.com/mcp' } }, 'news');
    await converge(reconcileGatewayTarget, weather, withGateway(gateway));
    await converge(reconcileGatewayTarget, news, withGateway(gateway));

    const writes = await writeCalls();
    const blocked = await finalizeGateway(gateway, env());
    expect([blocked.next.kind, blocked.actions]).toEqual(['requeue', []]);
    expect(condition({ status: blocked.status }, 'Reconciling')).toMatchObject({ reason: 'DependencyNotReady', message: 'Gateway support-tools still has 2 target(s): news, weather; AWS deletes a gateway only once its targets are gone' });
    expect(await writeCalls()).toBe(writes);
    gateway.status = blocked.status;

    const lookup = withGateway(gateway, false);
    expect((await converge(finalizeGatewayTarget, weather, lookup)).allActions).toEqual(['deleted target weather']);
    expect((await finalizeGateway(gateway, env())).next.kind).toBe('requeue');
    expect((await converge(finalizeGatewayTarget, news, lookup)).allActions).toEqual(['deleted target news']);
    const deleted = await converge(finalizeGateway, gateway, env());
    expect([deleted.next.kind, deleted.allActions]).toEqual(['done', ['deleted gateway support-tools']]);
    expect((await aws.agentcore.send(new ListGatewaysCommand({}))).items).toEqual([]);
  });

  test('a target whose gateway is already gone is done', async () => {
    const gateway = await readyGateway();
    const target = targetObject();
    await converge(reconcileGatewayTarget, target, withGateway(gateway));
    target.status = { ...target.status, gatewayId: 'gone-abcdefghij' };
    expect((await finalizeGatewayTarget(target, env())).next.kind).toBe('done');
  });

  test('Retain leaves the gateway and the target in place', async () => {
    const gateway = await readyGateway({ deletionPolicy: 'Retain' });
    const target = targetObject({ deletionPolicy: 'Retain' });
    await converge(reconcileGatewayTarget, target, withGateway(gateway));
    const writes = await writeCalls();
    expect(await finalizeGatewayTarget(target, withGateway(gateway))).toMatchObject({ next: { kind: 'done' }, actions: ['retained the target (deletionPolicy: Retain)'] });
    expect(await finalizeGateway(gateway, env())).toMatchObject({ next: { kind: 'done' }, actions: ['retained the gateway (deletionPolicy: Retain)'] });
    expect(await writeCalls()).toBe(writes);
    expect((await aws.agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gateway.status!.gatewayId }))).items).toHaveLength(1);
  });
});

describe('plan: what reconcile would change, read without a write', () => {
  const UNKNOWN = '(known after apply)';

  test('both reconcilers offer a plan', () => {
    expect(gatewayReconciler.plan).toBe(planGateway);
    expect(gatewayTargetReconciler.plan).toBe(planGatewayTarget);
  });

  test('before create each plan is one create, and planning writes nothing (not even a managed role)', async () => {
    const gateway = gatewayObject({ role: { managed: {} } });
    const target = targetObject();
    // The managed role apply would create is in the plan too, line by line; it is not created.
    expect((await planGateway(gateway, env())).changes.map((c) => `${c.action} ${c.subject}`)).toEqual([
      'create gateway support-tools',
      'create role agentcore-gateway-agents-support-tools',
      'create role agentcore-gateway-agents-support-tools trust policy',
    ]);
    expect((await planGateway(gatewayObject(), env())).changes).toEqual([{ action: 'create', scope: 'resource', subject: 'gateway support-tools' }]);
    expect((await planGatewayTarget(target, env())).changes).toEqual([{ action: 'create', scope: 'resource', subject: 'target weather', to: { gateway: UNKNOWN } }]);
    expect((await planGatewayTarget(target, withGateway(gateway, false))).changes).toEqual([{ action: 'create', scope: 'resource', subject: 'target weather', to: { gateway: UNKNOWN } }]);
    expect(await writeCalls()).toBe(0);
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-gateway-agents-support-tools' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    // A ready gateway with no target yet: the target's create, still without a write.
    const ready = await readyGateway();
    const writes = await writeCalls();
    expect((await planGatewayTarget(target, withGateway(ready))).changes).toEqual([{ action: 'create', scope: 'resource', subject: 'target weather' }]);
    expect(await writeCalls()).toBe(writes);
  });

  test('after a converge both plans are empty, with a managed role too', async () => {
    const gateway = gatewayObject({ role: { managed: {} }, tags: { team: 'support' }, authorizer: { type: 'CUSTOM_JWT', customJWT: JWT } });
    expect((await converge(reconcileGateway, gateway, env())).next.kind).toBe('done');
    const target = targetObject({ description: 'Weather tools' });
    expect((await converge(reconcileGatewayTarget, target, withGateway(gateway))).next.kind).toBe('done');
    const writes = await writeCalls();
    expect((await planGateway(gateway, env())).changes).toEqual([]);
    expect((await planGatewayTarget(target, withGateway(gateway))).changes).toEqual([]);
    expect(await writeCalls()).toBe(writes);
  });

  test('after a spec change the plan lists exactly the changes reconcile then makes', async () => {
    const gateway = await readyGateway({ description: 'first', exceptionLevel: 'DEBUG', mcp: { instructions: 'old' }, tags: { team: 'a', old: 'x' } });
    Object.assign(gateway.spec, { description: undefined, exceptionLevel: undefined, role: { arn: OTHER_ROLE }, mcp: { instructions: 'new' }, tags: { team: 'b', cost: 'c1' } });
    gateway.metadata.generation = 2;
    const writes = await writeCalls();
    const gatewayPlan = (await planGateway(gateway, env())).changes;
    expect(await writeCalls()).toBe(writes);
    expect(gatewayPlan).toEqual([
      { action: 'update', scope: 'part', subject: 'spec.description', from: 'first', to: undefined },
      { action: 'update', scope: 'part', subject: 'spec.exceptionLevel', from: 'DEBUG', to: undefined },
      { action: 'update', scope: 'part', subject: 'spec.mcp.instructions', from: 'old', to: 'new' },
      { action: 'update', scope: 'part', subject: 'spec.role.arn', from: ROLE, to: OTHER_ROLE },
      { action: 'update', scope: 'part', subject: 'tag team', from: 'a', to: 'b' },
      { action: 'create', scope: 'part', subject: 'tag cost', to: 'c1' },
      { action: 'delete', scope: 'part', subject: 'tag old', from: 'x' },
    ]);
    const updated = await converge(reconcileGateway, gateway, env());
    const fields = gatewayPlan.filter((c) => c.subject.startsWith('spec.')).map((c) => c.subject);
    expect(updated.allActions).toEqual([`updated ${fields.join(', ')}`, 'tagged team, cost', 'untagged old']);
    expect((await planGateway(gateway, env())).changes).toEqual([]);

    const target = targetObject({ description: 'Weather tools' });
    await converge(reconcileGatewayTarget, target, withGateway(gateway));
    target.spec.lambda = { arn: `${LAMBDA}-v2`, toolSchema: { inline: [{ ...weatherTool, description: 'Weather now' }] } };
    target.spec.description = undefined;
    target.metadata.generation = 2;
    const targetPlan = (await planGatewayTarget(target, withGateway(gateway))).changes;
    expect(targetPlan).toEqual([
      { action: 'update', scope: 'part', subject: 'spec.description', from: 'Weather tools', to: undefined },
      { action: 'update', scope: 'part', subject: 'spec.lambda.arn', from: LAMBDA, to: `${LAMBDA}-v2` },
      { action: 'update', scope: 'part', subject: 'spec.lambda.toolSchema.inline.get_weather.description', from: 'Current weather for a city', to: 'Weather now' },
    ]);
    expect((await converge(reconcileGatewayTarget, target, withGateway(gateway))).allActions).toEqual([`updated ${targetPlan.map((c) => c.subject).join(', ')}`]);
    expect((await planGatewayTarget(target, withGateway(gateway))).changes).toEqual([]);
  });

  test('a switch to a managed role not created yet shows its ARN as known after apply, and creates no role', async () => {
    const gateway = await readyGateway();
    gateway.spec.role = { managed: {} };
    gateway.metadata.generation = 2;
    const writes = await writeCalls();
    expect((await planGateway(gateway, env())).changes.map((c) => `${c.action} ${c.subject}`)).toEqual([
      'create role agentcore-gateway-agents-support-tools',
      'create role agentcore-gateway-agents-support-tools trust policy',
      'update spec.role.arn',
    ]);
    expect((await planGateway(gateway, env())).changes.at(-1)).toEqual({ action: 'update', scope: 'part', subject: 'spec.role.arn', from: ROLE, to: UNKNOWN });
    expect(await writeCalls()).toBe(writes);
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-gateway-agents-support-tools' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('a changed authorizer type plans a replacement of the gateway', async () => {
    const gateway = await readyGateway();
    gateway.spec.authorizer = { type: 'CUSTOM_JWT', customJWT: JWT };
    gateway.metadata.generation = 2;
    expect((await planGateway(gateway, env())).changes).toEqual([
      { action: 'replace', scope: 'resource', subject: 'gateway support-tools', from: 'AWS_IAM', to: 'CUSTOM_JWT' },
      { action: 'replace', scope: 'part', subject: 'spec.authorizer.type', from: 'AWS_IAM', to: 'CUSTOM_JWT' },
    ]);
  });

  test('a changed target kind plans a replacement of the target', async () => {
    const gateway = await readyGateway();
    const target = targetObject();
    await converge(reconcileGatewayTarget, target, withGateway(gateway));
    target.spec.lambda = undefined;
    target.spec.mcpServer = { endpoint: 'https://mcp.example.com/mcp' };
    target.metadata.generation = 2;
    const writes = await writeCalls();
    expect((await planGatewayTarget(target, withGateway(gateway))).changes).toEqual([
      { action: 'replace', scope: 'resource', subject: 'target weather', from: 'lambda', to: 'mcpServer' },
      { action: 'replace', scope: 'part', subject: 'spec.mcpServer', from: 'lambda', to: 'mcpServer' },
    ]);
    expect(await writeCalls()).toBe(writes);
  });

  test('a gateway AWS is still creating plans a wait', async () => {
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 500 });
    const gateway = gatewayObject();
    gateway.status = (await reconcileGateway(gateway, env())).status;
    expect((await planGateway(gateway, env())).changes).toEqual([{ action: 'wait', scope: 'resource', subject: 'gateway support-tools', to: 'CREATING' }]);
  });
});
