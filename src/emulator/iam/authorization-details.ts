/**
 * GetAccountAuthorizationDetails: a snapshot of the account's IAM entities. The emulator only has
 * roles, so users, groups and managed policies always come back empty, and the pages run over roles.
 */
import { handler } from './handler.js';
import { paginate } from './pagination.js';
import { encodePolicyDocument, managedPolicyRef } from './policy-documents.js';
import { roleView } from './roles.js';
import { nameKey, type StoredRole } from './state.js';
import type { XmlValue } from './xml.js';

/** The RoleDetail structure: the role with its inline and attached policies. */
function roleDetail(role: StoredRole): Record<string, XmlValue> {
  const inline = Object.values(role.inlinePolicies).sort((a, b) => (nameKey(a.name) < nameKey(b.name) ? -1 : nameKey(a.name) > nameKey(b.name) ? 1 : 0));
  // RoleDetail is GetRole's Role without the description and session duration, plus the policies.
  const { Description: _description, MaxSessionDuration: _duration, ...shared } = roleView(role);
  return {
    ...shared,
    InstanceProfileList: [],
    RolePolicyList: inline.map((p) => ({ PolicyName: p.name, PolicyDocument: encodePolicyDocument(p.document) })),
    AttachedManagedPolicies: role.attachedPolicyArns.map(managedPolicyRef).map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
    Tags: role.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    RoleLastUsed: {},
  };
}

interface AuthorizationDetailsInput {
  Filter?: string[];
  MaxItems?: number;
  Marker?: string;
}

export const getAccountAuthorizationDetails = handler<AuthorizationDetailsInput>((input, env) => {
  // No filter (or an empty one) means every entity type.
  const wantRoles = input.Filter === undefined || input.Filter.length === 0 || input.Filter.includes('Role');
  const roles = wantRoles ? Object.values(env.state.roles) : [];
  const page = paginate(roles, (r) => nameKey(r.name), input.Marker, input.MaxItems);
  return {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: page.items.map(roleDetail),
    Policies: [],
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
});
