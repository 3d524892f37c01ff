/**
 * OAuth2CredentialProvider: a provider in the default token vault under the object's name. Its client
 * secret is read at every reconcile (or, from Secrets Manager, passed to AgentCore as an EXTERNAL
 * reference); a changed value is pushed once, found by comparing its keyed digest with the one kept in
 * status (with none in status, by comparing it with the value AgentCore holds). Update replaces the
 * whole configuration, so every Update carries the secret as well.
 *
 * As with API-key providers, tags can only be given on Create and no ownership can be read back: the
 * provider under the object's name is taken to be the object's.
 */
import {
  CreateOauth2CredentialProviderCommand, DeleteOauth2CredentialProviderCommand, GetOauth2CredentialProviderCommand, UpdateOauth2CredentialProviderCommand,
  type CreateOauth2CredentialProviderResponse, type GetOauth2CredentialProviderResponse, type Oauth2ProviderConfigInput, type UpdateOauth2CredentialProviderResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus } from '../../api/v1alpha1/oauth2credentialprovider.js';
import { send } from '../../aws/call.js';
import { unlessNotFound } from '../../aws/errors.js';
import type { FieldChange, ObservedResource, ResourceKind } from '../resource/kind.js';
import { reconcilerOf } from '../resource/pipeline.js';
import { TRANSITIONAL } from '../steps.js';
import { oauth2ConfigChanges, oauth2ConfigInput, oauth2ConfigValues } from './config.js';
import { desiredSecret, secretMustBePushed, secretSourceDiffers, type DesiredSecret, type ObservedSecret, PROVIDER_STATEMENTS } from '../secret.js';

const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED']);

interface ObservedProvider extends ObservedResource {
  vendor?: string;
  callbackUrl?: string;
  output: unknown;
  secret: ObservedSecret;
}

interface DesiredProvider {
  secret: DesiredSecret;
  config: Oauth2ProviderConfigInput;
}

type ProviderAnswer = Partial<GetOauth2CredentialProviderResponse> & CreateOauth2CredentialProviderResponse;

function observedOf(answer: ProviderAnswer, name: string, fallback: ObservedSecret = {}): ObservedProvider {
  return {
    id: name,
    arn: answer.credentialProviderArn!,
    name,
    ...(answer.status ? { state: answer.status } : {}),
    ...(answer.failureReason ? { failureReason: answer.failureReason } : {}),
    owned: true,
    vendor: answer.credentialProviderVendor,
    callbackUrl: answer.callbackUrl,
    output: answer.oauth2ProviderConfigOutput,
    secret: { source: answer.clientSecretSource ?? fallback.source, secretArn: answer.clientSecretArn?.secretArn, jsonKey: answer.clientSecretJsonKey ?? fallback.jsonKey },
  };
}

function statusOf(answer: ProviderAnswer, name: string): Partial<OAuth2CredentialProviderStatus> {
  return {
    providerName: name,
    credentialProviderArn: answer.credentialProviderArn,
    clientSecretArn: answer.clientSecretArn?.secretArn,
    callbackUrl: answer.callbackUrl,
    awsStatus: answer.status,
    failureReason: answer.failureReason,
  };
}

const digestOf = (secret: DesiredSecret) => (secret.source === 'MANAGED' ? secret.digest : undefined);

export const oauth2CredentialProviderKind: ResourceKind<OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus, DesiredProvider, ObservedProvider> = {
  kind: 'OAuth2CredentialProvider',
  noun: 'OAuth2 credential provider',
  short: 'provider',
  references: () => [],
  lifecycle: { working: TRANSITIONAL, failed: FAILED },
  tagging: 'create',
  replacement: 'refuse',
  permissions: { operations: ['GetOauth2CredentialProvider', 'CreateOauth2CredentialProvider', 'UpdateOauth2CredentialProvider', 'DeleteOauth2CredentialProvider'], statements: PROVIDER_STATEMENTS },
  refusal: ([change], { name }) =>
    `The vendor of OAuth2 credential provider ${name} is ${String(change!.from ?? 'unknown')} and cannot change in place to ${String(change!.to)}; delete the object and create it again to replace the provider`,

  async observe({ env, name }) {
    const got = await unlessNotFound(send<GetOauth2CredentialProviderResponse>(env.aws.agentcore, new GetOauth2CredentialProviderCommand({ name }), env.gate));
    return got && observedOf(got, name);
  },
  async desired({ spec, env, run }) {
    const secret = await desiredSecret(spec.clientSecret, 'clientSecret', env, run.uid, run);
    return { secret, config: oauth2ConfigInput(spec, secret) };
  },
  diff(desired, observed, { spec }) {
    const changes: FieldChange[] = [];
    if (observed.vendor !== spec.vendor) changes.push({ path: 'spec.vendor', from: observed.vendor, to: spec.vendor, replace: true });
    for (const path of oauth2ConfigChanges(spec, observed.output)) changes.push({ path, ...oauth2ConfigValues(spec, observed.output, path) });
    if (secretSourceDiffers(desired.secret, observed.secret)) changes.push({ path: 'spec.clientSecret', to: '(changed)' });
    return changes;
  },
  statusOf: (observed) => ({
    providerName: observed.name,
    credentialProviderArn: observed.arn,
    clientSecretArn: observed.secret.secretArn,
    callbackUrl: observed.callbackUrl,
    awsStatus: observed.state,
    failureReason: observed.failureReason,
  }),

  async create({ env, name, spec }, desired, tags) {
    const created = await send<CreateOauth2CredentialProviderResponse>(
      env.aws.agentcore,
      new CreateOauth2CredentialProviderCommand({ name, credentialProviderVendor: spec.vendor, oauth2ProviderConfigInput: desired.config, tags }),
      env.gate,
    );
    const status = { ...statusOf(created, name), appliedSecretDigest: digestOf(desired.secret) };
    const settled = !created.status || !TRANSITIONAL.has(created.status);
    const observed = { ...observedOf({ ...created, credentialProviderVendor: spec.vendor }, name, { source: desired.secret.source }), output: undefined };
    return settled ? { status, observed: { ...observed, vendor: spec.vendor } } : { status };
  },
  async update({ env, name, spec }, desired) {
    const updated = await send<UpdateOauth2CredentialProviderResponse>(
      env.aws.agentcore,
      new UpdateOauth2CredentialProviderCommand({ name, credentialProviderVendor: spec.vendor, oauth2ProviderConfigInput: desired.config }),
      env.gate,
    );
    return { settled: !updated.status || !TRANSITIONAL.has(updated.status), status: { ...statusOf(updated, name), appliedSecretDigest: digestOf(desired.secret) } };
  },
  async delete({ env, name }) {
    await send(env.aws.agentcore, new DeleteOauth2CredentialProviderCommand({ name }), env.gate);
  },
  // A new secret value is a change the spec asks for even when its generation did not move (a rotated
  // Kubernetes Secret), so it is pushed whatever the driftPolicy; the Update it takes replaces the
  // whole configuration, so it also corrects any drift.
  async push({ env, object }, desired, observed) {
    const applied = object.status?.appliedSecretDigest;
    if (!(await secretMustBePushed(env, desired.secret, observed.secret, applied))) return undefined;
    return { path: 'spec.clientSecret', words: applied ? 'pushed the changed client secret' : 'pushed the client secret' };
  },
  syncedStatus: (desired) => ({ appliedSecretDigest: digestOf(desired.secret) }),
  readyMessage: (observed) => `OAuth2 credential provider ${observed.name} is ready`,
};

export const oauth2CredentialProviderReconciler = reconcilerOf(oauth2CredentialProviderKind);
