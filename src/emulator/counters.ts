/** Calls per operation and outcome, read by tests through the admin API ("zero writes on a no-op"). */
export class CallCounters {
  private readonly counts = new Map<string, Map<string, number>>();

  record(service: string, operation: string, outcome: string): void {
    const key = `${service}:${operation}`;
    let byOutcome = this.counts.get(key);
    if (!byOutcome) {
      byOutcome = new Map();
      this.counts.set(key, byOutcome);
    }
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  }

  /** `{ "bedrock-agentcore:GetAgentRuntime": { "ok": 3, "ThrottlingException": 1 } }` */
  toJSON(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.counts].map(([k, v]) => [k, Object.fromEntries(v)]));
  }

  clear(): void {
    this.counts.clear();
  }
}
