/** The runtime configuration AWS should hold for a spec: the body of an UpdateAgentRuntime call. */
import type { CreateAgentRuntimeRequest } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AgentRuntimeSpec } from '../../api/v1alpha1/agentruntime.js';

/** Facts the spec alone does not give: resolved references and the code fingerprint. */
export interface RuntimeInputs {
  roleArn: string;
  /** The image to deploy, pinned to a digest when one was resolved. */
  image?: string;
  memoryId?: string;
  gatewayUrl?: string;
  /** The value of the session-restart variable: code fingerprint plus restart counter. */
  codeVersion?: string;
  codeVersionEnvName: string;
}

/** What Create and Update both take: the whole configuration (Update replaces it). */
export type DesiredRuntimeConfiguration = Omit<CreateAgentRuntimeRequest, 'agentRuntimeName' | 'clientToken' | 'tags'>;
/** A configuration as the comparison reads it: desired, or as GetAgentRuntime reports it. */
export type RuntimeConfiguration = Record<string, unknown>;

export function desiredRuntime(spec: AgentRuntimeSpec, inputs: RuntimeInputs): DesiredRuntimeConfiguration {
  const env: Record<string, string> = { ...spec.env };
  if (spec.memoryRef && inputs.memoryId) env[spec.memoryRef.envName ?? 'BEDROCK_AGENTCORE_MEMORY_ID'] = inputs.memoryId;
  if (spec.gatewayRef && inputs.gatewayUrl) env[spec.gatewayRef.envName ?? 'AGENTCORE_GATEWAY_URL'] = inputs.gatewayUrl;
  if (inputs.codeVersion) env[inputs.codeVersionEnvName] = inputs.codeVersion;
  const { artifact, network, lifecycle } = spec;
  return {
    agentRuntimeArtifact: artifact.code
      ? { codeConfiguration: { code: { s3: { ...artifact.code.s3 } }, runtime: artifact.code.runtime, entryPoint: [...artifact.code.entryPoint] } }
      : { containerConfiguration: { containerUri: inputs.image ?? artifact.image } },
    roleArn: inputs.roleArn,
    networkConfiguration: network?.mode === 'VPC' ? { networkMode: 'VPC', networkModeConfig: { securityGroups: network.securityGroups, subnets: network.subnets } } : { networkMode: 'PUBLIC' },
    description: spec.description,
    protocolConfiguration: { serverProtocol: spec.protocol ?? 'HTTP' },
    lifecycleConfiguration: lifecycle ? { idleRuntimeSessionTimeout: lifecycle.idleSessionTimeoutSeconds, maxLifetime: lifecycle.maxLifetimeSeconds } : undefined,
    environmentVariables: env,
    authorizerConfiguration: spec.authorizer ? { customJWTAuthorizer: { ...spec.authorizer.customJWT } } : undefined,
    requestHeaderConfiguration: spec.requestHeaders ? { requestHeaderAllowlist: spec.requestHeaders.allowlist } : undefined,
  };
}
