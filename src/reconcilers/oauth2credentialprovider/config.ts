/**
 * The spec's vendor, client id, discovery and tenant as the `oauth2ProviderConfigInput` union member
 * for that vendor, and the comparison with what GetOauth2CredentialProvider reports. Eight vendors
 * have a member of their own; every other vendor is configured through `includedOauth2ProviderConfig`
 * with an issuer (and, without a discovery document, its endpoints). Get reports no secret, and for
 * every vendor but CustomOauth2 it reports the discovery AgentCore derived rather than what was
 * given, so tenant and issuer are compared against that.
 */
import type { Oauth2ProviderConfigInput } from '@aws-sdk/client-bedrock-agentcore-control';
import type { OAuth2CredentialProviderSpec } from '../../api/v1alpha1/oauth2credentialprovider.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../errors.js';
import { sameSet } from '../sets.js';
import type { DesiredSecret } from '../secret.js';

type Json = Record<string, unknown>;
type Discovery = NonNullable<OAuth2CredentialProviderSpec['discovery']>;

interface ObservedDiscovery {
  discoveryUrl?: string;
  authorizationServerMetadata?: { issuer?: string; authorizationEndpoint?: string; tokenEndpoint?: string; responseTypes?: string[] };
}

interface ObservedMember {
  clientId?: string;
  oauthDiscovery?: ObservedDiscovery;
}

const DEDICATED_MEMBER: Record<string, string> = {
  CustomOauth2: 'customOauth2ProviderConfig',
  GoogleOauth2: 'googleOauth2ProviderConfig',
  GithubOauth2: 'githubOauth2ProviderConfig',
  SlackOauth2: 'slackOauth2ProviderConfig',
  SalesforceOauth2: 'salesforceOauth2ProviderConfig',
  MicrosoftOauth2: 'microsoftOauth2ProviderConfig',
  AtlassianOauth2: 'atlassianOauth2ProviderConfig',
  LinkedinOauth2: 'linkedinOauth2ProviderConfig',
};
const INCLUDED_MEMBER = 'includedOauth2ProviderConfig';

/** The union member that configures a vendor. */
export function memberOf(vendor: string): string {
  return DEDICATED_MEMBER[vendor] ?? INCLUDED_MEMBER;
}

const WELL_KNOWN = /\/\.well-known\/(openid-configuration|oauth-authorization-server)$/;
const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The issuer (and endpoints) of an included vendor, from the spec's discovery. */
function issuerOf(discovery: Discovery | undefined): { issuer?: string; authorizationEndpoint?: string; tokenEndpoint?: string } {
  if (discovery?.authorizationServerMetadata) {
    const { issuer, authorizationEndpoint, tokenEndpoint } = discovery.authorizationServerMetadata;
    return { issuer, authorizationEndpoint, tokenEndpoint };
  }
  if (discovery?.discoveryUrl) return { issuer: discovery.discoveryUrl.replace(WELL_KNOWN, '') };
  return {};
}

function discoveryInput(discovery: Discovery): Json {
  if (discovery.discoveryUrl) return { discoveryUrl: discovery.discoveryUrl };
  const metadata = discovery.authorizationServerMetadata;
  if (!metadata) throw new TerminalError('spec.discovery: exactly one of discoveryUrl, authorizationServerMetadata must be set', Reason.ValidationFailed);
  return { authorizationServerMetadata: { issuer: metadata.issuer, authorizationEndpoint: metadata.authorizationEndpoint, tokenEndpoint: metadata.tokenEndpoint, ...(metadata.responseTypes?.length ? { responseTypes: metadata.responseTypes } : {}) } };
}

function secretMembers(secret: DesiredSecret): Json {
  return secret.source === 'EXTERNAL'
    ? { clientSecretSource: 'EXTERNAL', clientSecretConfig: { secretId: secret.secretId, jsonKey: secret.jsonKey } }
    : { clientSecretSource: 'MANAGED', clientSecret: secret.value };
}

/**
 * The whole `oauth2ProviderConfigInput` (Create and Update both replace the configuration, secret
 * included). The union member is the vendor's, chosen at run time, which the SDK's union type cannot
 * follow: the one cast is here.
 */
export function oauth2ConfigInput(spec: OAuth2CredentialProviderSpec, secret: DesiredSecret): Oauth2ProviderConfigInput {
  return configInput(spec, secret) as unknown as Oauth2ProviderConfigInput;
}

function configInput(spec: OAuth2CredentialProviderSpec, secret: DesiredSecret): Json {
  const member = memberOf(spec.vendor);
  const base = { clientId: spec.clientId, ...secretMembers(secret) };
  if (spec.tenantId !== undefined && spec.vendor !== 'MicrosoftOauth2') throw new TerminalError('spec.tenantId applies only to the MicrosoftOauth2 vendor', Reason.ValidationFailed);
  switch (member) {
    case 'customOauth2ProviderConfig':
      if (!spec.discovery) throw new TerminalError('spec.discovery is required for the CustomOauth2 vendor', Reason.ValidationFailed);
      return { [member]: { oauthDiscovery: discoveryInput(spec.discovery), ...base } };
    case INCLUDED_MEMBER:
      return { [member]: { ...base, ...issuerOf(spec.discovery) } };
    default:
      if (spec.discovery) throw new TerminalError(`spec.discovery does not apply to the ${spec.vendor} vendor, whose endpoints AgentCore knows; remove it`, Reason.ValidationFailed);
      return { [member]: { ...base, ...(spec.tenantId !== undefined ? { tenantId: spec.tenantId } : {}) } };
  }
}

function sameDiscovery(desired: Discovery, observed: ObservedDiscovery | undefined): boolean {
  if (desired.discoveryUrl) return observed?.discoveryUrl === desired.discoveryUrl;
  const want = desired.authorizationServerMetadata;
  const got = observed?.authorizationServerMetadata;
  return !!want && !!got && want.issuer === got.issuer && want.authorizationEndpoint === got.authorizationEndpoint && want.tokenEndpoint === got.tokenEndpoint && sameSet(want.responseTypes, got.responseTypes);
}

/** An included vendor's issuer against the discovery AgentCore derived from it. */
function sameIssuer(discovery: Discovery | undefined, observed: ObservedDiscovery | undefined): boolean {
  const want = issuerOf(discovery);
  if (!want.issuer) return true;
  const metadata = observed?.authorizationServerMetadata;
  if (metadata) {
    return trimSlash(metadata.issuer ?? '') === trimSlash(want.issuer)
      && (!want.authorizationEndpoint || metadata.authorizationEndpoint === want.authorizationEndpoint)
      && (!want.tokenEndpoint || metadata.tokenEndpoint === want.tokenEndpoint);
  }
  return observed?.discoveryUrl !== undefined && trimSlash(observed.discoveryUrl.replace(WELL_KNOWN, '')) === trimSlash(want.issuer);
}

/**
 * A Microsoft tenant shows as a path segment of the derived discovery. Without a tenant in the spec
 * AgentCore picks its default, which the comparison does not guess.
 */
function sameTenant(tenantId: string | undefined, observed: ObservedDiscovery | undefined): boolean {
  if (tenantId === undefined) return true;
  const url = observed?.discoveryUrl ?? observed?.authorizationServerMetadata?.issuer ?? '';
  return url.split('/').includes(tenantId);
}

/** The union member AWS reports for the spec's vendor. */
function observedMember(spec: OAuth2CredentialProviderSpec, output: unknown): ObservedMember {
  return ((output ?? {}) as Record<string, ObservedMember | undefined>)[memberOf(spec.vendor)] ?? {};
}

/** Spec paths where the configuration AWS reports differs from the spec (the secret aside). */
export function oauth2ConfigChanges(spec: OAuth2CredentialProviderSpec, output: unknown): string[] {
  const member = observedMember(spec, output);
  const paths: string[] = [];
  if (member.clientId !== spec.clientId) paths.push('spec.clientId');
  const kind = memberOf(spec.vendor);
  if (kind === 'customOauth2ProviderConfig' && spec.discovery && !sameDiscovery(spec.discovery, member.oauthDiscovery)) paths.push('spec.discovery');
  if (kind === INCLUDED_MEMBER && !sameIssuer(spec.discovery, member.oauthDiscovery)) paths.push('spec.discovery');
  if (kind === 'microsoftOauth2ProviderConfig' && !sameTenant(spec.tenantId, member.oauthDiscovery)) paths.push('spec.tenantId');
  return paths;
}

/**
 * What AWS reports and what the spec asks for at a path oauth2ConfigChanges gave, for a plan. A
 * tenant is seen only inside the discovery AgentCore derived, so that is its `from`.
 */
export function oauth2ConfigValues(spec: OAuth2CredentialProviderSpec, output: unknown, path: string): { from?: unknown; to?: unknown } {
  const member = observedMember(spec, output);
  const discovery = member.oauthDiscovery;
  switch (path) {
    case 'spec.clientId': return { from: member.clientId, to: spec.clientId };
    case 'spec.discovery': return { from: discovery, to: spec.discovery };
    case 'spec.tenantId': return { from: discovery?.discoveryUrl ?? discovery?.authorizationServerMetadata?.issuer, to: spec.tenantId };
    default: return {};
  }
}
