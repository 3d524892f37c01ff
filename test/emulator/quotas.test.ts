import { describe, expect, test } from '@jest/globals';
import { emulatorConfig } from '../../src/emulator/config.js';
import { DEFAULT_RATES, Quotas } from '../../src/emulator/quotas.js';

describe('rate quotas (a token bucket per API class, per account and region)', () => {
  test('a burst of one second of the rate is admitted, then one request per 1/rate seconds', () => {
    const quotas = new Quotas(emulatorConfig({ rates: { runtimeGet: 5 } }));
    const admitted = (now: number, n: number) => Array.from({ length: n }, () => quotas.admit('runtimeGet', 'acct/us-east-1', now)).filter(Boolean).length;
    expect(admitted(0, 10)).toBe(5);
    expect(admitted(100, 1)).toBe(0);
    expect(admitted(200, 2)).toBe(1);
    expect(admitted(1200, 10)).toBe(5);
  });

  test('classes and regions have separate buckets; a scale multiplies every rate; scale 0 turns throttling off', () => {
    const quotas = new Quotas(emulatorConfig({ rateScale: 2 }));
    expect(quotas.rate('runtimeMutation')).toBe(2 * DEFAULT_RATES.runtimeMutation!);
    const q = new Quotas(emulatorConfig({ rates: { memoryCreate: 1 } }));
    expect([q.admit('memoryCreate', 'a/us-east-1', 0), q.admit('memoryCreate', 'a/us-east-1', 0), q.admit('memoryCreate', 'a/eu-west-1', 0), q.admit('memoryGet', 'a/us-east-1', 0)]).toEqual([true, false, true, true]);
    const off = new Quotas(emulatorConfig({ rateScale: 0, rates: { memoryCreate: 1 } }));
    expect(Array.from({ length: 100 }, () => off.admit('memoryCreate', 'a/us-east-1', 0)).every(Boolean)).toBe(true);
  });

  test('the documented AgentCore rates are the defaults', () => {
    expect(DEFAULT_RATES).toMatchObject({ runtimeMutation: 50, runtimeGet: 150, runtimeList: 25, memoryCreate: 3, gatewayCreate: 5, targetCreate: 5, identity: 20 });
  });
});
