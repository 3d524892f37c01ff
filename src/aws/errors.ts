/**
 * What an AWS error means for a reconcile: the resource is not there, AWS is busy (throttled, a 5xx,
 * the network), the resource is in a state that refuses the call for now (a conflict), or the request
 * can never succeed as it is (invalid, forbidden, over a quota).
 */
export type ErrorClass = 'notFound' | 'throttled' | 'transient' | 'conflict' | 'terminal';

const NOT_FOUND = new Set(['ResourceNotFoundException', 'NoSuchEntity', 'NoSuchEntityException', 'RepositoryNotFoundException', 'ImageNotFoundException', 'NoSuchKey', 'NoSuchBucket', 'NotFound']);
const THROTTLED = new Set(['ThrottlingException', 'ThrottledException', 'Throttling', 'TooManyRequestsException', 'SlowDown', 'RequestLimitExceeded']);
const CONFLICT = new Set(['ConflictException', 'ConcurrentModification', 'ConcurrentModificationException', 'RetryableConflictException']);
const TRANSIENT = new Set(['InternalServerException', 'ServiceException', 'ServiceFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'RequestTimeout', 'TimeoutError',
  // Our own fence (aws/call.ts): the call was not sent, and may be once this process is sure it leads;
  // or it was cancelled in flight because the lease was lost, and the next leader tries again.
  'Fenced', 'AbortError']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

interface AwsLikeError {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function classifyAwsError(error: unknown): ErrorClass {
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (NOT_FOUND.has(name) || status === 404) return 'notFound';
  if (THROTTLED.has(name) || status === 429) return 'throttled';
  if (CONFLICT.has(name)) return 'conflict';
  if (TRANSIENT.has(name) || NETWORK.has(e.code ?? '') || NETWORK.has(name) || e.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  // The SDK raises a network failure (a reset, a hang-up, a timeout) as an error that carries its
  // metadata but no HTTP status, since no answer came back.
  if (e.$metadata && status === undefined) return 'transient';
  return 'terminal';
}

const FORBIDDEN = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedException', 'UnauthorizedOperation', 'UnrecognizedClientException', 'InvalidClientTokenId']);
const OVER_QUOTA = new Set(['ServiceQuotaExceededException', 'LimitExceededException', 'LimitExceeded', 'QuotaExceededException']);

/** Why AWS refuses a request for good, by the error's name and HTTP status (never its message text). */
export function terminalReasonOf(error: unknown): 'AccessDenied' | 'QuotaExceeded' | 'ValidationFailed' {
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  if (FORBIDDEN.has(name) || e.$metadata?.httpStatusCode === 403 || e.$metadata?.httpStatusCode === 401) return 'AccessDenied';
  if (OVER_QUOTA.has(name)) return 'QuotaExceeded';
  return 'ValidationFailed';
}

/** The AWS answer, or undefined when AWS says the resource is not there. */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (classifyAwsError(error) === 'notFound') return undefined;
    throw error;
  }
}

/** The error's message with anything after the first line dropped, for status conditions. */
export function awsErrorMessage(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}`;
}
