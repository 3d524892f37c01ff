/**
 * The validation corpus of the differential test (test/kube/validate-differential.test.ts): every example
 * in manifests/examples/ (without the Secrets, which are not ours), plus variants of a few valid base
 * objects per kind, each breaking (at most) one thing.
 *
 * Most variants come from walking the CRD schema as the cluster has it (crds/*.yaml) beside a base object
 * and mutating one node at a time: wrong types and nulls, strings with the characters where Go's regexp
 * and JavaScript's differ (\v, U+00A0, U+3000, \r, \n, U+2028) at the end and in the middle, lengths at and
 * just over maxLength and minLength, numbers at and over their bounds, enum values, lists at and over
 * maxItems, duplicates in sets and list-maps, map keys, missing required fields, optional fields removed
 * and unknown fields. A hand-written list adds the failing (and passing) case of every CEL rule, the
 * IAM statements' Action/NotAction anyOf, and metadata the apiserver checks itself.
 *
 * No expectations are written here: the cluster is the reference, and the test compares `validate` with it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { compileGoRegexp } from '../../../src/api/validation.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}
type Segment = string | number;

export interface CorpusEntry {
  kind: string;
  /** metadata.name, unique in the corpus; encodes the variant. */
  name: string;
  /** Where the entry comes from: an example file, the schema walk, or the hand-written list. */
  source: 'example' | 'schema' | 'cel' | 'envelope';
  /** What the variant changes, for the report (`spec.artifact.image: end-vt`). */
  description: string;
  object: JsonObject;
}

/** The part of an OpenAPI v3 schema the walk looks at. */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: Json[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  maxProperties?: number;
  default?: Json;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string }[];
}

const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const API_VERSION = 'agentcore.dev/v1alpha1';

/** The root schema of each kind, as the cluster has it. */
export function crdSchemas(): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const file of readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(repoRoot, 'crds', file), 'utf8')) as { spec: { names: { kind: string }; versions: { schema: { openAPIV3Schema: Schema } }[] } };
    out.set(crd.spec.names.kind, crd.spec.versions[0]!.schema.openAPIV3Schema);
  }
  return out;
}

/** The characters whose handling differs between regular-expression engines, or between bytes and characters. */
export const SPECIAL_CHARACTERS: [string, string][] = [
  ['vt', '\v'],
  ['nbsp', '\u00a0'],
  ['ideosp', '\u3000'],
  ['cr', '\r'],
  ['lf', '\n'],
  ['ls', '\u2028'],
];

const ACCOUNT = '123456789012';
const IMAGE = `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/agent:1`;
const KMS = `arn:aws:kms:us-west-2:${ACCOUNT}:key/12345678-1234-1234-1234-123456789012`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/agent`;
const LAMBDA_ARN = `arn:aws:lambda:us-west-2:${ACCOUNT}:function:tools`;
const DISCOVERY = 'https://auth.example.com/.well-known/openid-configuration';

const managedRole = (): JsonObject => ({
  managed: {
    roleName: 'agent-role',
    path: '/agentcore/',
    permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  },
});
const jwt = (): JsonObject => ({ discoveryUrl: DISCOVERY, allowedAudience: ['api'], allowedClients: ['client1'], allowedScopes: ['read'] });
const common = (): JsonObject => ({ deletionPolicy: 'Delete', driftPolicy: 'Correct', suspend: false, tags: { team: 'support' } });
const prompt = (): JsonObject => ({ appendToPrompt: 'Be brief.', modelId: 'anthropic.claude-sonnet-4-5' });

interface KindPlan {
  kind: string;
  /** Short, letter-first prefix of every variant's metadata.name. */
  prefix: string;
  /** The spec field that names the AWS resource (set in some bases; kept unique per object). */
  awsNameField: string;
  /** Valid specs; the schema walk mutates each, and variants found twice (same path, same change) are kept once. */
  bases: JsonObject[];
}

export const PLANS: KindPlan[] = [
  {
    kind: 'AgentRuntime',
    prefix: 'rt',
    awsNameField: 'runtimeName',
    bases: [
      {
        runtimeName: 'agent_a',
        description: 'Answers questions.',
        artifact: { image: IMAGE, trackDigest: true },
        role: managedRole(),
        network: { mode: 'PUBLIC' },
        protocol: 'HTTP',
        lifecycle: { idleSessionTimeoutSeconds: 900, maxLifetimeSeconds: 28800 },
        env: { LOG_LEVEL: 'info' },
        authorizer: { customJWT: jwt() },
        requestHeaders: { allowlist: ['X-Trace-Id'] },
        memoryRef: { name: 'mem', envName: 'MEMORY_ID' },
        gatewayRef: { name: 'gw', envName: 'GATEWAY_URL' },
        endpoints: [{ name: 'prod', version: '1', description: 'Production' }],
        allowReplacement: false,
        ...common(),
      },
      {
        artifact: { code: { s3: { bucket: 'agent-code', prefix: 'agent.zip', versionId: 'v123' }, runtime: 'PYTHON_3_12', entryPoint: ['main.py'] } },
        role: { arn: ROLE_ARN },
        network: { mode: 'VPC', securityGroups: ['sg-12345678'], subnets: ['subnet-12345678'] },
      },
    ],
  },
  {
    kind: 'Memory',
    prefix: 'mem',
    awsNameField: 'memoryName',
    bases: [
      {
        memoryName: 'memory_a',
        description: 'Customer facts.',
        eventExpiryDays: 90,
        encryptionKeyArn: KMS,
        role: { arn: ROLE_ARN },
        strategies: [
          { name: 'facts', semantic: { description: 'Facts.', namespaces: ['/facts/{actorId}'] } },
          { name: 'summaries', summary: { namespaces: ['/sessions/{sessionId}'] } },
          { name: 'prefs', userPreference: { namespaces: ['/prefs/{actorId}'] } },
          { name: 'episodes', episodic: { namespaces: ['/episodes/{actorId}'], reflectionNamespaces: ['/reflections/{actorId}'] } },
          { name: 'custom_sem', custom: { description: 'Custom.', namespaces: ['/custom/{memoryStrategyId}'], semanticOverride: { extraction: prompt(), consolidation: prompt() } } },
          {
            name: 'pipeline',
            custom: {
              selfManaged: {
                triggerConditions: [{ messageCount: 5 }, { tokenCount: 1000 }, { idleSessionTimeoutSeconds: 60 }],
                topicArn: `arn:aws:sns:us-west-2:${ACCOUNT}:memory-topic`,
                payloadDeliveryBucketName: 'memory-payloads',
                historicalContextWindowSize: 4,
              },
            },
          },
        ],
        ...common(),
      },
      {
        role: managedRole(),
        strategies: [
          { name: 'custom_sum', custom: { summaryOverride: { consolidation: prompt() } } },
          { name: 'custom_pref', custom: { userPreferenceOverride: { extraction: prompt(), consolidation: prompt() } } },
          { name: 'custom_epi', custom: { episodicOverride: { extraction: prompt(), consolidation: prompt(), reflection: prompt() } } },
        ],
      },
    ],
  },
  {
    kind: 'Gateway',
    prefix: 'gw',
    awsNameField: 'gatewayName',
    bases: [
      {
        gatewayName: 'gateway-a',
        description: 'Order tools.',
        role: managedRole(),
        authorizer: { type: 'CUSTOM_JWT', customJWT: jwt() },
        mcp: { supportedVersions: ['2025-03-26'], instructions: 'Use the tools.', searchType: 'SEMANTIC' },
        kmsKeyArn: KMS,
        exceptionLevel: 'DEBUG',
        ...common(),
      },
      { role: { arn: ROLE_ARN }, authorizer: { type: 'AWS_IAM' } },
    ],
  },
  {
    kind: 'GatewayTarget',
    prefix: 'gwt',
    awsNameField: 'targetName',
    bases: [
      {
        gatewayRef: { name: 'gw' },
        targetName: 'target-a',
        description: 'Order lookup.',
        lambda: {
          arn: LAMBDA_ARN,
          toolSchema: {
            inline: [
              {
                name: 'get_order',
                description: 'Get an order.',
                inputSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
                outputSchema: { type: 'object' },
              },
            ],
          },
        },
        credentials: { gatewayIamRole: {} },
        deletionPolicy: 'Retain',
        driftPolicy: 'Report',
        suspend: true,
      },
      {
        gatewayRef: { name: 'gw' },
        openApi: { s3: { uri: 's3://schemas/openapi.json', bucketOwnerAccountId: ACCOUNT } },
        credentials: { apiKey: { providerRef: { name: 'api-key' }, location: 'HEADER', parameterName: 'X-Api-Key', prefix: 'Bearer' } },
      },
      {
        gatewayRef: { name: 'gw' },
        smithy: { inline: '{"smithy":"2.0"}' },
        credentials: {
          oauth: {
            providerArn: `arn:aws:bedrock-agentcore:us-west-2:${ACCOUNT}:token-vault/default/oauth2credentialprovider/github`,
            scopes: ['repo'],
            customParameters: { audience: 'api' },
            grantType: 'AUTHORIZATION_CODE',
            defaultReturnUrl: 'https://app.example.com/callback',
          },
        },
      },
      { gatewayRef: { name: 'gw' }, mcpServer: { endpoint: 'https://mcp.example.com/mcp' }, credentials: { oauth: { providerRef: { name: 'oauth' }, scopes: ['read'] } } },
      { gatewayRef: { name: 'gw' }, lambda: { arn: LAMBDA_ARN, toolSchema: { s3: { uri: 's3://schemas/tools.json' } } } },
    ],
  },
  {
    kind: 'WorkloadIdentity',
    prefix: 'wi',
    awsNameField: 'identityName',
    bases: [{ identityName: 'identity-a', allowedOAuth2ReturnUrls: ['https://app.example.com/callback'], ...common() }, {}],
  },
  {
    kind: 'OAuth2CredentialProvider',
    prefix: 'oauth',
    awsNameField: 'providerName',
    bases: [
      {
        providerName: 'oauth-a',
        vendor: 'CustomOauth2',
        clientId: 'client-1',
        clientSecret: { secretKeyRef: { name: 'oauth-secret', key: 'client-secret' } },
        discovery: { discoveryUrl: DISCOVERY },
        ...common(),
      },
      { vendor: 'MicrosoftOauth2', clientId: 'client-2', clientSecret: { env: 'CLIENT_SECRET' }, tenantId: 'tenant-1' },
      {
        vendor: 'CustomOauth2',
        clientId: 'client-3',
        clientSecret: { awsSecretsManager: { secretId: 'oauth/client', jsonKey: 'secret' } },
        discovery: {
          authorizationServerMetadata: {
            issuer: 'https://auth.example.com',
            authorizationEndpoint: 'https://auth.example.com/authorize',
            tokenEndpoint: 'https://auth.example.com/token',
            responseTypes: ['code'],
          },
        },
      },
      { vendor: 'GithubOauth2', clientId: 'client-4', clientSecret: { file: 'secrets/client-secret' } },
    ],
  },
  {
    kind: 'ApiKeyCredentialProvider',
    prefix: 'apikey',
    awsNameField: 'providerName',
    bases: [
      { providerName: 'apikey-a', apiKey: { secretKeyRef: { name: 'api-secret', key: 'api-key' } }, ...common() },
      { apiKey: { env: 'API_KEY' } },
      { apiKey: { file: 'secrets/api-key' } },
      { apiKey: { awsSecretsManager: { secretId: 'api/key', jsonKey: 'key' } } },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// Strings that keep (or deliberately break) a pattern.

function matches(pattern: string | undefined, value: string): boolean {
  return pattern === undefined || compileGoRegexp(pattern).test(value);
}

/** `value` grown or shrunk to exactly `length` characters, still matching `pattern` if some simple edit can. */
export function resize(value: string, length: number, pattern?: string): string | undefined {
  const chars = [...value];
  if (chars.length >= length) {
    const candidates = [chars.slice(0, length).join(''), chars.slice(chars.length - length).join(''), 'a'.repeat(length), '0'.repeat(length)];
    return candidates.find((c) => matches(pattern, c));
  }
  const missing = length - chars.length;
  const slash = value.lastIndexOf('/') + 1;
  const positions = [...new Set([chars.length, chars.length - 1, slash, 1, Math.floor(chars.length / 2), 0])].filter((p) => p >= 0 && p <= chars.length);
  for (const filler of ['a', '0', 'x', 'A', '1']) {
    for (const p of positions) {
      const candidate = [...chars.slice(0, p), filler.repeat(missing), ...chars.slice(p)].join('');
      if (matches(pattern, candidate)) return candidate;
    }
  }
  return undefined;
}

/** A value like `value` (same pattern) that differs from it; `i` makes it distinct from its siblings. */
export function distinctString(value: string, i: number, pattern?: string): string {
  const tag = String(i);
  const chars = [...value];
  const candidates = [value + tag, ...[chars.length - 1, 1, Math.floor(chars.length / 2)].map((p) => [...chars.slice(0, p), tag, ...chars.slice(p)].join(''))];
  return candidates.find((c) => matches(pattern, c)) ?? value + tag;
}

function slugOf(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------------------------------------------------
// Variants by walking the schema beside a base object.

interface Mutation {
  /** Path of the node the mutation is about, for the description and for de-duplication. */
  path: Segment[];
  change: string;
  apply(root: JsonObject): void;
}

function get(root: Json, path: Segment[]): Json | undefined {
  let node: Json | undefined = root;
  for (const s of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, Json>)[s as string];
  }
  return node;
}

function set(root: JsonObject, path: Segment[], value: Json): void {
  const parent = get(root, path.slice(0, -1)) as Record<string | number, Json>;
  parent[path[path.length - 1]!] = value;
}

function remove(root: JsonObject, path: Segment[]): void {
  const parent = get(root, path.slice(0, -1)) as Record<string, Json>;
  delete parent[path[path.length - 1] as string];
}

const setTo = (path: Segment[], change: string, value: Json): Mutation => ({ path, change, apply: (root) => set(root, path, structuredClone(value)) });
const removal = (path: Segment[], change: string): Mutation => ({ path, change, apply: (root) => remove(root, path) });

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMutations(schema: Schema, value: string, path: Segment[]): Mutation[] {
  const out: Mutation[] = [setTo(path, 'type-number', 42), setTo(path, 'type-bool', true), setTo(path, 'null', null)];
  if (schema.enum) {
    for (const e of schema.enum.filter((e) => e !== value)) out.push(setTo(path, `enum-${String(e)}`, e));
    out.push(setTo(path, 'enum-bogus', 'Bogus'), setTo(path, 'enum-empty', ''), setTo(path, 'enum-lower', value.toLowerCase() === value ? value.toUpperCase() : value.toLowerCase()));
    out.push(setTo(path, 'enum-trailing-space', `${value} `), setTo(path, 'enum-trailing-lf', `${value}\n`));
    return out;
  }
  const chars = [...value];
  const middle = Math.max(1, Math.floor(chars.length / 2));
  for (const [name, c] of SPECIAL_CHARACTERS) {
    out.push(setTo(path, `end-${name}`, value + c));
    if (schema.pattern) {
      out.push(setTo(path, `mid-${name}`, [...chars.slice(0, middle), c, ...chars.slice(middle)].join('')));
      out.push(setTo(path, `start-${name}`, c + value));
    }
  }
  const { minLength, maxLength, pattern } = schema;
  if (maxLength !== undefined) {
    const atMax = resize(value, maxLength, pattern) ?? resize(value, maxLength)!;
    out.push(setTo(path, 'len-max', atMax), setTo(path, 'len-max-over', resize(value, maxLength + 1, pattern) ?? `${atMax}a`));
    if (!pattern) {
      // maxLength counts characters (runes, code points), not bytes or UTF-16 units.
      // (A megabyte of 4-byte characters would pass the apiserver's 3 MB request limit.)
      out.push(setTo(path, 'len-max-2byte', '\u00e9'.repeat(maxLength)));
      if (maxLength <= 100_000) out.push(setTo(path, 'len-max-astral', '\u{1F600}'.repeat(maxLength)));
      out.push(setTo(path, 'len-max-over-2byte', '\u00e9'.repeat(maxLength + 1)));
    }
  } else if (pattern) {
    const long = resize(value, chars.length + 300, pattern);
    if (long) out.push(setTo(path, 'len-long', long));
  }
  if (minLength !== undefined && minLength > 0) {
    out.push(setTo(path, 'len-min', resize(value, minLength, pattern) ?? resize(value, minLength)!));
    out.push(setTo(path, 'len-min-under', resize(value, minLength - 1, pattern) ?? resize(value, minLength - 1)!));
  } else {
    out.push(setTo(path, 'empty', ''));
  }
  if (pattern) out.push(setTo(path, 'space-inside', [...chars.slice(0, middle), ' ', ...chars.slice(middle)].join('')));
  return out;
}

function numberMutations(schema: Schema, value: number, path: Segment[]): Mutation[] {
  const out: Mutation[] = [setTo(path, 'type-string', String(value)), setTo(path, 'type-fraction', value + 0.5), setTo(path, 'null', null), setTo(path, 'type-bool', true)];
  if (schema.minimum !== undefined) out.push(setTo(path, 'min', schema.minimum), setTo(path, 'min-under', schema.minimum - 1));
  if (schema.maximum !== undefined) out.push(setTo(path, 'max', schema.maximum), setTo(path, 'max-over', schema.maximum + 1));
  if (schema.minimum === undefined && schema.maximum === undefined) out.push(setTo(path, 'negative', -1));
  return out;
}

/** An item like `item` that a set or list-map takes beside it. */
function distinctItem(schema: Schema, item: Json, i: number): Json {
  if (typeof item === 'string') return distinctString(item, i, schema.items?.pattern);
  const keys = schema['x-kubernetes-list-map-keys'];
  if (isObject(item) && keys) {
    const copy = structuredClone(item);
    for (const key of keys) copy[key] = distinctString(String(item[key]), i, schema.items?.properties?.[key]?.pattern);
    return copy;
  }
  return structuredClone(item);
}

function arrayMutations(schema: Schema, value: Json[], path: Segment[]): Mutation[] {
  const out: Mutation[] = [setTo(path, 'type-string', 'x'), setTo(path, 'type-object', {}), setTo(path, 'null', null), setTo(path, 'empty', [])];
  if (value.length > 0) {
    out.push(setTo(path, 'null-item', [...value, null]));
    const unique = schema['x-kubernetes-list-type'] === 'set' || schema['x-kubernetes-list-type'] === 'map';
    const grown = (n: number) => Array.from({ length: n }, (_, i) => (i < value.length ? value[i]! : unique ? distinctItem(schema, value[value.length - 1]!, i) : structuredClone(value[value.length - 1]!)));
    if (schema.maxItems !== undefined) out.push(setTo(path, 'items-max', grown(schema.maxItems)), setTo(path, 'items-max-over', grown(schema.maxItems + 1)));
    if (schema.minItems !== undefined && schema.minItems > 1) out.push(setTo(path, 'items-min', grown(schema.minItems)));
    if (unique) out.push(setTo(path, 'duplicate', [...value, structuredClone(value[0]!)]));
    else out.push(setTo(path, 'repeated', [...value, structuredClone(value[0]!)]));
  }
  return out;
}

/** The limits a map's CEL key rule sets (`size(k) >= 1 && size(k) <= 128`). */
function keyLimits(schema: Schema): { min?: number; max?: number } {
  const rules = (schema['x-kubernetes-validations'] ?? []).map((r) => r.rule).join(' ');
  const min = /size\(k\) >= (\d+)/.exec(rules);
  const max = /size\(k\) <= (\d+)/.exec(rules);
  return { min: min ? Number(min[1]) : undefined, max: max ? Number(max[1]) : undefined };
}

function mapMutations(schema: Schema, value: JsonObject, path: Segment[]): Mutation[] {
  const valueSchema = schema.additionalProperties as Schema;
  const sample = Object.values(value)[0];
  const filler = typeof sample === 'string' ? sample : 'v';
  const out: Mutation[] = [setTo(path, 'type-string', 'x'), setTo(path, 'type-array', []), setTo(path, 'null', null), setTo(path, 'empty', {})];
  const withKey = (change: string, key: string, v: Json = filler) => setTo(path, change, { ...value, [key]: v });
  out.push(withKey('key-empty', ''), withKey('key-space', 'a b'), withKey('key-slash', 'team/a'), withKey('key-dots', 'a.b.c'), withKey('key-colon', 'aws:x'));
  for (const [name, c] of SPECIAL_CHARACTERS) out.push(withKey(`key-${name}`, `k${c}`));
  out.push(withKey('key-null-value', 'extra', null), withKey('key-number-value', 'extra', 7));
  const { max } = keyLimits(schema);
  if (max !== undefined) out.push(withKey('key-len-max', 'k'.repeat(max)), withKey('key-len-max-over', 'k'.repeat(max + 1)));
  if (schema.maxProperties !== undefined) {
    const filled = (n: number): JsonObject => ({ ...value, ...Object.fromEntries(Array.from({ length: n - Object.keys(value).length }, (_, i) => [`key${i}`, filler])) });
    out.push(setTo(path, 'props-max', filled(schema.maxProperties)), setTo(path, 'props-max-over', filled(schema.maxProperties + 1)));
  }
  if (valueSchema.maxLength !== undefined) out.push(withKey('value-len-max', 'long', 'v'.repeat(valueSchema.maxLength)), withKey('value-len-max-over', 'long', 'v'.repeat(valueSchema.maxLength + 1)));
  return out;
}

function objectMutations(schema: Schema, value: JsonObject, path: Segment[]): Mutation[] {
  const out: Mutation[] = [];
  if (path.length > 1) out.push(setTo(path, 'type-string', 'x'), setTo(path, 'type-array', []), setTo(path, 'null', null));
  out.push(setTo([...path, 'colour'], 'unknown-field', 'blue'));
  for (const key of Object.keys(value)) {
    out.push(removal([...path, key], (schema.required ?? []).includes(key) ? 'required-missing' : 'removed'));
  }
  if (schema.properties && Object.keys(value).length > 0) out.push(setTo(path, 'empty', {}));
  return out;
}

/** All mutations of one node and of what is below it. */
export function walk(schema: Schema, value: Json | undefined, path: Segment[]): Mutation[] {
  if (value === undefined) return [];
  if (schema['x-kubernetes-preserve-unknown-fields'] && !schema.type) {
    // Untyped JSON (an IAM statement's Action): any value is kept as written.
    return [setTo(path, 'any-number', 42), setTo(path, 'any-object', { a: 1 }), setTo(path, 'any-list', ['s3:*', 's3:Get*']), setTo(path, 'null', null)];
  }
  if (schema.type === 'string' && typeof value === 'string') return stringMutations(schema, value, path);
  if ((schema.type === 'integer' || schema.type === 'number') && typeof value === 'number') return numberMutations(schema, value, path);
  if (schema.type === 'boolean' && typeof value === 'boolean') {
    return [setTo(path, 'flipped', !value), setTo(path, 'type-string', String(value)), setTo(path, 'type-number', 1), setTo(path, 'null', null)];
  }
  if (schema.type === 'array' && Array.isArray(value)) {
    const out = arrayMutations(schema, value, path);
    const items = schema.items ?? {};
    const walked = items.type === 'object' ? value : value.slice(0, 1);
    walked.forEach((item, i) => out.push(...walk(items, item, [...path, i])));
    return out;
  }
  if (schema.type === 'object' && isObject(value)) {
    if (schema['x-kubernetes-preserve-unknown-fields']) {
      const out: Mutation[] = [setTo([...path, 'Colour'], 'kept-field', 'blue'), setTo(path, 'type-string', 'x')];
      for (const [key, child] of Object.entries(schema.properties ?? {})) out.push(...walk(child, value[key], [...path, key]));
      for (const key of schema.required ?? []) if (key in value) out.push(removal([...path, key], 'required-missing'));
      return out;
    }
    if (typeof schema.additionalProperties === 'object') {
      const out = mapMutations(schema, value, path);
      for (const [key, v] of Object.entries(value)) out.push(...walk(schema.additionalProperties, v, [...path, key]));
      return out;
    }
    const out = objectMutations(schema, value, path);
    for (const [key, child] of Object.entries(schema.properties ?? {})) out.push(...walk(child, value[key], [...path, key]));
    return out;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------------------
// Hand-written variants: every CEL rule's failing case (and a passing neighbour), the anyOf, metadata.

interface HandVariant {
  kind: string;
  /** Index into the kind's bases. */
  base: number;
  change: string;
  /** Edits the whole object (metadata and spec). */
  apply(object: JsonObject & { metadata: JsonObject; spec: JsonObject }): void;
  /** A metadata.name of its own (for the name rules); otherwise one is made up. */
  name?: string;
  source?: CorpusEntry['source'];
}

const spec = (edit: (s: JsonObject) => void) => (o: { spec: JsonObject }) => edit(o.spec);
const at = (s: JsonObject, path: Segment[]) => get(s, path) as JsonObject;

const TAG_RULES = (kind: string): HandVariant[] => [
  { kind, base: 0, change: 'tags reserved prefix', apply: spec((s) => (at(s, ['tags'])['agentcore.dev/owner'] = 'me')) },
  { kind, base: 0, change: 'tags reserved prefix bare', apply: spec((s) => (at(s, ['tags'])['agentcore.dev/'] = 'me')) },
  { kind, base: 0, change: 'tags similar prefix', apply: spec((s) => (at(s, ['tags'])['agentcore.devx/a'] = 'me')) },
  { kind, base: 0, change: 'tags key bang', apply: spec((s) => (at(s, ['tags'])['a!'] = 'me')) },
  { kind, base: 0, change: 'tags key tab', apply: spec((s) => (at(s, ['tags'])['a\tb'] = 'me')) },
  { kind, base: 0, change: 'tags value bang', apply: spec((s) => (at(s, ['tags']).team = 'a!')) },
  { kind, base: 0, change: 'tags value tab', apply: spec((s) => (at(s, ['tags']).team = 'a\tb')) },
];

const NAME_RULES = (kind: string, awsNameField: string, bad: string[], good: string[]): HandVariant[] => [
  ...bad.map((name, i) => ({ kind, base: 1, change: `name not derivable ${i}`, name, source: 'cel' as const, apply: () => undefined })),
  ...bad.map((name, i) => ({ kind, base: 1, change: `name not derivable ${i} with ${awsNameField}`, name: `${name.slice(0, -1)}z`, source: 'cel' as const, apply: spec((s) => (s[awsNameField] = `named${i}`)) })),
  ...good.map((name, i) => ({ kind, base: 1, change: `name derivable at the limit ${i}`, name, source: 'cel' as const, apply: () => undefined })),
];

const STATEMENT_RULES = (kind: string, base: number, role: Segment[]): HandVariant[] => {
  const statement = (s: JsonObject) => at(s, [...role, 'managed', 'statements', 0]);
  return [
    { kind, base, change: 'statement without Action', apply: spec((s) => delete statement(s).Action) },
    { kind, base, change: 'statement with NotAction only', apply: spec((s) => { delete statement(s).Action; statement(s).NotAction = 's3:*'; }) },
    { kind, base, change: 'statement with both', apply: spec((s) => (statement(s).NotAction = 's3:*')) },
    { kind, base, change: 'statement Action null', apply: spec((s) => (statement(s).Action = null)) },
    { kind, base, change: 'statement NotAction null only', apply: spec((s) => { delete statement(s).Action; statement(s).NotAction = null; }) },
    { kind, base, change: 'statement action lowercase', apply: spec((s) => { delete statement(s).Action; statement(s).action = 's3:*'; }) },
    { kind, base, change: 'statement Action empty list', apply: spec((s) => (statement(s).Action = [])) },
    { kind, base, change: 'statement without Effect', apply: spec((s) => delete statement(s).Effect) },
    { kind, base, change: 'second statement without Action', apply: spec((s) => (at(s, [...role, 'managed', 'statements']) as unknown as Json[]).push({ Effect: 'Deny', Resource: '*' })) },
    { kind, base, change: 'statement empty', apply: spec((s) => (at(s, [...role, 'managed']).statements = [{}])) },
  ];
};

const ROLE_RULES = (kind: string, arnBase: number, managedBase: number, role: Segment[] = ['role']): HandVariant[] => [
  { kind, base: arnBase, change: 'role arn and managed', apply: spec((s) => (at(s, role).managed = {})) },
  { kind, base: managedBase, change: 'role managed and arn', apply: spec((s) => (at(s, role).arn = ROLE_ARN)) },
  { kind, base: arnBase, change: 'role neither', apply: spec((s) => delete at(s, role).arn) },
  { kind, base: managedBase, change: 'role managed empty', apply: spec((s) => (at(s, role).managed = {})) },
];

const SECRET_RULES = (kind: string, field: string): HandVariant[] => [
  { kind, base: 0, change: 'secret none', apply: spec((s) => (s[field] = {})) },
  { kind, base: 0, change: 'secret ref and env', apply: spec((s) => (at(s, [field]).env = 'SECRET')) },
  { kind, base: 1, change: 'secret env and file', apply: spec((s) => (at(s, [field]).file = 'secret.txt')) },
  { kind, base: 1, change: 'secret env and aws', apply: spec((s) => (at(s, [field]).awsSecretsManager = { secretId: 's', jsonKey: 'k' })) },
  { kind, base: 0, change: 'secret all four', apply: spec((s) => Object.assign(at(s, [field]), { env: 'SECRET', file: 'secret.txt', awsSecretsManager: { secretId: 's', jsonKey: 'k' } })) },
  { kind, base: 0, change: 'secret inline string', apply: spec((s) => (s[field] = 'hunter2')) },
  { kind, base: 0, change: 'secret value field', apply: spec((s) => (at(s, [field]).value = 'hunter2')) },
];

const long = (prefix: string, length: number, filler = 'x') => prefix + filler.repeat(length - prefix.length);

export const HAND_VARIANTS: HandVariant[] = [
  // AgentRuntime
  { kind: 'AgentRuntime', base: 0, change: 'artifact image and code', apply: spec((s) => (at(s, ['artifact']).code = { s3: { bucket: 'agent-code', prefix: 'a.zip' }, runtime: 'NODE_22', entryPoint: ['index.js'] })) },
  { kind: 'AgentRuntime', base: 0, change: 'artifact neither', apply: spec((s) => (s.artifact = {})) },
  { kind: 'AgentRuntime', base: 0, change: 'artifact trackDigest only', apply: spec((s) => delete at(s, ['artifact']).image) },
  { kind: 'AgentRuntime', base: 1, change: 'trackDigest with code', apply: spec((s) => (at(s, ['artifact']).trackDigest = true)) },
  { kind: 'AgentRuntime', base: 1, change: 'trackDigest false with code', apply: spec((s) => (at(s, ['artifact']).trackDigest = false)) },
  { kind: 'AgentRuntime', base: 0, change: 'image without trackDigest', apply: spec((s) => delete at(s, ['artifact']).trackDigest) },
  ...ROLE_RULES('AgentRuntime', 1, 0),
  ...STATEMENT_RULES('AgentRuntime', 0, ['role']),
  { kind: 'AgentRuntime', base: 1, change: 'VPC without security groups', apply: spec((s) => delete at(s, ['network']).securityGroups) },
  { kind: 'AgentRuntime', base: 1, change: 'VPC without subnets', apply: spec((s) => delete at(s, ['network']).subnets) },
  { kind: 'AgentRuntime', base: 1, change: 'VPC without either', apply: spec((s) => (s.network = { mode: 'VPC' })) },
  { kind: 'AgentRuntime', base: 1, change: 'network mode defaulted with subnets', apply: spec((s) => delete at(s, ['network']).mode) },
  { kind: 'AgentRuntime', base: 0, change: 'PUBLIC with subnets', apply: spec((s) => (at(s, ['network']).subnets = ['subnet-12345678'])) },
  { kind: 'AgentRuntime', base: 0, change: 'PUBLIC with security groups', apply: spec((s) => (at(s, ['network']).securityGroups = ['sg-12345678'])) },
  { kind: 'AgentRuntime', base: 0, change: 'network empty', apply: spec((s) => (s.network = {})) },
  { kind: 'AgentRuntime', base: 0, change: 'env key empty', apply: spec((s) => (at(s, ['env'])[''] = 'x')) },
  { kind: 'AgentRuntime', base: 0, change: 'env key 101', apply: spec((s) => (at(s, ['env'])['K'.repeat(101)] = 'x')) },
  { kind: 'AgentRuntime', base: 0, change: 'env key 100 astral', apply: spec((s) => (at(s, ['env'])['\u{1F600}'.repeat(100)] = 'x')) },
  { kind: 'AgentRuntime', base: 0, change: 'endpoint DEFAULT', apply: spec((s) => (at(s, ['endpoints', 0]).name = 'DEFAULT')) },
  { kind: 'AgentRuntime', base: 0, change: 'endpoint default lowercase', apply: spec((s) => (at(s, ['endpoints', 0]).name = 'default')) },
  { kind: 'AgentRuntime', base: 0, change: 'second endpoint DEFAULT', apply: spec((s) => (s.endpoints as Json[]).push({ name: 'DEFAULT', version: 'latest' })) },
  { kind: 'AgentRuntime', base: 0, change: 'endpoint version 0', apply: spec((s) => (at(s, ['endpoints', 0]).version = '0')) },
  { kind: 'AgentRuntime', base: 0, change: 'endpoint version 99999', apply: spec((s) => (at(s, ['endpoints', 0]).version = '99999')) },
  { kind: 'AgentRuntime', base: 0, change: 'endpoint version 100000', apply: spec((s) => (at(s, ['endpoints', 0]).version = '100000')) },
  { kind: 'AgentRuntime', base: 0, change: 'endpoint version number', apply: spec((s) => (at(s, ['endpoints', 0]).version = 2)) },
  { kind: 'AgentRuntime', base: 0, change: 'image digest', apply: spec((s) => (at(s, ['artifact']).image = `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/agent@sha256:${'a'.repeat(64)}`)) },
  { kind: 'AgentRuntime', base: 0, change: 'image public ecr', apply: spec((s) => (at(s, ['artifact']).image = 'public.ecr.aws/team/agent:1')) },
  { kind: 'AgentRuntime', base: 0, change: 'image docker hub', apply: spec((s) => (at(s, ['artifact']).image = 'docker.io/agent:1')) },
  { kind: 'AgentRuntime', base: 0, change: 'image tag 301', apply: spec((s) => (at(s, ['artifact']).image = `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/agent:${'t'.repeat(301)}`)) },
  { kind: 'AgentRuntime', base: 0, change: 'image uppercase repo', apply: spec((s) => (at(s, ['artifact']).image = `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/Agent:1`)) },
  ...TAG_RULES('AgentRuntime'),
  ...NAME_RULES('AgentRuntime', 'runtimeName', ['9rt-digit-first', long('rt-name-long-', 49)], [long('rt-name-max-', 48)]),

  // Memory
  { kind: 'Memory', base: 0, change: 'strategy two types', apply: spec((s) => (at(s, ['strategies', 0]).summary = {})) },
  { kind: 'Memory', base: 0, change: 'strategy no type', apply: spec((s) => delete at(s, ['strategies', 0]).semantic) },
  { kind: 'Memory', base: 0, change: 'strategy empty types', apply: spec((s) => (at(s, ['strategies', 1]).summary = {})) },
  { kind: 'Memory', base: 0, change: 'custom two overrides', apply: spec((s) => (at(s, ['strategies', 4, 'custom']).summaryOverride = {})) },
  { kind: 'Memory', base: 0, change: 'custom override and selfManaged', apply: spec((s) => (at(s, ['strategies', 5, 'custom']).semanticOverride = {})) },
  { kind: 'Memory', base: 0, change: 'custom nothing', apply: spec((s) => (at(s, ['strategies', 4]).custom = {})) },
  { kind: 'Memory', base: 0, change: 'custom description only', apply: spec((s) => (at(s, ['strategies', 4]).custom = { description: 'd' })) },
  { kind: 'Memory', base: 0, change: 'trigger two conditions', apply: spec((s) => (at(s, ['strategies', 5, 'custom', 'selfManaged', 'triggerConditions', 0]).tokenCount = 100)) },
  { kind: 'Memory', base: 0, change: 'trigger three conditions', apply: spec((s) => Object.assign(at(s, ['strategies', 5, 'custom', 'selfManaged', 'triggerConditions', 2]), { messageCount: 1, tokenCount: 100 })) },
  { kind: 'Memory', base: 0, change: 'trigger empty', apply: spec((s) => (at(s, ['strategies', 5, 'custom', 'selfManaged', 'triggerConditions']) as unknown as Json[]).push({})) },
  { kind: 'Memory', base: 0, change: 'namespace placeholder unknown', apply: spec((s) => ((at(s, ['strategies', 0, 'semantic']).namespaces as Json[])[0] = '/facts/{userId}')) },
  { kind: 'Memory', base: 0, change: 'namespace placeholder unclosed', apply: spec((s) => ((at(s, ['strategies', 0, 'semantic']).namespaces as Json[])[0] = '/facts/{actorId')) },
  { kind: 'Memory', base: 0, change: 'namespace two placeholders', apply: spec((s) => ((at(s, ['strategies', 0, 'semantic']).namespaces as Json[])[0] = '/{actorId}/{sessionId}')) },
  { kind: 'Memory', base: 0, change: 'topic arn with slash resource', apply: spec((s) => (at(s, ['strategies', 5, 'custom', 'selfManaged']).topicArn = `arn:aws:sns:us-west-2:${ACCOUNT}:/topic`)) },
  { kind: 'Memory', base: 0, change: 'topic arn max 1284', apply: spec((s) => (at(s, ['strategies', 5, 'custom', 'selfManaged']).topicArn = long(`arn:aws:sns:us-west-2:${ACCOUNT}:t`, 1284))) },
  { kind: 'Memory', base: 0, change: 'topic arn 1285', apply: spec((s) => (at(s, ['strategies', 5, 'custom', 'selfManaged']).topicArn = long(`arn:aws:sns:us-west-2:${ACCOUNT}:t`, 1285))) },
  { kind: 'Memory', base: 0, change: 'seven strategies', apply: spec((s) => (s.strategies as Json[]).push({ name: 'seventh', semantic: {} })) },
  ...ROLE_RULES('Memory', 0, 1),
  { kind: 'Memory', base: 0, change: 'role empty', apply: spec((s) => (s.role = {})) },
  ...STATEMENT_RULES('Memory', 1, ['role']),
  ...TAG_RULES('Memory'),
  ...NAME_RULES('Memory', 'memoryName', ['9mem-digit-first', long('mem-name-long-', 49)], [long('mem-name-max-', 48)]),

  // Gateway
  { kind: 'Gateway', base: 0, change: 'CUSTOM_JWT without customJWT', apply: spec((s) => delete at(s, ['authorizer']).customJWT) },
  { kind: 'Gateway', base: 1, change: 'AWS_IAM with customJWT', apply: spec((s) => (at(s, ['authorizer']).customJWT = jwt())) },
  { kind: 'Gateway', base: 1, change: 'NONE without customJWT', apply: spec((s) => (at(s, ['authorizer']).type = 'NONE')) },
  { kind: 'Gateway', base: 1, change: 'AUTHENTICATE_ONLY with customJWT', apply: spec((s) => (s.authorizer = { type: 'AUTHENTICATE_ONLY', customJWT: jwt() })) },
  { kind: 'Gateway', base: 1, change: 'authorizer type missing', apply: spec((s) => (s.authorizer = {})) },
  { kind: 'Gateway', base: 0, change: 'authorizer type bogus with customJWT', apply: spec((s) => (at(s, ['authorizer']).type = 'OIDC')) },
  { kind: 'Gateway', base: 0, change: 'customJWT without discoveryUrl', apply: spec((s) => delete at(s, ['authorizer', 'customJWT']).discoveryUrl) },
  { kind: 'Gateway', base: 0, change: 'kms arn gov partition', apply: spec((s) => (s.kmsKeyArn = `arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/12345678-1234-1234-1234-123456789012`)) },
  { kind: 'Gateway', base: 0, change: 'kms arn alias', apply: spec((s) => (s.kmsKeyArn = `arn:aws:kms:us-west-2:${ACCOUNT}:alias/mine`)) },
  ...ROLE_RULES('Gateway', 1, 0),
  ...STATEMENT_RULES('Gateway', 0, ['role']),
  ...TAG_RULES('Gateway'),
  ...NAME_RULES('Gateway', 'gatewayName', [long('gw-', 49 + 1, 'a')], [long('gw-', 48 + 1, 'a'), `g.${'a1-'.repeat(15)}z`]),

  // GatewayTarget
  { kind: 'GatewayTarget', base: 0, change: 'lambda and mcpServer', apply: spec((s) => (s.mcpServer = { endpoint: 'https://mcp.example.com' })) },
  { kind: 'GatewayTarget', base: 1, change: 'openApi and smithy', apply: spec((s) => (s.smithy = { inline: '{}' })) },
  { kind: 'GatewayTarget', base: 0, change: 'no target type', apply: spec((s) => delete s.lambda) },
  { kind: 'GatewayTarget', base: 3, change: 'all four target types', apply: spec((s) => Object.assign(s, { lambda: { arn: LAMBDA_ARN, toolSchema: { s3: { uri: 's3://b/k' } } }, openApi: { inline: '{}' }, smithy: { inline: '{}' } })) },
  { kind: 'GatewayTarget', base: 0, change: 'toolSchema both', apply: spec((s) => (at(s, ['lambda', 'toolSchema']).s3 = { uri: 's3://b/k' })) },
  { kind: 'GatewayTarget', base: 0, change: 'toolSchema neither', apply: spec((s) => (at(s, ['lambda']).toolSchema = {})) },
  { kind: 'GatewayTarget', base: 1, change: 'openApi both', apply: spec((s) => (at(s, ['openApi']).inline = '{}')) },
  { kind: 'GatewayTarget', base: 1, change: 'openApi neither', apply: spec((s) => (s.openApi = {})) },
  { kind: 'GatewayTarget', base: 2, change: 'smithy both', apply: spec((s) => (at(s, ['smithy']).s3 = { uri: 's3://b/k' })) },
  { kind: 'GatewayTarget', base: 2, change: 'smithy neither', apply: spec((s) => (s.smithy = {})) },
  { kind: 'GatewayTarget', base: 0, change: 'credentials none', apply: spec((s) => (s.credentials = {})) },
  { kind: 'GatewayTarget', base: 0, change: 'credentials iam and apiKey', apply: spec((s) => (at(s, ['credentials']).apiKey = { providerRef: { name: 'k' } })) },
  { kind: 'GatewayTarget', base: 2, change: 'credentials oauth and iam', apply: spec((s) => (at(s, ['credentials']).gatewayIamRole = {})) },
  { kind: 'GatewayTarget', base: 2, change: 'oauth ref and arn', apply: spec((s) => (at(s, ['credentials', 'oauth']).providerRef = { name: 'o' })) },
  { kind: 'GatewayTarget', base: 2, change: 'oauth neither', apply: spec((s) => delete at(s, ['credentials', 'oauth']).providerArn) },
  { kind: 'GatewayTarget', base: 1, change: 'apiKey ref and arn', apply: spec((s) => (at(s, ['credentials', 'apiKey']).providerArn = `arn:aws:bedrock-agentcore:us-west-2:${ACCOUNT}:token-vault/default/apikeycredentialprovider/k`)) },
  { kind: 'GatewayTarget', base: 1, change: 'apiKey neither', apply: spec((s) => delete at(s, ['credentials', 'apiKey']).providerRef) },
  { kind: 'GatewayTarget', base: 2, change: 'customParameters key empty', apply: spec((s) => (at(s, ['credentials', 'oauth', 'customParameters'])[''] = 'x')) },
  { kind: 'GatewayTarget', base: 2, change: 'customParameters key 257', apply: spec((s) => (at(s, ['credentials', 'oauth', 'customParameters'])['k'.repeat(257)] = 'x')) },
  { kind: 'GatewayTarget', base: 2, change: 'customParameters value empty', apply: spec((s) => (at(s, ['credentials', 'oauth', 'customParameters']).audience = '')) },
  { kind: 'GatewayTarget', base: 0, change: 'two tools one name', apply: spec((s) => (at(s, ['lambda', 'toolSchema']).inline as Json[]).push({ name: 'get_order', description: 'again', inputSchema: {} })) },
  { kind: 'GatewayTarget', base: 0, change: 'tool inputSchema any json', apply: spec((s) => (at(s, ['lambda', 'toolSchema', 'inline', 0]).inputSchema = { anything: [1, { deep: null }], type: 7 })) },
  { kind: 'GatewayTarget', base: 3, change: 'mcp endpoint http', apply: spec((s) => (at(s, ['mcpServer']).endpoint = 'http://mcp.example.com')) },
  { kind: 'GatewayTarget', base: 1, change: 's3 uri bare', apply: spec((s) => (at(s, ['openApi', 's3']).uri = 's3://')) },
  { kind: 'GatewayTarget', base: 1, change: 'openApi inline 1MB', apply: spec((s) => (s.openApi = { inline: 'x'.repeat(1048576) })) },
  { kind: 'GatewayTarget', base: 1, change: 'openApi inline 1MB plus one', apply: spec((s) => (s.openApi = { inline: 'x'.repeat(1048577) })) },
  { kind: 'GatewayTarget', base: 2, change: 'smithy inline 1MB plus one 2byte', apply: spec((s) => (s.smithy = { inline: '\u00e9'.repeat(1048577) })) },
  ...NAME_RULES('GatewayTarget', 'targetName', [long('gwt-', 101 + 1, 'a')], [long('gwt-', 100 + 1, 'a')]),

  // WorkloadIdentity
  ...TAG_RULES('WorkloadIdentity'),
  { kind: 'WorkloadIdentity', base: 0, change: 'return url no scheme', apply: spec((s) => ((s.allowedOAuth2ReturnUrls as Json[])[0] = 'app.example.com/callback')) },
  { kind: 'WorkloadIdentity', base: 0, change: 'return url custom scheme', apply: spec((s) => ((s.allowedOAuth2ReturnUrls as Json[])[0] = 'myapp:callback')) },
  { kind: 'WorkloadIdentity', base: 0, change: 'return url with space', apply: spec((s) => ((s.allowedOAuth2ReturnUrls as Json[])[0] = 'https://app.example.com/a b')) },
  { kind: 'WorkloadIdentity', base: 0, change: 'identity name two chars', apply: spec((s) => (s.identityName = 'ab')) },
  ...NAME_RULES('WorkloadIdentity', 'identityName', ['ab'], ['abc']),

  // OAuth2CredentialProvider
  { kind: 'OAuth2CredentialProvider', base: 0, change: 'custom without discovery', apply: spec((s) => delete s.discovery) },
  { kind: 'OAuth2CredentialProvider', base: 0, change: 'discovery both', apply: spec((s) => (at(s, ['discovery']).authorizationServerMetadata = { issuer: 'i', authorizationEndpoint: 'a', tokenEndpoint: 't' })) },
  { kind: 'OAuth2CredentialProvider', base: 0, change: 'discovery neither', apply: spec((s) => (s.discovery = {})) },
  { kind: 'OAuth2CredentialProvider', base: 3, change: 'github with discovery', apply: spec((s) => (s.discovery = { discoveryUrl: DISCOVERY })) },
  { kind: 'OAuth2CredentialProvider', base: 3, change: 'tenantId with github', apply: spec((s) => (s.tenantId = 'tenant')) },
  { kind: 'OAuth2CredentialProvider', base: 0, change: 'tenantId with custom', apply: spec((s) => (s.tenantId = 'tenant')) },
  { kind: 'OAuth2CredentialProvider', base: 1, change: 'microsoft without tenantId', apply: spec((s) => delete s.tenantId) },
  { kind: 'OAuth2CredentialProvider', base: 0, change: 'discovery oauth authorization server', apply: spec((s) => (at(s, ['discovery']).discoveryUrl = 'https://auth.example.com/.well-known/oauth-authorization-server')) },
  { kind: 'OAuth2CredentialProvider', base: 0, change: 'discovery url wrong suffix', apply: spec((s) => (at(s, ['discovery']).discoveryUrl = 'https://auth.example.com/.well-known/jwks.json')) },
  { kind: 'OAuth2CredentialProvider', base: 0, change: 'discovery url suffix only', apply: spec((s) => (at(s, ['discovery']).discoveryUrl = '/.well-known/openid-configuration')) },
  ...SECRET_RULES('OAuth2CredentialProvider', 'clientSecret'),
  ...TAG_RULES('OAuth2CredentialProvider'),
  ...NAME_RULES('OAuth2CredentialProvider', 'providerName', [long('oauth-name-long-', 129)], [long('oauth-name-max-', 128)]),

  // ApiKeyCredentialProvider
  ...SECRET_RULES('ApiKeyCredentialProvider', 'apiKey'),
  { kind: 'ApiKeyCredentialProvider', base: 0, change: 'secretKeyRef without key', apply: spec((s) => delete at(s, ['apiKey', 'secretKeyRef']).key) },
  { kind: 'ApiKeyCredentialProvider', base: 1, change: 'env lowercase name', apply: spec((s) => (at(s, ['apiKey']).env = 'api_key')) },
  { kind: 'ApiKeyCredentialProvider', base: 1, change: 'env digit first', apply: spec((s) => (at(s, ['apiKey']).env = '1API')) },
  { kind: 'ApiKeyCredentialProvider', base: 3, change: 'aws secret without jsonKey', apply: spec((s) => delete at(s, ['apiKey', 'awsSecretsManager']).jsonKey) },
  ...TAG_RULES('ApiKeyCredentialProvider'),
  ...NAME_RULES('ApiKeyCredentialProvider', 'providerName', [long('apikey-name-long-', 129)], [long('apikey-name-max-', 128)]),
];

/** Metadata, status and envelope variants, the same for every kind (the apiserver checks these itself). */
function metadataVariants(kind: string): HandVariant[] {
  const meta = (edit: (m: JsonObject) => void) => (o: { metadata: JsonObject }) => edit(o.metadata);
  const v = (change: string, apply: HandVariant['apply']): HandVariant => ({ kind, base: 1, change, apply, source: 'envelope' });
  return [
    v('metadata unknown field', meta((m) => (m.colour = 'blue'))),
    v('metadata labels', meta((m) => (m.labels = { team: 'support', 'app.kubernetes.io/name': 'agent' }))),
    v('metadata label key space', meta((m) => (m.labels = { 'a b': 'x' }))),
    v('metadata label key two slashes', meta((m) => (m.labels = { 'a/b/c': 'x' }))),
    v('metadata label value 63', meta((m) => (m.labels = { a: 'v'.repeat(63) }))),
    v('metadata label value 64', meta((m) => (m.labels = { a: 'v'.repeat(64) }))),
    v('metadata label value bang', meta((m) => (m.labels = { a: 'x!' }))),
    v('metadata annotations', meta((m) => (m.annotations = { 'example.com/note': 'any text, with spaces\nand lines' }))),
    v('metadata annotation key space', meta((m) => (m.annotations = { 'a b': 'x' }))),
    v('metadata finalizers', meta((m) => (m.finalizers = ['agentcore.dev/finalizer']))),
    v('root unknown field', (o) => (o.colour = 'blue')),
    v('metadata label key prefix 253', meta((m) => (m.labels = { [`${'a'.repeat(253)}/x`]: 'y' }))),
    v('metadata label key prefix 254', meta((m) => (m.labels = { [`${'a'.repeat(254)}/x`]: 'y' }))),
    v('metadata label key name 64', meta((m) => (m.labels = { ['n'.repeat(64)]: 'y' }))),
    v('metadata label key uppercase prefix', meta((m) => (m.labels = { 'Example.com/a': 'y' }))),
    v('metadata annotation key uppercase prefix', meta((m) => (m.annotations = { 'Example.com/a': 'y' }))),
    v('metadata annotation key empty', meta((m) => (m.annotations = { '': 'y' }))),
    v('metadata generateName', meta((m) => (m.generateName = 'agent-'))),
    v('metadata generateName invalid', meta((m) => (m.generateName = 'Bad_'))),
    v('metadata nulls', meta((m) => Object.assign(m, { labels: null, annotations: null, finalizers: null, creationTimestamp: null }))),
    v('status known fields', (o) => (o.status = { awsStatus: 'READY', observedGeneration: 3 })),
    v('status wrong types', (o) => (o.status = { awsStatus: 5, conditions: 'x' })),
    v('status unknown field', (o) => (o.status = { awsStatus: 'READY', anything: [1, 2] })),
    v('status string', (o) => (o.status = 'x')),
    v('status null', (o) => (o.status = null)),
    v('spec missing', (o) => delete (o as JsonObject).spec),
    v('spec null', (o) => ((o as JsonObject).spec = null)),
    v('spec string', (o) => ((o as JsonObject).spec = 'x')),
    v('spec list', (o) => ((o as JsonObject).spec = [])),
  ];
}

// ---------------------------------------------------------------------------------------------------------

/** Every example, with its namespace set to `namespace`; Secrets and other API groups are left out. */
export function exampleEntries(namespace: string): CorpusEntry[] {
  const dir = join(repoRoot, 'manifests', 'examples');
  const out: CorpusEntry[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as JsonObject & { metadata: JsonObject };
      if (typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith('agentcore.dev/')) continue;
      object.metadata.namespace = namespace;
      out.push({ kind: String(object.kind), name: String(object.metadata.name), source: 'example', description: `example ${file}`, object });
    }
  }
  return out;
}

/** The whole corpus: examples, schema-walk variants and hand-written variants, every object in `namespace`. */
export function buildCorpus(namespace: string): CorpusEntry[] {
  const schemas = crdSchemas();
  const out = exampleEntries(namespace);
  const names = new Set(out.map((e) => `${e.kind}/${e.name}`));
  for (const plan of PLANS) {
    const specSchema = schemas.get(plan.kind)!.properties!.spec!;
    let counter = 0;
    const nameFor = (change: string, wanted?: string) => {
      counter += 1;
      const name = wanted ?? `${plan.prefix}-${counter}-${slugOf(change)}`.slice(0, 40).replace(/[-.]+$/, '');
      if (names.has(`${plan.kind}/${name}`)) throw new Error(`duplicate corpus name ${plan.kind}/${name}`);
      names.add(`${plan.kind}/${name}`);
      return name;
    };
    const make = (base: number, change: string, source: CorpusEntry['source'], edit: (o: JsonObject & { metadata: JsonObject; spec: JsonObject }) => void, wanted?: string): CorpusEntry => {
      const name = nameFor(change, wanted);
      const object = { apiVersion: API_VERSION, kind: plan.kind, metadata: { name, namespace }, spec: structuredClone(plan.bases[base]!) };
      edit(object);
      // The AWS name must be unique among the valid objects of a file set: a base's explicit name, left as it
      // is by the variant, becomes one of this object's own.
      const awsName = isObject(object.spec) ? object.spec[plan.awsNameField] : undefined;
      if (awsName !== undefined && awsName === plan.bases[base]![plan.awsNameField]) object.spec[plan.awsNameField] = `aws${counter}`;
      return { kind: plan.kind, name, source, description: change, object };
    };
    out.push(...plan.bases.map((_, i) => make(i, `base ${i}`, 'schema', () => undefined)));
    const seen = new Set<string>();
    plan.bases.forEach((base, i) => {
      for (const m of walk(specSchema, base, [])) {
        const path = ['spec', ...m.path];
        const key = `${JSON.stringify(path)} ${m.change}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const label = `${path.join('.')}: ${m.change}`;
        out.push(make(i, label, 'schema', (o) => m.apply(o.spec)));
      }
    });
    for (const v of [...HAND_VARIANTS.filter((h) => h.kind === plan.kind), ...metadataVariants(plan.kind)]) {
      out.push(make(v.base, v.change, v.source ?? 'cel', v.apply, v.name));
    }
  }
  return out;
}
