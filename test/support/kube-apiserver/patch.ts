/**
 * The three PATCH content types kube-apiserver accepts besides apply: JSON merge patch (RFC 7386),
 * JSON patch (RFC 6902) and strategic merge patch. All functions are pure: they never mutate their
 * inputs and return a fresh document.
 *
 * Failures are thrown as `ApiError`, coded and worded as k8s.io/apiserver's handlers/patch.go answers them:
 * - a patch document of the wrong shape is 400 BadRequest (the decoder's message);
 * - a JSON patch that does not apply (failed `test`, missing path, bad index, unknown op) is
 *   `NewGenericServerResponse(422, ...)`: reason Invalid, the fixed message "the server rejected our
 *   request due to an error in our request" and empty details (the json-patch library's own message is
 *   dropped by the server);
 * - a merge patch of `null` is 400 "Invalid JSON Patch";
 * - strategic merge patch directive format errors are 400 (mergepatch's sentinel errors), "patch content
 *   doesn't match retainKeys list" / "lists of lists are not supported" are 422 as above, and other
 *   strategic merge errors (unknown `$patch`, missing merge key) are plain errors the server answers
 *   with 500 and an empty reason.
 */
import { deepClone, deepEqual, isObject, type JsonObject } from './json.js';
import { ApiError } from './types.js';

/** `NewGenericServerResponse(http.StatusUnprocessableEntity, "", GroupResource{}, "", msg, 0, false)`. */
function unprocessable(): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** A plain Go error surfaced by the handler: 500, reason unset (StatusReasonUnknown is ""). */
function internalPlain(message: string): ApiError {
  return new ApiError(500, '', message);
}

/** The Go JSON decoder's name for a JSON value's type, as in "cannot unmarshal <type> into ...". */
function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Go's `%v` of a decoded JSON value (maps print with sorted keys). */
function goFormat(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386)

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

/**
 * RFC 7386 merge patch: objects merge recursively, `null` deletes a key, anything else replaces.
 * A top-level `null` patch is refused as the apiserver refuses it (400 "Invalid JSON Patch").
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null) throw badRequest('Invalid JSON Patch');
  return mergeValue(target, patch);
}

// ---------------------------------------------------------------------------------------------
// JSON patch (RFC 6902)

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw unprocessable();
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw unprocessable();
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw unprocessable();
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw unprocessable();
  return i;
}

/** The container holding the pointer's last token (which must exist), and that token. */
function parentOf(doc: unknown, tokens: string[]): { parent: unknown; last: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw unprocessable();
  }
  const last = tokens[tokens.length - 1];
  if (last === undefined) throw unprocessable();
  return { parent: cur, last };
}

function getAt(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return doc;
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false)];
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) return parent[last];
  throw unprocessable();
}

/** Works on a private deep copy, so in-place edits are safe. Returns the new root. */
function addAt(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw unprocessable();
  return doc;
}

function removeAt(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) throw unprocessable();
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last];
  else throw unprocessable();
  return doc;
}

/**
 * Applies an RFC 6902 operation list. The patch must be a JSON array of objects (400 otherwise, worded
 * as the Go decoder words it); any operation that does not apply answers 422 Invalid, as the apiserver
 * does.
 */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (operations === null) return deepClone(target);
  if (!Array.isArray(operations)) {
    throw badRequest(`json: cannot unmarshal ${goJsonType(operations)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of operations) {
    if (op !== null && !isObject(op)) {
      throw badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (operations.length > 10000) {
    throw new ApiError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got ${operations.length}`,
    );
  }
  let doc = deepClone(target);
  for (const raw of operations as (JsonObject | null)[]) {
    if (raw === null) throw unprocessable();
    const path = parsePointer(raw.path);
    const hasValue = Object.prototype.hasOwnProperty.call(raw, 'value');
    switch (raw.op) {
      case 'add':
        if (!hasValue) throw unprocessable();
        doc = addAt(doc, path, deepClone(raw.value));
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        if (!hasValue) throw unprocessable();
        getAt(doc, path);
        doc = path.length === 0 ? deepClone(raw.value) : addAt(removeAt(doc, path), path, deepClone(raw.value));
        break;
      case 'move': {
        const from = parsePointer(raw.from);
        const isPrefix = from.length < path.length && from.every((t, i) => path[i] === t);
        if (isPrefix) throw unprocessable();
        const value = getAt(doc, from);
        doc = addAt(removeAt(doc, from), path, value);
        break;
      }
      case 'copy': {
        const value = deepClone(getAt(doc, parsePointer(raw.from)));
        doc = addAt(doc, path, value);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, path), hasValue ? raw.value : null)) throw unprocessable();
        break;
      default:
        throw unprocessable();
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/** Value in a merge-key table that marks a list of primitives merged as a set (patchStrategy merge). */
export const PRIMITIVE_MERGE = '';

/**
 * The built-in kinds' `patchStrategy: merge` lists, path -> patchMergeKey (PRIMITIVE_MERGE for
 * primitive lists). A path matches a list at that exact dotted path (list items add no segment) or at
 * any path ending in `.<key>`, so `containers` covers Pods, pod templates and CronJobs alike. Every
 * other list is replaced whole.
 */
export const BUILTIN_MERGE_KEYS: Readonly<Record<string, string>> = {
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': PRIMITIVE_MERGE,
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  'containers.env': 'name',
  'initContainers.env': 'name',
  'containers.ports': 'containerPort',
  'initContainers.ports': 'containerPort',
  'containers.volumeMounts': 'mountPath',
  'initContainers.volumeMounts': 'mountPath',
  'spec.volumes': 'name',
  'spec.imagePullSecrets': 'name',
  'spec.hostAliases': 'ip',
  /** Service ports */
  'spec.ports': 'port',
  /** ServiceAccount secrets */
  secrets: 'name',
};

function mergeKeyFor(path: string, table: Readonly<Record<string, string>>): string | undefined {
  if (Object.prototype.hasOwnProperty.call(table, path)) return table[path];
  let best: string | undefined;
  let bestLen = -1;
  for (const [k, v] of Object.entries(table)) {
    if (path.endsWith(`.${k}`) && k.length > bestLen) {
      best = v;
      bestLen = k.length;
    }
  }
  return best;
}

const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ORDER = '$setElementOrder/';
const RETAIN_KEYS = '$retainKeys';
const PATCH = '$patch';

interface SmpContext {
  table: Readonly<Record<string, string>>;
}

/** A patch value placed where nothing was: directives are processed against an empty original. */
function smpFresh(patch: unknown, path: string, ctx: SmpContext): unknown {
  if (isObject(patch)) return smpMap({}, patch, path, ctx);
  if (Array.isArray(patch)) return smpList([], patch, path, ctx);
  return patch;
}

/** Merges a patch map into an original map; returns undefined when the map is deleted (`$patch: delete`). */
function smpMap(original: JsonObject, patch: JsonObject, path: string, ctx: SmpContext): JsonObject | undefined {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === 'delete') return undefined;
    if (directive === 'replace') {
      const rest: JsonObject = { ...patch };
      delete rest[PATCH];
      return smpMap({}, rest, path, ctx);
    }
    if (directive !== 'merge') throw internalPlain(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }

  let retainKeys: string[] | undefined;
  if (Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) {
    const rk = patch[RETAIN_KEYS];
    if (!Array.isArray(rk) || !rk.every((x) => typeof x === 'string')) {
      throw badRequest('invalid patch format of retainKeys');
    }
    retainKeys = rk as string[];
    for (const k of Object.keys(patch)) {
      if (k.startsWith('$')) continue;
      if (!retainKeys.includes(k)) throw unprocessable();
    }
  }

  const out: JsonObject = { ...original };
  const orders: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === PATCH || key === RETAIN_KEYS) continue;
    const childPath = path ? `${path}.${key}` : key;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      if (!Array.isArray(value)) throw badRequest('invalid patch format of primitive list');
      const cur = out[field];
      if (Array.isArray(cur)) {
        const kept = cur.filter((item) => !value.some((d) => deepEqual(d, item)));
        out[field] = kept;
      }
      continue;
    }
    if (key.startsWith(SET_ORDER)) {
      if (!Array.isArray(value)) throw badRequest('invalid patch format of setElementOrder list');
      orders.push([key.slice(SET_ORDER.length), value]);
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const cur = out[key];
    if (isObject(value)) {
      const merged = smpMap(isObject(cur) ? cur : {}, value, childPath, ctx);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = smpList(Array.isArray(cur) ? cur : [], value, childPath, ctx);
    } else {
      out[key] = value;
    }
  }

  for (const [field, order] of orders) {
    const cur = out[field];
    if (Array.isArray(cur)) {
      out[field] = applyOrder(cur, order as unknown[], mergeKeyFor(path ? `${path}.${field}` : field, ctx.table));
    }
  }

  if (retainKeys) {
    for (const k of Object.keys(out)) {
      if (!retainKeys.includes(k)) delete out[k];
    }
  }
  return out;
}

/** Orders a merged list by a `$setElementOrder` list: listed items first, in that order, then the rest. */
function applyOrder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const identity = (item: unknown): unknown =>
    mergeKey !== undefined && mergeKey !== PRIMITIVE_MERGE && isObject(item) ? item[mergeKey] : item;
  const wanted = order.map((o) => (mergeKey !== undefined && mergeKey !== PRIMITIVE_MERGE && isObject(o) ? o[mergeKey] : o));
  const rank = (item: unknown): number => {
    const id = identity(item);
    const i = wanted.findIndex((w) => deepEqual(w, id));
    return i < 0 ? wanted.length : i;
  };
  return list
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

function smpList(original: unknown[], patch: unknown[], path: string, ctx: SmpContext): unknown[] {
  const mergeKey = mergeKeyFor(path, ctx.table);
  // `{"$patch": "replace"}` as a list item: the rest of the patch list replaces the original.
  const replaceMarker = patch.findIndex((item) => isObject(item) && item[PATCH] === 'replace' && Object.keys(item).length === 1);
  if (replaceMarker >= 0) {
    const rest = patch.filter((_, i) => i !== replaceMarker);
    return rest.map((item) => smpFresh(item, path, ctx));
  }
  if (mergeKey === undefined) {
    return patch.map((item) => smpFresh(item, path, ctx));
  }
  if (mergeKey === PRIMITIVE_MERGE) {
    const out = [...original];
    for (const item of patch) {
      if (isObject(item) || Array.isArray(item)) throw badRequest('invalid patch format of primitive list');
      if (!out.some((o) => deepEqual(o, item))) out.push(item);
    }
    return out;
  }
  const out: unknown[] = [...original];
  for (const item of patch) {
    if (Array.isArray(item)) throw unprocessable(); // lists of lists are not supported
    if (!isObject(item)) throw internalPlain(`expected a map, but received a ${goJsonType(item)}`);
    if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) {
      throw internalPlain(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const key = item[mergeKey];
    const index = out.findIndex((o) => isObject(o) && deepEqual(o[mergeKey], key));
    if (item[PATCH] === 'delete') {
      if (index >= 0) {
        for (let i = out.length - 1; i >= 0; i--) {
          const o = out[i];
          if (isObject(o) && deepEqual(o[mergeKey], key)) out.splice(i, 1);
        }
      }
      continue;
    }
    if (index >= 0) {
      const merged = smpMap(out[index] as JsonObject, item, path, ctx);
      if (merged === undefined) out.splice(index, 1);
      else out[index] = merged;
    } else {
      const fresh = smpMap({}, item, path, ctx);
      if (fresh !== undefined) out.push(fresh);
    }
  }
  return out;
}

/**
 * Strategic merge patch as kube-apiserver applies it to the built-in kinds: maps merge like a merge
 * patch (`null` deletes), lists are replaced unless their path has a merge key in `mergeKeys`
 * (default BUILTIN_MERGE_KEYS), in which case items with the same key merge, new items are appended,
 * and primitive lists marked PRIMITIVE_MERGE are unioned. Directives: `$patch: replace|delete|merge`
 * on maps and list items, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` (honoured:
 * listed items first, in order) and `$retainKeys` (honoured: other keys are dropped).
 */
export function strategicMergePatch(target: unknown, patch: unknown, mergeKeys?: Record<string, string>): unknown {
  if (!isObject(patch)) {
    if (patch === null) return deepClone(target);
    throw badRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type map[string]interface {}`);
  }
  if (!isObject(target)) throw badRequest('invalid JSON document');
  const ctx: SmpContext = { table: mergeKeys ?? BUILTIN_MERGE_KEYS };
  const result = smpMap(deepClone(target), patch, '', ctx);
  return result ?? {};
}
