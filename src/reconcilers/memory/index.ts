/** The Memory kind's reconciler. */
export { memoryReconciler, reconcileMemory, finalizeMemory, planMemory, type MemoryObject, type MemoryOutcome } from './reconcile.js';
export { diffMemory, defaultNamespace, type MemoryChange, type MemoryDiff, type MemoryState } from './diff.js';
export { createInput, desiredMemory } from './desired.js';
