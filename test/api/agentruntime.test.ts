import { describe, expect, test } from '@jest/globals';
import { validateObject } from '../../src/api/validation.js';
import { MAX_USER_TAGS } from '../../src/api/meta.js';
import { IMAGE, ROLE_ARN, objectOf, problemsOf, withSpec } from '../helpers/objects.js';

const kind = 'AgentRuntime';

describe('AgentRuntime: valid specs pass', () => {
  test.each<[string, Record<string, unknown>]>([
    ['an image', {}],
    ['an image pinned to a digest', { artifact: { image: `${IMAGE.split(':1.4.2')[0]}@sha256:${'a'.repeat(64)}` } }],
    ['a public ECR image tracked by digest', { artifact: { image: 'public.ecr.aws/acme/agent:latest', trackDigest: true } }],
    ['a code zip', { artifact: { code: { s3: { bucket: 'my-code', prefix: 'agent/app.zip', versionId: 'abc123' }, runtime: 'PYTHON_3_13', entryPoint: ['main.py'] } } }],
    ['a managed role', { role: { managed: { path: '/agents/', statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } } }],
    ['VPC networking', { network: { mode: 'VPC', securityGroups: ['sg-0123456789abcdef0'], subnets: ['subnet-01234567'] } }],
    ['every protocol', { protocol: 'A2A' }],
    ['lifecycle bounds', { lifecycle: { idleSessionTimeoutSeconds: 60, maxLifetimeSeconds: 1209600 } }],
    ['50 environment variables', { env: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`VAR_${i}`, 'x'.repeat(5000)])) }],
    ['a JWT authorizer', { authorizer: { customJWT: { discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration', allowedClients: ['a'] } } }],
    ['references and endpoints', { memoryRef: { name: 'mem' }, gatewayRef: { name: 'gw', envName: 'TOOLS_URL' }, endpoints: [{ name: 'prod', version: '7' }, { name: 'canary' }] }],
    ['an explicit runtime name', { runtimeName: 'Support_Agent_2' }],
    ['a statement with NotAction and no Action', { role: { managed: { statements: [{ Effect: 'Deny', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }] } } }],
    ['a statement with a list of actions', { role: { managed: { statements: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }] } } }],
  ])('%s', (_, patch) => {
    expect(problemsOf(withSpec(kind, patch))).toEqual([]);
  });

  test('defaults are filled in', () => {
    const result = validateObject(withSpec(kind, { endpoints: [{ name: 'prod' }] }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.object.spec).toMatchObject({ protocol: 'HTTP', deletionPolicy: 'Delete', driftPolicy: 'Correct', endpoints: [{ name: 'prod', version: 'latest' }] });
  });
});

describe('AgentRuntime: each constraint names the field path', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['runtime name with a hyphen', { runtimeName: 'support-agent' }, 'spec.runtimeName: must match ^[a-zA-Z][a-zA-Z0-9_]{0,47}$'],
    ['runtime name of 49 characters', { runtimeName: `a${'b'.repeat(48)}` }, 'spec.runtimeName: must match'],
    ['no artifact', { artifact: undefined }, 'spec.artifact: is required'],
    ['both image and code', { artifact: { image: IMAGE, code: { s3: { bucket: 'my-code', prefix: 'a.zip' }, runtime: 'NODE_22', entryPoint: ['index.js'] } } }, 'spec.artifact: exactly one of image, code must be set'],
    ['neither image nor code', { artifact: {} }, 'spec.artifact: exactly one of image, code must be set'],
    ['an image outside ECR', { artifact: { image: 'docker.io/library/nginx:latest' } }, 'spec.artifact.image: must match'],
    ['trackDigest: false on code', { artifact: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' }, runtime: 'NODE_22', entryPoint: ['index.js'] }, trackDigest: false } }, 'spec.artifact.trackDigest: trackDigest applies only to an image artifact'],
    ['an unknown code runtime', { artifact: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' }, runtime: 'PYTHON_2_7', entryPoint: ['main.py'] } } }, 'spec.artifact.code.runtime: must be one of: PYTHON_3_10'],
    ['three entry points', { artifact: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' }, runtime: 'NODE_22', entryPoint: ['a', 'b', 'c'] } } }, 'spec.artifact.code.entryPoint: must have between 1 and 2 items'],
    ['no entry point', { artifact: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' }, runtime: 'NODE_22', entryPoint: [] } } }, 'spec.artifact.code.entryPoint: must have between 1 and 2 items'],
    ['an empty entry point', { artifact: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' }, runtime: 'NODE_22', entryPoint: [''] } } }, 'spec.artifact.code.entryPoint[0]: must have between 1 and 128 characters'],
    ['a bad bucket name', { artifact: { code: { s3: { bucket: 'My_Bucket', prefix: 'a.zip' }, runtime: 'NODE_22', entryPoint: ['index.js'] } } }, 'spec.artifact.code.s3.bucket: must match'],
    ['no role', { role: undefined }, 'spec.role: is required'],
    ['both role arn and managed', { role: { arn: ROLE_ARN, managed: {} } }, 'spec.role: exactly one of arn, managed must be set'],
    ['a role ARN that is a user', { role: { arn: 'arn:aws:iam::123456789012:user/bob' } }, 'spec.role.arn: must match'],
    ['a statement without an effect', { role: { managed: { statements: [{ Action: 's3:*' }] } } }, 'spec.role.managed.statements[0].Effect: is required'],
    ['a statement without an action', { role: { managed: { statements: [{ Effect: 'Allow', Resource: '*' }] } } }, 'spec.role.managed.statements[0]: a statement needs Action or NotAction'],
    ['a second statement without an action', { role: { managed: { statements: [{ Effect: 'Allow', Action: 's3:GetObject' }, { Effect: 'Deny', Resource: '*' }] } } }, 'spec.role.managed.statements[1]: a statement needs Action or NotAction'],
    ['VPC without subnets', { network: { mode: 'VPC' } }, 'spec.network: securityGroups and subnets are required in VPC mode'],
    ['subnets in PUBLIC mode', { network: { mode: 'PUBLIC', subnets: ['subnet-01234567'] } }, 'spec.network: securityGroups and subnets are required in VPC mode and not allowed in PUBLIC mode'],
    ['a bad security group', { network: { mode: 'VPC', securityGroups: ['sg-1'], subnets: ['subnet-01234567'] } }, 'spec.network.securityGroups[0]: must match'],
    ['an unknown protocol', { protocol: 'GRPC' }, 'spec.protocol: must be one of: HTTP, MCP, A2A, AGUI'],
    ['idle timeout below 60', { lifecycle: { idleSessionTimeoutSeconds: 59 } }, 'spec.lifecycle.idleSessionTimeoutSeconds: must be between 60 and 1209600 seconds'],
    ['max lifetime above 14 days', { lifecycle: { maxLifetimeSeconds: 1209601 } }, 'spec.lifecycle.maxLifetimeSeconds: must be between 60 and 1209600 seconds'],
    ['a fractional timeout', { lifecycle: { maxLifetimeSeconds: 90.5 } }, 'spec.lifecycle.maxLifetimeSeconds: must be an integer'],
    ['51 environment variables', { env: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`V${i}`, 'x'])) }, 'spec.env: must have at most 50 entries'],
    ['an environment value over 5000 characters', { env: { BIG: 'x'.repeat(5001) } }, 'spec.env.BIG: must have at most 5000 characters'],
    ['an environment key over 100 characters', { env: { ['K'.repeat(101)]: 'x' } }, `spec.env.${'K'.repeat(101)}: key must have between 1 and 100 characters`],
    ['an empty environment key', { env: { '': 'x' } }, 'spec.env[""]: key must have between 1 and 100 characters'],
    ['a non-string environment value', { env: { PORT: 8080 } }, 'spec.env.PORT: must be a string'],
    ['a discovery URL without .well-known', { authorizer: { customJWT: { discoveryUrl: 'https://idp.example.com/' } } }, 'spec.authorizer.customJWT.discoveryUrl: must match'],
    ['an empty audience', { authorizer: { customJWT: { discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration', allowedAudience: [''] } } }, 'spec.authorizer.customJWT.allowedAudience[0]: must not be empty'],
    ['an endpoint named with a hyphen', { endpoints: [{ name: 'prod-1' }] }, 'spec.endpoints[0].name: must match'],
    ['an endpoint named DEFAULT', { endpoints: [{ name: 'DEFAULT' }] }, 'spec.endpoints[0].name: DEFAULT is the endpoint AWS manages'],
    ['two endpoints with one name', { endpoints: [{ name: 'prod' }, { name: 'prod', version: '2' }] }, 'spec.endpoints[1].name: duplicate entry (name must be unique)'],
    ['an endpoint version of 0', { endpoints: [{ name: 'prod', version: '0' }] }, 'spec.endpoints[0].version: must match ^(latest|[1-9][0-9]{0,4})$'],
    ['eleven endpoints', { endpoints: Array.from({ length: 11 }, (_, i) => ({ name: `e${i}` })) }, 'spec.endpoints: must have at most 10 items'],
    ['a memoryRef with an invalid name', { memoryRef: { name: 'Bad_Name' } }, 'spec.memoryRef.name: must match'],
    ['an unknown field', { replicas: 3 }, 'spec.replicas: unknown field'],
    ['a reserved tag key', { tags: { 'agentcore.dev/owner': 'me' } }, 'spec.tags: tag keys starting with agentcore.dev/ are reserved for the operator'],
    [`${MAX_USER_TAGS + 1} tags`, { tags: Object.fromEntries(Array.from({ length: MAX_USER_TAGS + 1 }, (_, i) => [`t${i}`, 'v'])) }, `spec.tags: must have at most ${MAX_USER_TAGS} entries`],
    ['a tag value with a bad character', { tags: { team: 'support!' } }, 'spec.tags.team: must match'],
    ['an unknown deletion policy', { deletionPolicy: 'Orphan' }, 'spec.deletionPolicy: must be one of: Delete, Retain'],
    ['an unknown drift policy', { driftPolicy: 'Ignore' }, 'spec.driftPolicy: must be one of: Correct, Report'],
  ])('%s', (_, patch, expected) => {
    expect(problemsOf(withSpec(kind, patch)).join('\n')).toContain(expected);
  });

  test.each<[string, string]>([
    ['1st-agent', 'metadata.name: must start with a letter and have at most 48 characters to derive the AWS name; otherwise set spec.runtimeName'],
    [`a${'-b'.repeat(24)}`, 'metadata.name: must start with a letter and have at most 48 characters'],
  ])('metadata.name %s cannot derive a runtime name', (name, expected) => {
    expect(problemsOf(objectOf(kind, withSpec(kind, {}).spec as Record<string, unknown>, name)).join('\n')).toContain(expected);
  });

  test('an explicit runtimeName lifts the metadata.name requirement', () => {
    expect(problemsOf(objectOf(kind, { ...(withSpec(kind, {}).spec as object), runtimeName: 'first_agent' }, '1st-agent'))).toEqual([]);
  });
});
