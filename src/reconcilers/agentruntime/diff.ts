/**
 * Desired against observed runtime configuration, normalised so that only real differences remain:
 * server defaults filled on both sides, empty and absent equal, unordered lists compared as sets,
 * read-only members ignored. Each difference is a field change in the spec's own terms.
 */
import type { RuntimeConfiguration } from './desired.js';

export interface FieldChange {
  /** Where the difference is, in spec terms (`spec.env.LOG_LEVEL`). */
  path: string;
  from: unknown;
  to: unknown;
  /** `update` mints a new runtime version; `replace` needs the runtime deleted and created again. */
  action: 'update' | 'replace';
}

const SERVER_DEFAULTS: RuntimeConfiguration = {
  networkConfiguration: { networkMode: 'PUBLIC' },
  protocolConfiguration: { serverProtocol: 'HTTP' },
  lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
};

/** Members whose lists AWS treats as sets. */
const SET_MEMBERS = new Set(['securityGroups', 'subnets', 'allowedAudience', 'allowedClients', 'allowedScopes', 'requestHeaderAllowlist']);

/** The members a version is made of; anything else AWS reports (ids, status, timestamps) is not desired state. */
const CONFIGURATION_MEMBERS = ['agentRuntimeArtifact', 'roleArn', 'networkConfiguration', 'description', 'protocolConfiguration', 'lifecycleConfiguration', 'environmentVariables', 'authorizerConfiguration', 'requestHeaderConfiguration'];

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
}

function clean(value: unknown, member?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => clean(v));
    return member && SET_MEMBERS.has(member) ? [...new Set(items.map((i) => JSON.stringify(i)))].sort().map((i) => JSON.parse(i) as unknown) : items;
  }
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v, k);
      if (!isEmpty(c)) out[k] = c;
    }
    return out;
  }
  return value;
}

function withDefaults(defaults: unknown, value: unknown): unknown {
  if (isMap(defaults) && (isMap(value) || value === undefined)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown> | undefined) };
    for (const [k, d] of Object.entries(defaults)) out[k] = withDefaults(d, out[k]);
    return out;
  }
  return value === undefined ? defaults : value;
}

export function normaliseRuntime(config: RuntimeConfiguration): Record<string, unknown> {
  const picked = Object.fromEntries(CONFIGURATION_MEMBERS.map((k) => [k, config[k]]));
  return clean(withDefaults(SERVER_DEFAULTS, picked)) as Record<string, unknown>;
}

/** API member paths and the spec fields they come from, most specific first. */
const SPEC_PATHS: [string, string][] = [
  ['agentRuntimeArtifact.containerConfiguration.containerUri', 'spec.artifact.image'],
  ['agentRuntimeArtifact.codeConfiguration.code.s3', 'spec.artifact.code.s3'],
  ['agentRuntimeArtifact.codeConfiguration', 'spec.artifact.code'],
  ['agentRuntimeArtifact', 'spec.artifact'],
  ['roleArn', 'spec.role'],
  ['networkConfiguration.networkModeConfig', 'spec.network'],
  ['networkConfiguration.networkMode', 'spec.network.mode'],
  ['lifecycleConfiguration.idleRuntimeSessionTimeout', 'spec.lifecycle.idleSessionTimeoutSeconds'],
  ['lifecycleConfiguration.maxLifetime', 'spec.lifecycle.maxLifetimeSeconds'],
  ['protocolConfiguration.serverProtocol', 'spec.protocol'],
  ['environmentVariables', 'spec.env'],
  ['authorizerConfiguration.customJWTAuthorizer', 'spec.authorizer.customJWT'],
  ['requestHeaderConfiguration.requestHeaderAllowlist', 'spec.requestHeaders.allowlist'],
  ['description', 'spec.description'],
];

export function specPath(apiPath: string): string {
  for (const [api, spec] of SPEC_PATHS) {
    if (apiPath === api) return spec;
    if (apiPath.startsWith(`${api}.`)) return `${spec}${apiPath.slice(api.length)}`;
  }
  return apiPath;
}

/** Leaves of a normalised configuration; lists are compared whole. */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (isMap(value)) for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  else if (prefix) out.set(prefix, value);
  return out;
}

function artifactKind(config: Record<string, unknown>): string | undefined {
  const artifact = config.agentRuntimeArtifact;
  return isMap(artifact) ? Object.keys(artifact)[0] : undefined;
}

export function diffRuntime(desired: RuntimeConfiguration, observed: RuntimeConfiguration): FieldChange[] {
  const want = normaliseRuntime(desired);
  const have = normaliseRuntime(observed);
  if (artifactKind(want) !== artifactKind(have)) {
    return [{ path: 'spec.artifact', from: artifactKind(have), to: artifactKind(want), action: 'replace' }];
  }
  const a = leaves(want, '', new Map());
  const b = leaves(have, '', new Map());
  const changes: FieldChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const to = a.get(path);
    const from = b.get(path);
    if (JSON.stringify(to) !== JSON.stringify(from)) changes.push({ path: specPath(path), from, to, action: 'update' });
  }
  return changes;
}
