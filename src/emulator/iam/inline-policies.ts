/** A role's inline policies: PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies. */
import { iamError } from './errors.js';
import { handler } from './handler.js';
import { paginate } from './pagination.js';
import { checkPolicyDocument, encodePolicyDocument, policySize } from './policy-documents.js';
import { nameKey, requireRole, type StoredInlinePolicy, type StoredRole } from './state.js';

interface RolePolicyInput {
  RoleName: string;
  PolicyName: string;
}

function requirePolicy(role: StoredRole, name: string): StoredInlinePolicy {
  const policy = Object.hasOwn(role.inlinePolicies, nameKey(name)) ? role.inlinePolicies[nameKey(name)] : undefined;
  if (!policy) throw iamError('NoSuchEntity', `The role policy with name ${name} cannot be found.`);
  return policy;
}

export const putRolePolicy = handler<RolePolicyInput & { PolicyDocument: string }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  checkPolicyDocument(input.PolicyDocument);
  const key = nameKey(input.PolicyName);
  const others = Object.entries(role.inlinePolicies).filter(([k]) => k !== key);
  const total = others.reduce((sum, [, p]) => sum + policySize(p.document), policySize(input.PolicyDocument));
  const limit = env.ctx.quotas.limit('iamInlinePolicySizePerRole');
  if (total > limit) throw iamError('LimitExceeded', `Maximum policy size of ${limit} bytes exceeded for role ${role.name}`);
  role.inlinePolicies[key] = { name: input.PolicyName, document: input.PolicyDocument };
  env.changed();
  return undefined;
});

export const getRolePolicy = handler<RolePolicyInput>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  const policy = requirePolicy(role, input.PolicyName);
  return { RoleName: role.name, PolicyName: policy.name, PolicyDocument: encodePolicyDocument(policy.document) };
});

export const deleteRolePolicy = handler<RolePolicyInput>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  const policy = requirePolicy(role, input.PolicyName);
  delete role.inlinePolicies[nameKey(policy.name)];
  env.changed();
  return undefined;
});

export const listRolePolicies = handler<{ RoleName: string; Marker?: string; MaxItems?: number }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  const page = paginate(Object.values(role.inlinePolicies), (p) => nameKey(p.name), input.Marker, input.MaxItems);
  return { PolicyNames: page.items.map((p) => p.name), IsTruncated: page.IsTruncated, Marker: page.Marker };
});
