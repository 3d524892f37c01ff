/** The emulator's notion of now, replaceable in tests. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const isoTime = (ms: number) => new Date(ms).toISOString();
export const epochSeconds = (ms: number) => ms / 1000;
