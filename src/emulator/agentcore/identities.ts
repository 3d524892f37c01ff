/**
 * AgentCore Identity: workload identities, and the OAuth2 and API-key credential providers of the
 * default token vault. Every operation is `POST /identities/<Operation>` naming the resource in the
 * body; timestamps go on the wire as epoch seconds. A secret the caller hands over (client secret,
 * API key) with the source MANAGED goes, as AWS keeps it, into a Secrets Manager secret of the vault's
 * own in the customer's account, as the JSON document `{"<jsonKey>": value}` (the key is named in
 * Get's `...SecretJsonKey`): only Secrets Manager's GetSecretValue gives it back, no answer here
 * carries it, and deleting the provider deletes that secret.
 */
import { createHash, randomUUID } from 'node:crypto';
import { epochSeconds } from '../clock.js';
import { AwsError } from '../errors.js';
import { randomSuffix } from '../ids.js';
import { deleteServiceSecret, putServiceSecret } from '../secretsmanager/store.js';
import type { ServiceContext } from '../service.js';
import { arn, conflict, notFound, paginate, quotaExceeded, regionState } from './common.js';
import { IdentityShapes } from './identity-shapes.js';
import type { OperationFamily } from './index.js';
import { validationError, type RestCall, type RestOperation } from './rest-json.js';
import { deleteTags, setTags } from './tags.js';

type Json = Record<string, unknown>;

interface WorkloadIdentityRecord {
  name: string;
  arn: string;
  allowedResourceOauth2ReturnUrls?: string[];
  createdTime: number;
  lastUpdatedTime: number;
}

/** Where a provider's secret lives: in the vault's own Secrets Manager secret, or in one the caller manages. */
interface SecretRecord {
  source: 'MANAGED' | 'EXTERNAL';
  secretArn: string;
  /** The member of the secret's JSON document that holds the value. */
  jsonKey?: string;
  /** sha256 of the value the vault was given. */
  valueHash?: string;
}

interface ProviderRecord {
  name: string;
  arn: string;
  /** The vault's own secret, kept while the source is EXTERNAL so that switching back finds it again. */
  managedSecretArn: string;
  secret: SecretRecord;
  createdTime: number;
  lastUpdatedTime: number;
}

interface Oauth2ProviderRecord extends ProviderRecord {
  vendor: string;
  /** The configuration as Get reports it (Oauth2ProviderConfigOutput): no secret in it. */
  config: Json;
  callbackUrl: string;
}

type Store<T> = Record<string, T>;

const workloadIdentities = (ctx: ServiceContext, region: string) => regionState<Store<WorkloadIdentityRecord>>(ctx, region, 'workloadIdentities', () => ({}));
const oauth2Providers = (ctx: ServiceContext, region: string) => regionState<Store<Oauth2ProviderRecord>>(ctx, region, 'oauth2CredentialProviders', () => ({}));
const apiKeyProviders = (ctx: ServiceContext, region: string) => regionState<Store<ProviderRecord>>(ctx, region, 'apiKeyCredentialProviders', () => ({}));

// Names are chosen by the caller, so `constructor` or `__proto__` must stay plain keys.
const has = <T>(store: Store<T>, name: string) => Object.hasOwn(store, name);
const put = <T>(store: Store<T>, name: string, record: T) => Object.defineProperty(store, name, { value: record, enumerable: true, writable: true, configurable: true });

function findIn<T>(store: Store<T>, name: unknown, what: string): T {
  if (!has(store, name as string)) throw notFound(`${what} ${String(name)}`);
  return store[name as string]!;
}

/** Deletes the named record and its tags, and a credential provider's own secret. */
function removeNamed<T extends { name: string; arn: string; managedSecretArn?: string }>(call: RestCall, store: Store<T>, what: string): void {
  const record = findIn(store, call.input.name, what);
  delete store[record.name];
  deleteTags(call.ctx, call.region, record.arn);
  if (record.managedSecretArn) deleteServiceSecret(call.ctx, call.region, record.managedSecretArn);
}

function sorted<T extends { createdTime: number; name: string }>(store: Store<T>): T[] {
  return Object.values(store).sort((a, b) => a.createdTime - b.createdTime || a.name.localeCompare(b.name));
}

/** The one member set in a union. */
function onlyMember(union: unknown): [string, Json] {
  const [entry] = Object.entries(union as Json);
  return [entry![0], entry![1] as Json];
}

const hashSecret = (value: string) => createHash('sha256').update(value).digest('hex');

const providerArn = (ctx: ServiceContext, region: string, kind: 'oauth2credentialprovider' | 'apikeycredentialprovider', name: string) =>
  `arn:aws:acps:${region}:${ctx.config.accountId}:token-vault/default/${kind}/${name}`;

const managedSecretArn = (ctx: ServiceContext, region: string, kind: 'oauth2' | 'apikey', name: string) =>
  `arn:aws:secretsmanager:${region}:${ctx.config.accountId}:secret:bedrock-agentcore-identity!default/${kind}/${name}-${randomSuffix(6)}`;

/** The JSON key of the document a MANAGED secret is kept in. */
const MANAGED_JSON_KEY = { oauth2: 'client_secret', apikey: 'api_key' } as const;
const OWNING_SERVICE = 'bedrock-agentcore-identity';

/**
 * Keeps the vault's own secret in step with a provider whose source is MANAGED: the value given, in
 * its JSON document; none when no value was given. An EXTERNAL source leaves it as it was.
 */
function keepManagedSecret(ctx: ServiceContext, region: string, managedArn: string, secret: SecretRecord, value: unknown): void {
  if (secret.source !== 'MANAGED') return;
  if (typeof value === 'string') putServiceSecret(ctx, region, managedArn, JSON.stringify({ [secret.jsonKey!]: value }), OWNING_SERVICE);
  else deleteServiceSecret(ctx, region, managedArn);
}

function externalSecretArn(ctx: ServiceContext, region: string, secretId: string): string {
  return secretId.startsWith('arn:') ? secretId : `arn:aws:secretsmanager:${region}:${ctx.config.accountId}:secret:${secretId}`;
}

/** Resolves a provider's secret members; `fields` names them for the error a bad combination gets. */
function secretOf(
  ctx: ServiceContext,
  region: string,
  managedArn: string,
  given: { value: unknown; reference: unknown; source: unknown },
  fields: { value: string; reference: string; managedJsonKey: string },
): SecretRecord {
  const source = given.source ?? (given.reference ? 'EXTERNAL' : 'MANAGED');
  if (source === 'EXTERNAL') {
    if (!given.reference) throw validationError([{ name: fields.reference, message: 'Member must not be null when the secret source is EXTERNAL' }]);
    if (given.value !== undefined) throw validationError([{ name: fields.value, message: 'Member must be null when the secret source is EXTERNAL' }]);
    const reference = given.reference as { secretId: string; jsonKey: string };
    return { source: 'EXTERNAL', secretArn: externalSecretArn(ctx, region, reference.secretId), jsonKey: reference.jsonKey };
  }
  if (given.reference) throw validationError([{ name: fields.reference, message: 'Member must be null when the secret source is MANAGED' }]);
  return { source: 'MANAGED', secretArn: managedArn, jsonKey: fields.managedJsonKey, ...(typeof given.value === 'string' ? { valueHash: hashSecret(given.value) } : {}) };
}

// ---- Workload identities ----

function describeWorkloadIdentity(w: WorkloadIdentityRecord) {
  return {
    name: w.name,
    workloadIdentityArn: w.arn,
    allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls,
    createdTime: epochSeconds(w.createdTime),
    lastUpdatedTime: epochSeconds(w.lastUpdatedTime),
  };
}

function createWorkloadIdentity(call: RestCall) {
  const { ctx, region, input } = call;
  const all = workloadIdentities(ctx, region);
  const name = input.name as string;
  // The model gives CreateWorkloadIdentity neither ConflictException nor ServiceQuotaExceededException.
  if (has(all, name)) {
    const message = `A workload identity named ${name} already exists`;
    throw new AwsError('ValidationException', 400, message, { reason: 'ResourceConflict', fieldList: [{ name: 'name', message }] });
  }
  if (Object.keys(all).length >= ctx.quotas.limit('workloadIdentitiesPerAccount')) throw quotaExceeded('The number of workload identities in this account has reached its limit');
  const now = ctx.clock.now();
  const record: WorkloadIdentityRecord = {
    name,
    arn: arn(ctx, region, `workload-identity-directory/default/workload-identity/${name}`),
    allowedResourceOauth2ReturnUrls: input.allowedResourceOauth2ReturnUrls as string[] | undefined,
    createdTime: now,
    lastUpdatedTime: now,
  };
  if (input.tags) setTags(ctx, region, record.arn, input.tags as Record<string, string>);
  put(all, name, record);
  return { name, workloadIdentityArn: record.arn, allowedResourceOauth2ReturnUrls: record.allowedResourceOauth2ReturnUrls };
}

function getWorkloadIdentity(call: RestCall) {
  return describeWorkloadIdentity(findIn(workloadIdentities(call.ctx, call.region), call.input.name, 'Workload identity'));
}

/** The return URLs given replace the old list; none given leaves none. */
function updateWorkloadIdentity(call: RestCall) {
  const record = findIn(workloadIdentities(call.ctx, call.region), call.input.name, 'Workload identity');
  record.allowedResourceOauth2ReturnUrls = call.input.allowedResourceOauth2ReturnUrls as string[] | undefined;
  record.lastUpdatedTime = call.ctx.clock.now();
  return describeWorkloadIdentity(record);
}

function deleteWorkloadIdentity(call: RestCall) {
  removeNamed(call, workloadIdentities(call.ctx, call.region), 'Workload identity');
}

function listWorkloadIdentities(call: RestCall) {
  const { page, nextToken } = paginate(sorted(workloadIdentities(call.ctx, call.region)), call.input.maxResults, call.input.nextToken, 20);
  return { workloadIdentities: page.map((w) => ({ name: w.name, workloadIdentityArn: w.arn })), nextToken };
}

// ---- OAuth2 credential providers ----

/** The vendor each dedicated configuration member serves; includedOauth2ProviderConfig serves every other vendor. */
const VENDOR_OF_MEMBER: Record<string, string> = {
  customOauth2ProviderConfig: 'CustomOauth2',
  googleOauth2ProviderConfig: 'GoogleOauth2',
  githubOauth2ProviderConfig: 'GithubOauth2',
  slackOauth2ProviderConfig: 'SlackOauth2',
  salesforceOauth2ProviderConfig: 'SalesforceOauth2',
  microsoftOauth2ProviderConfig: 'MicrosoftOauth2',
  atlassianOauth2ProviderConfig: 'AtlassianOauth2',
  linkedinOauth2ProviderConfig: 'LinkedinOauth2',
};

const oidc = (issuer: string) => ({ discoveryUrl: `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration` });
const metadata = (issuer: string, authorizationEndpoint: string, tokenEndpoint: string) => ({ authorizationServerMetadata: { issuer, authorizationEndpoint, tokenEndpoint, responseTypes: ['code'] } });

/** How the vault discovers each built-in vendor's authorization server. */
const BUILT_IN_DISCOVERY: Record<string, (config: Json) => Json> = {
  googleOauth2ProviderConfig: () => oidc('https://accounts.google.com'),
  githubOauth2ProviderConfig: () => metadata('https://github.com', 'https://github.com/login/oauth/authorize', 'https://github.com/login/oauth/access_token'),
  slackOauth2ProviderConfig: () => oidc('https://slack.com'),
  salesforceOauth2ProviderConfig: () => oidc('https://login.salesforce.com'),
  microsoftOauth2ProviderConfig: (c) => oidc(`https://login.microsoftonline.com/${(c.tenantId as string | undefined) ?? 'common'}/v2.0`),
  atlassianOauth2ProviderConfig: () => metadata('https://auth.atlassian.com', 'https://auth.atlassian.com/authorize', 'https://auth.atlassian.com/oauth/token'),
  linkedinOauth2ProviderConfig: () => oidc('https://www.linkedin.com/oauth'),
  includedOauth2ProviderConfig: (c) => {
    const { issuer, authorizationEndpoint, tokenEndpoint } = c as { issuer?: string; authorizationEndpoint?: string; tokenEndpoint?: string };
    if (!issuer) throw validationError([{ name: 'oauth2ProviderConfigInput.includedOauth2ProviderConfig.issuer', message: 'Member must not be null' }]);
    return authorizationEndpoint && tokenEndpoint ? metadata(issuer, authorizationEndpoint, tokenEndpoint) : oidc(issuer);
  },
};

/** The configuration as Get reports it: what the caller gave, minus every secret member. */
function configOutput(member: string, config: Json): Json {
  const { clientSecret: _secret, clientSecretConfig: _reference, clientSecretSource: _source, clientId, ...rest } = config;
  if (member === 'customOauth2ProviderConfig') return { ...rest, ...(clientId ? { clientId } : {}) };
  return { oauthDiscovery: BUILT_IN_DISCOVERY[member]!(config), clientId };
}

/** The configuration a request gives, and the client secret value in it (kept apart: it is not part of the record). */
function oauth2Configuration(ctx: ServiceContext, region: string, managedArn: string, input: Json): { fields: Pick<Oauth2ProviderRecord, 'vendor' | 'config' | 'secret'>; value: unknown } {
  const vendor = input.credentialProviderVendor as string;
  const [member, config] = onlyMember(input.oauth2ProviderConfigInput);
  const servedVendor = VENDOR_OF_MEMBER[member];
  if (servedVendor ? servedVendor !== vendor : Object.values(VENDOR_OF_MEMBER).includes(vendor)) {
    throw validationError([{ name: `oauth2ProviderConfigInput.${member}`, message: `Member does not configure a ${vendor} provider` }]);
  }
  const field = `oauth2ProviderConfigInput.${member}`;
  const secret = secretOf(
    ctx, region, managedArn,
    { value: config.clientSecret, reference: config.clientSecretConfig, source: config.clientSecretSource },
    { value: `${field}.clientSecret`, reference: `${field}.clientSecretConfig`, managedJsonKey: MANAGED_JSON_KEY.oauth2 },
  );
  return { fields: { vendor, config: { [member]: configOutput(member, config) }, secret }, value: config.clientSecret };
}

function describeOauth2(p: Oauth2ProviderRecord) {
  return {
    clientSecretArn: { secretArn: p.secret.secretArn },
    clientSecretJsonKey: p.secret.jsonKey,
    clientSecretSource: p.secret.source,
    name: p.name,
    credentialProviderArn: p.arn,
    credentialProviderVendor: p.vendor,
    callbackUrl: p.callbackUrl,
    oauth2ProviderConfigOutput: p.config,
    createdTime: epochSeconds(p.createdTime),
    lastUpdatedTime: epochSeconds(p.lastUpdatedTime),
    status: 'READY',
  };
}

function createOauth2Provider(call: RestCall) {
  const { ctx, region, input } = call;
  const all = oauth2Providers(ctx, region);
  const name = input.name as string;
  if (has(all, name)) throw conflict(`An OAuth2 credential provider named ${name} already exists`);
  if (Object.keys(all).length >= ctx.quotas.limit('oauth2ProvidersPerAccount')) throw quotaExceeded('The number of OAuth2 credential providers in this account has reached its limit');
  const now = ctx.clock.now();
  const managed = managedSecretArn(ctx, region, 'oauth2', name);
  const { fields, value } = oauth2Configuration(ctx, region, managed, input);
  const record: Oauth2ProviderRecord = {
    name,
    arn: providerArn(ctx, region, 'oauth2credentialprovider', name),
    managedSecretArn: managed,
    callbackUrl: `https://bedrock-agentcore.${region}.amazonaws.com/identities/oauth2/callback/${randomUUID()}`,
    createdTime: now,
    lastUpdatedTime: now,
    ...fields,
  };
  if (input.tags) setTags(ctx, region, record.arn, input.tags as Record<string, string>);
  put(all, name, record);
  keepManagedSecret(ctx, region, managed, record.secret, value);
  const { credentialProviderVendor: _vendor, createdTime: _created, lastUpdatedTime: _updated, ...created } = describeOauth2(record);
  return created;
}

function getOauth2Provider(call: RestCall) {
  return describeOauth2(findIn(oauth2Providers(call.ctx, call.region), call.input.name, 'OAuth2 credential provider'));
}

/** The vendor and configuration given replace the old ones, secret included. */
function updateOauth2Provider(call: RestCall) {
  const { ctx, region, input } = call;
  const record = findIn(oauth2Providers(ctx, region), input.name, 'OAuth2 credential provider');
  const { fields, value } = oauth2Configuration(ctx, region, record.managedSecretArn, input);
  Object.assign(record, fields, { lastUpdatedTime: ctx.clock.now() });
  keepManagedSecret(ctx, region, record.managedSecretArn, record.secret, value);
  return describeOauth2(record);
}

function deleteOauth2Provider(call: RestCall) {
  removeNamed(call, oauth2Providers(call.ctx, call.region), 'OAuth2 credential provider');
}

function listOauth2Providers(call: RestCall) {
  const { page, nextToken } = paginate(sorted(oauth2Providers(call.ctx, call.region)), call.input.maxResults, call.input.nextToken, 20);
  const credentialProviders = page.map((p) => ({ name: p.name, credentialProviderVendor: p.vendor, credentialProviderArn: p.arn, createdTime: epochSeconds(p.createdTime), lastUpdatedTime: epochSeconds(p.lastUpdatedTime) }));
  return { credentialProviders, nextToken };
}

// ---- API-key credential providers ----

function apiKeySecret(ctx: ServiceContext, region: string, managedArn: string, input: Json): SecretRecord {
  const secret = secretOf(
    ctx, region, managedArn,
    { value: input.apiKey, reference: input.apiKeySecretConfig, source: input.apiKeySecretSource },
    { value: 'apiKey', reference: 'apiKeySecretConfig', managedJsonKey: MANAGED_JSON_KEY.apikey },
  );
  if (secret.source === 'MANAGED' && secret.valueHash === undefined) throw validationError([{ name: 'apiKey', message: 'Member must not be null when the secret source is MANAGED' }]);
  return secret;
}

function describeApiKeyProvider(p: ProviderRecord) {
  return {
    apiKeySecretArn: { secretArn: p.secret.secretArn },
    apiKeySecretJsonKey: p.secret.jsonKey,
    apiKeySecretSource: p.secret.source,
    name: p.name,
    credentialProviderArn: p.arn,
    createdTime: epochSeconds(p.createdTime),
    lastUpdatedTime: epochSeconds(p.lastUpdatedTime),
  };
}

function createApiKeyProvider(call: RestCall) {
  const { ctx, region, input } = call;
  const all = apiKeyProviders(ctx, region);
  const name = input.name as string;
  if (has(all, name)) throw conflict(`An API key credential provider named ${name} already exists`);
  if (Object.keys(all).length >= ctx.quotas.limit('apiKeyProvidersPerAccount')) throw quotaExceeded('The number of API key credential providers in this account has reached its limit');
  const now = ctx.clock.now();
  const managed = managedSecretArn(ctx, region, 'apikey', name);
  const record: ProviderRecord = {
    name,
    arn: providerArn(ctx, region, 'apikeycredentialprovider', name),
    managedSecretArn: managed,
    secret: apiKeySecret(ctx, region, managed, input),
    createdTime: now,
    lastUpdatedTime: now,
  };
  if (input.tags) setTags(ctx, region, record.arn, input.tags as Record<string, string>);
  put(all, name, record);
  keepManagedSecret(ctx, region, managed, record.secret, input.apiKey);
  const { createdTime: _created, lastUpdatedTime: _updated, ...created } = describeApiKeyProvider(record);
  return created;
}

function getApiKeyProvider(call: RestCall) {
  return describeApiKeyProvider(findIn(apiKeyProviders(call.ctx, call.region), call.input.name, 'API key credential provider'));
}

/** The key (or external secret reference) given replaces the old one. */
function updateApiKeyProvider(call: RestCall) {
  const { ctx, region, input } = call;
  const record = findIn(apiKeyProviders(ctx, region), input.name, 'API key credential provider');
  record.secret = apiKeySecret(ctx, region, record.managedSecretArn, input);
  record.lastUpdatedTime = ctx.clock.now();
  keepManagedSecret(ctx, region, record.managedSecretArn, record.secret, input.apiKey);
  return describeApiKeyProvider(record);
}

function deleteApiKeyProvider(call: RestCall) {
  removeNamed(call, apiKeyProviders(call.ctx, call.region), 'API key credential provider');
}

function listApiKeyProviders(call: RestCall) {
  const { page, nextToken } = paginate(sorted(apiKeyProviders(call.ctx, call.region)), call.input.maxResults, call.input.nextToken, 100);
  const credentialProviders = page.map((p) => ({ name: p.name, credentialProviderArn: p.arn, createdTime: epochSeconds(p.createdTime), lastUpdatedTime: epochSeconds(p.lastUpdatedTime) }));
  return { credentialProviders, nextToken };
}

/** Whether an ARN names a workload identity or credential provider here (for the tagging operations). */
export function ownsIdentityArn(ctx: ServiceContext, region: string, resourceArn: string): boolean {
  const records: { arn: string }[] = [...Object.values(workloadIdentities(ctx, region)), ...Object.values(oauth2Providers(ctx, region)), ...Object.values(apiKeyProviders(ctx, region))];
  return records.some((r) => r.arn === resourceArn);
}

const rpc = (name: keyof typeof IdentityShapes, code: number, handler: (call: RestCall) => unknown): RestOperation => ({
  name,
  method: 'POST',
  uri: `/identities/${name}`,
  code,
  input: IdentityShapes[name],
  apiClass: 'identity',
  handler,
});

export const identityOperations: RestOperation[] = [
  rpc('CreateWorkloadIdentity', 201, createWorkloadIdentity),
  rpc('GetWorkloadIdentity', 200, getWorkloadIdentity),
  rpc('UpdateWorkloadIdentity', 200, updateWorkloadIdentity),
  rpc('DeleteWorkloadIdentity', 204, deleteWorkloadIdentity),
  rpc('ListWorkloadIdentities', 200, listWorkloadIdentities),
  rpc('CreateOauth2CredentialProvider', 201, createOauth2Provider),
  rpc('GetOauth2CredentialProvider', 200, getOauth2Provider),
  rpc('UpdateOauth2CredentialProvider', 200, updateOauth2Provider),
  rpc('DeleteOauth2CredentialProvider', 204, deleteOauth2Provider),
  rpc('ListOauth2CredentialProviders', 200, listOauth2Providers),
  rpc('CreateApiKeyCredentialProvider', 201, createApiKeyProvider),
  rpc('GetApiKeyCredentialProvider', 200, getApiKeyProvider),
  rpc('UpdateApiKeyCredentialProvider', 200, updateApiKeyProvider),
  rpc('DeleteApiKeyCredentialProvider', 204, deleteApiKeyProvider),
  rpc('ListApiKeyCredentialProviders', 200, listApiKeyProviders),
];

export const identityFamily: OperationFamily = { operations: identityOperations, ownsArn: ownsIdentityArn };
