/**
 * Validation of a custom resource against its CRD's openAPIV3Schema, in the order and with the wording
 * of a v1.34 kube-apiserver: prune unknown fields (recording their paths for fieldValidation), drop
 * non-nullable nulls and apply defaults, validate the schema as kube-openapi does (its errors converted
 * to field errors as apiextensions-apiserver converts them), check x-kubernetes-list-type map/set
 * uniqueness, and evaluate the x-kubernetes-validations CEL rules unless an earlier error blocks them.
 *
 * Field paths come in the two forms the apiserver uses: kube-openapi names schema errors by its own
 * dotted path (`spec.env.FOO`, `spec.list[0]`), while list-type and CEL errors use field.Path
 * (`spec.env[FOO]`, `spec.list[0]`). A cause's message is the field error's body (what follows
 * `<field>: ` in the Status message), as metav1.StatusCause carries it.
 *
 * Pure: no I/O.
 */
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { deepEqual, isObject, type JsonObject } from './json.js';
import type { KubeObject, StatusCause } from './types.js';

export interface SchemaCheck {
  /** A deep copy of the input with unknown fields pruned and defaults applied. */
  object: KubeObject;
  /** Validation failures, worded as kube-apiserver words them; empty when valid. */
  causes: StatusCause[];
  /** Paths of pruned unknown fields, as the apiserver names them for fieldValidation, e.g. `spec.foo` */
  unknownFields: string[];
}

type Schema = Record<string, unknown>;
type JsonMap = JsonObject;

/** `old` is the stored object on update (enables CEL transition rules using oldSelf). */
export function checkCustomResource(schema: Record<string, unknown>, object: KubeObject, old?: KubeObject): SchemaCheck {
  const copy = structuredClone(object) as unknown as JsonMap;
  const pruned: string[] = [];
  prune(copy, schema, '', pruned, true);
  const metaUnknown = pruneMetadata(copy);
  dropNonNullableNulls(copy, schema);
  applyDefaults(copy, schema);

  const causes: StatusCause[] = [];
  validateValue(schema, copy, '', causes);
  checkListTypes(schema, copy, '', causes);
  if (causes.some((c) => BLOCKING.has(c.reason))) {
    causes.push(invalidCause('', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'));
  } else {
    const oldCopy = old ? asStored(old, schema) : undefined;
    checkRules(schema, copy, oldCopy, '', true, oldCopy !== undefined && deepEqual(copy, oldCopy), causes);
  }
  return { object: copy as unknown as KubeObject, causes, unknownFields: [...goSort(pruned), ...goSort(metaUnknown)] };
}

/** The stored object as the apiserver reads it back: pruned and defaulted like a new one. */
function asStored(old: KubeObject, schema: Schema): JsonMap {
  const copy = structuredClone(old) as unknown as JsonMap;
  prune(copy, schema, '', [], true);
  pruneMetadata(copy);
  dropNonNullableNulls(copy, schema);
  applyDefaults(copy, schema);
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// Field errors (k8s.io/apimachinery/pkg/util/validation/field), as StatusCauses

const OMIT = Symbol('omit value');
/** Error types whose presence makes the apiserver skip CEL rules (hasBlockingErr). */
const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/** field.Path renders a nil path as `<nil>`: root-level errors carry that as their field. */
function fieldOf(path: string): string {
  return path === '' ? '<nil>' : path;
}

function body(type: string, value: unknown, detail: string): string {
  const head = value === OMIT ? type : `${type}: ${renderValue(value)}`;
  return detail ? `${head}: ${detail}` : head;
}

function requiredCause(path: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field: fieldOf(path) };
}

function invalidCause(path: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: body('Invalid value', value, detail), field: fieldOf(path) };
}

function typeInvalidCause(path: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueTypeInvalid', message: body('Invalid value', value, detail), field: fieldOf(path) };
}

function notSupportedCause(path: string, value: unknown, supported: string[]): StatusCause {
  const detail = supported.length > 0 ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: body('Unsupported value', value, detail), field: fieldOf(path) };
}

function tooLongCause(path: string, max: number): StatusCause {
  const detail = max >= 0 ? `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return { reason: 'FieldValueTooLong', message: `Too long: ${detail}`, field: fieldOf(path) };
}

function tooManyCause(path: string, actual: number, max: number): StatusCause {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return { reason: 'FieldValueTooMany', message: body('Too many', actual >= 0 ? actual : OMIT, detail), field: fieldOf(path) };
}

function duplicateCause(path: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: body('Duplicate value', value, ''), field: fieldOf(path) };
}

function forbiddenCause(path: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: detail ? `Forbidden: ${detail}` : 'Forbidden', field: fieldOf(path) };
}

/** How ErrorBody prints a bad value: strings quoted as Go's %q, numbers and booleans bare, the rest as JSON. */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return goJson(value);
}

/** Go's strconv.Quote. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A JSON number as the apiserver holds it: whole numbers are int64, others float64 printed with %v. */
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mantissa = '0', exp = '0'] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/** encoding/json: sorted map keys, HTML-escaped strings. */
function goJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]));
    return v;
  };
  return (JSON.stringify(sort(value)) ?? 'null').replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function goSort(list: string[]): string[] {
  return [...list].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

// ---------------------------------------------------------------------------------------------------
// Helpers over JSON values and schemas

function propertiesOf(s: Schema | undefined): Record<string, Schema> | undefined {
  return isObject(s?.properties) ? (s.properties as Record<string, Schema>) : undefined;
}

function additionalOf(s: Schema | undefined): Schema | undefined {
  return isObject(s?.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
}

function itemsOf(s: Schema | undefined): Schema | undefined {
  return isObject(s?.items) ? (s.items as Schema) : undefined;
}

function preservesUnknown(s: Schema | undefined): boolean {
  return s?.['x-kubernetes-preserve-unknown-fields'] === true;
}

/** The JSON type kube-openapi infers for a decoded value; whole numbers decode as int64. */
function jsonType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

// field.Path rendering
const child = (p: string, k: string): string => (p ? `${p}.${k}` : k);
const index = (p: string, i: number): string => `${p}[${i}]`;
const key = (p: string, k: string): string => `${p}[${k}]`;

// ---------------------------------------------------------------------------------------------------
// Pruning and defaulting

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);
const TYPE_AND_OBJECT_META = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Drops fields the schema does not declare, recording their paths. Under
 * x-kubernetes-preserve-unknown-fields unknown keys stay, and declared ones are still pruned inside. At
 * the root (an embedded resource) apiVersion, kind and metadata are left alone.
 */
function prune(value: unknown, schema: Schema | undefined, path: string, pruned: string[], root = false): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => prune(item, itemsOf(schema), `${path}[${i}]`, pruned));
    return;
  }
  if (!isObject(value)) return;
  const properties = propertiesOf(schema) ?? {};
  const additional = additionalOf(schema);
  const keepUnknown = preservesUnknown(schema);
  for (const k of Object.keys(value)) {
    if (root && TYPE_AND_OBJECT_META.has(k)) continue;
    const declared = properties[k] ?? additional;
    if (declared) prune(value[k], declared, child(path, k), pruned);
    else if (!keepUnknown) {
      pruned.push(child(path, k));
      delete value[k];
    }
  }
}

/** metadata is decoded into ObjectMeta: fields it does not have are dropped (and reported). */
function pruneMetadata(root: JsonMap): string[] {
  const unknown: string[] = [];
  const meta = root.metadata;
  if (!isObject(meta)) return unknown;
  for (const k of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(k)) {
      unknown.push(`metadata.${k}`);
      delete meta[k];
    }
  }
  return unknown;
}

function hasDefault(s: Schema | undefined): boolean {
  return s !== undefined && 'default' in s && s.default !== null && s.default !== undefined;
}

/** PruneNonNullableNullsWithoutDefaults: an explicit null for a non-nullable field without a default is dropped. */
function dropNonNullableNulls(value: unknown, schema: Schema | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) dropNonNullableNulls(item, itemsOf(schema));
  } else if (isObject(value)) {
    const properties = propertiesOf(schema) ?? {};
    const additional = additionalOf(schema);
    for (const k of Object.keys(value)) {
      const sub = properties[k] ?? additional;
      if (!sub) continue;
      if (value[k] === null && sub.nullable !== true && !hasDefault(sub)) delete value[k];
      else dropNonNullableNulls(value[k], sub);
    }
  }
}

function isNonNullableNull(v: unknown, s: Schema | undefined): boolean {
  return v === null && s !== undefined && s.nullable !== true;
}

/** structural defaulting: absent (or non-nullable null) properties take their default, then recurse. */
function applyDefaults(value: unknown, schema: Schema | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    value.forEach((item, i) => {
      if (isNonNullableNull(item, items) && hasDefault(items)) value[i] = structuredClone(items!.default);
      applyDefaults(value[i], items);
    });
  } else if (isObject(value)) {
    const properties = propertiesOf(schema) ?? {};
    for (const [k, prop] of Object.entries(properties)) {
      if (!hasDefault(prop)) continue;
      if (!(k in value) || isNonNullableNull(value[k], prop)) value[k] = structuredClone(prop.default);
    }
    const additional = additionalOf(schema);
    for (const k of Object.keys(value)) {
      const prop = properties[k];
      if (prop) applyDefaults(value[k], prop);
      else if (additional) {
        if (isNonNullableNull(value[k], additional) && hasDefault(additional)) value[k] = structuredClone(additional.default);
        applyDefaults(value[k], additional);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// OpenAPI schema validation (kube-openapi's SchemaValidator, converted by apiextensions-apiserver)

/** `name` is kube-openapi's path of the value (`spec.list[0]`, `spec.env.FOO`); `""` for the root. */
function validateValue(schema: Schema, value: unknown, name: string, out: StatusCause[]): void {
  const types = schema['x-kubernetes-int-or-string'] === true ? ['integer', 'string'] : typeof schema.type === 'string' && schema.type ? [schema.type] : [];
  if (value === null || value === undefined) {
    if (types.length > 0 && !types.includes('null') && schema.nullable !== true) {
      out.push(typeInvalidCause(name, 'null', `${name} in body must be of type ${types.join(',')}: "null"`));
    }
    checkEnum(schema, null, name, out);
    return;
  }
  const actual = jsonType(value);
  if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
    out.push(typeInvalidCause(name, actual, `${name} in body must be of type ${types.join(',')}: "${actual}"`));
  }
  if (typeof value === 'string') {
    checkString(schema, value, name, out);
    checkFormat(schema, value, name, out);
  }
  if (typeof value === 'number') checkNumber(schema, value, name, out);
  if (Array.isArray(value)) checkArray(schema, value, name, out);
  checkEnum(schema, value, name, out);
  if (isObject(value)) checkObject(schema, value, name, out);
}

function intOf(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function checkString(schema: Schema, value: string, name: string, out: StatusCause[]): void {
  const length = [...value].length;
  const maxLength = intOf(schema.maxLength);
  const minLength = intOf(schema.minLength);
  if (maxLength !== undefined && length > maxLength) {
    out.push(tooLongCause(name, maxLength));
    return;
  }
  if (minLength !== undefined && length < minLength) {
    out.push(invalidCause(name, value, `${name} in body should be at least ${minLength} chars long`));
    return;
  }
  if (typeof schema.pattern === 'string' && schema.pattern) {
    const re = compilePattern(schema.pattern);
    if (typeof re === 'string') out.push(invalidCause(name, value, `${name} in body should match '${schema.pattern}, but pattern is invalid: ${re}'`));
    else if (!re.test(value)) out.push(invalidCause(name, value, `${name} in body should match '${schema.pattern}'`));
  }
}

const patterns = new Map<string, RegExp | string>();

/** CRD patterns are RE2; the ones CRDs use read the same as ECMAScript patterns. */
function compilePattern(pattern: string): RegExp | string {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch (error) {
      re = (error as Error).message;
    }
    patterns.set(pattern, re);
  }
  return re;
}

function checkFormat(schema: Schema, value: string, name: string, out: StatusCause[]): void {
  const format = typeof schema.format === 'string' ? schema.format : '';
  const check = FORMATS[format];
  if (check && !check(value)) out.push(typeInvalidCause(name, value, `${name} in body must be of type ${format}: ${goQuote(value)}`));
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  return d <= days;
}

/** strfmt's IsDateTime: a date, `t`, then hh:mm:ss[.frac](z|±hh:mm), compared case-insensitively. */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0] ?? '')) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1] ?? '');
  return m !== null && (m[1] ?? '') <= '23' && (m[2] ?? '') <= '59' && (m[3] ?? '') <= '59';
}

const FORMATS: Record<string, ((s: string) => boolean) | undefined> = {
  'date-time': isDateTime,
  datetime: isDateTime,
  date: isDate,
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
};

function checkNumber(schema: Schema, value: number, name: string, out: StatusCause[]): void {
  const whole = Number.isInteger(value);
  const bound = (n: number): string => (whole ? goNumber(Math.trunc(n)) : goNumber(n));
  const multipleOf = intOf(schema.multipleOf);
  if (multipleOf !== undefined && multipleOf > 0) {
    const factor = whole ? Math.trunc(multipleOf) : multipleOf;
    const q = value / factor;
    if (!Number.isInteger(q)) out.push(invalidCause(name, value, `${name} in body should be a multiple of ${bound(multipleOf)}`));
  }
  const minimum = intOf(schema.minimum);
  if (minimum !== undefined) {
    const min = whole ? Math.trunc(minimum) : minimum;
    const exclusive = schema.exclusiveMinimum === true;
    if (exclusive ? value <= min : value < min) {
      out.push(invalidCause(name, value, `${name} in body should be greater than ${exclusive ? '' : 'or equal to '}${bound(minimum)}`));
    }
  }
  const maximum = intOf(schema.maximum);
  if (maximum !== undefined) {
    const max = whole ? Math.trunc(maximum) : maximum;
    const exclusive = schema.exclusiveMaximum === true;
    if (exclusive ? value >= max : value > max) {
      out.push(invalidCause(name, value, `${name} in body should be less than ${exclusive ? '' : 'or equal to '}${bound(maximum)}`));
    }
  }
}

function checkArray(schema: Schema, value: unknown[], name: string, out: StatusCause[]): void {
  const items = itemsOf(schema);
  if (items) value.forEach((item, i) => validateValue(items, item, `${name}[${i}]`, out));
  const minItems = intOf(schema.minItems);
  const maxItems = intOf(schema.maxItems);
  if (minItems !== undefined && value.length < minItems) {
    out.push(invalidCause(name, value.length, `${name} in body should have at least ${minItems} items`));
  }
  if (maxItems !== undefined && value.length > maxItems) out.push(tooManyCause(name, value.length, maxItems));
  if (schema.uniqueItems === true && value.some((v, i) => value.slice(0, i).some((u) => deepEqual(u, v)))) {
    out.push(invalidCause(name, '', `${name} in body shouldn't contain duplicates`));
  }
}

function checkEnum(schema: Schema, value: unknown, name: string, out: StatusCause[]): void {
  if (!Array.isArray(schema.enum) || schema.enum.length === 0) return;
  if (schema.enum.some((allowed) => deepEqual(allowed, value))) return;
  const supported = schema.enum.map((v) => (typeof v === 'string' ? v : goJson(v)));
  out.push(notSupportedCause(name, value, supported));
}

function checkObject(schema: Schema, value: JsonMap, name: string, out: StatusCause[]): void {
  const count = Object.keys(value).length;
  const minProperties = intOf(schema.minProperties);
  const maxProperties = intOf(schema.maxProperties);
  // kube-openapi stops at a property-count failure: nothing else of this object is checked.
  if (minProperties !== undefined && count < minProperties) {
    out.push(invalidCause(name, count, `${name} in body should have at least ${minProperties} properties`));
    return;
  }
  if (maxProperties !== undefined && count > maxProperties) {
    out.push(tooManyCause(name, count, maxProperties));
    return;
  }
  const properties = propertiesOf(schema) ?? {};
  const additional = additionalOf(schema);
  if (additional) {
    for (const k of Object.keys(value)) {
      if (!(k in properties)) validateValue(additional, value[k], `${name}.${k}`, out);
    }
  }
  for (const [k, prop] of Object.entries(properties)) {
    if (k in value) validateValue(prop, value[k], name ? `${name}.${k}` : k, out);
  }
  if (Array.isArray(schema.required)) {
    for (const k of schema.required) {
      if (typeof k === 'string' && !(k in value)) out.push(requiredCause(`${name}.${k}`.replace(/^\./, '')));
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// x-kubernetes-list-type map/set uniqueness (structurallisttype.ValidateListSetsAndMaps)

function checkListTypes(schema: Schema | undefined, value: unknown, path: string, out: StatusCause[]): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set') {
      for (const i of duplicates(value)) out.push(duplicateCause(index(path, i), value[i]));
    } else if (listType === 'map') {
      out.push(...listMapDuplicates(schema, value, path));
    }
    const items = itemsOf(schema);
    value.forEach((item, i) => checkListTypes(items, item, index(path, i), out));
  } else if (isObject(value)) {
    const properties = propertiesOf(schema) ?? {};
    const additional = additionalOf(schema);
    for (const k of Object.keys(value)) {
      const prop = properties[k];
      if (prop) checkListTypes(prop, value[k], child(path, k), out);
      else if (additional) checkListTypes(additional, value[k], key(path, k), out);
    }
  }
}

/** Indices of the first repeat of each value that occurs more than once. */
function duplicates(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const id = v === undefined ? '\u0000unspecified' : goJson(v);
    const times = seen.get(id) ?? 0;
    seen.set(id, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

function listMapDuplicates(schema: Schema, value: unknown[], path: string): StatusCause[] {
  const bad = value.findIndex((x) => x !== null && !isObject(x));
  if (bad >= 0) return [invalidCause(index(path, bad), value[bad], 'must be an object for an array of list-type map')];
  if (value.length <= 1) return [];
  const keys = Array.isArray(schema['x-kubernetes-list-map-keys']) ? (schema['x-kubernetes-list-map-keys'] as string[]) : [];
  if (keys.length === 1) {
    const k = keys[0]!;
    const ids = value.map((x) => (isObject(x) && k in x ? x[k] : undefined));
    return duplicates(ids).map((i) => duplicateCause(index(path, i), ids[i] === undefined ? {} : { [k]: ids[i] }));
  }
  const ids = value.map((x) => (isObject(x) ? Object.fromEntries(keys.filter((k) => k in x).map((k) => [k, x[k]])) : {}));
  return duplicates(ids).map((i) => duplicateCause(index(path, i), ids[i]));
}

// ---------------------------------------------------------------------------------------------------
// x-kubernetes-validations (apiextensions-apiserver pkg/apiserver/schema/cel/validation.go)

interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
  optionalOldSelf?: boolean;
}

const env = celEnv({ funcs: strings });
const programs = new Map<string, ReturnType<typeof plan> | string>();

function program(expr: string): ReturnType<typeof plan> | string {
  let p = programs.get(expr);
  if (p === undefined) {
    try {
      p = plan(env, parse(expr));
    } catch (error) {
      p = (error as Error).message;
    }
    programs.set(expr, p);
  }
  return p;
}

function rulesOf(schema: Schema): ValidationRule[] {
  const rules = schema['x-kubernetes-validations'];
  return Array.isArray(rules) ? rules.filter((r): r is ValidationRule => isObject(r) && typeof r.rule === 'string') : [];
}

/** `unchanged`: this value (or its nearest correlatable ancestor) equals the old one, so non-transition errors ratchet. */
function checkRules(schema: Schema, value: unknown, old: unknown, path: string, root: boolean, unchanged: boolean, out: StatusCause[]): void {
  if (value === null || value === undefined) return;
  const rules = rulesOf(schema);
  if (rules.length > 0) checkExpressions(schema, rules, value, old, path, root, unchanged, out);

  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (!items) return;
    const oldItems = schema['x-kubernetes-list-type'] === 'map' && Array.isArray(old) ? correlateListMap(schema, value, old) : [];
    value.forEach((item, i) => {
      const oldItem = oldItems[i];
      const same = oldItem === undefined ? unchanged : deepEqual(item, oldItem);
      checkRules(items, item, oldItem, index(path, i), false, same, out);
    });
  } else if (isObject(value)) {
    const oldMap = isObject(old) && schema['x-kubernetes-map-type'] !== 'atomic' ? old : undefined;
    const properties = propertiesOf(schema) ?? {};
    const additional = additionalOf(schema);
    for (const k of Object.keys(value)) {
      const prop = properties[k] ?? additional;
      if (!prop) continue;
      const oldValue = oldMap?.[k];
      const same = oldMap ? oldValue !== undefined && deepEqual(value[k], oldValue) : unchanged;
      checkRules(prop, value[k], oldValue, properties[k] ? child(path, k) : key(path, k), false, same, out);
    }
  }
}

/** Old items of a list-type map, matched to the new items by their keys. */
function correlateListMap(schema: Schema, value: unknown[], old: unknown[]): unknown[] {
  const keys = Array.isArray(schema['x-kubernetes-list-map-keys']) ? (schema['x-kubernetes-list-map-keys'] as string[]) : [];
  const id = (x: unknown): string => (isObject(x) ? goJson(keys.map((k) => x[k] ?? null)) : '');
  const byKey = new Map(old.filter(isObject).map((x) => [id(x), x]));
  return value.map((x) => byKey.get(id(x)));
}

function checkExpressions(schema: Schema, rules: ValidationRule[], value: unknown, old: unknown, path: string, root: boolean, unchanged: boolean, out: StatusCause[]): void {
  const type = typeof schema.type === 'string' ? schema.type : '';
  const self = toCel(value, schema, root);
  const hasOld = old !== null && old !== undefined;
  const oldSelf = hasOld ? toCel(old, schema, root) : undefined;
  for (const rule of rules) {
    const usesOldSelf = /\boldSelf\b/.test(rule.rule);
    // Transition rules need a comparable existing value; without one they are skipped.
    if (usesOldSelf && !hasOld) continue;
    const bindings: Record<string, CelInput> = { self };
    if (usesOldSelf && oldSelf !== undefined) bindings.oldSelf = oldSelf;
    const p = program(rule.rule);
    const result = typeof p === 'string' ? p : p(bindings);
    if (result === true) continue;
    const describe = ruleErrorString(rule);
    if (typeof p === 'string') {
      out.push(invalidCause(path, type, `rule compile error: ${p}`));
      continue;
    }
    if (isCelError(result)) {
      out.push(invalidCause(path, type, `${result.message} evaluating rule: ${describe}`));
      continue;
    }
    if (!usesOldSelf && unchanged) continue;
    const at = rule.fieldPath ? appendFieldPath(path, schema, rule.fieldPath) : path;
    let detail = ruleMessageOrDefault(rule);
    if (rule.messageExpression) {
      const m = program(rule.messageExpression);
      const message = typeof m === 'string' ? undefined : m(bindings);
      if (typeof message === 'string' && message.trim() !== '' && !/\n/.test(message.trim())) detail = message.trim();
    }
    out.push(causeForReason(at, type, detail, rule.reason));
  }
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message ? rule.message.trim() : rule.rule.trim();
}

function ruleMessageOrDefault(rule: ValidationRule): string {
  return rule.message ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

function causeForReason(path: string, type: string, detail: string, reason: string | undefined): StatusCause {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbiddenCause(path, detail);
    case 'FieldValueRequired':
      return requiredCause(path, detail);
    case 'FieldValueDuplicate':
      return duplicateCause(path, type);
    default:
      return invalidCause(path, type, detail);
  }
}

/** A rule's fieldPath (`.a.b`, `.a['x.y']`) appended to the level's path as field.Path does. */
function appendFieldPath(base: string, schema: Schema, fieldPath: string): string {
  let path = base;
  let current: Schema | undefined = schema;
  const token = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/g;
  for (const m of fieldPath.matchAll(token)) {
    const name = m[1] ?? (m[2] ?? '').replace(/\\(.)/g, '$1');
    const properties = propertiesOf(current);
    const additional = additionalOf(current);
    if (additional && !(properties && name in properties)) {
      path = key(path, name);
      current = additional;
    } else {
      path = child(path, name);
      current = properties?.[name];
    }
  }
  return path;
}

/** JSON → CEL: objects become maps, integers (by schema) become ints, and the root shows only metadata's name and generateName. */
function toCel(value: unknown, schema: Schema | undefined, root = false): CelInput {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => toCel(item, itemsOf(schema))) as CelInput;
  if (isObject(value)) {
    const properties = propertiesOf(schema) ?? {};
    const additional = additionalOf(schema);
    const entries: [string, CelInput][] = [];
    for (const [k, v] of Object.entries(value)) {
      if (root && k === 'metadata' && isObject(v)) {
        const meta = new Map<string, CelInput>();
        for (const f of ['name', 'generateName']) if (typeof v[f] === 'string') meta.set(f, v[f] as string);
        entries.push([k, meta as unknown as CelInput]);
      } else if (root && (k === 'apiVersion' || k === 'kind')) {
        entries.push([k, toCel(v, { type: 'string' })]);
      } else {
        entries.push([k, toCel(v, properties[k] ?? additional)]);
      }
    }
    return new Map(entries) as unknown as CelInput;
  }
  if (typeof value === 'number') {
    const type = schema?.type;
    const intOrString = schema?.['x-kubernetes-int-or-string'] === true;
    if ((type === 'integer' || intOrString || type === undefined) && Number.isInteger(value)) return BigInt(value);
    return value;
  }
  return value as CelInput;
}

// ---------------------------------------------------------------------------------------------------
// ObjectMeta name and labels (k8s.io/apimachinery/pkg/util/validation)

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME = new RegExp(`^${QNAME_FMT}$`);
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

function isDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0] ?? '';
  else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (Buffer.byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QNAME.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** metadata.name of a custom resource (or any object named as a DNS subdomain). */
export function validateObjectName(name: string, path = 'metadata.name'): StatusCause[] {
  if (name.length === 0) return [requiredCause(path, 'name or generateName is required')];
  return isDns1123Subdomain(name).map((msg) => invalidCause(path, name, msg));
}

/** metadata.labels: qualified-name keys and label values; every cause names the labels field itself. */
export function validateLabels(labels: Record<string, string> | undefined, path = 'metadata.labels'): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    causes.push(...isQualifiedName(k).map((msg) => invalidCause(path, k, msg)));
    if (typeof v !== 'string') continue;
    causes.push(...isValidLabelValue(v).map((msg) => invalidCause(path, v, msg)));
  }
  return causes;
}
