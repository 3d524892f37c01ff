/**
 * An object held to its kind's schema, the one `validate` holds files to: a cluster's CRD may be older
 * or looser than ours, so its word is not taken for it. A spec the source hands over unchanged (the
 * informer's cached copy, a file source's object) is judged once, not at every resync; a changed spec is
 * a new object and is judged again.
 */
import { API_VERSION } from '../../api/meta.js';
import { formatPath, validateObject } from '../../api/validation.js';
import type { ObjectOf } from '../kind.js';

const verdicts = new WeakMap<object, string>();

/** What is wrong with the object, in one line with field paths; undefined when nothing is. */
export function schemaProblems(kind: string, object: ObjectOf<unknown, unknown>): string | undefined {
  const spec = object.spec;
  const keyed = typeof spec === 'object' && spec !== null;
  const known = keyed ? verdicts.get(spec) : undefined;
  if (known !== undefined) return known || undefined;
  const result = validateObject({ apiVersion: API_VERSION, kind, metadata: object.metadata, spec });
  const verdict = result.ok ? '' : result.problems.map((p) => `${formatPath(p.path) || '(the object)'}: ${p.message}`).join('; ');
  if (keyed) verdicts.set(spec, verdict);
  return verdict || undefined;
}
