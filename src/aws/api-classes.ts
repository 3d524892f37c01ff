/**
 * The API classes AWS meters separately, and the client-side rates the operator keeps to
 * (reference/agentcore-api.md §6). Rates can be overridden; see the operator's configuration.
 */
const CLASS_OF: Record<string, string> = {
  CreateAgentRuntime: 'runtimeMutation', UpdateAgentRuntime: 'runtimeMutation', DeleteAgentRuntime: 'runtimeMutation',
  CreateAgentRuntimeEndpoint: 'runtimeMutation', UpdateAgentRuntimeEndpoint: 'runtimeMutation', DeleteAgentRuntimeEndpoint: 'runtimeMutation',
  GetAgentRuntime: 'runtimeGet', GetAgentRuntimeEndpoint: 'runtimeGet',
  ListAgentRuntimes: 'runtimeList', ListAgentRuntimeEndpoints: 'runtimeList', ListAgentRuntimeVersions: 'runtimeList',
  CreateMemory: 'memoryCreate', UpdateMemory: 'memoryUpdate', DeleteMemory: 'memoryDelete', GetMemory: 'memoryGet', ListMemories: 'memoryList',
  CreateGateway: 'gatewayCreate', UpdateGateway: 'gatewayUpdate', DeleteGateway: 'gatewayDelete', GetGateway: 'gatewayGet', ListGateways: 'gatewayList',
  CreateGatewayTarget: 'targetCreate', UpdateGatewayTarget: 'targetUpdate', DeleteGatewayTarget: 'targetDelete', GetGatewayTarget: 'targetGet', ListGatewayTargets: 'targetList',
  SynchronizeGatewayTargets: 'targetSynchronize',
  TagResource: 'tagging', UntagResource: 'tagging', ListTagsForResource: 'tagging',
  GetResources: 'taggingApi',
  GetSecretValue: 'secretsManager',
};

export function apiClassOf(operation: string): string {
  if (CLASS_OF[operation]) return CLASS_OF[operation];
  if (/(WorkloadIdentit|CredentialProvider)/.test(operation)) return 'identity';
  return 'other';
}

/** Requests per second per class: AWS's documented quotas. */
const RATES: Record<string, { perSecond: number }> = {
  runtimeMutation: { perSecond: 50 },
  runtimeGet: { perSecond: 150 },
  runtimeList: { perSecond: 25 },
  memoryCreate: { perSecond: 3 },
  memoryUpdate: { perSecond: 3 },
  memoryDelete: { perSecond: 3 },
  memoryGet: { perSecond: 50 },
  memoryList: { perSecond: 5 },
  gatewayCreate: { perSecond: 5 },
  gatewayUpdate: { perSecond: 5 },
  gatewayDelete: { perSecond: 5 },
  gatewayGet: { perSecond: 10 },
  gatewayList: { perSecond: 10 },
  targetCreate: { perSecond: 5 },
  targetUpdate: { perSecond: 5 },
  targetDelete: { perSecond: 5 },
  targetGet: { perSecond: 10 },
  targetList: { perSecond: 10 },
  targetSynchronize: { perSecond: 5 },
  identity: { perSecond: 20 },
  // AWS publishes no rate for the tagging operations; the emulator assumes this one too.
  tagging: { perSecond: 50 },
  // The Resource Groups Tagging API's GetResources: a page answers for a hundred resources.
  taggingApi: { perSecond: 5 },
  // Secrets Manager's GetSecretValue quota is 10,000 a second; the operator reads one secret a provider.
  secretsManager: { perSecond: 100 },
};

/**
 * The client paces itself: AWS publishes rates but not burst sizes, and a client that bursts a full
 * second's worth into a server bucket another run has just drained is answered with throttling. A
 * tenth of a second's worth keeps the throughput and stays under the server.
 */
export function clientRates(perSecond: Record<string, number> = {}): Record<string, { perSecond: number; burst: number }> {
  return Object.fromEntries(
    Object.entries(RATES).map(([apiClass, quota]) => {
      const rate = perSecond[apiClass] ?? quota.perSecond;
      return [apiClass, { perSecond: rate, burst: Math.max(1, Math.floor(rate / 10)) }];
    }),
  );
}

export const DEFAULT_CLIENT_RATES = clientRates();

/** The API classes whose rates can be set. */
export const API_CLASSES: readonly string[] = Object.keys(RATES);
