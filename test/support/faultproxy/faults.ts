/**
 * Injected faults: which requests they hit (by verb, resource, subresource, namespace and name; a number
 * of times or with a probability drawn from a seeded generator) and what they do to them.
 */

export interface FaultMatch {
  /** get, list, watch, create, update, patch, delete, deletecollection */
  verb?: string;
  /** The plural, e.g. `agentruntimes`. */
  resource?: string;
  /** `status` for writes to the status subresource, '' for the main resource. */
  subresource?: string;
  namespace?: string;
  name?: string;
}

export type FaultRule = FaultMatch &
  (
    | { type: 'status'; code: number; message?: string }
    | { type: 'latency'; ms: number }
    | { type: 'watchGone' }
  ) & {
    /** How many matching requests it applies to; unlimited when absent. */
    times?: number;
    /** The chance (0..1) that a matching request is hit; 1 when absent. */
    probability?: number;
  };

export type StatusFault = Extract<FaultRule, { type: 'status' }>;

export interface RequestFacts {
  verb: string;
  resource: string;
  subresource: string;
  namespace?: string;
  name?: string;
}

export class Faults {
  private rules: FaultRule[] = [];
  private random: () => number = Math.random;

  set(rules: FaultRule[], seed?: number): void {
    this.rules = rules.map((r) => ({ ...r }));
    if (seed !== undefined) this.random = seeded(seed);
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules that hit this request, each counted once. */
  hits(request: RequestFacts): FaultRule[] {
    const hit: FaultRule[] = [];
    for (const rule of this.rules) {
      if (!matches(rule, request) || (rule.type === 'watchGone' && request.verb !== 'watch')) continue;
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.times !== undefined) rule.times -= 1;
      hit.push(rule);
    }
    this.rules = this.rules.filter((r) => r.times === undefined || r.times > 0);
    return hit;
  }
}

function matches(rule: FaultMatch, request: RequestFacts): boolean {
  return (
    (rule.verb === undefined || rule.verb === request.verb) &&
    (rule.resource === undefined || rule.resource === request.resource) &&
    (rule.subresource === undefined || rule.subresource === request.subresource) &&
    (rule.namespace === undefined || rule.namespace === request.namespace) &&
    (rule.name === undefined || rule.name === request.name)
  );
}

/** A small deterministic generator so a test's random faults repeat run to run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}
