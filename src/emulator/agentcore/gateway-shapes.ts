/**
 * Input shapes of the Gateway and GatewayTarget operations, in the API's member names, with the
 * constraints the service enforces. Target kinds the operator does not use (API Gateway, connectors,
 * HTTP and inference targets) are accepted as opaque documents.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { AuthorizerConfiguration, ClientToken, int, list, map, NextToken, opaque, P, RoleArn, str, struct, TagsMap, union } from './shapes.js';

export const GATEWAY_ID_PATTERN = '^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$';
export const TARGET_ID_PATTERN = '^[0-9a-zA-Z]{10}$';

const GatewayIdentifier = str({ pattern: GATEWAY_ID_PATTERN });
const TargetId = str({ pattern: TARGET_ID_PATTERN });
const Description = str({ min: 1, max: 200 });
const LambdaArn = str({ min: 1, max: 170, pattern: P.lambdaArn });
const pagination = { maxResults: int(1, 1000), nextToken: NextToken };


const GatewayProtocolConfiguration = union({
  mcp: struct({
    supportedVersions: list(Type.String()),
    instructions: str({ min: 1, max: 2048 }),
    searchType: str({ enum: ['SEMANTIC'] }),
    sessionConfiguration: struct({ sessionTimeoutInSeconds: int(900, 28800) }),
    streamingConfiguration: struct({ enableResponseStreaming: Type.Boolean() }),
  }),
});

const PolicyEngineConfiguration = struct(
  {
    arn: str({ min: 1, max: 170, pattern: '^arn:aws:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:policy-engine\\/[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9_]{10}$' }),
    mode: str({ enum: ['LOG_ONLY', 'ENFORCE'] }),
  },
  ['arn', 'mode'],
);

/** Members Create and Update share; every one of them is stored and replaced as a whole on update. */
const gatewayConfigurationMembers = {
  description: Description,
  roleArn: RoleArn,
  protocolType: str({ enum: ['MCP'] }),
  protocolConfiguration: GatewayProtocolConfiguration,
  authorizerType: str({ enum: ['CUSTOM_JWT', 'AWS_IAM', 'NONE', 'AUTHENTICATE_ONLY'] }),
  authorizerConfiguration: AuthorizerConfiguration,
  kmsKeyArn: str({ min: 1, max: 2048, pattern: P.kmsKeyArn }),
  interceptorConfigurations: list(opaque(), 1, 2),
  policyEngineConfiguration: PolicyEngineConfiguration,
  exceptionLevel: str({ enum: ['DEBUG'] }),
};

const updateOnlyMembers = {
  customTransformConfiguration: opaque(),
  wafConfiguration: struct({ failureMode: str({ enum: ['FAIL_CLOSE', 'FAIL_OPEN'] }) }),
};

export const GATEWAY_CONFIGURATION_KEYS = [...Object.keys(gatewayConfigurationMembers), ...Object.keys(updateOnlyMembers)];

const gatewayRequired = ['name', 'roleArn', 'authorizerType'];

export const GatewayShapes = {
  CreateGateway: struct({ name: str({ pattern: P.gatewayName }), ...gatewayConfigurationMembers, clientToken: ClientToken, tags: TagsMap }, gatewayRequired),
  GetGateway: struct({ gatewayIdentifier: GatewayIdentifier }, ['gatewayIdentifier']),
  UpdateGateway: struct(
    { gatewayIdentifier: GatewayIdentifier, name: str({ pattern: P.gatewayName }), ...gatewayConfigurationMembers, ...updateOnlyMembers },
    ['gatewayIdentifier', ...gatewayRequired],
  ),
  DeleteGateway: struct({ gatewayIdentifier: GatewayIdentifier }, ['gatewayIdentifier']),
  ListGateways: struct(pagination),
};

/**
 * A tool's JSON schema is recursive; nested definitions point back at the one kept under the
 * operation's `$defs`, so Ajv checks every level without an id that would clash between operations.
 */
const NestedSchemaDefinition = Type.Unsafe<unknown>({ $ref: '#/$defs/SchemaDefinition' });
const SchemaDefinition = struct(
  {
    type: str({ enum: ['string', 'number', 'object', 'array', 'boolean', 'integer'] }),
    properties: map(Type.String(), NestedSchemaDefinition),
    required: list(Type.String()),
    items: NestedSchemaDefinition,
    description: Type.String(),
  },
  ['type'],
);

const ToolDefinition = struct(
  { name: Type.String(), description: Type.String(), inputSchema: SchemaDefinition, outputSchema: SchemaDefinition },
  ['name', 'description', 'inputSchema'],
);

// AWS's own pattern: the CRD keeps the length in maxLength instead (Go's regexp refuses counts over 1000).
const S3Configuration = struct({ uri: str({ pattern: '^s3://.{1,2043}$' }), bucketOwnerAccountId: str({ pattern: P.awsAccountId }) });
const ApiSchemaConfiguration = union({ s3: S3Configuration, inlinePayload: Type.String() });

const McpTargetConfiguration = union({
  openApiSchema: ApiSchemaConfiguration,
  smithyModel: ApiSchemaConfiguration,
  lambda: struct({ lambdaArn: LambdaArn, toolSchema: union({ s3: S3Configuration, inlinePayload: list(ToolDefinition) }) }, ['lambdaArn', 'toolSchema']),
  mcpServer: struct(
    {
      endpoint: str({ pattern: P.https }),
      mcpToolSchema: union({ s3: S3Configuration, inlinePayload: Type.String() }),
      listingMode: str({ enum: ['DEFAULT', 'DYNAMIC'] }),
      resourcePriority: int(0, 1000),
    },
    ['endpoint'],
  ),
  apiGateway: opaque(),
  connector: opaque(),
});

const TargetConfiguration = union({ mcp: McpTargetConfiguration, http: opaque(), inference: opaque() });

const ProviderArn = str({ pattern: '^arn:([^:]*):([^:]*):([^:]*):([0-9]{12})?:(.+)$' });
const CredentialProvider = union({
  oauthCredentialProvider: struct(
    {
      providerArn: ProviderArn,
      scopes: list(str({ min: 1, max: 64 }), 0, 100),
      customParameters: map(str({ min: 1, max: 256 }), str({ min: 1, max: 2048 }), 1, 10),
      grantType: str({ enum: ['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'TOKEN_EXCHANGE'] }),
      defaultReturnUrl: str({ min: 1, max: 2048, pattern: P.returnUrl }),
    },
    ['providerArn', 'scopes'],
  ),
  apiKeyCredentialProvider: struct(
    {
      providerArn: ProviderArn,
      credentialParameterName: str({ min: 1, max: 64 }),
      credentialPrefix: str({ min: 1, max: 64 }),
      credentialLocation: str({ enum: ['HEADER', 'QUERY_PARAMETER'] }),
    },
    ['providerArn'],
  ),
  iamCredentialProvider: struct({ service: str({ min: 1, max: 64, pattern: '^[a-zA-Z0-9._-]+$' }), region: str({ min: 1, max: 32, pattern: '^[a-zA-Z0-9-]+$' }) }, ['service']),
});

const CredentialProviderConfigurations = list(
  struct({ credentialProviderType: str({ enum: ['GATEWAY_IAM_ROLE', 'OAUTH', 'API_KEY', 'CALLER_IAM_CREDENTIALS', 'JWT_PASSTHROUGH'] }), credentialProvider: CredentialProvider }, ['credentialProviderType']),
  1,
  1,
);

const HeaderNames = list(str({ min: 1, max: 100 }), 1, 10);
const MetadataConfiguration = struct({ allowedRequestHeaders: HeaderNames, allowedQueryParameters: list(str({ min: 1, max: 40 }), 1, 10), allowedResponseHeaders: HeaderNames });

/** Members Create and Update share; an update replaces all of them. */
const targetConfigurationMembers = {
  name: str({ pattern: P.targetName }),
  description: Description,
  targetConfiguration: TargetConfiguration,
  credentialProviderConfigurations: CredentialProviderConfigurations,
  metadataConfiguration: MetadataConfiguration,
  privateEndpoint: opaque(),
};

export const TARGET_CONFIGURATION_KEYS = Object.keys(targetConfigurationMembers).filter((k) => k !== 'name');

/** Operations that carry tool schemas keep the recursive definition beside them. */
const withToolSchemas = (schema: TSchema): TSchema => ({ ...schema, $defs: { SchemaDefinition } });

export const TargetShapes = {
  CreateGatewayTarget: withToolSchemas(struct({ gatewayIdentifier: GatewayIdentifier, ...targetConfigurationMembers, clientToken: ClientToken }, ['gatewayIdentifier', 'targetConfiguration'])),
  GetGatewayTarget: struct({ gatewayIdentifier: GatewayIdentifier, targetId: TargetId }, ['gatewayIdentifier', 'targetId']),
  UpdateGatewayTarget: withToolSchemas(struct({ gatewayIdentifier: GatewayIdentifier, targetId: TargetId, ...targetConfigurationMembers }, ['gatewayIdentifier', 'targetId', 'targetConfiguration'])),
  DeleteGatewayTarget: struct({ gatewayIdentifier: GatewayIdentifier, targetId: TargetId }, ['gatewayIdentifier', 'targetId']),
  ListGatewayTargets: struct({ gatewayIdentifier: GatewayIdentifier, ...pagination }, ['gatewayIdentifier']),
  SynchronizeGatewayTargets: struct({ gatewayIdentifier: GatewayIdentifier, targetIdList: list(TargetId, 1, 1) }, ['gatewayIdentifier', 'targetIdList']),
};
