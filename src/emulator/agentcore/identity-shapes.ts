/**
 * Input shapes of the identity operations (workload identities, OAuth2 and API-key credential
 * providers), with the constraints of the service model. The private-endpoint settings, which the
 * operator never sends, are accepted as opaque documents.
 */
import type { TSchema } from '@sinclair/typebox';
import { int, list, map, opaque, P, str, struct, TagsMap, union } from './shapes.js';

export const OAUTH2_VENDORS = [
  'GoogleOauth2', 'GithubOauth2', 'SlackOauth2', 'SalesforceOauth2', 'MicrosoftOauth2', 'CustomOauth2', 'AtlassianOauth2',
  'LinkedinOauth2', 'XOauth2', 'OktaOauth2', 'OneLoginOauth2', 'PingOneOauth2', 'FacebookOauth2', 'YandexOauth2', 'RedditOauth2',
  'ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2', 'DropboxOauth2', 'NotionOauth2', 'HubspotOauth2', 'CyberArkOauth2',
  'FusionAuthOauth2', 'Auth0Oauth2', 'CognitoOauth2',
] as const;

const WorkloadIdentityName = str({ min: 3, max: 255, pattern: P.workloadIdentityName });
const ProviderName = str({ min: 1, max: 128, pattern: P.credentialProviderName });
const ReturnUrls = list(str({ min: 1, max: 2048, pattern: P.returnUrl }));
const NextToken = str();

const SecretSource = str({ enum: ['MANAGED', 'EXTERNAL'] });
const SecretReference = struct({ secretId: str({ min: 1, max: 2048 }), jsonKey: str({ min: 1, max: 128 }) }, ['secretId', 'jsonKey']);
const ClientSecret = str({ min: 0, max: 2048 });
const ClientId = str({ min: 1, max: 256 });

const OauthDiscovery = union({
  discoveryUrl: str({ pattern: P.oauthDiscoveryUrl }),
  authorizationServerMetadata: struct(
    {
      issuer: str(),
      authorizationEndpoint: str(),
      tokenEndpoint: str(),
      responseTypes: list(str()),
      tokenEndpointAuthMethods: list(str({ pattern: '^(client_secret_post|client_secret_basic)$' }), 1, 2),
    },
    ['issuer', 'authorizationEndpoint', 'tokenEndpoint'],
  ),
});

const AdditionalClaims = map(str({ min: 1, max: 255, pattern: '^[A-Za-z0-9_.:#-]+$' }), str({ min: 1, max: 2048 }), 1, 10);

const CustomOauth2ProviderConfig = struct(
  {
    oauthDiscovery: OauthDiscovery,
    clientId: str({ min: 0, max: 256 }),
    clientSecret: ClientSecret,
    clientSecretConfig: SecretReference,
    clientSecretSource: SecretSource,
    onBehalfOfTokenExchangeConfig: struct(
      {
        grantType: str({ enum: ['TOKEN_EXCHANGE', 'JWT_AUTHORIZATION_GRANT'] }),
        tokenExchangeGrantTypeConfig: struct(
          { actorTokenContent: str({ enum: ['NONE', 'M2M', 'AWS_IAM_ID_TOKEN_JWT'] }), actorTokenScopes: list(str({ min: 1, max: 128 })) },
          ['actorTokenContent'],
        ),
      },
      ['grantType'],
    ),
    clientAuthenticationMethod: str({ enum: ['CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'AWS_IAM_ID_TOKEN_JWT', 'PRIVATE_KEY_JWT'] }),
    privateKeyJwtConfig: struct({
      privateKeySource: union({ kmsKeySource: struct({ kmsKeyArn: str({ min: 1, max: 2048, pattern: P.kmsKeyArn }) }, ['kmsKeyArn']) }),
      signingAlgorithm: str({ enum: ['RS256', 'PS256', 'ES256'] }),
      additionalHeaderClaims: AdditionalClaims,
      additionalPayloadClaims: AdditionalClaims,
    }),
    privateEndpoint: opaque(),
    privateEndpointOverrides: list(opaque(), 0, 5),
  },
  ['oauthDiscovery'],
);

const vendorMembers = { clientId: ClientId, clientSecret: ClientSecret, clientSecretConfig: SecretReference, clientSecretSource: SecretSource };
const VendorConfig = struct(vendorMembers, ['clientId']);

const Oauth2ProviderConfigInput = union({
  customOauth2ProviderConfig: CustomOauth2ProviderConfig,
  googleOauth2ProviderConfig: VendorConfig,
  githubOauth2ProviderConfig: VendorConfig,
  slackOauth2ProviderConfig: VendorConfig,
  salesforceOauth2ProviderConfig: VendorConfig,
  microsoftOauth2ProviderConfig: struct({ ...vendorMembers, tenantId: str({ min: 1, max: 2048 }) }, ['clientId']),
  atlassianOauth2ProviderConfig: VendorConfig,
  linkedinOauth2ProviderConfig: VendorConfig,
  includedOauth2ProviderConfig: struct({ ...vendorMembers, issuer: str(), authorizationEndpoint: str(), tokenEndpoint: str() }, ['clientId']),
});

const Vendor = str({ enum: OAUTH2_VENDORS });
const ApiKey = str({ min: 0, max: 65536 });

const byName = (name: TSchema) => struct({ name }, ['name']);
const page = (maxResults: number) => struct({ nextToken: NextToken, maxResults: int(1, maxResults) });

export const IdentityShapes = {
  CreateWorkloadIdentity: struct({ name: WorkloadIdentityName, allowedResourceOauth2ReturnUrls: ReturnUrls, tags: TagsMap }, ['name']),
  GetWorkloadIdentity: byName(WorkloadIdentityName),
  UpdateWorkloadIdentity: struct({ name: WorkloadIdentityName, allowedResourceOauth2ReturnUrls: ReturnUrls }, ['name']),
  DeleteWorkloadIdentity: byName(WorkloadIdentityName),
  ListWorkloadIdentities: page(20),

  CreateOauth2CredentialProvider: struct(
    { name: ProviderName, credentialProviderVendor: Vendor, oauth2ProviderConfigInput: Oauth2ProviderConfigInput, tags: TagsMap },
    ['name', 'credentialProviderVendor', 'oauth2ProviderConfigInput'],
  ),
  GetOauth2CredentialProvider: byName(ProviderName),
  UpdateOauth2CredentialProvider: struct(
    { name: ProviderName, credentialProviderVendor: Vendor, oauth2ProviderConfigInput: Oauth2ProviderConfigInput },
    ['name', 'credentialProviderVendor', 'oauth2ProviderConfigInput'],
  ),
  DeleteOauth2CredentialProvider: byName(ProviderName),
  ListOauth2CredentialProviders: page(20),

  CreateApiKeyCredentialProvider: struct({ name: ProviderName, apiKey: ApiKey, apiKeySecretConfig: SecretReference, apiKeySecretSource: SecretSource, tags: TagsMap }, ['name']),
  GetApiKeyCredentialProvider: byName(ProviderName),
  UpdateApiKeyCredentialProvider: struct({ name: ProviderName, apiKey: ApiKey, apiKeySecretConfig: SecretReference, apiKeySecretSource: SecretSource }, ['name']),
  DeleteApiKeyCredentialProvider: byName(ProviderName),
  ListApiKeyCredentialProviders: page(100),
};
