/**
 * Holds the IAM emulator's operation table to the official IAM model: for every operation it serves,
 * the input members, which are required, and each member's pattern, length and range; and for every
 * error it can answer with, that the model lists it on the operation with the same HTTP status.
 * Skips, saying so, where the model is not beside the repository.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_ERROR_STATUS, IAM_API_VERSION, IAM_OPERATIONS, IAM_XML_NAMESPACE, MODELLED_ERROR_STATUS, type MemberShape, type OperationSpec } from '../../src/emulator/iam/index.js';
import { repoRoot } from '../helpers/cli.js';

const modelPath = join(repoRoot, '..', 'shared', 'models', 'iam.service-2.json');
const haveModel = existsSync(modelPath);
if (!haveModel) console.log(`Skipping the IAM conformance test: ${modelPath} is not there.`);

interface Shape {
  type: string;
  pattern?: string;
  min?: number;
  max?: number;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  error?: { code?: string; httpStatusCode?: number };
}
interface Model {
  metadata: { apiVersion: string; protocol: string; xmlNamespace: string };
  operations: Record<string, { input?: { shape: string }; errors?: { shape: string }[] }>;
  shapes: Record<string, Shape>;
}

const sorted = (names: readonly string[] | undefined) => JSON.stringify([...(names ?? [])].sort());

function compare(model: Model, shapeName: string, ours: MemberShape, path: string, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  const check = (mine: unknown, theirs: unknown, what: string) => {
    if (mine !== theirs) out.push(`${path}: ${what} ${JSON.stringify(mine)}, model ${JSON.stringify(theirs)}`);
  };
  check(ours.type, shape.type, 'type');
  if (ours.type !== shape.type) return;
  switch (ours.type) {
    case 'string':
      check(ours.pattern, shape.pattern, 'pattern');
      check(ours.min, shape.min, 'min length');
      check(ours.max, shape.max, 'max length');
      break;
    case 'integer':
      check(ours.min, shape.min, 'minimum');
      check(ours.max, shape.max, 'maximum');
      break;
    case 'list':
      check(ours.min, shape.min, 'min items');
      check(ours.max, shape.max, 'max items');
      compare(model, shape.member!.shape, ours.member, `${path}.member`, out);
      break;
    case 'structure':
      compareStructure(model, shapeName, ours, path, out);
      break;
  }
}

function compareStructure(model: Model, shapeName: string, ours: Pick<OperationSpec, 'required' | 'members'>, path: string, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  const theirs = shape.members ?? {};
  for (const m of Object.keys(theirs)) if (!(m in ours.members)) out.push(`${path}.${m}: missing (model has it)`);
  for (const m of Object.keys(ours.members)) if (!(m in theirs)) out.push(`${path}.${m}: not in the model`);
  if (sorted(ours.required) !== sorted(shape.required)) out.push(`${path}: required ${sorted(ours.required)}, model ${sorted(shape.required)}`);
  for (const [m, member] of Object.entries(theirs)) {
    const mine = ours.members[m];
    if (mine) compare(model, member.shape, mine, `${path}.${m}`, out);
  }
}

const describeIfModel = haveModel ? describe : describe.skip;

describeIfModel('the emulated IAM subset matches the IAM model', () => {
  const model = haveModel ? (JSON.parse(readFileSync(modelPath, 'utf8')) as Model) : ({ metadata: {}, operations: {}, shapes: {} } as unknown as Model);
  const operations = Object.entries(IAM_OPERATIONS) as [string, OperationSpec][];

  const modelledErrors = (operation: string) =>
    new Map(
      (model.operations[operation]?.errors ?? []).map((e) => {
        const error = model.shapes[e.shape]?.error ?? {};
        return [error.code, error.httpStatusCode] as const;
      }),
    );

  test('protocol, version and XML namespace', () => {
    expect(model.metadata).toMatchObject({ protocol: 'query', apiVersion: IAM_API_VERSION, xmlNamespace: IAM_XML_NAMESPACE });
  });

  test.each(operations)('%s: input members, required members, patterns, lengths and ranges', (name, spec) => {
    const modelled = model.operations[name];
    expect(modelled?.input).toBeDefined();
    const problems: string[] = [];
    compareStructure(model, modelled!.input!.shape, spec, name, problems);
    expect(problems).toEqual([]);
  });

  test.each(operations)('%s: each error it can answer with is listed on it, with the same status', (name, spec) => {
    const listed = modelledErrors(name);
    for (const code of spec.errors) expect([code, listed.get(code)]).toEqual([code, MODELLED_ERROR_STATUS[code]]);
  });

  test('injected failures answer ServiceFailure, which every served operation lists with status 500', () => {
    for (const [name] of operations) expect([name, modelledErrors(name).get('ServiceFailure')]).toEqual([name, 500]);
  });

  test('the common awsQuery errors are not modelled with a different status', () => {
    const byCode = new Map(Object.values(model.shapes).flatMap((s) => (s.error?.code ? [[s.error.code, s.error.httpStatusCode] as const] : [])));
    for (const [code, status] of Object.entries(COMMON_ERROR_STATUS)) {
      if (byCode.has(code)) expect([code, byCode.get(code)]).toEqual([code, status]);
    }
  });
});
