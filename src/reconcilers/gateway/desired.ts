/** The gateway configuration AWS should hold for a spec: the body of a full-replacement UpdateGateway. */
import type { GatewaySpec } from '../../api/v1alpha1/gateway.js';

export type GatewayConfiguration = Record<string, unknown>;

export function desiredGateway(spec: GatewaySpec, roleArn: string): GatewayConfiguration {
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
