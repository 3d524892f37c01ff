/**
 * Where a source keeps what its reconciles find. Every run of an object ends in one report: the status
 * the reconciler computed, what it did to AWS, and the state the object is in. A file source shows it
 * (apply's progress); the cluster operator writes it to the status subresource and turns it into Events.
 */
import type { ObjectOf } from '../reconcilers/kind.js';

export type ObjectState = 'pending' | 'ready' | 'stalled' | 'deleted' | 'suspended';

export type SourceObject = ObjectOf<Record<string, unknown>, Record<string, unknown>>;

export interface StatusReport<O extends SourceObject = SourceObject> {
  kind: string;
  /** The object as the run read it: its status is the one before the run. */
  object: O;
  status: Record<string, unknown>;
  actions: string[];
  state: ObjectState;
}

export interface StatusSink<O extends SourceObject = SourceObject> {
  /** Keeps one run's report. */
  report(report: StatusReport<O>): Promise<void>;
}
