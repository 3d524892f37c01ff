/** Random and malformed documents: nothing throws, and every rejection names a field path. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { validateObject } from '../../src/api/validation.js';
import { loadText } from '../../src/sources/files/loader.js';
import { loadManifests } from '../../src/sources/files/manifests.js';

const examples = loadManifests([join(import.meta.dirname, '..', '..', 'manifests', 'examples')]).objects.map((o) => {
  const { apiVersion, kind, metadata, spec } = o.object;
  return { apiVersion, kind, metadata, spec } as Record<string, unknown>;
});

type Json = unknown;
type Mutation = { path: number[]; action: 'set' | 'delete' | 'addField'; value: Json; key: string };

/** Applies a mutation at the node reached by following child indexes (each taken modulo the fan-out). */
function mutate(doc: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const copy = structuredClone(doc);
  let parent: Record<string, unknown> | unknown[] = copy;
  let key: string | number = 'spec';
  for (const step of m.path) {
    const node: unknown = (parent as Record<string | number, unknown>)[key];
    if (typeof node !== 'object' || node === null) break;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node as Record<string, unknown>;
    key = keys[step % keys.length]!;
  }
  const target = parent as Record<string | number, unknown>;
  if (m.action === 'set') target[key] = m.value;
  else if (m.action === 'delete') {
    if (Array.isArray(target)) target.splice(Number(key), 1);
    else delete target[key];
  } else {
    const node = target[key];
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) (node as Record<string, unknown>)[m.key] = m.value;
  }
  return copy;
}

const mutation = fc.record({
  path: fc.array(fc.nat(20), { maxLength: 8 }),
  action: fc.constantFrom<'set' | 'delete' | 'addField'>('set', 'delete', 'addField'),
  value: fc.jsonValue({ maxDepth: 3 }),
  key: fc.string({ maxLength: 12 }),
});

describe('validator', () => {
  test('arbitrary JSON values never throw; mappings get field paths', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const result = validateObject(value);
        expect(result.ok).toBe(false);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          for (const p of result.problems) expect(p.path.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('mutated examples never throw, every rejection names a path under the object, and every CEL rule evaluates', () => {
    fc.assert(
      fc.property(fc.constantFrom(...examples), fc.array(mutation, { minLength: 1, maxLength: 3 }), (example, mutations) => {
        const doc = mutations.reduce(mutate, example);
        const result = validateObject(doc);
        for (const p of result.problems) {
          expect(p.path.length).toBeGreaterThan(0);
          expect(['apiVersion', 'kind', 'metadata', 'spec']).toContain(p.path[0]);
          expect(p.message).not.toMatch(/could not be evaluated/);
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1500 },
    );
  });

  test('a valid object keeps validating after its defaults are filled in (defaults are valid)', () => {
    for (const example of examples) {
      const first = validateObject(example);
      expect(first.ok).toBe(true);
      if (first.ok) expect(validateObject(first.object).ok).toBe(true);
    }
  });
});

describe('loader', () => {
  test('arbitrary text never throws; every problem has a line and a message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', '{', '"', '#', '\t', '*', '&', '!', '|', '>', '---\n') , maxLength: 120 })), (text) => {
        const result = loadText(text, 'random.yaml');
        for (const p of result.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('a mapping written as YAML loads back unchanged', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1 }), (value) => {
        const result = loadText(stringify(value), 'roundtrip.yaml');
        expect(result.problems).toEqual([]);
        expect(result.documents.map((d) => d.content)).toEqual([value]);
      }),
      { numRuns: 300 },
    );
  });
});
