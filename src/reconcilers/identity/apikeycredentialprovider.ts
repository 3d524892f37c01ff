/**
 * The ApiKeyCredentialProvider reconciler. The provider lives in the default token vault under the
 * object's name and holds one thing, the key: read at every reconcile and pushed once when its keyed
 * digest differs from the one kept in status (with none in status, when it differs from the key
 * AgentCore holds), or passed to AgentCore as an EXTERNAL Secrets Manager reference that the operator
 * never reads.
 */
import {
  CreateApiKeyCredentialProviderCommand, DeleteApiKeyCredentialProviderCommand, GetApiKeyCredentialProviderCommand, UpdateApiKeyCredentialProviderCommand,
  type CreateApiKeyCredentialProviderResponse, type GetApiKeyCredentialProviderResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus } from '../../api/v1alpha1/apikeycredentialprovider.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, ReconcileEnv } from '../kind.js';
import { ownershipTags } from '../ownership.js';
import { Run, uidOf, unlessNotFound, weigh } from './common.js';
import { desiredSecret, plannedSecretChange, secretMustBePushed, secretSourceDiffers, type DesiredSecret, type ObservedSecret } from './secret.js';

export type ApiKeyProviderObject = ObjectOf<ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus>;
type ApiKeyProviderOutcome = Outcome<ApiKeyCredentialProviderStatus>;

const NAME_RULE = kindInfo('ApiKeyCredentialProvider')!.awsName;

function keyInput(secret: DesiredSecret): Record<string, unknown> {
  return secret.source === 'EXTERNAL'
    ? { apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: secret.secretId, jsonKey: secret.jsonKey } }
    : { apiKeySecretSource: 'MANAGED', apiKey: secret.value };
}

function statusOf(answer: CreateApiKeyCredentialProviderResponse, name: string): Partial<ApiKeyCredentialProviderStatus> {
  return { providerName: name, credentialProviderArn: answer.credentialProviderArn, apiKeySecretArn: answer.apiKeySecretArn?.secretArn };
}

/** The provider AWS holds under the name, or undefined. */
function observeProvider(env: ReconcileEnv, name: string): Promise<GetApiKeyCredentialProviderResponse | undefined> {
  return unlessNotFound(send<GetApiKeyCredentialProviderResponse>(env.aws.agentcore, new GetApiKeyCredentialProviderCommand({ name }), env.gate));
}

function observedSecret(observed: GetApiKeyCredentialProviderResponse): ObservedSecret {
  return { source: observed.apiKeySecretSource, secretArn: observed.apiKeySecretArn?.secretArn, jsonKey: observed.apiKeySecretJsonKey };
}

/**
 * As with OAuth2 providers, no ownership tag can be read back from a credential provider, so the
 * provider under the object's name is taken to be the object's.
 */
export async function reconcileApiKeyCredentialProvider(object: ApiKeyProviderObject, env: ReconcileEnv): Promise<ApiKeyProviderOutcome> {
  const { spec, metadata } = object;
  const run = new Run<ApiKeyCredentialProviderStatus>(object.status, metadata.generation, env.now(), env.pollMs);
  const { status, actions } = run;
  const name = awsNameOf(NAME_RULE, object);
  try {
    const secret = await desiredSecret(spec.apiKey, 'apiKey', env, uidOf(metadata), run);
    const appliedSecretDigest = secret.source === 'MANAGED' ? secret.digest : undefined;
    const observed = await observeProvider(env, name);
    status.lastSyncedAt = run.now.toISOString();

    if (!observed) {
      // Credential-provider ARNs (arn:aws:acps:...) are refused by TagResource, UntagResource and
      // ListTagsForResource: tags, the ownership tags included, can only be given here, on Create;
      // later changes to spec.tags are not applied.
      const created = await send<CreateApiKeyCredentialProviderResponse>(
        env.aws.agentcore,
        new CreateApiKeyCredentialProviderCommand({ name, ...keyInput(secret), tags: { ...spec.tags, ...ownershipTags(env.owner) } } as never),
        env.gate,
      );
      Object.assign(status, statusOf(created, name), { appliedSecretDigest });
      actions.push(`created API key credential provider ${name}`);
      return run.ready(`API key credential provider ${name} is ready`, false);
    }
    Object.assign(status, statusOf(observed, name));

    const changes = secretSourceDiffers(secret, observedSecret(observed)) ? ['spec.apiKey'] : [];
    // A new key is pushed whatever the driftPolicy: a rotated Kubernetes Secret does not move the generation.
    const pushKey = await secretMustBePushed(env, secret, observedSecret(observed), status.appliedSecretDigest);
    const { decision, specUnchanged } = weigh(changes, spec.driftPolicy, status, metadata.generation);
    if (pushKey || decision === 'apply') {
      const updated = await send<CreateApiKeyCredentialProviderResponse>(env.aws.agentcore, new UpdateApiKeyCredentialProviderCommand({ name, ...keyInput(secret) } as never), env.gate);
      const what = [
        ...(changes.length > 0 ? [`${specUnchanged ? 'corrected drift at' : 'updated'} ${changes.join(', ')}`] : []),
        ...(pushKey ? [status.appliedSecretDigest ? 'pushed the changed API key' : 'pushed the API key'] : []),
      ];
      actions.push(what.join('; '));
      Object.assign(status, statusOf(updated, name), { appliedSecretDigest });
      if (changes.length > 0 && specUnchanged) run.driftCorrected(changes);
      return run.ready(`API key credential provider ${name} is ready`, false);
    }
    if (decision === 'report') run.reportDrift(changes);
    status.appliedSecretDigest = appliedSecretDigest;
    return run.ready(`API key credential provider ${name} is ready`, decision === 'report');
  } catch (error) {
    return run.fail(error);
  }
}

/** Deletes the provider unless the object retains it; `done` once it is gone. */
export async function finalizeApiKeyCredentialProvider(object: ApiKeyProviderObject, env: ReconcileEnv): Promise<ApiKeyProviderOutcome> {
  const run = new Run<ApiKeyCredentialProviderStatus>(object.status, object.metadata.generation, env.now(), env.pollMs);
  if (object.spec.deletionPolicy === 'Retain') {
    run.actions.push('retained the API key credential provider (deletionPolicy: Retain)');
    return run.done();
  }
  const name = awsNameOf(NAME_RULE, object);
  try {
    const observed = await observeProvider(env, name);
    if (!observed) return run.done();
    await unlessNotFound(send(env.aws.agentcore, new DeleteApiKeyCredentialProviderCommand({ name }), env.gate));
    run.actions.push(`deleted API key credential provider ${name}`);
    return run.requeue(Reason.Deleting, `Deleting API key credential provider ${name}`);
  } catch (error) {
    return run.fail(error);
  }
}

/**
 * What reconcile would change, with no write. The key is read to compare its keyed digest with the one
 * in status (with none, with the key AgentCore holds, as reconcile does); a plan says only that it
 * would be pushed. Tags are given on Create only, so none show. What it observed (the provider's ARN)
 * goes with the plan, for the objects that reference the provider.
 */
export async function planApiKeyCredentialProvider(object: ApiKeyProviderObject, env: ReconcileEnv): Promise<ObjectPlan<ApiKeyCredentialProviderStatus>> {
  const { spec, metadata } = object;
  const name = awsNameOf(NAME_RULE, object);
  const secret = await desiredSecret(spec.apiKey, 'apiKey', env, uidOf(metadata), new Run<ApiKeyCredentialProviderStatus>(object.status, metadata.generation, env.now(), env.pollMs));
  const observed = await observeProvider(env, name);
  if (!observed) return { changes: [{ action: 'create', subject: `provider ${name}` }] };
  const changes = secretSourceDiffers(secret, observedSecret(observed)) ? ['spec.apiKey'] : [];
  const { decision } = weigh(changes, spec.driftPolicy, object.status ?? {}, metadata.generation);
  const pushKey = await secretMustBePushed(env, secret, observedSecret(observed), object.status?.appliedSecretDigest);
  return { changes: pushKey || decision === 'apply' ? [plannedSecretChange('spec.apiKey')] : [], observed: statusOf(observed, name) };
}

export const apiKeyCredentialProviderReconciler: KindReconciler<ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus> = {
  kind: 'ApiKeyCredentialProvider',
  references: () => [],
  reconcile: reconcileApiKeyCredentialProvider,
  finalize: finalizeApiKeyCredentialProvider,
  plan: planApiKeyCredentialProvider,
};
