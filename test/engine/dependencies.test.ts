import { describe, expect, test } from '@jest/globals';
import { danglingReferences, dependencyLevels, type DependencyNode } from '../../src/engine/dependencies.js';

const node = (key: string, ...dependsOn: string[]): DependencyNode => ({ key, dependsOn });

describe('dependencyLevels', () => {
  test.each<[string, DependencyNode[], string[][]]>([
    ['independent objects share one level', [node('b'), node('a')], [['a', 'b']]],
    ['memory and gateway before the runtime, gateway before its targets', [node('runtime', 'memory', 'gateway'), node('target', 'gateway'), node('memory'), node('gateway')], [['gateway', 'memory'], ['runtime', 'target']]],
    ['a role before its user, a chain in order', [node('c', 'b'), node('b', 'a'), node('a')], [['a'], ['b'], ['c']]],
    ['references outside the set do not hold anything back', [node('runtime', 'elsewhere')], [['runtime']]],
  ])('%s', (_, nodes, levels) => {
    expect(dependencyLevels(nodes)).toEqual({ ok: true, levels });
  });

  test.each<[string, DependencyNode[], string[]]>([
    ['two objects referencing each other', [node('a', 'b'), node('b', 'a')], ['a', 'b', 'a']],
    ['a longer cycle behind an innocent object', [node('x'), node('p', 'q'), node('q', 'r'), node('r', 'p', 'x')], ['p', 'q', 'r', 'p']],
    ['an object referencing itself', [node('self', 'self')], ['self', 'self']],
  ])('%s is a cycle, named', (_, nodes, cycle) => {
    expect(dependencyLevels(nodes)).toEqual({ ok: false, cycle });
  });
});

describe('danglingReferences', () => {
  test('names each reference to an object that is not there', () => {
    expect(danglingReferences([node('runtime', 'memory', 'gone'), node('memory'), node('target', 'missing-gw')])).toEqual([
      { from: 'runtime', to: 'gone' },
      { from: 'target', to: 'missing-gw' },
    ]);
  });
});
