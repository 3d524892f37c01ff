/** The gateway configuration AWS should hold for a spec: the body of a full-replacement UpdateGateway. */
import type { CreateGatewayRequest } from '@aws-sdk/client-bedrock-agentcore-control';
import type { GatewaySpec } from '../../api/v1alpha1/gateway.js';

/** What Create and Update both take: the whole configuration (Update replaces it). */
export type DesiredGatewayConfiguration = Omit<CreateGatewayRequest, 'name' | 'clientToken' | 'tags'>;
/** A configuration as the comparison reads it: desired, or as GetGateway reports it. */
export type GatewayConfiguration = Record<string, unknown>;

export function desiredGateway(spec: GatewaySpec, roleArn: string): DesiredGatewayConfiguration {
  const { authorizer, mcp } = spec;
  const mcpSettings = mcp ? { supportedVersions: mcp.supportedVersions, instructions: mcp.instructions, searchType: mcp.searchType } : undefined;
  const hasMcp = mcpSettings !== undefined && Object.values(mcpSettings).some((v) => v !== undefined);
  return {
    roleArn,
    description: spec.description,
    protocolType: 'MCP',
    protocolConfiguration: hasMcp ? { mcp: mcpSettings } : undefined,
    authorizerType: authorizer.type,
    authorizerConfiguration: authorizer.customJWT ? { customJWTAuthorizer: { ...authorizer.customJWT } } : undefined,
    kmsKeyArn: spec.kmsKeyArn,
    exceptionLevel: spec.exceptionLevel,
  };
}
