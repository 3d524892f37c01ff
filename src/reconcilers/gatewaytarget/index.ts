/** The GatewayTarget kind's reconciler. */
export { gatewayTargetReconciler, reconcileGatewayTarget, finalizeGatewayTarget, planGatewayTarget, type TargetObject, type TargetOutcome } from './reconcile.js';
export { diffTarget, normaliseTarget, canonicalDocument } from './diff.js';
export { desiredTarget, targetKindOf } from './desired.js';
