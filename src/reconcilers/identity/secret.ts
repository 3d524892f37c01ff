/**
 * The secret of a credential provider (an OAuth2 client secret, an API key). A value the operator can
 * read (a Kubernetes Secret key, an environment variable, a file) is read at every reconcile, handed
 * to AgentCore, and remembered only as a keyed digest: AWS never gives a secret back, so the digest
 * of the value last pushed is how a changed value is noticed. A Secrets Manager secret is AgentCore's
 * to read (source EXTERNAL): the operator passes the reference and never sees the value.
 */
import { createHmac } from 'node:crypto';
import type { SecretRef } from '../../api/schema.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../contract.js';
import type { PlannedChange, ReconcileEnv } from '../kind.js';
import type { CommonStatus, Run } from './common.js';

export type DesiredSecret =
  | { source: 'MANAGED'; value: string; digest: string }
  | { source: 'EXTERNAL'; secretId: string; jsonKey: string };

/** What AWS reports about a provider's secret. */
export interface ObservedSecret {
  source?: string;
  secretArn?: string;
  jsonKey?: string;
}

/**
 * HMAC-SHA256 of the value under a key derived from the operator's digest key and the object's uid,
 * so equal values of two objects give unrelated digests and a digest cannot be checked against
 * guesses without the operator's key.
 */
export function secretDigest(key: string, uid: string, value: string): string {
  const objectKey = createHmac('sha256', key).update(uid).digest();
  return `hmac-sha256:${createHmac('sha256', objectKey).update(value).digest('hex')}`;
}

const SOURCES = ['secretKeyRef', 'env', 'file', 'awsSecretsManager'] as const;

/** The member of the reference that is set, for error messages (`spec.apiKey.env`). */
function sourceOf(ref: SecretRef): string {
  return SOURCES.find((s) => ref[s] !== undefined) ?? 'unknown';
}

/**
 * Resolves the spec's secret reference. `field` is the spec field (`clientSecret`, `apiKey`); a
 * reference that resolves to nothing stalls the object with a message naming `spec.<field>.<source>`.
 */
export async function desiredSecret<S extends CommonStatus>(ref: SecretRef, field: string, env: ReconcileEnv, uid: string, run: Run<S>): Promise<DesiredSecret> {
  if (ref.awsSecretsManager) return { source: 'EXTERNAL', secretId: ref.awsSecretsManager.secretId, jsonKey: ref.awsSecretsManager.jsonKey };
  const path = `spec.${field}.${sourceOf(ref)}`;
  let value: string;
  try {
    value = await env.secret(ref);
  } catch (error) {
    if (error instanceof TerminalError) throw new TerminalError(error.message.startsWith('spec.') ? error.message : `${path}: ${error.message}`, error.reason);
    throw error;
  }
  if (value.length === 0) throw new TerminalError(`${path}: the secret is empty`, Reason.ValidationFailed);
  run.hide(value);
  return { source: 'MANAGED', value, digest: secretDigest(env.settings.secretDigestKey, uid, value) };
}

/**
 * Whether a Secrets Manager secret id (a name, or a full or partial ARN) names the secret ARN AWS
 * reports. Secrets Manager appends a hyphen and six characters to a secret's name in its ARN.
 */
export function secretIdMatches(secretId: string, arn: string | undefined): boolean {
  if (!arn) return false;
  const suffixed = (whole: string, prefix: string) => whole === prefix || (whole.startsWith(prefix) && /^-[A-Za-z0-9]{6}$/.test(whole.slice(prefix.length)));
  if (secretId.startsWith('arn:')) return suffixed(arn, secretId);
  const name = arn.split(':secret:')[1];
  return name !== undefined && suffixed(name, secretId);
}

/**
 * Whether the secret AWS uses is the one the spec names: the source, and for an external secret the
 * secret and its JSON key. (A changed managed value is found by digest, not here.)
 */
export function secretSourceDiffers(desired: DesiredSecret, observed: ObservedSecret): boolean {
  if (desired.source === 'MANAGED') return observed.source === 'EXTERNAL';
  return observed.source !== 'EXTERNAL' || observed.jsonKey !== desired.jsonKey || !secretIdMatches(desired.secretId, observed.secretArn);
}

/** Whether a managed value must be pushed: its digest is not the one last pushed. */
export function secretValueChanged(desired: DesiredSecret, appliedDigest: string | undefined): boolean {
  return desired.source === 'MANAGED' && desired.digest !== appliedDigest;
}

/** A plan's line for a secret that would be pushed or repointed: it says that, never a value. */
export function plannedSecretChange(path: string): PlannedChange {
  return { action: 'update', subject: path, to: '(changed)' };
}
