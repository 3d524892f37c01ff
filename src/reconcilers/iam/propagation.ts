/**
 * IAM is eventually consistent: for a while after a role is created (or its policies change), the
 * service that is to assume it may not see it yet, and AgentCore refuses a create or update that
 * names it with a ValidationException. Such an error is worth retrying for a couple of minutes after
 * the role was created; any other ValidationException, or the same one later, is the user's to fix.
 */

/** How long after creating a role its validation errors are retried (what Terraform's provider allows). */
export const ROLE_PROPAGATION_WINDOW_MS = 120_000;

/** How AgentCore words a role it cannot (yet) assume or validate, across runtime, memory, gateway and targets. */
const PROPAGATION_MESSAGES: readonly RegExp[] = [
  /role validation failed/i,
  /\b(cannot|can ?not|could not|couldn't|unable to|failed to|not able to)( be)? assumed?\b/i,
  /\bnot (be )?assumable\b/i,
  /access denied while validating ecr uri/i,
  /\bvalid trust policy\b/i,
  /does not have access to (the )?provided/i,
  /execution role lacks permission/i,
];

const VALIDATION = new Set(['ValidationException', 'ValidationError']);

/** Whether an AWS error is AgentCore's answer to a role it cannot assume or validate (yet). */
export function isRolePropagationError(error: unknown): boolean {
  const e = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (!VALIDATION.has(e.name ?? '') && !VALIDATION.has(e.code ?? '')) return false;
  const message = e.message ?? '';
  return PROPAGATION_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Whether a failed create or update should be retried rather than reported: the error is a role
 * propagation error and the role was created less than ROLE_PROPAGATION_WINDOW_MS ago.
 */
export function retryForRolePropagation(error: unknown, roleCreatedAt: Date | undefined, now: Date, windowMs = ROLE_PROPAGATION_WINDOW_MS): boolean {
  if (!roleCreatedAt || !isRolePropagationError(error)) return false;
  // IAM's clock and ours may disagree a little; a role "from the future" is a new one.
  return now.getTime() - roleCreatedAt.getTime() < windowMs;
}
