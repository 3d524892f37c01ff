/** What every AgentCore resource family shares: regional state, ARNs, idempotency, pagination, states. */
import { createHash } from 'node:crypto';
import { AwsError } from '../errors.js';
import type { ServiceContext } from '../service.js';
import { validationError } from './rest-json.js';

/** One slice of the AgentCore state per region, each family keeping its own key inside it. */
export function regionState<T>(ctx: ServiceContext, region: string, key: string, init: () => T): T {
  const regions = ctx.state.slice<Record<string, Record<string, unknown>>>('agentcore', () => ({}));
  const state = (regions[region] ??= {});
  return (state[key] ??= init()) as T;
}

export function arn(ctx: ServiceContext, region: string, resource: string): string {
  return `arn:aws:bedrock-agentcore:${region}:${ctx.config.accountId}:${resource}`;
}

export const notFound = (what: string) => new AwsError('ResourceNotFoundException', 404, `${what} not found`);
export const conflict = (message: string) => new AwsError('ConflictException', 409, message);
export const quotaExceeded = (message: string) => new AwsError('ServiceQuotaExceededException', 402, message);

interface TokenRecord {
  fingerprint: string;
  result: unknown;
  at: number;
}

const TOKEN_LIFETIME_MS = 8 * 60 * 60 * 1000;

function fingerprint(input: Record<string, unknown>): string {
  const { clientToken: _ignored, ...rest } = input;
  return createHash('sha256').update(stableJson(rest)).digest('hex');
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs a mutation once per clientToken: a repeat of the same request gets the first answer, a different
 * request with the same token is refused as AWS documents.
 */
export function idempotent<T>(ctx: ServiceContext, region: string, operation: string, input: Record<string, unknown>, produce: () => T): T {
  const token = input.clientToken;
  if (typeof token !== 'string') return produce();
  const tokens = regionState<Record<string, TokenRecord>>(ctx, region, 'clientTokens', () => ({}));
  const now = ctx.clock.now();
  for (const [key, record] of Object.entries(tokens)) if (now - record.at > TOKEN_LIFETIME_MS) delete tokens[key];
  const key = `${operation}:${token}`;
  const print = fingerprint(input);
  const seen = tokens[key];
  if (seen) {
    if (seen.fingerprint === print) return seen.result as T;
    throw new AwsError('ValidationException', 400, 'The client token was already used with a different request', { reason: 'IdempotentParameterMismatchException', fieldList: [{ name: 'clientToken', message: 'already used with different parameters' }] });
  }
  const result = produce();
  tokens[key] = { fingerprint: print, result, at: now };
  return result;
}

/** Offset-based pages behind an opaque token, as the List operations return them. */
export function paginate<T>(items: T[], maxResults: unknown, nextToken: unknown, defaultMax: number): { page: T[]; nextToken?: string } {
  let start = 0;
  if (typeof nextToken === 'string') {
    const decoded = /^o:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!decoded) throw validationError([{ name: 'nextToken', message: 'Member must be a token returned by a previous call' }]);
    start = Number(decoded[1]);
  }
  const size = typeof maxResults === 'number' ? maxResults : defaultMax;
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(`o:${start + size}`).toString('base64url') : undefined;
  return next ? { page, nextToken: next } : { page };
}

/** The statuses AWS holds while it works on a resource, and refuses most changes in. */
export const TRANSITIONAL = new Set(['CREATING', 'UPDATING', 'DELETING']);

/** A status that settles by itself: it holds `status` until `at`, then becomes `then`. */
export interface PendingStatus {
  status: string;
  then: string;
  at: number;
  failureReason?: string;
}

export function pending(ctx: ServiceContext, status: string, then: string, failureReason?: string): PendingStatus {
  const delay = status === 'DELETING' ? ctx.config.deletionDelayMs : ctx.config.provisioningDelayMs;
  return { status, then, at: ctx.clock.now() + delay, ...(failureReason ? { failureReason } : {}) };
}

/** The status now: the pending status until its time comes (or forever while the resource is held stuck). */
export function currentStatus(p: PendingStatus, now: number, stuck: boolean): { status: string; settled: boolean } {
  if (stuck || now < p.at) return { status: p.status, settled: false };
  return { status: p.then, settled: true };
}
