/** What the identity kinds share: AWS's lifecycle states for providers, and set comparison of lists. */
export { TRANSITIONAL } from '../steps.js';
export const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED']);

/** Two lists as sets; an empty list is the same as none. */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = new Set(a ?? []);
  const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
