import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { KINDS } from '../../src/api/kinds.js';
import { formatProblem, loadManifests } from '../../src/sources/files/manifests.js';

const examples = join(import.meta.dirname, '..', '..', 'manifests', 'examples');

describe('manifests/examples', () => {
  const set = loadManifests([examples]);

  test('every example is valid', () => {
    expect(set.problems.map(formatProblem)).toEqual([]);
  });

  test('there is an example of every kind', () => {
    expect(new Set(set.objects.map((o) => o.info.kind))).toEqual(new Set(KINDS.map((k) => k.kind)));
  });

  test('every reference between the examples resolves', () => {
    const names = new Set(set.objects.map((o) => `${o.namespace}/${o.object.metadata.name}`));
    const refs = set.objects.flatMap((o) => {
      const spec = o.object.spec as Record<string, unknown>;
      const found: string[] = [];
      JSON.stringify(spec, (key, value: unknown) => {
        if (/^(memory|gateway|provider)Ref$/.test(key) && typeof value === 'object' && value !== null && 'name' in value) found.push(`${o.namespace}/${(value as { name: string }).name}`);
        return value;
      });
      return found;
    });
    expect(refs.length).toBe(5);
    for (const ref of refs) expect(names).toContain(ref);
  });
});
