/**
 * Who may read an endpoint of the operator, decided by the API server as controller-runtime's secure
 * metrics and kube-rbac-proxy have it decided: a TokenReview says whose the request's bearer token is,
 * then a SubjectAccessReview whether that user (with its groups, uid and extra) may `get` the request's
 * path, a non-resource URL. Answers are reused for a few seconds, so frequent scrapes cost no API calls
 * in between; when the API server cannot be asked, nothing is allowed.
 */
import { createHash } from 'node:crypto';
import { ExpiringCache, type ElapsedClock } from './expiring-cache.js';

/**
 * What is needed of a Kubernetes client (the operator's KubeClient is one). A failure with a numeric
 * `code` is an answer of the API server; any other, a failure to reach it.
 */
export interface ApiServerRequester {
  request<T>(method: string, path: string, options?: { body?: unknown; timeoutMs?: number }): Promise<T>;
}

export interface AccessRequest {
  /** The Authorization header as sent, if any. */
  authorization: string | undefined;
  /** The URL's path, without the query. */
  path: string;
}

export type AccessDecision = { allowed: true; user: string } | { allowed: false; status: 401 | 403 | 500 | 503; message: string };

export type RequestAuthorizer = (request: AccessRequest) => Promise<AccessDecision>;

export interface RequestAuthorizerOptions {
  /** How long an allowed answer is reused, so at most how long a revoked binding still lets a caller in. */
  allowedTtlMs?: number;
  /** How long a refusal (401, 403) is reused, so at most how long a new binding waits to take effect. */
  deniedTtlMs?: number;
  maxEntries?: number;
  /** For each API call. */
  timeoutMs?: number;
  clock?: ElapsedClock;
  /** Told why the API server could not answer; the message never holds the token. */
  onError?: (message: string) => void;
}

interface TokenReview {
  status?: { authenticated?: boolean; user?: UserInfo };
}

interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

interface SubjectAccessReview {
  status?: { allowed?: boolean };
}

export const DEFAULT_ALLOWED_TTL_MS = 10_000;
export const DEFAULT_DENIED_TTL_MS = 5_000;

export function kubeRequestAuthorizer(client: ApiServerRequester, options: RequestAuthorizerOptions = {}): RequestAuthorizer {
  const { allowedTtlMs = DEFAULT_ALLOWED_TTL_MS, deniedTtlMs = DEFAULT_DENIED_TTL_MS, timeoutMs = 10_000 } = options;
  const answers = new ExpiringCache<AccessDecision>({ maxEntries: options.maxEntries ?? 1024, clock: options.clock });
  // Concurrent requests with the same token and path share one review.
  const inFlight = new Map<string, Promise<AccessDecision>>();

  async function review(token: string, path: string): Promise<AccessDecision> {
    try {
      const tokenReview = await client.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
        timeoutMs,
      });
      const user = tokenReview.status?.user;
      if (!tokenReview.status?.authenticated || !user?.username) return { allowed: false, status: 401, message: 'Unauthorized: the bearer token is not valid' };
      const accessReview = await client.request<SubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, nonResourceAttributes: { path, verb: 'get' } },
        },
        timeoutMs,
      });
      if (accessReview.status?.allowed) return { allowed: true, user: user.username };
      return { allowed: false, status: 403, message: `Forbidden: user "${user.username}" may not get ${path}` };
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replaceAll(token, '<token>');
      options.onError?.(`could not check who may get ${path}: ${reason}`);
      const code = (error as { code?: unknown }).code;
      return typeof code !== 'number' || code >= 500 || code === 429
        ? { allowed: false, status: 503, message: 'Service Unavailable: the Kubernetes API could not be asked who may read this' }
        : { allowed: false, status: 500, message: 'Internal Server Error: the Kubernetes API would not say who may read this' };
    }
  }

  return async ({ authorization, path }) => {
    const token = bearerToken(authorization);
    if (!token) return { allowed: false, status: 401, message: 'Unauthorized: send a bearer token (Authorization: Bearer <token>)' };
    // Keyed by a digest, so the cache holds no token.
    const key = `${createHash('sha256').update(token).digest('hex')} ${path}`;
    const known = answers.get(key) ?? inFlight.get(key);
    if (known) return known;
    const pending = review(token, path);
    inFlight.set(key, pending);
    try {
      const decision = await pending;
      if (decision.allowed) answers.set(key, decision, allowedTtlMs);
      else if (decision.status === 401 || decision.status === 403) answers.set(key, decision, deniedTtlMs);
      return decision;
    } finally {
      inFlight.delete(key);
    }
  };
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), if it has one. */
function bearerToken(header: string | undefined): string | undefined {
  return /^bearer +(\S+) *$/i.exec(header ?? '')?.[1];
}
