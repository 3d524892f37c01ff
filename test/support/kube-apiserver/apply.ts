/**
 * Server-side apply and managedFields, modelled on k8s.io/apimachinery's managedfields package and
 * structured-merge-diff (SMD), for objects without a typed schema:
 *
 * - Field sets are paths of FieldsV1 elements: `f:<field>`, `k:{"<key>":<value>}` (an item of a keyed
 *   list) and `v:<json>` (an item of a set list). They serialize as the apiserver serializes them:
 *   `{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`, where `.` marks a path that is itself a member
 *   of the set and has children.
 * - Lists are atomic (one leaf) except those named in the list-type table: `metadata.finalizers` is a
 *   set and `metadata.ownerReferences` is keyed by `uid` (as in ObjectMeta); callers may add more
 *   (e.g. from a CRD's `x-kubernetes-list-type`). Maps are granular; an empty map is a leaf.
 * - An Apply owns exactly the leaves of the applied configuration (plus keyed/set list items). An
 *   Update owns what it added or changed; a map or list it created is owned as well (hence `.`).
 * - Never owned (SMD's strip set): apiVersion, kind, metadata, metadata.{name, namespace,
 *   creationTimestamp, selfLink, uid, clusterName, generation, managedFields, resourceVersion}, and any
 *   top-level field in `ignoreTopLevel` (the resource's reset fields, e.g. `status` on the main
 *   resource).
 * - A `null` in an applied configuration removes that field and is not owned.
 * - managedFields time: an Apply that leaves the object unchanged keeps its entry's time; an Update
 *   entry's time moves only when that update changed fields (managedFieldsUpdater).
 * - Entries are sorted as the apiserver sorts them: Apply before Update, then by time, manager,
 *   apiVersion, subresource.
 */
import { deepClone, deepEqual, isObject } from './json.js';
import { ApiError } from './types.js';
import type { KubeObject, ManagedFieldsEntry, StatusCause } from './types.js';

type JsonObject = { [key: string]: unknown };

/** How a list is merged and owned: atomic (one leaf), a set of primitives, or keyed by item fields. */
export type ListType = 'atomic' | 'set' | { keys: string[] };

/** Dotted path (list items add no segment) -> list type. Lists not named here are atomic. */
export const BUILTIN_LIST_TYPES: Readonly<Record<string, ListType>> = {
  'metadata.finalizers': 'set',
  'metadata.ownerReferences': { keys: ['uid'] },
};

const STRIPPED_META = [
  'name',
  'namespace',
  'creationTimestamp',
  'selfLink',
  'uid',
  'clusterName',
  'generation',
  'managedFields',
  'resourceVersion',
];

/** System metadata an applied configuration never writes: the live object's values stay. */
const SYSTEM_META = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

// ---------------------------------------------------------------------------------------------
// Paths and sets

type Path = string[];

class FieldSet {
  private readonly paths = new Map<string, Path>();

  static of(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.add(p);
    return s;
  }

  add(p: Path): void {
    this.paths.set(JSON.stringify(p), p);
  }

  has(p: Path): boolean {
    return this.paths.has(JSON.stringify(p));
  }

  get size(): number {
    return this.paths.size;
  }

  list(): Path[] {
    return [...this.paths.values()].sort(comparePaths);
  }

  union(o: FieldSet): FieldSet {
    return FieldSet.of([...this.paths.values(), ...o.paths.values()]);
  }

  minus(o: FieldSet): FieldSet {
    return FieldSet.of([...this.paths.values()].filter((p) => !o.has(p)));
  }

  intersect(o: FieldSet): FieldSet {
    return FieldSet.of([...this.paths.values()].filter((p) => o.has(p)));
  }

  filter(keep: (p: Path) => boolean): FieldSet {
    return FieldSet.of([...this.paths.values()].filter(keep));
  }

  /** Some member lies strictly below `p`. */
  hasDescendantOf(p: Path): boolean {
    for (const q of this.paths.values()) {
      if (q.length > p.length && p.every((e, i) => q[i] === e)) return true;
    }
    return false;
  }

  equals(o: FieldSet): boolean {
    return this.size === o.size && [...this.paths.keys()].every((k) => o.paths.has(k));
  }
}

const ELEMENT_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function compareElements(a: string, b: string): number {
  const ta = ELEMENT_ORDER[a.charAt(0)] ?? 9;
  const tb = ELEMENT_ORDER[b.charAt(0)] ?? 9;
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareElements(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** fieldpath.Path.String(): `.spec.foo`, `[name="x"]`, `[="value"]`. */
function pathString(p: Path): string {
  return p
    .map((e) => {
      const body = e.slice(2);
      if (e.startsWith('f:')) return `.${body}`;
      if (e.startsWith('v:')) return `[=${body}]`;
      if (e.startsWith('k:')) {
        const key = JSON.parse(body) as JsonObject;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[${body}]`;
    })
    .join('');
}

interface FieldNode {
  member: boolean;
  children: Map<string, FieldNode>;
}

export function encodeFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: FieldNode = { member: false, children: new Map() };
  for (const p of set.list()) {
    let node = root;
    for (const e of p) {
      let next = node.children.get(e);
      if (!next) {
        next = { member: false, children: new Map() };
        node.children.set(e, next);
      }
      node = next;
    }
    node.member = true;
  }
  const render = (node: FieldNode): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.member && node.children.size > 0) out['.'] = {};
    for (const k of [...node.children.keys()].sort(compareElements)) out[k] = render(node.children.get(k) as FieldNode);
    return out;
  };
  return render(root);
}

export function decodeFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: unknown, path: Path): void => {
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0) {
      if (path.length > 0) set.add(path);
      return;
    }
    for (const k of keys) {
      if (k === '.') {
        if (path.length > 0) set.add(path);
      } else {
        walk(node[k], [...path, k]);
      }
    }
  };
  walk(fields, []);
  return set;
}

// ---------------------------------------------------------------------------------------------
// Walking objects

interface Walk {
  listTypes: Readonly<Record<string, ListType>>;
}

function childDot(dot: string, key: string): string {
  return dot ? `${dot}.${key}` : key;
}

/** The FieldsV1 element naming a list item, or undefined when the list must be treated as atomic. */
function itemElement(item: unknown, lt: ListType): string | undefined {
  if (lt === 'atomic') return undefined;
  if (lt === 'set') return isObject(item) || Array.isArray(item) ? undefined : `v:${JSON.stringify(item)}`;
  if (!isObject(item)) return undefined;
  const key: JsonObject = {};
  for (const k of [...lt.keys].sort()) {
    if (item[k] === undefined) return undefined;
    key[k] = item[k];
  }
  return `k:${JSON.stringify(key)}`;
}

/** The list's type and each item's element; atomic when any item cannot be named. */
function listShape(list: unknown[], dot: string, w: Walk): { lt: ListType; elements: string[] } {
  const lt = w.listTypes[dot] ?? 'atomic';
  if (lt === 'atomic') return { lt, elements: [] };
  const elements: string[] = [];
  for (const item of list) {
    const e = itemElement(item, lt);
    if (e === undefined) return { lt: 'atomic', elements: [] };
    elements.push(e);
  }
  return { lt, elements };
}

/** The fields an applied configuration sets: its leaves, plus the items of set and keyed lists. */
function appliedFields(value: unknown, path: Path, dot: string, w: Walk, out: FieldSet): void {
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== null);
    if (entries.length === 0) {
      if (path.length > 0) out.add(path);
      return;
    }
    for (const [k, v] of entries) appliedFields(v, [...path, `f:${k}`], childDot(dot, k), w, out);
    return;
  }
  if (Array.isArray(value)) {
    const { lt, elements } = listShape(value, dot, w);
    if (lt === 'atomic') {
      out.add(path);
      return;
    }
    value.forEach((item, i) => {
      const itemPath = [...path, elements[i] as string];
      out.add(itemPath);
      if (lt !== 'set' && isObject(item)) {
        for (const [k, v] of Object.entries(item)) {
          if (v !== null) appliedFields(v, [...itemPath, `f:${k}`], childDot(dot, k), w, out);
        }
      }
    });
    return;
  }
  if (path.length > 0) out.add(path);
}

/** Every path in a value that appears or disappears whole: containers are members too. */
function wholeFields(value: unknown, path: Path, dot: string, w: Walk, out: FieldSet): void {
  if (path.length > 0) out.add(path);
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) wholeFields(v, [...path, `f:${k}`], childDot(dot, k), w, out);
  } else if (Array.isArray(value)) {
    const { lt, elements } = listShape(value, dot, w);
    if (lt === 'atomic') return;
    value.forEach((item, i) => {
      const itemPath = [...path, elements[i] as string];
      out.add(itemPath);
      if (lt !== 'set' && isObject(item)) {
        for (const [k, v] of Object.entries(item)) wholeFields(v, [...itemPath, `f:${k}`], childDot(dot, k), w, out);
      }
    });
  }
}

interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function compareValues(a: unknown, b: unknown, path: Path, dot: string, w: Walk, c: Comparison): void {
  if (isObject(a) && isObject(b)) {
    const aEmpty = Object.keys(a).length === 0;
    const bEmpty = Object.keys(b).length === 0;
    if (aEmpty && bEmpty) return;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = [...path, `f:${k}`];
      const d = childDot(dot, k);
      if (!(k in b)) wholeFields(a[k], p, d, w, c.removed);
      else if (!(k in a)) wholeFields(b[k], p, d, w, c.added);
      else compareValues(a[k], b[k], p, d, w, c);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const sa = listShape(a, dot, w);
    const sb = listShape(b, dot, w);
    if (sa.lt === 'atomic' || sb.lt === 'atomic') {
      if (!deepEqual(a, b)) c.modified.add(path);
      return;
    }
    const inA = new Map(sa.elements.map((e, i) => [e, a[i]]));
    const inB = new Map(sb.elements.map((e, i) => [e, b[i]]));
    for (const [e, item] of inA) if (!inB.has(e)) wholeFields(item, [...path, e], dot, w, c.removed);
    for (const [e, item] of inB) {
      if (!inA.has(e)) wholeFields(item, [...path, e], dot, w, c.added);
      else if (sb.lt !== 'set') compareValues(inA.get(e), item, [...path, e], dot, w, c);
    }
    return;
  }
  if (deepEqual(a, b)) return;
  const aContainer = isObject(a) || Array.isArray(a);
  const bContainer = isObject(b) || Array.isArray(b);
  if (aContainer || bContainer) {
    wholeFields(a, path, dot, w, c.removed);
    wholeFields(b, path, dot, w, c.added);
    c.removed = c.removed.minus(FieldSet.of([path]));
    c.added = c.added.minus(FieldSet.of([path]));
  }
  c.modified.add(path);
}

function compareObjects(a: unknown, b: unknown, w: Walk): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareValues(a, b, [], '', w, c);
  return c;
}

/** Drops the paths the field manager never records, and the ignored top-level fields. */
function stripSet(set: FieldSet, ignoreTopLevel: readonly string[]): FieldSet {
  const ignored = new Set(['f:apiVersion', 'f:kind', ...ignoreTopLevel.map((f) => `f:${f}`)]);
  const strippedMeta = new Set(STRIPPED_META.map((f) => `f:${f}`));
  return set.filter((p) => {
    const [top, second] = p;
    if (top === undefined || ignored.has(top)) return false;
    if (top === 'f:metadata') {
      if (second === undefined) return false;
      if (strippedMeta.has(second)) return false;
    }
    return true;
  });
}

/** Merges an applied configuration into a live value: maps recursively, lists by their type. */
function mergeApplied(live: unknown, config: unknown, dot: string, w: Walk): unknown {
  if (isObject(config)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete out[k];
      else out[k] = mergeApplied(out[k], v, childDot(dot, k), w);
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const sc = listShape(config, dot, w);
    const sl = listShape(live, dot, w);
    if (sc.lt === 'atomic' || sl.lt === 'atomic') return deepClone(config);
    const out = [...live];
    config.forEach((item, i) => {
      const at = sl.elements.indexOf(sc.elements[i] as string);
      if (at < 0) out.push(deepClone(item));
      else if (sc.lt !== 'set') out[at] = mergeApplied(out[at], item, dot, w);
    });
    return out;
  }
  return deepClone(config);
}

/** Removes the value at a path; a no-op when it is not there. */
function removePath(root: unknown, path: Path): void {
  let cur: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const e = path[i] as string;
    const last = i === path.length - 1;
    if (e.startsWith('f:')) {
      if (!isObject(cur)) return;
      const k = e.slice(2);
      if (last) delete cur[k];
      else cur = cur[k];
      continue;
    }
    if (!Array.isArray(cur)) return;
    const list: unknown[] = cur;
    let at = -1;
    if (e.startsWith('v:')) {
      const v = JSON.parse(e.slice(2)) as unknown;
      at = list.findIndex((x) => deepEqual(x, v));
    } else if (e.startsWith('k:')) {
      const key = JSON.parse(e.slice(2)) as JsonObject;
      at = list.findIndex((x) => isObject(x) && Object.entries(key).every(([k, v]) => deepEqual(x[k], v)));
    }
    if (at < 0) return;
    if (last) list.splice(at, 1);
    else cur = list[at];
  }
}

// ---------------------------------------------------------------------------------------------
// managedFields entries

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** BuildManagerIdentifier: the entry without time and fields; Apply entries also without apiVersion. */
function managerId(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({
    manager: m.manager,
    operation: m.operation,
    ...(m.operation === 'Update' && m.apiVersion ? { apiVersion: m.apiVersion } : {}),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  });
}

/** printManager: how a conflict names the other manager. */
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

function decodeManagers(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  const out: Manager[] = [];
  for (const e of entries) {
    if (!isObject(e)) continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    if (typeof e.apiVersion !== 'string' || !e.apiVersion || e.fieldsType !== 'FieldsV1') continue;
    out.push({
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      ...(typeof e.subresource === 'string' && e.subresource ? { subresource: e.subresource } : {}),
      ...(typeof e.time === 'string' ? { time: e.time } : {}),
      set: decodeFieldsV1(e.fieldsV1),
    });
  }
  return out;
}

function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return managers
    .filter((m) => m.set.size > 0)
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        seconds(p.time) - seconds(q.time) ||
        cmp(p.manager, q.manager) ||
        cmp(p.apiVersion, q.apiVersion) ||
        cmp(p.subresource ?? '', q.subresource ?? ''),
    )
    .map((m) => {
      const entry = {
        manager: m.manager,
        operation: m.operation,
        apiVersion: m.apiVersion,
        time: m.time ?? '',
        fieldsType: 'FieldsV1' as const,
        fieldsV1: encodeFieldsV1(m.set),
        ...(m.subresource ? { subresource: m.subresource } : {}),
      };
      if (m.time === undefined) delete (entry as Partial<typeof entry>).time;
      return entry as ManagedFieldsEntry;
    });
}

function withManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): KubeObject {
  const out = { ...obj, metadata: { ...obj.metadata } };
  if (entries.length > 0) out.metadata.managedFields = entries;
  else delete out.metadata.managedFields;
  return out;
}

/** The object without its managedFields, as the field manager compares objects. */
function content(obj: KubeObject | undefined): JsonObject {
  if (!obj) return {};
  const out = deepClone(obj) as JsonObject;
  if (isObject(out.metadata)) delete out.metadata.managedFields;
  return out;
}

/** ObjectMeta omits empty collections; drop the ones pruning may have emptied. */
function tidyMetadata(obj: JsonObject): void {
  const meta = obj.metadata;
  if (!isObject(meta)) return;
  for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
    const v = meta[k];
    if ((Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)) delete meta[k];
  }
}

function conflictError(conflicts: { manager: Manager; path: Path }[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  const first = conflicts[0];
  if (conflicts.length === 1 && first) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(first.manager)}: ${pathString(first.path)}`;
  } else {
    const byManager = new Map<string, { manager: Manager; paths: Path[] }>();
    for (const c of conflicts) {
      const id = managerId(c.manager);
      const group = byManager.get(id) ?? { manager: c.manager, paths: [] };
      group.paths.push(c.path);
      byManager.set(id, group);
    }
    const lines: string[] = [];
    for (const id of [...byManager.keys()].sort()) {
      const group = byManager.get(id) as { manager: Manager; paths: Path[] };
      lines.push(`conflicts with ${printManager(group.manager)}:`);
      for (const p of group.paths) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

// ---------------------------------------------------------------------------------------------
// Apply

export interface ApplyResult {
  object: KubeObject;
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  now: string;
  subresource?: string;
  /** Top-level fields this request may not set (the resource's reset fields). */
  ignoreTopLevel?: string[];
  /** When given, an applied configuration of another apiVersion is refused (400), as the apiserver does. */
  expectedApiVersion?: string;
  /** Extra list types by dotted path (e.g. from a CRD's x-kubernetes-list-type); merged over BUILTIN_LIST_TYPES. */
  listTypes?: Record<string, ListType>;
}

/**
 * Server-side apply of `applied` (the user's config) by `manager` onto `current` (undefined = create).
 * Throws ApiError 409 on conflicts unless force. `now` is an ISO timestamp for managedFields time.
 * `ignoreTopLevel` are top-level field names owned elsewhere (e.g. ['status'] for the main resource, or
 * everything except status for the /status subresource): they are neither written nor owned.
 */
export function serverSideApply(current: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): ApplyResult {
  const w: Walk = { listTypes: { ...BUILTIN_LIST_TYPES, ...opts.listTypes } };
  const ignore = opts.ignoreTopLevel ?? [];
  const appliedMeta = (applied as { metadata?: unknown }).metadata;
  if (isObject(appliedMeta) && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw new ApiError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  if (opts.expectedApiVersion !== undefined && applied.apiVersion !== opts.expectedApiVersion) {
    throw new ApiError(
      400,
      'BadRequest',
      `Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion}, expected: ${opts.expectedApiVersion}`,
    );
  }

  const config = deepClone(applied) as JsonObject;
  for (const f of ignore) delete config[f];
  if (isObject(config.metadata)) for (const f of SYSTEM_META) delete config.metadata[f];

  const live = content(current);
  const managers = decodeManagers(current?.metadata.managedFields);
  const self: Manager = {
    manager: opts.manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
    set: new FieldSet(),
  };
  const selfId = managerId(self);
  const previous = managers.find((m) => managerId(m) === selfId);
  const others = managers.filter((m) => managerId(m) !== selfId);

  const appliedSet = new FieldSet();
  appliedFields(config, [], '', w, appliedSet);
  self.set = stripSet(appliedSet, ignore);

  const merged = mergeApplied(live, config, '', w) as JsonObject;

  // Prune what this manager applied before and no longer applies, unless someone else owns it.
  if (previous) {
    const owned = others.reduce((acc, m) => acc.union(m.set), self.set);
    // Shallowest first: a removed list item takes its fields with it (and its key stays findable).
    const stale = previous.set
      .minus(owned)
      .list()
      .sort((a, b) => a.length - b.length);
    for (const p of stale) {
      if (!owned.hasDescendantOf(p)) removePath(merged, p);
    }
    tidyMetadata(merged);
  }

  const cmp = compareObjects(live, merged, w);
  const changed = cmp.added.union(cmp.modified);
  const conflicts: { manager: Manager; path: Path }[] = [];
  for (const m of others) {
    for (const p of m.set.intersect(changed).list()) conflicts.push({ manager: m, path: p });
  }
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);

  for (const m of others) m.set = m.set.minus(changed).minus(cmp.removed);

  const unchanged = deepEqual(live, merged);
  self.time = unchanged && previous?.time !== undefined ? previous.time : opts.now;

  const object = merged as KubeObject;
  return { object: withManagedFields(object, encodeManagers([...others, self])) };
}

// ---------------------------------------------------------------------------------------------
// Update tracking

export interface TrackOptions {
  manager: string;
  now: string;
  subresource?: string;
  ignoreTopLevel?: string[];
  listTypes?: Record<string, ListType>;
}

/**
 * After an ordinary create/update/patch, recomputes managedFields as the apiserver does: the fields that
 * changed between old and updated become owned by `manager` with operation Update (and are taken away
 * from every other entry); removed fields leave every entry; entries left owning nothing are dropped.
 * managedFields the request itself supplied (non-empty, main resource only) replace the stored ones
 * before tracking; `[{}]` strips managedFields entirely.
 */
export function trackUpdate(old: KubeObject | undefined, updated: KubeObject, opts: TrackOptions): KubeObject {
  const w: Walk = { listTypes: { ...BUILTIN_LIST_TYPES, ...opts.listTypes } };
  const ignore = opts.ignoreTopLevel ?? [];
  const given = updated.metadata.managedFields as unknown;
  if (Array.isArray(given) && given.length === 1 && isObject(given[0]) && Object.keys(given[0]).length === 0) {
    return withManagedFields(updated, []);
  }
  const givenManagers = decodeManagers(given);
  const useGiven = !opts.subresource && Array.isArray(given) && given.length > 0 && givenManagers.length === given.length;
  const managers = useGiven ? givenManagers : decodeManagers(old?.metadata.managedFields);

  const cmp = compareObjects(content(old), content(updated), w);
  const changed = stripSet(cmp.added.union(cmp.modified), ignore);
  const removed = cmp.removed;
  for (const m of managers) m.set = m.set.minus(changed).minus(removed);

  if (changed.size > 0) {
    const selfKey = {
      manager: opts.manager,
      operation: 'Update' as const,
      apiVersion: updated.apiVersion,
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    };
    const id = managerId(selfKey);
    const existing = managers.find((m) => managerId(m) === id);
    if (existing) {
      existing.set = existing.set.union(changed);
      existing.time = opts.now;
    } else {
      managers.push({ ...selfKey, time: opts.now, set: changed });
    }
  }
  return withManagedFields(updated, encodeManagers(managers));
}

/** The paths of a FieldsV1 set as conflict messages print them (handy for tests and debugging). */
export function fieldPaths(fieldsV1: Record<string, unknown>): string[] {
  return decodeFieldsV1(fieldsV1)
    .list()
    .map(pathString);
}

export { FieldSet };
