/**
 * The administrator's cap on the roles the operator creates for spec authors, who do not hold IAM
 * rights themselves: a permissions boundary every managed role gets, and which managed policies and
 * which actions of inline statements a spec may give it. Safe without any setting: no statement may
 * allow every action or every IAM action (nor use NotAction to), and AdministratorAccess,
 * IAMFullAccess and PowerUserAccess are never attached. Checked on the spec, before any IAM call.
 */
import { Reason } from '../conditions.js';
import { TerminalError } from '../errors.js';
import type { RoleSpec } from '../../api/schema.js';

type ManagedRoleSpec = NonNullable<RoleSpec['managed']>;

export interface RoleCap {
  /** The boundary every managed role gets; a spec may leave it out or name this one, no other. */
  permissionsBoundary?: string;
  /** Managed policies a role may have (`*` at the end matches the rest); none given: any not denied. */
  allowedManagedPolicies?: readonly string[];
  deniedManagedPolicies: readonly string[];
  /** What inline statements may allow, as action patterns; none given: anything not denied. */
  allowedActions?: readonly string[];
  /** Actions no statement may allow, alone or through a wildcard that covers them. */
  deniedActions: readonly string[];
}

export const DEFAULT_ROLE_CAP: RoleCap = {
  deniedManagedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/IAMFullAccess', 'arn:aws:iam::aws:policy/PowerUserAccess'],
  deniedActions: ['*', 'iam:*'],
};

/** An IAM-style pattern (`*` and `?`, case-insensitive) as a regular expression. */
function globOf(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

const covers = (pattern: string, value: string) => globOf(pattern).test(value);
const listOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);

/** The first thing in the spec the cap refuses, with its field path and the rule; undefined when none. */
export function roleCapRefusal(spec: ManagedRoleSpec, cap: RoleCap): string | undefined {
  const at = 'spec.role.managed';
  if (cap.permissionsBoundary && spec.permissionsBoundaryArn && spec.permissionsBoundaryArn !== cap.permissionsBoundary) {
    return `${at}.permissionsBoundaryArn: the operator gives every managed role the boundary ${cap.permissionsBoundary}; another may not be named`;
  }
  for (const [i, arn] of (spec.managedPolicyArns ?? []).entries()) {
    const denied = cap.deniedManagedPolicies.find((p) => covers(p, arn));
    if (denied) return `${at}.managedPolicyArns[${i}]: ${arn} is denied by the operator's role cap (${denied})`;
    if (cap.allowedManagedPolicies && !cap.allowedManagedPolicies.some((p) => covers(p, arn))) return `${at}.managedPolicyArns[${i}]: ${arn} is not among the managed policies the operator's role cap allows`;
  }
  for (const [i, statement] of ((spec.statements ?? []) as Record<string, unknown>[]).entries()) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotAction !== undefined) return `${at}.statements[${i}]: NotAction allows every action it does not name, which the operator's role cap refuses`;
    for (const action of listOf(statement.Action)) {
      // A statement's wildcard grants whatever it covers: `iam:*Policy` covers the denied `iam:PutRolePolicy`.
      const denied = cap.deniedActions.find((d) => covers(action, d));
      if (denied) return `${at}.statements[${i}]: allows ${action}, which the operator's role cap denies (${denied})`;
      if (cap.allowedActions && !cap.allowedActions.some((p) => covers(p, action))) return `${at}.statements[${i}]: allows ${action}, which is not among the actions the operator's role cap allows`;
    }
  }
  return undefined;
}

/** Throws the cap's refusal as a stall; the boundary the role gets (the administrator's, else the spec's). */
export function cappedBoundary(spec: ManagedRoleSpec, cap: RoleCap): string | undefined {
  const refused = roleCapRefusal(spec, cap);
  if (refused) throw new TerminalError(refused, Reason.RoleNotAllowed);
  return cap.permissionsBoundary ?? spec.permissionsBoundaryArn;
}
