/** The registry of kinds: everything the validator, the CRD generator and the docs need to know. */
import type { TObject } from '@sinclair/typebox';
import type { AwsNameRule } from './names.js';
import { AgentRuntimeSpec, AgentRuntimeStatus } from './v1alpha1/agentruntime.js';
import { ApiKeyCredentialProviderSpec, ApiKeyCredentialProviderStatus } from './v1alpha1/apikeycredentialprovider.js';
import { GatewaySpec, GatewayStatus } from './v1alpha1/gateway.js';
import { GatewayTargetSpec, GatewayTargetStatus } from './v1alpha1/gatewaytarget.js';
import { MemorySpec, MemoryStatus } from './v1alpha1/memory.js';
import { OAuth2CredentialProviderSpec, OAuth2CredentialProviderStatus } from './v1alpha1/oauth2credentialprovider.js';
import { WorkloadIdentitySpec, WorkloadIdentityStatus } from './v1alpha1/workloadidentity.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: TObject;
  status: TObject;
  awsName: AwsNameRule;
  /** Kind-specific printer columns, shown between Ready/Status and Age. */
  columns: PrinterColumn[];
}

const UNDERSCORE_48 = { kind: 'underscore', maxLength: 48 } as const;
const PROVIDER_NAME = { kind: 'dotToHyphen', maxLength: 128 } as const;

const idColumn = (name: string, path: string): PrinterColumn => ({ name, type: 'string', jsonPath: path, description: `AWS ${name.toLowerCase()}` });

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'AgentRuntime',
    plural: 'agentruntimes',
    singular: 'agentruntime',
    shortNames: ['acrt'],
    description: 'An AgentCore runtime: a container image or code zip served as an agent, with its named endpoints.',
    spec: AgentRuntimeSpec,
    status: AgentRuntimeStatus,
    awsName: { field: 'runtimeName', style: UNDERSCORE_48 },
    columns: [
      { name: 'Version', type: 'string', jsonPath: '.status.version', description: 'Newest runtime version' },
      idColumn('ID', '.status.agentRuntimeId'),
      { name: 'ARN', type: 'string', jsonPath: '.status.agentRuntimeArn', description: 'AWS ARN', priority: 1 },
    ],
  },
  {
    kind: 'Memory',
    plural: 'memories',
    singular: 'memory',
    shortNames: ['acmem'],
    description: 'An AgentCore memory: short-term events and long-term records extracted by strategies.',
    spec: MemorySpec,
    status: MemoryStatus,
    awsName: { field: 'memoryName', style: UNDERSCORE_48 },
    columns: [idColumn('ID', '.status.memoryId'), { name: 'ARN', type: 'string', jsonPath: '.status.memoryArn', description: 'AWS ARN', priority: 1 }],
  },
  {
    kind: 'Gateway',
    plural: 'gateways',
    singular: 'gateway',
    shortNames: ['acgw'],
    description: 'An AgentCore gateway: one MCP endpoint that exposes tools from its targets.',
    spec: GatewaySpec,
    status: GatewayStatus,
    awsName: { field: 'gatewayName', style: { kind: 'hyphen', maxAlphanumerics: 48 } },
    columns: [
      idColumn('ID', '.status.gatewayId'),
      { name: 'URL', type: 'string', jsonPath: '.status.gatewayUrl', description: 'Gateway URL', priority: 1 },
    ],
  },
  {
    kind: 'GatewayTarget',
    plural: 'gatewaytargets',
    singular: 'gatewaytarget',
    shortNames: ['acgwt'],
    description: 'A target of an AgentCore gateway: a Lambda function, an OpenAPI or Smithy API, or an MCP server.',
    spec: GatewayTargetSpec,
    status: GatewayTargetStatus,
    awsName: { field: 'targetName', style: { kind: 'hyphen', maxAlphanumerics: 100 }, uniqueWithin: { ref: 'gatewayRef' } },
    columns: [
      { name: 'Gateway', type: 'string', jsonPath: '.spec.gatewayRef.name', description: 'Gateway object' },
      idColumn('ID', '.status.targetId'),
    ],
  },
  {
    kind: 'WorkloadIdentity',
    plural: 'workloadidentities',
    singular: 'workloadidentity',
    shortNames: ['acwi'],
    description: 'An AgentCore workload identity: the identity an agent presents to obtain credentials.',
    spec: WorkloadIdentitySpec,
    status: WorkloadIdentityStatus,
    awsName: { field: 'identityName', style: { kind: 'verbatim', minLength: 3 } },
    columns: [{ name: 'ARN', type: 'string', jsonPath: '.status.workloadIdentityArn', description: 'AWS ARN' }],
  },
  {
    kind: 'OAuth2CredentialProvider',
    plural: 'oauth2credentialproviders',
    singular: 'oauth2credentialprovider',
    shortNames: ['acoauth'],
    description: 'An AgentCore OAuth2 credential provider: an OAuth client whose tokens agents and gateways use.',
    spec: OAuth2CredentialProviderSpec,
    status: OAuth2CredentialProviderStatus,
    awsName: { field: 'providerName', style: PROVIDER_NAME },
    columns: [
      { name: 'Vendor', type: 'string', jsonPath: '.spec.vendor', description: 'OAuth2 vendor' },
      { name: 'ARN', type: 'string', jsonPath: '.status.credentialProviderArn', description: 'AWS ARN', priority: 1 },
    ],
  },
  {
    kind: 'ApiKeyCredentialProvider',
    plural: 'apikeycredentialproviders',
    singular: 'apikeycredentialprovider',
    shortNames: ['acapikey'],
    description: 'An AgentCore API-key credential provider: an API key that gateways send to their targets.',
    spec: ApiKeyCredentialProviderSpec,
    status: ApiKeyCredentialProviderStatus,
    awsName: { field: 'providerName', style: PROVIDER_NAME },
    columns: [{ name: 'ARN', type: 'string', jsonPath: '.status.credentialProviderArn', description: 'AWS ARN', priority: 1 }],
  },
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}
