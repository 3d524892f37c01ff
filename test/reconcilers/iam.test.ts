import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand,
  PutRolePolicyCommand, UntagRoleCommand,
} from '@aws-sdk/client-iam';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import { iamService } from '../../src/emulator/iam/index.js';
import { TerminalError } from '../../src/reconcilers/errors.js';
import {
  canonicalPolicy, checkOwnership, defaultRoleName, ensureManagedRole, INLINE_POLICY_NAME, isRolePropagationError, managedRoleRequest, MEMORY_ACTIONS,
  planManagedRole, removeManagedRole, retryForRolePropagation, roleChanges, runtimePolicy, samePolicy, trustPolicy,
  type DesiredRole, type ManagedRoleSpec, type ObservedRole, type PolicyDocument, type PolicyStatement, type RoleChange, type RuntimePolicyInputs,
} from '../../src/reconcilers/iam/index.js';
import { DEFAULT_SETTINGS, type ReconcileEnv } from '../../src/reconcilers/kind.js';
import { ownershipTags, type Owner } from '../../src/reconcilers/ownership.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const ACCOUNT = '123456789012';
const REGION = 'us-west-2';
const OWNER: Owner = { owner: 'agents/AgentRuntime/support-agent', source: 'test' };
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/support-agent:1`;
const MEMORY_ARN = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:memory/support_memory-abcdefghij`;
const GATEWAY_ARN = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:gateway/support-tools-abcdefghij`;
const MANAGED = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const INVOKE_MODEL: PolicyStatement = { Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: `arn:aws:bedrock:${REGION}::foundation-model/*` };

const bySid = (doc: PolicyDocument) => Object.fromEntries(doc.Statement.map((s) => [s.Sid ?? '(none)', s]));

describe('trust policies', () => {
  test.each<[string, Parameters<typeof trustPolicy>[0], unknown]>([
    ['runtime: AgentCore alone', 'runtime', 'bedrock-agentcore.amazonaws.com'],
    ['memory: Bedrock (its models) and AgentCore', 'memory', ['bedrock.amazonaws.com', 'bedrock-agentcore.amazonaws.com']],
    ['gateway: AgentCore alone', 'gateway', 'bedrock-agentcore.amazonaws.com'],
  ])('%s', (_, service, principal) => {
    expect(trustPolicy(service, ACCOUNT)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'AgentCoreAssumeRole', Effect: 'Allow', Principal: { Service: principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }],
    });
  });

  test('an account id that is not 12 digits is refused', () => {
    expect(() => trustPolicy('runtime', '12345')).toThrow(TerminalError);
  });
});

describe('the runtime execution policy', () => {
  const base: RuntimePolicyInputs = { region: REGION, account: ACCOUNT };
  const LOGS = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/*`;

  test.each<[string, Partial<RuntimePolicyInputs>, string[]]>([
    ['a private ECR image: pull from its repository, logs, traces', { image: IMAGE }, ['PullImage', 'EcrToken', 'LogGroups', 'LogStreams', 'Traces']],
    ['a public ECR image needs no ECR permissions', { image: 'public.ecr.aws/acme/agent:1' }, ['LogGroups', 'LogStreams', 'Traces']],
    ['a code zip: read of its object instead of ECR', { code: { bucket: 'agent-code', prefix: 'agents/support.zip' } }, ['LogGroups', 'LogStreams', 'Traces', 'CodeZip']],
    ['memory and gateway when referenced', { image: IMAGE, memoryArn: MEMORY_ARN, gatewayArn: GATEWAY_ARN }, ['PullImage', 'EcrToken', 'LogGroups', 'LogStreams', 'Traces', 'Memory', 'Gateway']],
    ['the user\'s statements last, as written', { image: IMAGE, statements: [INVOKE_MODEL] }, ['PullImage', 'EcrToken', 'LogGroups', 'LogStreams', 'Traces', '(none)']],
  ])('%s', (_, extra, sids) => {
    const doc = runtimePolicy({ ...base, ...extra });
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement.map((s) => s.Sid ?? '(none)')).toEqual(sids);
    expect(doc.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  test.each<[string, Partial<RuntimePolicyInputs>, string, { Action: unknown; Resource: unknown }]>([
    ['ECR pull is scoped to the image\'s repository', { image: IMAGE }, 'PullImage', { Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/support-agent` }],
    [
      'an image in another account and region, by digest, in a nested repository',
      { image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/agent@sha256:' + 'a'.repeat(64) },
      'PullImage',
      { Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: 'arn:aws:ecr:eu-west-1:111122223333:repository/team/agent' },
    ],
    ['the ECR token on "*"', { image: IMAGE }, 'EcrToken', { Action: 'ecr:GetAuthorizationToken', Resource: '*' }],
    ['log groups under /aws/bedrock-agentcore/runtimes/', {}, 'LogGroups', { Action: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'], Resource: LOGS }],
    ['log streams of those groups', {}, 'LogStreams', { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${LOGS}:log-stream:*` }],
    ['X-Ray traces', {}, 'Traces', { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*' }],
    ['the memory\'s events and records on its ARN', { memoryArn: MEMORY_ARN }, 'Memory', { Action: MEMORY_ACTIONS, Resource: MEMORY_ARN }],
    ['InvokeGateway on the gateway\'s ARN', { gatewayArn: GATEWAY_ARN }, 'Gateway', { Action: 'bedrock-agentcore:InvokeGateway', Resource: GATEWAY_ARN }],
    ['the code zip\'s object', { code: { bucket: 'agent-code', prefix: 'agents/support.zip' } }, 'CodeZip', { Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::agent-code/agents/support.zip' }],
    ['China regions use the aws-cn partition', { region: 'cn-north-1' }, 'LogGroups', { Action: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'], Resource: `arn:aws-cn:logs:cn-north-1:${ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/*` }],
  ])('%s', (_, extra, sid, expected) => {
    expect(bySid(runtimePolicy({ ...base, ...extra }))[sid]).toMatchObject(expected);
  });

  test('the memory statement grants exactly the six event and record actions', () => {
    expect(MEMORY_ACTIONS.map((a) => a.replace('bedrock-agentcore:', ''))).toEqual(['CreateEvent', 'GetEvent', 'ListEvents', 'RetrieveMemoryRecords', 'ListMemoryRecords', 'GetMemoryRecord']);
  });

  test('the user\'s statements are copied, not shared', () => {
    const statement: PolicyStatement = { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/*' };
    const doc = runtimePolicy({ ...base, statements: [statement] });
    (statement.Action as string[]).push('s3:PutObject');
    expect(doc.Statement.at(-1)!.Action).toEqual(['s3:GetObject']);
  });
});

describe('samePolicy: documents that say the same thing', () => {
  const doc = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
  const allow = { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::b' };

  test.each<[string, unknown, unknown]>([
    ['keys in another order', doc(allow), { Statement: [{ Resource: 'arn:aws:s3:::b', Action: ['s3:GetObject', 's3:ListBucket'], Effect: 'Allow' }], Version: '2012-10-17' }],
    ['one string and a one-element list (Action)', doc({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }), doc({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' })],
    ['one string and a one-element list (Resource)', doc({ Effect: 'Allow', Action: 'x:Y', Resource: 'arn:aws:s3:::b' }), doc({ Effect: 'Allow', Action: 'x:Y', Resource: ['arn:aws:s3:::b'] })],
    ['one string and a one-element list (Principal)', trustPolicy('runtime', ACCOUNT), doc({ Sid: 'AgentCoreAssumeRole', Effect: 'Allow', Principal: { Service: ['bedrock-agentcore.amazonaws.com'] }, Action: ['sts:AssumeRole'], Condition: { StringEquals: { 'aws:SourceAccount': [ACCOUNT] } } })],
    ['a list in another order', doc(allow), doc({ ...allow, Action: ['s3:ListBucket', 's3:GetObject'] })],
    ['principals in another order', trustPolicy('memory', ACCOUNT), { ...trustPolicy('memory', ACCOUNT), Statement: [{ ...trustPolicy('memory', ACCOUNT).Statement[0], Principal: { Service: ['bedrock-agentcore.amazonaws.com', 'bedrock.amazonaws.com'] } }] }],
    ['statements in another order', doc(allow, { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }), doc({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }, allow)],
    ['a single statement object and a one-element list', doc(allow), { Version: '2012-10-17', Statement: allow }],
    ['IAM\'s percent-encoded JSON and the document', encodeURIComponent(JSON.stringify(doc(allow))), doc(allow)],
    ['JSON with whitespace and the document', JSON.stringify(doc(allow), null, 2), doc(allow)],
  ])('%s', (_, a, b) => {
    expect(samePolicy(a, b)).toBe(true);
    expect(canonicalPolicy(a)).toBe(canonicalPolicy(b));
  });

  test.each<[string, unknown, unknown]>([
    ['another action', doc(allow), doc({ ...allow, Action: ['s3:GetObject', 's3:PutObject'] })],
    ['another resource', doc(allow), doc({ ...allow, Resource: 'arn:aws:s3:::c' })],
    ['Allow and Deny', doc(allow), doc({ ...allow, Effect: 'Deny' })],
    ['one statement more', doc(allow), doc(allow, { Effect: 'Allow', Action: 'x:Y', Resource: '*' })],
    ['another source account', trustPolicy('runtime', ACCOUNT), trustPolicy('runtime', '210987654321')],
    ['another service', trustPolicy('runtime', ACCOUNT), trustPolicy('memory', ACCOUNT)],
    ['another version', doc(allow), { Version: '2008-10-17', Statement: [allow] }],
    ['Action and NotAction', doc(allow), doc({ Effect: 'Allow', NotAction: allow.Action, Resource: allow.Resource })],
  ])('differ: %s', (_, a, b) => {
    expect(samePolicy(a, b)).toBe(false);
  });
});

describe('default role names', () => {
  const owner = (o: string): Owner => ({ owner: o, source: 'test' });

  test.each<[string, string, string]>([
    ['kind in lower case, then namespace and name', 'agents/AgentRuntime/support-agent', 'agentcore-agentruntime-agents-support-agent'],
    ['dots in the name are kept (IAM allows them)', 'prod/Gateway/tools.v2', 'agentcore-gateway-prod-tools.v2'],
    ['exactly 64 characters is not cut', `a/Memory/${'m'.repeat(64 - 'agentcore-memory-a-'.length)}`, `agentcore-memory-a-${'m'.repeat(64 - 'agentcore-memory-a-'.length)}`],
  ])('%s', (_, o, expected) => {
    expect(defaultRoleName(owner(o))).toBe(expected);
  });

  test('a long name is cut to 64 characters and ends in a hash of the whole name', () => {
    const long = `agents/AgentRuntime/${'customer-support-agent-'.repeat(5)}eu`;
    const name = defaultRoleName(owner(long));
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^agentcore-agentruntime-agents-customer-support-agent-[\w.-]*-[0-9a-f]{8}$/);
    expect(name).toMatch(/^[\w+=,.@-]{1,64}$/);
    expect(defaultRoleName(owner(long))).toBe(name);
    expect(defaultRoleName(owner(long.replace(/eu$/, 'us')))).not.toBe(name);
  });
});

describe('roleChanges: the writes that bring a role in line', () => {
  const inline = runtimePolicy({ region: REGION, account: ACCOUNT, image: IMAGE });
  const desired: DesiredRole = {
    roleName: 'R',
    path: '/agentcore/',
    trustPolicy: trustPolicy('runtime', ACCOUNT),
    inlinePolicyName: INLINE_POLICY_NAME,
    inlinePolicy: inline,
    managedPolicyArns: [MANAGED('A'), MANAGED('B')],
    tags: ownershipTags(OWNER),
  };
  const observed: ObservedRole = {
    arn: `arn:aws:iam::${ACCOUNT}:role/agentcore/R`,
    path: '/agentcore/',
    trustPolicy: encodeURIComponent(JSON.stringify(trustPolicy('runtime', ACCOUNT))),
    tags: { ...ownershipTags(OWNER), team: 'support' },
    inlinePolicyNames: [INLINE_POLICY_NAME],
    inlinePolicy: JSON.parse(JSON.stringify(inline)) as unknown,
    managedPolicyArns: [MANAGED('B'), MANAGED('A')],
  };

  test.each<[string, Partial<DesiredRole>, Partial<ObservedRole>, RoleChange[]]>([
    ['nothing differs (attachments listed in another order, a tag of someone else\'s)', {}, {}, []],
    ['the inline policy name differs only by case', {}, { inlinePolicyNames: ['AgentCore-Operator'] }, []],
    ['another trust policy', { trustPolicy: trustPolicy('memory', ACCOUNT) }, {}, [{ type: 'updateTrust' }]],
    ['a changed statement', { inlinePolicy: { ...inline, Statement: [...inline.Statement, INVOKE_MODEL] } }, {}, [{ type: 'putInline', name: INLINE_POLICY_NAME }]],
    ['the inline policy missing', {}, { inlinePolicyNames: [], inlinePolicy: undefined }, [{ type: 'putInline', name: INLINE_POLICY_NAME }]],
    ['an inline policy that is not ours', {}, { inlinePolicyNames: ['added-by-hand', INLINE_POLICY_NAME] }, [{ type: 'deleteInline', name: 'added-by-hand' }]],
    ['no statements wanted any more', { inlinePolicy: { Version: '2012-10-17', Statement: [] } }, {}, [{ type: 'deleteInline', name: INLINE_POLICY_NAME }]],
    ['a managed policy removed from the spec', { managedPolicyArns: [MANAGED('A')] }, {}, [{ type: 'detach', arn: MANAGED('B') }]],
    ['a managed policy added and one removed', { managedPolicyArns: [MANAGED('A'), MANAGED('C')] }, {}, [{ type: 'detach', arn: MANAGED('B') }, { type: 'attach', arn: MANAGED('C') }]],
    ['a permissions boundary added', { permissionsBoundaryArn: MANAGED('Boundary') }, {}, [{ type: 'putBoundary', arn: MANAGED('Boundary') }]],
    ['a permissions boundary changed', { permissionsBoundaryArn: MANAGED('Boundary') }, { permissionsBoundaryArn: MANAGED('Old') }, [{ type: 'putBoundary', arn: MANAGED('Boundary') }]],
    ['a permissions boundary the spec no longer names is kept: removing it would widen the role', {}, { permissionsBoundaryArn: MANAGED('Old') }, []],
    ['the source tag missing', {}, { tags: { 'agentcore.dev/managed-by': 'agentcore-operator', 'agentcore.dev/owner': OWNER.owner } }, [{ type: 'tag', tags: { 'agentcore.dev/source': 'test' } }]],
  ])('%s', (_, d, o, expected) => {
    expect(roleChanges({ ...desired, ...d }, { ...observed, ...o })).toEqual(expected);
  });

  test('a role on another path cannot be moved: refused', () => {
    expect(() => roleChanges(desired, { ...observed, path: '/' })).toThrow(/cannot move a role to another path/);
  });

  const other = ownershipTags({ owner: 'team-b/AgentRuntime/other', source: 'kubernetes' });
  test.each<[string, Record<string, string>, { adopt?: boolean; crossOwner?: boolean }, RegExp | undefined]>([
    ['our tags', ownershipTags(OWNER), {}, undefined],
    ['no tags', {}, {}, /already exists and is not managed by this object/],
    ['another object\'s tags', other, {}, /is managed by team-b\/AgentRuntime\/other; give the managed role another roleName/],
    ['no tags, adopting', {}, { adopt: true }, undefined],
    ['another object\'s tags, adopting by the annotation alone', other, { adopt: true }, /needs the operator setting --allow-cross-owner-adoption/],
    ['another object\'s tags, adopting where the administrator allows it', other, { adopt: true, crossOwner: true }, undefined],
    ['another object\'s tags, the setting without the annotation', other, { crossOwner: true }, /is managed by team-b/],
  ])('checkOwnership: %s', (_, tags, may, refusal) => {
    const check = () => checkOwnership('R', tags, OWNER, may);
    if (refusal) expect(check).toThrow(refusal);
    else expect(check).not.toThrow();
  });
});

describe('role propagation errors', () => {
  const error = (name: string, message: string) => Object.assign(new Error(message), { name });

  test.each<[string, unknown, boolean]>([
    ['runtime: role validation failed', error('ValidationException', "Role validation failed for 'arn:aws:iam::123456789012:role/agentcore/R'. Please verify that the role has the correct trust relationship"), true],
    ['in another case', error('ValidationException', 'ROLE VALIDATION FAILED'), true],
    ['a role that cannot be assumed', error('ValidationException', 'The provided role cannot be assumed by bedrock-agentcore.amazonaws.com'), true],
    ['unable to assume the role', error('ValidationException', 'Unable to assume role arn:aws:iam::123456789012:role/R'), true],
    ['a role that is not assumable', error('ValidationException', 'Role is not assumable by the service'), true],
    ['ECR access while the role propagates', error('ValidationException', 'Access denied while validating ECR URI 123456789012.dkr.ecr.us-west-2.amazonaws.com/a:1'), true],
    ['memory: no valid trust policy', error('ValidationException', 'Memory execution role does not have a valid trust policy'), true],
    ['memory: no access to the provided role', error('ValidationException', 'Bedrock does not have access to provided memory execution role'), true],
    ['gateway target: the role lacks permission', error('ValidationException', 'Gateway execution role lacks permission to invoke the Lambda function'), true],
    ['a field constraint on roleArn is a real validation error', error('ValidationException', "1 validation error detected: Value 'x' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern"), false],
    ['another validation error', error('ValidationException', 'Container image not found'), false],
    ['the same words from another error', error('AccessDeniedException', 'Role validation failed'), false],
    ['not found', error('ResourceNotFoundException', 'no such runtime'), false],
    ['not an error', undefined, false],
  ])('%s', (_, e, expected) => {
    expect(isRolePropagationError(e)).toBe(expected);
  });

  const created = new Date('2026-01-01T00:00:00Z');
  const at = (seconds: number) => new Date(created.getTime() + seconds * 1000);
  const propagating = error('ValidationException', 'Role validation failed');

  test.each<[string, unknown, Date | undefined, Date, boolean]>([
    ['right after the role was created', propagating, created, at(5), true],
    ['just under two minutes later', propagating, created, at(119), true],
    ['two minutes later: the user\'s to fix', propagating, created, at(120), false],
    ['a role the operator did not create (no creation time)', propagating, undefined, at(5), false],
    ['another error right after creation', error('ValidationException', 'Container image not found'), created, at(5), false],
    ['our clock a little behind IAM\'s', propagating, created, at(-2), true],
  ])('retryForRolePropagation: %s', (_, e, createdAt, now, expected) => {
    expect(retryForRolePropagation(e, createdAt, now)).toBe(expected);
  });
});

describe('managed roles against the emulator', () => {
  let emulator: TestEmulator;
  let aws: AwsClients;
  beforeAll(async () => {
    emulator = await startTestEmulator([iamService()]);
    aws = awsClients({ endpointUrl: emulator.url, region: REGION, credentials: emulator.clientConfig.credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    aws.destroy();
    await emulator.close();
  });
  beforeEach(async () => {
    await emulator.admin('POST', 'reset');
  });

  function env(owner: Owner = OWNER): ReconcileEnv {
    return {
      aws,
      owner,
      now: () => new Date(),
      pollMs: 10,
      lookup: () => undefined,
      secret: () => Promise.reject(new Error('no secrets here')),
      settings: DEFAULT_SETTINGS,
    };
  }

  const ROLE_NAME = 'agentcore-agentruntime-agents-support-agent';
  const spec = (extra: Partial<ManagedRoleSpec> = {}): ManagedRoleSpec => ({ managedPolicyArns: [MANAGED('B'), MANAGED('A')], statements: [INVOKE_MODEL], ...extra });
  const policiesFor = (s: ManagedRoleSpec) => ({
    trustPolicy: trustPolicy('runtime', ACCOUNT),
    inlinePolicy: runtimePolicy({ region: REGION, account: ACCOUNT, image: IMAGE, memoryArn: MEMORY_ARN, statements: s.statements as PolicyStatement[] | undefined }),
  });
  const request = (s: ManagedRoleSpec = spec(), e: ReconcileEnv = env(), adopt = false) => managedRoleRequest(e, s, async () => policiesFor(s), { adopt });

  /** IAM writes since the last clear, by operation. */
  async function writes(): Promise<Record<string, number>> {
    const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
    return Object.fromEntries(
      Object.entries(counters)
        .filter(([op]) => /^iam:(Create|Update|Put|Delete|Attach|Detach|Tag|Untag)/.test(op))
        .map(([op, outcomes]) => [op.replace(/^iam:/, ''), Object.values(outcomes).reduce((a, b) => a + b, 0)]),
    );
  }
  const clearCounters = () => emulator.admin('DELETE', 'counters');

  const getRole = (name = ROLE_NAME) => aws.iam.send(new GetRoleCommand({ RoleName: name })).then((r) => r.Role!);
  const inlineNames = (name = ROLE_NAME) => aws.iam.send(new ListRolePoliciesCommand({ RoleName: name })).then((r) => r.PolicyNames ?? []);
  const inlineDocument = async (name = ROLE_NAME) => JSON.parse(decodeURIComponent((await aws.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: INLINE_POLICY_NAME }))).PolicyDocument!)) as unknown;
  const attached = (name = ROLE_NAME) => aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })).then((r) => (r.AttachedPolicies ?? []).map((p) => p.PolicyArn).sort());
  const tagsOf = async (name = ROLE_NAME) => Object.fromEntries(((await getRole(name)).Tags ?? []).map((t) => [t.Key, t.Value]));
  const createByHand = (tags: Record<string, string> = {}, name = ROLE_NAME, path = '/agentcore/') =>
    aws.iam.send(new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: JSON.stringify(trustPolicy('runtime', ACCOUNT)), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));

  test('an absent role is created with its trust policy, inline policy, attachments and ownership tags', async () => {
    const req = await request();
    const ensured = await ensureManagedRole(env(), req);
    expect(ensured).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/agentcore/${ROLE_NAME}`, created: true });
    expect(ensured.createdAt).toBeInstanceOf(Date);
    expect(ensured.actions).toEqual([
      `created role ${ROLE_NAME}`,
      `wrote inline policy ${INLINE_POLICY_NAME} of role ${ROLE_NAME}`,
      `attached ${MANAGED('A')} to role ${ROLE_NAME}`,
      `attached ${MANAGED('B')} to role ${ROLE_NAME}`,
    ]);

    const role = await getRole();
    expect(role.Path).toBe('/agentcore/');
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!))).toEqual(trustPolicy('runtime', ACCOUNT));
    expect(await inlineNames()).toEqual([INLINE_POLICY_NAME]);
    expect(await inlineDocument()).toEqual(req.inlinePolicy);
    expect(bySid(req.inlinePolicy!).Memory!.Resource).toBe(MEMORY_ARN);
    expect(await attached()).toEqual([MANAGED('A'), MANAGED('B')]);
    expect(await tagsOf()).toEqual(ownershipTags(OWNER));
    expect(await writes()).toEqual({ CreateRole: 1, PutRolePolicy: 1, AttachRolePolicy: 2 });
  });

  test('a second ensure in a row makes no write call', async () => {
    const first = await ensureManagedRole(env(), await request());
    await clearCounters();
    const second = await ensureManagedRole(env(), await request());
    expect(second).toMatchObject({ roleArn: first.roleArn, actions: [], created: false });
    expect(second.createdAt?.getTime()).toBe(first.createdAt?.getTime());
    expect(await writes()).toEqual({});
  });

  test('a changed statement makes exactly one PutRolePolicy', async () => {
    await ensureManagedRole(env(), await request());
    await clearCounters();
    const changed = spec({ statements: [{ ...INVOKE_MODEL, Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] }] });
    const ensured = await ensureManagedRole(env(), await request(changed));
    expect(ensured.actions).toEqual([`wrote inline policy ${INLINE_POLICY_NAME} of role ${ROLE_NAME}`]);
    expect(await writes()).toEqual({ PutRolePolicy: 1 });
    expect(await inlineDocument()).toEqual((await request(changed)).inlinePolicy);
  });

  test('a plan reads and says what ensure would write, writing nothing', async () => {
    expect(await planManagedRole(env(), await request())).toMatchObject({ create: true });
    await ensureManagedRole(env(), await request());
    await clearCounters();
    const changed = spec({ managedPolicyArns: [MANAGED('A')], statements: [] });
    const planned = await planManagedRole(env(), await request(changed));
    expect(planned).toMatchObject({
      create: false,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/agentcore/${ROLE_NAME}`,
      changes: [{ type: 'putInline', name: INLINE_POLICY_NAME }, { type: 'detach', arn: MANAGED('B') }],
    });
    // The same, as the plan shows it: the inline policy before and after, the policy detached.
    expect(planned.lines).toEqual([
      { action: 'update', scope: 'part', subject: `role ${ROLE_NAME} inline policy ${INLINE_POLICY_NAME}`, from: (await request()).inlinePolicy, to: (await request(changed)).inlinePolicy },
      { action: 'delete', scope: 'part', subject: `role ${ROLE_NAME} managed policy ${MANAGED('B')}` },
    ]);
    expect(await writes()).toEqual({});
  });

  test('a managed policy removed from the spec is detached, and only that', async () => {
    await ensureManagedRole(env(), await request());
    await clearCounters();
    const ensured = await ensureManagedRole(env(), await request(spec({ managedPolicyArns: [MANAGED('A')] })));
    expect(ensured.actions).toEqual([`detached ${MANAGED('B')} from role ${ROLE_NAME}`]);
    expect(await writes()).toEqual({ DetachRolePolicy: 1 });
    expect(await attached()).toEqual([MANAGED('A')]);
  });

  test('another trust policy makes exactly one UpdateAssumeRolePolicy', async () => {
    await ensureManagedRole(env(), await request());
    await clearCounters();
    const ensured = await ensureManagedRole(env(), { ...(await request()), trustPolicy: trustPolicy('memory', ACCOUNT) });
    expect(ensured.actions).toEqual([`updated the trust policy of role ${ROLE_NAME}`]);
    expect(await writes()).toEqual({ UpdateAssumeRolePolicy: 1 });
    expect(samePolicy((await getRole()).AssumeRolePolicyDocument, trustPolicy('memory', ACCOUNT))).toBe(true);
  });

  test('drift is put right: an inline policy and a managed policy added by hand go, a removed source tag returns', async () => {
    await ensureManagedRole(env(), await request());
    await aws.iam.send(new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: 'added-by-hand', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
    await aws.iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: MANAGED('AdministratorAccess') }));
    await aws.iam.send(new UntagRoleCommand({ RoleName: ROLE_NAME, TagKeys: ['agentcore.dev/source'] }));
    await clearCounters();
    const ensured = await ensureManagedRole(env(), await request());
    expect(ensured.actions).toEqual([
      `deleted inline policy added-by-hand of role ${ROLE_NAME}`,
      `detached ${MANAGED('AdministratorAccess')} from role ${ROLE_NAME}`,
      `tagged role ${ROLE_NAME} with agentcore.dev/source`,
    ]);
    expect(await writes()).toEqual({ DeleteRolePolicy: 1, DetachRolePolicy: 1, TagRole: 1 });
    expect(await inlineNames()).toEqual([INLINE_POLICY_NAME]);
    expect(await tagsOf()).toEqual(ownershipTags(OWNER));
  });

  test('a role left half-made (created and tagged, nothing else) is finished without a second CreateRole', async () => {
    await createByHand(ownershipTags(OWNER));
    await clearCounters();
    const ensured = await ensureManagedRole(env(), await request());
    expect(ensured.created).toBe(false);
    expect(await writes()).toEqual({ PutRolePolicy: 1, AttachRolePolicy: 2 });
    expect(await attached()).toEqual([MANAGED('A'), MANAGED('B')]);
  });

  test('a same-named role without our tags is refused and left untouched', async () => {
    await createByHand({ team: 'platform' });
    await clearCounters();
    const refused = ensureManagedRole(env(), await request());
    await expect(refused).rejects.toBeInstanceOf(TerminalError);
    await expect(ensureManagedRole(env(), await request())).rejects.toThrow(`An IAM role named ${ROLE_NAME} already exists and is not managed by this object`);
    expect(await writes()).toEqual({});
    expect(await inlineNames()).toEqual([]);
    expect(await tagsOf()).toEqual({ team: 'platform' });
  });

  test('a role another object owns is refused too', async () => {
    const other: Owner = { owner: 'agents/AgentRuntime/other-agent', source: 'test' };
    await ensureManagedRole(env(other), { ...(await request()), tags: ownershipTags(other) });
    await expect(ensureManagedRole(env(), await request())).rejects.toThrow(`An IAM role named ${ROLE_NAME} is managed by agents/AgentRuntime/other-agent; give the managed role another roleName`);
  });

  test('adopting takes a same-named role over: tagged and brought in line', async () => {
    await createByHand({ team: 'platform' });
    const ensured = await ensureManagedRole(env(), await request(spec(), env(), true));
    expect(ensured.actions.at(-1)).toBe(`tagged role ${ROLE_NAME} with agentcore.dev/managed-by, agentcore.dev/owner, agentcore.dev/source`);
    expect(await tagsOf()).toEqual({ team: 'platform', ...ownershipTags(OWNER) });
    expect(await attached()).toEqual([MANAGED('A'), MANAGED('B')]);
  });

  test('a role of ours on another path is refused (IAM cannot move it)', async () => {
    await createByHand(ownershipTags(OWNER), ROLE_NAME, '/');
    await expect(ensureManagedRole(env(), await request())).rejects.toThrow(/has the path \/, not \/agentcore\//);
  });

  test('the spec\'s role name and path win over the defaults', async () => {
    const ensured = await ensureManagedRole(env(), await request(spec({ roleName: 'SupportAgentRole', path: '/agents/support/' })));
    expect(ensured.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/agents/support/SupportAgentRole`);
  });

  test('no statements and no managed policies: a role with its trust policy alone', async () => {
    const s: ManagedRoleSpec = {};
    const ensured = await ensureManagedRole(env(), await managedRoleRequest(env(), s, async () => ({ trustPolicy: trustPolicy('gateway', ACCOUNT) })));
    expect(ensured.actions).toEqual([`created role ${ROLE_NAME}`]);
    expect(await inlineNames()).toEqual([]);
    await clearCounters();
    expect((await ensureManagedRole(env(), await managedRoleRequest(env(), s, async () => ({ trustPolicy: trustPolicy('gateway', ACCOUNT) })))).actions).toEqual([]);
    expect(await writes()).toEqual({});
  });

  test('remove detaches, deletes the inline policies and the role; an absent role is fine', async () => {
    await ensureManagedRole(env(), await request());
    await clearCounters();
    const removed = await removeManagedRole(env(), ROLE_NAME);
    expect(removed.actions).toEqual([
      `detached ${MANAGED('A')} from role ${ROLE_NAME}`,
      `detached ${MANAGED('B')} from role ${ROLE_NAME}`,
      `deleted inline policy ${INLINE_POLICY_NAME} of role ${ROLE_NAME}`,
      `deleted role ${ROLE_NAME}`,
    ]);
    expect(await writes()).toEqual({ DetachRolePolicy: 2, DeleteRolePolicy: 1, DeleteRole: 1 });
    await expect(getRole()).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    await clearCounters();
    expect(await removeManagedRole(env(), ROLE_NAME)).toEqual({ actions: [] });
    expect(await writes()).toEqual({});
  });

  test('remove leaves a role that is not ours alone', async () => {
    await createByHand({ team: 'platform' });
    await clearCounters();
    expect((await removeManagedRole(env(), ROLE_NAME)).actions).toEqual([`left role ${ROLE_NAME} alone: it is not managed by this object`]);
    expect(await writes()).toEqual({});
    expect((await getRole()).RoleName).toBe(ROLE_NAME);
  });
});
