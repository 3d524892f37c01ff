import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { checkCustomResource, validateLabels, validateObjectName } from '../support/kube-apiserver/schema.js';
import type { KubeObject, StatusCause } from '../support/kube-apiserver/types.js';

const ROOT = join(import.meta.dirname, '..', '..');

type Schema = Record<string, unknown>;

/** A root schema with the given spec schema, as a CRD's openAPIV3Schema looks. */
function rootSchema(spec: Schema, extra: Schema = {}): Schema {
  return {
    type: 'object',
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec },
    ...extra,
  };
}

function objectWith(spec: unknown, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'thing', namespace: 'default' }, spec, ...extra };
}

/** `field: message`, as the Status message lists each cause. */
function described(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

function crdSchema(file: string): Schema {
  const crd = parse(readFileSync(join(ROOT, 'crds', file), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

describe('OpenAPI schema validation: wording, reasons and field paths', () => {
  const spec: Schema = {
    type: 'object',
    required: ['artifact'],
    properties: {
      artifact: { type: 'object', properties: { containerUri: { type: 'string' } } },
      protocol: { type: 'string', enum: ['HTTP', 'MCP'] },
      name: { type: 'string', pattern: '^[a-z]+$' },
      replicas: { type: 'integer', minimum: 1, maximum: 5 },
      ratio: { type: 'number', exclusiveMinimum: true, minimum: 0, exclusiveMaximum: true, maximum: 1 },
      short: { type: 'string', maxLength: 3 },
      long: { type: 'string', minLength: 2 },
      list: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'string', pattern: '^[a-z]+$' } },
      env: { type: 'object', maxProperties: 2, additionalProperties: { type: 'string', maxLength: 3 } },
      port: { 'x-kubernetes-int-or-string': true },
      when: { type: 'string', format: 'date-time' },
      unique: { type: 'array', uniqueItems: true, items: { type: 'string' } },
      flag: { type: 'boolean' },
      nothing: { type: 'string', nullable: true },
    },
  };
  const schema = rootSchema(spec, { required: ['spec'] });
  const ok = { artifact: {} };

  test.each<[string, unknown, string[], string[]]>([
    ['missing required property', {}, ['spec.artifact: Required value'], ['FieldValueRequired']],
    ['enum', { ...ok, protocol: 'FOO' }, ['spec.protocol: Unsupported value: "FOO": supported values: "HTTP", "MCP"'], ['FieldValueNotSupported']],
    ['pattern', { ...ok, name: 'Bad' }, [`spec.name: Invalid value: "Bad": spec.name in body should match '^[a-z]+$'`], ['FieldValueInvalid']],
    ['type', { ...ok, replicas: 'three' }, ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'], ['FieldValueTypeInvalid']],
    ['fraction for an integer', { ...ok, replicas: 1.5 }, ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"'], ['FieldValueTypeInvalid']],
    ['object for a string', { ...ok, name: { a: 'b' } }, ['spec.name: Invalid value: "object": spec.name in body must be of type string: "object"'], ['FieldValueTypeInvalid']],
    ['minimum', { ...ok, replicas: 0 }, ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'], ['FieldValueInvalid']],
    ['maximum', { ...ok, replicas: 6 }, ['spec.replicas: Invalid value: 6: spec.replicas in body should be less than or equal to 5'], ['FieldValueInvalid']],
    ['exclusive minimum', { ...ok, ratio: 0 }, ['spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0'], ['FieldValueInvalid']],
    ['exclusive maximum', { ...ok, ratio: 1 }, ['spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1'], ['FieldValueInvalid']],
    ['float exclusive maximum', { ...ok, ratio: 1.5 }, ['spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1'], ['FieldValueInvalid']],
    ['maxLength', { ...ok, short: 'abcd' }, ['spec.short: Too long: may not be more than 3 bytes'], ['FieldValueTooLong']],
    ['minLength', { ...ok, long: 'a' }, ['spec.long: Invalid value: "a": spec.long in body should be at least 2 chars long'], ['FieldValueInvalid']],
    ['maxItems', { ...ok, list: ['a', 'b', 'c'] }, ['spec.list: Too many: 3: must have at most 2 items'], ['FieldValueTooMany']],
    ['minItems', { ...ok, list: [] }, ['spec.list: Invalid value: 0: spec.list in body should have at least 1 items'], ['FieldValueInvalid']],
    ['list item', { ...ok, list: ['ok', 'No'] }, [`spec.list[1]: Invalid value: "No": spec.list[1] in body should match '^[a-z]+$'`], ['FieldValueInvalid']],
    ['maxProperties', { ...ok, env: { A: 'x', B: 'y', C: 'toolong' } }, ['spec.env: Too many: 3: must have at most 2 items'], ['FieldValueTooMany']],
    ['map value', { ...ok, env: { FOO: 'toolong' } }, ['spec.env.FOO: Too long: may not be more than 3 bytes'], ['FieldValueTooLong']],
    ['int-or-string', { ...ok, port: true }, ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'], ['FieldValueTypeInvalid']],
    ['date-time', { ...ok, when: 'yesterday' }, ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"'], ['FieldValueTypeInvalid']],
    ['uniqueItems', { ...ok, unique: ['a', 'a'] }, [`spec.unique: Invalid value: "": spec.unique in body shouldn't contain duplicates`], ['FieldValueInvalid']],
    ['boolean type', { ...ok, flag: 'yes' }, ['spec.flag: Invalid value: "string": spec.flag in body must be of type boolean: "string"'], ['FieldValueTypeInvalid']],
  ])('%s', (_, specValue, messages, reasons) => {
    const { causes } = checkCustomResource(schema, objectWith(specValue));
    const schemaCauses = causes.filter((c) => c.field !== '<nil>');
    expect(described(schemaCauses)).toEqual(messages);
    expect(schemaCauses.map((c) => c.reason)).toEqual(reasons);
  });

  test.each<[string, unknown]>([
    ['an int-or-string integer', { ...ok, port: 8080 }],
    ['an int-or-string string', { ...ok, port: 'http' }],
    ['a date-time', { ...ok, when: '2026-01-02T03:04:05Z' }],
    ['a fractional date-time with offset', { ...ok, when: '2026-01-02T03:04:05.123+02:00' }],
    ['null for a nullable field', { ...ok, nothing: null }],
    ['an integer for a number', { ...ok, ratio: 0.5 }],
  ])('accepts %s', (_, specValue) => {
    expect(checkCustomResource(schema, objectWith(specValue)).causes).toEqual([]);
  });

  test('a missing spec is required at the root', () => {
    const { causes } = checkCustomResource(schema, { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } });
    expect(described(causes)[0]).toBe('spec: Required value');
  });

  test('an explicit null for a non-nullable field without a default is dropped, then required applies', () => {
    const { object, causes } = checkCustomResource(schema, objectWith({ artifact: null }));
    expect(object.spec).toEqual({});
    expect(described(causes)[0]).toBe('spec.artifact: Required value');
  });

  test('a blocking error skips the CEL rules with a fieldless cause', () => {
    const withRule = rootSchema({ ...spec, 'x-kubernetes-validations': [{ rule: 'false', message: 'never' }] });
    const { causes } = checkCustomResource(withRule, objectWith({}));
    expect(causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.artifact' },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
        field: '<nil>',
      },
    ]);
  });
});

describe('x-kubernetes-list-type', () => {
  const schema = rootSchema({
    type: 'object',
    properties: {
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      endpoints: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
      },
    },
  });

  test.each<[string, unknown, string[]]>([
    ['set duplicate', { tags: ['a', 'b', 'a', 'a'] }, ['spec.tags[2]: Duplicate value: "a"']],
    ['map key duplicate', { endpoints: [{ name: 'prod' }, { name: 'dev' }, { name: 'prod', port: 1 }] }, ['spec.endpoints[2]: Duplicate value: {"name":"prod"}']],
    ['no duplicates', { tags: ['a', 'b'], endpoints: [{ name: 'a' }, { name: 'b' }] }, []],
  ])('%s', (_, specValue, messages) => {
    const { causes } = checkCustomResource(schema, objectWith(specValue));
    expect(described(causes)).toEqual(messages);
    expect(causes.every((c) => c.reason === 'FieldValueDuplicate')).toBe(true);
  });
});

describe('pruning', () => {
  const schema = rootSchema({
    type: 'object',
    properties: {
      known: { type: 'string' },
      nested: { type: 'object', properties: { a: { type: 'string' } } },
      items: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { inner: { type: 'object', properties: { x: { type: 'string' } } } } },
      env: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
    },
  });

  test('drops fields the schema does not declare and reports their paths', () => {
    const input = objectWith(
      {
        known: 'k',
        extra: 1,
        nested: { a: 'x', b: 'y' },
        items: [{ a: 'x', zz: 1 }],
        free: { anything: { goes: true }, inner: { x: 'y', dropped: 1 } },
        env: { FOO: { v: 'x', w: 'y' } },
      },
      { status: { phase: 'x' }, topLevel: true },
    );
    input.metadata.bogus = 'x';
    const { object, unknownFields, causes } = checkCustomResource(schema, input);
    expect(object).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Thing',
      metadata: { name: 'thing', namespace: 'default' },
      spec: { known: 'k', nested: { a: 'x' }, items: [{ a: 'x' }], free: { anything: { goes: true }, inner: { x: 'y' } }, env: { FOO: { v: 'x' } } },
    });
    expect(unknownFields).toEqual([
      'spec.env.FOO.w',
      'spec.extra',
      'spec.free.inner.dropped',
      'spec.items[0].zz',
      'spec.nested.b',
      'status',
      'topLevel',
      'metadata.bogus',
    ]);
    expect(causes).toEqual([]);
  });

  test('leaves the input untouched', () => {
    const input = objectWith({ extra: 1 });
    checkCustomResource(schema, input);
    expect(input.spec).toEqual({ extra: 1 });
  });

  test('keeps labels, annotations and other ObjectMeta fields as they are', () => {
    const input = objectWith({});
    input.metadata = { name: 'n', labels: { a: 'b' }, annotations: { 'x/y': 'z' }, finalizers: ['f'], ownerReferences: [{ kind: 'K', extra: 1 }] };
    const { object, unknownFields } = checkCustomResource(schema, input);
    expect(object.metadata).toEqual(input.metadata);
    expect(unknownFields).toEqual([]);
  });
});

describe('defaults', () => {
  const schema = rootSchema({
    type: 'object',
    properties: {
      protocol: { type: 'string', default: 'HTTP' },
      mode: { type: 'string', default: 'PUBLIC' },
      nullable: { type: 'string', nullable: true, default: 'x' },
      ref: { type: 'object', properties: { name: { type: 'string' }, envName: { type: 'string', default: 'ENV' } } },
      endpoints: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string', default: 'latest' } } } },
      nested: { type: 'object', default: {}, properties: { level: { type: 'integer', default: 3 } } },
    },
  });

  test('fills absent properties, recursing into objects, list items and defaulted objects', () => {
    const { object } = checkCustomResource(schema, objectWith({ mode: 'VPC', ref: { name: 'r' }, endpoints: [{ name: 'a' }, { name: 'b', version: '2' }] }));
    expect(object.spec).toEqual({
      protocol: 'HTTP',
      mode: 'VPC',
      nullable: 'x',
      ref: { name: 'r', envName: 'ENV' },
      endpoints: [
        { name: 'a', version: 'latest' },
        { name: 'b', version: '2' },
      ],
      nested: { level: 3 },
    });
  });

  test('a null for a non-nullable field takes the default; a nullable null is kept', () => {
    const { object } = checkCustomResource(schema, objectWith({ protocol: null, nullable: null }));
    expect(object.spec).toMatchObject({ protocol: 'HTTP', nullable: null });
  });
});

describe('x-kubernetes-validations (CEL)', () => {
  const schema = rootSchema({
    type: 'object',
    'x-kubernetes-validations': [
      { rule: '!has(self.a) || self.a.size() < 5', message: 'a is too long' },
      { rule: 'self.count <= 10', fieldPath: '.count' },
      { rule: "!has(self.mode) || self.mode != 'X'", messageExpression: "'mode ' + self.mode + ' is not allowed'", reason: 'FieldValueForbidden', fieldPath: '.mode' },
      { rule: "!has(self.req) || self.req != ''", message: 'req must be set', reason: 'FieldValueRequired', fieldPath: '.req' },
    ],
    properties: {
      a: { type: 'string' },
      count: { type: 'integer', default: 0 },
      mode: { type: 'string' },
      req: { type: 'string' },
      tags: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'", message: 'no bad tags' }] } },
      items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n > 0', message: 'n must be positive' }] } },
      names: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, x.startsWith("n"))' }] },
    },
  });

  test.each<[string, unknown, string[], string[]]>([
    ['object-level rule with a message', { a: 'toolong' }, ['spec: Invalid value: "object": a is too long'], ['FieldValueInvalid']],
    ['rule without a message, with fieldPath', { count: 11 }, ['spec.count: Invalid value: "object": failed rule: self.count <= 10'], ['FieldValueInvalid']],
    ['messageExpression and reason Forbidden', { mode: 'X' }, ['spec.mode: Forbidden: mode X is not allowed'], ['FieldValueForbidden']],
    ['reason Required', { req: '' }, ['spec.req: Required value: req must be set'], ['FieldValueRequired']],
    ['rule on a map value', { tags: { FOO: 'bad' } }, ['spec.tags[FOO]: Invalid value: "string": no bad tags'], ['FieldValueInvalid']],
    ['rule on a list item', { items: [{ n: 1 }, { n: 0 }] }, ['spec.items[1]: Invalid value: "object": n must be positive'], ['FieldValueInvalid']],
    ['rule on a list', { names: ['no', 'yes'] }, ['spec.names: Invalid value: "array": failed rule: self.all(x, x.startsWith("n"))'], ['FieldValueInvalid']],
    ['everything valid', { a: 'ok', count: 3, mode: 'Y', req: 'r', tags: { a: 'b' }, items: [{ n: 2 }], names: ['n1'] }, [], []],
  ])('%s', (_, specValue, messages, reasons) => {
    const { causes } = checkCustomResource(schema, objectWith(specValue));
    expect(described(causes)).toEqual(messages);
    expect(causes.map((c) => c.reason)).toEqual(reasons);
  });

  test('a root rule sees metadata.name, and without fieldPath names the root <nil>', () => {
    const root = rootSchema({ type: 'object' }, { 'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('ok')", message: 'bad name' }] });
    expect(described(checkCustomResource(root, objectWith({})).causes)).toEqual(['<nil>: Invalid value: "object": bad name']);
  });

  test('a non-transition error on a value unchanged since the stored object is ratcheted on update', () => {
    const stored = objectWith({ a: 'toolong' });
    expect(checkCustomResource(schema, objectWith({ a: 'toolong' }), stored).causes).toEqual([]);
    expect(described(checkCustomResource(schema, objectWith({ a: 'toolong2' }), stored).causes)).toEqual(['spec: Invalid value: "object": a is too long']);
  });
});

describe('AgentRuntime CRD: runtimeName immutability (a transition rule)', () => {
  const schema = crdSchema('agentcore.dev_agentruntimes.yaml');
  const base = parse(readFileSync(join(ROOT, 'manifests/examples/agentruntime.yaml'), 'utf8')) as KubeObject;
  const withName = (runtimeName?: string): KubeObject => ({ ...base, spec: { ...(base.spec as object), ...(runtimeName ? { runtimeName } : {}) } });
  const immutable = 'spec.runtimeName: Invalid value: "object": runtimeName is immutable: it cannot be changed, added or removed after creation';

  test.each<[string, KubeObject, KubeObject | undefined, string[]]>([
    ['create: skipped without an old object', withName('Support_Agent'), undefined, []],
    ['update: unchanged', withName('Support_Agent'), withName('Support_Agent'), []],
    ['update: changed', withName('Other_Agent'), withName('Support_Agent'), [immutable]],
    ['update: added', withName('Other_Agent'), withName(), [immutable]],
    ['update: removed', withName(), withName('Support_Agent'), [immutable]],
    ['update: absent both times', withName(), withName(), []],
  ])('%s', (_, next, old, messages) => {
    expect(described(checkCustomResource(schema, next, old).causes)).toEqual(messages);
  });

  test('CRD rules and schema constraints on the real schema', () => {
    const spec = base.spec as Record<string, unknown>;
    const bad = { ...base, metadata: { name: '9-starts-with-digit' }, spec: { ...spec, artifact: {}, protocol: 'FOO', endpoints: [{ name: 'DEFAULT' }, { name: 'DEFAULT' }] } };
    expect(described(checkCustomResource(schema, bad).causes)).toEqual([
      'spec.protocol: Unsupported value: "FOO": supported values: "HTTP", "MCP", "A2A", "AGUI"',
      'spec.endpoints[1]: Duplicate value: {"name":"DEFAULT"}',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
    const celOnly = { ...base, metadata: { name: '9-starts-with-digit' }, spec: { ...spec, artifact: {}, endpoints: [{ name: 'DEFAULT' }] } };
    // The root's rules run before its children's.
    expect(described(checkCustomResource(schema, celOnly).causes)).toEqual([
      'metadata.name: Invalid value: "object": must start with a letter and have at most 48 characters to derive the AWS name; otherwise set spec.runtimeName',
      'spec.artifact: Invalid value: "object": exactly one of image, code must be set (artifact)',
      'spec.endpoints[0].name: Invalid value: "object": DEFAULT is the endpoint AWS manages; choose another name',
    ]);
  });

  test('defaults from the CRD fill the example', () => {
    const { object } = checkCustomResource(schema, base);
    expect(object.spec).toMatchObject({ deletionPolicy: 'Delete', driftPolicy: 'Correct', suspend: false, allowReplacement: false });
    expect((object.spec as { endpoints: unknown[] }).endpoints).toEqual([
      { name: 'prod', version: '1', description: 'Production traffic' },
      { name: 'staging', version: 'latest' },
    ]);
  });
});

describe('every example manifest is valid against its CRD', () => {
  const schemas = new Map<string, Schema>();
  for (const file of readdirSync(join(ROOT, 'crds'))) {
    const crd = parse(readFileSync(join(ROOT, 'crds', file), 'utf8')) as { spec: { names: { kind: string } } };
    schemas.set(crd.spec.names.kind, crdSchema(file));
  }
  const examples = readdirSync(join(ROOT, 'manifests/examples')).flatMap((file) =>
    parseAllDocuments(readFileSync(join(ROOT, 'manifests/examples', file), 'utf8'))
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null && schemas.has(o.kind))
      .map((o) => [`${file}: ${o.kind} ${o.metadata.name}`, o] as const),
  );

  test('there are examples of every kind', () => {
    expect(new Set(examples.map(([, o]) => o.kind))).toEqual(new Set(schemas.keys()));
  });

  test.each(examples)('%s', (_, object) => {
    const result = checkCustomResource(schemas.get(object.kind)!, object);
    expect(result.causes).toEqual([]);
    expect(result.unknownFields).toEqual([]);
    expect(checkCustomResource(schemas.get(object.kind)!, result.object, result.object).causes).toEqual([]);
  });
});

describe('object names and labels', () => {
  test.each<[string, string[]]>([
    ['good-name.example', []],
    [
      'Bad_Name',
      [
        `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
    ['', ['metadata.name: Required value: name or generateName is required']],
  ])('name %j', (name, messages) => {
    expect(described(validateObjectName(name))).toEqual(messages);
  });

  test('a name longer than 253 characters', () => {
    expect(described(validateObjectName('a'.repeat(254), 'metadata.name'))[0]).toBe(`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`);
  });

  test.each<[Record<string, string>, string[]]>([
    [{ 'app.kubernetes.io/name': 'x', empty: '' }, []],
    [
      { 'bad key!': 'v' },
      [
        `metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ],
    ],
    [
      { k: '-v' },
      [
        `metadata.labels: Invalid value: "-v": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
    [{ '/x': 'v' }, ['metadata.labels: Invalid value: "/x": prefix part must be non-empty']],
  ])('labels %j', (labels, messages) => {
    expect(described(validateLabels(labels, 'metadata.labels'))).toEqual(messages);
  });
});
