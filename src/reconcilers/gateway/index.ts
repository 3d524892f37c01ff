/** The Gateway kind's reconciler. */
export { gatewayReconciler, reconcileGateway, finalizeGateway, planGateway, type GatewayObject, type GatewayOutcome } from './reconcile.js';
export { diffGateway, normaliseGateway } from './diff.js';
export { desiredGateway } from './desired.js';
