import { describe, expect, test } from '@jest/globals';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  GetAccountAuthorizationDetailsCommand,
  GetRoleCommand,
  type IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
  paginateGetAccountAuthorizationDetails,
  type RoleDetail,
} from '@aws-sdk/client-iam';
import { iamService } from '../../src/emulator/iam/index.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';

const trustPolicy = (service: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const ACCESS_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Read & list <all>', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::my-bucket/a+b %20 é/*' }],
});
const LOGS_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] });
const MANAGED = (name: string, path = '/') => `arn:aws:iam::aws:policy${path}${name}`;

let emulator: TestEmulator;
let iam: IAMClient;

useEmulator([iamService()], (e, aws) => {
  emulator = e;
  iam = aws.iam;
});

const createRole = (name: string, service = 'bedrock-agentcore.amazonaws.com', extra: { Path?: string; PermissionsBoundary?: string } = {}) =>
  iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy(service), ...extra }));

const details = (input: ConstructorParameters<typeof GetAccountAuthorizationDetailsCommand>[0] = {}) => iam.send(new GetAccountAuthorizationDetailsCommand(input));

async function allRoles(pageSize: number): Promise<{ roles: RoleDetail[]; pages: number }> {
  const roles: RoleDetail[] = [];
  let pages = 0;
  for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize }, {})) {
    pages += 1;
    roles.push(...(page.RoleDetailList ?? []));
  }
  return { roles, pages };
}

describe('GetAccountAuthorizationDetails', () => {
  test('an empty account has empty lists and is not truncated', async () => {
    const out = await details();
    expect(out).toMatchObject({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [], IsTruncated: false });
    expect(out.Marker).toBeUndefined();
  });

  test('each role comes with its trust policy, inline and attached policies, boundary and tags', async () => {
    const created = (await createRole('AgentRole', 'bedrock-agentcore.amazonaws.com', { Path: '/agents/', PermissionsBoundary: MANAGED('PowerUserAccess') })).Role!;
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'access', PolicyDocument: ACCESS_POLICY }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'Logs', PolicyDocument: LOGS_POLICY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: MANAGED('ReadOnlyAccess') }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: MANAGED('AWSLambdaBasicExecutionRole', '/service-role/') }));
    await iam.send(new TagRoleCommand({ RoleName: 'AgentRole', Tags: [{ Key: 'team', Value: 'support' }, { Key: 'env', Value: 'prod' }] }));
    await createRole('Bare', 'lambda.amazonaws.com');

    const out = await details();
    expect(out.UserDetailList).toEqual([]);
    expect(out.GroupDetailList).toEqual([]);
    expect(out.Policies).toEqual([]);
    expect(out.IsTruncated).toBe(false);
    expect(out.RoleDetailList!.map((r) => r.RoleName)).toEqual(['AgentRole', 'Bare']);

    const [agent, bare] = out.RoleDetailList!;
    expect(agent).toMatchObject({
      Path: '/agents/',
      RoleName: 'AgentRole',
      RoleId: created.RoleId,
      Arn: 'arn:aws:iam::123456789012:role/agents/AgentRole',
      CreateDate: created.CreateDate,
      InstanceProfileList: [],
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: MANAGED('PowerUserAccess') },
      Tags: [
        { Key: 'team', Value: 'support' },
        { Key: 'env', Value: 'prod' },
      ],
    });
    expect(agent!.AssumeRolePolicyDocument).toBe((await iam.send(new GetRoleCommand({ RoleName: 'AgentRole' }))).Role!.AssumeRolePolicyDocument);
    expect(agent!.AssumeRolePolicyDocument).not.toContain('{');
    expect(decodeURIComponent(agent!.AssumeRolePolicyDocument!)).toBe(trustPolicy('bedrock-agentcore.amazonaws.com'));
    expect(agent!.RolePolicyList!.map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: decodeURIComponent(p.PolicyDocument!) }))).toEqual([
      { PolicyName: 'access', PolicyDocument: ACCESS_POLICY },
      { PolicyName: 'Logs', PolicyDocument: LOGS_POLICY },
    ]);
    expect(agent!.AttachedManagedPolicies).toEqual([
      { PolicyName: 'ReadOnlyAccess', PolicyArn: MANAGED('ReadOnlyAccess') },
      { PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: MANAGED('AWSLambdaBasicExecutionRole', '/service-role/') },
    ]);

    expect(decodeURIComponent(bare!.AssumeRolePolicyDocument!)).toBe(trustPolicy('lambda.amazonaws.com'));
    expect(bare).toMatchObject({ Path: '/', RolePolicyList: [], AttachedManagedPolicies: [], InstanceProfileList: [], Tags: [] });
    expect(bare!.PermissionsBoundary).toBeUndefined();
  });

  test('roles are ordered by name, whatever the creation order', async () => {
    for (const name of ['charlie', 'Alpha', 'bravo']) await createRole(name);
    expect((await details()).RoleDetailList!.map((r) => r.RoleName)).toEqual(['Alpha', 'bravo', 'charlie']);
  });

  test('MaxItems 1 pages through every role exactly once', async () => {
    const names = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const name of names) await createRole(name);
    const first = await details({ MaxItems: 1 });
    expect(first.RoleDetailList!.map((r) => r.RoleName)).toEqual(['r1']);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeDefined();

    const { roles, pages } = await allRoles(1);
    expect(pages).toBe(5);
    expect(roles.map((r) => r.RoleName)).toEqual(names);
  });

  test('without MaxItems a page holds up to 100 roles', async () => {
    for (let i = 0; i < 101; i++) await createRole(`role-${String(i).padStart(3, '0')}`);
    const first = await details();
    expect(first.RoleDetailList).toHaveLength(100);
    expect(first.IsTruncated).toBe(true);
    const second = await details({ Marker: first.Marker });
    expect(second.RoleDetailList!.map((r) => r.RoleName)).toEqual(['role-100']);
    expect(second.IsTruncated).toBe(false);
  });

  test('a filter without Role gives no roles; one with Role gives them', async () => {
    await createRole('AgentRole');
    expect(await details({ Filter: ['User'] })).toMatchObject({ RoleDetailList: [], UserDetailList: [], GroupDetailList: [], Policies: [], IsTruncated: false });
    expect((await details({ Filter: ['User', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] })).RoleDetailList).toEqual([]);
    expect((await details({ Filter: ['User', 'Role'] })).RoleDetailList!.map((r) => r.RoleName)).toEqual(['AgentRole']);
  });

  test('a deleted role is gone', async () => {
    await createRole('Keep');
    await createRole('Gone');
    await iam.send(new DeleteRoleCommand({ RoleName: 'Gone' }));
    expect((await details()).RoleDetailList!.map((r) => r.RoleName)).toEqual(['Keep']);
  });

  test('a bad MaxItems, Marker or Filter is a ValidationError', async () => {
    for (const MaxItems of [0, 1001]) {
      const error = await failure(details({ MaxItems }));
      expect(error).toMatchObject({ name: 'ValidationError', status: 400 });
      expect(error.message).toContain("at 'maxItems'");
    }
    expect(await failure(details({ Marker: 'not-a-marker' }))).toMatchObject({ name: 'ValidationError', status: 400 });
    const badFilter = await failure(details({ Filter: ['Robot' as 'Role'] }));
    expect(badFilter).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(badFilter.message).toContain("at 'filter.1.member'");
  });

  test('it is counted, and injected faults reach it', async () => {
    await emulator.admin('DELETE', 'counters');
    await details();
    expect(await emulator.admin('GET', 'counters')).toMatchObject({ 'iam:GetAccountAuthorizationDetails': { ok: 1 } });
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetAccountAuthorizationDetails', kind: 'internal', rate: 1, count: 1 }] });
    expect(await failure(details())).toMatchObject({ name: 'ServiceFailureException', status: 500 });
    expect((await details()).IsTruncated).toBe(false);
  });
});
