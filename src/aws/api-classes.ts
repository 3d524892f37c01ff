/**
 * The API classes AWS meters separately, and the client-side rates the operator keeps to
 * (reference/agentcore-api.md §6). Rates can be overridden; see the operator's configuration.
 *
 * Every operation the operator sends has its class here; an operation without one is refused rather
 * than sent unpaced (test/aws/api-classes.test.ts finds the operations in src/). Operations are named
 * without their SDK client, so one name used by two clients needs telling apart before it is added.
 */
const CLASS_OF: Readonly<Record<string, string>> = {
  // Bedrock AgentCore control plane
  CreateAgentRuntime: 'runtimeMutation', UpdateAgentRuntime: 'runtimeMutation', DeleteAgentRuntime: 'runtimeMutation',
  CreateAgentRuntimeEndpoint: 'runtimeMutation', UpdateAgentRuntimeEndpoint: 'runtimeMutation', DeleteAgentRuntimeEndpoint: 'runtimeMutation',
  GetAgentRuntime: 'runtimeGet', GetAgentRuntimeEndpoint: 'runtimeGet',
  ListAgentRuntimes: 'runtimeList', ListAgentRuntimeEndpoints: 'runtimeList', ListAgentRuntimeVersions: 'runtimeList',
  CreateMemory: 'memoryCreate', UpdateMemory: 'memoryUpdate', DeleteMemory: 'memoryDelete', GetMemory: 'memoryGet', ListMemories: 'memoryList',
  CreateGateway: 'gatewayCreate', UpdateGateway: 'gatewayUpdate', DeleteGateway: 'gatewayDelete', GetGateway: 'gatewayGet', ListGateways: 'gatewayList',
  CreateGatewayTarget: 'targetCreate', UpdateGatewayTarget: 'targetUpdate', DeleteGatewayTarget: 'targetDelete', GetGatewayTarget: 'targetGet', ListGatewayTargets: 'targetList',
  SynchronizeGatewayTargets: 'targetSynchronize',
  CreateWorkloadIdentity: 'identity', GetWorkloadIdentity: 'identity', UpdateWorkloadIdentity: 'identity', DeleteWorkloadIdentity: 'identity',
  CreateOauth2CredentialProvider: 'identity', GetOauth2CredentialProvider: 'identity', UpdateOauth2CredentialProvider: 'identity', DeleteOauth2CredentialProvider: 'identity',
  CreateApiKeyCredentialProvider: 'identity', GetApiKeyCredentialProvider: 'identity', UpdateApiKeyCredentialProvider: 'identity', DeleteApiKeyCredentialProvider: 'identity',
  TagResource: 'tagging', UntagResource: 'tagging', ListTagsForResource: 'tagging',
  // Resource Groups Tagging API
  GetResources: 'taggingApi',
  // Secrets Manager
  GetSecretValue: 'secretsManager',
  // IAM: the roles the operator manages for runtimes and gateways
  GetRole: 'iam', CreateRole: 'iam', DeleteRole: 'iam', TagRole: 'iam', UpdateAssumeRolePolicy: 'iam',
  PutRolePermissionsBoundary: 'iam',
  ListRolePolicies: 'iam', GetRolePolicy: 'iam', PutRolePolicy: 'iam', DeleteRolePolicy: 'iam',
  ListAttachedRolePolicies: 'iam', AttachRolePolicy: 'iam', DetachRolePolicy: 'iam',
  GetAccountAuthorizationDetails: 'iam',
  // STS, asked once for the account id and not paced (the emulator meters STS with IAM)
  GetCallerIdentity: 'iam',
  // ECR: an image tag resolved to its digest
  DescribeImages: 'ecr',
  // S3: a code zip's version
  HeadObject: 's3',
};

/** The class an operation (`CreateAgentRuntime`, without `Command`) is paced in; throws for one with none. */
export function apiClassOf(operation: string): string {
  const apiClass = Object.hasOwn(CLASS_OF, operation) ? CLASS_OF[operation] : undefined;
  if (!apiClass) throw new Error(`AWS operation ${operation} has no API class: add it to src/aws/api-classes.ts`);
  return apiClass;
}

/** Every operation with a class, for tests. */
export const CLASSIFIED_OPERATIONS: readonly string[] = Object.keys(CLASS_OF);

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
  // AWS publishes no request rates for IAM or for ECR's DescribeImages; the emulator assumes these too.
  iam: { perSecond: 100 },
  ecr: { perSecond: 100 },
  // S3 serves 5,500 reads a second a prefix; the operator reads one object a code-zip runtime.
  s3: { perSecond: 1000 },
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
