import { describe, expect, test } from '@jest/globals';
import type { AgentRuntimeSpec } from '../../src/api/v1alpha1/agentruntime.js';
import { desiredRuntime, type RuntimeInputs } from '../../src/reconcilers/agentruntime/desired.js';
import { diffRuntime, type FieldChange } from '../../src/reconcilers/agentruntime/diff.js';

const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/agent:1';
const ROLE = 'arn:aws:iam::123456789012:role/R';
const inputs: RuntimeInputs = { roleArn: ROLE, codeVersionEnvName: 'AGENTCORE_CODE_VERSION', codeVersion: 'sha256:aaa/0' };
const spec = (extra: Partial<AgentRuntimeSpec> = {}): AgentRuntimeSpec => ({ artifact: { image: IMAGE }, role: { arn: ROLE }, ...extra }) as AgentRuntimeSpec;

/** What GetAgentRuntime answers for a version created from `config`: ids, status and server defaults added. */
function observedFrom(config: Record<string, unknown>): Record<string, unknown> {
  return {
    agentRuntimeArn: 'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/a-abcdefghij',
    agentRuntimeId: 'a-abcdefghij',
    agentRuntimeVersion: '3',
    status: 'READY',
    createdAt: new Date(0),
    lastUpdatedAt: new Date(0),
    workloadIdentityDetails: { workloadIdentityArn: 'arn:...' },
    networkConfiguration: { networkMode: 'PUBLIC' },
    protocolConfiguration: { serverProtocol: 'HTTP' },
    lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
    ...JSON.parse(JSON.stringify(config)),
  };
}

const paths = (changes: FieldChange[]) => changes.map((c) => `${c.action} ${c.path}`);

describe('diffRuntime: no change when nothing really differs', () => {
  test.each<[string, AgentRuntimeSpec, (o: Record<string, unknown>) => Record<string, unknown>]>([
    ['the version AWS holds is what the spec asks', spec({ env: { A: '1' } }), (o) => o],
    ['server defaults filled in by AWS', spec(), (o) => ({ ...o, lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 } })],
    ['lifecycle given in part, the rest defaulted', spec({ lifecycle: { maxLifetimeSeconds: 3600 } }), (o) => ({ ...o, lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 3600 } })],
    ['security groups and subnets in another order', spec({ network: { mode: 'VPC', securityGroups: ['sg-00000001', 'sg-00000002'], subnets: ['subnet-0000000a', 'subnet-0000000b'] } }), (o) => ({ ...o, networkConfiguration: { networkMode: 'VPC', networkModeConfig: { securityGroups: ['sg-00000002', 'sg-00000001'], subnets: ['subnet-0000000b', 'subnet-0000000a'] } } })],
    ['an empty environment and none', spec({ env: {} }), (o) => ({ ...o, environmentVariables: { AGENTCORE_CODE_VERSION: 'sha256:aaa/0' } })],
    ['a read-only member AWS added (requireServiceS3Endpoint is not ours)', spec(), (o) => ({ ...o, failureReason: undefined, platformVersion: 'V2' })],
  ])('%s', (_, s, observe) => {
    const desired = desiredRuntime(s, inputs);
    expect(diffRuntime(desired, observe(observedFrom(desired)))).toEqual([]);
  });
});

describe('diffRuntime: real changes, in spec terms', () => {
  test.each<[string, AgentRuntimeSpec, Record<string, unknown>, string[]]>([
    ['a new image', spec(), { agentRuntimeArtifact: { containerConfiguration: { containerUri: `${IMAGE.slice(0, -1)}2` } } }, ['update spec.artifact.image']],
    ['an environment variable changed out of band', spec({ env: { LOG_LEVEL: 'info' } }), { environmentVariables: { LOG_LEVEL: 'debug', AGENTCORE_CODE_VERSION: 'sha256:aaa/0' } }, ['update spec.env.LOG_LEVEL']],
    ['an environment variable added out of band', spec(), { environmentVariables: { AGENTCORE_CODE_VERSION: 'sha256:aaa/0', EXTRA: 'x' } }, ['update spec.env.EXTRA']],
    ['the code fingerprint moved (a re-pushed tag)', spec(), { environmentVariables: { AGENTCORE_CODE_VERSION: 'sha256:old/0' } }, ['update spec.env.AGENTCORE_CODE_VERSION']],
    ['the protocol', spec({ protocol: 'MCP' }), { protocolConfiguration: { serverProtocol: 'HTTP' } }, ['update spec.protocol']],
    ['a lifecycle value', spec({ lifecycle: { idleSessionTimeoutSeconds: 300 } }), { lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 } }, ['update spec.lifecycle.idleSessionTimeoutSeconds']],
    ['a description removed out of band', spec({ description: 'hello' }), { description: undefined }, ['update spec.description']],
    ['the role', spec(), { roleArn: 'arn:aws:iam::123456789012:role/Other' }, ['update spec.role']],
    ['image to code: a replacement', spec(), { agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'b', prefix: 'p' } }, runtime: 'NODE_22', entryPoint: ['i.js'] } } }, ['replace spec.artifact']],
  ])('%s', (_, s, observedOverride, expected) => {
    const desired = desiredRuntime(s, inputs);
    expect(paths(diffRuntime(desired, { ...observedFrom(desired), ...observedOverride }))).toEqual(expected);
  });

  test('entry points are ordered: swapping them is a change', () => {
    const s = spec({ artifact: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' }, runtime: 'PYTHON_3_13', entryPoint: ['main.py', 'otel'] } } });
    const desired = desiredRuntime(s, inputs);
    const observed = observedFrom({ ...desired, agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'my-code', prefix: 'a.zip' } }, runtime: 'PYTHON_3_13', entryPoint: ['otel', 'main.py'] } } });
    expect(paths(diffRuntime(desired, observed))).toEqual(['update spec.artifact.code.entryPoint']);
  });
});

describe('desiredRuntime', () => {
  test('injects the memory id, the gateway URL and the code version, and pins the resolved image', () => {
    const desired = desiredRuntime(spec({ memoryRef: { name: 'm' }, gatewayRef: { name: 'g', envName: 'TOOLS' }, env: { A: '1' } }), {
      ...inputs,
      image: `${IMAGE.split(':')[0]}@sha256:${'b'.repeat(64)}`,
      memoryId: 'support_memory-abcdefghij',
      gatewayUrl: 'https://gw.example/mcp',
    });
    expect(desired.environmentVariables).toEqual({ A: '1', BEDROCK_AGENTCORE_MEMORY_ID: 'support_memory-abcdefghij', TOOLS: 'https://gw.example/mcp', AGENTCORE_CODE_VERSION: 'sha256:aaa/0' });
    expect(desired.agentRuntimeArtifact).toEqual({ containerConfiguration: { containerUri: `${IMAGE.split(':')[0]}@sha256:${'b'.repeat(64)}` } });
  });
});
