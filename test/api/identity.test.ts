import { describe } from '@jest/globals';
import { invalidCases, validCases } from '../helpers/tables.js';

describe('WorkloadIdentity', () => {
  validCases('WorkloadIdentity', [
    ['no return URLs', {}],
    ['return URLs', { allowedOAuth2ReturnUrls: ['https://app.example.com/callback', 'myapp://oauth'] }],
  ]);
  invalidCases('WorkloadIdentity', [
    ['a two-character name', { identityName: 'ab' }, 'spec.identityName: must have between 3 and 255 characters'],
    ['a name with a slash', { identityName: 'team/agent' }, 'spec.identityName: must match ^[A-Za-z0-9_.-]+$'],
    ['a return URL with a space', { allowedOAuth2ReturnUrls: ['https://app.example.com/a b'] }, 'spec.allowedOAuth2ReturnUrls[0]: must match'],
    ['the same return URL twice', { allowedOAuth2ReturnUrls: ['https://a.example.com/x', 'https://a.example.com/x'] }, 'spec.allowedOAuth2ReturnUrls[1]: duplicate entry'],
  ]);
});

describe('OAuth2CredentialProvider', () => {
  validCases('OAuth2CredentialProvider', [
    ['a built-in vendor', {}],
    ['a custom vendor with discovery', { vendor: 'CustomOauth2', discovery: { discoveryUrl: 'https://idp.example.com/.well-known/oauth-authorization-server' } }],
    ['a custom vendor with server metadata', { vendor: 'CustomOauth2', discovery: { authorizationServerMetadata: { issuer: 'https://idp', authorizationEndpoint: 'https://idp/a', tokenEndpoint: 'https://idp/t' } } }],
    ['Microsoft with a tenant', { vendor: 'MicrosoftOauth2', tenantId: 'contoso' }],
    ['a secret in a file', { clientSecret: { file: 'secrets/github' } }],
    ['a secret in Secrets Manager', { clientSecret: { awsSecretsManager: { secretId: 'github-app', jsonKey: 'clientSecret' } } }],
  ]);
  invalidCases('OAuth2CredentialProvider', [
    ['an inline client secret', { clientSecret: 'hunter2' }, 'spec.clientSecret: secret values are never written inline: use secretKeyRef, env, file or awsSecretsManager'],
    ['a secret with two sources', { clientSecret: { env: 'A', file: 'b' } }, 'spec.clientSecret: exactly one of secretKeyRef, env, file, awsSecretsManager must be set'],
    ['a secret reference with no key', { clientSecret: { secretKeyRef: { name: 'gh' } } }, 'spec.clientSecret.secretKeyRef.key: is required'],
    ['an environment variable name with a dash', { clientSecret: { env: 'GH-SECRET' } }, 'spec.clientSecret.env: must match'],
    ['an unknown vendor', { vendor: 'GitlabOauth2' }, 'spec.vendor: must be one of: CustomOauth2'],
    ['a custom vendor without discovery', { vendor: 'CustomOauth2' }, 'spec.discovery: discovery is required for the CustomOauth2 vendor'],
    ['discovery with both forms', { vendor: 'CustomOauth2', discovery: { discoveryUrl: 'https://i/.well-known/openid-configuration', authorizationServerMetadata: { issuer: 'a', authorizationEndpoint: 'b', tokenEndpoint: 'c' } } }, 'spec.discovery: exactly one of discoveryUrl, authorizationServerMetadata must be set'],
    ['a tenant for another vendor', { tenantId: 'contoso' }, 'spec.tenantId: tenantId applies only to the MicrosoftOauth2 vendor'],
    ['a client id over 256 characters', { clientId: 'x'.repeat(257) }, 'spec.clientId: must have between 1 and 256 characters'],
    ['a provider name with a dot', { providerName: 'git.hub' }, 'spec.providerName: must match ^[a-zA-Z0-9\\-_]+$'],
  ]);
});

describe('ApiKeyCredentialProvider', () => {
  validCases('ApiKeyCredentialProvider', [
    ['a key from an environment variable', {}],
    ['a key from a Kubernetes Secret', { apiKey: { secretKeyRef: { name: 'weather', key: 'api-key' } } }],
  ]);
  invalidCases('ApiKeyCredentialProvider', [
    ['an inline key', { apiKey: 'sk-live-123' }, 'spec.apiKey: secret values are never written inline'],
    ['no key', { apiKey: undefined }, 'spec.apiKey: is required'],
    ['an empty reference', { apiKey: {} }, 'spec.apiKey: exactly one of secretKeyRef, env, file, awsSecretsManager must be set'],
    ['a provider name over 128 characters', { providerName: 'k'.repeat(129) }, 'spec.providerName: must have between 1 and 128 characters'],
  ]);
});
