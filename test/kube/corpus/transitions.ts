/**
 * Updates that exercise the CRDs' transition rules (the CEL rules with `oldSelf`: immutable names, the
 * gateway's authorizer type, an OAuth2 vendor, a target's gateway). File mode has no previous object, so
 * `validate` cannot check these; the differential test instead holds the rule's evaluation by our CEL
 * engine (evaluateRule) to the apiserver's decision on a dry-run update of an existing object.
 */
import { API_VERSION, PLANS, crdSchemas, type Json, type JsonObject, type Schema } from './generate.js';

export interface TransitionRule {
  kind: string;
  /** Where the rule sits: ['spec'] or a field under it. */
  node: string[];
  rule: string;
  message: string;
  fieldPath?: string;
}

export interface TransitionCase {
  kind: string;
  name: string;
  rule: TransitionRule;
  change: 'keep' | 'change' | 'add' | 'remove';
  old: JsonObject;
  next: JsonObject;
}

/** Every rule of the CRDs that refers to oldSelf. */
export function transitionRules(): TransitionRule[] {
  const out: TransitionRule[] = [];
  const walk = (kind: string, schema: Schema, node: string[]) => {
    for (const r of schema['x-kubernetes-validations'] ?? []) if (/\boldSelf\b/.test(r.rule)) out.push({ kind, node, ...r });
    for (const [key, child] of Object.entries(schema.properties ?? {})) walk(kind, child, [...node, key]);
    if (schema.items) walk(kind, schema.items, [...node, '[]']);
    if (typeof schema.additionalProperties === 'object') walk(kind, schema.additionalProperties, [...node, '{}']);
  };
  for (const [kind, root] of crdSchemas()) walk(kind, root.properties!.spec!, ['spec']);
  return out;
}

const KMS = (key: string) => `arn:aws:kms:us-west-2:123456789012:key/${key}-1234-1234-1234-123456789012`;

/** Two valid values of each immutable field, and the base object (index into the kind's bases) that holds them. */
export const IMMUTABLE_FIELDS: { kind: string; field: string[]; base: number; a: Json; b: Json }[] = [
  { kind: 'AgentRuntime', field: ['runtimeName'], base: 1, a: 'agent_one', b: 'agent_two' },
  { kind: 'Memory', field: ['memoryName'], base: 1, a: 'memory_one', b: 'memory_two' },
  { kind: 'Memory', field: ['encryptionKeyArn'], base: 1, a: KMS('11111111'), b: KMS('22222222') },
  { kind: 'Gateway', field: ['gatewayName'], base: 1, a: 'gateway-one', b: 'gateway-two' },
  { kind: 'Gateway', field: ['authorizer', 'type'], base: 1, a: 'AWS_IAM', b: 'NONE' },
  { kind: 'GatewayTarget', field: ['targetName'], base: 1, a: 'target-one', b: 'target-two' },
  { kind: 'GatewayTarget', field: ['gatewayRef'], base: 1, a: { name: 'gw' }, b: { name: 'gw-other' } },
  { kind: 'WorkloadIdentity', field: ['identityName'], base: 1, a: 'identity-one', b: 'identity-two' },
  { kind: 'OAuth2CredentialProvider', field: ['providerName'], base: 3, a: 'oauth-one', b: 'oauth-two' },
  { kind: 'OAuth2CredentialProvider', field: ['vendor'], base: 3, a: 'GithubOauth2', b: 'GoogleOauth2' },
  { kind: 'ApiKeyCredentialProvider', field: ['providerName'], base: 1, a: 'apikey-one', b: 'apikey-two' },
];

/** The field a rule guards: its fieldPath under the node (`.runtimeName` on spec), or the node itself. */
export function guardedField(rule: TransitionRule): string[] {
  return [...rule.node.slice(1), ...(rule.fieldPath ?? '').split('.').filter(Boolean)];
}

function withField(spec: JsonObject, field: string[], value: Json | undefined): JsonObject {
  const copy = structuredClone(spec);
  let node = copy;
  for (const key of field.slice(0, -1)) node = node[key] as JsonObject;
  if (value === undefined) delete node[field[field.length - 1]!];
  else node[field[field.length - 1]!] = structuredClone(value);
  return copy;
}

/**
 * For each transition rule, updates that keep the field, change it, and (for an optional field) add or
 * remove it: an existing object (`old`) and the object applied over it (`next`).
 */
export function transitionCases(namespace: string): TransitionCase[] {
  const out: TransitionCase[] = [];
  for (const rule of transitionRules()) {
    const field = guardedField(rule);
    const entry = IMMUTABLE_FIELDS.find((f) => f.kind === rule.kind && f.field.join('.') === field.join('.'));
    if (!entry) throw new Error(`no values for the transition rule of ${rule.kind} ${rule.node.join('.')} (${rule.rule}): add them to IMMUTABLE_FIELDS`);
    const plan = PLANS.find((p) => p.kind === rule.kind)!;
    const base = plan.bases[entry.base]!;
    const optional = rule.node.length === 1;
    type Pair = [TransitionCase['change'], Json | undefined, Json | undefined];
    const pairs: Pair[] = [['keep', entry.a, entry.a], ['change', entry.a, entry.b]];
    if (optional) pairs.push(['add', undefined, entry.b], ['remove', entry.a, undefined]);
    for (const [change, before, after] of pairs) {
      const name = `tr-${plan.prefix}-${field.join('-').toLowerCase()}-${change}`;
      const object = (spec: JsonObject): JsonObject => ({ apiVersion: API_VERSION, kind: rule.kind, metadata: { name, namespace }, spec });
      out.push({ kind: rule.kind, name, rule, change, old: object(withField(base, field, before)), next: object(withField(base, field, after)) });
    }
  }
  return out;
}
