/** The target configuration AWS should hold for a spec: the body of a full-replacement UpdateGatewayTarget. */
import type { CreateGatewayTargetRequest } from '@aws-sdk/client-bedrock-agentcore-control';
import type { GatewayTargetSpec, TargetKind } from '../../api/v1alpha1/gatewaytarget.js';
import { TARGET_KINDS } from '../../api/v1alpha1/gatewaytarget.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../errors.js';
import { isMap } from '../gateway/normalise.js';

export type TargetConfiguration = Record<string, unknown>;

/** Facts the spec alone does not give. */
export interface TargetInputs {
  /** The credential provider's ARN, given or read from the referenced provider object. */
  providerArn?: string;
}

/** The union member of `targetConfiguration.mcp` each spec kind maps to. */
export const MCP_MEMBER: Record<TargetKind, string> = { lambda: 'lambda', openApi: 'openApiSchema', smithy: 'smithyModel', mcpServer: 'mcpServer' };

export function targetKindOf(spec: GatewayTargetSpec): TargetKind {
  const kinds = TARGET_KINDS.filter((k) => spec[k] !== undefined);
  if (kinds.length !== 1) throw new TerminalError(`A target sets exactly one of ${TARGET_KINDS.join(', ')}; this one sets ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`, Reason.ValidationFailed);
  return kinds[0]!;
}

/**
 * A tool's JSON schema in the API's SchemaDefinition terms (type, properties, required, items,
 * description, recursively); other JSON Schema keywords are not part of the API and are dropped.
 */
export function schemaDefinition(value: unknown): Record<string, unknown> | undefined {
  if (!isMap(value)) return undefined;
  const out: Record<string, unknown> = {};
  if (value.type !== undefined) out.type = value.type;
  if (isMap(value.properties)) out.properties = Object.fromEntries(Object.entries(value.properties).map(([k, v]) => [k, schemaDefinition(v) ?? {}]));
  if (Array.isArray(value.required)) out.required = value.required.filter((r): r is string => typeof r === 'string');
  if (value.items !== undefined) out.items = schemaDefinition(value.items);
  if (typeof value.description === 'string') out.description = value.description;
  return out;
}

export function toolDefinition(tool: Record<string, unknown>): Record<string, unknown> {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: schemaDefinition(tool.inputSchema),
    ...(tool.outputSchema !== undefined ? { outputSchema: schemaDefinition(tool.outputSchema) } : {}),
  };
}

type ApiSchema = NonNullable<GatewayTargetSpec['openApi']>;
function apiSchema(schema: ApiSchema): Record<string, unknown> {
  return schema.s3 ? { s3: { ...schema.s3 } } : { inlinePayload: schema.inline };
}

function mcpTarget(spec: GatewayTargetSpec): Record<string, unknown> {
  switch (targetKindOf(spec)) {
    case 'lambda': {
      const { arn, toolSchema } = spec.lambda!;
      return { lambda: { lambdaArn: arn, toolSchema: toolSchema.s3 ? { s3: { ...toolSchema.s3 } } : { inlinePayload: (toolSchema.inline ?? []).map((t) => toolDefinition(t)) } } };
    }
    case 'openApi':
      return { openApiSchema: apiSchema(spec.openApi!) };
    case 'smithy':
      return { smithyModel: apiSchema(spec.smithy!) };
    case 'mcpServer':
      return { mcpServer: { endpoint: spec.mcpServer!.endpoint } };
  }
}

/** How the gateway authenticates to the target; the gateway's IAM role when the spec says nothing. */
function credentialConfiguration(credentials: GatewayTargetSpec['credentials'], providerArn: string | undefined): Record<string, unknown> {
  if (credentials?.oauth) {
    const { scopes, customParameters, grantType, defaultReturnUrl } = credentials.oauth;
    return { credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn, scopes: [...scopes], customParameters, grantType, defaultReturnUrl } } };
  }
  if (credentials?.apiKey) {
    const { parameterName, prefix, location } = credentials.apiKey;
    return { credentialProviderType: 'API_KEY', credentialProvider: { apiKeyCredentialProvider: { providerArn, credentialParameterName: parameterName, credentialPrefix: prefix, credentialLocation: location } } };
  }
  return { credentialProviderType: 'GATEWAY_IAM_ROLE' };
}

/** What Create and Update both take: the whole configuration (Update replaces it). */
export type DesiredTargetConfiguration = Omit<CreateGatewayTargetRequest, 'gatewayIdentifier' | 'name' | 'clientToken'>;

/**
 * The union members (the MCP target kind, the credential type) are chosen by the spec at run time,
 * which the SDK's union types cannot follow: the one cast is here.
 */
export function desiredTarget(spec: GatewayTargetSpec, inputs: TargetInputs): DesiredTargetConfiguration {
  return {
    description: spec.description,
    targetConfiguration: { mcp: mcpTarget(spec) },
    credentialProviderConfigurations: [credentialConfiguration(spec.credentials, inputs.providerArn)],
  } as unknown as DesiredTargetConfiguration;
}
