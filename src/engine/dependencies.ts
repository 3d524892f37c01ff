/**
 * Dependency ordering: objects are created level by level (an object after everything it references)
 * and deleted in the reverse order. A reference to an object that is not in the set, and a cycle, are
 * reported with the objects involved rather than ordered around.
 */
import type { ObjectState } from './status.js';

export interface DependencyNode {
  key: string;
  dependsOn: string[];
}

export type DependencyOrder =
  | { ok: true; levels: string[][] }
  | { ok: false; cycle: string[] };

/** Levels of keys: every key's dependencies are in earlier levels; keys of one level are independent. */
export function dependencyLevels(nodes: DependencyNode[]): DependencyOrder {
  const known = new Set(nodes.map((n) => n.key));
  const remaining = new Map(nodes.map((n) => [n.key, new Set(n.dependsOn.filter((d) => known.has(d) && d !== n.key))]));
  const selfLoop = nodes.find((n) => n.dependsOn.includes(n.key));
  if (selfLoop) return { ok: false, cycle: [selfLoop.key, selfLoop.key] };
  const levels: string[][] = [];
  while (remaining.size > 0) {
    const level = [...remaining].filter(([, deps]) => deps.size === 0).map(([key]) => key).sort();
    if (level.length === 0) return { ok: false, cycle: findCycle(remaining) };
    for (const key of level) remaining.delete(key);
    for (const deps of remaining.values()) for (const key of level) deps.delete(key);
    levels.push(level);
  }
  return { ok: true, levels };
}

/** References to keys that are not in the set. */
export function danglingReferences(nodes: DependencyNode[]): { from: string; to: string }[] {
  const known = new Set(nodes.map((n) => n.key));
  return nodes.flatMap((n) => n.dependsOn.filter((d) => !known.has(d)).map((to) => ({ from: n.key, to })));
}

function findCycle(graph: Map<string, Set<string>>): string[] {
  const start = [...graph.keys()].sort()[0]!;
  const path: string[] = [];
  const seen = new Map<string, number>();
  let key = start;
  while (!seen.has(key)) {
    seen.set(key, path.length);
    path.push(key);
    key = [...graph.get(key)!].sort()[0]!;
  }
  return [...path.slice(seen.get(key)), key];
}

/**
 * The pending objects that can no longer get anywhere in this run: each waits, directly or through
 * other pending objects, on one that is stalled or suspended (neither is tried again). Each is answered
 * with the objects at the root of its wait, sorted.
 */
export function blockedBy(nodes: DependencyNode[], states: ReadonlyMap<string, ObjectState>): Map<string, string[]> {
  const dependsOn = new Map(nodes.map((n) => [n.key, n.dependsOn]));
  const roots = new Map<string, string[]>();
  const visiting = new Set<string>();
  const rootsOf = (key: string): string[] => {
    const state = states.get(key);
    if (state === 'stalled' || state === 'suspended') return [key];
    if (state !== 'pending' || visiting.has(key)) return [];
    const known = roots.get(key);
    if (known) return known;
    visiting.add(key);
    const found = [...new Set((dependsOn.get(key) ?? []).flatMap(rootsOf))].sort();
    visiting.delete(key);
    roots.set(key, found);
    return found;
  };
  const blocked = new Map<string, string[]>();
  for (const [key, state] of states) {
    const found = state === 'pending' ? rootsOf(key) : [];
    if (found.length > 0) blocked.set(key, found);
  }
  return blocked;
}
