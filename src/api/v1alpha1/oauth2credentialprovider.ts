import { Type, type Static } from '@sinclair/typebox';
import type { KubeObject } from '../meta.js';
import { Pattern, SecretRef, Tags, cel, commonSpecFields, immutable, immutableOptional, setOf, stringEnum } from '../schema.js';
import { credentialProviderStatus, secretArnStatus } from './credentialprovider.js';

export const OAUTH2_VENDORS = [
  'CustomOauth2', 'GoogleOauth2', 'GithubOauth2', 'SlackOauth2', 'SalesforceOauth2', 'MicrosoftOauth2',
  'AtlassianOauth2', 'LinkedinOauth2', 'XOauth2', 'OktaOauth2', 'OneLoginOauth2', 'PingOneOauth2',
  'FacebookOauth2', 'YandexOauth2', 'RedditOauth2', 'ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2',
  'DropboxOauth2', 'NotionOauth2', 'HubspotOauth2', 'CyberArkOauth2', 'FusionAuthOauth2', 'Auth0Oauth2',
  'CognitoOauth2',
] as const;

const Discovery = Type.Object(
  {
    discoveryUrl: Type.Optional(Type.String({ pattern: Pattern.oauthDiscoveryUrl, description: 'Discovery URL ending in /.well-known/openid-configuration or /.well-known/oauth-authorization-server.' })),
    authorizationServerMetadata: Type.Optional(
      Type.Object(
        {
          issuer: Type.String({ minLength: 1, description: 'Issuer URL.' }),
          authorizationEndpoint: Type.String({ minLength: 1, description: 'Authorization endpoint URL.' }),
          tokenEndpoint: Type.String({ minLength: 1, description: 'Token endpoint URL.' }),
          responseTypes: Type.Optional(setOf(Type.String({ minLength: 1 }), { maxItems: 10, description: 'Supported response types.' })),
        },
        { description: 'The authorization server\'s endpoints, when it has no discovery document.' },
      ),
    ),
  },
  { description: 'How to find the authorization server (CustomOauth2). Exactly one of discoveryUrl, authorizationServerMetadata.', ...cel({ rule: 'has(self.discoveryUrl) != has(self.authorizationServerMetadata)', message: 'exactly one of discoveryUrl, authorizationServerMetadata must be set' }) },
);

export const OAuth2CredentialProviderSpec = Type.Object(
  {
    providerName: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: Pattern.credentialProviderName, description: 'AWS credential provider name; derived from metadata.name (dots become hyphens) when omitted. Immutable.' })),
    vendor: stringEnum(OAUTH2_VENDORS, { description: 'The OAuth2 provider. Immutable.', ...cel(immutable('vendor')) }),
    clientId: Type.String({ minLength: 1, maxLength: 256, description: 'OAuth2 client id.' }),
    clientSecret: SecretRef,
    discovery: Type.Optional(Discovery),
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'Tenant (MicrosoftOauth2).' })),
    tags: Type.Optional(Tags),
    ...commonSpecFields,
  },
  {
    description: 'The desired state of an AgentCore OAuth2 credential provider: the client an agent or gateway uses to obtain OAuth tokens.',
    ...cel(
      immutableOptional('providerName'),
      { rule: "self.vendor != 'CustomOauth2' || has(self.discovery)", message: 'discovery is required for the CustomOauth2 vendor', fieldPath: '.discovery' },
      { rule: "!has(self.tenantId) || self.vendor == 'MicrosoftOauth2'", message: 'tenantId applies only to the MicrosoftOauth2 vendor', fieldPath: '.tenantId' },
    ),
  },
);
export type OAuth2CredentialProviderSpec = Static<typeof OAuth2CredentialProviderSpec>;

export const OAuth2CredentialProviderStatus = credentialProviderStatus({
  clientSecretArn: secretArnStatus('client secret'),
  callbackUrl: Type.Optional(Type.String({ description: 'Callback URL to register with the OAuth2 provider.' })),
});
export type OAuth2CredentialProviderStatus = Static<typeof OAuth2CredentialProviderStatus>;

export type OAuth2CredentialProvider = KubeObject<OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus>;
