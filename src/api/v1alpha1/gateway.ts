import { Type, type Static } from '@sinclair/typebox';
import type { KubeObject } from '../meta.js';
import {
  Pattern, Tags, cel, commonSpecFields, immutable, immutableOptional, roleSchema, setOf, statusSchema, stringEnum,
} from '../schema.js';
import { JwtAuthorizer } from './agentruntime.js';

export const AUTHORIZER_TYPES = ['CUSTOM_JWT', 'AWS_IAM', 'NONE', 'AUTHENTICATE_ONLY'] as const;

export const GatewaySpec = Type.Object(
  {
    gatewayName: Type.Optional(Type.String({ pattern: Pattern.gatewayName, description: 'AWS gateway name; derived from metadata.name (dots become hyphens) when omitted. Immutable.' })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Gateway description.' })),
    role: roleSchema('The role the gateway assumes to call its targets.'),
    authorizer: Type.Object(
      {
        type: stringEnum(AUTHORIZER_TYPES, { description: 'How callers authenticate: CUSTOM_JWT, AWS_IAM, NONE or AUTHENTICATE_ONLY. Immutable.', ...cel(immutable('authorizer type')) }),
        customJWT: Type.Optional(JwtAuthorizer),
      },
      {
        description: 'Inbound authorization.',
        ...cel({ rule: "(self.type == 'CUSTOM_JWT') == has(self.customJWT)", message: 'customJWT is required when type is CUSTOM_JWT and not allowed otherwise', fieldPath: '.customJWT' }),
      },
    ),
    mcp: Type.Optional(
      Type.Object(
        {
          supportedVersions: Type.Optional(setOf(Type.String({ minLength: 1 }), { maxItems: 10, description: 'MCP protocol versions the gateway accepts.' })),
          instructions: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'Instructions given to MCP clients.' })),
          searchType: Type.Optional(stringEnum(['SEMANTIC'], { description: 'SEMANTIC enables semantic tool search.' })),
        },
        { description: 'MCP protocol settings.' },
      ),
    ),
    kmsKeyArn: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: Pattern.kmsKeyArn, description: 'Customer managed KMS key.' })),
    exceptionLevel: Type.Optional(stringEnum(['DEBUG'], { description: 'DEBUG returns detailed errors to callers.' })),
    tags: Type.Optional(Tags),
    ...commonSpecFields,
  },
  { description: 'The desired state of an AgentCore gateway (an MCP endpoint in front of tools).', ...cel(immutableOptional('gatewayName')) },
);
export type GatewaySpec = Static<typeof GatewaySpec>;

export const GatewayStatus = statusSchema('The observed state of the gateway.', {
  gatewayName: Type.Optional(Type.String({ description: 'AWS gateway name.' })),
  gatewayId: Type.Optional(Type.String({ description: 'AWS gateway id.' })),
  gatewayArn: Type.Optional(Type.String({ description: 'AWS gateway ARN.' })),
  gatewayUrl: Type.Optional(Type.String({ description: 'URL MCP clients connect to.' })),
  roleArn: Type.Optional(Type.String({ description: 'Role in use.' })),
  statusReasons: Type.Optional(Type.Array(Type.String(), { maxItems: 100, description: 'Reasons AWS gives for the status.' })),
  workloadIdentityArn: Type.Optional(Type.String({ description: 'Workload identity AWS created for the gateway.' })),
});
export type GatewayStatus = Static<typeof GatewayStatus>;

export type Gateway = KubeObject<GatewaySpec, GatewayStatus>;
