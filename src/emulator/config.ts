/** How the emulator behaves: account, provisioning delays, quotas. Everything has a test-friendly default. */
export interface EmulatorConfig {
  accountId: string;
  /** How long resources stay CREATING / UPDATING before they settle. */
  provisioningDelayMs: number;
  /** How long resources stay DELETING before they are gone. */
  deletionDelayMs: number;
  /** Multiplies every rate quota; 0 turns throttling off. */
  rateScale: number;
  /** Per-class rate overrides in requests per second (see quotas.ts for the classes). */
  rates: Record<string, number>;
  /** Count-limit overrides (see quotas.ts for the names). */
  limits: Record<string, number>;
  /** Keep state in this file across restarts. */
  statePath?: string;
  maxBodyBytes: number;
}

export function emulatorConfig(overrides: Partial<EmulatorConfig> = {}): EmulatorConfig {
  return {
    accountId: '123456789012',
    provisioningDelayMs: 100,
    deletionDelayMs: 100,
    rateScale: 1,
    rates: {},
    limits: {},
    maxBodyBytes: 10 * 1024 * 1024,
    ...overrides,
  };
}
