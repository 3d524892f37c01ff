import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { allCrdsYaml, crdFileName } from '../../src/api/crd.js';
import { generatedFiles } from '../../src/api/generated.js';
import { KINDS } from '../../src/api/kinds.js';
import { compileGoRegexp } from '../../src/api/validation.js';

const root = join(import.meta.dirname, '..', '..');
type Schema = Record<string, unknown>;

function loadCrd(kind: string): Schema {
  const info = KINDS.find((k) => k.kind === kind)!;
  return parse(readFileSync(join(root, 'crds', crdFileName(info)), 'utf8')) as Schema;
}

function openApi(crd: Schema): Schema {
  return (crd.spec as { versions: { schema: { openAPIV3Schema: Schema } }[] }).versions[0]!.schema.openAPIV3Schema;
}

function at(schema: Schema, path: string): Schema {
  return path.split('.').reduce((s, key) => (key === '[]' ? (s.items as Schema) : ((s.properties as Record<string, Schema>)[key] as Schema)), schema);
}

/** The anyOf a structural schema allows us: branches that only require properties declared beside it. */
function isRequiredAnyOf(node: Schema): boolean {
  const declared = Object.keys((node.properties ?? {}) as Schema);
  return (node.anyOf as Schema[]).every((branch) => Object.keys(branch).join() === 'required' && (branch.required as string[]).every((name) => declared.includes(name)));
}

interface Rule {
  rule: string;
  fieldPath?: string;
}

/**
 * The declared schema a dotted path leads to from `node`, as the API server resolves a rule's fieldPath
 * and a rule's field selections: only through declared properties. Undefined when a step is undeclared.
 */
function resolve(node: Schema, steps: string[]): Schema | undefined {
  let found: Schema | undefined = node;
  for (const step of steps) found = (found?.properties as Record<string, Schema> | undefined)?.[step];
  return found;
}

/** Field selections a rule makes on self or oldSelf, e.g. `self.spec.runtimeName` as [spec, runtimeName]. */
function selections(rule: string): string[][] {
  return [...rule.matchAll(/\b(?:self|oldSelf)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1]!.slice(1).split('.'));
}

/** Walks every schema node with its path. */
function walk(schema: Schema, path: string, visit: (s: Schema, path: string) => void): void {
  visit(schema, path);
  for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) walk(v, `${path}.${k}`, visit);
  if (schema.items) walk(schema.items as Schema, `${path}[]`, visit);
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties as Schema, `${path}{}`, visit);
}

describe('generated files', () => {
  test.each([...generatedFiles().keys()])('%s is up to date (run `npm run generate` after changing src/api)', (path) => {
    expect(readFileSync(join(root, path), 'utf8')).toBe(generatedFiles().get(path));
  });

  test('crds/ holds exactly the generated CRDs', () => {
    expect(readdirSync(join(root, 'crds')).sort()).toEqual(KINDS.map(crdFileName).sort());
  });

  test('`crds` output is one document per kind', () => {
    const docs = parseAllDocuments(allCrdsYaml()).map((d) => d.toJS() as Schema);
    expect(docs.map((d) => (d.spec as { names: { kind: string } }).names.kind)).toEqual(KINDS.map((k) => k.kind));
  });
});

describe.each(KINDS.map((k) => k.kind))('%s CRD', (kind) => {
  const crd = loadCrd(kind);
  const schema = openApi(crd);
  const spec = crd.spec as Schema & { names: Schema; versions: Schema[] };

  test('names, category, scope and the status subresource', () => {
    expect(spec.group).toBe('agentcore.dev');
    expect(spec.scope).toBe('Namespaced');
    expect(spec.names.categories).toEqual(['agentcore']);
    expect((spec.names.shortNames as string[]).length).toBeGreaterThan(0);
    expect(spec.versions[0]).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
  });

  test('printer columns show Ready, AWS status, an id or ARN, and age', () => {
    const columns = (spec.versions[0]!.additionalPrinterColumns as { name: string; jsonPath: string }[]).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['Ready', 'Status', 'Age']));
    expect(columns.some((c) => c === 'ID' || c === 'ARN')).toBe(true);
  });

  test('the schema is structural: typed nodes, no JSON-Schema-only keywords, documented fields', () => {
    const problems: string[] = [];
    walk(schema, '', (node, path) => {
      if (!node.type && !node['x-kubernetes-preserve-unknown-fields'] && !node['x-kubernetes-int-or-string']) problems.push(`${path}: no type`);
      for (const k of ['oneOf', 'allOf', 'not', 'const', '$ref', 'patternProperties', 'propertyNames']) if (k in node) problems.push(`${path}: ${k}`);
      if ('anyOf' in node && !isRequiredAnyOf(node)) problems.push(`${path}: anyOf other than of required properties`);
      if (node.additionalProperties === false) problems.push(`${path}: additionalProperties false`);
      if (node.properties && node.additionalProperties) problems.push(`${path}: properties and additionalProperties`);
      if (Object.keys(node).some((k) => k.startsWith('x-agentcore-'))) problems.push(`${path}: internal annotation`);
      if (path.startsWith('.spec.') && !path.endsWith('[]') && !path.endsWith('{}') && !node.description) problems.push(`${path}: no description`);
      if (node['x-kubernetes-list-type'] === 'map') {
        const keys = node['x-kubernetes-list-map-keys'] as string[];
        const items = node.items as Schema;
        for (const key of keys) if (!(items.required as string[] | undefined)?.includes(key)) problems.push(`${path}: map key ${key} not required`);
      }
    });
    expect(problems).toEqual([]);
  });

  test('the root metadata restricts only name and generateName, as the API server allows', () => {
    const metadata = at(schema, 'metadata');
    expect(Object.keys(metadata).sort()).toEqual(['properties', 'type']);
    expect(metadata.type).toBe('object');
    expect(Object.keys(metadata.properties as Schema).sort()).toEqual(['generateName', 'name']);
    expect(at(metadata, 'name')).toEqual({ type: 'string', maxLength: 253 });
    expect(at(metadata, 'generateName')).toEqual({ type: 'string' });
  });

  test('every rule\'s fieldPath resolves to a declared field', () => {
    const problems: string[] = [];
    walk(schema, '', (node, path) => {
      for (const rule of (node['x-kubernetes-validations'] ?? []) as Rule[]) {
        if (rule.fieldPath && !resolve(node, rule.fieldPath.split('.').slice(1))) problems.push(`${path}: ${rule.fieldPath}`);
      }
    });
    expect(problems).toEqual([]);
  });

  test('rules select only declared, typed fields: the API server leaves untyped fields out of the CEL type', () => {
    const problems: string[] = [];
    walk(schema, '', (node, path) => {
      for (const rule of (node['x-kubernetes-validations'] ?? []) as Rule[]) {
        for (const steps of selections(rule.rule)) {
          let current: Schema = node;
          for (const step of steps) {
            if (!current.properties) break; // a method on a scalar, or a macro on a map or list
            const next = (current.properties as Record<string, Schema>)[step];
            if (!next?.type) {
              problems.push(`${path}: ${rule.rule} selects ${step}, which is ${next ? 'untyped' : 'undeclared'}`);
              break;
            }
            current = next;
          }
        }
      }
    });
    expect(problems).toEqual([]);
  });

  test('every pattern, and every matches() in a rule, is a Go regular expression (no repeat count over 1000)', () => {
    const problems: string[] = [];
    const check = (where: string, pattern: string) => {
      try {
        compileGoRegexp(pattern);
      } catch (e) {
        problems.push(`${where}: ${pattern}: ${(e as Error).message}`);
      }
    };
    walk(schema, '', (node, path) => {
      if (typeof node.pattern === 'string') check(path, node.pattern);
      for (const rule of (node['x-kubernetes-validations'] ?? []) as Rule[]) {
        for (const m of rule.rule.matchAll(/\.matches\('((?:[^'\\]|\\.)*)'\)/g)) check(`${path} rule`, m[1]!.replace(/\\(.)/g, '$1'));
      }
    });
    expect(problems).toEqual([]);
  });

  test('status defaults observedGeneration to -1 and carries kstatus conditions', () => {
    const status = at(schema, 'status');
    expect(status.default).toEqual({ observedGeneration: -1 });
    const condition = at(status, 'conditions.[]');
    expect(condition.required).toEqual(expect.arrayContaining(['type', 'status', 'reason', 'message', 'lastTransitionTime']));
  });

  test('the object-level rule checks that metadata.name derives a valid AWS name', () => {
    const rules = schema['x-kubernetes-validations'] as { rule: string }[];
    expect(rules.some((r) => r.rule.includes('self.metadata.name.matches'))).toBe(true);
  });
});

describe('CRDs carry the API constraints', () => {
  test('AgentRuntime names, artifacts, enums and ranges', () => {
    const spec = at(openApi(loadCrd('AgentRuntime')), 'spec');
    expect(at(spec, 'runtimeName').pattern).toBe('^[a-zA-Z][a-zA-Z0-9_]{0,47}$');
    expect(at(spec, 'artifact.image').pattern).toContain('dkr\\.ecr');
    expect(at(spec, 'protocol').enum).toEqual(['HTTP', 'MCP', 'A2A', 'AGUI']);
    expect(at(spec, 'artifact.code.runtime').enum).toContain('PYTHON_3_13');
    expect(at(spec, 'lifecycle.maxLifetimeSeconds')).toMatchObject({ minimum: 60, maximum: 1209600 });
    expect(at(spec, 'env')).toMatchObject({ maxProperties: 50, additionalProperties: { type: 'string', maxLength: 5000 } });
    expect(at(spec, 'endpoints')).toMatchObject({ maxItems: 10, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
    const artifactRules = (at(spec, 'artifact')['x-kubernetes-validations'] as { message: string }[]).map((r) => r.message);
    expect(artifactRules).toContain('exactly one of image, code must be set (artifact)');
    const specRules = (spec['x-kubernetes-validations'] as { rule: string; message: string }[]).map((r) => r.message);
    expect(specRules).toContain('runtimeName is immutable: it cannot be changed, added or removed after creation');
  });

  test('map key constraints become a CEL rule on the map', () => {
    const tags = at(at(openApi(loadCrd('Memory')), 'spec'), 'tags');
    const rules = (tags['x-kubernetes-validations'] as { rule: string }[]).map((r) => r.rule);
    expect(rules[0]).toBe("self.all(k, size(k) >= 1 && size(k) <= 128 && k.matches('^[a-zA-Z0-9\\\\s._:/=+@-]*$'))");
  });

  test('immutable fields of gateways, targets and providers', () => {
    const rulesOf = (kind: string, path: string) => ((at(at(openApi(loadCrd(kind)), 'spec'), path)['x-kubernetes-validations'] ?? []) as { rule: string }[]).map((r) => r.rule);
    expect(rulesOf('Gateway', 'authorizer.type')).toContain('self == oldSelf');
    expect(rulesOf('GatewayTarget', 'gatewayRef')).toContain('self == oldSelf');
    expect(rulesOf('OAuth2CredentialProvider', 'vendor')).toContain('self == oldSelf');
    const memorySpec = at(openApi(loadCrd('Memory')), 'spec');
    expect((memorySpec['x-kubernetes-validations'] as { message: string }[]).map((r) => r.message)).toContain('encryptionKeyArn is immutable: it cannot be changed, added or removed after creation');
  });
});
