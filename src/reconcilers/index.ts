/** Every kind's reconciler, by kind. */
import { agentRuntimeReconciler } from './agentruntime/reconcile.js';
import type { KindReconciler } from './kind.js';

export const RECONCILERS: KindReconciler<never, never>[] = [agentRuntimeReconciler as unknown as KindReconciler<never, never>];

export const reconcilerByKind = new Map(RECONCILERS.map((r) => [r.kind, r]));
