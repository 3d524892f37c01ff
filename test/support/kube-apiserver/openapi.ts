/**
 * OpenAPI v3 as kube-apiserver publishes it under /openapi/v3: an index of group-versions, each
 * pointing at a document (`/openapi/v3/apis/<group>/<version>?hash=<SHA-512 hex>`) with the paths of
 * every resource of that group-version and `components.schemas` holding one schema per kind.
 *
 * What kubectl reads from it:
 * - `kubectl explain`: the schema whose `x-kubernetes-group-version-kind` lists the resource's GVK,
 *   following `$ref`s (wrapped in `allOf`, as the apiserver writes them) into ObjectMeta and friends;
 * - `kubectl apply/create/replace --validate=strict|warn`: QueryParamVerifierV3 looks for a PATCH
 *   operation tagged with the kind's GVK (`x-kubernetes-group-version-kind` on the operation) whose
 *   parameters include the query parameter `fieldValidation`;
 * - client-side `kubectl apply`: if that PATCH operation accepts
 *   `application/strategic-merge-patch+json` (built-in kinds only; never custom resources) kubectl
 *   computes a strategic merge patch from the schema's `x-kubernetes-patch-strategy` /
 *   `x-kubernetes-patch-merge-key`; otherwise it sends a JSON merge patch.
 *
 * Custom resources are named like apiextensions-apiserver names them (`dev.agentcore.v1alpha1.AgentRuntime`,
 * the group reversed) and built from the CRD's openAPIV3Schema with the standard apiVersion/kind/metadata
 * properties; built-in kinds get a compact hand-written schema of their well-known fields.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf, type ResourceType } from './types.js';

type Schema = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ref = (name: string): string => `#/components/schemas/${name}`;
/** How the apiserver writes a reference with siblings in OpenAPI v3. */
const refTo = (name: string, extra: Schema = {}): Schema => ({ allOf: [{ $ref: ref(name) }], ...extra });

export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DESCRIPTION =
  'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

const stringMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string', default: '' } });

// ---- apimachinery schemas -----------------------------------------------------------------------

const META_SCHEMAS: Record<string, Schema> = {
  [`${META}.Time`]: {
    type: 'string',
    format: 'date-time',
    description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
  },
  [`${META}.FieldsV1`]: {
    type: 'object',
    description:
      "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
  },
  [`${META}.ManagedFieldsEntry`]: {
    type: 'object',
    description: 'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the version of this resource that this field set applies to. The format is "group/version" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted.' },
      fieldsType: { type: 'string', description: 'FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"' },
      fieldsV1: refTo(`${META}.FieldsV1`, { description: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.' }),
      manager: { type: 'string', description: 'Manager is an identifier of the workflow managing these fields.' },
      operation: { type: 'string', description: "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'." },
      subresource: { type: 'string', description: 'Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name. For example, a status update will be distinct from a regular update using the same manager name. Note that the APIVersion field is not related to the Subresource field and it always corresponds to the version of the main resource.' },
      time: refTo(`${META}.Time`, { description: "Time is the timestamp of when the ManagedFields entry was added. The timestamp will also be updated if a field is added, the manager changes any of the owned fields value or removes a field. The timestamp does not update when a field is removed from the entry because another manager took it over." }),
    },
  },
  [`${META}.OwnerReference`]: {
    type: 'object',
    description: 'OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    properties: {
      apiVersion: { type: 'string', default: '', description: 'API version of the referent.' },
      blockOwnerDeletion: { type: 'boolean', description: 'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed. See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion for how the garbage collector interacts with this field and enforces the foreground deletion. Defaults to false. To set this field, a user needs "delete" permission of the owner, otherwise 422 (Unprocessable Entity) will be returned.' },
      controller: { type: 'boolean', description: 'If true, this reference points to the managing controller.' },
      kind: { type: 'string', default: '', description: 'Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
      name: { type: 'string', default: '', description: 'Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names' },
      uid: { type: 'string', default: '', description: 'UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids' },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [OBJECT_META]: {
    type: 'object',
    description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    properties: {
      annotations: stringMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations'),
      creationTimestamp: refTo(`${META}.Time`, {
        description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
      }),
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.' },
      deletionTimestamp: refTo(`${META}.Time`, {
        description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client. The resource is expected to be deleted (no longer visible from resource lists, and not reachable by name) after the time in this field, once the finalizers list is empty. As long as the finalizers list contains items, deletion is blocked. Once the deletionTimestamp is set, this value may not be unset or be set further into the future, although it may be shortened or the resource may be deleted prior to this time.\n\nPopulated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
      }),
      finalizers: {
        type: 'array',
        description: 'Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.  Order is NOT enforced because it introduces significant risk of stuck finalizers. finalizers is a shared field, any actor with permission can reorder it. If the finalizer list is processed in order, then this can lead to a situation in which the component responsible for the first finalizer in the list is waiting for a signal (field value, external system, or other) produced by a component responsible for a finalizer later in the list, resulting in a deadlock. Without enforced ordering finalizers are free to order amongst themselves and are not vulnerable to ordering changes in the list.',
        items: { type: 'string', default: '' },
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
      generateName: { type: 'string', description: 'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. The provided value has the same validation rules as the Name field, and may be truncated by the length of the suffix required to make the value unique on the server.\n\nIf this field is specified and the generated name exists, the server will return a 409.\n\nApplied only if Name is not specified. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency' },
      generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.' },
      labels: stringMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels'),
      managedFields: {
        type: 'array',
        description: "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name, or the name of a specific apply path like \"ci-cd\". The set of fields is always in the version that the workflow used when modifying the object.",
        items: refTo(`${META}.ManagedFieldsEntry`, { default: {} }),
        'x-kubernetes-list-type': 'atomic',
      },
      name: { type: 'string', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names' },
      namespace: { type: 'string', description: 'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces' },
      ownerReferences: {
        type: 'array',
        description: 'List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.',
        items: refTo(`${META}.OwnerReference`, { default: {} }),
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
      resourceVersion: { type: 'string', description: 'An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. They may only be valid for a particular resource or set of resources.\n\nPopulated by the system. Read-only. Value must be treated as opaque by clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency' },
      selfLink: { type: 'string', description: 'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.' },
      uid: { type: 'string', description: 'UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.\n\nPopulated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids' },
    },
  },
  [LIST_META]: {
    type: 'object',
    description: 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.',
    properties: {
      continue: { type: 'string', description: 'continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects. Continuing a consistent list may not be possible if the server configuration has changed or more than a few minutes have passed. The resourceVersion field returned when using this continue value will be identical to the value in the first response, unless you have received this token from an error message.' },
      remainingItemCount: { type: 'integer', format: 'int64', description: 'remainingItemCount is the number of subsequent items in the list which are not included in this list response. If the list request contained label or field selectors, then the number of remaining items is unknown and the field will be left unset and omitted during serialization. If the list is complete (either because it is not chunking or because this is the last chunk), then there are no more remaining items and this field will be left unset and omitted during serialization. Servers older than v1.15 do not set this field. The intended use of the remainingItemCount is *estimating* the size of a collection. Clients should not rely on the remainingItemCount to be set or to be exact.' },
      resourceVersion: { type: 'string', description: "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency" },
      selfLink: { type: 'string', description: 'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.' },
    },
  },
  [`${META}.Patch`]: {
    type: 'object',
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  },
  [`${META}.Preconditions`]: {
    type: 'object',
    description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
    properties: {
      resourceVersion: { type: 'string', description: 'Specifies the target ResourceVersion' },
      uid: { type: 'string', description: 'Specifies the target UID.' },
    },
  },
  [`${META}.DeleteOptions`]: {
    type: 'object',
    description: 'DeleteOptions may be provided when deleting an API object.',
    properties: {
      apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
      dryRun: { type: 'array', description: 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic' },
      gracePeriodSeconds: { type: 'integer', format: 'int64', description: 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.' },
      kind: { type: 'string', description: KIND_DESCRIPTION },
      orphanDependents: { type: 'boolean', description: 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.' },
      preconditions: refTo(`${META}.Preconditions`, { description: 'Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.' }),
      propagationPolicy: { type: 'string', description: "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground." },
    },
  },
  [`${META}.StatusCause`]: {
    type: 'object',
    description: 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.',
    properties: {
      field: { type: 'string', description: 'The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional.' },
      message: { type: 'string', description: 'A human-readable description of the cause of the error.  This field may be presented as-is to a reader.' },
      reason: { type: 'string', description: 'A machine-readable description of the cause of the error. If this value is empty there is no information available.' },
    },
  },
  [`${META}.StatusDetails`]: {
    type: 'object',
    description: 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set. Clients must ignore fields that do not match the defined type of each attribute, and should assume that any attribute may be empty, invalid, or under defined.',
    properties: {
      causes: { type: 'array', description: 'The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.', items: refTo(`${META}.StatusCause`, { default: {} }), 'x-kubernetes-list-type': 'atomic' },
      group: { type: 'string', description: 'The group attribute of the resource associated with the status StatusReason.' },
      kind: { type: 'string', description: 'The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
      name: { type: 'string', description: 'The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).' },
      retryAfterSeconds: { type: 'integer', format: 'int32', description: 'If specified, the time in seconds before the operation should be retried. Some errors may indicate the client must take an alternate action - for those errors this field may indicate how long to wait before taking the alternate action.' },
      uid: { type: 'string', description: 'UID of the resource. (when there is a single resource which can be described). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids' },
    },
  },
  [`${META}.Status`]: {
    type: 'object',
    description: 'Status is a return value for calls that don\'t return other objects.',
    properties: {
      apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
      code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' },
      details: refTo(`${META}.StatusDetails`, { description: 'Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.', 'x-kubernetes-list-type': 'atomic' }),
      kind: { type: 'string', description: KIND_DESCRIPTION },
      message: { type: 'string', description: 'A human-readable description of the status of this operation.' },
      metadata: refTo(LIST_META, { default: {}, description: LIST_METADATA_DESCRIPTION }),
      reason: { type: 'string', description: 'A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it.' },
      status: { type: 'string', description: 'Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
    },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
};

// ---- built-in kinds ---------------------------------------------------------------------------

const CORE = 'io.k8s.api.core.v1';
const RBAC = 'io.k8s.api.rbac.v1';

const BUILT_IN_SUPPORT: Record<string, Schema> = {
  [`${CORE}.ObjectReference`]: {
    type: 'object',
    description: 'ObjectReference contains enough information to let you inspect or modify the referred object.',
    properties: {
      apiVersion: { type: 'string', description: 'API version of the referent.' },
      fieldPath: { type: 'string', description: 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].' },
      kind: { type: 'string', description: 'Kind of the referent.' },
      name: { type: 'string', description: 'Name of the referent.' },
      namespace: { type: 'string', description: 'Namespace of the referent.' },
      resourceVersion: { type: 'string', description: 'Specific resourceVersion to which this reference is made, if any.' },
      uid: { type: 'string', description: 'UID of the referent.' },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${CORE}.LocalObjectReference`]: {
    type: 'object',
    description: 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.',
    properties: { name: { type: 'string', default: '', description: 'Name of the referent.' } },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${CORE}.EventSource`]: {
    type: 'object',
    description: 'EventSource contains information for an event.',
    properties: {
      component: { type: 'string', description: 'Component from which the event is generated.' },
      host: { type: 'string', description: 'Node name on which the event is generated.' },
    },
  },
  [`${RBAC}.PolicyRule`]: {
    type: 'object',
    description: 'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.',
    required: ['verbs'],
    properties: {
      apiGroups: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic', description: 'APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.' },
      nonResourceURLs: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic', description: 'NonResourceURLs is a set of partial urls that a user should have access to.' },
      resourceNames: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic', description: 'ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.' },
      resources: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic', description: "Resources is a list of resources this rule applies to. '*' represents all resources." },
      verbs: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic', description: "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs." },
    },
  },
  [`${RBAC}.RoleRef`]: {
    type: 'object',
    description: 'RoleRef contains information that points to the role being used',
    required: ['apiGroup', 'kind', 'name'],
    properties: {
      apiGroup: { type: 'string', default: '', description: 'APIGroup is the group for the resource being referenced' },
      kind: { type: 'string', default: '', description: 'Kind is the type of resource being referenced' },
      name: { type: 'string', default: '', description: 'Name is the name of resource being referenced' },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${RBAC}.Subject`]: {
    type: 'object',
    description: 'Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.',
    required: ['kind', 'name'],
    properties: {
      apiGroup: { type: 'string', description: 'APIGroup holds the API group of the referenced subject.' },
      kind: { type: 'string', default: '', description: 'Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount".' },
      name: { type: 'string', default: '', description: 'Name of the object being referenced.' },
      namespace: { type: 'string', description: 'Namespace of the referenced object.' },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${RBAC}.AggregationRule`]: {
    type: 'object',
    description: 'AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole',
    properties: {
      clusterRoleSelectors: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'x-kubernetes-list-type': 'atomic', description: "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added" },
    },
  },
};

const list = (items: Schema, description: string, extra: Schema = {}): Schema => ({ type: 'array', description, items, ...extra });
const timeRef = (description: string): Schema => refTo(`${META}.Time`, { description });

/** Properties (besides apiVersion/kind/metadata) of the built-in kinds, keyed by `group/Kind`. */
const BUILT_IN_KINDS: Record<string, { description: string; properties: Record<string, Schema>; required?: string[]; support: string[] }> = {
  '/Namespace': {
    description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
    support: [],
    properties: {
      spec: {
        type: 'object',
        description: 'Spec defines the behavior of the Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
        properties: { finalizers: list({ type: 'string', default: '' }, 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/', { 'x-kubernetes-list-type': 'atomic' }) },
      },
      status: {
        type: 'object',
        description: 'Status describes the current status of a Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
        properties: {
          phase: { type: 'string', enum: ['Active', 'Terminating'], description: 'Phase is the current lifecycle phase of the namespace. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/' },
          conditions: list({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, "Represents the latest available observations of a namespace's current state.", { 'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge' }),
        },
      },
    },
  },
  '/Secret': {
    description: 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
    support: [],
    properties: {
      data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4" },
      immutable: { type: 'boolean', description: 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.' },
      stringData: stringMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.'),
      type: { type: 'string', description: 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types' },
    },
  },
  '/ConfigMap': {
    description: 'ConfigMap holds configuration data for pods to consume.',
    support: [],
    properties: {
      binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet." },
      data: stringMap("Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
      immutable: { type: 'boolean', description: 'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.' },
    },
  },
  '/ServiceAccount': {
    description: 'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets',
    support: [`${CORE}.ObjectReference`, `${CORE}.LocalObjectReference`],
    properties: {
      automountServiceAccountToken: { type: 'boolean', description: 'AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.' },
      imagePullSecrets: list(refTo(`${CORE}.LocalObjectReference`, { default: {} }), 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount. More info: https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod', { 'x-kubernetes-list-type': 'atomic' }),
      secrets: list(refTo(`${CORE}.ObjectReference`, { default: {} }), 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. More info: https://kubernetes.io/docs/concepts/configuration/secret', { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' }),
    },
  },
  '/Event': {
    description: 'Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.',
    required: ['metadata', 'involvedObject'],
    support: [`${CORE}.ObjectReference`, `${CORE}.EventSource`],
    properties: {
      action: { type: 'string', description: 'What action was taken/failed regarding to the Regarding object.' },
      count: { type: 'integer', format: 'int32', description: 'The number of times this event has occurred.' },
      eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
      firstTimestamp: timeRef('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
      involvedObject: refTo(`${CORE}.ObjectReference`, { default: {}, description: 'The object that this event is about.' }),
      lastTimestamp: timeRef('The time at which the most recent occurrence of this event was recorded.'),
      message: { type: 'string', description: 'A human-readable description of the status of this operation.' },
      reason: { type: 'string', description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status." },
      related: refTo(`${CORE}.ObjectReference`, { description: 'Optional secondary object for more complex actions.' }),
      reportingComponent: { type: 'string', default: '', description: 'Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.' },
      reportingInstance: { type: 'string', default: '', description: 'ID of the controller instance, e.g. `kubelet-xyzf`.' },
      series: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'Data about the Event series this event represents or nil if it\'s a singleton Event.' },
      source: refTo(`${CORE}.EventSource`, { default: {}, description: 'The component reporting this event. Should be a short machine understandable string.' }),
      type: { type: 'string', description: 'Type of this event (Normal, Warning), new types could be added in the future' },
    },
  },
  'coordination.k8s.io/Lease': {
    description: 'Lease defines a lease concept.',
    support: [],
    properties: {
      spec: {
        type: 'object',
        description: 'spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
        properties: {
          acquireTime: { type: 'string', format: 'date-time', description: 'acquireTime is a time when the current lease was acquired.' },
          holderIdentity: { type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.' },
          leaseDurationSeconds: { type: 'integer', format: 'int32', description: 'leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.' },
          leaseTransitions: { type: 'integer', format: 'int32', description: 'leaseTransitions is the number of transitions of a lease between holders.' },
          preferredHolder: { type: 'string', description: 'PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set.' },
          renewTime: { type: 'string', format: 'date-time', description: 'renewTime is a time when the current holder of a lease has last updated the lease.' },
          strategy: { type: 'string', description: 'Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled.' },
        },
      },
    },
  },
  'rbac.authorization.k8s.io/Role': {
    description: 'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
    support: [`${RBAC}.PolicyRule`],
    properties: { rules: list(refTo(`${RBAC}.PolicyRule`, { default: {} }), 'Rules holds all the PolicyRules for this Role', { 'x-kubernetes-list-type': 'atomic' }) },
  },
  'rbac.authorization.k8s.io/ClusterRole': {
    description: 'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
    support: [`${RBAC}.PolicyRule`, `${RBAC}.AggregationRule`],
    properties: {
      aggregationRule: refTo(`${RBAC}.AggregationRule`, { description: 'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.' }),
      rules: list(refTo(`${RBAC}.PolicyRule`, { default: {} }), 'Rules holds all the PolicyRules for this ClusterRole', { 'x-kubernetes-list-type': 'atomic' }),
    },
  },
  'rbac.authorization.k8s.io/RoleBinding': {
    description: 'RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.',
    required: ['roleRef'],
    support: [`${RBAC}.RoleRef`, `${RBAC}.Subject`],
    properties: {
      roleRef: refTo(`${RBAC}.RoleRef`, { default: {}, description: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.' }),
      subjects: list(refTo(`${RBAC}.Subject`, { default: {} }), 'Subjects holds references to the objects the role applies to.', { 'x-kubernetes-list-type': 'atomic' }),
    },
  },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    description: 'ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.',
    required: ['roleRef'],
    support: [`${RBAC}.RoleRef`, `${RBAC}.Subject`],
    properties: {
      roleRef: refTo(`${RBAC}.RoleRef`, { default: {}, description: 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.' }),
      subjects: list(refTo(`${RBAC}.Subject`, { default: {} }), 'Subjects holds references to the objects the role applies to.', { 'x-kubernetes-list-type': 'atomic' }),
    },
  },
  'apiextensions.k8s.io/CustomResourceDefinition': {
    description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.',
    required: ['spec'],
    support: [],
    properties: {
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'spec describes how the user wants the resources to appear' },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'status indicates the actual state of the CustomResourceDefinition' },
    },
  },
};

/** The prefix of a group's OpenAPI definition names: `io.k8s.api.core.v1`, `dev.agentcore.v1alpha1`. */
export function schemaPrefix(group: string, version: string, custom: boolean): string {
  if (!custom) {
    if (group === '') return `io.k8s.api.core.${version}`;
    if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}`;
    if (group === 'apiregistration.k8s.io') return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}`;
    if (group.endsWith('.k8s.io')) return `io.k8s.api.${group.slice(0, -'.k8s.io'.length).split('.')[0]}.${version}`;
    if (!group.includes('.')) return `io.k8s.api.${group}.${version}`;
  }
  return `${group.split('.').reverse().join('.')}.${version}`;
}

/** The components.schemas name of a kind: `dev.agentcore.v1alpha1.AgentRuntime`, `io.k8s.api.core.v1.Secret`. */
export function schemaNameOf(type: Pick<ResourceType, 'group' | 'version' | 'kind' | 'custom'>, kind = type.kind): string {
  return `${schemaPrefix(type.group, type.version, type.custom)}.${kind}`;
}

function gvk(type: ResourceType, kind = type.kind): Record<string, string> {
  return { group: type.group, kind, version: type.version };
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The kind's schema: the CRD's openAPIV3Schema (or the built-in catalog) with the standard TypeMeta/ObjectMeta properties. */
function kindSchema(type: ResourceType, support: Set<string>): Schema {
  const builtIn = type.custom ? undefined : BUILT_IN_KINDS[`${type.group}/${type.kind}`];
  let schema: Schema;
  if (builtIn) {
    schema = { type: 'object', description: builtIn.description, properties: clone(builtIn.properties), ...(builtIn.required ? { required: [...builtIn.required] } : {}) };
    for (const name of builtIn.support) support.add(name);
  } else if (type.schema) {
    schema = clone(type.schema);
  } else {
    schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  const properties = (typeof schema.properties === 'object' && schema.properties !== null ? schema.properties : {}) as Record<string, Schema>;
  schema.properties = {
    ...properties,
    apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
    kind: { type: 'string', description: KIND_DESCRIPTION },
    metadata: refTo(OBJECT_META, { ...(type.custom ? {} : { default: {} }), description: METADATA_DESCRIPTION }),
  };
  schema.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, Schema>).sort(([a], [b]) => a.localeCompare(b)));
  schema['x-kubernetes-group-version-kind'] = [gvk(type)];
  return schema;
}

function listSchema(type: ResourceType): Schema {
  return {
    type: 'object',
    description: `${type.listKind} is a list of ${type.kind}`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
      items: {
        type: 'array',
        description: `List of ${type.plural}. More info: https://git.k8s.io/community/contributors/devel/api-conventions.md`,
        items: refTo(schemaNameOf(type), { default: {} }),
      },
      kind: { type: 'string', description: KIND_DESCRIPTION },
      metadata: refTo(LIST_META, { default: {}, description: LIST_METADATA_DESCRIPTION }),
    },
    'x-kubernetes-group-version-kind': [gvk(type, type.listKind)],
  };
}

// ---- paths --------------------------------------------------------------------------------------

const query = (name: string, description: string, schema: Schema = { type: 'string', uniqueItems: true }): Schema => ({ name, in: 'query', description, schema });

const PARAM = {
  pretty: query('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: query('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  applyFieldManager: query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).'),
  fieldValidation: query('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: query('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', { type: 'boolean', uniqueItems: true }),
  gracePeriodSeconds: query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.', { type: 'integer', uniqueItems: true }),
  ignoreStoreReadError: query('ignoreStoreReadErrorWithClusterBreakingPotential', 'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it', { type: 'boolean', uniqueItems: true }),
  orphanDependents: query('orphanDependents', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.', { type: 'boolean', uniqueItems: true }),
  propagationPolicy: query('propagationPolicy', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  allowWatchBookmarks: query('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.', { type: 'boolean', uniqueItems: true }),
  continue: query('continue', 'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize.'),
  fieldSelector: query('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: query('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: query('limit', 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.', { type: 'integer', uniqueItems: true }),
  resourceVersion: query('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  resourceVersionMatch: query('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  sendInitialEvents: query('sendInitialEvents', '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection.', { type: 'boolean', uniqueItems: true }),
  timeoutSeconds: query('timeoutSeconds', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.', { type: 'integer', uniqueItems: true }),
  watch: query('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.', { type: 'boolean', uniqueItems: true }),
  name: (kind: string): Schema => ({ name: 'name', in: 'path', description: `name of the ${kind}`, required: true, schema: { type: 'string', uniqueItems: true } }),
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } } as Schema,
};

const LIST_PARAMS = [PARAM.allowWatchBookmarks, PARAM.continue, PARAM.fieldSelector, PARAM.labelSelector, PARAM.limit, PARAM.resourceVersion, PARAM.resourceVersionMatch, PARAM.sendInitialEvents, PARAM.timeoutSeconds, PARAM.watch];
const WRITE_PARAMS = [PARAM.dryRun, PARAM.fieldManager, PARAM.fieldValidation];
const PATCH_PARAMS = [PARAM.dryRun, PARAM.applyFieldManager, PARAM.fieldValidation, PARAM.force];
const DELETE_PARAMS = [PARAM.dryRun, PARAM.gracePeriodSeconds, PARAM.ignoreStoreReadError, PARAM.orphanDependents, PARAM.propagationPolicy];

function content(schemaName: string, types: string[]): Schema {
  return Object.fromEntries(types.map((t) => [t, { schema: { $ref: ref(schemaName) } }]));
}

/** `agentcore.dev` → `AgentcoreDev`, `rbac.authorization.k8s.io` → `RbacAuthorization`, core → `Core`. */
function groupWord(group: string): string {
  const trimmed = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  return trimmed
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function groupVersionPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function pathsFor(type: ResourceType): Record<string, Schema> {
  const verbs = new Set(type.verbs);
  const kindName = schemaNameOf(type);
  const listName = schemaNameOf(type, type.listKind);
  const operationWord = `${groupWord(type.group)}${type.version.charAt(0).toUpperCase()}${type.version.slice(1)}`;
  const scopeWord = type.namespaced ? 'Namespaced' : '';
  const tag = `${groupWord(type.group).charAt(0).toLowerCase()}${groupWord(type.group).slice(1)}_${type.version}`;
  const mediaTypes = type.custom ? ['application/json', 'application/yaml'] : ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  const listMediaTypes = [...mediaTypes, 'application/json;stream=watch', ...(type.custom ? [] : ['application/vnd.kubernetes.protobuf;stream=watch'])];
  const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', ...(type.custom ? [] : ['application/strategic-merge-patch+json'])];
  const ext = (action: string): Schema => ({ 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk(type) });
  const ok = (schemaName: string, types = mediaTypes): Schema => ({ description: 'OK', content: content(schemaName, types) });
  const unauthorized = { description: 'Unauthorized' };
  const body = (schemaName: string, types: string[] = ['*/*']): Schema => ({ content: content(schemaName, types), required: true });
  const op = (verb: string, description: string, action: string, extra: Schema, suffix = ''): Schema => ({
    tags: [tag],
    description,
    operationId: `${verb}${operationWord}${scopeWord}${type.kind}${suffix}`,
    ...extra,
    ...ext(action),
  });

  const base = groupVersionPrefix(type.group, type.version);
  const collection = type.namespaced ? `${base}/namespaces/{namespace}/${type.plural}` : `${base}/${type.plural}`;
  const scopeParams = type.namespaced ? [PARAM.namespace] : [];
  const paths: Record<string, Schema> = {};

  if (type.namespaced && verbs.has('list')) {
    paths[`${base}/${type.plural}`] = {
      get: {
        tags: [tag],
        description: `list or watch objects of kind ${type.kind}`,
        operationId: `list${operationWord}${type.kind}ForAllNamespaces`,
        responses: { '200': ok(listName, listMediaTypes), '401': unauthorized },
        ...ext('list'),
      },
      parameters: [PARAM.pretty, ...LIST_PARAMS],
    };
  }

  const collectionOps: Schema = {};
  if (verbs.has('list')) {
    collectionOps.get = op('list', `list or watch objects of kind ${type.kind}`, 'list', { parameters: LIST_PARAMS, responses: { '200': ok(listName, listMediaTypes), '401': unauthorized } });
  }
  if (verbs.has('create')) {
    collectionOps.post = op('create', `create ${articled(type.kind)}`, 'post', {
      parameters: WRITE_PARAMS,
      requestBody: body(kindName),
      responses: { '200': ok(kindName), '201': { description: 'Created', content: content(kindName, mediaTypes) }, '202': { description: 'Accepted', content: content(kindName, mediaTypes) }, '401': unauthorized },
    });
  }
  if (verbs.has('deletecollection')) {
    collectionOps.delete = {
      ...op('delete', `delete collection of ${type.kind}`, 'deletecollection', {
        parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'allowWatchBookmarks' && p.name !== 'watch')],
        requestBody: body(`${META}.DeleteOptions`),
        responses: { '200': ok(`${META}.Status`), '401': unauthorized },
      }),
      operationId: `delete${operationWord}Collection${scopeWord}${type.kind}`,
    };
  }
  if (Object.keys(collectionOps).length > 0) paths[collection] = { ...collectionOps, parameters: [...scopeParams, PARAM.pretty] };

  const itemParams = [PARAM.name(type.kind), ...scopeParams, PARAM.pretty];
  const itemOps: Schema = {};
  if (verbs.has('get')) {
    itemOps.get = op('read', `read the specified ${type.kind}`, 'get', { responses: { '200': ok(kindName), '401': unauthorized } });
  }
  if (verbs.has('update')) {
    itemOps.put = op('replace', `replace the specified ${type.kind}`, 'put', {
      parameters: WRITE_PARAMS,
      requestBody: body(kindName),
      responses: { '200': ok(kindName), '201': { description: 'Created', content: content(kindName, mediaTypes) }, '401': unauthorized },
    });
  }
  if (verbs.has('delete')) {
    itemOps.delete = op('delete', `delete ${articled(type.kind)}`, 'delete', {
      parameters: DELETE_PARAMS,
      requestBody: body(`${META}.DeleteOptions`),
      responses: { '200': ok(type.custom ? `${META}.Status` : kindName), '202': { description: 'Accepted', content: content(type.custom ? `${META}.Status` : kindName, mediaTypes) }, '401': unauthorized },
    });
  }
  if (verbs.has('patch')) {
    itemOps.patch = op('patch', `partially update the specified ${type.kind}`, 'patch', {
      parameters: PATCH_PARAMS,
      requestBody: body(`${META}.Patch`, patchTypes),
      responses: { '200': ok(kindName), '201': { description: 'Created', content: content(kindName, mediaTypes) }, '401': unauthorized },
    });
  }
  if (Object.keys(itemOps).length > 0) paths[`${collection}/{name}`] = { ...itemOps, parameters: itemParams };

  if (type.statusSubresource) {
    const statusOps: Schema = {};
    if (verbs.has('get')) statusOps.get = op('read', `read status of the specified ${type.kind}`, 'get', { responses: { '200': ok(kindName), '401': unauthorized } }, 'Status');
    if (verbs.has('update')) {
      statusOps.put = op('replace', `replace status of the specified ${type.kind}`, 'put', {
        parameters: WRITE_PARAMS,
        requestBody: body(kindName),
        responses: { '200': ok(kindName), '201': { description: 'Created', content: content(kindName, mediaTypes) }, '401': unauthorized },
      }, 'Status');
    }
    if (verbs.has('patch')) {
      statusOps.patch = op('patch', `partially update status of the specified ${type.kind}`, 'patch', {
        parameters: PATCH_PARAMS,
        requestBody: body(`${META}.Patch`, patchTypes),
        responses: { '200': ok(kindName), '201': { description: 'Created', content: content(kindName, mediaTypes) }, '401': unauthorized },
      }, 'Status');
    }
    if (Object.keys(statusOps).length > 0) paths[`${collection}/{name}/status`] = { ...statusOps, parameters: itemParams };
  }
  return paths;
}

function articled(kind: string): string {
  return /^[AEIOU]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

// ---- documents ----------------------------------------------------------------------------------

const INFO = { title: 'Kubernetes', version: 'v1.34.0' };
const SECURITY = { securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } };

/** Which document path (index key) a type's group-version is published under: `api/v1`, `apis/agentcore.dev/v1alpha1`. */
export function openApiPathOf(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/**
 * The OpenAPI v3 document of one group-version. `groupVersion` is an apiVersion (`v1`,
 * `agentcore.dev/v1alpha1`).
 */
export function openApiV3Document(groupVersion: string, types: ResourceType[]): Record<string, unknown> {
  const selected = types.filter((t) => apiVersionOf(t.group, t.version) === groupVersion).sort((a, b) => a.plural.localeCompare(b.plural));
  const paths: Record<string, Schema> = {};
  const support = new Set<string>();
  const schemas: Record<string, Schema> = {};
  for (const type of selected) {
    Object.assign(paths, pathsFor(type));
    schemas[schemaNameOf(type)] = kindSchema(type, support);
    schemas[schemaNameOf(type, type.listKind)] = listSchema(type);
  }
  for (const name of support) schemas[name] = clone(BUILT_IN_SUPPORT[name]!);
  Object.assign(schemas, clone(META_SCHEMAS));
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  const sortedSchemas = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return { openapi: '3.0.0', info: { ...INFO }, paths: sortedPaths, components: { schemas: sortedSchemas, ...clone(SECURITY) } };
}

/** The small documents of the discovery endpoints (`/api`, `/apis`, `/version`) kube-apiserver also indexes. */
function discoveryDocument(path: 'api' | 'apis' | 'version'): Record<string, unknown> {
  const [schemaName, description, operationId, tag] =
    path === 'version'
      ? ['io.k8s.apimachinery.pkg.version.Info', 'get the version information for this server', 'getCodeVersion', 'version']
      : path === 'api'
        ? [`${META}.APIVersions`, 'get available API versions', 'getCoreAPIVersions', 'core']
        : [`${META}.APIGroupList`, 'get available API versions', 'getAPIVersions', 'apis'];
  return {
    openapi: '3.0.0',
    info: { ...INFO },
    paths: {
      [`/${path}/`]: {
        get: {
          tags: [tag],
          description,
          operationId,
          responses: { '200': { description: 'OK', content: content(schemaName, ['application/json']) }, '401': { description: 'Unauthorized' } },
        },
      },
    },
    components: { schemas: { [schemaName]: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, ...clone(SECURITY) },
  };
}

/**
 * The document served at `/openapi/v3/<path>` for an index key (`api/v1`, `apis/agentcore.dev/v1alpha1`,
 * `api`, `apis`, `version`), or undefined (answer 404) for an unknown path.
 */
export function openApiV3DocumentForPath(path: string, types: ResourceType[]): Record<string, unknown> | undefined {
  const clean = path.replace(/^\/+|\/+$/g, '');
  if (clean === 'api' || clean === 'apis' || clean === 'version') return discoveryDocument(clean);
  const groupVersions = new Set(types.map((t) => openApiPathOf(t.group, t.version)));
  if (!groupVersions.has(clean)) return undefined;
  const groupVersion = clean.startsWith('api/') ? clean.slice('api/'.length) : clean.slice('apis/'.length);
  return openApiV3Document(groupVersion, types);
}

/** The `/openapi/v3` index: one entry per served group-version plus the discovery documents. */
export function openApiV3Paths(types: ResourceType[]): Record<string, unknown> {
  const keys = new Set<string>(['api', 'apis', 'version']);
  for (const t of types) keys.add(openApiPathOf(t.group, t.version));
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of [...keys].sort()) {
    const document = openApiV3DocumentForPath(key, types)!;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(document)}` };
  }
  return { paths };
}

/** The serialization the hash covers; serve documents with exactly these bytes. */
export function serializeDocument(document: unknown): string {
  return JSON.stringify(document);
}

/** kube-openapi's ETag of a document: the SHA-512 of its JSON, upper-case hex. */
export function hashOf(document: unknown): string {
  return createHash('sha512').update(serializeDocument(document)).digest('hex').toUpperCase();
}
