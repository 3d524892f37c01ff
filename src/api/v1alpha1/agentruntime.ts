import { Type, type Static } from '@sinclair/typebox';
import type { KubeObject } from '../meta.js';
import {
  Pattern, Tags, ObjectRef, cel, commonSpecFields, exactlyOneOf, immutableOptional, listMap, roleSchema,
  setOf, statusSchema, stringEnum, stringMap, unit,
} from '../schema.js';

export const SERVER_PROTOCOLS = ['HTTP', 'MCP', 'A2A', 'AGUI'] as const;
export const CODE_RUNTIMES = ['PYTHON_3_10', 'PYTHON_3_11', 'PYTHON_3_12', 'PYTHON_3_13', 'PYTHON_3_14', 'NODE_22'] as const;
/** `latest` follows the newest runtime version; a number pins the endpoint to that version. */
export const ENDPOINT_VERSION_PATTERN = '^(latest|[1-9][0-9]{0,4})$';
const LIFECYCLE_SECONDS = { minimum: 60, maximum: 1209600, ...unit('seconds') };

const CodeArtifact = Type.Object(
  {
    s3: Type.Object(
      {
        bucket: Type.String({ pattern: Pattern.s3Bucket, description: 'S3 bucket holding the code zip.' }),
        prefix: Type.String({ minLength: 1, maxLength: 1024, description: 'Object key of the code zip.' }),
        versionId: Type.Optional(Type.String({ minLength: 3, maxLength: 1024, description: 'Pin an S3 object version; without it the operator tracks the newest version.' })),
      },
      { description: 'Where the code zip lives.' },
    ),
    runtime: stringEnum(CODE_RUNTIMES, { description: 'Managed language runtime.' }),
    entryPoint: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 2, description: 'Entry point, for example [main.py]. Order matters.' }),
  },
  { description: 'A code zip in S3 run on a managed runtime.' },
);

const Artifact = Type.Object(
  {
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: Pattern.containerUri, description: 'Container image in ECR: registry/repository[:tag][@sha256:digest].' })),
    trackDigest: Type.Optional(Type.Boolean({ description: 'Resolve the image tag to its digest through ECR on every resync, deploy the image pinned to that digest, and roll a new version when the tag moves (a re-pushed tag). Default true for an image; false deploys the tag as written.' })),
    code: Type.Optional(CodeArtifact),
  },
  {
    description: 'What the runtime runs: a container image or a code zip. Exactly one.',
    ...cel(exactlyOneOf(['image', 'code'], 'artifact'), {
      rule: '!has(self.trackDigest) || has(self.image)',
      message: 'trackDigest applies only to an image artifact',
      fieldPath: '.trackDigest',
    }),
  },
);

const Network = Type.Object(
  {
    mode: stringEnum(['PUBLIC', 'VPC'], { default: 'PUBLIC', description: 'PUBLIC, or VPC to run inside your subnets.' }),
    securityGroups: Type.Optional(setOf(Type.String({ pattern: Pattern.securityGroupId }), { minItems: 1, maxItems: 16, description: 'Security groups (VPC mode).' })),
    subnets: Type.Optional(setOf(Type.String({ pattern: Pattern.subnetId }), { minItems: 1, maxItems: 16, description: 'Subnets (VPC mode).' })),
  },
  {
    description: 'Network configuration.',
    ...cel({
      rule: "self.mode == 'VPC' ? (has(self.securityGroups) && has(self.subnets)) : (!has(self.securityGroups) && !has(self.subnets))",
      message: 'securityGroups and subnets are required in VPC mode and not allowed in PUBLIC mode',
    }),
  },
);

const Lifecycle = Type.Object(
  {
    idleSessionTimeoutSeconds: Type.Optional(Type.Integer({ ...LIFECYCLE_SECONDS, description: 'Seconds of inactivity after which a session ends (AWS default 900).' })),
    maxLifetimeSeconds: Type.Optional(Type.Integer({ ...LIFECYCLE_SECONDS, description: 'Maximum lifetime of a session in seconds (AWS default 28800).' })),
  },
  { description: 'Session lifecycle.' },
);

export const JwtAuthorizer = Type.Object(
  {
    discoveryUrl: Type.String({ pattern: Pattern.discoveryUrl, description: 'OpenID Connect discovery URL ending in /.well-known/openid-configuration.' }),
    allowedAudience: Type.Optional(setOf(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 100, description: 'Accepted aud claims.' })),
    allowedClients: Type.Optional(setOf(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 100, description: 'Accepted client_id claims.' })),
    allowedScopes: Type.Optional(setOf(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 100, description: 'Accepted scopes.' })),
  },
  { description: 'Inbound authorization with JSON Web Tokens from an OpenID Connect provider.' },
);

const Endpoint = Type.Object(
  {
    name: Type.String({ pattern: Pattern.underscoreName, description: 'Endpoint name (letters, digits, underscores). DEFAULT is reserved by AWS.' }),
    version: Type.Optional(Type.String({ pattern: ENDPOINT_VERSION_PATTERN, default: 'latest', description: '`latest` to follow each new version, or a version number to pin.' })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Endpoint description.' })),
  },
  {
    description: 'A named endpoint (alias) of the runtime.',
    ...cel({ rule: "self.name != 'DEFAULT'", message: 'DEFAULT is the endpoint AWS manages; choose another name', fieldPath: '.name' }),
  },
);

function envRef(description: string, defaultEnvName: string) {
  return Type.Object(
    {
      name: ObjectRef.properties.name,
      envName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: Pattern.envVarName, default: defaultEnvName, description: `Environment variable the value is injected into (default ${defaultEnvName}).` })),
    },
    { description },
  );
}

export const AgentRuntimeSpec = Type.Object(
  {
    runtimeName: Type.Optional(Type.String({ pattern: Pattern.underscoreName, description: 'AWS runtime name; derived from metadata.name (hyphens and dots become underscores) when omitted. Immutable.' })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Runtime description.' })),
    artifact: Artifact,
    role: roleSchema('The execution role AgentCore assumes to run the agent.'),
    network: Type.Optional(Network),
    protocol: Type.Optional(stringEnum(SERVER_PROTOCOLS, { default: 'HTTP', description: 'Protocol the agent serves: HTTP, MCP, A2A or AGUI.' })),
    lifecycle: Type.Optional(Lifecycle),
    env: Type.Optional(
      stringMap('Environment variables of the agent (at most 50, including the ones the operator injects).', {
        key: { minLength: 1, maxLength: 100 },
        value: { maxLength: 5000 },
        maxProperties: 50,
      }),
    ),
    authorizer: Type.Optional(Type.Object({ customJWT: JwtAuthorizer }, { description: 'Inbound authorization; without it callers use IAM (SigV4).' })),
    requestHeaders: Type.Optional(
      Type.Object(
        { allowlist: setOf(Type.String({ minLength: 1, maxLength: 256, pattern: Pattern.headerName }), { minItems: 1, maxItems: 20, description: 'Request headers passed through to the agent.' }) },
        { description: 'Request headers forwarded to the agent.' },
      ),
    ),
    memoryRef: Type.Optional(envRef('A Memory whose id is injected as an environment variable.', 'BEDROCK_AGENTCORE_MEMORY_ID')),
    gatewayRef: Type.Optional(envRef('A Gateway whose URL is injected as an environment variable.', 'AGENTCORE_GATEWAY_URL')),
    endpoints: Type.Optional(listMap(Endpoint, 'name', { maxItems: 10, description: 'Named endpoints; the DEFAULT endpoint always serves the newest version.' })),
    allowReplacement: Type.Optional(Type.Boolean({ default: false, description: 'Allow the operator to delete and recreate the runtime when an immutable property (the artifact kind) changes. Without it such a change is reported as Stalled.' })),
    tags: Type.Optional(Tags),
    ...commonSpecFields,
  },
  {
    description: 'The desired state of an AgentCore runtime.',
    ...cel(immutableOptional('runtimeName')),
  },
);
export type AgentRuntimeSpec = Static<typeof AgentRuntimeSpec>;

const EndpointStatus = Type.Object(
  {
    name: Type.String({ description: 'Endpoint name.' }),
    arn: Type.Optional(Type.String({ description: 'Endpoint ARN.' })),
    liveVersion: Type.Optional(Type.String({ description: 'Version serving traffic.' })),
    targetVersion: Type.Optional(Type.String({ description: 'Version being rolled to.' })),
    status: Type.Optional(Type.String({ description: 'AWS endpoint status.' })),
    failureReason: Type.Optional(Type.String({ description: 'Why AWS reports the endpoint as failed.' })),
  },
  { description: 'Observed state of one endpoint.' },
);

export const AgentRuntimeStatus = statusSchema('The observed state of the runtime.', {
  runtimeName: Type.Optional(Type.String({ description: 'AWS runtime name.' })),
  agentRuntimeId: Type.Optional(Type.String({ description: 'AWS runtime id.' })),
  agentRuntimeArn: Type.Optional(Type.String({ description: 'AWS runtime ARN.' })),
  version: Type.Optional(Type.String({ description: 'Newest runtime version.' })),
  roleArn: Type.Optional(Type.String({ description: 'Execution role in use (the managed role\'s ARN when the operator owns it).' })),
  image: Type.Optional(Type.String({ description: 'Image reference deployed, pinned to a digest when resolved.' })),
  codeVersion: Type.Optional(Type.String({ description: 'Code fingerprint the session-restart variable was last set to (image digest or S3 version, plus restart counter).' })),
  workloadIdentityArn: Type.Optional(Type.String({ description: 'Workload identity AWS created for the runtime.' })),
  endpoints: Type.Optional(listMap(EndpointStatus, 'name', { maxItems: 11, description: 'Observed endpoints.' })),
});
export type AgentRuntimeStatus = Static<typeof AgentRuntimeStatus>;

export type AgentRuntime = KubeObject<AgentRuntimeSpec, AgentRuntimeStatus>;
