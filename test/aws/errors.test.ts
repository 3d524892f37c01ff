import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  AccessDeniedException, CreateAgentRuntimeCommand, GetAgentRuntimeCommand, ListAgentRuntimesCommand, ServiceQuotaExceededException, ValidationException,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import { awsErrorMessage, classifyAwsError, terminalReasonOf, type ErrorClass } from '../../src/aws/errors.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { iamService } from '../../src/emulator/iam/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emulator: TestEmulator;
let aws: AwsClients;
beforeAll(async () => {
  emulator = await startTestEmulator([agentCoreService(), iamService()]);
  aws = awsClients({ endpointUrl: emulator.url, region: 'us-west-2', credentials: emulator.clientConfig.credentials, maxAttempts: 1 });
});
afterAll(async () => {
  aws.destroy();
  await emulator.close();
});

const runtime = (name: string) => new CreateAgentRuntimeCommand({ agentRuntimeName: name, agentRuntimeArtifact: { containerConfiguration: { containerUri: '123456789012.dkr.ecr.us-west-2.amazonaws.com/a:1' } }, roleArn: 'arn:aws:iam::123456789012:role/R' });

async function errorOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('classifyAwsError, on the errors the real clients raise', () => {
  test.each<[string, () => Promise<unknown>, ErrorClass]>([
    ['a missing runtime', () => aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'gone_agent-abcdefghij' })), 'notFound'],
    ['a missing role', () => aws.iam.send(new GetRoleCommand({ RoleName: 'NoSuchRole' })), 'notFound'],
    ['an invalid request', () => aws.agentcore.send(runtime('bad-name')), 'terminal'],
    ['a name taken', async () => {
      await aws.agentcore.send(runtime('taken_agent'));
      await aws.agentcore.send(runtime('taken_agent'));
    }, 'conflict'],
    ['throttling', async () => {
      await emulator.admin('PUT', 'faults', { rules: [{ operation: 'ListAgentRuntimes', kind: 'throttle', rate: 1, count: 1 }] });
      await aws.agentcore.send(new ListAgentRuntimesCommand({}));
    }, 'throttled'],
    ['a 500', async () => {
      await emulator.admin('PUT', 'faults', { rules: [{ operation: 'ListAgentRuntimes', kind: 'internal', rate: 1, count: 1 }] });
      await aws.agentcore.send(new ListAgentRuntimesCommand({}));
    }, 'transient'],
    ['a dropped connection', async () => {
      await emulator.admin('PUT', 'faults', { rules: [{ operation: 'ListAgentRuntimes', kind: 'reset', rate: 1, count: 1 }] });
      await aws.agentcore.send(new ListAgentRuntimesCommand({}));
    }, 'transient'],
  ])('%s', async (_, call, expected) => {
    const error = await errorOf(call);
    expect(classifyAwsError(error)).toBe(expected);
    expect(awsErrorMessage(error)).not.toContain('\n');
  });

  test('an answer lost on its way back: the call took effect, the caller sees a dropped connection (transient)', async () => {
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'CreateAgentRuntime', kind: 'lost', rate: 1, count: 1 }] });
    const error = await errorOf(() => aws.agentcore.send(runtime('lost_answer_agent')));
    expect(classifyAwsError(error)).toBe('transient');
    const listed = await aws.agentcore.send(new ListAgentRuntimesCommand({}));
    expect(listed.agentRuntimes?.filter((r) => r.agentRuntimeName === 'lost_answer_agent')).toHaveLength(1);
  });

  test('an error of our own, not the SDK\'s, is terminal: retrying a bug does not fix it', () => {
    expect(classifyAwsError(new TypeError('x is undefined'))).toBe('terminal');
  });
});

describe('terminalReasonOf: why a request is refused for good, by the error\'s name, never its words', () => {
  const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
  test.each<[string, unknown, string]>([
    ['AccessDeniedException', new AccessDeniedException({ message: 'User is not authorized', ...metadata(403) }), 'AccessDenied'],
    ['a bare 403', Object.assign(new Error('Forbidden'), { name: 'Forbidden', ...metadata(403) }), 'AccessDenied'],
    ['ServiceQuotaExceededException', new ServiceQuotaExceededException({ message: 'Too many runtimes', ...metadata(402) }), 'QuotaExceeded'],
    ['a ValidationException that mentions access and quotas in its words', new ValidationException({ message: 'AccessDenied? quota LimitExceeded?', reason: 'FieldValidationFailed', ...metadata(400) }), 'ValidationFailed'],
  ])('%s', (_, error, reason) => {
    expect(terminalReasonOf(error)).toBe(reason);
  });
});
