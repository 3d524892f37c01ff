/**
 * The registry of reconciled kinds: one ResourceKind description per kind, each in its own folder.
 * What the engine and the cluster controllers run is derived from it; what the API says of each kind
 * (schema, names, printer columns, CRD) is in api/kinds.ts, and a test holds the two registries to
 * each other.
 */
import { agentRuntimeKind } from './agentruntime/reconcile.js';
import { apiKeyCredentialProviderKind } from './apikeycredentialprovider/reconcile.js';
import { gatewayKind } from './gateway/reconcile.js';
import { gatewayTargetKind } from './gatewaytarget/reconcile.js';
import type { KindReconciler } from './kind.js';
import { memoryKind } from './memory/reconcile.js';
import { oauth2CredentialProviderKind } from './oauth2credentialprovider/reconcile.js';
import type { ObservedResource, ResourceKind } from './resource/kind.js';
import { reconcilerOf } from './resource/pipeline.js';
import { workloadIdentityKind } from './workloadidentity/reconcile.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const RESOURCE_KINDS: readonly ResourceKind<any, any, any, ObservedResource>[] = [
  agentRuntimeKind,
  memoryKind,
  gatewayKind,
  gatewayTargetKind,
  workloadIdentityKind,
  oauth2CredentialProviderKind,
  apiKeyCredentialProviderKind,
];

export const RECONCILERS: KindReconciler<never, never>[] = RESOURCE_KINDS.map((k) => reconcilerOf(k) as unknown as KindReconciler<never, never>);

export const reconcilerByKind = new Map(RECONCILERS.map((r) => [r.kind, r]));
