import { beforeEach, describe, expect, test } from '@jest/globals';
import {
  CreateAgentRuntimeEndpointCommand, DeleteAgentRuntimeCommand, GetAgentRuntimeCommand, ListAgentRuntimeEndpointsCommand, ListAgentRuntimeVersionsCommand, ListAgentRuntimesCommand, ListTagsForResourceCommand,
  UpdateAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { AgentRuntimeSpec } from '../../src/api/v1alpha1/agentruntime.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { finalizeAgentRuntime, reconcileAgentRuntime, type RuntimeObject, type RuntimeOutcome } from '../../src/reconcilers/agentruntime/reconcile.js';
import { DEFAULT_SETTINGS, settingsForResync, type ReconcileEnv, type ReferencedObject } from '../../src/reconcilers/kind.js';
import { Memo } from '../../src/reconcilers/memo.js';
import { PutBucketVersioningCommand, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { ecrService } from '../../src/emulator/ecr/index.js';
import { s3Service } from '../../src/emulator/s3/index.js';
import { iamService } from '../../src/emulator/iam/index.js';
import { stsService } from '../../src/emulator/sts/index.js';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator([agentCoreService(), ecrService(), s3Service(), iamService(), stsService()], (e, a) => {
  emulator = e;
  aws = a;
});
const push = (tag: string) => emulator.admin<{ digest: string }>('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag }).then((r) => r.digest);
beforeEach(async () => {
  for (const tag of ['1', '2', 'fixed']) await push(tag);
});

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent';
const ROLE = 'arn:aws:iam::123456789012:role/AgentRole';

function runtimeObject(spec: Partial<AgentRuntimeSpec> = {}, name = 'support-agent'): RuntimeObject {
  return { metadata: { name, namespace: 'agents', uid: `uid-${name}`, generation: 1 }, spec: { artifact: { image: `${IMAGE}:1` }, role: { arn: ROLE }, ...spec } as AgentRuntimeSpec };
}

function env(objects: Record<string, ReferencedObject> = {}): ReconcileEnv {
  return {
    aws,
    owner: { owner: 'agents/AgentRuntime/support-agent', source: 'test' },
    now: () => new Date(),
    pollMs: 10,
    lookup: (kind, name) => objects[`${kind}/${name}`],
    secret: () => Promise.reject(new Error('no secrets here')),
    settings: DEFAULT_SETTINGS,
  };
}

/** Runs the reconciler until it is done or stalled, carrying status from one run to the next. */
async function converge(object: RuntimeObject, e: ReconcileEnv = env(), rounds = 10): Promise<RuntimeOutcome & { runs: number; allActions: string[] }> {
  const allActions: string[] = [];
  for (let runs = 1; runs <= rounds; runs += 1) {
    const outcome = await reconcileAgentRuntime(object, e);
    object.status = outcome.status;
    allActions.push(...outcome.actions);
    if (outcome.next.kind === 'done' || outcome.next.kind === 'stalled') return { ...outcome, runs, allActions };
  }
  throw new Error(`not converged after ${rounds} runs: ${JSON.stringify(object.status?.conditions)}`);
}

const WRITES = /:(Create|Update|Delete|Tag|Untag|Put|Attach|Detach)/;
async function writeCalls(): Promise<number> {
  const counters = await emulator.admin<Record<string, Record<string, number>>>('GET', 'counters');
  return Object.entries(counters).filter(([op]) => WRITES.test(op)).reduce((n, [, outcomes]) => n + Object.values(outcomes).reduce((a, b) => a + b, 0), 0);
}

async function uploadCode(): Promise<void> {
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'my-code', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
  await aws.s3.send(new PutObjectCommand({ Bucket: 'my-code', Key: 'agent.zip', Body: 'zip' }));
}

const condition = (o: RuntimeObject, type: string) => o.status?.conditions?.find((c) => c.type === type);

describe('image rolls and session restarts', () => {
  test('a tag is deployed pinned to its digest; a re-pushed tag rolls a new version pinned to the new digest', async () => {
    const object = runtimeObject({ artifact: { image: `${IMAGE}:1` } });
    await converge(object);
    const first = (await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }))).agentRuntimeArtifact!.containerConfiguration!.containerUri;
    expect(first).toMatch(/^123456789012\.dkr\.ecr\.us-west-2\.amazonaws\.com\/support-agent@sha256:[0-9a-f]{64}$/);
    expect(object.status!.codeVersion).toBe(first!.split('@')[1]);

    const noop = await converge(object);
    expect(noop.allActions).toEqual([]);

    const repushed = await push('1');
    const rolled = await converge(object);
    expect(rolled.allActions).toEqual(['updated spec.artifact.image, spec.env.AGENTCORE_CODE_VERSION (new version)']);
    const latest = await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    expect([latest.agentRuntimeVersion, latest.agentRuntimeArtifact!.containerConfiguration!.containerUri, latest.environmentVariables!.AGENTCORE_CODE_VERSION]).toEqual(['2', `${IMAGE}@${repushed}`, repushed]);
  });

  test('a digest read is shared for at most half the resync: with a 4 s resync a re-pushed tag rolls once the read is 2 s old', async () => {
    let now = 0;
    const shared: ReconcileEnv = { ...env(), memo: new Memo(() => now), settings: settingsForResync(4000) };
    const object = runtimeObject({ artifact: { image: `${IMAGE}:2` } });
    await converge(object, shared);
    const repushed = await push('2');
    now = 1999;
    expect((await converge(object, shared)).allActions).toEqual([]);
    now = 2000;
    expect((await converge(object, shared)).allActions).toEqual(['updated spec.artifact.image, spec.env.AGENTCORE_CODE_VERSION (new version)']);
    expect(object.status!.codeVersion).toBe(repushed);
    // A long resync keeps the default: one read serves every object for 10 s.
    expect(settingsForResync(10 * 60_000).sharedReadMs).toBe(DEFAULT_SETTINGS.sharedReadMs);
  });

  test('the restartedAt annotation mints a new version with the same code, once per value', async () => {
    const object = runtimeObject();
    await converge(object);
    object.metadata.annotations = { 'agentcore.dev/restartedAt': '2026-11-24T10:00:00Z' };
    const restarted = await converge(object);
    expect(restarted.allActions).toEqual(['updated spec.env.AGENTCORE_CODE_VERSION (new version)']);
    expect(condition(object, 'Drifted')).toBeUndefined();
    expect(object.status!.codeVersion).toMatch(/^sha256:[0-9a-f]{64}\+restart@2026-11-24T10:00:00Z$/);
    expect((await converge(object)).allActions).toEqual([]);
  });

  test('trackDigest: false deploys the tag as written', async () => {
    const object = runtimeObject({ artifact: { image: `${IMAGE}:1`, trackDigest: false } });
    await converge(object);
    await push('1');
    expect((await converge(object)).allActions).toEqual([]);
    expect((await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }))).agentRuntimeArtifact!.containerConfiguration!.containerUri).toBe(`${IMAGE}:1`);
  });

  test('a new S3 object version of a code zip rolls a new version', async () => {
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'agent-code', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
    await aws.s3.send(new PutBucketVersioningCommand({ Bucket: 'agent-code', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await aws.s3.send(new PutObjectCommand({ Bucket: 'agent-code', Key: 'agent.zip', Body: 'zip-1' }))).VersionId;
    const object = runtimeObject({ artifact: { code: { s3: { bucket: 'agent-code', prefix: 'agent.zip' }, runtime: 'PYTHON_3_13', entryPoint: ['main.py'] } } });
    await converge(object);
    expect(object.status!.codeVersion).toBe(`s3:${v1}`);
    const v2 = (await aws.s3.send(new PutObjectCommand({ Bucket: 'agent-code', Key: 'agent.zip', Body: 'zip-2' }))).VersionId;
    const rolled = await converge(object);
    expect(rolled.allActions).toEqual(['updated spec.env.AGENTCORE_CODE_VERSION (new version)']);
    expect([object.status!.codeVersion, object.status!.version]).toEqual([`s3:${v2}`, '2']);
  });
});

describe('managed execution roles', () => {
  test('a managed role is created with the AgentCore trust and a policy scoped to what the runtime uses, kept without writes, and removed after the runtime', async () => {
    const object = runtimeObject({ role: { managed: { statements: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }] } } });
    expect((await converge(object)).next.kind).toBe('done');
    const roleName = 'agentcore-agentruntime-agents-support-agent';
    const role = (await aws.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
    expect(object.status!.roleArn).toBe(role.Arn);
    expect((await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }))).roleArn).toBe(role.Arn);
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toContain('bedrock-agentcore.amazonaws.com');
    const policy = decodeURIComponent((await aws.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'agentcore-operator' }))).PolicyDocument!);
    expect(policy).toContain('arn:aws:ecr:us-west-2:123456789012:repository/support-agent');
    expect(policy).toContain('bedrock:InvokeModel');

    const writes = await writeCalls();
    expect((await converge(object)).allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes);

    for (let i = 0; i < 10; i += 1) {
      const outcome = await finalizeAgentRuntime(object, env());
      object.status = outcome.status;
      if (outcome.next.kind === 'done') break;
    }
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: roleName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('a role a spec author would escalate with (AdministratorAccess, iam:*) is Stalled before any IAM or AgentCore write; the administrator\'s boundary goes on every role', async () => {
    const escalating = runtimeObject({ role: { managed: { managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'], statements: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } } });
    await emulator.admin('DELETE', 'counters');
    const refused = await converge(escalating);
    expect([refused.next.kind, condition(escalating, 'Stalled')]).toEqual(['stalled', expect.objectContaining({
      reason: 'RoleNotAllowed',
      message: 'spec.role.managed.managedPolicyArns[0]: arn:aws:iam::aws:policy/AdministratorAccess is denied by the operator\'s role cap (arn:aws:iam::aws:policy/AdministratorAccess)',
    })]);
    expect(await writeCalls()).toBe(0);

    const boundary = 'arn:aws:iam::123456789012:policy/agentcore-boundary';
    const capped: ReconcileEnv = { ...env(), settings: { ...DEFAULT_SETTINGS, roleCap: { ...DEFAULT_SETTINGS.roleCap, permissionsBoundary: boundary } } };
    const other = runtimeObject({ role: { managed: { permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/lax' } } });
    expect((await converge(other, capped)).next.kind).toBe('stalled');
    expect(condition(other, 'Stalled')!.message).toBe(`spec.role.managed.permissionsBoundaryArn: the operator gives every managed role the boundary ${boundary}; another may not be named`);
    const plain = runtimeObject({ role: { managed: {} } });
    expect((await converge(plain, capped)).next.kind).toBe('done');
    const role = (await aws.iam.send(new GetRoleCommand({ RoleName: 'agentcore-agentruntime-agents-support-agent' }))).Role!;
    expect(role.PermissionsBoundary?.PermissionsBoundaryArn).toBe(boundary);
  });
});

describe('calls while AWS is still working', () => {
  test('polling a runtime that is CREATING reads it once and leaves IAM, ECR and the tags alone', async () => {
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 5000 });
    const object = runtimeObject({ role: { managed: {} } });
    const first = await reconcileAgentRuntime(object, env());
    expect(first.actions).toContain('created runtime support_agent');
    object.status = first.status;
    await emulator.admin('DELETE', 'counters');
    const poll = await reconcileAgentRuntime(object, env());
    expect(poll.next.kind).toBe('requeue');
    expect(await emulator.admin('GET', 'counters')).toEqual({ 'bedrock-agentcore:GetAgentRuntime': { ok: 1 } });
    await emulator.admin('PUT', 'config', { provisioningDelayMs: 0 });
  });
});

describe('references and deletion', () => {
  test('a referenced memory or gateway that is not ready holds the runtime back; once ready, its id and URL are injected', async () => {
    const object = runtimeObject({ memoryRef: { name: 'support-memory' }, gatewayRef: { name: 'support-tools' } });
    const waiting = await reconcileAgentRuntime(object, env({ 'Memory/support-memory': { ready: false, status: {} } }));
    expect(waiting.next.kind).toBe('requeue');
    expect(waiting.status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'DependencyNotReady', message: 'Waiting for Memory support-memory to be ready' });
    expect(waiting.actions).toEqual([]);
    const ready = env({ 'Memory/support-memory': { ready: true, status: { memoryId: 'support_memory-abcdefghij' } }, 'Gateway/support-tools': { ready: true, status: { gatewayUrl: 'https://gw.example/mcp' } } });
    expect((await converge(object, ready)).next.kind).toBe('done');
    const got = await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    expect(got.environmentVariables).toMatchObject({ BEDROCK_AGENTCORE_MEMORY_ID: 'support_memory-abcdefghij', AGENTCORE_GATEWAY_URL: 'https://gw.example/mcp' });
  });

  test('finalize deletes the endpoints, then the runtime; Retain leaves it', async () => {
    const object = runtimeObject({ endpoints: [{ name: 'prod' }] });
    await converge(object);
    const rounds: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const outcome = await finalizeAgentRuntime(object, env());
      object.status = outcome.status;
      rounds.push(...outcome.actions);
      if (outcome.next.kind === 'done') break;
    }
    expect(rounds).toEqual(['deleted endpoint prod', 'deleted runtime support_agent']);
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toEqual([]);

    const kept = runtimeObject({ deletionPolicy: 'Retain' }, 'kept-agent');
    await converge(kept);
    expect((await finalizeAgentRuntime(kept, env())).next.kind).toBe('done');
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toHaveLength(1);
  });
});

describe('AgentRuntime reconciler against the emulator', () => {
  test('creates the runtime with its endpoints and tags, then reports Ready; a second run makes no write', async () => {
    const object = runtimeObject({ endpoints: [{ name: 'prod', version: '1' }, { name: 'staging', version: 'latest' }], tags: { team: 'support' } });
    const outcome = await converge(object);
    expect(outcome.next.kind).toBe('done');
    expect(condition(object, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(object.status).toMatchObject({ runtimeName: 'support_agent', version: '1', awsStatus: 'READY', observedGeneration: 1 });
    expect(object.status!.endpoints).toEqual([
      { name: 'prod', liveVersion: '1', targetVersion: '1', status: 'READY' },
      { name: 'staging', liveVersion: '1', targetVersion: '1', status: 'READY' },
    ]);
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: object.status!.agentRuntimeArn }));
    expect(tags).toEqual({ team: 'support', 'agentcore.dev/managed-by': 'agentcore-operator', 'agentcore.dev/owner': 'agents/AgentRuntime/support-agent', 'agentcore.dev/source': 'test' });

    const writes = await writeCalls();
    const again = await reconcileAgentRuntime(object, env());
    expect(again.next.kind).toBe('done');
    expect(again.actions).toEqual([]);
    expect(await writeCalls()).toBe(writes);
  });

  test('a changed image rolls a new version; latest endpoints follow, pinned ones stay', async () => {
    const object = runtimeObject({ endpoints: [{ name: 'prod', version: '1' }, { name: 'staging', version: 'latest' }] });
    await converge(object);
    object.spec.artifact = { image: `${IMAGE}:2` };
    object.metadata.generation = 2;
    const outcome = await converge(object);
    expect(outcome.allActions).toEqual(['updated spec.artifact.image, spec.env.AGENTCORE_CODE_VERSION (new version)', 'moved endpoint staging from version 1 to 2']);
    expect(object.status).toMatchObject({ version: '2', observedGeneration: 2 });
    expect(object.status!.endpoints).toEqual([
      { name: 'prod', liveVersion: '1', targetVersion: '1', status: 'READY' },
      { name: 'staging', liveVersion: '2', targetVersion: '2', status: 'READY' },
    ]);
  });

  test('an endpoint removed from the spec is deleted; one someone else created is left alone', async () => {
    const object = runtimeObject({ endpoints: [{ name: 'prod' }, { name: 'canary' }] });
    await converge(object);
    await aws.agentcore.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: object.status!.agentRuntimeId, name: 'theirs' }));
    object.spec.endpoints = [{ name: 'prod' }];
    object.metadata.generation = 2;
    const outcome = await converge(object);
    expect(outcome.allActions).toEqual(['deleted endpoint canary']);
    const listed = await aws.agentcore.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    expect(listed.runtimeEndpoints!.map((e) => e.name).sort()).toEqual(['DEFAULT', 'prod', 'theirs']);
    expect(object.status!.endpoints!.map((e) => e.name)).toEqual(['prod']);
  });

  test('a tag-only change goes through the tag APIs and mints no version', async () => {
    const object = runtimeObject({ tags: { team: 'a', old: 'x' } });
    await converge(object);
    object.spec.tags = { team: 'b' };
    object.metadata.generation = 2;
    const outcome = await converge(object);
    expect(outcome.allActions).toEqual(['tagged team', 'untagged old']);
    const versions = await aws.agentcore.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    expect(versions.agentRuntimes).toHaveLength(1);
  });

  test('drift from an out-of-band version is found and corrected, and reported as a field path', async () => {
    const object = runtimeObject({ env: { LOG_LEVEL: 'info' } });
    await converge(object);
    await aws.agentcore.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId, agentRuntimeArtifact: { containerConfiguration: { containerUri: object.status!.image } }, roleArn: ROLE, environmentVariables: { LOG_LEVEL: 'debug', AGENTCORE_CODE_VERSION: object.status!.codeVersion! } }));
    const outcome = await converge(object);
    expect(outcome.allActions).toEqual(['corrected drift at spec.env.LOG_LEVEL (new version)']);
    const latest = await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    expect([latest.agentRuntimeVersion, latest.environmentVariables!.LOG_LEVEL]).toEqual(['3', 'info']);
    expect(condition(object, 'Drifted')).toMatchObject({ status: 'False', reason: 'DriftCorrected' });
  });

  test('with driftPolicy: Report, new code is still rolled: a re-pushed tag is not drift', async () => {
    const object = runtimeObject({ driftPolicy: 'Report' });
    await converge(object);
    const repushed = await push('1');
    const rolled = await converge(object);
    expect(rolled.allActions).toEqual(['updated spec.artifact.image, spec.env.AGENTCORE_CODE_VERSION (new version)']);
    expect(object.status!.codeVersion).toBe(repushed);
    expect(object.status!.drift).toBeUndefined();
  });

  test('with driftPolicy: Report, drift is reported and left alone', async () => {
    const object = runtimeObject({ env: { LOG_LEVEL: 'info' }, driftPolicy: 'Report' });
    await converge(object);
    await aws.agentcore.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId, agentRuntimeArtifact: { containerConfiguration: { containerUri: object.status!.image } }, roleArn: ROLE, environmentVariables: { LOG_LEVEL: 'debug', AGENTCORE_CODE_VERSION: object.status!.codeVersion! } }));
    const writes = await writeCalls();
    const outcome = await converge(object);
    expect(outcome.allActions).toEqual([]);
    expect(await writeCalls()).toBe(writes);
    expect(object.status!.drift).toEqual(['spec.env.LOG_LEVEL']);
    expect(condition(object, 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(condition(object, 'Synced')).toMatchObject({ status: 'False' });
  });

  test('a failed create is Stalled with the AWS reason, and a corrected spec rolls forward', async () => {
    await emulator.admin('PUT', 'behaviours/AgentRuntime/support_agent', { failCreate: 'Container image not found' });
    const object = runtimeObject();
    const stalled = await converge(object);
    expect(stalled.next.kind).toBe('stalled');
    expect(condition(object, 'Stalled')).toMatchObject({ status: 'True', reason: 'AWSFailed', message: 'AWS reports CREATE_FAILED: Container image not found' });
    expect(condition(object, 'Ready')).toMatchObject({ status: 'False' });
    object.spec.artifact = { image: `${IMAGE}:fixed` };
    object.metadata.generation = 2;
    const fixed = await converge(object);
    expect(fixed.next.kind).toBe('done');
    expect(object.status).toMatchObject({ version: '2', awsStatus: 'READY' });
    expect(condition(object, 'Stalled')).toBeUndefined();
  });

  test('an artifact kind change without allowReplacement is Stalled, saying why', async () => {
    await uploadCode();
    const object = runtimeObject();
    await converge(object);
    object.spec.artifact = { code: { s3: { bucket: 'my-code', prefix: 'agent.zip' }, runtime: 'PYTHON_3_13', entryPoint: ['main.py'] } };
    object.metadata.generation = 2;
    const outcome = await converge(object);
    expect(outcome.next.kind).toBe('stalled');
    expect(condition(object, 'Stalled')).toMatchObject({ reason: 'ReplacementNotAllowed' });
  });

  test('with allowReplacement, the runtime is deleted (endpoints first) and created again', async () => {
    await uploadCode();
    const object = runtimeObject({ allowReplacement: true, endpoints: [{ name: 'prod' }] });
    await converge(object);
    const firstId = object.status!.agentRuntimeId;
    object.spec.artifact = { code: { s3: { bucket: 'my-code', prefix: 'agent.zip' }, runtime: 'PYTHON_3_13', entryPoint: ['main.py'] } };
    object.metadata.generation = 2;
    const outcome = await converge(object, env(), 20);
    expect([outcome.next.kind, condition(object, 'Stalled')?.message]).toEqual(['done', undefined]);
    expect(object.status!.agentRuntimeId).not.toBe(firstId);
    const got = await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    expect(got.agentRuntimeArtifact).toEqual({ codeConfiguration: { code: { s3: { bucket: 'my-code', prefix: 'agent.zip' } }, runtime: 'PYTHON_3_13', entryPoint: ['main.py'] } });
  });

  test('a crash between the create call and the status write creates no duplicate', async () => {
    const object = runtimeObject();
    const first = await reconcileAgentRuntime(object, env());
    expect(first.actions).toEqual(['created runtime support_agent']);
    // The status of that run is lost: the next run starts from the object as it was.
    const outcome = await converge(runtimeObject());
    expect(outcome.next.kind).toBe('done');
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toHaveLength(1);
  });

  test('a runtime deleted out of band is created again, also from an object with no status (file mode)', async () => {
    const object = runtimeObject();
    await converge(object);
    await aws.agentcore.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    expect((await converge(object)).next.kind).toBe('done');
    const second = object.status!.agentRuntimeId;
    await aws.agentcore.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: second }));
    const fresh = runtimeObject();
    expect((await converge(fresh)).next.kind).toBe('done');
    expect(fresh.status!.agentRuntimeId).not.toBe(second);
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!.map((r) => r.agentRuntimeId)).toEqual([fresh.status!.agentRuntimeId]);
  });

  test('deleting an object whose runtime was replaced out of band by someone else\'s forgets it and deletes nothing', async () => {
    const object = runtimeObject();
    await converge(object);
    await aws.agentcore.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: object.status!.agentRuntimeId }));
    const theirs = runtimeObject({ runtimeName: 'support_agent' }, 'their-agent');
    expect((await converge(theirs, { ...env(), owner: { owner: 'someone/else', source: 'other' } })).next.kind).toBe('done');
    const rounds: string[] = [];
    let last;
    for (let i = 0; i < 5 && last?.next.kind !== 'done'; i += 1) {
      last = await finalizeAgentRuntime(object, env());
      object.status = last.status;
      rounds.push(...last.actions);
    }
    expect([last!.next.kind, rounds]).toEqual(['done', ['left runtime support_agent alone: it is not managed by this object']]);
    expect(condition(object, 'Ready')).toMatchObject({ status: 'False', reason: 'NotOwned' });
    expect((await aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!.map((r) => r.agentRuntimeId)).toEqual([theirs.status!.agentRuntimeId]);
  });

  test('a recorded id is no proof of ownership: an object whose status names another object\'s runtime neither updates nor deletes it', async () => {
    const teamA = { owner: 'team-a/AgentRuntime/agent', source: 'kubernetes' };
    const theirs = runtimeObject({ runtimeName: 'team_a_agent' }, 'agent');
    await converge(theirs, { ...env(), owner: teamA });
    const before = await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: theirs.status!.agentRuntimeId }));
    const forged = runtimeObject({ runtimeName: 'team_b_agent', description: 'team b was here' }, 'forged');
    forged.status = { agentRuntimeId: theirs.status!.agentRuntimeId };
    const refused = await converge(forged);
    expect([refused.next.kind, condition(forged, 'Stalled')!.message]).toEqual(['stalled', expect.stringMatching(/^A runtime named team_a_agent already exists and is managed by team-a\/AgentRuntime\/agent /)]);
    const finalized = await finalizeAgentRuntime(forged, env());
    expect([finalized.next.kind, finalized.actions]).toEqual(['done', ['left runtime team_a_agent alone: it is not managed by this object']]);
    const after = await aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: theirs.status!.agentRuntimeId }));
    expect([after.agentRuntimeVersion, after.description, after.status]).toEqual([before.agentRuntimeVersion, before.description, 'READY']);
  });

  test('a runtime of the same name that another object manages is left alone: the adopt annotation takes it over only where the administrator allows it', async () => {
    const theirs = runtimeObject();
    await converge(theirs, { ...env(), owner: { owner: 'someone/else', source: 'other' } });
    const ours = runtimeObject();
    const refused = await converge(ours);
    expect(refused.next.kind).toBe('stalled');
    expect(condition(ours, 'Stalled')!.message).toBe('A runtime named support_agent already exists and is managed by someone/else (source other); two objects cannot manage one resource, and taking over another object\'s needs the operator setting --allow-cross-owner-adoption as well as the annotation agentcore.dev/adopt: "true"');
    const adopting = runtimeObject();
    adopting.metadata.annotations = { 'agentcore.dev/adopt': 'true' };
    expect((await converge(adopting)).next.kind).toBe('stalled');
    expect((await converge(adopting, { ...env(), settings: { ...DEFAULT_SETTINGS, crossOwnerAdoption: true } })).next.kind).toBe('done');
    const { tags } = await aws.agentcore.send(new ListTagsForResourceCommand({ resourceArn: adopting.status!.agentRuntimeArn }));
    expect(tags!['agentcore.dev/owner']).toBe('agents/AgentRuntime/support-agent');
  });

  test('throttling and 500s are retried, not reported as failures', async () => {
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'CreateAgentRuntime', kind: 'throttle', rate: 1, count: 1 }] });
    const object = runtimeObject();
    const first = await reconcileAgentRuntime(object, env());
    expect(first.next.kind).toBe('retry');
    expect(first.status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ProgressingWithRetry' });
    object.status = first.status;
    expect((await converge(object)).next.kind).toBe('done');
  });
});
