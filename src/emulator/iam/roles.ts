/** CreateRole, GetRole, DeleteRole and UpdateAssumeRolePolicy. */
import { isoTime } from '../clock.js';
import { randomSuffix } from '../ids.js';
import { iamError } from './errors.js';
import { handler, type IamEnv } from './handler.js';
import { checkPolicyDocument, encodePolicyDocument, managedPolicyRef, policySize } from './policy-documents.js';
import { withTags } from './role-tags.js';
import { findRole, nameKey, requireRole, type StoredRole, type StoredTag } from './state.js';
import type { XmlValue } from './xml.js';

const DEFAULT_MAX_SESSION_DURATION = 3600;
const ROLE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The Role structure as GetRole and CreateRole return it. */
export function roleView(role: StoredRole): Record<string, XmlValue> {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodePolicyDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: role.permissionsBoundaryArn === undefined ? undefined : { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: role.permissionsBoundaryArn },
    Tags: role.tags.length === 0 ? undefined : role.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
  };
}

function checkTrustPolicy(document: string, env: IamEnv): void {
  checkPolicyDocument(document);
  const limit = env.ctx.quotas.limit('iamTrustPolicySize');
  if (policySize(document) > limit) throw iamError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${limit}`);
}

interface CreateRoleInput {
  RoleName: string;
  AssumeRolePolicyDocument: string;
  Path?: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: StoredTag[];
}

export const createRole = handler<CreateRoleInput>((input, env) => {
  if (findRole(env.state, input.RoleName)) throw iamError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`);
  checkTrustPolicy(input.AssumeRolePolicyDocument, env);
  if (input.PermissionsBoundary !== undefined) managedPolicyRef(input.PermissionsBoundary);
  const path = input.Path ?? '/';
  const role: StoredRole = {
    name: input.RoleName,
    id: `AROA${randomSuffix(17, ROLE_ID_ALPHABET)}`,
    arn: `arn:aws:iam::${env.ctx.config.accountId}:role${path}${input.RoleName}`,
    path,
    createDate: isoTime(env.ctx.clock.now()),
    assumeRolePolicyDocument: input.AssumeRolePolicyDocument,
    maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
    tags: [],
    inlinePolicies: {},
    attachedPolicyArns: [],
  };
  if (input.Description !== undefined) role.description = input.Description;
  if (input.PermissionsBoundary !== undefined) role.permissionsBoundaryArn = input.PermissionsBoundary;
  role.tags = withTags(role, input.Tags ?? [], env);
  env.state.roles[nameKey(role.name)] = role;
  env.changed();
  return { Role: roleView(role) };
});

export const getRole = handler<{ RoleName: string }>((input, env) => ({ Role: roleView(requireRole(env.state, input.RoleName)) }));

export const deleteRole = handler<{ RoleName: string }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  if (Object.keys(role.inlinePolicies).length > 0) throw iamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
  if (role.attachedPolicyArns.length > 0) throw iamError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  delete env.state.roles[nameKey(role.name)];
  env.changed();
  return undefined;
});

export const updateAssumeRolePolicy = handler<{ RoleName: string; PolicyDocument: string }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  checkTrustPolicy(input.PolicyDocument, env);
  role.assumeRolePolicyDocument = input.PolicyDocument;
  env.changed();
  return undefined;
});
