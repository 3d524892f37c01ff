/**
 * The write fence: through the real SDK client against the emulator, a gate that is not sure it may
 * write lets reads through and refuses every write before it is sent, as a transient error.
 */
import { describe, expect, test } from '@jest/globals';
import { CreateMemoryCommand, ListMemoriesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AwsClients } from '../../src/aws/clients.js';
import { Fenced, fenced, send, type RateGate } from '../../src/aws/call.js';
import { classifyAwsError } from '../../src/aws/errors.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';
import { waitFor } from '../helpers/wait.js';

let emulator: TestEmulator;
let aws: AwsClients;
useEmulator([agentCoreService()], (e, a) => {
  emulator = e;
  aws = a;
});

const open: RateGate = { acquire: () => Promise.resolve() };

describe('fenced', () => {
  test('reads pass; a write is refused unsent while the fence is up, and sent once it is down', async () => {
    let leading = false;
    const gate = fenced(open, () => (leading ? undefined : 'not sure it leads'));
    await emulator.admin('DELETE', 'counters');
    await expect(send(aws.agentcore, new ListMemoriesCommand({}), gate)).resolves.toMatchObject({ memories: [] });
    const refused = send(aws.agentcore, new CreateMemoryCommand({ name: 'fenced_memory', eventExpiryDuration: 30 }), gate);
    await expect(refused).rejects.toBeInstanceOf(Fenced);
    await expect(refused).rejects.toThrow('CreateMemory not sent: not sure it leads');
    expect(classifyAwsError(await refused.catch((e: unknown) => e))).toBe('transient');
    expect(Object.keys(await emulator.admin<Record<string, unknown>>('GET', 'counters'))).toEqual(['bedrock-agentcore:ListMemories']);
    leading = true;
    await expect(send(aws.agentcore, new CreateMemoryCommand({ name: 'fenced_memory', eventExpiryDuration: 30 }), gate)).resolves.toMatchObject({ memory: { name: 'fenced_memory' } });
  });

  test('once its signal is aborted, a call in flight is cancelled and no further call, read or write, is sent', async () => {
    const leadership = new AbortController();
    const gate = fenced(open, () => undefined, leadership.signal);
    await emulator.admin('DELETE', 'counters');
    await emulator.admin('DELETE', 'requests');
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'ListMemories', kind: 'latency', latencyMs: 60_000, rate: 1, count: 1 }] });
    try {
      const inFlight = send(aws.agentcore, new ListMemoriesCommand({}), gate);
      await waitFor(async () => (await emulator.admin<{ requests: unknown[] }>('GET', 'requests')).requests.length === 1, { timeoutMs: 10_000, what: 'the read to reach AWS' });
      leadership.abort(new Error('lost the lease'));
      const cancelled = await inFlight.catch((e: unknown) => e);
      expect([(cancelled as Error).name, classifyAwsError(cancelled)]).toEqual(['AbortError', 'transient']);
      await expect(send(aws.agentcore, new ListMemoriesCommand({}), gate)).rejects.toThrow('ListMemories not sent: lost the lease');
      await expect(send(aws.agentcore, new CreateMemoryCommand({ name: 'after_the_lease', eventExpiryDuration: 30 }), gate)).rejects.toBeInstanceOf(Fenced);
      expect((await emulator.admin<{ requests: unknown[] }>('GET', 'requests')).requests).toHaveLength(1);
    } finally {
      await emulator.admin('DELETE', 'faults');
    }
  });
});
