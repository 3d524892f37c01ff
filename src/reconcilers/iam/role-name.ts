/** The name of a role the operator creates when the spec does not name it. */
import { createHash } from 'node:crypto';
import type { Owner } from '../ownership.js';

/** IAM's limit on role names. */
export const MAX_ROLE_NAME_LENGTH = 64;
const HASH_LENGTH = 8;
/** Every default role name starts with this. */
export const ROLE_NAME_PREFIX = 'agentcore-';

/**
 * `agentcore-<kind>-<namespace>-<name>` from the owner (`namespace/Kind/name`), kind in lower case.
 * A name longer than IAM allows is cut and ends in a hash of the whole name, so two long names that
 * share a beginning still get different roles, and the same object always gets the same one.
 */
export function defaultRoleName(owner: Owner): string {
  const [namespace = 'default', kind = 'object', ...rest] = owner.owner.split('/');
  const name = rest.join('/') || 'unnamed';
  // Object names are DNS subdomains; anything else IAM refuses in a name becomes '-'.
  const full = `${ROLE_NAME_PREFIX}${kind.toLowerCase()}-${namespace}-${name}`.replace(/[^\w+=,.@-]/g, '-');
  if (full.length <= MAX_ROLE_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const head = full.slice(0, MAX_ROLE_NAME_LENGTH - HASH_LENGTH - 1).replace(/[-.]+$/, '');
  return `${head}-${hash}`;
}
