/**
 * What the built-in kinds add to the shared write path, as their registry strategies and controllers do
 * in a real cluster: namespaces terminate with their content, Secrets fold stringData into data, and a
 * CustomResourceDefinition serves its kinds once stored and takes its objects with it when deleted.
 */
import type { KindHooks, ObjectApi } from './objects.js';
import { storeKey } from './objects.js';
import type { Registry } from './resources.js';
import { typesFromCrd } from './resources.js';
import { validateObjectName } from './schema.js';
import type { ObjectStore } from './store.js';
import { ApiError, type KubeObject, type ResourceType, type StatusCause } from './types.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

const SELECTABLE_FIELDS: Record<string, string[]> = {
  '/namespaces': ['status.phase'],
  '/secrets': ['type'],
  '/events': EVENT_FIELDS,
  'events.k8s.io/events': ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'reason', 'reportingController', 'type'],
};

function isKind(type: ResourceType, group: string, plural: string): boolean {
  return type.group === group && type.plural === plural;
}

export class BuiltinKinds implements KindHooks {
  private api!: ObjectApi;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: Registry,
  ) {}

  attach(api: ObjectApi): void {
    this.api = api;
  }

  beforeWrite(type: ResourceType, object: KubeObject, old: KubeObject | undefined): void {
    if (isKind(type, '', 'namespaces')) {
      object.spec = { finalizers: ['kubernetes'], ...((object.spec as object | undefined) ?? {}) };
      object.status = { ...((object.status as object | undefined) ?? {}), phase: object.metadata.deletionTimestamp ? 'Terminating' : 'Active' };
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name ?? '' };
    } else if (isKind(type, '', 'secrets')) {
      const stringData = object.stringData as Record<string, string> | undefined;
      if (stringData) {
        const data = { ...((object.data as Record<string, string> | undefined) ?? {}) };
        for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        object.data = data;
        delete object.stringData;
      }
      object.type ??= (old?.type as string | undefined) ?? 'Opaque';
    } else if (isKind(type, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
      const spec = object.spec as { names?: unknown; versions?: { name: string; storage?: boolean }[] } | undefined;
      const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const condition = (t: string, reason: string, message: string) => ({ type: t, status: 'True', lastTransitionTime: at, reason, message });
      object.status = {
        conditions: [
          condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
          condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
          ...(object.metadata.deletionTimestamp ? [condition('Terminating', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress')] : []),
        ],
        acceptedNames: spec?.names ?? {},
        storedVersions: (spec?.versions ?? []).filter((v) => v.storage).map((v) => v.name),
      };
    }
  }

  afterWrite(type: ResourceType, stored: KubeObject): void {
    if (isKind(type, 'apiextensions.k8s.io', 'customresourcedefinitions') && !stored.metadata.deletionTimestamp) this.registry.install(stored);
  }

  validateName(type: ResourceType, name: string): StatusCause[] {
    if (type.group === 'rbac.authorization.k8s.io') {
      return /[/%]/.test(name) || name === '.' || name === '..'
        ? [{ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": may not contain '/' or '%'`, field: 'metadata.name' }]
        : [];
    }
    if (isKind(type, '', 'namespaces')) {
      if (DNS_LABEL.test(name) && name.length <= 63) return [];
      return [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
          field: 'metadata.name',
        },
      ];
    }
    return validateObjectName(name, 'metadata.name');
  }

  validate(type: ResourceType, object: KubeObject, old: KubeObject | undefined): StatusCause[] {
    if (isKind(type, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
      try {
        typesFromCrd(object);
      } catch (error) {
        if (error instanceof ApiError) return error.details?.causes ?? [{ reason: 'FieldValueInvalid', message: error.message }];
        throw error;
      }
      const oldScope = (old?.spec as { scope?: string } | undefined)?.scope;
      if (old && oldScope !== (object.spec as { scope?: string }).scope) return [{ reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable', field: 'spec.scope' }];
    }
    if (isKind(type, '', 'secrets')) {
      const causes: StatusCause[] = [];
      for (const [k, v] of Object.entries((object.data as Record<string, unknown> | undefined) ?? {})) {
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: illegal base64 data', field: `data[${k}]` });
      }
      return causes;
    }
    return [];
  }

  holdsOnDelete(type: ResourceType, object: KubeObject): boolean {
    if (isKind(type, '', 'namespaces')) return this.contentOf(object.metadata.name ?? '').length > 0;
    if (isKind(type, 'apiextensions.k8s.io', 'customresourcedefinitions')) return this.instancesOf(object).length > 0;
    return false;
  }

  /** A namespace or CRD marked for deletion deletes what it holds, and goes once that is gone. */
  afterDeleteMarked(type: ResourceType, object: KubeObject): void {
    if (isKind(type, '', 'namespaces')) {
      for (const [t, o] of this.contentOf(object.metadata.name ?? '')) this.deleteQuietly(t, o);
    } else if (isKind(type, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
      for (const [t, o] of this.instancesOf(object)) this.deleteQuietly(t, o);
    }
    this.finishIfEmpty(type, object);
  }

  afterRemove(type: ResourceType, object: KubeObject): void {
    if (isKind(type, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
      this.registry.uninstall(object.metadata.name ?? '');
      return;
    }
    const namespace = object.metadata.namespace;
    if (namespace) {
      const ns = this.store.get('/namespaces', undefined, namespace);
      const nsType = this.registry.find('', 'v1', 'namespaces')!;
      if (ns?.metadata.deletionTimestamp) this.finishIfEmpty(nsType, ns);
    }
    if (type.custom) {
      const crdType = this.registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
      const crd = this.store.get(storeKey(crdType), undefined, `${type.plural}.${type.group}`);
      if (crd?.metadata.deletionTimestamp) this.finishIfEmpty(crdType, crd);
    }
  }

  selectableField(type: ResourceType, field: string): boolean {
    return field === 'metadata.name' || (type.namespaced && field === 'metadata.namespace') || (SELECTABLE_FIELDS[storeKey(type)] ?? []).includes(field);
  }

  private finishIfEmpty(type: ResourceType, object: KubeObject): void {
    const current = this.store.get(storeKey(type), object.metadata.namespace, object.metadata.name ?? '');
    if (current?.metadata.deletionTimestamp && (current.metadata.finalizers?.length ?? 0) === 0 && !this.holdsOnDelete(type, current)) this.api.removeNow(type, current);
  }

  private deleteQuietly(type: ResourceType, object: KubeObject): void {
    try {
      this.api.delete(type, object.metadata.namespace, object.metadata.name ?? '', {}, { dryRun: false });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }

  private contentOf(namespace: string): [ResourceType, KubeObject][] {
    const found: [ResourceType, KubeObject][] = [];
    const seen = new Set<string>();
    for (const type of this.registry.all()) {
      if (!type.namespaced || seen.has(storeKey(type))) continue;
      seen.add(storeKey(type));
      for (const object of this.store.list(storeKey(type), namespace)) found.push([type, object]);
    }
    return found;
  }

  private instancesOf(crd: KubeObject): [ResourceType, KubeObject][] {
    const spec = crd.spec as { group: string; names: { plural: string } };
    const type = this.registry.anyVersion(spec.group, spec.names.plural);
    return type ? this.store.list(storeKey(type)).map((o) => [type, o]) : [];
  }
}
