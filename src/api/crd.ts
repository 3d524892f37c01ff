/** CustomResourceDefinitions generated from the kind schemas. */
import { stringify } from 'yaml';
import { CATEGORY, GROUP, VERSION } from './meta.js';
import { KINDS, type KindInfo, type PrinterColumn } from './kinds.js';
import { derivableNameRule } from './names.js';
import type { CelRule } from './schema.js';

type JsonSchema = Record<string, unknown>;

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/**
 * A deep copy in the structural form the API server accepts: our own annotations removed, and
 * map-key constraints (which structural schemas cannot state) turned into a CEL rule on the map. It is
 * written as the apiserver stores it (no empty `properties`): a CRD that reads back otherwise cannot be
 * server-side applied, as helm does, over one applied with kubectl (a conflict on spec.versions).
 */
export function structuralSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  const rules: CelRule[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'x-agentcore-map-key') rules.push(mapKeyRule(value as JsonSchema));
    else if (key.startsWith('x-agentcore-')) continue;
    else if (key === 'properties') {
      const properties = Object.entries(value as Record<string, JsonSchema>);
      if (properties.length > 0) out.properties = Object.fromEntries(properties.map(([k, v]) => [k, structuralSchema(v)]));
    }
    else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object' && value !== null) out[key] = structuralSchema(value as JsonSchema);
    else out[key] = structuredClone(value);
  }
  if (rules.length > 0) out['x-kubernetes-validations'] = [...rules, ...((out['x-kubernetes-validations'] as CelRule[] | undefined) ?? [])];
  return out;
}

function mapKeyRule(key: JsonSchema): CelRule {
  const checks: string[] = [];
  const limits: string[] = [];
  if (typeof key.minLength === 'number') {
    checks.push(`size(k) >= ${key.minLength}`);
    limits.push(`at least ${key.minLength}`);
  }
  if (typeof key.maxLength === 'number') {
    checks.push(`size(k) <= ${key.maxLength}`);
    limits.push(`at most ${key.maxLength}`);
  }
  if (typeof key.pattern === 'string') checks.push(`k.matches(${celString(key.pattern)})`);
  const shape = typeof key.pattern === 'string' ? ` and match ${key.pattern}` : '';
  return { rule: `self.all(k, ${checks.join(' && ')})`, message: `keys must have ${limits.join(' and ')} characters${shape}` };
}

function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const READY_COLUMNS: PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Whether the AWS resource is ready and matches the spec' },
  { name: 'Status', type: 'string', jsonPath: '.status.awsStatus', description: 'Status reported by AWS' },
];
const TRAILING_COLUMNS: PrinterColumn[] = [
  { name: 'Message', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', description: 'Ready condition message', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation' },
];

/**
 * The root metadata schema. The API server allows a CRD to say no more about metadata than restrictions on
 * name and generateName (no description, no other fields), and it resolves a rule's fieldPath against the
 * declared schema, so the object-level name rule's `.metadata.name` needs name declared here. Declaring
 * both, typed as strings, also makes every supported API server take this schema as the CEL type of
 * metadata as it is, so name's maxLength (the limit Kubernetes enforces anyway) bounds the rule's cost.
 */
const ROOT_METADATA: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 253 },
    generateName: { type: 'string' },
  },
};

export function crdFor(info: KindInfo): CustomResourceDefinition {
  const status = structuralSchema(info.status as unknown as JsonSchema);
  status.default = { observedGeneration: -1 };
  const openAPIV3Schema: JsonSchema = {
    type: 'object',
    description: info.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: structuredClone(ROOT_METADATA),
      spec: structuralSchema(info.spec as unknown as JsonSchema),
      status,
    },
    'x-kubernetes-validations': [derivableNameRule(info.awsName)],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'agentcore-operator' } },
    spec: {
      group: GROUP,
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [...READY_COLUMNS, ...info.columns, ...TRAILING_COLUMNS],
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}

export const GENERATED_HEADER = '# Generated from src/api by `agentcore-operator generate`; do not edit.\n';

export function crdYaml(info: KindInfo): string {
  return GENERATED_HEADER + stringify(crdFor(info), { lineWidth: 0 });
}

export function crdFileName(info: KindInfo): string {
  return `${GROUP}_${info.plural}.yaml`;
}

/** All CRDs as one multi-document YAML stream, as `kubectl apply -f -` takes it. */
export function allCrdsYaml(): string {
  return KINDS.map((info) => stringify(crdFor(info), { lineWidth: 0 })).join('---\n');
}
