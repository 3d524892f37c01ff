import { Type, type Static } from '@sinclair/typebox';
import type { KubeObject } from '../meta.js';
import { Pattern, SecretRef, Tags, cel, commonSpecFields, immutableOptional } from '../schema.js';
import { credentialProviderStatus, secretArnStatus } from './credentialprovider.js';

export const ApiKeyCredentialProviderSpec = Type.Object(
  {
    providerName: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: Pattern.credentialProviderName, description: 'AWS credential provider name; derived from metadata.name (dots become hyphens) when omitted. Immutable.' })),
    apiKey: SecretRef,
    tags: Type.Optional(Tags),
    ...commonSpecFields,
  },
  { description: 'The desired state of an AgentCore API-key credential provider.', ...cel(immutableOptional('providerName')) },
);
export type ApiKeyCredentialProviderSpec = Static<typeof ApiKeyCredentialProviderSpec>;

export const ApiKeyCredentialProviderStatus = credentialProviderStatus({ apiKeySecretArn: secretArnStatus('API key') });
export type ApiKeyCredentialProviderStatus = Static<typeof ApiKeyCredentialProviderStatus>;

export type ApiKeyCredentialProvider = KubeObject<ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus>;
