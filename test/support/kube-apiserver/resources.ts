/**
 * The resource types the test server serves: the built-in kinds the operator and kubectl touch, and
 * whatever installed CustomResourceDefinitions add.
 */
import { ApiError, apiVersionOf, type KubeObject, type PrinterColumn, type ResourceType } from './types.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(group: string, version: string, kind: string, plural: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced,
    verbs: ALL_VERBS,
    statusSubresource: false,
    printerColumns: [],
    custom: false,
    ...extra,
  };
}

export function builtinTypes(): ResourceType[] {
  return [
    builtin('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], statusSubresource: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
    builtin('', 'v1', 'Secret', 'secrets', true),
    builtin('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
    builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
    builtin('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
    builtin('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
    builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
    builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
    builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
    builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
    builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
    builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, { shortNames: ['crd', 'crds'], categories: ['api-extensions'], statusSubresource: true }),
    builtin('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
  ];
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

/** The resource types a CRD serves, one per served version; throws 422 when the CRD cannot be served. */
export function typesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = crd.spec as CrdSpec | undefined;
  const name = crd.metadata.name ?? '';
  const invalid = (field: string, message: string): ApiError =>
    new ApiError(422, 'Invalid', `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: ${field}: ${message}`, {
      name,
      group: 'apiextensions.k8s.io',
      kind: 'CustomResourceDefinition',
      causes: [{ reason: 'FieldValueInvalid', message, field }],
    });
  if (!spec?.group) throw invalid('spec.group', 'Required value');
  if (!spec.names?.plural || !spec.names.kind) throw invalid('spec.names', 'Required value');
  if (name !== `${spec.names.plural}.${spec.group}`) throw invalid('metadata.name', `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`);
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) throw invalid('spec.versions', 'Invalid value: null: must have exactly one version marked as storage version');
  if (spec.versions.filter((v) => v.storage).length !== 1) throw invalid('spec.versions', 'Invalid value: ...: must have exactly one version marked as storage version');
  for (const [i, version] of spec.versions.entries()) {
    if (!version.schema?.openAPIV3Schema) throw invalid(`spec.versions[${i}].schema.openAPIV3Schema`, 'Required value: schemas are required');
  }
  return spec.versions
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      namespaced: spec.scope !== 'Cluster',
      verbs: ALL_VERBS,
      statusSubresource: v.subresources?.status !== undefined,
      schema: v.schema?.openAPIV3Schema,
      printerColumns: v.additionalPrinterColumns ?? [],
      custom: true,
    }));
}

/** Which types are served, looked up by the URL's group, version and plural. */
export class Registry {
  private readonly builtins = builtinTypes();
  private readonly custom = new Map<string, ResourceType[]>();

  all(): ResourceType[] {
    return [...this.builtins, ...[...this.custom.values()].flat()];
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** Any served version of a group/resource, for objects that outlive a version change. */
  anyVersion(group: string, plural: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.plural === plural);
  }

  install(crd: KubeObject): void {
    this.custom.set(crd.metadata.name ?? '', typesFromCrd(crd));
  }

  uninstall(crdName: string): void {
    this.custom.delete(crdName);
  }

  clearCustom(): void {
    this.custom.clear();
  }

  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.all()) {
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }
}

export function typeApiVersion(type: ResourceType): string {
  return apiVersionOf(type.group, type.version);
}

/** `agentruntimes.agentcore.dev`, or `secrets` for the core group: how Status messages name a resource. */
export function qualifiedResource(type: { group: string; plural: string }): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}
