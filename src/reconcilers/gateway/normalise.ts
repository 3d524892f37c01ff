/**
 * Pure helpers the Gateway and GatewayTarget diffs share. A configuration is compared only in the
 * members the spec models (the `Model` tree); everything else AWS reports is either read-only or set
 * by someone else, and is neither compared nor dropped: `carryUnmodelled` copies it into a full-replacement
 * update so that the update does not erase it.
 */

/** The members a spec models: `true` for a member compared whole, a tree for one compared member by member. */
export interface Model {
  [member: string]: true | Model;
}

export interface FieldChange {
  /** Where the difference is, in spec terms (`spec.mcp.instructions`). */
  path: string;
  from: unknown;
  to: unknown;
  /** `update` is one full-replacement update call; `replace` needs the resource deleted and created again. */
  action: 'update' | 'replace';
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
}

/** Only the modelled members of a value. */
export function pick(value: unknown, model: Model): Record<string, unknown> {
  if (!isMap(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, m] of Object.entries(model)) {
    const v = value[k];
    if (v === undefined) continue;
    out[k] = m === true ? v : pick(v, m);
  }
  return out;
}

/** Empty and absent made equal, all the way down; lists under a member named in `sets` sorted and deduplicated. */
export function clean(value: unknown, sets: ReadonlySet<string>, member?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => clean(v, sets)).filter((v) => !isEmpty(v));
    return member && sets.has(member) ? [...new Set(items.map((i) => stableJson(i)))].sort().map((i) => JSON.parse(i) as unknown) : items;
  }
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v, sets, k);
      if (!isEmpty(c)) out[k] = c;
    }
    return out;
  }
  return value;
}

/** Leaves of a normalised configuration by dotted path; lists are leaves, compared whole. */
export function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (isMap(value)) for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  else if (prefix) out.set(prefix, value);
  return out;
}

/**
 * Members AWS fills in when the request leaves them out: when the spec does not set one, whatever AWS
 * reports there is its default, not drift.
 */
export function dropServerFilled(want: Map<string, unknown>, have: Map<string, unknown>, serverFilled: readonly string[]): void {
  const under = (path: string, p: string) => path === p || path.startsWith(`${p}.`);
  for (const p of serverFilled) {
    if ([...want.keys()].some((w) => under(w, p))) continue;
    for (const path of [...have.keys()]) if (under(path, p)) have.delete(path);
  }
}

/** An API member path in spec terms, through a table of prefixes, most specific first. */
export function specPath(apiPath: string, table: readonly (readonly [string, string])[]): string {
  for (const [api, spec] of table) {
    if (apiPath === api) return spec;
    if (apiPath.startsWith(`${api}.`)) return `${spec}${apiPath.slice(api.length)}`;
  }
  return apiPath;
}

/** Every leaf that differs, as an update in spec terms. */
export function leafChanges(want: Map<string, unknown>, have: Map<string, unknown>, table: readonly (readonly [string, string])[]): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const path of new Set([...want.keys(), ...have.keys()])) {
    const to = want.get(path);
    const from = have.get(path);
    if (stableJson(to) !== stableJson(from)) changes.push({ path: specPath(path, table), from, to, action: 'update' });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The desired configuration plus what AWS holds in members the spec does not model, so that a
 * full-replacement update leaves them as they are. `topLevel` names the unmodelled top-level members
 * the update accepts (the rest of a Get answer is read-only); below the top, unmodelled members are
 * carried into the maps the desired configuration has, never into maps it leaves out.
 */
export function carryUnmodelled<T extends object>(desired: T, observed: Record<string, unknown>, model: Model, topLevel: readonly string[]): T {
  // What is carried over is the same request's members, as AWS reported them: the result keeps T.
  const out = { ...desired } as Record<string, unknown>;
  for (const k of topLevel) if (observed[k] !== undefined && out[k] === undefined) out[k] = observed[k];
  for (const [k, m] of Object.entries(model)) {
    if (m !== true && isMap(out[k]) && isMap(observed[k])) out[k] = carryBelow(out[k], observed[k], m);
  }
  return out as T;
}

function carryBelow(desired: Record<string, unknown>, observed: Record<string, unknown>, model: Model): Record<string, unknown> {
  const out: Record<string, unknown> = { ...desired };
  for (const [k, v] of Object.entries(observed)) {
    const m = model[k];
    if (m === undefined) {
      if (out[k] === undefined && v !== undefined) out[k] = v;
    } else if (m !== true && isMap(out[k]) && isMap(v)) out[k] = carryBelow(out[k], v, m);
  }
  return out;
}

/** JSON with object keys sorted, so equal values print equal. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v)).join(',')}]`;
  if (isMap(value)) {
    return `{${Object.keys(value).filter((k) => value[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

