/**
 * The write and read paths every resource shares: create, update, patch, delete, get and list, with
 * the apiserver's rules for resourceVersion, generation, the status subresource, finalizers,
 * namespaces, schema validation and field ownership.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { serverSideApply, trackUpdate } from './apply.js';
import { deepEqual } from './json.js';
import { BUILTIN_MERGE_KEYS, jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { qualifiedResource, typeApiVersion } from './resources.js';
import { checkCustomResource } from './schema.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ObjectStore } from './store.js';
import { ApiError, type KubeObject, type ResourceType, type StatusCause } from './types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  fieldManager: string;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warnings for the `Warning` response header. */
  warnings: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Fields every object carries that are not the object's content, for the no-op and generation checks. */
const SYSTEM_META = ['resourceVersion', 'managedFields', 'generation'];

export function storeKey(type: { group: string; plural: string }): string {
  return `${type.group}/${type.plural}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function notFound(type: { group: string; plural: string }, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, { name, group: type.group, kind: type.plural });
}

export function conflict(
  type: { group: string; plural: string },
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`, { name, group: type.group, kind: type.plural });
}

function invalid(type: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const qualifiedKind = type.group ? `${type.kind}.${type.group}` : type.kind;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    group: type.group,
    kind: type.kind,
    causes,
  });
}

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

function asObject(value: unknown): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the body of the request must be a JSON object');
  const object = value as KubeObject;
  if (object.metadata !== undefined && (object.metadata === null || typeof object.metadata !== 'object' || Array.isArray(object.metadata))) {
    throw badRequest('metadata must be an object');
  }
  object.metadata ??= {};
  return object;
}

/** Everything but metadata and status: what a change of bumps `generation`. */
function specOf(object: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

function contentOf(object: KubeObject): unknown {
  const metadata: Record<string, unknown> = { ...object.metadata };
  for (const field of SYSTEM_META) delete metadata[field];
  const managed = object.metadata.managedFields?.map(({ time: _t, ...entry }) => entry);
  return { ...object, metadata, managed };
}

export class ObjectApi {
  constructor(
    private readonly store: ObjectStore,
    private readonly hooks: KindHooks,
  ) {}

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.store.get(storeKey(type), namespace, name);
    if (!object) throw notFound(type, name);
    return this.served(type, object);
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions): ListResult {
    const labels = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    const fields = options.fieldSelector ? parseFieldSelector(options.fieldSelector, (field) => this.hooks.selectableField(type, field)) : undefined;
    let start = '';
    let listRv = this.store.currentRv();
    if (options.continue) {
      const token = decodeContinue(options.continue);
      if (Number(token.rv) < this.store.oldestWatchableRv()) {
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      start = token.start;
      listRv = token.rv;
    }
    const matching = this.store
      .list(storeKey(type), namespace)
      .filter((o) => (!labels || labels(o.metadata.labels)) && (!fields || fields(o)))
      .filter((o) => objectKey(o) > start);
    const page = options.limit && options.limit > 0 ? matching.slice(0, options.limit) : matching;
    const rest = matching.length - page.length;
    const last = page[page.length - 1];
    return {
      items: page.map((o) => this.served(type, o)),
      resourceVersion: listRv,
      ...(rest > 0 && last ? { continue: encodeContinue(listRv, objectKey(last)), remainingItemCount: rest } : {}),
    };
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions): KubeObject {
    const object = this.checkIdentity(type, asObject(clone(body)), namespace);
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    if (!meta.name) throw invalid(type, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    this.checkNamespaceOpen(type, meta.namespace, meta.name);
    if (this.store.get(storeKey(type), meta.namespace, meta.name)) {
      throw new ApiError(409, 'AlreadyExists', `${qualifiedResource(type)} "${meta.name}" already exists`, { name: meta.name, group: type.group, kind: type.plural });
    }
    if (type.statusSubresource && type.custom) delete object.status;
    for (const field of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields']) delete meta[field];
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    if (type.custom || type.kind === 'CustomResourceDefinition') meta.generation = 1;
    this.hooks.beforeWrite(type, object, undefined);
    const checked = this.validate(type, object, undefined, options);
    const tracked = trackUpdate(undefined, checked, { manager: options.fieldManager, now: now() });
    return this.commit(type, undefined, tracked, options);
  }

  update(type: ResourceType, namespace: string | undefined, name: string, body: unknown, subresource: string, options: WriteOptions): KubeObject {
    const old = this.store.get(storeKey(type), namespace, name);
    if (!old) throw notFound(type, name);
    const object = this.checkIdentity(type, asObject(clone(body)), namespace, name);
    const rv = object.metadata.resourceVersion;
    if (!rv && type.custom) {
      throw invalid(type, name, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }]);
    }
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(type, name);
    return this.replace(type, old, object, subresource, options);
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    subresource: string,
    options: WriteOptions & { force: boolean },
  ): { object: KubeObject; created: boolean } {
    if (contentType === PATCH_TYPES.strategic && type.custom) throw unsupportedPatch(contentType, true);
    const old = this.store.get(storeKey(type), namespace, name);
    if (contentType === PATCH_TYPES.apply) return this.apply(type, namespace, name, old, patch, subresource, options);
    if (!old) throw notFound(type, name);
    const current = this.served(type, old);
    let patched: unknown;
    switch (contentType) {
      case PATCH_TYPES.json:
        patched = jsonPatch(current, patch);
        break;
      case PATCH_TYPES.merge:
        patched = mergePatch(current, patch);
        break;
      case PATCH_TYPES.strategic:
        patched = strategicMergePatch(current, patch, BUILTIN_MERGE_KEYS);
        break;
      default:
        throw unsupportedPatch(contentType, type.custom);
    }
    const object = this.checkIdentity(type, asObject(patched), namespace, name);
    const rv = object.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(type, name);
    return { object: this.replace(type, old, object, subresource, options), created: false };
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, deleteOptions: Record<string, unknown>, options: Pick<WriteOptions, 'dryRun'>): KubeObject {
    const old = this.store.get(storeKey(type), namespace, name);
    if (!old) throw notFound(type, name);
    const preconditions = (deleteOptions.preconditions ?? {}) as { uid?: string; resourceVersion?: string };
    if (preconditions.uid && preconditions.uid !== old.metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    if (options.dryRun) return this.served(type, old);
    if (old.metadata.deletionTimestamp) return this.served(type, old);
    const held = (old.metadata.finalizers?.length ?? 0) > 0 || this.hooks.holdsOnDelete(type, old);
    if (!held) return this.served(type, this.removeNow(type, old));
    const marked = clone(old);
    marked.metadata.deletionTimestamp = now();
    marked.metadata.deletionGracePeriodSeconds = 0;
    if (marked.metadata.generation !== undefined) marked.metadata.generation += 1;
    this.hooks.beforeWrite(type, marked, old);
    const stored = this.store.put(storeKey(type), marked, 'MODIFIED');
    this.hooks.afterDeleteMarked(type, stored);
    return this.served(type, this.store.get(storeKey(type), namespace, name) ?? stored);
  }

  /** Removes an object whose deletion nothing holds any longer, and lets its container finish terminating. */
  removeNow(type: ResourceType, object: KubeObject): KubeObject {
    const gone = this.store.remove(storeKey(type), object);
    this.hooks.afterRemove(type, gone);
    return gone;
  }

  /** The object as a client sees it: with its kind and apiVersion in the requested version. */
  served(type: ResourceType, object: KubeObject): KubeObject {
    return { ...clone(object), apiVersion: typeApiVersion(type), kind: type.kind };
  }

  private apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    old: KubeObject | undefined,
    patch: unknown,
    subresource: string,
    options: WriteOptions & { force: boolean },
  ): { object: KubeObject; created: boolean } {
    const applied = this.checkIdentity(type, asObject(clone(patch)), namespace, name);
    if (!options.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
    if (!applied.apiVersion || !applied.kind) throw badRequest('apiVersion and kind are required for apply requests');
    const ignoreTopLevel = type.statusSubresource ? (subresource === 'status' ? undefined : ['status']) : undefined;
    if (!old) {
      this.checkNamespaceOpen(type, namespace, name);
      const { object } = serverSideApply(undefined, applied, { manager: options.fieldManager, force: options.force, now: now(), ignoreTopLevel });
      object.metadata.name = name;
      if (type.namespaced) object.metadata.namespace = namespace;
      object.metadata.uid = randomUUID();
      object.metadata.creationTimestamp = now();
      if (type.custom) object.metadata.generation = 1;
      if (type.statusSubresource && type.custom) delete object.status;
      this.hooks.beforeWrite(type, object, undefined);
      const checked = this.validate(type, object, undefined, options);
      return { object: this.commit(type, undefined, checked, options), created: true };
    }
    if (applied.metadata.resourceVersion && applied.metadata.resourceVersion !== old.metadata.resourceVersion) throw conflict(type, name);
    const current = this.served(type, old);
    const { object } = serverSideApply(current, applied, { manager: options.fieldManager, force: options.force, now: now(), subresource: subresource || undefined, ignoreTopLevel });
    return { object: this.replace(type, old, object, subresource, options, false), created: false };
  }

  /** Shared tail of update and patch: keep what the request may not change, then validate and store. */
  private replace(type: ResourceType, old: KubeObject, requested: KubeObject, subresource: string, options: WriteOptions, track = true): KubeObject {
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...clone(old), status: requested.status };
      if (requested.status === undefined) delete next.status;
      next.metadata.managedFields = requested.metadata.managedFields ?? old.metadata.managedFields;
    } else {
      next = requested;
      if (type.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
    }
    const meta = next.metadata;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    meta.deletionTimestamp = old.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
    if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
    meta.generation = old.metadata.generation;
    if (meta.generation === undefined) delete meta.generation;
    else if (!deepEqual(specOf(next), specOf(old))) meta.generation += 1;
    if (old.metadata.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw invalid(type, meta.name ?? '', [
          {
            reason: 'FieldValueForbidden',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
            field: 'metadata.finalizers',
          },
        ]);
      }
    }
    this.hooks.beforeWrite(type, next, old);
    const checked = this.validate(type, next, old, options);
    const tracked = track ? trackUpdate(this.served(type, old), checked, { manager: options.fieldManager, now: now(), subresource: subresource || undefined }) : checked;
    return this.commit(type, old, tracked, options);
  }

  private commit(type: ResourceType, old: KubeObject | undefined, next: KubeObject, options: WriteOptions): KubeObject {
    if (old && deepEqual(contentOf(this.served(type, old)), contentOf(this.served(type, next)))) return this.served(type, old);
    if (options.dryRun) return this.served(type, { ...next, metadata: { ...next.metadata, resourceVersion: old?.metadata.resourceVersion ?? '' } });
    const { apiVersion: _a, kind: _k, ...content } = next;
    const toStore = { apiVersion: typeApiVersion(type), kind: type.kind, ...content } as KubeObject;
    if (old && toStore.metadata.deletionTimestamp && (toStore.metadata.finalizers?.length ?? 0) === 0 && !this.hooks.holdsOnDelete(type, toStore)) {
      return this.served(type, this.removeNow(type, toStore));
    }
    const stored = this.store.put(storeKey(type), toStore, old ? 'MODIFIED' : 'ADDED');
    this.hooks.afterWrite(type, stored, old);
    return this.served(type, stored);
  }

  /** Schema, CEL and name checks for custom resources; the kind's own checks for built-ins. */
  private validate(type: ResourceType, object: KubeObject, old: KubeObject | undefined, options: WriteOptions): KubeObject {
    const name = object.metadata.name ?? '';
    const causes: StatusCause[] = [];
    let checked = object;
    if (type.custom && type.schema) {
      const result = checkCustomResource(type.schema, object, old);
      checked = result.object;
      causes.push(...result.causes);
      if (result.unknownFields.length > 0) {
        const described = result.unknownFields.map((f) => `unknown field "${f.replace(/^\./, '')}"`);
        if (options.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${described.join(', ')}`);
        if (options.fieldValidation === 'Warn') options.warnings.push(...described);
      }
    }
    if (!old) causes.unshift(...this.hooks.validateName(type, name));
    causes.push(...this.hooks.validate(type, checked, old));
    if (causes.length > 0) throw invalid(type, name, causes);
    return checked;
  }

  private checkIdentity(type: ResourceType, object: KubeObject, namespace: string | undefined, name?: string): KubeObject {
    const expected = typeApiVersion(type);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`);
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${type.kind})`);
    }
    object.apiVersion = expected;
    object.kind = type.kind;
    const meta = object.metadata;
    if (name !== undefined) {
      if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      meta.name = name;
    }
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    return object;
  }

  private checkNamespaceOpen(type: ResourceType, namespace: string | undefined, name: string): void {
    if (!type.namespaced || namespace === undefined) return;
    const ns = this.store.get('/namespaces', undefined, namespace);
    if (!ns) throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `${qualifiedResource(type)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name,
        group: type.group,
        kind: type.plural,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

}

function unsupportedPatch(contentType: string, custom: boolean): ApiError {
  const accepted = custom
    ? 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'
    : 'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml';
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted}`);
}

function objectKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

function encodeContinue(rv: string, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'agentcore.test/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: string; start: string } {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof decoded.rv === 'string' && typeof decoded.start === 'string') return { rv: decoded.rv, start: decoded.start };
  } catch {
    // fall through to the apiserver's answer for a token it cannot read
  }
  throw badRequest(`continue key is not valid: ${token}`);
}

/** What built-in kinds add to the shared paths; see kinds.ts. */
export interface KindHooks {
  beforeWrite(type: ResourceType, object: KubeObject, old: KubeObject | undefined): void;
  afterWrite(type: ResourceType, stored: KubeObject, old: KubeObject | undefined): void;
  validateName(type: ResourceType, name: string): StatusCause[];
  validate(type: ResourceType, object: KubeObject, old: KubeObject | undefined): StatusCause[];
  /** True when deleting this object must wait although it has no finalizers (a namespace with content). */
  holdsOnDelete(type: ResourceType, object: KubeObject): boolean;
  afterDeleteMarked(type: ResourceType, object: KubeObject): void;
  afterRemove(type: ResourceType, object: KubeObject): void;
  selectableField(type: ResourceType, field: string): boolean;
}
