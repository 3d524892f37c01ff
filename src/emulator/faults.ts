/**
 * Faults injected through the admin API: errors, dropped connections and latency per operation, and
 * resource behaviours (a create that fails, a resource stuck in a transitional state).
 */
import { AwsError, ConnectionReset } from './errors.js';

/** `lost`: the call takes effect, then the connection drops before the answer, as when a response is lost on its way back. */
export type FaultKind = 'throttle' | 'internal' | 'reset' | 'latency' | 'lost';

export interface FaultRule {
  /** Operation name (`GetAgentRuntime`), or `*` for every operation of every service. */
  operation: string;
  kind: FaultKind;
  /** Probability in 0..1 that a call is affected. */
  rate: number;
  latencyMs?: number;
  /** Stop after this many affected calls. */
  count?: number;
}

export interface ResourceBehaviour {
  /** The next create of a resource with this name ends in a failed state with this reason. */
  failCreate?: string;
  /** The next update ends in a failed state with this reason. */
  failUpdate?: string;
  /** Stay in the transitional state until this behaviour is cleared. */
  stuck?: boolean;
}

/** A small seeded PRNG so a fault test can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: FaultRule[] = [];
  private random: () => number = Math.random;
  /** Keyed by `Kind/name`, for example `AgentRuntime/support_agent`. */
  readonly behaviours = new Map<string, ResourceBehaviour>();

  set(rules: FaultRule[], seed?: number): void {
    this.rules = rules.map((r) => ({ ...r }));
    this.random = seed === undefined ? Math.random : mulberry32(seed);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
    this.behaviours.clear();
  }

  behaviour(kind: string, name: string): ResourceBehaviour {
    return this.behaviours.get(`${kind}/${name}`) ?? {};
  }

  /** Takes a one-shot behaviour (failCreate, failUpdate) so it applies once. */
  consume(kind: string, name: string, key: 'failCreate' | 'failUpdate'): string | undefined {
    const b = this.behaviours.get(`${kind}/${name}`);
    const value = b?.[key];
    if (b && value !== undefined) delete b[key];
    return value;
  }

  /** Whether a rule matches the operation and fires now (taking one of its count). */
  private fires(rule: FaultRule, operation: string): boolean {
    if (rule.operation !== '*' && rule.operation !== operation) return false;
    if (rule.count !== undefined && rule.count <= 0) return false;
    if (this.random() >= rule.rate) return false;
    if (rule.count !== undefined) rule.count -= 1;
    return true;
  }

  /** Before the call: applies the first matching rule that fires: waits, throws an AWS error, or drops the connection. */
  async apply(operation: string, throttlingCode: string, serverErrorCode = 'InternalServerException'): Promise<void> {
    for (const rule of this.rules) {
      if (rule.kind === 'lost' || !this.fires(rule, operation)) continue;
      switch (rule.kind) {
        case 'latency':
          await new Promise((r) => setTimeout(r, rule.latencyMs ?? 100).unref()); // a held request does not keep a closing emulator's process alive
          continue;
        case 'throttle':
          throw new AwsError(throttlingCode, 429, 'Rate exceeded (injected fault)');
        case 'internal':
          throw new AwsError(serverErrorCode, 500, 'Internal failure (injected fault)');
        case 'reset':
          throw new ConnectionReset();
      }
    }
  }

  /** After the call took effect: drops the connection when a `lost` rule fires. */
  afterEffect(operation: string): void {
    for (const rule of this.rules) {
      if (rule.kind === 'lost' && this.fires(rule, operation)) throw new ConnectionReset();
    }
  }
}
