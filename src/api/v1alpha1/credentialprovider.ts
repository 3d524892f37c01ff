import { Type, type TSchema } from '@sinclair/typebox';
import { statusSchema } from '../schema.js';

/** Status shared by both credential-provider kinds, plus each kind's own fields. */
export function credentialProviderStatus<P extends Record<string, TSchema>>(fields: P) {
  return statusSchema('The observed state of the credential provider.', {
    providerName: Type.Optional(Type.String({ description: 'AWS credential provider name.' })),
    credentialProviderArn: Type.Optional(Type.String({ description: 'AWS credential provider ARN.' })),
    appliedSecretDigest: Type.Optional(Type.String({ description: 'Keyed digest of the secret value last pushed (never the value), used to detect a changed secret.' })),
    ...fields,
  });
}

export const secretArnStatus = (what: string) =>
  Type.Optional(Type.String({ description: `ARN of the Secrets Manager secret AgentCore keeps the ${what} in.` }));
