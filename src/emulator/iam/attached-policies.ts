/**
 * Managed policies attached to a role: AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies.
 * Managed policies themselves are not emulated, so any well-formed policy ARN can be attached.
 */
import { iamError } from './errors.js';
import { handler } from './handler.js';
import { paginate } from './pagination.js';
import { managedPolicyRef } from './policy-documents.js';
import { requireRole } from './state.js';

interface AttachmentInput {
  RoleName: string;
  PolicyArn: string;
}

export const attachRolePolicy = handler<AttachmentInput>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  managedPolicyRef(input.PolicyArn);
  if (role.attachedPolicyArns.includes(input.PolicyArn)) return undefined;
  const limit = env.ctx.quotas.limit('iamManagedPoliciesPerRole');
  if (role.attachedPolicyArns.length >= limit) throw iamError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${limit}`);
  role.attachedPolicyArns.push(input.PolicyArn);
  env.changed();
  return undefined;
});

export const detachRolePolicy = handler<AttachmentInput>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  managedPolicyRef(input.PolicyArn);
  if (!role.attachedPolicyArns.includes(input.PolicyArn)) throw iamError('NoSuchEntity', `Policy ${input.PolicyArn} was not attached to role ${role.name}.`);
  role.attachedPolicyArns = role.attachedPolicyArns.filter((a) => a !== input.PolicyArn);
  env.changed();
  return undefined;
});

export const listAttachedRolePolicies = handler<{ RoleName: string; PathPrefix?: string; Marker?: string; MaxItems?: number }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  const prefix = input.PathPrefix ?? '/';
  const attached = role.attachedPolicyArns.map(managedPolicyRef).filter((p) => p.path.startsWith(prefix));
  const page = paginate(attached, (p) => p.arn, input.Marker, input.MaxItems);
  return { AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })), IsTruncated: page.IsTruncated, Marker: page.Marker };
});
