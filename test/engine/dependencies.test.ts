import { describe, expect, test } from '@jest/globals';
import { blockedBy, danglingReferences, dependencyLevels, type DependencyNode } from '../../src/engine/dependencies.js';
import type { ObjectState } from '../../src/engine/status.js';

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

describe('blockedBy', () => {
  const states = (entries: Record<string, ObjectState>) => new Map(Object.entries(entries));
  test.each<[string, DependencyNode[], Record<string, ObjectState>, Record<string, string[]>]>([
    ['a runtime waiting on a stalled memory', [node('runtime', 'memory'), node('memory')], { runtime: 'pending', memory: 'stalled' }, { runtime: ['memory'] }],
    ['a suspended dependency holds its dependents too', [node('target', 'gateway'), node('gateway')], { target: 'pending', gateway: 'suspended' }, { target: ['gateway'] }],
    ['through a pending object, to the root', [node('target', 'gateway'), node('gateway', 'provider'), node('provider')], { target: 'pending', gateway: 'pending', provider: 'stalled' }, { gateway: ['provider'], target: ['provider'] }],
    ['every root is named', [node('runtime', 'memory', 'gateway'), node('memory'), node('gateway')], { runtime: 'pending', memory: 'stalled', gateway: 'suspended' }, { runtime: ['gateway', 'memory'] }],
    ['a dependency still pending or ready holds nothing back', [node('runtime', 'memory'), node('target', 'gateway'), node('memory'), node('gateway')], { runtime: 'pending', memory: 'pending', target: 'pending', gateway: 'ready' }, {}],
    ['a stalled object that nothing waits on blocks nobody', [node('runtime'), node('memory')], { runtime: 'pending', memory: 'stalled' }, {}],
    ['a cycle of pending objects is not blocked by itself', [node('a', 'b'), node('b', 'a')], { a: 'pending', b: 'pending' }, {}],
    ['a reference outside the run holds nothing back', [node('runtime', 'elsewhere')], { runtime: 'pending' }, {}],
  ])('%s', (_, nodes, given, expected) => {
    expect(Object.fromEntries(blockedBy(nodes, states(given)))).toEqual(expected);
  });
});
