/**
 * The IAM operations the emulator serves, with the input constraints and error codes it enforces.
 * The facts come from the IAM model (iam.service-2.json); test/emulator/iam-conformance.test.ts holds
 * this table to it. Patterns are the model's, and are matched anchored.
 */
import type { ModelledErrorCode } from './errors.js';

export type MemberShape =
  | { readonly type: 'string'; readonly pattern?: string; readonly min?: number; readonly max?: number; readonly enum?: readonly string[] }
  | { readonly type: 'integer'; readonly min?: number; readonly max?: number }
  | { readonly type: 'list'; readonly min?: number; readonly max?: number; readonly member: MemberShape }
  | { readonly type: 'structure'; readonly required: readonly string[]; readonly members: Readonly<Record<string, MemberShape>> };

export interface OperationSpec {
  readonly required: readonly string[];
  readonly members: Readonly<Record<string, MemberShape>>;
  /** Every modelled error the operation can answer with here, ServiceFailure (an injected fault) included. */
  readonly errors: readonly ModelledErrorCode[];
}

const NAME_PATTERN = '[\\w+=,.@-]+';
const roleName: MemberShape = { type: 'string', pattern: NAME_PATTERN, min: 1, max: 64 };
const policyName: MemberShape = { type: 'string', pattern: NAME_PATTERN, min: 1, max: 128 };
const policyDocument: MemberShape = { type: 'string', pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', min: 1, max: 131072 };
const rolePath: MemberShape = { type: 'string', pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)', min: 1, max: 512 };
const policyPathPrefix: MemberShape = { type: 'string', pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/', min: 1, max: 512 };
const roleDescription: MemberShape = { type: 'string', pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*', max: 1000 };
const maxSessionDuration: MemberShape = { type: 'integer', min: 3600, max: 43200 };
const arn: MemberShape = { type: 'string', min: 20, max: 2048 };
const tagKey: MemberShape = { type: 'string', pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+', min: 1, max: 128 };
const tagValue: MemberShape = { type: 'string', pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*', min: 0, max: 256 };
const tags: MemberShape = { type: 'list', max: 50, member: { type: 'structure', required: ['Key', 'Value'], members: { Key: tagKey, Value: tagValue } } };
const tagKeys: MemberShape = { type: 'list', max: 50, member: tagKey };
const marker: MemberShape = { type: 'string', pattern: '[\\u0020-\\u00FF]+', min: 1, max: 320 };
const maxItems: MemberShape = { type: 'integer', min: 1, max: 1000 };
const entityType: MemberShape = { type: 'string', enum: ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] };

export const IAM_OPERATIONS = {
  CreateRole: {
    required: ['RoleName', 'AssumeRolePolicyDocument'],
    members: { Path: rolePath, RoleName: roleName, AssumeRolePolicyDocument: policyDocument, Description: roleDescription, MaxSessionDuration: maxSessionDuration, PermissionsBoundary: arn, Tags: tags },
    errors: ['EntityAlreadyExists', 'MalformedPolicyDocument', 'InvalidInput', 'LimitExceeded', 'ServiceFailure'],
  },
  GetRole: {
    required: ['RoleName'],
    members: { RoleName: roleName },
    errors: ['NoSuchEntity', 'ServiceFailure'],
  },
  DeleteRole: {
    required: ['RoleName'],
    members: { RoleName: roleName },
    errors: ['NoSuchEntity', 'DeleteConflict', 'ServiceFailure'],
  },
  UpdateAssumeRolePolicy: {
    required: ['RoleName', 'PolicyDocument'],
    members: { RoleName: roleName, PolicyDocument: policyDocument },
    errors: ['NoSuchEntity', 'MalformedPolicyDocument', 'LimitExceeded', 'ServiceFailure'],
  },
  PutRolePolicy: {
    required: ['RoleName', 'PolicyName', 'PolicyDocument'],
    members: { RoleName: roleName, PolicyName: policyName, PolicyDocument: policyDocument },
    errors: ['NoSuchEntity', 'MalformedPolicyDocument', 'LimitExceeded', 'ServiceFailure'],
  },
  GetRolePolicy: {
    required: ['RoleName', 'PolicyName'],
    members: { RoleName: roleName, PolicyName: policyName },
    errors: ['NoSuchEntity', 'ServiceFailure'],
  },
  DeleteRolePolicy: {
    required: ['RoleName', 'PolicyName'],
    members: { RoleName: roleName, PolicyName: policyName },
    errors: ['NoSuchEntity', 'ServiceFailure'],
  },
  ListRolePolicies: {
    required: ['RoleName'],
    members: { RoleName: roleName, Marker: marker, MaxItems: maxItems },
    errors: ['NoSuchEntity', 'ServiceFailure'],
  },
  AttachRolePolicy: {
    required: ['RoleName', 'PolicyArn'],
    members: { RoleName: roleName, PolicyArn: arn },
    errors: ['NoSuchEntity', 'InvalidInput', 'LimitExceeded', 'ServiceFailure'],
  },
  DetachRolePolicy: {
    required: ['RoleName', 'PolicyArn'],
    members: { RoleName: roleName, PolicyArn: arn },
    errors: ['NoSuchEntity', 'InvalidInput', 'ServiceFailure'],
  },
  ListAttachedRolePolicies: {
    required: ['RoleName'],
    members: { RoleName: roleName, PathPrefix: policyPathPrefix, Marker: marker, MaxItems: maxItems },
    errors: ['NoSuchEntity', 'ServiceFailure'],
  },
  TagRole: {
    required: ['RoleName', 'Tags'],
    members: { RoleName: roleName, Tags: tags },
    errors: ['NoSuchEntity', 'InvalidInput', 'LimitExceeded', 'ServiceFailure'],
  },
  UntagRole: {
    required: ['RoleName', 'TagKeys'],
    members: { RoleName: roleName, TagKeys: tagKeys },
    errors: ['NoSuchEntity', 'ServiceFailure'],
  },
  ListRoleTags: {
    required: ['RoleName'],
    members: { RoleName: roleName, Marker: marker, MaxItems: maxItems },
    errors: ['NoSuchEntity', 'ServiceFailure'],
  },
  GetAccountAuthorizationDetails: {
    required: [],
    members: { Filter: { type: 'list', member: entityType }, MaxItems: maxItems, Marker: marker },
    errors: ['ServiceFailure'],
  },
} as const satisfies Record<string, OperationSpec>;

export type IamOperationName = keyof typeof IAM_OPERATIONS;

export function isIamOperation(action: string): action is IamOperationName {
  return Object.hasOwn(IAM_OPERATIONS, action);
}
