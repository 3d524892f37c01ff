/** The shape every per-kind table test takes: valid patches pass, invalid ones name a path. */
import { expect, test } from '@jest/globals';
import { problemsOf, withSpec } from './objects.js';

export type Case = [description: string, specPatch: Record<string, unknown>];
export type InvalidCase = [description: string, specPatch: Record<string, unknown>, expected: string];

export function validCases(kind: string, cases: Case[]): void {
  test.each(cases)('%s', (_, patch) => {
    expect(problemsOf(withSpec(kind, patch))).toEqual([]);
  });
}

export function invalidCases(kind: string, cases: InvalidCase[]): void {
  test.each(cases)('%s', (_, patch, expected) => {
    expect(problemsOf(withSpec(kind, patch)).join('\n')).toContain(expected);
  });
}
