/**
 * Input shapes of the AgentCore control plane, in the API's member names, with the constraints the
 * service enforces. The conformance test holds them to the official model. Deep configuration the
 * operator never sends (capacity providers, filesystems...) is accepted as an opaque document.
 */
import { Type, type TProperties, type TSchema, type SchemaOptions } from '@sinclair/typebox';
import { Pattern } from '../../api/schema.js';

export const opaque = (description = 'accepted, not interpreted') => Type.Unsafe<unknown>({ description });

export function str(options: { min?: number; max?: number; pattern?: string; enum?: readonly string[] } = {}): TSchema {
  return Type.Unsafe<string>({
    type: 'string',
    ...(options.min !== undefined ? { minLength: options.min } : {}),
    ...(options.max !== undefined ? { maxLength: options.max } : {}),
    ...(options.pattern ? { pattern: options.pattern } : {}),
    ...(options.enum ? { enum: [...options.enum] } : {}),
  });
}

export const int = (min?: number, max?: number) => Type.Integer({ ...(min !== undefined ? { minimum: min } : {}), ...(max !== undefined ? { maximum: max } : {}) });

export function list(item: TSchema, min?: number, max?: number): TSchema {
  return Type.Array(item, { ...(min !== undefined ? { minItems: min } : {}), ...(max !== undefined ? { maxItems: max } : {}) });
}

export function map(key: TSchema, value: TSchema, min?: number, max?: number): TSchema {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    propertyNames: key,
    additionalProperties: value,
    ...(min !== undefined ? { minProperties: min } : {}),
    ...(max !== undefined ? { maxProperties: max } : {}),
  });
}

/** A structure: `required` lists the members the model marks required. */
export function struct(members: TProperties, required: string[] = [], options: SchemaOptions = {}): TSchema {
  const properties = Object.fromEntries(Object.entries(members).map(([k, v]) => [k, required.includes(k) ? v : Type.Optional(v)]));
  return Type.Object(properties, options);
}

/** A union: exactly one member set. */
export function union(members: TProperties): TSchema {
  return struct(members, [], { minProperties: 1, maxProperties: 1, 'x-union': true });
}

export const P = {
  ...Pattern,
  runtimeId: '^[a-zA-Z][a-zA-Z0-9_]{0,99}-[a-zA-Z0-9]{10}$',
  version: '^([1-9][0-9]{0,4})$',
  clientToken: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$',
  nextToken: '^\\S*$',
  taggableArn: '^arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z-]+/[^/]+)(?:/[a-z-]+/[^/]+)*$',
  securityGroup: '^sg-[0-9a-zA-Z]{8,17}$',
  subnet: '^subnet-[0-9a-zA-Z]{8,17}$',
} as const;

export const ClientToken = str({ min: 33, max: 256, pattern: P.clientToken });
export const NextToken = str({ min: 1, max: 2048, pattern: P.nextToken });
export const TagsMap = map(str({ min: 1, max: 128, pattern: P.tag }), str({ min: 0, max: 256, pattern: P.tag }), 0, 50);
export const RoleArn = str({ min: 1, max: 2048, pattern: P.roleArn });
export const RuntimeId = str({ pattern: P.runtimeId });
export const RuntimeVersion = str({ min: 1, max: 5, pattern: P.version });
export const UnderscoreName = str({ pattern: P.underscoreName });

const AgentRuntimeArtifact = union({
  containerConfiguration: struct({ containerUri: str({ min: 1, max: 1024, pattern: P.containerUri }) }, ['containerUri']),
  codeConfiguration: struct(
    {
      code: union({
        s3: struct({ bucket: str({ pattern: P.s3Bucket }), prefix: str({ min: 1, max: 1024 }), versionId: str({ min: 3, max: 1024 }) }, ['bucket', 'prefix']),
      }),
      runtime: str({ enum: ['PYTHON_3_10', 'PYTHON_3_11', 'PYTHON_3_12', 'PYTHON_3_13', 'PYTHON_3_14', 'NODE_22'] }),
      entryPoint: list(str({ min: 1, max: 128 }), 1, 2),
    },
    ['code', 'runtime', 'entryPoint'],
  ),
});

const NetworkConfiguration = struct(
  {
    networkMode: str({ enum: ['PUBLIC', 'VPC'] }),
    networkModeConfig: struct(
      { securityGroups: list(str({ pattern: P.securityGroup }), 1, 16), subnets: list(str({ pattern: P.subnet }), 1, 16), requireServiceS3Endpoint: Type.Boolean() },
      ['securityGroups', 'subnets'],
    ),
  },
  ['networkMode'],
);

export const AuthorizerConfiguration = union({
  customJWTAuthorizer: struct(
    {
      discoveryUrl: str({ pattern: P.discoveryUrl }),
      allowedAudience: list(Type.String(), 1),
      allowedClients: list(Type.String(), 1),
      allowedScopes: list(str({ min: 1, max: 255, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), 1),
      advertisedScopeMapping: opaque(),
      customClaims: opaque(),
      privateEndpoint: opaque(),
      privateEndpointOverrides: opaque(),
      allowedWorkloadConfiguration: opaque(),
    },
    ['discoveryUrl'],
  ),
});

/** The members that make up one runtime version: everything Create and Update share. */
const runtimeConfigurationMembers = {
  agentRuntimeArtifact: AgentRuntimeArtifact,
  roleArn: RoleArn,
  networkConfiguration: NetworkConfiguration,
  description: str({ min: 1, max: 4096 }),
  authorizerConfiguration: AuthorizerConfiguration,
  requestHeaderConfiguration: union({ requestHeaderAllowlist: list(str({ min: 1, max: 256, pattern: P.headerName }), 1, 20) }),
  protocolConfiguration: struct({ serverProtocol: str({ enum: ['MCP', 'HTTP', 'A2A', 'AGUI'] }) }, ['serverProtocol']),
  lifecycleConfiguration: struct({ idleRuntimeSessionTimeout: int(60, 1209600), maxLifetime: int(60, 1209600) }),
  environmentVariables: map(str({ min: 1, max: 100 }), str({ min: 0, max: 5000 }), 0, 50),
  filesystemConfigurations: list(opaque(), 0, 5),
  capacityProviderConfiguration: opaque(),
  platformVersion: opaque('newer than the model: accepted as sent'),
  clientToken: ClientToken,
};

/** The configuration members stored per version (the input minus identifiers and tokens). */
export const RUNTIME_CONFIGURATION_KEYS = [
  'agentRuntimeArtifact', 'roleArn', 'networkConfiguration', 'description', 'authorizerConfiguration',
  'requestHeaderConfiguration', 'protocolConfiguration', 'lifecycleConfiguration', 'metadataConfiguration',
  'environmentVariables', 'filesystemConfigurations', 'capacityProviderConfiguration', 'platformVersion',
] as const;

const pagination = { maxResults: int(1, 100), nextToken: NextToken };

export const RuntimeShapes = {
  CreateAgentRuntime: struct({ agentRuntimeName: UnderscoreName, ...runtimeConfigurationMembers, tags: TagsMap }, ['agentRuntimeName', 'agentRuntimeArtifact', 'roleArn']),
  GetAgentRuntime: struct({ agentRuntimeId: RuntimeId, agentRuntimeVersion: RuntimeVersion }, ['agentRuntimeId']),
  UpdateAgentRuntime: struct({ agentRuntimeId: RuntimeId, ...runtimeConfigurationMembers, metadataConfiguration: opaque() }, ['agentRuntimeId', 'agentRuntimeArtifact', 'roleArn']),
  DeleteAgentRuntime: struct({ agentRuntimeId: RuntimeId, agentRuntimeVersion: RuntimeVersion, clientToken: ClientToken }, ['agentRuntimeId']),
  ListAgentRuntimes: struct(pagination),
  ListAgentRuntimeVersions: struct({ agentRuntimeId: RuntimeId, ...pagination }, ['agentRuntimeId']),
  CreateAgentRuntimeEndpoint: struct(
    { agentRuntimeId: RuntimeId, name: UnderscoreName, agentRuntimeVersion: RuntimeVersion, description: str({ min: 1, max: 256 }), clientToken: ClientToken, tags: TagsMap },
    ['agentRuntimeId', 'name'],
  ),
  GetAgentRuntimeEndpoint: struct({ agentRuntimeId: RuntimeId, endpointName: UnderscoreName }, ['agentRuntimeId', 'endpointName']),
  UpdateAgentRuntimeEndpoint: struct(
    { agentRuntimeId: RuntimeId, endpointName: UnderscoreName, agentRuntimeVersion: RuntimeVersion, description: str({ min: 1, max: 256 }), clientToken: ClientToken },
    ['agentRuntimeId', 'endpointName'],
  ),
  DeleteAgentRuntimeEndpoint: struct({ agentRuntimeId: RuntimeId, endpointName: UnderscoreName, clientToken: ClientToken }, ['agentRuntimeId', 'endpointName']),
  ListAgentRuntimeEndpoints: struct({ agentRuntimeId: RuntimeId, ...pagination }, ['agentRuntimeId']),
};

const TaggableArn = str({ min: 20, max: 1011, pattern: P.taggableArn });
export const TagShapes = {
  TagResource: struct({ resourceArn: TaggableArn, tags: TagsMap }, ['resourceArn', 'tags']),
  UntagResource: struct({ resourceArn: TaggableArn, tagKeys: list(str({ min: 1, max: 128, pattern: P.tag }), 0, 200) }, ['resourceArn', 'tagKeys']),
  ListTagsForResource: struct({ resourceArn: TaggableArn }, ['resourceArn']),
};
