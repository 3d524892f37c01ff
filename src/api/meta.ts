/** The API group, the well-known keys, and the Kubernetes object envelope every kind shares. */

export const GROUP = 'agentcore.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CATEGORY = 'agentcore';

/** Tags the operator puts on every AWS resource it creates; users may not set keys under this prefix. */
export const OWNERSHIP_TAG_PREFIX = `${GROUP}/`;
export const OwnershipTag = {
  managedBy: `${GROUP}/managed-by`,
  owner: `${GROUP}/owner`,
  source: `${GROUP}/source`,
  /** Present (`Retain`) when the object asks to keep the resource: prune leaves it even once the object is gone. */
  deletionPolicy: `${GROUP}/deletion-policy`,
  /** File mode: a digest of the spec last applied, which tells a new spec from drift where there is no generation. */
  appliedSpec: `${GROUP}/applied-spec`,
} as const;
/** AWS allows 50 tags per resource; the ownership tags take their share. */
export const MAX_USER_TAGS = 50 - Object.keys(OwnershipTag).length;

export const Annotation = {
  restartedAt: `${GROUP}/restartedAt`,
  requestedAt: `${GROUP}/requestedAt`,
  adopt: `${GROUP}/adopt`,
} as const;

export const FINALIZER = `${GROUP}/finalizer`;

export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  Synced: 'Synced',
  Drifted: 'Drifted',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** The metav1.Condition shape. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
}

export interface KubeObject<Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}
