/**
 * The only place that builds AWS clients. Credentials come from the SDK's default chain; the region,
 * profile and endpoint can be set as the AWS CLI users expect (`--region`, `--profile`,
 * `--endpoint-url`, or AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL).
 */
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { classifyAwsError, type ErrorClass } from './errors.js';

/** One finished AWS call (after the SDK's own retries), for metrics. */
export interface AwsCall {
  /** The client's service: BedrockAgentCoreControl, IAM, ECR... */
  service: string;
  operation: string;
  outcome: 'success' | ErrorClass;
  seconds: number;
}

export interface AwsOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Static credentials, for tests against the emulator; production uses the default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
  /** Told of every call the clients make. */
  onCall?(call: AwsCall): void;
}

export interface AwsClients {
  agentcore: BedrockAgentCoreControlClient;
  iam: IAMClient;
  ecr: ECRClient;
  s3: S3Client;
  sts: STSClient;
  /** The Resource Groups Tagging API: the tags of many resources in one paged read. */
  tagging: ResourceGroupsTaggingAPIClient;
  secretsManager: SecretsManagerClient;
  /** An ECR client for a registry's own region (images are resolved where they live). */
  ecrIn(region: string): ECRClient;
  /** The account the credentials belong to (asked of STS once). */
  accountId(): Promise<string>;
  /** The region the clients work in. */
  region(): Promise<string>;
  /** Resolves the clients' credentials (throws what the SDK's provider chain says when there are none). */
  credentials(): Promise<unknown>;
  destroy(): void;
}

export function awsClients(options: AwsOptions = {}): AwsClients {
  const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL;
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 3,
  };
  const clients = {
    agentcore: new BedrockAgentCoreControlClient(common),
    // IAM is global: its signing region is us-east-1 whatever region the operator works in.
    iam: new IAMClient({ ...common, region: 'us-east-1' }),
    ecr: new ECRClient(common),
    // An endpoint override (the emulator, a VPC endpoint) is addressed by path, not by bucket host name.
    s3: new S3Client({ ...common, forcePathStyle: endpoint !== undefined }),
    sts: new STSClient(common),
    tagging: new ResourceGroupsTaggingAPIClient(common),
    secretsManager: new SecretsManagerClient(common),
  };
  if (options.onCall) for (const client of Object.values(clients)) observeCalls(client, options.onCall);
  const ecrByRegion = new Map<string, ECRClient>();
  const ecrIn = (region: string): ECRClient => {
    if (!options.region || region === options.region) return clients.ecr;
    let client = ecrByRegion.get(region);
    if (!client) {
      client = new ECRClient({ ...common, region });
      if (options.onCall) observeCalls(client, options.onCall);
      ecrByRegion.set(region, client);
    }
    return client;
  };
  let account: Promise<string> | undefined;
  const accountId = () => {
    account ??= clients.sts.send(new GetCallerIdentityCommand({})).then((r) => r.Account!);
    account.catch(() => (account = undefined));
    return account;
  };
  return {
    ...clients,
    ecrIn,
    accountId,
    region: () => clients.agentcore.config.region(),
    credentials: () => clients.agentcore.config.credentials(),
    destroy: () => [...Object.values(clients), ...ecrByRegion.values()].forEach((c) => c.destroy()),
  };
}

interface ObservableClient {
  middlewareStack: { add(middleware: never, options: { step: 'initialize'; name: string }): void };
}

function observeCalls(client: ObservableClient, onCall: (call: AwsCall) => void): void {
  type Next = (args: unknown) => Promise<unknown>;
  const middleware = (next: Next, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
    const started = performance.now();
    const call = (outcome: AwsCall['outcome']) => ({
      service: (context.clientName ?? 'unknown').replace(/Client$/, ''),
      operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
      outcome,
      seconds: (performance.now() - started) / 1000,
    });
    try {
      const output = await next(args);
      onCall(call('success'));
      return output;
    } catch (error) {
      onCall(call(classifyAwsError(error)));
      throw error;
    }
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'agentcoreOperatorCallObserver' });
}
