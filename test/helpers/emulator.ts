/** Starts an emulator on a loopback port for a test, with what the real SDK clients need to reach it. */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import type { EmulatorConfig } from '../../src/emulator/config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { EmulatedService } from '../../src/emulator/service.js';

export const REGION = 'us-west-2';

export interface TestEmulator extends RunningEmulator {
  /** Config for any AWS SDK v3 client: endpoint, region and dummy credentials. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export async function startTestEmulator(services: EmulatedService[], config: Partial<EmulatorConfig> = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ services, config: { provisioningDelayMs: 0, deletionDelayMs: 0, rateScale: 0, ...config } });
  return {
    ...emulator,
    clientConfig: { endpoint: emulator.url, region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'emulator-secret' } },
    async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${emulator.url}/_admin/${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/**
 * An emulator and the operator's AWS clients pointed at it, for a whole test file: started before the
 * first test, closed after the last, reset before each. `ready` hands both to the file.
 */
export function useEmulator(services: EmulatedService[], ready: (emulator: TestEmulator, aws: AwsClients) => void, config: Partial<EmulatorConfig> = {}): void {
  let emulator: TestEmulator;
  let aws: AwsClients;
  beforeAll(async () => {
    emulator = await startTestEmulator(services, config);
    aws = awsClients({ endpointUrl: emulator.url, region: REGION, credentials: emulator.clientConfig.credentials, maxAttempts: 1 });
    ready(emulator, aws);
  });
  afterAll(async () => {
    aws.destroy();
    await emulator.close();
  });
  beforeEach(async () => {
    await emulator.admin('POST', 'reset');
  });
}
