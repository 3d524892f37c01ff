/**
 * The secrets Secrets Manager holds, per account and region, keyed by name. Other emulated services
 * write here too: AgentCore Identity keeps a MANAGED credential provider's secret in a secret of its
 * own in the customer's account, as AWS does, so that GetSecretValue can read it back.
 */
import { randomUUID } from 'node:crypto';
import { randomSuffix } from '../ids.js';
import type { ServiceContext } from '../service.js';

export interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  /** Absent while the secret has no version (created without a value). */
  secretString?: string;
  /** The AWSCURRENT version. */
  versionId?: string;
  /** Epoch milliseconds. */
  createdDate: number;
  lastChangedDate: number;
  /** The service that manages the secret (`bedrock-agentcore-identity`), when one does. */
  owningService?: string;
  tags?: { Key: string; Value: string }[];
}

interface SecretsManagerState {
  /** Keyed by `<account>/<region>`, then by secret name. */
  secrets: Record<string, Record<string, StoredSecret>>;
}

/** The ARN of a secret: its name, a hyphen and six random characters. */
export function secretArnFor(ctx: ServiceContext, region: string, name: string): string {
  return `arn:aws:secretsmanager:${region}:${ctx.config.accountId}:secret:${name}-${randomSuffix(6)}`;
}

/** The name in a secret's ARN (the part after `:secret:`, without the six-character suffix). */
export function secretNameOf(arn: string): string | undefined {
  const match = /^arn:[^:]+:secretsmanager:[^:]*:[0-9]{12}:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn);
  return match?.[1];
}

/** The secrets of the configured account in one region. */
export function secretsIn(ctx: ServiceContext, region: string): Record<string, StoredSecret> {
  const state = ctx.state.slice<SecretsManagerState>('secretsmanager', () => ({ secrets: {} }));
  return (state.secrets[`${ctx.config.accountId}/${region}`] ??= {});
}

/**
 * The secret a SecretId names: its name, its full ARN, or its ARN without the random suffix (a
 * partial ARN). Undefined when there is none.
 */
export function findSecret(ctx: ServiceContext, region: string, secretId: string): StoredSecret | undefined {
  const secrets = secretsIn(ctx, region);
  if (!secretId.startsWith('arn:')) return Object.hasOwn(secrets, secretId) ? secrets[secretId] : undefined;
  return Object.values(secrets).find((s) => s.arn === secretId || s.arn.slice(0, -7) === secretId);
}

/** Adds a secret (the caller has checked that the name is free). */
export function addSecret(ctx: ServiceContext, region: string, secret: StoredSecret): void {
  // Names are chosen by the caller, so `constructor` or `__proto__` must stay plain keys.
  Object.defineProperty(secretsIn(ctx, region), secret.name, { value: secret, enumerable: true, writable: true, configurable: true });
  ctx.state.markChanged();
}

/**
 * Makes `value` the AWSCURRENT value of the secret with this ARN, creating the secret when there is
 * none (under the name the ARN carries). An unchanged value keeps its version.
 */
export function putServiceSecret(ctx: ServiceContext, region: string, arn: string, value: string, owningService: string): void {
  const name = secretNameOf(arn);
  if (name === undefined) throw new Error(`not a secret ARN: ${arn}`);
  const now = ctx.clock.now();
  const existing = findSecret(ctx, region, arn);
  if (!existing) {
    addSecret(ctx, region, { arn, name, secretString: value, versionId: randomUUID(), createdDate: now, lastChangedDate: now, owningService });
    return;
  }
  if (existing.secretString === value) return;
  Object.assign(existing, { secretString: value, versionId: randomUUID(), lastChangedDate: now });
  ctx.state.markChanged();
}

/** Deletes the secret with this ARN at once (no recovery window); nothing when there is none. */
export function deleteServiceSecret(ctx: ServiceContext, region: string, arn: string): void {
  const secret = findSecret(ctx, region, arn);
  if (!secret) return;
  delete secretsIn(ctx, region)[secret.name];
  ctx.state.markChanged();
}
