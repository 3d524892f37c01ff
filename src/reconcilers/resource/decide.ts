/**
 * The decisions of the pipeline, as pure functions of what was observed and what the spec asks: what
 * to do about the resource as found, about the differences, and about a delete. reconcile acts on
 * them, plan reports them, finalize follows the last.
 */
import type { FieldChange, Lifecycle } from './kind.js';

/** What the resource as found calls for, before any difference is looked at. */
export type Approach =
  | { do: 'create' }
  | { do: 'wait'; for: 'others-delete' | 'aws' }
  | { do: 'stall'; why: 'not-ours' | 'dead' }
  | { do: 'compare' };

export interface Found {
  state?: string;
  owned: boolean;
}

export const DELETING = 'DELETING';

export function approach(found: Found | undefined, adopt: boolean, lifecycle: Lifecycle): Approach {
  if (!found) return { do: 'create' };
  if (!found.owned && !adopt) return found.state === DELETING ? { do: 'wait', for: 'others-delete' } : { do: 'stall', why: 'not-ours' };
  if (found.state !== undefined && (lifecycle.working.has(found.state) || lifecycle.pending?.states.has(found.state))) return { do: 'wait', for: 'aws' };
  if (found.state !== undefined && lifecycle.dead?.has(found.state)) return { do: 'stall', why: 'dead' };
  return { do: 'compare' };
}

/** What the differences call for. `correcting` is true when the spec did not move: the update corrects drift. */
export type ChangeDecision =
  | { do: 'nothing' }
  | { do: 'report'; paths: string[] }
  | { do: 'refuse'; changes: FieldChange[] }
  | { do: 'replace'; changes: FieldChange[] }
  | { do: 'update'; changes: FieldChange[]; correcting: boolean; push: boolean };

export interface ChangeInputs {
  changes: FieldChange[];
  /** The spec is the one last applied, so a difference is drift. */
  specUnchanged: boolean;
  driftPolicy?: string;
  replacement: 'refuse' | 'spec' | 'always';
  allowReplacement?: boolean;
  /** Something must be pushed whatever the differences (a rotated secret). */
  push: boolean;
}

export function decideChanges(i: ChangeInputs): ChangeDecision {
  const report = i.specUnchanged && i.driftPolicy === 'Report';
  if (i.changes.length > 0 && report && !i.push) return { do: 'report', paths: i.changes.map((c) => c.path) };
  const replace = i.changes.filter((c) => c.replace);
  if (replace.length > 0) {
    const allowed = i.replacement === 'always' || (i.replacement === 'spec' && i.allowReplacement === true);
    return allowed ? { do: 'replace', changes: replace } : { do: 'refuse', changes: replace };
  }
  if (i.changes.length === 0 && !i.push) return { do: 'nothing' };
  return { do: 'update', changes: i.changes, correcting: i.specUnchanged, push: i.push };
}

/** What a delete calls for. */
export type DeleteDecision = 'retain' | 'gone' | 'leave' | 'wait' | 'delete';

export function decideDelete(retain: boolean, found: Found | undefined, adopt: boolean, lifecycle: Lifecycle): DeleteDecision {
  if (retain) return 'retain';
  if (!found) return 'gone';
  if (!found.owned && !adopt) return 'leave';
  if (found.state !== undefined && (found.state === DELETING || lifecycle.working.has(found.state))) return 'wait';
  return 'delete';
}
