import { Type, type Static } from '@sinclair/typebox';
import type { KubeObject } from '../meta.js';
import {
  ObjectRef, Pattern, cel, commonSpecFields, exactlyOneOf, freeForm, immutable, immutableOptional, listMap, setOf,
  statusSchema, stringEnum, stringMap,
} from '../schema.js';

export const TARGET_KINDS = ['lambda', 'openApi', 'smithy', 'mcpServer'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

const S3Schema = Type.Object(
  {
    uri: Type.String({ maxLength: 2048, pattern: Pattern.s3Uri, description: 'S3 URI of the schema, s3://bucket/key.' }),
    bucketOwnerAccountId: Type.Optional(Type.String({ pattern: Pattern.awsAccountId, description: 'Account that owns the bucket, when it is not yours.' })),
  },
  { description: 'A schema file in S3.' },
);

function apiSchema(what: string) {
  return Type.Object(
    {
      s3: Type.Optional(S3Schema),
      inline: Type.Optional(Type.String({ minLength: 1, maxLength: 1048576, description: `The ${what} document itself (at most 1 MB).` })),
    },
    { description: `An ${what} describing the tools. Exactly one of s3, inline.`, ...cel(exactlyOneOf(['s3', 'inline'], 'schema source')) },
  );
}

const ToolDefinition = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Tool name.' }),
    description: Type.String({ minLength: 1, description: 'What the tool does, for the model.' }),
    inputSchema: freeForm('JSON Schema of the tool input (type, properties, required, items, description).'),
    outputSchema: Type.Optional(freeForm('JSON Schema of the tool output.')),
  },
  { description: 'One tool the Lambda function implements.' },
);

const LambdaTarget = Type.Object(
  {
    arn: Type.String({ minLength: 1, maxLength: 170, pattern: Pattern.lambdaArn, description: 'ARN of the Lambda function.' }),
    toolSchema: Type.Object(
      {
        s3: Type.Optional(S3Schema),
        inline: Type.Optional(listMap(ToolDefinition, 'name', { minItems: 1, maxItems: 1000, description: 'Tool definitions, keyed by name.' })),
      },
      { description: 'The tools the function offers. Exactly one of s3, inline.', ...cel(exactlyOneOf(['s3', 'inline'], 'tool schema source')) },
    ),
  },
  { description: 'Tools implemented by a Lambda function.' },
);

const providerSource = {
  providerRef: Type.Optional(ObjectRef),
  providerArn: Type.Optional(Type.String({ pattern: '^arn:([^:]*):([^:]*):([^:]*):([0-9]{12})?:(.+)$', description: 'ARN of a credential provider not managed here.' })),
};
const providerRule = exactlyOneOf(['providerRef', 'providerArn'], 'credential provider');

const Credentials = Type.Object(
  {
    gatewayIamRole: Type.Optional(Type.Object({}, { description: 'Call the target with the gateway\'s IAM role (Lambda and Smithy targets).' })),
    oauth: Type.Optional(
      Type.Object(
        {
          ...providerSource,
          scopes: setOf(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, description: 'OAuth scopes to request.' }),
          customParameters: Type.Optional(stringMap('Extra parameters sent to the authorization server.', { key: { minLength: 1, maxLength: 256 }, value: { minLength: 1, maxLength: 2048 }, maxProperties: 10 })),
          grantType: Type.Optional(stringEnum(['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'TOKEN_EXCHANGE'], { description: 'OAuth grant type.' })),
          defaultReturnUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: Pattern.returnUrl, description: 'Where users return after an authorization-code consent.' })),
        },
        { description: 'Call the target with an OAuth token from an OAuth2CredentialProvider.', ...cel(providerRule) },
      ),
    ),
    apiKey: Type.Optional(
      Type.Object(
        {
          ...providerSource,
          location: Type.Optional(stringEnum(['HEADER', 'QUERY_PARAMETER'], { description: 'Where the key is sent.' })),
          parameterName: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Header or query parameter name.' })),
          prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Prefix before the key, for example Bearer.' })),
        },
        { description: 'Call the target with an API key from an ApiKeyCredentialProvider.', ...cel(providerRule) },
      ),
    ),
  },
  { description: 'How the gateway authenticates to the target. Exactly one of gatewayIamRole, oauth, apiKey.', ...cel(exactlyOneOf(['gatewayIamRole', 'oauth', 'apiKey'], 'credentials')) },
);

export const GatewayTargetSpec = Type.Object(
  {
    gatewayRef: Type.Object(ObjectRef.properties, { description: 'The Gateway this target belongs to. Immutable.', ...cel(immutable('gatewayRef')) }),
    targetName: Type.Optional(Type.String({ pattern: Pattern.targetName, description: 'AWS target name; derived from metadata.name (dots become hyphens) when omitted. Immutable.' })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Target description.' })),
    lambda: Type.Optional(LambdaTarget),
    openApi: Type.Optional(apiSchema('OpenAPI schema')),
    smithy: Type.Optional(apiSchema('Smithy model')),
    mcpServer: Type.Optional(
      Type.Object(
        { endpoint: Type.String({ pattern: Pattern.https, maxLength: 2048, description: 'HTTPS URL of the MCP server.' }) },
        { description: 'An MCP server the gateway forwards to.' },
      ),
    ),
    credentials: Type.Optional(Credentials),
    ...commonSpecFields,
  },
  {
    description: 'The desired state of a gateway target: where the gateway\'s tools come from. Exactly one of lambda, openApi, smithy, mcpServer.',
    ...cel(exactlyOneOf(TARGET_KINDS, 'target type'), immutableOptional('targetName')),
  },
);
export type GatewayTargetSpec = Static<typeof GatewayTargetSpec>;

export const GatewayTargetStatus = statusSchema('The observed state of the target.', {
  targetName: Type.Optional(Type.String({ description: 'AWS target name.' })),
  targetId: Type.Optional(Type.String({ description: 'AWS target id.' })),
  gatewayId: Type.Optional(Type.String({ description: 'AWS id of the gateway.' })),
  gatewayArn: Type.Optional(Type.String({ description: 'AWS ARN of the gateway.' })),
  statusReasons: Type.Optional(Type.Array(Type.String(), { maxItems: 100, description: 'Reasons AWS gives for the status.' })),
  lastSynchronizedAt: Type.Optional(Type.String({ description: 'When AWS last synchronized the target\'s tools.' })),
});
export type GatewayTargetStatus = Static<typeof GatewayTargetStatus>;

export type GatewayTarget = KubeObject<GatewayTargetSpec, GatewayTargetStatus>;
