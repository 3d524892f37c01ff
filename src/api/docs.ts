/** Field reference pages (docs/api/<kind>.md) generated from the kind schemas. */
import { API_VERSION, CATEGORY } from './meta.js';
import type { KindInfo } from './kinds.js';
import { derivableNameRule } from './names.js';
import type { CelRule } from './schema.js';
import { isTransitionRule } from './validation.js';

type JsonSchema = Record<string, unknown>;

interface Row {
  path: string;
  schema: JsonSchema;
  required: boolean;
}

function rows(schema: JsonSchema, prefix: string, out: Row[] = []): Row[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, child] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.push({ path, schema: child, required: required.has(name) });
    descend(child, path, out);
  }
  return out;
}

function descend(schema: JsonSchema, path: string, out: Row[]): void {
  if (schema.type === 'object' && schema.properties) rows(schema, path, out);
  const items = schema.items as JsonSchema | undefined;
  if (schema.type === 'array' && items?.type === 'object' && items.properties) rows(items, `${path}[]`, out);
}

function typeOf(schema: JsonSchema): string {
  if (schema.type === 'array') return `[]${typeOf((schema.items ?? {}) as JsonSchema)}`;
  if (schema.type === 'object' && schema.additionalProperties) return 'map[string]string';
  return String(schema.type ?? 'any');
}

function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.map((v) => `\`${v}\``).join(', ')}`);
  if (schema.pattern) parts.push(`pattern \`${String(schema.pattern).replace(/\|/g, '\\|')}\``);
  const range = (lo: unknown, hi: unknown, unit: string) => {
    if (lo !== undefined && hi !== undefined) parts.push(`${lo}..${hi} ${unit}`);
    else if (lo !== undefined) parts.push(`at least ${lo} ${unit}`);
    else if (hi !== undefined) parts.push(`at most ${hi} ${unit}`);
  };
  range(schema.minLength, schema.maxLength, 'characters');
  range(schema.minItems, schema.maxItems, 'items');
  range(schema.minProperties, schema.maxProperties, 'entries');
  range(schema.minimum, schema.maximum, typeof schema['x-agentcore-unit'] === 'string' ? schema['x-agentcore-unit'] : '');
  if (schema['x-kubernetes-list-type'] === 'map') parts.push(`keyed by \`${(schema['x-kubernetes-list-map-keys'] as string[]).join(', ')}\``);
  if (schema.default !== undefined) parts.push(`default \`${JSON.stringify(schema.default)}\``);
  return parts.join('; ').replace(/ +;/g, ';').trim();
}

function cell(text: string): string {
  return text.replace(/\n/g, ' ').replace(/\|(?![^`]*`)/g, '\\|');
}

function rulesOf(schema: JsonSchema, path: string, out: string[] = []): string[] {
  const anyOf = schema['x-agentcore-any-of-message'];
  if (typeof anyOf === 'string') out.push(`- \`${path}\`: ${anyOf}`);
  for (const rule of (schema['x-kubernetes-validations'] as CelRule[] | undefined) ?? []) {
    const at = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
    out.push(`- \`${at}\`: ${rule.message}${isTransitionRule(rule) ? ' (checked on update)' : ''}`);
  }
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) rulesOf(child, `${path}.${name}`, out);
  const items = schema.items as JsonSchema | undefined;
  if (items) rulesOf(items, `${path}[]`, out);
  return out;
}

export function kindDoc(info: KindInfo): string {
  const spec = info.spec as unknown as JsonSchema;
  const status = info.status as unknown as JsonSchema;
  const lines = [
    `# ${info.kind}`,
    '',
    '<!-- Generated from src/api by `agentcore-operator generate`; do not edit. -->',
    '',
    info.description,
    '',
    `\`apiVersion: ${API_VERSION}\`, \`kind: ${info.kind}\`. Short name \`${info.shortNames.join('`, `')}\`; \`kubectl get ${CATEGORY}\` lists it with the other AgentCore kinds.`,
    `The AWS name comes from \`spec.${info.awsName.field}\`, or is derived from \`metadata.name\`.`,
    '',
    '## Spec',
    '',
    '| Field | Type | Required | Constraints | Description |',
    '|---|---|---|---|---|',
    ...rows(spec, '').map((r) => `| \`${r.path}\` | ${typeOf(r.schema)} | ${r.required ? 'yes' : ''} | ${cell(constraints(r.schema))} | ${cell(String(r.schema.description ?? ''))} |`),
    '',
    '## Rules',
    '',
    'Checked by the API server in a cluster and by `agentcore-operator validate` in file mode.',
    '',
    `- \`metadata.name\`: ${derivableNameRule(info.awsName).message}`,
    ...rulesOf(spec, 'spec'),
    '',
    '## Status',
    '',
    '| Field | Type | Description |',
    '|---|---|---|',
    ...rows(status, '').map((r) => `| \`${r.path}\` | ${typeOf(r.schema)} | ${cell(String(r.schema.description ?? ''))} |`),
    '',
  ];
  return lines.join('\n');
}

export function kindDocFileName(info: KindInfo): string {
  return `${info.singular}.md`;
}
