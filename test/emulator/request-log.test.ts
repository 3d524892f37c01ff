import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { GetAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import { defaultServices } from '../../src/emulator/index.js';
import { startEmulator, type LoggedRequest, type RunningEmulator } from '../../src/emulator/server.js';
import { REGION } from '../helpers/emulator.js';
import { waitFor } from '../helpers/wait.js';

let emulator: RunningEmulator;
let aws: AwsClients;

const admin = async (method: string, path: string) => (await fetch(`${emulator.url}/_admin/${path}`, { method })).json() as Promise<{ requests: LoggedRequest[] }>;
/** A JSON-protocol call, named by its x-amz-target; the secret does not exist. */
const secretsCall = () => expect(aws.secretsManager.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toThrow("can't find");
const logged = async (query = '') => (await admin('GET', `requests${query}`)).requests;

beforeAll(async () => {
  emulator = await startEmulator({ services: defaultServices(), config: { provisioningDelayMs: 0, rateScale: 0 }, requestLogLimit: 3 });
  aws = awsClients({ endpointUrl: emulator.url, region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
});

afterAll(async () => {
  aws.destroy();
  await emulator.close();
});

beforeEach(async () => {
  await admin('POST', 'reset');
});

describe('GET /_admin/requests', () => {
  test('logs an SDK call with its arrival time, method, path and x-amz-target, but not admin calls', async () => {
    const before = Date.now();
    await expect(aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'bench_agent-AbCdEf1234' }))).rejects.toThrow();
    await secretsCall();
    const requests = await logged();
    expect(requests).toEqual([
      { at: expect.any(Number), method: 'GET', path: expect.stringContaining('bench_agent-AbCdEf1234') },
      { at: expect.any(Number), method: 'POST', path: '/', target: 'secretsmanager.GetSecretValue' },
    ]);
    expect(requests[0]!.at).toBeGreaterThanOrEqual(before);
    expect(requests[1]!.at).toBeGreaterThanOrEqual(requests[0]!.at);
  });

  test('?since= keeps the later ones; DELETE and reset clear it', async () => {
    await secretsCall();
    const first = (await logged())[0]!;
    // Arrival times are Date.now(): the next call arrives at a later one.
    await waitFor(() => Date.now() > first.at, { what: 'the clock to move past the first call' });
    await secretsCall();
    expect(await logged(`?since=${first.at + 1}`)).toHaveLength(1);
    await admin('DELETE', 'requests');
    expect(await logged()).toEqual([]);
    await secretsCall();
    await admin('POST', 'reset');
    expect(await logged()).toEqual([]);
  });

  test('keeps only the newest requests, oldest first', async () => {
    for (let i = 0; i < 5; i++) await expect(aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: `agent_${i}-AbCdEf1234` }))).rejects.toThrow();
    expect((await logged()).map((r) => /agent_(\d)/.exec(r.path)?.[1])).toEqual(['2', '3', '4']);
  });
});

describe('the admin API beyond loopback', () => {
  test('listening beyond this machine needs an admin token; with one, /_admin/ answers only the bearer of it, and AWS calls are unchanged', async () => {
    await expect(startEmulator({ services: defaultServices(), host: '0.0.0.0' })).rejects.toThrow("The emulator's /_admin/ API shows every secret it holds: to listen on 0.0.0.0");
    const guarded = await startEmulator({ services: defaultServices(), host: '0.0.0.0', adminToken: 'admin-token-for-test', config: { rateScale: 0 } });
    try {
      const url = guarded.url.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(`${url}/_admin/state`)).status).toBe(401);
      expect((await fetch(`${url}/_admin/state`, { headers: { authorization: 'Bearer wrong-token-of-same-len' } })).status).toBe(401);
      expect((await fetch(`${url}/_admin/health`, { headers: { authorization: 'Bearer admin-token-for-test' } })).status).toBe(200);
      const client = awsClients({ endpointUrl: url, region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
      await expect(client.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'missing_agent-AbCdEf1234' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      client.destroy();
    } finally {
      await guarded.close();
    }
  });
});
