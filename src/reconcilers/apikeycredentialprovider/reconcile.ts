/**
 * ApiKeyCredentialProvider: a provider in the default token vault under the object's name, holding one
 * thing, the key. The key is read at every reconcile and pushed once when its keyed digest differs
 * from the one kept in status (with none in status, when it differs from the key AgentCore holds), or
 * passed to AgentCore as an EXTERNAL Secrets Manager reference that the operator never reads.
 *
 * Credential-provider ARNs (arn:aws:acps:...) are refused by TagResource, UntagResource and
 * ListTagsForResource: tags, the ownership tags included, can only be given on Create, and no
 * ownership can be read back, so the provider under the object's name is taken to be the object's.
 */
import {
  CreateApiKeyCredentialProviderCommand, DeleteApiKeyCredentialProviderCommand, GetApiKeyCredentialProviderCommand, UpdateApiKeyCredentialProviderCommand,
  type CreateApiKeyCredentialProviderRequest, type CreateApiKeyCredentialProviderResponse, type GetApiKeyCredentialProviderResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus } from '../../api/v1alpha1/apikeycredentialprovider.js';
import { send } from '../../aws/call.js';
import { unlessNotFound } from '../../aws/errors.js';
import type { ObservedResource, ResourceKind } from '../resource/kind.js';
import { reconcilerOf } from '../resource/pipeline.js';
import { desiredSecret, secretMustBePushed, secretSourceDiffers, type DesiredSecret, type ObservedSecret, PROVIDER_STATEMENTS } from '../secret.js';

interface ObservedProvider extends ObservedResource {
  secret: ObservedSecret;
}

type KeyInput = Pick<CreateApiKeyCredentialProviderRequest, 'apiKey' | 'apiKeySecretSource' | 'apiKeySecretConfig'>;

function keyInput(secret: DesiredSecret): KeyInput {
  return secret.source === 'EXTERNAL'
    ? { apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: secret.secretId, jsonKey: secret.jsonKey } }
    : { apiKeySecretSource: 'MANAGED', apiKey: secret.value };
}

function statusOf(answer: CreateApiKeyCredentialProviderResponse, name: string): Partial<ApiKeyCredentialProviderStatus> {
  return { providerName: name, credentialProviderArn: answer.credentialProviderArn, apiKeySecretArn: answer.apiKeySecretArn?.secretArn };
}

const digestOf = (secret: DesiredSecret) => (secret.source === 'MANAGED' ? secret.digest : undefined);

export const apiKeyCredentialProviderKind: ResourceKind<ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus, DesiredSecret, ObservedProvider> = {
  kind: 'ApiKeyCredentialProvider',
  noun: 'API key credential provider',
  short: 'provider',
  references: () => [],
  lifecycle: { working: new Set(), failed: new Set() },
  tagging: 'create',
  replacement: 'refuse',
  permissions: { operations: ['GetApiKeyCredentialProvider', 'CreateApiKeyCredentialProvider', 'UpdateApiKeyCredentialProvider', 'DeleteApiKeyCredentialProvider'], statements: PROVIDER_STATEMENTS },

  async observe({ env, name }) {
    const got = await unlessNotFound(send<GetApiKeyCredentialProviderResponse>(env.aws.agentcore, new GetApiKeyCredentialProviderCommand({ name }), env.gate));
    if (!got) return undefined;
    return {
      id: name,
      arn: got.credentialProviderArn!,
      name,
      owned: true,
      secret: { source: got.apiKeySecretSource, secretArn: got.apiKeySecretArn?.secretArn, jsonKey: got.apiKeySecretJsonKey },
    };
  },
  desired: ({ spec, env, run }) => desiredSecret(spec.apiKey, 'apiKey', env, run.uid, run),
  diff: (desired, observed) => (secretSourceDiffers(desired, observed.secret) ? [{ path: 'spec.apiKey', to: '(changed)' }] : []),
  statusOf: (observed) => ({ providerName: observed.name, credentialProviderArn: observed.arn, apiKeySecretArn: observed.secret.secretArn }),

  async create({ env, name, spec }, desired, tags) {
    const created = await send<CreateApiKeyCredentialProviderResponse>(
      env.aws.agentcore,
      new CreateApiKeyCredentialProviderCommand({ name, ...keyInput(desired), tags: { ...spec.tags, ...tags } }),
      env.gate,
    );
    const status = { ...statusOf(created, name), appliedSecretDigest: digestOf(desired) };
    const secret = { source: desired.source, secretArn: created.apiKeySecretArn?.secretArn, ...(desired.source === 'EXTERNAL' ? { jsonKey: desired.jsonKey } : {}) };
    return { status, observed: { id: name, arn: created.credentialProviderArn!, name, owned: true, secret } };
  },
  async update({ env, name }, desired) {
    const updated = await send<CreateApiKeyCredentialProviderResponse>(env.aws.agentcore, new UpdateApiKeyCredentialProviderCommand({ name, ...keyInput(desired) }), env.gate);
    return { settled: true, status: { ...statusOf(updated, name), appliedSecretDigest: digestOf(desired) } };
  },
  async delete({ env, name }) {
    await send(env.aws.agentcore, new DeleteApiKeyCredentialProviderCommand({ name }), env.gate);
  },
  // A new key is pushed whatever the driftPolicy: a rotated Kubernetes Secret does not move the generation.
  async push({ env, object }, desired, observed) {
    const applied = object.status?.appliedSecretDigest;
    if (!(await secretMustBePushed(env, desired, observed.secret, applied))) return undefined;
    return { path: 'spec.apiKey', words: applied ? 'pushed the changed API key' : 'pushed the API key' };
  },
  syncedStatus: (desired) => ({ appliedSecretDigest: digestOf(desired) }),
  readyMessage: (observed) => `API key credential provider ${observed.name} is ready`,
};

export const apiKeyCredentialProviderReconciler = reconcilerOf(apiKeyCredentialProviderKind);
