/**
 * Desired against observed gateway configuration, in the members the spec models only: the protocol
 * type AWS defaults to MCP, empty and absent are equal, the JWT allow-lists and MCP versions are sets.
 * A different authorizer type cannot be updated in place: it is a replacement.
 */
import type { GatewayConfiguration } from './desired.js';
import { clean, dropServerFilled, leafChanges, leaves, pick, type FieldChange, type Model } from './normalise.js';

/** The members of a Get or Update the spec models; the rest is AWS's, or set through other means. */
export const GATEWAY_MODEL: Model = {
  roleArn: true,
  description: true,
  protocolType: true,
  protocolConfiguration: { mcp: { supportedVersions: true, instructions: true, searchType: true } },
  authorizerType: true,
  authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: true, allowedAudience: true, allowedClients: true, allowedScopes: true } },
  kmsKeyArn: true,
  exceptionLevel: true,
};

/** Members UpdateGateway accepts that the spec does not model: a full replacement carries them over. */
export const GATEWAY_CARRIED = ['interceptorConfigurations', 'policyEngineConfiguration', 'customTransformConfiguration', 'wafConfiguration'] as const;

const SETS = new Set(['supportedVersions', 'allowedAudience', 'allowedClients', 'allowedScopes']);

/** AWS's documented default. */
const SERVER_DEFAULTS = { protocolType: 'MCP' };

/**
 * What AWS may fill in when a request leaves it out, and is then not drift: the MCP versions the
 * gateway accepts default to those the service supports.
 */
const SERVER_FILLED = ['protocolConfiguration.mcp.supportedVersions'];

const SPEC_PATHS: [string, string][] = [
  ['roleArn', 'spec.role.arn'],
  ['protocolConfiguration.mcp', 'spec.mcp'],
  ['protocolType', 'spec.mcp'],
  ['authorizerType', 'spec.authorizer.type'],
  ['authorizerConfiguration.customJWTAuthorizer', 'spec.authorizer.customJWT'],
  ['kmsKeyArn', 'spec.kmsKeyArn'],
  ['exceptionLevel', 'spec.exceptionLevel'],
  ['description', 'spec.description'],
];

export function normaliseGateway(config: GatewayConfiguration): Record<string, unknown> {
  return clean({ ...SERVER_DEFAULTS, ...pick(config, GATEWAY_MODEL) }, SETS) as Record<string, unknown>;
}

export function diffGateway(desired: GatewayConfiguration, observed: GatewayConfiguration): FieldChange[] {
  const want = normaliseGateway(desired);
  const have = normaliseGateway(observed);
  if (want.authorizerType !== have.authorizerType) {
    return [{ path: 'spec.authorizer.type', from: have.authorizerType, to: want.authorizerType, action: 'replace' }];
  }
  const a = leaves(want);
  const b = leaves(have);
  dropServerFilled(a, b, SERVER_FILLED);
  return leafChanges(a, b, SPEC_PATHS);
}
