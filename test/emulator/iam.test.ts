import { beforeEach, describe, expect, test } from '@jest/globals';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  paginateListRolePolicies,
  type CreateRoleCommandInput,
  type Tag,
} from '@aws-sdk/client-iam';
import { iamService } from '../../src/emulator/iam/index.js';
import { startTestEmulator, useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock-agentcore.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const ACCESS_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Read & list <all>', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::my-bucket/a+b %20 é/*' }],
});
const MANAGED = (name: string, path = '/') => `arn:aws:iam::aws:policy${path}${name}`;

let emulator: TestEmulator;
let iam: IAMClient;

// One attempt (useEmulator's clients have maxAttempts 1): the SDK retries LimitExceeded, Throttling and 5xx, and the tests want the first answer.
useEmulator([iamService()], (e, aws) => {
  emulator = e;
  iam = aws.iam;
});



const createRole = (input: Partial<CreateRoleCommandInput> = {}) => iam.send(new CreateRoleCommand({ RoleName: 'AgentRole', AssumeRolePolicyDocument: TRUST_POLICY, ...input }));
const getRole = (name = 'AgentRole') => iam.send(new GetRoleCommand({ RoleName: name })).then((r) => r.Role!);

describe('roles', () => {
  test('CreateRole answers with the role, and GetRole returns the same role', async () => {
    const created = await createRole({
      Description: 'Runs the support agent',
      MaxSessionDuration: 7200,
      PermissionsBoundary: MANAGED('PowerUserAccess'),
      Tags: [{ Key: 'team', Value: 'support' }],
    });
    const role = await getRole();
    expect(role).toEqual(created.Role);
    expect(role).toMatchObject({
      Path: '/',
      RoleName: 'AgentRole',
      Arn: 'arn:aws:iam::123456789012:role/AgentRole',
      Description: 'Runs the support agent',
      MaxSessionDuration: 7200,
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: MANAGED('PowerUserAccess') },
      Tags: [{ Key: 'team', Value: 'support' }],
    });
    expect(role.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(role.CreateDate).toBeInstanceOf(Date);
    expect(Math.abs(role.CreateDate!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  test('defaults: path /, a one-hour session, no description, boundary or tags', async () => {
    const role = (await createRole()).Role!;
    expect(role.Path).toBe('/');
    expect(role.MaxSessionDuration).toBe(3600);
    expect(role.Description).toBeUndefined();
    expect(role.PermissionsBoundary).toBeUndefined();
    expect(role.Tags).toBeUndefined();
  });

  test('the path is part of the ARN', async () => {
    const role = (await createRole({ Path: '/agents/support/' })).Role!;
    expect(role.Arn).toBe('arn:aws:iam::123456789012:role/agents/support/AgentRole');
    expect((await getRole()).Path).toBe('/agents/support/');
  });

  test('the trust policy comes back URL-encoded and decodes to the document as given', async () => {
    await createRole();
    const encoded = (await getRole()).AssumeRolePolicyDocument!;
    expect(encoded).not.toContain('{');
    expect(decodeURIComponent(encoded)).toBe(TRUST_POLICY);
  });

  test('XML-special characters survive the round trip', async () => {
    await createRole({ Description: `a < b & c > d "quoted" 'single'` });
    expect((await getRole()).Description).toBe(`a < b & c > d "quoted" 'single'`);
  });

  test('line breaks and tabs in a description survive the round trip', async () => {
    await createRole({ Description: 'line one\r\nline two\ttabbed' });
    expect((await getRole()).Description).toBe('line one\r\nline two\ttabbed');
  });

  test('a control character echoed in an error message still gives parseable XML', async () => {
    expect(await failure(getRole('bad\u0001name'))).toMatchObject({ name: 'ValidationError', status: 400 });
  });

  test('role names are unique regardless of case, and found regardless of case', async () => {
    await createRole();
    expect(await failure(createRole({ RoleName: 'agentrole' }))).toMatchObject({ name: 'EntityAlreadyExistsException', status: 409 });
    expect((await getRole('AGENTROLE')).RoleName).toBe('AgentRole');
  });

  test('an unknown role is NoSuchEntity (404)', async () => {
    expect(await failure(getRole('Nope'))).toEqual({ name: 'NoSuchEntityException', status: 404, message: 'The role with name Nope cannot be found.' });
  });

  test('UpdateAssumeRolePolicy replaces the trust policy', async () => {
    await createRole();
    const updated = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'AgentRole', PolicyDocument: updated }));
    expect(decodeURIComponent((await getRole()).AssumeRolePolicyDocument!)).toBe(updated);
    expect(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Nope', PolicyDocument: updated })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
  });

  test('a policy that is not JSON is MalformedPolicyDocument (400)', async () => {
    expect(await failure(createRole({ AssumeRolePolicyDocument: '{"Version": ' }))).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
    await createRole();
    expect(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'AgentRole', PolicyDocument: 'not json' })))).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
    expect(await failure(iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'p', PolicyDocument: '[1, 2]' })))).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
  });

  test('a trust policy over 2048 characters is LimitExceeded (409)', async () => {
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(2100), Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(await failure(createRole({ AssumeRolePolicyDocument: big }))).toMatchObject({ name: 'LimitExceededException', status: 409 });
  });

  test('a permissions boundary that is not a policy ARN is InvalidInput (400)', async () => {
    expect(await failure(createRole({ PermissionsBoundary: 'arn:aws:s3:::not-a-policy-at-all' }))).toMatchObject({ name: 'InvalidInputException', status: 400 });
  });

  test('DeleteRole refuses while policies remain (DeleteConflict, 409), then deletes', async () => {
    await createRole();
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'inline', PolicyDocument: ACCESS_POLICY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: MANAGED('ReadOnlyAccess') }));
    expect(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'AgentRole' })))).toMatchObject({ name: 'DeleteConflictException', status: 409 });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'inline' }));
    expect(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'AgentRole' })))).toMatchObject({ name: 'DeleteConflictException', status: 409 });
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: MANAGED('ReadOnlyAccess') }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'AgentRole' }));
    expect(await failure(getRole())).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    expect(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'AgentRole' })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
  });

  test('IAM is global: a role created through one region is seen through another', async () => {
    await createRole();
    const elsewhere = new IAMClient({ ...emulator.clientConfig, region: 'eu-central-1', maxAttempts: 1 });
    expect((await elsewhere.send(new GetRoleCommand({ RoleName: 'AgentRole' }))).Role?.RoleName).toBe('AgentRole');
    elsewhere.destroy();
    const state = await emulator.admin<{ iam: { roles: Record<string, unknown> } }>('GET', 'state');
    expect(Object.keys(state.iam.roles)).toEqual(['agentrole']);
  });
});

describe('inline policies', () => {
  beforeEach(async () => {
    await createRole();
  });

  test('PutRolePolicy stores the document; GetRolePolicy returns it URL-encoded', async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'read-bucket', PolicyDocument: ACCESS_POLICY }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'read-bucket' }));
    expect(got).toMatchObject({ RoleName: 'AgentRole', PolicyName: 'read-bucket' });
    expect(got.PolicyDocument).not.toBe(ACCESS_POLICY);
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(ACCESS_POLICY);
  });

  test('putting a policy again replaces it', async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'p', PolicyDocument: ACCESS_POLICY }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'p' }));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe('{"Version":"2012-10-17","Statement":[]}');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole' }))).PolicyNames).toEqual(['p']);
  });

  test('ListRolePolicies names them; DeleteRolePolicy removes one', async () => {
    for (const name of ['b', 'a', 'c']) await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: name, PolicyDocument: ACCESS_POLICY }));
    expect(await iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole' }))).toMatchObject({ PolicyNames: ['a', 'b', 'c'], IsTruncated: false });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'b' }));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole' }))).PolicyNames).toEqual(['a', 'c']);
  });

  test('an unknown policy or role is NoSuchEntity (404)', async () => {
    const notFound = { name: 'NoSuchEntityException', status: 404 };
    expect(await failure(iam.send(new GetRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'missing' })))).toMatchObject(notFound);
    expect(await failure(iam.send(new DeleteRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'missing' })))).toMatchObject(notFound);
    expect(await failure(iam.send(new PutRolePolicyCommand({ RoleName: 'Nope', PolicyName: 'p', PolicyDocument: ACCESS_POLICY })))).toMatchObject(notFound);
    expect(await failure(iam.send(new ListRolePoliciesCommand({ RoleName: 'Nope' })))).toMatchObject(notFound);
  });

  test('inline policies over 10240 characters in all are LimitExceeded (409)', async () => {
    const half = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(6000), Effect: 'Allow', Action: '*', Resource: '*' }] });
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'one', PolicyDocument: half }));
    expect(await failure(iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'two', PolicyDocument: half })))).toMatchObject({ name: 'LimitExceededException', status: 409 });
    await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'one', PolicyDocument: half }));
  });
});

describe('attached managed policies', () => {
  beforeEach(async () => {
    await createRole();
  });

  const attach = (arn: string) => iam.send(new AttachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: arn }));
  const listAttached = (pathPrefix?: string) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AgentRole', PathPrefix: pathPrefix }));

  test('attach, list with names read from the ARN, filter by path, detach', async () => {
    await attach(MANAGED('ReadOnlyAccess'));
    await attach(MANAGED('AmazonECSTaskExecutionRolePolicy', '/service-role/'));
    await attach('arn:aws:iam::123456789012:policy/agents/AgentAccess');
    expect((await listAttached()).AttachedPolicies).toEqual(
      expect.arrayContaining([
        { PolicyName: 'ReadOnlyAccess', PolicyArn: MANAGED('ReadOnlyAccess') },
        { PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: MANAGED('AmazonECSTaskExecutionRolePolicy', '/service-role/') },
        { PolicyName: 'AgentAccess', PolicyArn: 'arn:aws:iam::123456789012:policy/agents/AgentAccess' },
      ]),
    );
    expect((await listAttached('/service-role/')).AttachedPolicies).toEqual([{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: MANAGED('AmazonECSTaskExecutionRolePolicy', '/service-role/') }]);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: MANAGED('ReadOnlyAccess') }));
    expect((await listAttached()).AttachedPolicies).toHaveLength(2);
  });

  test('attaching twice is harmless', async () => {
    await attach(MANAGED('ReadOnlyAccess'));
    await attach(MANAGED('ReadOnlyAccess'));
    expect((await listAttached()).AttachedPolicies).toHaveLength(1);
  });

  test('detaching a policy that is not attached is NoSuchEntity (404)', async () => {
    expect(await failure(iam.send(new DetachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: MANAGED('ReadOnlyAccess') })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    expect(await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'Nope', PolicyArn: MANAGED('ReadOnlyAccess') })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    expect(await failure(iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'Nope' })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
  });

  test('an ARN that is not a policy ARN is InvalidInput (400)', async () => {
    expect(await failure(attach('arn:aws:iam::123456789012:role/SomeRole'))).toMatchObject({ name: 'InvalidInputException', status: 400 });
    expect(await failure(iam.send(new DetachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: 'this-is-not-an-arn-at-all' })))).toMatchObject({ name: 'InvalidInputException', status: 400 });
  });

  test('an eleventh attached policy is LimitExceeded (409)', async () => {
    for (let i = 0; i < 10; i++) await attach(MANAGED(`Policy${i}`));
    expect(await failure(attach(MANAGED('Policy10')))).toMatchObject({ name: 'LimitExceededException', status: 409 });
  });
});

describe('tags', () => {
  beforeEach(async () => {
    await createRole({ Tags: [{ Key: 'team', Value: 'support' }] });
  });

  const listTags = () => iam.send(new ListRoleTagsCommand({ RoleName: 'AgentRole' })).then((r) => r.Tags);
  const manyTags = (n: number, prefix = 'k'): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));

  test('TagRole adds tags and replaces a value whatever the key case; UntagRole removes', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'AgentRole', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'Team', Value: 'platform' }, { Key: 'empty', Value: '' }] }));
    expect(await listTags()).toEqual([
      { Key: 'empty', Value: '' },
      { Key: 'env', Value: 'prod' },
      { Key: 'Team', Value: 'platform' },
    ]);
    await iam.send(new UntagRoleCommand({ RoleName: 'AgentRole', TagKeys: ['TEAM', 'empty', 'absent'] }));
    expect(await listTags()).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect((await getRole()).Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
  });

  test('keys differing only in case in one request are InvalidInput (400)', async () => {
    const duplicate = [{ Key: 'Env', Value: 'a' }, { Key: 'env', Value: 'b' }];
    expect(await failure(iam.send(new TagRoleCommand({ RoleName: 'AgentRole', Tags: duplicate })))).toMatchObject({ name: 'InvalidInputException', status: 400 });
    expect(await failure(createRole({ RoleName: 'Other', Tags: duplicate }))).toMatchObject({ name: 'InvalidInputException', status: 400 });
  });

  test('more than 50 tags on a role is LimitExceeded (409)', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'AgentRole', Tags: manyTags(49) }));
    expect(await listTags()).toHaveLength(50);
    expect(await failure(iam.send(new TagRoleCommand({ RoleName: 'AgentRole', Tags: [{ Key: 'one-more', Value: 'x' }] })))).toMatchObject({ name: 'LimitExceededException', status: 409 });
    await iam.send(new TagRoleCommand({ RoleName: 'AgentRole', Tags: [{ Key: 'K0', Value: 'replaced' }] }));
  });

  test('more than 50 tags in one request breaks the model constraint (ValidationError)', async () => {
    const answer = await failure(createRole({ RoleName: 'Other', Tags: manyTags(51) }));
    expect(answer).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(answer.message).toContain("'tags'");
  });

  test('an unknown role is NoSuchEntity (404)', async () => {
    const notFound = { name: 'NoSuchEntityException', status: 404 };
    expect(await failure(iam.send(new TagRoleCommand({ RoleName: 'Nope', Tags: [{ Key: 'a', Value: 'b' }] })))).toMatchObject(notFound);
    expect(await failure(iam.send(new UntagRoleCommand({ RoleName: 'Nope', TagKeys: ['a'] })))).toMatchObject(notFound);
    expect(await failure(iam.send(new ListRoleTagsCommand({ RoleName: 'Nope' })))).toMatchObject(notFound);
  });
});

describe('pagination with Marker, MaxItems and IsTruncated', () => {
  beforeEach(async () => {
    await createRole();
  });

  test('ListRolePolicies pages through every policy once', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `policy-${String(i).padStart(2, '0')}`);
    for (const name of names) await iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: name, PolicyDocument: '{}' }));
    const first = await iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole', MaxItems: 10 }));
    expect(first.PolicyNames).toEqual(names.slice(0, 10));
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeDefined();
    const second = await iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole', MaxItems: 10, Marker: first.Marker }));
    expect(second.PolicyNames).toEqual(names.slice(10, 20));
    const third = await iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole', MaxItems: 10, Marker: second.Marker }));
    expect(third).toMatchObject({ PolicyNames: names.slice(20), IsTruncated: false });
    expect(third.Marker).toBeUndefined();

    const viaPaginator: string[] = [];
    for await (const page of paginateListRolePolicies({ client: iam, pageSize: 7 }, { RoleName: 'AgentRole' })) viaPaginator.push(...(page.PolicyNames ?? []));
    expect(viaPaginator).toEqual(names);
  });

  test('ListRoleTags and ListAttachedRolePolicies page too', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'AgentRole', Tags: Array.from({ length: 5 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }));
    const tagsFirst = await iam.send(new ListRoleTagsCommand({ RoleName: 'AgentRole', MaxItems: 3 }));
    expect(tagsFirst).toMatchObject({ IsTruncated: true, Tags: [{ Key: 'k0' }, { Key: 'k1' }, { Key: 'k2' }] });
    const tagsRest = await iam.send(new ListRoleTagsCommand({ RoleName: 'AgentRole', MaxItems: 3, Marker: tagsFirst.Marker }));
    expect(tagsRest).toMatchObject({ IsTruncated: false, Tags: [{ Key: 'k3' }, { Key: 'k4' }] });

    for (let i = 0; i < 4; i++) await iam.send(new AttachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: MANAGED(`P${i}`) }));
    const attachedFirst = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AgentRole', MaxItems: 2 }));
    expect(attachedFirst.IsTruncated).toBe(true);
    const attachedRest = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AgentRole', MaxItems: 2, Marker: attachedFirst.Marker }));
    expect(attachedRest.IsTruncated).toBe(false);
    expect([...attachedFirst.AttachedPolicies!, ...attachedRest.AttachedPolicies!].map((p) => p.PolicyName)).toEqual(['P0', 'P1', 'P2', 'P3']);
  });

  test('a marker the emulator did not issue is a ValidationError', async () => {
    expect(await failure(iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole', Marker: 'made-up' })))).toMatchObject({ name: 'ValidationError', status: 400 });
  });
});

describe('validation against the model', () => {
  test.each<[string, () => Promise<unknown>, string]>([
    ['a role name with a space', () => createRole({ RoleName: 'agent role' }), "'roleName'"],
    ['a role name of 65 characters', () => createRole({ RoleName: 'r'.repeat(65) }), 'length less than or equal to 64'],
    ['an empty role name', () => getRole(''), 'length greater than or equal to 1'],
    ['no role name', () => iam.send(new GetRoleCommand({} as never)), "Value null at 'roleName'"],
    ['no trust policy', () => iam.send(new CreateRoleCommand({ RoleName: 'AgentRole' } as never)), "'assumeRolePolicyDocument'"],
    ['a path without a trailing slash', () => createRole({ Path: '/agents' }), "'path'"],
    ['a session of less than an hour', () => createRole({ MaxSessionDuration: 600 }), 'value greater than or equal to 3600'],
    ['a session of more than 12 hours', () => createRole({ MaxSessionDuration: 43201 }), 'value less than or equal to 43200'],
    ['a description of 1001 characters', () => createRole({ Description: 'd'.repeat(1001) }), "'description'"],
    ['a short permissions boundary', () => createRole({ PermissionsBoundary: 'arn:aws:iam::x' }), "'permissionsBoundary'"],
    ['a tag key with a forbidden character', () => createRole({ Tags: [{ Key: 'a*b', Value: 'v' }] }), "'tags.1.member.key'"],
    ['a policy document beyond Latin-1', () => createRole({ AssumeRolePolicyDocument: '{"Sid":"\u4e2d"}' }), "'assumeRolePolicyDocument'"],
    ['a policy name with a slash', () => iam.send(new PutRolePolicyCommand({ RoleName: 'AgentRole', PolicyName: 'a/b', PolicyDocument: '{}' })), "'policyName'"],
    ['MaxItems of 0', () => iam.send(new ListRolePoliciesCommand({ RoleName: 'AgentRole', MaxItems: 0 })), "'maxItems'"],
    ['a path prefix without a leading slash', () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AgentRole', PathPrefix: 'service-role/' })), "'pathPrefix'"],
    ['an empty tag key to remove', () => iam.send(new UntagRoleCommand({ RoleName: 'AgentRole', TagKeys: [''] })), "'tagKeys.1.member'"],
    ['a short policy ARN', () => iam.send(new AttachRolePolicyCommand({ RoleName: 'AgentRole', PolicyArn: 'arn:short' })), "'policyArn'"],
  ])('%s is a ValidationError (400) naming the member', async (_, call, inMessage) => {
    const answer = await failure(call());
    expect(answer).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(answer.message).toContain(inMessage);
  });

  test('every violation is reported at once', async () => {
    const answer = await failure(iam.send(new CreateRoleCommand({ RoleName: 'bad name', Path: 'x' } as never)));
    expect(answer.message).toMatch(/^3 validation errors detected: /);
    expect(answer.message).toContain("'roleName'");
    expect(answer.message).toContain("'path'");
    expect(answer.message).toContain("Value null at 'assumeRolePolicyDocument'");
  });
});

describe('protocol', () => {
  test('an unknown Action is InvalidAction (400)', async () => {
    const client = new IAMClient({ ...emulator.clientConfig, maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: unknown; headers: Record<string, string> };
        if (typeof request.body === 'string') {
          const body = request.body.replace('Action=GetRole&', 'Action=GetRoles&');
          request.body = body;
          if (request.headers['content-length'] !== undefined) request.headers['content-length'] = String(Buffer.byteLength(body));
        }
        return next(args);
      },
      { step: 'build', name: 'renameAction' },
    );
    expect(await failure(client.send(new GetRoleCommand({ RoleName: 'AgentRole' })))).toMatchObject({ name: 'InvalidAction', status: 400 });
    client.destroy();
  });

  test('an unsigned request is refused with MissingAuthenticationToken (403)', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetRole&Version=2010-05-08&RoleName=AgentRole',
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  test('calls are counted per operation and outcome', async () => {
    await emulator.admin('DELETE', 'counters');
    await createRole();
    await failure(getRole('Nope'));
    const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
    expect(counters).toMatchObject({ 'iam:CreateRole': { ok: 1 }, 'iam:GetRole': { NoSuchEntity: 1 } });
  });

  test('an injected throttle is Throttling; an injected failure is ServiceFailure (500)', async () => {
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetRole', kind: 'throttle', rate: 1, count: 1 }, { operation: 'ListRoleTags', kind: 'internal', rate: 1, count: 1 }] });
    await createRole();
    expect(await failure(getRole())).toMatchObject({ name: 'Throttling', status: 429 });
    expect(await failure(iam.send(new ListRoleTagsCommand({ RoleName: 'AgentRole' })))).toMatchObject({ name: 'ServiceFailureException', status: 500 });
    expect((await getRole()).RoleName).toBe('AgentRole');
  });

  test('the rate quota throttles with Throttling', async () => {
    const throttled = await startTestEmulator([iamService()], { rateScale: 1, rates: { iam: 1 } });
    const client = new IAMClient({ ...throttled.clientConfig, maxAttempts: 1 });
    await failure(client.send(new GetRoleCommand({ RoleName: 'AgentRole' })));
    expect(await failure(client.send(new GetRoleCommand({ RoleName: 'AgentRole' })))).toMatchObject({ name: 'Throttling', status: 429 });
    client.destroy();
    await throttled.close();
  });

  test('the admin API lists roles', async () => {
    await createRole();
    const { roles } = await emulator.admin<{ roles: { name: string; arn: string }[] }>('GET', 'iam/roles');
    expect(roles).toEqual([expect.objectContaining({ name: 'AgentRole', arn: 'arn:aws:iam::123456789012:role/AgentRole' })]);
  });
});
