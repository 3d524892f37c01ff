/** Every kind's reconciler, by kind. */
import { agentRuntimeReconciler } from './agentruntime/reconcile.js';
import { gatewayReconciler } from './gateway/index.js';
import { gatewayTargetReconciler } from './gatewaytarget/index.js';
import { apiKeyCredentialProviderReconciler, oauth2CredentialProviderReconciler, workloadIdentityReconciler } from './identity/index.js';
import type { KindReconciler } from './kind.js';
import { memoryReconciler } from './memory/index.js';

const any = (r: unknown) => r as KindReconciler<never, never>;

export const RECONCILERS: KindReconciler<never, never>[] = [
  any(agentRuntimeReconciler),
  any(memoryReconciler),
  any(gatewayReconciler),
  any(gatewayTargetReconciler),
  any(workloadIdentityReconciler),
  any(oauth2CredentialProviderReconciler),
  any(apiKeyCredentialProviderReconciler),
];

export const reconcilerByKind = new Map(RECONCILERS.map((r) => [r.kind, r]));
