/**
 * File-mode validation of agentcore.dev objects, from the same schemas the CRDs are made of.
 * Pass 1 (ajv) checks types, required members, patterns, lengths, enums and ranges, rejects unknown
 * fields as `kubectl apply --validate=strict` does, and fills defaults. Pass 2 evaluates the CEL rules
 * and the list-map key uniqueness that the API server would check in a cluster. Both follow the
 * apiserver where it differs from plain JSON Schema: nulls in non-nullable fields are dropped first, and
 * no CEL rule is evaluated after a blocking schema error. test/kube/validate-differential.test.ts holds
 * file mode to a real apiserver's decisions, object by object.
 */
import { Ajv, type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { RE2JS } from '@bufbuild/re2';
import leven, { closestMatch } from 'leven';
import { strings } from '@bufbuild/cel/ext';
import { API_VERSION, GROUP, type KubeObject } from './meta.js';
import { KINDS, kindInfo, type KindInfo } from './kinds.js';
import { derivableNameRule } from './names.js';
import { Pattern, type CelRule } from './schema.js';

export type FieldPath = (string | number)[];

export interface FieldProblem {
  path: FieldPath;
  message: string;
}

export type ValidationResult =
  | { ok: true; object: KubeObject<Record<string, unknown>, unknown>; info: KindInfo; problems: [] }
  | { ok: false; problems: FieldProblem[]; info?: KindInfo };

type JsonSchema = Record<string, unknown>;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Label and annotation keys are qualified names: an optional DNS-subdomain prefix of at most 253 characters
 * and a slash, then a name of at most 63 (k8s.io/apimachinery IsQualifiedName). The apiserver checks
 * annotation keys in lower case, so their prefix may have capitals.
 */
const QUALIFIED_NAME = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$';
const ANNOTATION_KEY = '^([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$';
const PREFIX_AT_MOST_253 = '^([^/]{0,253}/)?[^/]*$';
/** A generateName is a DNS subdomain once its trailing hyphen, if any, stands for the generated suffix. */
const GENERATE_NAME = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)*([a-z0-9]([-a-z0-9]*[a-z0-9])?|[a-z0-9][-a-z0-9]*-|-)$';

/**
 * The ObjectMeta fields a manifest may carry, checked as the apiserver checks them: it decodes metadata
 * strictly (an unknown field is refused) and validates names, labels, annotation keys and owner references.
 */
const MetadataSchema: JsonSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253, pattern: Pattern.dnsSubdomain },
    generateName: { type: 'string', maxLength: 253, pattern: GENERATE_NAME },
    namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: Pattern.dnsLabel },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' },
      propertyNames: { type: 'string', allOf: [{ pattern: QUALIFIED_NAME }, { pattern: PREFIX_AT_MOST_253 }] },
    },
    annotations: {
      type: 'object',
      additionalProperties: { type: 'string' },
      propertyNames: { type: 'string', allOf: [{ pattern: ANNOTATION_KEY }, { pattern: PREFIX_AT_MOST_253 }] },
    },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        properties: {
          apiVersion: { type: 'string', minLength: 1 },
          kind: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1 },
          uid: { type: 'string', minLength: 1 },
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    selfLink: { type: 'string' },
    creationTimestamp: { type: 'string' },
    deletionTimestamp: { type: 'string' },
    deletionGracePeriodSeconds: { type: 'integer' },
    managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  },
  additionalProperties: false,
};

/** The schema of a whole object in file mode: our envelope, the kind's spec, and its object-level rules. */
export function fileObjectSchema(info: KindInfo): JsonSchema {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: MetadataSchema,
      spec: strictSchema(info.spec as unknown as JsonSchema),
      // A cluster drops status on create whatever its shape, once strict decoding found no unknown field in it (see unknownFields).
      status: {},
    },
    additionalProperties: false,
    'x-kubernetes-validations': [derivableNameRule(info.awsName)],
  };
}

/**
 * A deep copy of a schema made for ajv: objects refuse fields they do not declare (unless they keep
 * unknown fields on purpose), and map-key constraints become propertyNames.
 */
function strictSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'x-agentcore-map-key') out.propertyNames = { type: 'string', ...(value as JsonSchema) };
    else if (key === 'properties') out.properties = mapValues(value as Record<string, JsonSchema>, strictSchema);
    else if ((key === 'items' || key === 'additionalProperties') && isSchema(value)) out[key] = strictSchema(value);
    else if (key === 'anyOf' && Array.isArray(value)) out.anyOf = value.map((branch: JsonSchema) => withRequiredDeclared(branch));
    else out[key] = structuredClone(value);
  }
  if (out.type === 'object' && !('additionalProperties' in out) && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * ajv's strict mode wants each `required` name declared beside it; an anyOf branch of a CRD may not
 * repeat the parent's property schemas, so the file-mode copy declares them as anything (`true`): the
 * parent's properties still judge their values.
 */
function withRequiredDeclared(branch: JsonSchema): JsonSchema {
  const out = structuredClone(branch);
  const required = (out.required as string[] | undefined) ?? [];
  if (required.length > 0) out.properties = { ...Object.fromEntries(required.map((name) => [name, true])), ...((out.properties as JsonSchema | undefined) ?? {}) };
  return out;
}

function isSchema(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mapValues<T, U>(record: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/**
 * Regular expressions as the API server runs them. A cluster checks a CRD's `pattern` with Go's regexp and
 * CEL's matches() with the same engine; JavaScript's RegExp differs (its \s takes \v and Unicode spaces,
 * its . refuses \r and line separators, it accepts repeat counts over 1000 and lookarounds). RE2JS is an
 * RE2 engine with Go's syntax and semantics, so file mode and a cluster judge a value alike.
 */
const re2Cache = new Map<string, RE2JS>();
/** A compiled Go regular expression; its test() finds a match anywhere in the value, as Go's MatchString does. */
export function compileGoRegexp(pattern: string): RE2JS {
  let re = re2Cache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    re2Cache.set(pattern, re);
  }
  return re;
}

// ajv calls the engine with the pattern and its own flags ('u'); RE2 needs none. `code` only names the
// engine in generated code, which we never emit as a standalone module.
const goRegExp: NonNullable<CodeOptions['regExp']> = Object.assign((pattern: string) => compileGoRegexp(pattern), { code: 'compileGoRegexp' });

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, verbose: true, code: { regExp: goRegExp } });
addFormats(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addVocabulary([
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-preserve-unknown-fields',
  'x-agentcore-secret-ref',
  'x-agentcore-any-of-message',
  'x-agentcore-unit',
]);

interface CompiledKind {
  info: KindInfo;
  schema: JsonSchema;
  validate: ValidateFunction;
}
const compiled = new Map<string, CompiledKind>(
  KINDS.map((info) => {
    const schema = fileObjectSchema(info);
    return [info.kind, { info, schema, validate: ajv.compile(schema) }];
  }),
);

/** Validates one object; on success returns a copy with the schema's defaults filled in. */
export function validateObject(input: unknown): ValidationResult {
  if (!isSchema(input)) return { ok: false, problems: [{ path: [], message: 'must be a mapping with apiVersion, kind, metadata and spec' }] };
  const envelope = checkEnvelope(input);
  if (!envelope.ok) return envelope;
  const { info } = envelope;
  const entry = compiled.get(info.kind)!;
  const object = structuredClone(input);
  pruneNulls(entry.schema, object);
  const problems: FieldProblem[] = [];
  const errors = entry.validate(object) ? [] : (entry.validate.errors ?? []);
  problems.push(...withoutAnyOfBranches(errors).map(describeAjvError));
  const unknownInStatus = unknownFields(info.status as unknown as JsonSchema, object.status, ['status']);
  problems.push(...unknownInStatus);
  // The apiserver refuses unknown fields before it validates anything, and evaluates no CEL rule once the
  // schema found a blocking error; file mode says no more than a cluster would.
  const celRules = unknownInStatus.length === 0 && !errors.some(blocksRules);
  problems.push(...checkRules(entry.schema, object, [], problems, celRules));
  if (problems.length > 0) return { ok: false, problems: dedupe(problems), info };
  return { ok: true, object: object as unknown as KubeObject<Record<string, unknown>, unknown>, info, problems: [] };
}

/**
 * The apiserver drops a null that a non-nullable field holds, or puts the field's default in its place
 * (k8s.io/apiextensions-apiserver PruneNonNullableNullsWithoutDefaults, then defaulting), before it
 * validates: `description: null` is the same as no description. None of our fields is nullable. Nulls in
 * list items, and in fields the schema does not declare (kept unknown fields), stay as written; metadata
 * decodes a null as an absent field too.
 */
function pruneNulls(schema: JsonSchema, data: unknown): void {
  if (Array.isArray(data)) {
    if (isSchema(schema.items)) for (const item of data) pruneNulls(schema.items, item);
    return;
  }
  if (!isSchema(data)) return;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, value] of Object.entries(data)) {
    const child = properties[key] ?? (isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (!child) continue;
    if (value === null && child.nullable !== true) {
      if (child.default === undefined) delete data[key];
      else data[key] = structuredClone(child.default);
    } else {
      pruneNulls(child, value);
    }
  }
}

/**
 * The schema errors after which the apiserver evaluates no CEL rule (hasBlockingErr in
 * k8s.io/apiextensions-apiserver's strategy): a wrong type, a missing required field, a value outside its
 * enum, too long a string, too many items or properties (and, before any of these, an unknown field). A
 * map key is checked by a CEL rule in a cluster, and metadata by ObjectMeta validation: neither blocks.
 */
const BLOCKING_KEYWORDS = new Set(['type', 'required', 'enum', 'maxLength', 'maxItems', 'maxProperties', 'additionalProperties']);
function blocksRules(error: ErrorObject): boolean {
  return error.propertyName === undefined && !error.instancePath.startsWith('/metadata') && BLOCKING_KEYWORDS.has(error.keyword);
}

/** Fields the status schema does not declare: the apiserver's strict decoding refuses them, though it then drops status on create. */
function unknownFields(schema: JsonSchema, data: unknown, path: FieldPath): FieldProblem[] {
  if (Array.isArray(data)) return isSchema(schema.items) ? data.flatMap((item, i) => unknownFields(schema.items as JsonSchema, item, [...path, i])) : [];
  if (!isSchema(data) || schema.type !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(data).flatMap(([key, value]) => {
    const child = properties[key] ?? (isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined);
    return child ? unknownFields(child, value, [...path, key]) : [{ path: [...path, key], message: 'unknown field' }];
  });
}

function checkEnvelope(input: JsonSchema): { ok: true; info: KindInfo } | { ok: false; problems: FieldProblem[] } {
  const { apiVersion, kind } = input;
  if (typeof apiVersion !== 'string') return { ok: false, problems: [{ path: ['apiVersion'], message: `is required (${API_VERSION})` }] };
  if (typeof kind !== 'string') return { ok: false, problems: [{ path: ['kind'], message: 'is required' }] };
  if (apiVersion !== API_VERSION) {
    const hint = apiVersion.startsWith(`${GROUP}/`) ? `unknown version of ${GROUP}; ` : '';
    return { ok: false, problems: [{ path: ['apiVersion'], message: `${hint}must be ${API_VERSION}` }] };
  }
  const info = kindInfo(kind);
  if (!info) return { ok: false, problems: [{ path: ['kind'], message: `unknown kind${didYouMean(kind, KINDS.map((k) => k.kind))} (${API_VERSION} has ${KINDS.map((k) => k.kind).join(', ')})` }] };
  return { ok: true, info };
}

/** Whether this object is one this operator reconciles (its apiVersion is in our group). */
export function isOurs(input: unknown): boolean {
  return isSchema(input) && typeof input.apiVersion === 'string' && input.apiVersion.split('/')[0] === GROUP;
}

function instancePath(pointer: string): FieldPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** When an anyOf fails, ajv also reports why each of its branches failed; the anyOf itself says it better. */
function withoutAnyOfBranches(errors: ErrorObject[]): ErrorObject[] {
  const failed = errors.filter((e) => e.keyword === 'anyOf');
  const isBranchOf = (e: ErrorObject, anyOf: ErrorObject) => e.instancePath.startsWith(anyOf.instancePath) && e.schemaPath.startsWith(`${anyOf.schemaPath}/`);
  return errors.filter((e) => !failed.some((anyOf) => isBranchOf(e, anyOf)));
}

/** `; did you mean X?` for the known name nearest a misspelt one (a few letters off), or nothing. */
export function didYouMean(written: string, known: readonly string[]): string {
  const near = closestMatch(written, [...known]);
  return near !== undefined && near !== written && leven(written.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(written.length / 4)) ? `; did you mean ${near}?` : '';
}

function describeAjvError(error: ErrorObject): FieldProblem {
  const path = instancePath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  if (error.propertyName !== undefined) {
    return { path: [...path, error.propertyName], message: `key ${describeAjvError({ ...error, propertyName: undefined, instancePath: '' }).message}` };
  }
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required' };
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], message: `unknown field${didYouMean(String(params.additionalProperty), Object.keys((parent.properties ?? {}) as object))}` };
    case 'type':
      if (parent['x-agentcore-secret-ref']) {
        return { path, message: 'secret values are never written inline: use secretKeyRef, env, file or awsSecretsManager' };
      }
      return { path, message: `must be ${article(String(params.type))}` };
    case 'pattern':
      return { path, message: `must match ${String(params.pattern)}` };
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'anyOf':
      return { path, message: typeof parent['x-agentcore-any-of-message'] === 'string' ? parent['x-agentcore-any-of-message'] : 'must match at least one of the allowed shapes' };
    case 'minimum':
    case 'maximum':
      return { path, message: numberRange(parent) };
    case 'minLength':
    case 'maxLength':
      return { path, message: sizeRange(parent.minLength, parent.maxLength, 'character') };
    case 'minItems':
    case 'maxItems':
      return { path, message: sizeRange(parent.minItems, parent.maxItems, 'item') };
    case 'minProperties':
    case 'maxProperties':
      return { path, message: sizeRange(parent.minProperties, parent.maxProperties, 'entry', 'entries') };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/**
 * The whole range a number must be in, whichever bound it broke: `must be between 3 and 365 days`,
 * `must be at least 60 seconds`. The unit is the schema's `x-agentcore-unit`.
 */
function numberRange(schema: JsonSchema): string {
  const unit = typeof schema['x-agentcore-unit'] === 'string' ? ` ${schema['x-agentcore-unit']}` : '';
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  if (minimum !== undefined && maximum !== undefined) return `must be between ${minimum} and ${maximum}${unit}`;
  return minimum !== undefined ? `must be at least ${minimum}${unit}` : `must be at most ${maximum}${unit}`;
}

/** How many characters, items or entries a value must have: `must have between 1 and 48 characters`. */
function sizeRange(min: unknown, max: unknown, one: string, many = `${one}s`): string {
  const count = (n: number) => `${n} ${n === 1 ? one : many}`;
  const lower = typeof min === 'number' && min > 0 ? min : undefined;
  const upper = typeof max === 'number' ? max : undefined;
  if (lower !== undefined && upper !== undefined) return lower === upper ? `must have exactly ${count(upper)}` : `must have between ${lower} and ${count(upper)}`;
  if (upper !== undefined) return `must have at most ${count(upper)}`;
  if (lower === 1) return 'must not be empty';
  return `must have at least ${count(lower ?? 0)}`;
}

function article(type: string): string {
  const named: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false' };
  return named[type] ?? type;
}

/** ajv reports both the key error and the pattern the key broke; keep one line per path and message. */
function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (p.message === 'property name must be valid') return false;
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// @bufbuild/cel's matches() already runs on RE2JS; passing the engine makes that explicit and shares the cache.
const env = celEnv({ funcs: strings, re2: { compile: compileGoRegexp } });
const programs = new Map<string, ReturnType<typeof plan>>();

function program(rule: string) {
  let p = programs.get(rule);
  if (!p) {
    p = plan(env, parse(rule));
    programs.set(rule, p);
  }
  return p;
}

/** Evaluates one CEL rule; `oldSelf` is given for transition rules. Returns true, false or an error message. */
export function evaluateRule(rule: string, self: unknown, oldSelf?: unknown): boolean | string {
  const bindings: Record<string, CelInput> = { self: toCel(self) };
  if (oldSelf !== undefined) bindings.oldSelf = toCel(oldSelf);
  const result = program(rule)(bindings);
  if (isCelError(result)) return result.message;
  return result === true;
}

/** Transition rules compare with the previous object, which file mode does not have. */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

/** Turns JSON into CEL values: objects become maps, whole numbers become CEL ints. */
function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel) as CelInput;
  if (isSchema(value)) return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)])) as CelInput;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value as CelInput;
}

function pathStartsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
}

function joinFieldPath(base: FieldPath, fieldPath: string | undefined): FieldPath {
  if (!fieldPath) return base;
  const extra = fieldPath.split('.').filter(Boolean);
  return [...base, ...extra];
}

/**
 * Pass 2: CEL rules and list-map keys, walking the schema beside the data. A rule that cannot be
 * evaluated because the data under it already failed pass 1 stays quiet; pass 1 has said what is wrong.
 */
function checkRules(schema: JsonSchema, data: unknown, path: FieldPath, structural: FieldProblem[], celRules = true): FieldProblem[] {
  if (data === undefined || data === null || !hasDeclaredType(schema, data)) return [];
  const out: FieldProblem[] = [];
  const listType = schema['x-kubernetes-list-type'];
  if (Array.isArray(data) && (listType === 'map' || listType === 'set')) out.push(...duplicates(schema, data, path));
  for (const rule of celRules ? ((schema['x-kubernetes-validations'] as CelRule[] | undefined) ?? []) : []) {
    if (isTransitionRule(rule)) continue;
    const result = evaluateRule(rule.rule, data);
    if (result === true) continue;
    const failed = typeof result === 'string';
    if (failed && structural.some((p) => pathStartsWith(p.path, path))) continue;
    const message = failed ? `rule could not be evaluated (${rule.rule}): ${result}` : rule.message;
    out.push({ path: joinFieldPath(path, rule.fieldPath), message });
  }
  if (Array.isArray(data) && isSchema(schema.items)) {
    data.forEach((item, i) => out.push(...checkRules(schema.items as JsonSchema, item, [...path, i], structural, celRules)));
  } else if (isSchema(data)) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [key, value] of Object.entries(data)) {
      const child = properties[key] ?? (isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (child) out.push(...checkRules(child, value, [...path, key], structural, celRules));
    }
  }
  return out;
}

function hasDeclaredType(schema: JsonSchema, data: unknown): boolean {
  switch (schema.type) {
    case 'object':
      return isSchema(data);
    case 'array':
      return Array.isArray(data);
    case 'string':
      return typeof data === 'string';
    case 'integer':
      return Number.isInteger(data);
    case 'boolean':
      return typeof data === 'boolean';
    default:
      return true;
  }
}

function duplicates(schema: JsonSchema, items: unknown[], path: FieldPath): FieldProblem[] {
  const keys = (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  items.forEach((item, i) => {
    const identity = keys.length > 0 && isSchema(item) ? JSON.stringify(keys.map((k) => item[k])) : JSON.stringify(item);
    if (seen.has(identity)) {
      const where = keys.length > 0 ? [...path, i, keys[0]!] : [...path, i];
      out.push({ path: where, message: `duplicate entry${keys.length > 0 ? ` (${keys.join(', ')} must be unique)` : ''}` });
    }
    seen.add(identity);
  });
  return out;
}

/** `spec.endpoints[0].name`, `spec.tags["team/a"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
