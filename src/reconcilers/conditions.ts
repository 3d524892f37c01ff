/**
 * kstatus conditions: Ready is always present; Reconciling and Stalled only while True; Synced and
 * Drifted report the last comparison with AWS. A condition's lastTransitionTime moves only when its
 * status flips, so a resync that changes nothing leaves status untouched.
 */
import { ConditionType, type Condition } from '../api/meta.js';

export const Reason = {
  Succeeded: 'Succeeded',
  Progressing: 'Progressing',
  Creating: 'Creating',
  Updating: 'Updating',
  Deleting: 'Deleting',
  WaitingForAWS: 'WaitingForAWS',
  AWSFailed: 'AWSFailed',
  ValidationFailed: 'ValidationFailed',
  AccessDenied: 'AccessDenied',
  QuotaExceeded: 'QuotaExceeded',
  ReplacementNotAllowed: 'ReplacementNotAllowed',
  RoleNotAllowed: 'RoleNotAllowed',
  DependencyNotReady: 'DependencyNotReady',
  ProgressingWithRetry: 'ProgressingWithRetry',
  Suspended: 'Suspended',
  InSync: 'InSync',
  DriftDetected: 'DriftDetected',
  DriftCorrected: 'DriftCorrected',
  NotOwned: 'NotOwned',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Flux keeps condition messages bounded; AWS messages can be long. */
export const MAX_MESSAGE_LENGTH = 20000;

export function setCondition(conditions: Condition[], type: string, status: Condition['status'], reason: Reason, message: string, generation: number | undefined, now: Date): Condition[] {
  const existing = conditions.find((c) => c.type === type);
  const next: Condition = {
    type,
    status,
    reason,
    message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : message,
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : now.toISOString(),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  return [...conditions.filter((c) => c.type !== type), next].sort((a, b) => order(a.type) - order(b.type));
}

export function removeCondition(conditions: Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export function conditionOf(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

const ORDER: string[] = [ConditionType.Ready, ConditionType.Reconciling, ConditionType.Stalled, ConditionType.Synced, ConditionType.Drifted];
function order(type: string): number {
  const i = ORDER.indexOf(type);
  return i === -1 ? ORDER.length : i;
}

/** The three kstatus shapes a reconcile ends in. */
export function markReady(conditions: Condition[], message: string, generation: number | undefined, now: Date): Condition[] {
  let c = setCondition(conditions, ConditionType.Ready, 'True', Reason.Succeeded, message, generation, now);
  c = removeCondition(c, ConditionType.Reconciling);
  return removeCondition(c, ConditionType.Stalled);
}

export function markReconciling(conditions: Condition[], reason: Reason, message: string, generation: number | undefined, now: Date): Condition[] {
  return markNotReady(conditions, ConditionType.Reconciling, ConditionType.Stalled, reason, message, generation, now);
}

/** Reconciliation is switched off (spec.suspend): Ready False with reason Suspended, nothing in progress. */
export function markSuspended(conditions: Condition[], generation: number | undefined, now: Date): Condition[] {
  let c = setCondition(conditions, ConditionType.Ready, 'False', Reason.Suspended, 'Reconciliation is suspended (spec.suspend: true)', generation, now);
  c = removeCondition(c, ConditionType.Reconciling);
  return removeCondition(c, ConditionType.Stalled);
}

export function markStalled(conditions: Condition[], reason: Reason, message: string, generation: number | undefined, now: Date): Condition[] {
  return markNotReady(conditions, ConditionType.Stalled, ConditionType.Reconciling, reason, message, generation, now);
}

/** Ready False and `active` True with one reason and message; `other` (its opposite) gone. */
function markNotReady(conditions: Condition[], active: string, other: string, reason: Reason, message: string, generation: number | undefined, now: Date): Condition[] {
  let c = setCondition(conditions, ConditionType.Ready, 'False', reason, message, generation, now);
  c = setCondition(c, active, 'True', reason, message, generation, now);
  return removeCondition(c, other);
}
