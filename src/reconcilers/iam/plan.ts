/**
 * What it takes to bring a role the operator owns in line with what it should be: a list of the
 * writes, each made only when what IAM holds differs. Pure; managed-role.ts makes the calls.
 */
import { Reason } from '../conditions.js';
import { TerminalError } from '../errors.js';
import type { PlannedChange } from '../kind.js';
import { isOwnedBy, mayTakeOver, otherClaimant, type Owner } from '../ownership.js';
import { parsePolicyDocument, samePolicy, type PolicyDocument } from './policies.js';

export interface DesiredRole {
  roleName: string;
  path: string;
  trustPolicy: PolicyDocument;
  /** The name of the one inline policy the operator writes. */
  inlinePolicyName: string;
  /** Undefined (or no statements) means the role carries no inline policy. */
  inlinePolicy?: PolicyDocument;
  managedPolicyArns: readonly string[];
  permissionsBoundaryArn?: string;
  /** The ownership tags; the operator adds them when missing and leaves other tags alone. */
  tags: Record<string, string>;
}

/** A role as IAM reports it, its documents already decoded (or still encoded: the comparison reads both). */
export interface ObservedRole {
  arn: string;
  path: string;
  createdAt?: Date;
  trustPolicy: unknown;
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
  inlinePolicyNames: readonly string[];
  /** The document of the inline policy named like the desired one, when the role has it. */
  inlinePolicy?: unknown;
  managedPolicyArns: readonly string[];
}

export type RoleChange =
  | { type: 'updateTrust' }
  | { type: 'putBoundary'; arn: string }
  | { type: 'putInline'; name: string }
  | { type: 'deleteInline'; name: string }
  | { type: 'attach'; arn: string }
  | { type: 'detach'; arn: string }
  | { type: 'tag'; tags: Record<string, string> };

/** IAM policy names are unique regardless of case. */
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const hasStatements = (policy: PolicyDocument | undefined): policy is PolicyDocument => (policy?.Statement.length ?? 0) > 0;

/**
 * Refuses a role that is not this object's: one without the ownership tags (created by hand or by
 * another tool) or one another object owns. `adopt` takes such a role over.
 */
export function checkOwnership(roleName: string, tags: Record<string, string>, owner: Owner, may: { adopt?: boolean; crossOwner?: boolean } = {}): void {
  if (isOwnedBy(tags, owner) || mayTakeOver(tags, owner, may.adopt === true, may.crossOwner === true)) return;
  const claimant = otherClaimant(tags, owner);
  throw new TerminalError(
    claimant
      ? `An IAM role named ${roleName} is managed by ${claimant.owner}; give the managed role another roleName (taking over another object's role needs the operator setting --allow-cross-owner-adoption as well as the adopt annotation)`
      : `An IAM role named ${roleName} already exists and is not managed by this object; give the managed role another roleName, or set the annotation agentcore.dev/adopt: "true" to take it over`,
    Reason.ValidationFailed,
  );
}

/** The writes that bring `observed` to `desired`, in the order they should be made; none when they agree. */
export function roleChanges(desired: DesiredRole, observed: ObservedRole): RoleChange[] {
  if (observed.path !== desired.path) {
    throw new TerminalError(
      `The IAM role ${desired.roleName} has the path ${observed.path}, not ${desired.path}; IAM cannot move a role to another path, so give the managed role another roleName or delete the role`,
      Reason.ReplacementNotAllowed,
    );
  }
  const changes: RoleChange[] = [];
  if (!samePolicy(desired.trustPolicy, observed.trustPolicy)) changes.push({ type: 'updateTrust' });

  // A boundary is set or changed, never removed: that would widen the role, and the operator's own
  // policy does not allow it (docs/iam-policy.json).
  if (desired.permissionsBoundaryArn && desired.permissionsBoundaryArn !== observed.permissionsBoundaryArn) changes.push({ type: 'putBoundary', arn: desired.permissionsBoundaryArn });

  // The role grants what the spec says and nothing else: any other inline policy (or ours, once the
  // spec has no statements left) goes. Removals come first, freeing room under IAM's per-role quotas.
  const ours = observed.inlinePolicyNames.find((n) => sameName(n, desired.inlinePolicyName));
  for (const name of observed.inlinePolicyNames) {
    if (name !== ours || !hasStatements(desired.inlinePolicy)) changes.push({ type: 'deleteInline', name });
  }
  if (hasStatements(desired.inlinePolicy)) {
    if (!ours || observed.inlinePolicy === undefined || !samePolicy(desired.inlinePolicy, observed.inlinePolicy)) changes.push({ type: 'putInline', name: desired.inlinePolicyName });
  }

  const wanted = new Set(desired.managedPolicyArns);
  const attached = new Set(observed.managedPolicyArns);
  for (const arn of [...attached].sort()) if (!wanted.has(arn)) changes.push({ type: 'detach', arn });
  for (const arn of [...wanted].sort()) if (!attached.has(arn)) changes.push({ type: 'attach', arn });

  const missing = Object.fromEntries(Object.entries(desired.tags).filter(([k, v]) => observed.tags[k] !== v));
  if (Object.keys(missing).length > 0) changes.push({ type: 'tag', tags: missing });
  return changes;
}

/** A policy document as a plan shows it: decoded from IAM's percent-encoded JSON when it is that. */
const documentOf = (document: unknown) => (typeof document === 'string' ? parsePolicyDocument(document) : document);

/**
 * A role's writes as plan lines: for a role to be made, everything it will be given; for one that
 * exists, each write `roleChanges` found, policies shown as the documents before and after.
 */
export function plannedRoleChanges(desired: DesiredRole, observed: ObservedRole | undefined, changes: readonly RoleChange[]): PlannedChange[] {
  const role = `role ${desired.roleName}`;
  const part = (action: PlannedChange['action'], subject: string, values: Pick<PlannedChange, 'from' | 'to'> = {}): PlannedChange => ({ action, scope: 'part', subject, ...values });
  const inline = `${role} inline policy ${desired.inlinePolicyName}`;
  if (!observed) {
    return [
      part('create', role, { to: `${desired.path}${desired.roleName}` }),
      part('create', `${role} trust policy`, { to: desired.trustPolicy }),
      ...(hasStatements(desired.inlinePolicy) ? [part('create', inline, { to: desired.inlinePolicy })] : []),
      ...desired.managedPolicyArns.map((arn) => part('create', `${role} managed policy ${arn}`)),
      ...(desired.permissionsBoundaryArn ? [part('create', `${role} permissions boundary`, { to: desired.permissionsBoundaryArn })] : []),
    ];
  }
  return changes.map((change): PlannedChange => {
    switch (change.type) {
      case 'updateTrust':
        return part('update', `${role} trust policy`, { from: documentOf(observed.trustPolicy), to: desired.trustPolicy });
      case 'putBoundary':
        return part('update', `${role} permissions boundary`, { from: observed.permissionsBoundaryArn, to: change.arn });
      case 'putInline':
        return observed.inlinePolicy === undefined ? part('create', inline, { to: desired.inlinePolicy }) : part('update', inline, { from: documentOf(observed.inlinePolicy), to: desired.inlinePolicy });
      case 'deleteInline':
        return part('delete', `${role} inline policy ${change.name}`);
      case 'attach':
        return part('create', `${role} managed policy ${change.arn}`);
      case 'detach':
        return part('delete', `${role} managed policy ${change.arn}`);
      case 'tag':
        return part('update', `${role} tags`, { from: Object.fromEntries(Object.keys(change.tags).filter((k) => k in observed.tags).map((k) => [k, observed.tags[k]])), to: change.tags });
    }
  });
}
