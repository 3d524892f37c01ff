/** The administrator's cap on managed roles, as a table: what a spec may give the role it asks for. */
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_ROLE_CAP, roleCapRefusal, type RoleCap } from '../../src/reconcilers/iam/role-cap.js';

type Spec = Parameters<typeof roleCapRefusal>[0];
const allow = (Action: string | string[]) => ({ Effect: 'Allow' as const, Action, Resource: '*' });
const strict: RoleCap = { ...DEFAULT_ROLE_CAP, allowedActions: ['s3:Get*', 'bedrock:InvokeModel'], allowedManagedPolicies: ['arn:aws:iam::123456789012:policy/agents/*'] };

describe('roleCapRefusal', () => {
  test.each<[string, Spec, RoleCap, string | undefined]>([
    ['a plain statement', { statements: [allow('s3:GetObject')] }, DEFAULT_ROLE_CAP, undefined],
    ['every action', { statements: [allow('*')] }, DEFAULT_ROLE_CAP, "spec.role.managed.statements[0]: allows *, which the operator's role cap denies (*)"],
    ['every IAM action, second in a list', { statements: [allow('s3:GetObject'), allow(['logs:PutLogEvents', 'iam:*'])] }, DEFAULT_ROLE_CAP, "spec.role.managed.statements[1]: allows iam:*, which the operator's role cap denies (iam:*)"],
    ['IAM in another case', { statements: [allow('IAM:*')] }, DEFAULT_ROLE_CAP, "spec.role.managed.statements[0]: allows IAM:*, which the operator's role cap denies (iam:*)"],
    ['part of IAM is not all of it', { statements: [allow('iam:Get*')] }, DEFAULT_ROLE_CAP, undefined],
    ['a wildcard that covers a denied action', { statements: [allow('iam:*Policy')] }, { ...DEFAULT_ROLE_CAP, deniedActions: ['iam:PutRolePolicy'] }, "spec.role.managed.statements[0]: allows iam:*Policy, which the operator's role cap denies (iam:PutRolePolicy)"],
    ['NotAction', { statements: [{ Effect: 'Allow' as const, NotAction: 's3:*', Resource: '*' }] }, DEFAULT_ROLE_CAP, "spec.role.managed.statements[0]: NotAction allows every action it does not name, which the operator's role cap refuses"],
    ['a Deny statement is no grant', { statements: [{ Effect: 'Deny' as const, Action: '*', Resource: '*' }] }, DEFAULT_ROLE_CAP, undefined],
    ['AdministratorAccess', { managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }, DEFAULT_ROLE_CAP, "spec.role.managed.managedPolicyArns[0]: arn:aws:iam::aws:policy/AdministratorAccess is denied by the operator's role cap (arn:aws:iam::aws:policy/AdministratorAccess)"],
    ['another AWS-managed policy', { managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] }, DEFAULT_ROLE_CAP, undefined],
    ['an action outside the allow-list', { statements: [allow('s3:PutObject')] }, strict, "spec.role.managed.statements[0]: allows s3:PutObject, which is not among the actions the operator's role cap allows"],
    ['actions inside the allow-list', { statements: [allow(['s3:GetObject', 's3:GetObjectVersion', 'bedrock:InvokeModel'])] }, strict, undefined],
    ['a policy outside the allow-list', { managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] }, strict, "spec.role.managed.managedPolicyArns[0]: arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is not among the managed policies the operator's role cap allows"],
    ['a policy inside the allow-list', { managedPolicyArns: ['arn:aws:iam::123456789012:policy/agents/read-orders'] }, strict, undefined],
    ['the administrator\'s boundary named again', { permissionsBoundaryArn: 'arn:aws:iam::1:policy/b' }, { ...DEFAULT_ROLE_CAP, permissionsBoundary: 'arn:aws:iam::1:policy/b' }, undefined],
  ])('%s', (_, spec, cap, refusal) => {
    expect(roleCapRefusal(spec, cap)).toBe(refusal);
  });
});
