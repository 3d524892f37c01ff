/**
 * Holds the emulated AgentCore control plane to the official service model: for every operation it
 * serves, the route and success code, the query and label bindings, and every input member's
 * required flag, pattern, length, range and enum. Skips, saying so, where the model is not beside
 * the repository.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentCoreService, defaultAgentCoreFamilies } from '../../src/emulator/agentcore/index.js';
import { repoRoot } from '../helpers/cli.js';

const modelPath = join(repoRoot, '..', 'shared', 'models', 'bedrock-agentcore-control.service-2.json');
const haveModel = existsSync(modelPath);
if (!haveModel) console.log(`Skipping the AgentCore conformance test: ${modelPath} is not there.`);

type Shape = Record<string, unknown> & { type: string; members?: Record<string, { shape: string; location?: string; locationName?: string }>; required?: string[]; member?: { shape: string }; key?: { shape: string }; value?: { shape: string } };
interface Model {
  operations: Record<string, { http: { method: string; requestUri: string; responseCode?: number }; input?: { shape: string }; errors?: { shape: string }[] }>;
  shapes: Record<string, Shape>;
}
type Schema = Record<string, unknown>;

/** Members the npm client knows but the botocore model does not yet (agentcore-api.md §0). */
const NEWER_THAN_MODEL = new Set(['platformVersion', 'namespaceKeys']);

const anchored = (pattern: string) => (pattern.startsWith('^') ? pattern : `^${pattern}`).replace(/\$?$/, '$');

function compare(model: Model, shapeName: string, schema: Schema, path: string, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  if (schema.type === undefined) return; // accepted as an opaque document on purpose
  const expectType: Record<string, string> = { structure: 'object', list: 'array', map: 'object', string: 'string', integer: 'integer', long: 'integer', boolean: 'boolean' };
  if (expectType[shape.type] && schema.type !== expectType[shape.type]) out.push(`${path}: type ${String(schema.type)}, model ${shape.type}`);
  const check = (ours: unknown, theirs: unknown, what: string) => {
    if (ours !== theirs) out.push(`${path}: ${what} ${JSON.stringify(ours)}, model ${JSON.stringify(theirs)}`);
  };
  switch (shape.type) {
    case 'string':
      check(schema.pattern, shape.pattern === undefined ? undefined : anchored(shape.pattern as string), 'pattern');
      check(schema.minLength, shape.min, 'min length');
      check(schema.maxLength, shape.max, 'max length');
      check(JSON.stringify(schema.enum), JSON.stringify(shape.enum), 'enum');
      break;
    case 'integer':
    case 'long':
      check(schema.minimum, shape.min, 'minimum');
      check(schema.maximum, shape.max, 'maximum');
      break;
    case 'list':
      check(schema.minItems, shape.min, 'min items');
      check(schema.maxItems, shape.max, 'max items');
      compare(model, shape.member!.shape, schema.items as Schema, `${path}[]`, out);
      break;
    case 'map':
      check(schema.minProperties, shape.min, 'min entries');
      check(schema.maxProperties, shape.max, 'max entries');
      compare(model, shape.key!.shape, (schema.propertyNames ?? {}) as Schema, `${path}{key}`, out);
      compare(model, shape.value!.shape, schema.additionalProperties as Schema, `${path}{value}`, out);
      break;
    case 'structure': {
      const ours = (schema.properties ?? {}) as Record<string, Schema>;
      const theirs = shape.members ?? {};
      for (const m of Object.keys(theirs)) if (!(m in ours)) out.push(`${path}.${m}: missing (model has it)`);
      for (const m of Object.keys(ours)) if (!(m in theirs) && !NEWER_THAN_MODEL.has(m)) out.push(`${path}.${m}: not in the model`);
      check(JSON.stringify([...((schema.required as string[] | undefined) ?? [])].sort()), JSON.stringify([...(shape.required ?? [])].sort()), 'required');
      check(Boolean(schema['x-union']), Boolean(shape.union), 'union');
      for (const [m, member] of Object.entries(theirs)) if (ours[m]) compare(model, member.shape, ours[m], `${path}.${m}`, out);
      break;
    }
  }
}

const describeIfModel = haveModel ? describe : describe.skip;

describeIfModel('the emulated AgentCore control plane matches the service model', () => {
  const model = haveModel ? (JSON.parse(readFileSync(modelPath, 'utf8')) as Model) : ({ operations: {}, shapes: {} } as Model);
  const service = agentCoreService(defaultAgentCoreFamilies);

  test.each(service.operations.map((op) => [op.name, op] as const))('%s', (name, op) => {
    const modelled = model.operations[name];
    expect(modelled).toBeDefined();
    if (!modelled) return;
    const problems: string[] = [];
    if (op.method !== modelled.http.method) problems.push(`method ${op.method}, model ${modelled.http.method}`);
    if (op.uri !== modelled.http.requestUri.split('?')[0]) problems.push(`uri ${op.uri}, model ${modelled.http.requestUri}`);
    if (op.code !== (modelled.http.responseCode ?? 200)) problems.push(`code ${op.code}, model ${modelled.http.responseCode}`);
    const input = model.shapes[modelled.input!.shape]!;
    const query = Object.fromEntries(Object.entries(input.members ?? {}).filter(([, m]) => m.location === 'querystring').map(([k, m]) => [k, m.locationName]));
    if (JSON.stringify(op.query ?? {}) !== JSON.stringify(query)) problems.push(`query ${JSON.stringify(op.query ?? {})}, model ${JSON.stringify(query)}`);
    const labels = Object.entries(input.members ?? {}).filter(([, m]) => m.location === 'uri').map(([, m]) => `{${m.locationName}}`);
    for (const label of labels) if (!op.uri.includes(label)) problems.push(`uri lacks ${label}`);
    compare(model, modelled.input!.shape, op.input as unknown as Schema, name, problems);
    expect(problems).toEqual([]);
  });

  test('every error the emulator answers with has the status the model gives it', () => {
    const used: Record<string, number> = {
      ValidationException: 400,
      ConflictException: 409,
      ResourceNotFoundException: 404,
      ServiceQuotaExceededException: 402,
      ThrottlingException: 429,
      ThrottledException: 429,
      InternalServerException: 500,
      ServiceException: 500,
    };
    for (const [code, status] of Object.entries(used)) expect([code, (model.shapes[code]?.error as { httpStatusCode?: number } | undefined)?.httpStatusCode]).toEqual([code, status]);
  });

  test('each operation throttles and fails with the errors its model lists', () => {
    const problems: string[] = [];
    for (const family of defaultAgentCoreFamilies) {
      for (const op of family.operations) {
        const errors = (model.operations[op.name]?.errors ?? []).map((e) => e.shape);
        for (const code of [family.throttlingCode ?? 'ThrottlingException', family.serverErrorCode ?? 'InternalServerException']) {
          if (!errors.includes(code)) problems.push(`${op.name} does not list ${code}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
