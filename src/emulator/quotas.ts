/**
 * Rate quotas (token buckets per API class) and count limits, with the values AWS documents for
 * AgentCore (reference/agentcore-api.md §6). Every value can be overridden, and rates scaled.
 */
import type { EmulatorConfig } from './config.js';

/** Requests per second for each API class. */
export const DEFAULT_RATES: Record<string, number> = {
  runtimeMutation: 50,
  runtimeGet: 150,
  runtimeList: 25,
  memoryCreate: 3,
  memoryUpdate: 3,
  memoryDelete: 3,
  memoryGet: 50,
  memoryList: 5,
  gatewayCreate: 5,
  gatewayUpdate: 5,
  gatewayDelete: 5,
  gatewayGet: 10,
  gatewayList: 10,
  targetCreate: 5,
  targetUpdate: 5,
  targetDelete: 5,
  targetGet: 10,
  targetList: 10,
  targetSynchronize: 5,
  identity: 20,
  tagging: 50,
  /** Resource Groups Tagging API GetResources: the Tag Editor quotas document 15 calls per second. */
  taggingApi: 15,
  iam: 100,
  ecr: 100,
  s3: 1000,
  /** GetSecretValue and DescribeSecret together, as Secrets Manager documents. */
  secretsManager: 10000,
};

/** Count limits. */
export const DEFAULT_LIMITS: Record<string, number> = {
  runtimesPerAccount: 1000,
  versionsPerRuntime: 1000,
  endpointsPerRuntime: 10,
  memoriesPerAccount: 150,
  strategiesPerMemory: 6,
  gatewaysPerAccount: 1000,
  targetsPerGateway: 100,
  concurrentTargetOperationsPerGateway: 5,
  workloadIdentitiesPerAccount: 11000,
  oauth2ProvidersPerAccount: 50,
  apiKeyProvidersPerAccount: 50,
  tagsPerResource: 50,
  iamTagsPerRole: 50,
  iamManagedPoliciesPerRole: 10,
  /** Characters of a trust policy, whitespace not counted. */
  iamTrustPolicySize: 2048,
  /** Characters of all a role's inline policies together, whitespace not counted. */
  iamInlinePolicySizePerRole: 10240,
};

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = Math.max(1, rate);
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Quotas {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly config: EmulatorConfig) {}

  rate(apiClass: string): number {
    return (this.config.rates[apiClass] ?? DEFAULT_RATES[apiClass] ?? 100) * this.config.rateScale;
  }

  limit(name: string): number {
    const value = this.config.limits[name] ?? DEFAULT_LIMITS[name];
    if (value === undefined) throw new Error(`unknown limit ${name}`);
    return value;
  }

  /** False when the class has no token left this instant. Buckets are per account and region. */
  admit(apiClass: string, scope: string, now: number): boolean {
    if (this.config.rateScale === 0) return true;
    const key = `${scope}/${apiClass}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.rate(apiClass), now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Forget bucket levels, for a reset or a changed rate. */
  clear(): void {
    this.buckets.clear();
  }
}
