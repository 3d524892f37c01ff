import { beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand, GetApiKeyCredentialProviderCommand, GetOauth2CredentialProviderCommand,
  GetWorkloadIdentityCommand, ListApiKeyCredentialProvidersCommand, ListOauth2CredentialProvidersCommand, ListTagsForResourceCommand,
  ListWorkloadIdentitiesCommand, UpdateApiKeyCredentialProviderCommand, UpdateOauth2CredentialProviderCommand, UpdateWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { Condition } from '../../src/api/meta.js';
import type { SecretRef } from '../../src/api/schema.js';
import type { ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus } from '../../src/api/v1alpha1/apikeycredentialprovider.js';
import type { OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus } from '../../src/api/v1alpha1/oauth2credentialprovider.js';
import type { WorkloadIdentitySpec, WorkloadIdentityStatus } from '../../src/api/v1alpha1/workloadidentity.js';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../../src/aws/clients.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { secretsManagerService } from '../../src/emulator/secretsmanager/index.js';
import { TerminalError } from '../../src/reconcilers/errors.js';
import { Run, type CommonStatus } from '../../src/reconcilers/resource/run.js';
import { apiKeyCredentialProviderReconciler } from '../../src/reconcilers/apikeycredentialprovider/reconcile.js';
import { oauth2CredentialProviderReconciler } from '../../src/reconcilers/oauth2credentialprovider/reconcile.js';
import { workloadIdentityReconciler } from '../../src/reconcilers/workloadidentity/reconcile.js';
import { secretDigest, secretIdMatches } from '../../src/reconcilers/secret.js';
import { DEFAULT_SETTINGS, type KindReconciler, type ObjectOf, type ObjectPlan, type Outcome, type PlannedChange, type ReconcileEnv } from '../../src/reconcilers/kind.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { waitFor } from '../helpers/wait.js';

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator([agentCoreService(), secretsManagerService()], (e, a) => {
  emulator = e;
  aws = a;
});

const REGION = 'us-west-2';
const ACCOUNT = '123456789012';
const OWNER = { owner: 'agents/Kind/sample', source: 'test' };
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Distinctive values, so that finding one anywhere it should not be is unambiguous. */
const CLIENT_SECRET = 'zq-client-secret-5f3e9a71c2';
const ROTATED_SECRET = 'zq-client-secret-rotated-0b8d44e6';
const API_KEY = 'zq-api-key-live-7c1d2e3f4a';
const ROTATED_KEY = 'zq-api-key-rotated-9e8f7a6b';
const ALL_SECRETS = [CLIENT_SECRET, ROTATED_SECRET, API_KEY, ROTATED_KEY];

/** Secret references resolved from a map, as the file and cluster front ends do; unknown ones fail as theirs do. */
class Secrets {
  readonly values = new Map<string, string>();
  readonly asked: SecretRef[] = [];

  static keyOf(ref: SecretRef): string {
    if (ref.env) return `env:${ref.env}`;
    if (ref.file) return `file:${ref.file}`;
    if (ref.secretKeyRef) return `secret:${ref.secretKeyRef.name}/${ref.secretKeyRef.key}`;
    throw new TerminalError('a Secrets Manager secret is read by AgentCore, not by the operator', 'ValidationFailed');
  }

  set(ref: SecretRef, value: string): this {
    this.values.set(Secrets.keyOf(ref), value);
    return this;
  }

  resolve = async (ref: SecretRef): Promise<string> => {
    this.asked.push(ref);
    const value = this.values.get(Secrets.keyOf(ref));
    if (value !== undefined) return value;
    if (ref.env) throw new TerminalError(`environment variable ${ref.env} is not set`, 'ValidationFailed');
    if (ref.file) throw new TerminalError(`file ${ref.file} cannot be read (ENOENT)`, 'ValidationFailed');
    throw new TerminalError(`Secret agents/${ref.secretKeyRef!.name} with key ${ref.secretKeyRef!.key} is not in this source`, 'ValidationFailed');
  };
}

function env(secrets = new Secrets(), owner = OWNER): ReconcileEnv {
  return {
    aws,
    owner,
    now: () => new Date(),
    pollMs: 10,
    lookup: () => undefined,
    secret: secrets.resolve,
    settings: { ...DEFAULT_SETTINGS, secretDigestKey: 'test-digest-key' },
  };
}

function objectOf<Spec, Status>(spec: Spec, name = 'sample'): ObjectOf<Spec, Status> {
  return { metadata: { name, namespace: 'agents', uid: `uid-${name}`, generation: 1 }, spec };
}

/** The changes of a plan, whichever form the reconciler gives it in. */
async function changesOf(plan: Promise<ObjectPlan<unknown>>): Promise<PlannedChange[]> {
  return (await plan).changes;
}

/** Every outcome of every run, for the secret checks. */
let outcomes: Outcome<unknown>[] = [];
beforeEach(() => {
  outcomes = [];
});

type Step = 'reconcile' | 'finalize';
/** Runs a reconciler until it is done or stalled, carrying status from one run to the next. */
async function converge<Spec, Status>(r: KindReconciler<Spec, Status>, object: ObjectOf<Spec, Status>, e: ReconcileEnv, step: Step = 'reconcile', rounds = 10) {
  const allActions: string[] = [];
  for (let runs = 1; runs <= rounds; runs += 1) {
    const outcome = await r[step](object, e);
    outcomes.push(outcome as Outcome<unknown>);
    object.status = outcome.status;
    allActions.push(...outcome.actions);
    if (outcome.next.kind === 'done' || outcome.next.kind === 'stalled') return { ...outcome, runs, allActions };
  }
  throw new Error(`not converged after ${rounds} runs: ${JSON.stringify(object.status)}`);
}

async function counters(): Promise<Record<string, Record<string, number>>> {
  return emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
}
const total = (c: Record<string, Record<string, number>>, only: RegExp = /./) =>
  Object.entries(c).filter(([op]) => only.test(op)).reduce((n, [, byOutcome]) => n + Object.values(byOutcome).reduce((a, b) => a + b, 0), 0);
const WRITES = /:(Create|Update|Delete|Tag|Untag)/;
const writeCalls = async () => total(await counters(), WRITES);
const allCalls = async () => total(await counters());

const condition = (o: { status?: { conditions?: Condition[] } }, type: string) => o.status?.conditions?.find((c) => c.type === type);
const state = async () => JSON.stringify(await emulator.admin('GET', 'state'));

/** No secret value anywhere in what the reconcilers returned: status, conditions, actions, errors. */
function expectNoSecretsReturned(): void {
  expect(outcomes.length).toBeGreaterThan(0);
  for (const o of outcomes) {
    const text = JSON.stringify({ status: o.status, actions: o.actions, next: o.next, error: 'error' in o.next ? o.next.error.message : undefined });
    for (const s of ALL_SECRETS) expect(text).not.toContain(s);
  }
}

describe('WorkloadIdentity', () => {
  type IdentityObject = ObjectOf<WorkloadIdentitySpec, WorkloadIdentityStatus>;
  const identity = (spec: WorkloadIdentitySpec = {}, name = 'support-agent'): IdentityObject => objectOf(spec, name);
  const reconcile = (o: IdentityObject, e = env()) => converge(workloadIdentityReconciler, o, e);

  test('is created Ready with its return URLs and tags; a second run makes no write', async () => {
    const object = identity({ allowedOAuth2ReturnUrls: ['https://app.example.com/cb', 'myapp://oauth'], tags: { team: 'support' } });
    const outcome = await reconcile(object);
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['created workload identity support-agent']]);
    const arn = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:workload-identity-directory/default/workload-identity/support-agent`;
    expect(object.status).toMatchObject({ identityName: 'support-agent', workloadIdentityArn: arn, observedGeneration: 1 });
    expect(condition(object, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(condition(object, 'Synced')).toMatchObject({ status: 'True' });
    const got = await aws.agentcore.send(new GetWorkloadIdentityCommand({ name: 'support-agent' }));
    expect(got.allowedResourceOauth2ReturnUrls).toEqual(['https://app.example.com/cb', 'myapp://oauth']);
    expect((await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      team: 'support', 'agentcore.dev/managed-by': 'agentcore-operator', 'agentcore.dev/owner': OWNER.owner, 'agentcore.dev/source': 'test',
    });

    const writes = await writeCalls();
    const again = await workloadIdentityReconciler.reconcile(object, env());
    expect([again.next.kind, again.actions]).toEqual(['done', []]);
    expect(await writeCalls()).toBe(writes);
  });

  test('two runs of one object at once: the run whose create loses to the other recognises the identity as its own', async () => {
    await emulator.admin('DELETE', 'requests');
    // The first run's create waits in the emulator, so the second run finds no identity and makes it first.
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'CreateWorkloadIdentity', kind: 'latency', latencyMs: 3000, rate: 1, count: 1 }] });
    try {
      const first = identity({}, 'raced');
      const losing = reconcile(first);
      await waitFor(async () => (await emulator.admin<{ requests: { path: string }[] }>('GET', 'requests')).requests.some((r) => r.path === '/identities/CreateWorkloadIdentity'), { what: 'the first create to reach the emulator' });
      const second = identity({}, 'raced');
      const winning = await reconcile(second);
      const lost = await losing;
      expect([winning.next.kind, lost.next.kind]).toEqual(['done', 'done']);
      expect([condition(first, 'Ready')?.status, condition(second, 'Ready')?.status]).toEqual(['True', 'True']);
      expect([...winning.allActions, ...lost.allActions]).toEqual(['created workload identity raced']);
    } finally {
      await emulator.admin('DELETE', 'faults');
    }
  });

  test('return URLs are a set: another order is no change, an empty list is none, a new URL is an update', async () => {
    const object = identity({ allowedOAuth2ReturnUrls: ['https://a.example.com/cb', 'https://b.example.com/cb'] });
    await reconcile(object);
    const writes = await writeCalls();
    object.spec.allowedOAuth2ReturnUrls = ['https://b.example.com/cb', 'https://a.example.com/cb'];
    object.metadata.generation = 2;
    expect((await reconcile(object)).allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes);

    object.spec.allowedOAuth2ReturnUrls = ['https://c.example.com/cb'];
    object.metadata.generation = 3;
    expect((await reconcile(object)).allActions).toEqual(['updated spec.allowedOAuth2ReturnUrls']);
    expect((await aws.agentcore.send(new GetWorkloadIdentityCommand({ name: 'support-agent' }))).allowedResourceOauth2ReturnUrls).toEqual(['https://c.example.com/cb']);

    object.spec.allowedOAuth2ReturnUrls = [];
    object.metadata.generation = 4;
    expect((await reconcile(object)).allActions).toEqual(['updated spec.allowedOAuth2ReturnUrls']);
    expect((await aws.agentcore.send(new GetWorkloadIdentityCommand({ name: 'support-agent' }))).allowedResourceOauth2ReturnUrls).toBeUndefined();
    delete object.spec.allowedOAuth2ReturnUrls;
    object.metadata.generation = 5;
    expect((await reconcile(object)).allActions).toEqual([]);
  });

  test('tag changes go through the tag APIs', async () => {
    const object = identity({ tags: { team: 'a', old: 'x' } });
    await reconcile(object);
    object.spec.tags = { team: 'b' };
    object.metadata.generation = 2;
    expect((await reconcile(object)).allActions).toEqual(['tagged team', 'untagged old']);
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: object.status!.workloadIdentityArn }));
    expect(tags).toMatchObject({ team: 'b' });
    expect(tags!.old).toBeUndefined();
  });

  test('out-of-band return URLs are corrected, or with driftPolicy: Report only reported', async () => {
    const corrected = identity({ allowedOAuth2ReturnUrls: ['https://app.example.com/cb'] });
    await reconcile(corrected);
    await aws.agentcore.send(new UpdateWorkloadIdentityCommand({ name: 'support-agent', allowedResourceOauth2ReturnUrls: ['https://evil.example.com/cb'] }));
    expect((await reconcile(corrected)).allActions).toEqual(['corrected drift at spec.allowedOAuth2ReturnUrls']);
    expect(condition(corrected, 'Drifted')).toMatchObject({ status: 'False', reason: 'DriftCorrected' });
    expect((await aws.agentcore.send(new GetWorkloadIdentityCommand({ name: 'support-agent' }))).allowedResourceOauth2ReturnUrls).toEqual(['https://app.example.com/cb']);

    const reported = identity({ allowedOAuth2ReturnUrls: ['https://app.example.com/cb'], driftPolicy: 'Report' }, 'reported-agent');
    await reconcile(reported);
    await aws.agentcore.send(new UpdateWorkloadIdentityCommand({ name: 'reported-agent' }));
    const writes = await writeCalls();
    const outcome = await reconcile(reported);
    expect([outcome.next.kind, outcome.allActions, await writeCalls()]).toEqual(['done', [], writes]);
    expect(reported.status!.drift).toEqual(['spec.allowedOAuth2ReturnUrls']);
    expect(condition(reported, 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(condition(reported, 'Synced')).toMatchObject({ status: 'False' });
  });

  test('an identity of the same name that is not ours is left alone unless the object asks to adopt it', async () => {
    await aws.agentcore.send(new CreateWorkloadIdentityCommand({ name: 'support-agent', tags: { team: 'other' } }));
    const refused = identity();
    const outcome = await reconcile(refused);
    expect(outcome.next.kind).toBe('stalled');
    expect(condition(refused, 'Stalled')!.message).toContain('agentcore.dev/adopt');
    // Deleting the object forgets the identity it never owned: the object goes, the identity stays.
    const forgotten = await finalizeUntilDone(refused);
    expect([forgotten.next.kind, forgotten.allActions]).toEqual(['done', ['left workload identity support-agent alone: it is not managed by this object']]);
    expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'NotOwned' });
    expect((await aws.agentcore.send(new ListWorkloadIdentitiesCommand({}))).workloadIdentities).toHaveLength(1);

    const adopting = identity();
    adopting.metadata.annotations = { 'agentcore.dev/adopt': 'true' };
    expect((await reconcile(adopting)).next.kind).toBe('done');
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: adopting.status!.workloadIdentityArn }));
    expect(tags).toEqual({ 'agentcore.dev/managed-by': 'agentcore-operator', 'agentcore.dev/owner': OWNER.owner, 'agentcore.dev/source': 'test' });
  });

  const finalizeUntilDone = (o: IdentityObject) => converge(workloadIdentityReconciler, o, env(), 'finalize');

  test('finalize deletes the identity; Retain leaves it', async () => {
    const object = identity();
    await reconcile(object);
    const outcome = await finalizeUntilDone(object);
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['deleted workload identity support-agent']]);
    expect((await aws.agentcore.send(new ListWorkloadIdentitiesCommand({}))).workloadIdentities).toEqual([]);

    const kept = identity({ deletionPolicy: 'Retain' }, 'kept-agent');
    await reconcile(kept);
    const retained = await finalizeUntilDone(kept);
    expect([retained.next.kind, retained.allActions]).toEqual(['done', ['retained the workload identity (deletionPolicy: Retain)']]);
    expect((await aws.agentcore.send(new ListWorkloadIdentitiesCommand({}))).workloadIdentities!.map((w) => w.name)).toEqual(['kept-agent']);
  });
});

describe('OAuth2CredentialProvider', () => {
  type OAuthObject = ObjectOf<OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus>;
  const SECRET_REF: SecretRef = { secretKeyRef: { name: 'github-oauth', key: 'client-secret' } };
  const provider = (spec: Partial<OAuth2CredentialProviderSpec> = {}, name = 'github.corp'): OAuthObject =>
    objectOf({ vendor: 'GithubOauth2', clientId: 'client-1', clientSecret: SECRET_REF, ...spec } as OAuth2CredentialProviderSpec, name);
  const reconcile = (o: OAuthObject, e: ReconcileEnv) => converge(oauth2CredentialProviderReconciler, o, e);
  const get = (name = 'github-corp') => aws.agentcore.send(new GetOauth2CredentialProviderCommand({ name }));

  test('is created Ready with the secret pushed and only its keyed digest kept; a second run makes no write', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const object = provider({ tags: { team: 'platform' } });
    const outcome = await reconcile(object, env(secrets));
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['created OAuth2 credential provider github-corp']]);
    const got = await get();
    expect(object.status).toMatchObject({
      providerName: 'github-corp',
      credentialProviderArn: `arn:aws:acps:${REGION}:${ACCOUNT}:token-vault/default/oauth2credentialprovider/github-corp`,
      clientSecretArn: got.clientSecretArn!.secretArn,
      callbackUrl: got.callbackUrl,
      awsStatus: 'READY',
      observedGeneration: 1,
    });
    expect(object.status!.callbackUrl).toMatch(/^https:\/\/bedrock-agentcore\.us-west-2\.amazonaws\.com\/identities\/oauth2\/callback\//);
    expect(object.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'uid-github.corp', CLIENT_SECRET));
    expect(object.status!.appliedSecretDigest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(object.status!.appliedSecretDigest).not.toContain(sha256(CLIENT_SECRET));
    expect(condition(object, 'Ready')).toMatchObject({ status: 'True' });
    expect(got).toMatchObject({ credentialProviderVendor: 'GithubOauth2', clientSecretSource: 'MANAGED', oauth2ProviderConfigOutput: { githubOauth2ProviderConfig: { clientId: 'client-1' } } });
    expect(await state()).toContain(sha256(CLIENT_SECRET));

    const writes = await writeCalls();
    const again = await oauth2CredentialProviderReconciler.reconcile(object, env(secrets));
    outcomes.push(again);
    expect([again.next.kind, again.actions]).toEqual(['done', []]);
    expect(await writeCalls()).toBe(writes);
    expectNoSecretsReturned();
  });

  test('a changed secret value is pushed exactly once: the digest changes, the value never shows', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const object = provider();
    await reconcile(object, env(secrets));
    const firstDigest = object.status!.appliedSecretDigest;

    secrets.set(SECRET_REF, ROTATED_SECRET);
    const writes = await writeCalls();
    const rotated = await reconcile(object, env(secrets));
    expect([rotated.next.kind, rotated.allActions]).toEqual(['done', ['pushed the changed client secret']]);
    expect(await writeCalls()).toBe(writes + 1);
    expect(object.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'uid-github.corp', ROTATED_SECRET));
    expect(object.status!.appliedSecretDigest).not.toBe(firstDigest);
    const kept = await state();
    expect(kept).toContain(sha256(ROTATED_SECRET));
    expect(kept).not.toContain(sha256(CLIENT_SECRET));

    const settled = await reconcile(object, env(secrets));
    expect([settled.allActions, await writeCalls()]).toEqual([[], writes + 1]);
    expectNoSecretsReturned();
  });

  test('a changed client id is pushed, secret included (Update replaces the whole configuration)', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const object = provider();
    await reconcile(object, env(secrets));
    object.spec.clientId = 'client-2';
    object.metadata.generation = 2;
    const outcome = await reconcile(object, env(secrets));
    expect(outcome.allActions).toEqual(['updated spec.clientId']);
    expect((await get()).oauth2ProviderConfigOutput).toMatchObject({ githubOauth2ProviderConfig: { clientId: 'client-2' } });
    expect(await state()).toContain(sha256(CLIENT_SECRET));
    expect(object.status!.observedGeneration).toBe(2);
    expectNoSecretsReturned();
  });

  test('a client id changed out of band is corrected, or with driftPolicy: Report only reported', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const object = provider({ driftPolicy: 'Report' });
    await reconcile(object, env(secrets));
    await aws.agentcore.send(new UpdateOauth2CredentialProviderCommand({ name: 'github-corp', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'someone-else', clientSecret: 'x' } } }));
    const writes = await writeCalls();
    const reported = await reconcile(object, env(secrets));
    expect([reported.allActions, await writeCalls(), object.status!.drift]).toEqual([[], writes, ['spec.clientId']]);
    expect(condition(object, 'Drifted')).toMatchObject({ status: 'True' });

    object.spec.driftPolicy = 'Correct';
    const corrected = await reconcile(object, env(secrets));
    // The spec changed (driftPolicy), but its generation did not: the difference is still drift.
    expect(corrected.allActions).toEqual(['corrected drift at spec.clientId']);
    expect((await get()).oauth2ProviderConfigOutput).toMatchObject({ githubOauth2ProviderConfig: { clientId: 'client-1' } });
    expect(await state()).toContain(sha256(CLIENT_SECRET));
    expect(condition(object, 'Drifted')).toMatchObject({ status: 'False' });
  });

  test.each<[string, Partial<OAuth2CredentialProviderSpec>, string]>([
    ['CustomOauth2 with a discovery URL', { vendor: 'CustomOauth2', discovery: { discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration' } }, 'customOauth2ProviderConfig'],
    ['CustomOauth2 with server metadata', { vendor: 'CustomOauth2', discovery: { authorizationServerMetadata: { issuer: 'https://idp.example.com', authorizationEndpoint: 'https://idp.example.com/auth', tokenEndpoint: 'https://idp.example.com/token', responseTypes: ['code'] } } }, 'customOauth2ProviderConfig'],
    ['MicrosoftOauth2 with a tenant', { vendor: 'MicrosoftOauth2', tenantId: 'contoso-tenant' }, 'microsoftOauth2ProviderConfig'],
    ['OktaOauth2 by issuer', { vendor: 'OktaOauth2', discovery: { discoveryUrl: 'https://corp.okta.com/.well-known/openid-configuration' } }, 'includedOauth2ProviderConfig'],
    ['Auth0Oauth2 by endpoints', { vendor: 'Auth0Oauth2', discovery: { authorizationServerMetadata: { issuer: 'https://corp.auth0.com/', authorizationEndpoint: 'https://corp.auth0.com/authorize', tokenEndpoint: 'https://corp.auth0.com/oauth/token' } } }, 'includedOauth2ProviderConfig'],
  ])('%s maps to its union member and settles with no write on the next run', async (_, spec, member) => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const object = provider(spec, 'idp');
    expect((await reconcile(object, env(secrets))).next.kind).toBe('done');
    expect(Object.keys((await get('idp')).oauth2ProviderConfigOutput!)).toEqual([member]);
    const writes = await writeCalls();
    expect((await reconcile(object, env(secrets))).allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes);
  });

  test('a changed tenant or issuer is found through the discovery AgentCore derived, and pushed', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const microsoft = provider({ vendor: 'MicrosoftOauth2', tenantId: 'tenant-a' }, 'ms');
    await reconcile(microsoft, env(secrets));
    microsoft.spec.tenantId = 'tenant-b';
    microsoft.metadata.generation = 2;
    expect((await reconcile(microsoft, env(secrets))).allActions).toEqual(['updated spec.tenantId']);
    expect(JSON.stringify((await get('ms')).oauth2ProviderConfigOutput)).toContain('/tenant-b/');

    const okta = provider({ vendor: 'OktaOauth2', discovery: { discoveryUrl: 'https://a.okta.com/.well-known/openid-configuration' } }, 'okta');
    await reconcile(okta, env(secrets));
    okta.spec.discovery = { discoveryUrl: 'https://b.okta.com/.well-known/openid-configuration' };
    okta.metadata.generation = 2;
    expect((await reconcile(okta, env(secrets))).allActions).toEqual(['updated spec.discovery']);
  });

  test('a Secrets Manager reference is passed to AWS as EXTERNAL and never read; switching to it is an update', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const external: SecretRef = { awsSecretsManager: { secretId: 'team/github-oauth', jsonKey: 'client_secret' } };
    const object = provider({ clientSecret: external }, 'external-idp');
    const outcome = await reconcile(object, env(secrets));
    expect(outcome.next.kind).toBe('done');
    expect(secrets.asked).toEqual([]);
    const got = await get('external-idp');
    expect(got).toMatchObject({ clientSecretSource: 'EXTERNAL', clientSecretJsonKey: 'client_secret', clientSecretArn: { secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:team/github-oauth` } });
    expect(object.status).toMatchObject({ clientSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:team/github-oauth` });
    expect(object.status!.appliedSecretDigest).toBeUndefined();
    const writes = await writeCalls();
    expect((await reconcile(object, env(secrets))).allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes);

    const managed = provider();
    await reconcile(managed, env(secrets));
    managed.spec.clientSecret = external;
    managed.metadata.generation = 2;
    expect((await reconcile(managed, env(secrets))).allActions).toEqual(['updated spec.clientSecret']);
    expect(await get()).toMatchObject({ clientSecretSource: 'EXTERNAL', clientSecretJsonKey: 'client_secret' });
    expect(managed.status!.appliedSecretDigest).toBeUndefined();
    managed.spec.clientSecret = SECRET_REF;
    managed.metadata.generation = 3;
    expect((await reconcile(managed, env(secrets))).allActions).toEqual(['updated spec.clientSecret; pushed the client secret']);
    expect((await get()).clientSecretSource).toBe('MANAGED');
  });

  test('a vendor change is Stalled with ReplacementNotAllowed, and nothing is written', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const object = provider();
    await reconcile(object, env(secrets));
    object.spec.vendor = 'GoogleOauth2';
    object.metadata.generation = 2;
    const writes = await writeCalls();
    const outcome = await reconcile(object, env(secrets));
    expect(outcome.next.kind).toBe('stalled');
    expect(condition(object, 'Stalled')).toMatchObject({ status: 'True', reason: 'ReplacementNotAllowed' });
    expect(condition(object, 'Stalled')!.message).toContain('GithubOauth2');
    expect(condition(object, 'Ready')).toMatchObject({ status: 'False', reason: 'ReplacementNotAllowed' });
    expect(await writeCalls()).toBe(writes);
    expectNoSecretsReturned();
  });

  test('a secret that resolves to nothing is Stalled naming the reference, before any AWS call', async () => {
    const object = provider({ clientSecret: { env: 'GITHUB_CLIENT_SECRET' } });
    const outcome = await reconcile(object, env());
    expect(outcome.next.kind).toBe('stalled');
    expect(outcome.next.kind === 'stalled' && outcome.next.error.message).toBe('spec.clientSecret.env: environment variable GITHUB_CLIENT_SECRET is not set');
    expect(condition(object, 'Stalled')).toMatchObject({ reason: 'ValidationFailed', message: 'spec.clientSecret.env: environment variable GITHUB_CLIENT_SECRET is not set' });
    expect(await allCalls()).toBe(0);
  });

  test('AWS refusing the secret is Stalled, throttling is retried, and neither shows the value', async () => {
    const tooLong = `${CLIENT_SECRET}-${'x'.repeat(2100)}`;
    const object = provider();
    const refused = await reconcile(object, env(new Secrets().set(SECRET_REF, tooLong)));
    expect(refused.next.kind).toBe('stalled');
    expect(condition(object, 'Stalled')).toMatchObject({ reason: 'ValidationFailed' });
    expect(condition(object, 'Stalled')!.message).toContain('clientSecret');

    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'CreateOauth2CredentialProvider', kind: 'throttle', rate: 1, count: 1 }] });
    const retried = await oauth2CredentialProviderReconciler.reconcile(object, env(new Secrets().set(SECRET_REF, CLIENT_SECRET)));
    outcomes.push(retried);
    expect(retried.next.kind).toBe('retry');
    expect(retried.status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'ProgressingWithRetry' });
    object.status = retried.status;
    expect((await reconcile(object, env(new Secrets().set(SECRET_REF, CLIENT_SECRET)))).next.kind).toBe('done');
    // The refused value starts with CLIENT_SECRET, so this also covers the refusal.
    expectNoSecretsReturned();
  });

  test('finalize deletes the provider; Retain leaves it', async () => {
    const secrets = new Secrets().set(SECRET_REF, CLIENT_SECRET);
    const object = provider();
    await reconcile(object, env(secrets));
    const outcome = await converge(oauth2CredentialProviderReconciler, object, env(secrets), 'finalize');
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['deleted OAuth2 credential provider github-corp']]);
    expect((await aws.agentcore.send(new ListOauth2CredentialProvidersCommand({}))).credentialProviders).toEqual([]);

    const kept = provider({ deletionPolicy: 'Retain' }, 'kept');
    await reconcile(kept, env(secrets));
    const retained = await converge(oauth2CredentialProviderReconciler, kept, env(secrets), 'finalize');
    expect(retained.allActions).toEqual(['retained the OAuth2 credential provider (deletionPolicy: Retain)']);
    expect((await aws.agentcore.send(new ListOauth2CredentialProvidersCommand({}))).credentialProviders!.map((p) => p.name)).toEqual(['kept']);
  });

  test('a provider made outside the operator under the same name is updated to the spec (no tags can say whose it is)', async () => {
    await aws.agentcore.send(new CreateOauth2CredentialProviderCommand({ name: 'github-corp', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'old', clientSecret: 'old' } } }));
    const object = provider();
    const outcome = await reconcile(object, env(new Secrets().set(SECRET_REF, CLIENT_SECRET)));
    expect(outcome.allActions).toEqual(['updated spec.clientId; pushed the client secret']);
  });
});

describe('ApiKeyCredentialProvider', () => {
  type KeyObject = ObjectOf<ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus>;
  const KEY_REF: SecretRef = { env: 'WEATHER_API_KEY' };
  const provider = (spec: Partial<ApiKeyCredentialProviderSpec> = {}, name = 'weather-api'): KeyObject => objectOf({ apiKey: KEY_REF, ...spec }, name);
  const reconcile = (o: KeyObject, e: ReconcileEnv) => converge(apiKeyCredentialProviderReconciler, o, e);
  const get = (name = 'weather-api') => aws.agentcore.send(new GetApiKeyCredentialProviderCommand({ name }));

  test('is created Ready; a second run makes no write; a rotated key is pushed exactly once', async () => {
    const secrets = new Secrets().set(KEY_REF, API_KEY);
    const object = provider({ tags: { team: 'weather' } });
    const created = await reconcile(object, env(secrets));
    expect([created.next.kind, created.allActions]).toEqual(['done', ['created API key credential provider weather-api']]);
    const got = await get();
    expect(object.status).toMatchObject({
      providerName: 'weather-api',
      credentialProviderArn: `arn:aws:acps:${REGION}:${ACCOUNT}:token-vault/default/apikeycredentialprovider/weather-api`,
      apiKeySecretArn: got.apiKeySecretArn!.secretArn,
      appliedSecretDigest: secretDigest('test-digest-key', 'uid-weather-api', API_KEY),
      observedGeneration: 1,
    });
    expect(condition(object, 'Ready')).toMatchObject({ status: 'True' });
    expect(await state()).toContain(sha256(API_KEY));

    const writes = await writeCalls();
    expect((await reconcile(object, env(secrets))).allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes);

    secrets.set(KEY_REF, ROTATED_KEY);
    expect((await reconcile(object, env(secrets))).allActions).toEqual(['pushed the changed API key']);
    expect((await reconcile(object, env(secrets))).allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes + 1);
    expect(object.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'uid-weather-api', ROTATED_KEY));
    const kept = await state();
    expect(kept).toContain(sha256(ROTATED_KEY));
    expect(kept).not.toContain(sha256(API_KEY));
    expectNoSecretsReturned();
  });

  test('a digest made under another key (a restarted operator, another installation) costs one read of the key AgentCore holds, not a push', async () => {
    const secrets = new Secrets().set(KEY_REF, API_KEY);
    const object = provider({}, 'rekeyed-api');
    await reconcile(object, env(secrets));
    const restarted: ReconcileEnv = { ...env(secrets), settings: { ...DEFAULT_SETTINGS, secretDigestKey: 'another-installation-key' } };
    const before = await counters();
    expect((await reconcile(object, restarted)).allActions).toEqual([]);
    const after = await counters();
    expect(total(after, WRITES) - total(before, WRITES)).toBe(0);
    expect(total(after, /GetSecretValue/) - total(before, /GetSecretValue/)).toBe(1);
    expect(object.status!.appliedSecretDigest).toBe(secretDigest('another-installation-key', 'uid-rekeyed-api', API_KEY));
    expect((await reconcile(object, restarted)).allActions).toEqual([]);
    expect(total(await counters(), /GetSecretValue/)).toBe(total(after, /GetSecretValue/));
    // Without a key of its own, each process makes one up: no two agree, and none is a constant to guess with.
    expect(DEFAULT_SETTINGS.secretDigestKey).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the same key in two objects gives two unrelated digests', async () => {
    const secrets = new Secrets().set(KEY_REF, API_KEY);
    const a = provider({}, 'a-api');
    const b = provider({}, 'b-api');
    await reconcile(a, env(secrets));
    await reconcile(b, env(secrets));
    expect(a.status!.appliedSecretDigest).not.toBe(b.status!.appliedSecretDigest);
  });

  test('a Secrets Manager reference is passed as EXTERNAL, never read, and an out-of-band switch back is corrected', async () => {
    const secrets = new Secrets();
    const secretArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:weather/api-AbCdEf`;
    const object = provider({ apiKey: { awsSecretsManager: { secretId: secretArn, jsonKey: 'key' } } });
    expect((await reconcile(object, env(secrets))).next.kind).toBe('done');
    expect(secrets.asked).toEqual([]);
    expect(await get()).toMatchObject({ apiKeySecretSource: 'EXTERNAL', apiKeySecretJsonKey: 'key', apiKeySecretArn: { secretArn } });
    expect(object.status).toMatchObject({ apiKeySecretArn: secretArn });
    expect(object.status!.appliedSecretDigest).toBeUndefined();
    const writes = await writeCalls();
    expect((await reconcile(object, env(secrets))).allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes);

    await aws.agentcore.send(new UpdateApiKeyCredentialProviderCommand({ name: 'weather-api', apiKey: 'planted-by-hand' }));
    expect((await reconcile(object, env(secrets))).allActions).toEqual(['corrected drift at spec.apiKey']);
    expect((await get()).apiKeySecretSource).toBe('EXTERNAL');
  });

  test('a key that resolves to nothing is Stalled naming the reference, before any AWS call', async () => {
    const object = provider({ apiKey: { file: 'keys/weather.txt' } });
    const outcome = await reconcile(object, env());
    expect(outcome.next.kind).toBe('stalled');
    expect(condition(object, 'Stalled')).toMatchObject({ reason: 'ValidationFailed', message: 'spec.apiKey.file: file keys/weather.txt cannot be read (ENOENT)' });
    expect(await allCalls()).toBe(0);
  });

  test('finalize deletes the provider; Retain leaves it', async () => {
    const secrets = new Secrets().set(KEY_REF, API_KEY);
    const object = provider();
    await reconcile(object, env(secrets));
    const outcome = await converge(apiKeyCredentialProviderReconciler, object, env(secrets), 'finalize');
    expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['deleted API key credential provider weather-api']]);
    expect((await aws.agentcore.send(new ListApiKeyCredentialProvidersCommand({}))).credentialProviders).toEqual([]);

    const kept = provider({ deletionPolicy: 'Retain' }, 'kept-api');
    await reconcile(kept, env(secrets));
    expect((await converge(apiKeyCredentialProviderReconciler, kept, env(secrets), 'finalize')).allActions).toEqual(['retained the API key credential provider (deletionPolicy: Retain)']);
    expect((await aws.agentcore.send(new ListApiKeyCredentialProvidersCommand({}))).credentialProviders!.map((p) => p.name)).toEqual(['kept-api']);
  });
});

describe('plan', () => {
  const OAUTH_REF: SecretRef = { secretKeyRef: { name: 'github-oauth', key: 'client-secret' } };
  const KEY_REF: SecretRef = { env: 'WEATHER_API_KEY' };
  const identity = () => objectOf<WorkloadIdentitySpec, WorkloadIdentityStatus>({ allowedOAuth2ReturnUrls: ['https://app.example.com/cb'], tags: { team: 'support' } }, 'support-agent');
  const oauth = () => objectOf<OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus>({ vendor: 'GithubOauth2', clientId: 'client-1', clientSecret: OAUTH_REF } as OAuth2CredentialProviderSpec, 'github.corp');
  const apiKey = () => objectOf<ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus>({ apiKey: KEY_REF }, 'weather-api');
  const secrets = () => new Secrets().set(OAUTH_REF, CLIENT_SECRET).set(KEY_REF, API_KEY);
  const noWrites = async <T>(work: () => Promise<T>): Promise<T> => {
    const writes = await writeCalls();
    const result = await work();
    expect(await writeCalls()).toBe(writes);
    return result;
  };

  test('before create each plan is one create and writes nothing; after a converge each plan is empty', async () => {
    const e = env(secrets());
    const [i, o, k] = [identity(), oauth(), apiKey()];
    expect(await noWrites(() => changesOf(workloadIdentityReconciler.plan!(i, e)))).toEqual([{ action: 'create', scope: 'resource', subject: 'identity support-agent' }]);
    expect(await noWrites(() => changesOf(oauth2CredentialProviderReconciler.plan!(o, e)))).toEqual([{ action: 'create', scope: 'resource', subject: 'provider github-corp' }]);
    expect(await noWrites(() => changesOf(apiKeyCredentialProviderReconciler.plan!(k, e)))).toEqual([{ action: 'create', scope: 'resource', subject: 'provider weather-api' }]);
    expect(await writeCalls()).toBe(0);

    await converge(workloadIdentityReconciler, i, e);
    await converge(oauth2CredentialProviderReconciler, o, e);
    await converge(apiKeyCredentialProviderReconciler, k, e);
    expect(await noWrites(() => changesOf(workloadIdentityReconciler.plan!(i, e)))).toEqual([]);
    expect(await noWrites(() => changesOf(oauth2CredentialProviderReconciler.plan!(o, e)))).toEqual([]);
    expect(await noWrites(() => changesOf(apiKeyCredentialProviderReconciler.plan!(k, e)))).toEqual([]);
    // What a provider's plan observed goes with it, so a target referencing it plans against its real ARN.
    expect(await oauth2CredentialProviderReconciler.plan!(o, e)).toMatchObject({ observed: { credentialProviderArn: o.status!.credentialProviderArn, providerName: 'github-corp' } });
    expect(await apiKeyCredentialProviderReconciler.plan!(k, e)).toMatchObject({ observed: { credentialProviderArn: k.status!.credentialProviderArn, apiKeySecretArn: k.status!.apiKeySecretArn } });
  });

  test('a changed return URL, client id or tag is an update from the value in AWS to the spec', async () => {
    const e = env(secrets());
    const i = identity();
    const o = oauth();
    await converge(workloadIdentityReconciler, i, e);
    await converge(oauth2CredentialProviderReconciler, o, e);
    i.spec.allowedOAuth2ReturnUrls = ['https://new.example.com/cb'];
    i.spec.tags = { team: 'platform' };
    i.metadata.generation = 2;
    o.spec.clientId = 'client-2';
    o.metadata.generation = 2;
    expect(await noWrites(() => changesOf(workloadIdentityReconciler.plan!(i, e)))).toEqual([
      { action: 'update', scope: 'part', subject: 'spec.allowedOAuth2ReturnUrls', from: ['https://app.example.com/cb'], to: ['https://new.example.com/cb'] },
      { action: 'update', scope: 'part', subject: 'tag team', from: 'support', to: 'platform' },
    ]);
    expect(await noWrites(() => changesOf(oauth2CredentialProviderReconciler.plan!(o, e)))).toEqual([{ action: 'update', scope: 'part', subject: 'spec.clientId', from: 'client-1', to: 'client-2' }]);
  });

  test('a changed secret is an update that never shows the value', async () => {
    const s = secrets();
    const o = oauth();
    const k = apiKey();
    await converge(oauth2CredentialProviderReconciler, o, env(s));
    await converge(apiKeyCredentialProviderReconciler, k, env(s));
    s.set(OAUTH_REF, ROTATED_SECRET).set(KEY_REF, ROTATED_KEY);
    const oauthPlan = await noWrites(() => changesOf(oauth2CredentialProviderReconciler.plan!(o, env(s))));
    const keyPlan = await noWrites(() => changesOf(apiKeyCredentialProviderReconciler.plan!(k, env(s))));
    expect(oauthPlan).toEqual([{ action: 'update', scope: 'part', subject: 'spec.clientSecret', to: '(changed)' }]);
    expect(keyPlan).toEqual([{ action: 'update', scope: 'part', subject: 'spec.apiKey', to: '(changed)' }]);
    const text = JSON.stringify([oauthPlan, keyPlan]);
    for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
  });

  test('a vendor change is a replace', async () => {
    const e = env(secrets());
    const o = oauth();
    await converge(oauth2CredentialProviderReconciler, o, e);
    o.spec.vendor = 'GoogleOauth2';
    o.metadata.generation = 2;
    expect(await noWrites(() => changesOf(oauth2CredentialProviderReconciler.plan!(o, e)))).toEqual([
      { action: 'replace', scope: 'resource', subject: 'provider github-corp', from: 'GithubOauth2', to: 'GoogleOauth2' },
      { action: 'replace', scope: 'part', subject: 'spec.vendor', from: 'GithubOauth2', to: 'GoogleOauth2' },
    ]);
  });
});

describe('a MANAGED secret with no digest in status (file mode: every apply starts without status)', () => {
  const OAUTH_REF: SecretRef = { env: 'GITHUB_CLIENT_SECRET' };
  const KEY_REF: SecretRef = { file: 'keys/weather.txt' };
  /** An object as the files source gives it: no uid, no generation, no status. */
  function fromFile<Spec, Status>(spec: Spec, name: string): ObjectOf<Spec, Status> {
    return { metadata: { name, namespace: 'agents' }, spec };
  }
  const oauth = () => fromFile<OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus>({ vendor: 'GithubOauth2', clientId: 'client-1', clientSecret: OAUTH_REF } as OAuth2CredentialProviderSpec, 'github.corp');
  const apiKey = () => fromFile<ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus>({ apiKey: KEY_REF }, 'weather-api');
  const UPDATES = /:Update(Oauth2|ApiKey)CredentialProvider$/;
  const updateCalls = async () => total(await counters(), UPDATES);
  const secretReads = async () => total(await counters(), /^secretsmanager:GetSecretValue$/);
  const managedSecretName = (kind: 'oauth2' | 'apikey', name: string) => `bedrock-agentcore-identity!default/${kind}/${name}`;

  /** Converges both providers from an empty account, as a first `apply -f` does. */
  async function firstApply(s: Secrets): Promise<void> {
    expect((await converge(oauth2CredentialProviderReconciler, oauth(), env(s))).allActions).toEqual(['created OAuth2 credential provider github-corp']);
    expect((await converge(apiKeyCredentialProviderReconciler, apiKey(), env(s))).allActions).toEqual(['created API key credential provider weather-api']);
  }

  test('an unchanged value is read back from the managed secret and not pushed; its digest goes to status', async () => {
    const s = new Secrets().set(OAUTH_REF, CLIENT_SECRET).set(KEY_REF, API_KEY);
    await firstApply(s);
    await emulator.admin('DELETE', 'counters');

    for (let apply = 1; apply <= 2; apply += 1) {
      const o = oauth();
      const k = apiKey();
      const oauthRun = await converge(oauth2CredentialProviderReconciler, o, env(s));
      const keyRun = await converge(apiKeyCredentialProviderReconciler, k, env(s));
      expect([oauthRun.next.kind, oauthRun.allActions, keyRun.next.kind, keyRun.allActions]).toEqual(['done', [], 'done', []]);
      expect(o.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'agents/github.corp', CLIENT_SECRET));
      expect(k.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'agents/weather-api', API_KEY));
      expect(condition(o, 'Ready')).toMatchObject({ status: 'True' });
      // With the digest now in status, the next reconcile of the same object reads nothing more.
      const reads = await secretReads();
      expect((await converge(apiKeyCredentialProviderReconciler, k, env(s))).allActions).toEqual([]);
      expect(await secretReads()).toBe(reads);
    }
    const calls = await counters();
    expect(total(calls, WRITES)).toBe(0);
    expect(calls['secretsmanager:GetSecretValue']).toEqual({ ok: 4 });
    expectNoSecretsReturned();
  });

  test('a changed value is pushed once, then read back as unchanged', async () => {
    const s = new Secrets().set(OAUTH_REF, CLIENT_SECRET).set(KEY_REF, API_KEY);
    await firstApply(s);
    s.set(OAUTH_REF, ROTATED_SECRET).set(KEY_REF, ROTATED_KEY);
    const updates = await updateCalls();

    const o = oauth();
    const k = apiKey();
    expect((await converge(oauth2CredentialProviderReconciler, o, env(s))).allActions).toEqual(['pushed the client secret']);
    expect((await converge(apiKeyCredentialProviderReconciler, k, env(s))).allActions).toEqual(['pushed the API key']);
    expect(await updateCalls()).toBe(updates + 2);
    expect(o.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'agents/github.corp', ROTATED_SECRET));
    expect(k.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'agents/weather-api', ROTATED_KEY));
    const held = (await aws.secretsManager.send(new GetSecretValueCommand({ SecretId: managedSecretName('apikey', 'weather-api') }))).SecretString;
    expect(JSON.parse(held!)).toEqual({ api_key: ROTATED_KEY });

    expect((await converge(oauth2CredentialProviderReconciler, oauth(), env(s))).allActions).toEqual([]);
    expect((await converge(apiKeyCredentialProviderReconciler, apiKey(), env(s))).allActions).toEqual([]);
    expect(await updateCalls()).toBe(updates + 2);
    expectNoSecretsReturned();
  });

  test('a refused read (AccessDenied) falls back to a push, and the reconcile still ends Ready', async () => {
    const s = new Secrets().set(OAUTH_REF, CLIENT_SECRET).set(KEY_REF, API_KEY);
    await firstApply(s);
    await emulator.admin('PUT', `behaviours/Secret/${managedSecretName('oauth2', 'github-corp')}`, { accessDenied: true });
    await emulator.admin('PUT', `behaviours/Secret/${managedSecretName('apikey', 'weather-api')}`, { accessDenied: true });
    await emulator.admin('DELETE', 'counters');

    const o = oauth();
    const k = apiKey();
    const oauthRun = await converge(oauth2CredentialProviderReconciler, o, env(s));
    const keyRun = await converge(apiKeyCredentialProviderReconciler, k, env(s));
    expect([oauthRun.next.kind, oauthRun.allActions]).toEqual(['done', ['pushed the client secret']]);
    expect([keyRun.next.kind, keyRun.allActions]).toEqual(['done', ['pushed the API key']]);
    expect(condition(o, 'Ready')).toMatchObject({ status: 'True' });
    expect(condition(k, 'Ready')).toMatchObject({ status: 'True' });
    expect(k.status!.appliedSecretDigest).toBe(secretDigest('test-digest-key', 'agents/weather-api', API_KEY));
    const calls = await counters();
    expect(calls['secretsmanager:GetSecretValue']).toEqual({ AccessDeniedException: 2 });
    expect(total(calls, UPDATES)).toBe(2);
    expectNoSecretsReturned();
  });

  test('a missing managed secret, or one that is not the JSON document expected, falls back to a push', async () => {
    const s = new Secrets().set(OAUTH_REF, CLIENT_SECRET).set(KEY_REF, API_KEY);
    await firstApply(s);
    // Out of band: the OAuth2 provider's secret is gone, the API key's holds a bare string.
    await emulator.admin('PATCH', 'state', {
      secretsmanager: { secrets: { [`${ACCOUNT}/${REGION}`]: { [managedSecretName('oauth2', 'github-corp')]: null, [managedSecretName('apikey', 'weather-api')]: { secretString: API_KEY } } } },
    });
    await emulator.admin('DELETE', 'counters');

    expect((await converge(oauth2CredentialProviderReconciler, oauth(), env(s))).allActions).toEqual(['pushed the client secret']);
    expect((await converge(apiKeyCredentialProviderReconciler, apiKey(), env(s))).allActions).toEqual(['pushed the API key']);
    expect(await counters()).toMatchObject({ 'secretsmanager:GetSecretValue': { ok: 1, ResourceNotFoundException: 1 } });
    expect(await updateCalls()).toBe(2);
    // The push put the managed secrets back: the next apply reads them as unchanged.
    expect((await converge(oauth2CredentialProviderReconciler, oauth(), env(s))).allActions).toEqual([]);
    expect((await converge(apiKeyCredentialProviderReconciler, apiKey(), env(s))).allActions).toEqual([]);
    expect(await updateCalls()).toBe(2);
    expectNoSecretsReturned();
  });

  test('an emulator (or endpoint) with no Secrets Manager at all falls back to a push', async () => {
    const s = new Secrets().set(KEY_REF, API_KEY);
    await converge(apiKeyCredentialProviderReconciler, apiKey(), env(s));
    const noSecretsManager = { ...env(s), aws: { ...aws, secretsManager: new SecretsManagerClient({ ...emulator.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }) } };
    try {
      const outcome = await converge(apiKeyCredentialProviderReconciler, apiKey(), noSecretsManager);
      expect([outcome.next.kind, outcome.allActions]).toEqual(['done', ['pushed the API key']]);
    } finally {
      noSecretsManager.aws.secretsManager.destroy();
    }
    expectNoSecretsReturned();
  });

  test('plan reads the same way: no change for an unchanged value, "(changed)" for a changed one, never a value, never a write', async () => {
    const s = new Secrets().set(OAUTH_REF, CLIENT_SECRET).set(KEY_REF, API_KEY);
    await firstApply(s);
    const writes = await writeCalls();
    expect(await changesOf(oauth2CredentialProviderReconciler.plan!(oauth(), env(s)))).toEqual([]);
    expect(await changesOf(apiKeyCredentialProviderReconciler.plan!(apiKey(), env(s)))).toEqual([]);

    s.set(OAUTH_REF, ROTATED_SECRET).set(KEY_REF, ROTATED_KEY);
    const oauthPlan = await oauth2CredentialProviderReconciler.plan!(oauth(), env(s));
    const keyPlan = await apiKeyCredentialProviderReconciler.plan!(apiKey(), env(s));
    expect(await changesOf(Promise.resolve(oauthPlan))).toEqual([{ action: 'update', scope: 'part', subject: 'spec.clientSecret', to: '(changed)' }]);
    expect(await changesOf(Promise.resolve(keyPlan))).toEqual([{ action: 'update', scope: 'part', subject: 'spec.apiKey', to: '(changed)' }]);

    // A client id change with the secret unchanged plans the client id alone.
    s.set(OAUTH_REF, CLIENT_SECRET);
    const moved = oauth();
    moved.spec.clientId = 'client-2';
    expect(await changesOf(oauth2CredentialProviderReconciler.plan!(moved, env(s)))).toEqual([{ action: 'update', scope: 'part', subject: 'spec.clientId', from: 'client-1', to: 'client-2' }]);
    expect((await converge(oauth2CredentialProviderReconciler, moved, env(s))).allActions).toEqual(['updated spec.clientId']);

    // A refused read cannot tell: the plan says the value would be pushed, as apply would.
    await emulator.admin('PUT', `behaviours/Secret/${managedSecretName('apikey', 'weather-api')}`, { accessDenied: true });
    s.set(KEY_REF, API_KEY);
    expect(await changesOf(apiKeyCredentialProviderReconciler.plan!(apiKey(), env(s)))).toEqual([{ action: 'update', scope: 'part', subject: 'spec.apiKey', to: '(changed)' }]);

    expect(await writeCalls()).toBe(writes + 1);
    const text = JSON.stringify([oauthPlan, keyPlan]);
    for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
  });
});

describe('secret handling', () => {
  test('a secret value in an error message is scrubbed from the condition and the error', () => {
    const run = new Run<CommonStatus>({ metadata: { name: 'sample', generation: 1 } }, { now: () => new Date(), pollMs: 10 });
    run.hide(API_KEY);
    run.actions.push(`would never say ${API_KEY}`);
    const outcome = run.fail(Object.assign(new Error(`Invalid key ${API_KEY} for this API`), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }));
    const text = JSON.stringify(outcome) + (outcome.next.kind === 'stalled' ? outcome.next.error.message : '');
    expect(text).not.toContain(API_KEY);
    expect(text).toContain('Invalid key [redacted] for this API');
    const retry = run.fail(Object.assign(new Error(`busy with ${API_KEY}`), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }));
    expect(retry.next.kind === 'retry' && retry.next.error.message).toBe('busy with [redacted]');
  });

  test('a Secrets Manager secret id matches its ARN by name, with or without the random suffix', () => {
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:team/github-oauth-AbC123`;
    expect(secretIdMatches('team/github-oauth', arn)).toBe(true);
    expect(secretIdMatches(arn, arn)).toBe(true);
    expect(secretIdMatches(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:team/github-oauth`, arn)).toBe(true);
    expect(secretIdMatches('team/github', arn)).toBe(false);
    expect(secretIdMatches('team/other', arn)).toBe(false);
  });
});
