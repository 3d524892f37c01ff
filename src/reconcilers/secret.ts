/**
 * The secret of a credential provider (an OAuth2 client secret, an API key). A value the operator can
 * read (a Kubernetes Secret key, an environment variable, a file) is read at every reconcile, handed
 * to AgentCore (source MANAGED), and remembered only as a keyed digest: the digest of the value last
 * pushed is how a changed value is noticed. Where no digest is remembered (file mode keeps no status
 * between runs; a provider made before the object), the value AgentCore holds is read once from the
 * Secrets Manager secret it keeps it in and compared, so an unchanged value is not pushed again.
 * A Secrets Manager secret the spec names is AgentCore's to read (source EXTERNAL): the operator
 * passes the reference and never sees the value.
 */
import { GetSecretValueCommand, type GetSecretValueResponse } from '@aws-sdk/client-secrets-manager';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { send } from '../aws/call.js';
import type { SecretRef } from '../api/schema.js';
import { Reason } from './conditions.js';
import { TerminalError } from './errors.js';
import type { NamedStatement } from './iam/operator-policy.js';
import type { PlannedChange, ReconcileEnv } from './kind.js';
import type { CommonStatus, Run } from './resource/run.js';

/**
 * What a credential provider's calls reach as the operator: the account's default token vault (the
 * first provider creates it) and the Secrets Manager secret AgentCore keeps a MANAGED value in.
 */
export const PROVIDER_STATEMENTS: readonly NamedStatement[] = [
  {
    Sid: 'AgentCoreTokenVault',
    Effect: 'Allow',
    Action: ['bedrock-agentcore:CreateTokenVault', 'bedrock-agentcore:GetTokenVault'],
    Resource: 'arn:aws:bedrock-agentcore:*:*:token-vault/*',
  },
  {
    Sid: 'AgentCoreIdentitySecrets',
    Effect: 'Allow',
    Action: ['secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'],
    Resource: 'arn:aws:secretsmanager:*:*:secret:bedrock-agentcore-identity!*',
  },
];

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

/** Two secret values compared in constant time (their SHA-256 digests, so that lengths do not show either). */
export function sameSecretValue(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The value in a secret's JSON document under `jsonKey`; without a key, the one member of a
 * one-member document. Undefined when there is no such string. A parse error is dropped, never
 * passed on: its message quotes the document.
 */
function memberOf(document: string, jsonKey: string | undefined): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const members = parsed as Record<string, unknown>;
  const key = jsonKey ?? (Object.keys(members).length === 1 ? Object.keys(members)[0] : undefined);
  const value = key !== undefined && Object.hasOwn(members, key) ? members[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether the managed secret AgentCore keeps for a provider holds `value`: read once with
 * GetSecretValue and compared in constant time. False when it cannot be told — the read refused
 * (AccessDenied), the secret missing or not a JSON document with that key, any other failure — so
 * the caller pushes, as it would without the read; a failed read never fails the reconcile. Neither
 * value leaves this function.
 */
async function managedSecretHolds(env: ReconcileEnv, secretArn: string, jsonKey: string | undefined, value: string): Promise<boolean> {
  let held: string | undefined;
  try {
    const answer = await send<GetSecretValueResponse>(env.aws.secretsManager, new GetSecretValueCommand({ SecretId: secretArn }), env.gate);
    held = answer.SecretString === undefined ? undefined : memberOf(answer.SecretString, jsonKey);
  } catch {
    return false;
  }
  return held !== undefined && sameSecretValue(held, value);
}

/**
 * Whether a managed value must be pushed. With a digest in status, when the value's digest is not
 * that one. Without (file mode; a provider made before the object), when the value AgentCore holds
 * in its managed secret is not the desired one, or cannot be read.
 */
export async function secretMustBePushed(env: ReconcileEnv, desired: DesiredSecret, observed: ObservedSecret, appliedDigest: string | undefined): Promise<boolean> {
  if (desired.source !== 'MANAGED') return false;
  if (appliedDigest === desired.digest) return false;
  // A new value, or a digest made under another key (another process, another installation): ask AgentCore.
  if (observed.source === 'EXTERNAL' || !observed.secretArn) return true;
  return !(await managedSecretHolds(env, observed.secretArn, observed.jsonKey, desired.value));
}

/** A plan's line for a secret that would be pushed or repointed: it says that, never a value. */
export function plannedSecretChange(path: string): PlannedChange {
  return { action: 'update', scope: 'part', subject: path, to: '(changed)' };
}
