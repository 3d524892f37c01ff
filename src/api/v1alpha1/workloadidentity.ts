import { Type, type Static } from '@sinclair/typebox';
import type { KubeObject } from '../meta.js';
import { Pattern, Tags, cel, commonSpecFields, immutableOptional, setOf, statusSchema } from '../schema.js';

export const WorkloadIdentitySpec = Type.Object(
  {
    identityName: Type.Optional(Type.String({ minLength: 3, maxLength: 255, pattern: Pattern.workloadIdentityName, description: 'AWS workload identity name; metadata.name when omitted. Immutable.' })),
    allowedOAuth2ReturnUrls: Type.Optional(
      setOf(Type.String({ minLength: 1, maxLength: 2048, pattern: Pattern.returnUrl }), { maxItems: 100, description: 'URLs AgentCore may send users back to after an OAuth2 consent.' }),
    ),
    tags: Type.Optional(Tags),
    ...commonSpecFields,
  },
  { description: 'The desired state of an AgentCore workload identity (the identity an agent uses to obtain credentials).', ...cel(immutableOptional('identityName')) },
);
export type WorkloadIdentitySpec = Static<typeof WorkloadIdentitySpec>;

export const WorkloadIdentityStatus = statusSchema('The observed state of the workload identity.', {
  identityName: Type.Optional(Type.String({ description: 'AWS workload identity name.' })),
  workloadIdentityArn: Type.Optional(Type.String({ description: 'AWS workload identity ARN.' })),
});
export type WorkloadIdentityStatus = Static<typeof WorkloadIdentityStatus>;

export type WorkloadIdentity = KubeObject<WorkloadIdentitySpec, WorkloadIdentityStatus>;
