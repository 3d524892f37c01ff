/**
 * The OAuth2CredentialProvider reconciler. The provider lives in the default token vault under the
 * object's name. Its client secret is read at every reconcile (or, from Secrets Manager, passed to
 * AgentCore as an EXTERNAL reference); a changed value is pushed once, found by comparing its keyed
 * digest with the one kept in status (with none in status, by comparing it with the value AgentCore
 * holds). Update replaces the whole configuration, so every Update carries the secret as well.
 */
import {
  CreateOauth2CredentialProviderCommand, DeleteOauth2CredentialProviderCommand, GetOauth2CredentialProviderCommand, UpdateOauth2CredentialProviderCommand,
  type CreateOauth2CredentialProviderResponse, type GetOauth2CredentialProviderResponse, type UpdateOauth2CredentialProviderResponse,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { kindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import type { OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus } from '../../api/v1alpha1/oauth2credentialprovider.js';
import { send } from '../../aws/call.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../contract.js';
import type { KindReconciler, ObjectOf, ObjectPlan, Outcome, PlannedChange, ReconcileEnv } from '../kind.js';
import { ownershipTags } from '../ownership.js';
import { FAILED, Run, TRANSITIONAL, uidOf, unlessNotFound, weigh } from './common.js';
import { oauth2ConfigChanges, oauth2ConfigInput, oauth2ConfigValues } from './oauth2-config.js';
import { desiredSecret, plannedSecretChange, secretMustBePushed, secretSourceDiffers, type ObservedSecret } from './secret.js';

export type OAuth2ProviderObject = ObjectOf<OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus>;
type OAuth2ProviderOutcome = Outcome<OAuth2CredentialProviderStatus>;
type ProviderAnswer = Partial<GetOauth2CredentialProviderResponse> & CreateOauth2CredentialProviderResponse;

const NAME_RULE = kindInfo('OAuth2CredentialProvider')!.awsName;

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

/** The provider AWS holds under the name, or undefined. */
function observeProvider(env: ReconcileEnv, name: string): Promise<GetOauth2CredentialProviderResponse | undefined> {
  return unlessNotFound(send<GetOauth2CredentialProviderResponse>(env.aws.agentcore, new GetOauth2CredentialProviderCommand({ name }), env.gate));
}

function observedSecret(observed: GetOauth2CredentialProviderResponse): ObservedSecret {
  return { source: observed.clientSecretSource, secretArn: observed.clientSecretArn?.secretArn, jsonKey: observed.clientSecretJsonKey };
}

/**
 * Credential providers cannot carry ownership tags that anyone could read back (see the Create
 * call), so the provider under the object's name is taken to be the object's: its name is the only
 * claim on it.
 */
export async function reconcileOAuth2CredentialProvider(object: OAuth2ProviderObject, env: ReconcileEnv): Promise<OAuth2ProviderOutcome> {
  const { spec, metadata } = object;
  const run = new Run<OAuth2CredentialProviderStatus>(object.status, metadata.generation, env.now(), env.pollMs);
  const { status, actions } = run;
  const name = awsNameOf(NAME_RULE, object);
  try {
    const secret = await desiredSecret(spec.clientSecret, 'clientSecret', env, uidOf(metadata), run);
    const oauth2ProviderConfigInput = oauth2ConfigInput(spec, secret);
    const appliedSecretDigest = secret.source === 'MANAGED' ? secret.digest : undefined;
    const observed = await observeProvider(env, name);
    status.lastSyncedAt = run.now.toISOString();

    if (!observed) {
      // Credential-provider ARNs (arn:aws:acps:...) are not AgentCore resource ARNs: TagResource,
      // UntagResource and ListTagsForResource refuse them. Tags, the ownership tags included, can
      // only be given here, on Create; later changes to spec.tags are not applied.
      const created = await send<CreateOauth2CredentialProviderResponse>(
        env.aws.agentcore,
        new CreateOauth2CredentialProviderCommand({ name, credentialProviderVendor: spec.vendor, oauth2ProviderConfigInput, tags: { ...spec.tags, ...ownershipTags(env.owner) } } as never),
        env.gate,
      );
      Object.assign(status, statusOf(created, name), { appliedSecretDigest });
      actions.push(`created OAuth2 credential provider ${name}`);
      if (created.status && TRANSITIONAL.has(created.status)) return run.requeue(Reason.Creating, `Creating OAuth2 credential provider ${name}`);
      return run.ready(`OAuth2 credential provider ${name} is ready`, false);
    }
    Object.assign(status, statusOf(observed, name));
    if (observed.status && TRANSITIONAL.has(observed.status)) return run.requeue(Reason.WaitingForAWS, `AWS reports the credential provider ${observed.status}`);
    if (observed.credentialProviderVendor !== spec.vendor) {
      throw new TerminalError(
        `The vendor of OAuth2 credential provider ${name} is ${observed.credentialProviderVendor ?? 'unknown'} and cannot change in place to ${spec.vendor}; delete the object and create it again to replace the provider`,
        Reason.ReplacementNotAllowed,
      );
    }

    const changes = oauth2ConfigChanges(spec, observed.oauth2ProviderConfigOutput);
    if (secretSourceDiffers(secret, observedSecret(observed))) changes.push('spec.clientSecret');
    // A new secret value is a change the spec asks for even when its generation did not move (a
    // rotated Kubernetes Secret), so it is pushed whatever the driftPolicy; the Update it takes
    // replaces the whole configuration, so it also corrects any drift.
    const pushSecret = await secretMustBePushed(env, secret, observedSecret(observed), status.appliedSecretDigest);
    const { decision, specUnchanged } = weigh(changes, spec.driftPolicy, status, metadata.generation);
    if (pushSecret || decision === 'apply') {
      const updated = await send<UpdateOauth2CredentialProviderResponse>(
        env.aws.agentcore,
        new UpdateOauth2CredentialProviderCommand({ name, credentialProviderVendor: spec.vendor, oauth2ProviderConfigInput } as never),
        env.gate,
      );
      const what = [
        ...(changes.length > 0 ? [`${specUnchanged ? 'corrected drift at' : 'updated'} ${changes.join(', ')}`] : []),
        ...(pushSecret ? [status.appliedSecretDigest ? 'pushed the changed client secret' : 'pushed the client secret'] : []),
      ];
      actions.push(what.join('; '));
      Object.assign(status, statusOf(updated, name), { appliedSecretDigest });
      if (changes.length > 0 && specUnchanged) run.driftCorrected(changes);
      if (updated.status && TRANSITIONAL.has(updated.status)) return run.requeue(Reason.Updating, `Updating OAuth2 credential provider ${name}`);
      return run.ready(`OAuth2 credential provider ${name} is ready`, false);
    }
    if (decision === 'report') run.reportDrift(changes);
    else if (observed.status && FAILED.has(observed.status)) throw new TerminalError(`AWS reports ${observed.status}: ${observed.failureReason ?? 'no reason given'}`, Reason.AWSFailed);
    status.appliedSecretDigest = appliedSecretDigest;
    return run.ready(`OAuth2 credential provider ${name} is ready`, decision === 'report');
  } catch (error) {
    return run.fail(error);
  }
}

/** Deletes the provider unless the object retains it; `done` once it is gone. */
export async function finalizeOAuth2CredentialProvider(object: OAuth2ProviderObject, env: ReconcileEnv): Promise<OAuth2ProviderOutcome> {
  const run = new Run<OAuth2CredentialProviderStatus>(object.status, object.metadata.generation, env.now(), env.pollMs);
  if (object.spec.deletionPolicy === 'Retain') {
    run.actions.push('retained the OAuth2 credential provider (deletionPolicy: Retain)');
    return run.done();
  }
  const name = awsNameOf(NAME_RULE, object);
  try {
    const observed = await observeProvider(env, name);
    if (!observed) return run.done();
    run.status.awsStatus = observed.status;
    if (observed.status !== 'DELETING') {
      await unlessNotFound(send(env.aws.agentcore, new DeleteOauth2CredentialProviderCommand({ name }), env.gate));
      run.actions.push(`deleted OAuth2 credential provider ${name}`);
    }
    return run.requeue(Reason.Deleting, `Deleting OAuth2 credential provider ${name}`);
  } catch (error) {
    return run.fail(error);
  }
}

/**
 * What reconcile would change, with no write. The client secret is read to compare its keyed digest
 * with the one in status (with none, with the value AgentCore holds, as reconcile does); a plan says
 * only that it would be pushed. A vendor cannot change in place (reconcile stalls on it), so a new
 * vendor is a replace. Tags are given on Create only, so none show. What it observed (the provider's
 * ARN) goes with the plan, for the objects that reference the provider.
 */
export async function planOAuth2CredentialProvider(object: OAuth2ProviderObject, env: ReconcileEnv): Promise<ObjectPlan<OAuth2CredentialProviderStatus>> {
  const { spec, metadata } = object;
  const name = awsNameOf(NAME_RULE, object);
  const secret = await desiredSecret(spec.clientSecret, 'clientSecret', env, uidOf(metadata), new Run<OAuth2CredentialProviderStatus>(object.status, metadata.generation, env.now(), env.pollMs));
  oauth2ConfigInput(spec, secret); // the spec checks reconcile makes before any call; the input itself is not kept
  const observed = await observeProvider(env, name);
  if (!observed) return { changes: [{ action: 'create', subject: `provider ${name}` }] };
  const result = (changes: PlannedChange[]): ObjectPlan<OAuth2CredentialProviderStatus> => ({ changes, observed: statusOf(observed, name) });
  if (observed.status && TRANSITIONAL.has(observed.status)) return result([{ action: 'wait', subject: `provider ${name}`, to: observed.status }]);
  if (observed.credentialProviderVendor !== spec.vendor) return result([{ action: 'replace', subject: `provider ${name}`, from: observed.credentialProviderVendor, to: spec.vendor }]);
  const output = observed.oauth2ProviderConfigOutput;
  const changes = oauth2ConfigChanges(spec, output);
  const sourceDiffers = secretSourceDiffers(secret, observedSecret(observed));
  const pushSecret = await secretMustBePushed(env, secret, observedSecret(observed), object.status?.appliedSecretDigest);
  const { decision } = weigh(sourceDiffers ? [...changes, 'spec.clientSecret'] : changes, spec.driftPolicy, object.status ?? {}, metadata.generation);
  // An Update replaces the whole configuration, so when one is made every difference goes with it.
  if (!pushSecret && decision !== 'apply') return result([]);
  const planned = changes.map((path): PlannedChange => ({ action: 'update', subject: path, ...oauth2ConfigValues(spec, output, path) }));
  if (sourceDiffers || pushSecret) planned.push(plannedSecretChange('spec.clientSecret'));
  return result(planned);
}

export const oauth2CredentialProviderReconciler: KindReconciler<OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus> = {
  kind: 'OAuth2CredentialProvider',
  references: () => [],
  reconcile: reconcileOAuth2CredentialProvider,
  finalize: finalizeOAuth2CredentialProvider,
  plan: planOAuth2CredentialProvider,
};
