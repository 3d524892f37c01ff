/**
 * Desired against observed target configuration, in the members the spec models only. Tool schemas
 * are compared as normalised JSON: inline tool definitions keyed by name in the API's schema terms,
 * inline OpenAPI and Smithy documents parsed (JSON or YAML) and printed with sorted keys. A target
 * whose kind (lambda, openApi, smithy, mcpServer) differs is a replacement.
 */
import { parse as parseYaml } from 'yaml';
import { clean, dropServerFilled, isMap, leafChanges, leaves, pick, stableJson, type FieldChange, type Model } from '../gateway/normalise.js';
import { MCP_MEMBER, toolDefinition, type TargetConfiguration } from './desired.js';

/** The members of a Get or Update the spec models; the rest is AWS's, or set through other means. */
export const TARGET_MODEL: Model = {
  description: true,
  targetConfiguration: { mcp: { lambda: { lambdaArn: true, toolSchema: true }, openApiSchema: true, smithyModel: true, mcpServer: { endpoint: true } } },
  credentialProviderConfigurations: true,
};

/** Members UpdateGatewayTarget accepts that the spec does not model: a full replacement carries them over. */
export const TARGET_CARRIED = ['metadataConfiguration', 'privateEndpoint'] as const;

const SETS = new Set(['scopes', 'required']);

const CREDENTIAL = 'credentialProviderConfigurations.credentialProvider';

/**
 * What AWS may fill in when a request leaves it out, and is then not drift: where an API key goes and
 * under what name, and the OAuth grant type.
 */
const SERVER_FILLED = [
  `${CREDENTIAL}.apiKeyCredentialProvider.credentialLocation`,
  `${CREDENTIAL}.apiKeyCredentialProvider.credentialParameterName`,
  `${CREDENTIAL}.oauthCredentialProvider.grantType`,
];

const MCP = 'targetConfiguration.mcp';
const SPEC_PATHS: [string, string][] = [
  [`${MCP}.lambda.lambdaArn`, 'spec.lambda.arn'],
  [`${MCP}.lambda.toolSchema.inlinePayload`, 'spec.lambda.toolSchema.inline'],
  [`${MCP}.lambda`, 'spec.lambda'],
  [`${MCP}.openApiSchema.inlinePayload`, 'spec.openApi.inline'],
  [`${MCP}.openApiSchema`, 'spec.openApi'],
  [`${MCP}.smithyModel.inlinePayload`, 'spec.smithy.inline'],
  [`${MCP}.smithyModel`, 'spec.smithy'],
  [`${MCP}.mcpServer`, 'spec.mcpServer'],
  ['credentialProviderConfigurations.credentialProviderType', 'spec.credentials'],
  [`${CREDENTIAL}.oauthCredentialProvider`, 'spec.credentials.oauth'],
  [`${CREDENTIAL}.apiKeyCredentialProvider.credentialParameterName`, 'spec.credentials.apiKey.parameterName'],
  [`${CREDENTIAL}.apiKeyCredentialProvider.credentialPrefix`, 'spec.credentials.apiKey.prefix'],
  [`${CREDENTIAL}.apiKeyCredentialProvider.credentialLocation`, 'spec.credentials.apiKey.location'],
  [`${CREDENTIAL}.apiKeyCredentialProvider`, 'spec.credentials.apiKey'],
  ['credentialProviderConfigurations', 'spec.credentials'],
  ['description', 'spec.description'],
];

/** An OpenAPI or Smithy document as canonical JSON, so that formatting and key order do not count. */
export function canonicalDocument(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    const parsed: unknown = parseYaml(text);
    return typeof parsed === 'object' && parsed !== null ? stableJson(parsed) : text.trim();
  } catch {
    return text.trim();
  }
}

function normaliseToolSchema(toolSchema: unknown): unknown {
  if (!isMap(toolSchema) || !Array.isArray(toolSchema.inlinePayload)) return toolSchema;
  // Keyed by name, each in the API's schema terms: order and keywords AWS does not keep do not count.
  const tools = toolSchema.inlinePayload.filter(isMap).map((t) => toolDefinition(t));
  return { inlinePayload: Object.fromEntries(tools.map((t) => [String(t.name), { ...t, name: undefined }])) };
}

function normaliseApiSchema(schema: unknown): unknown {
  return isMap(schema) && schema.inlinePayload !== undefined ? { ...schema, inlinePayload: canonicalDocument(schema.inlinePayload) } : schema;
}

/** The one member of `targetConfiguration.mcp` set: lambda, openApiSchema, smithyModel or mcpServer. */
export function mcpMemberOf(config: TargetConfiguration): string | undefined {
  const target = config.targetConfiguration;
  const mcp = isMap(target) ? target.mcp : undefined;
  return isMap(mcp) ? Object.keys(mcp).find((k) => mcp[k] !== undefined) : undefined;
}

export function normaliseTarget(config: TargetConfiguration): Record<string, unknown> {
  const picked = pick(config, TARGET_MODEL);
  const mcp = (picked.targetConfiguration as { mcp?: Record<string, Record<string, unknown> | undefined> } | undefined)?.mcp;
  if (mcp?.lambda) mcp.lambda = { ...mcp.lambda, toolSchema: normaliseToolSchema(mcp.lambda.toolSchema) };
  if (mcp?.openApiSchema) mcp.openApiSchema = normaliseApiSchema(mcp.openApiSchema) as Record<string, unknown>;
  if (mcp?.smithyModel) mcp.smithyModel = normaliseApiSchema(mcp.smithyModel) as Record<string, unknown>;
  // Exactly one configuration; AWS reports the gateway's IAM role when none was given.
  const credentials = Array.isArray(picked.credentialProviderConfigurations) ? picked.credentialProviderConfigurations[0] : undefined;
  picked.credentialProviderConfigurations = credentials ?? { credentialProviderType: 'GATEWAY_IAM_ROLE' };
  return clean(picked, SETS) as Record<string, unknown>;
}

const SPEC_KIND = Object.fromEntries(Object.entries(MCP_MEMBER).map(([kind, member]) => [member, kind]));

export function diffTarget(desired: TargetConfiguration, observed: TargetConfiguration): FieldChange[] {
  const wantKind = mcpMemberOf(desired);
  const haveKind = mcpMemberOf(observed);
  if (wantKind !== haveKind) {
    return [{ path: `spec.${SPEC_KIND[wantKind ?? ''] ?? 'targetConfiguration'}`, from: SPEC_KIND[haveKind ?? ''] ?? haveKind, to: SPEC_KIND[wantKind ?? ''] ?? wantKind, action: 'replace' }];
  }
  const want = leaves(normaliseTarget(desired));
  const have = leaves(normaliseTarget(observed));
  dropServerFilled(want, have, SERVER_FILLED);
  return leafChanges(want, have, SPEC_PATHS);
}
