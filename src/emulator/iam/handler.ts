/** What an IAM operation handler is given and gives back. */
import type { ServiceContext } from '../service.js';
import type { IamState } from './state.js';
import type { QueryInput } from './validation.js';
import type { XmlValue } from './xml.js';

export interface IamEnv {
  readonly ctx: ServiceContext;
  readonly state: IamState;
  /** Call after every mutation of `state`, so it is persisted before the answer goes out. */
  changed(): void;
}

/** The operation's `<{Op}Result>` content; undefined for operations without output. */
export type OperationResult = Record<string, XmlValue> | undefined;

export type OperationHandler = (input: QueryInput, env: IamEnv) => OperationResult;

/**
 * Adapts a handler written against its operation's input interface. The input has already passed
 * readInput against the operation's table, which is what guarantees it has that interface's shape.
 */
export function handler<Input>(run: (input: Input, env: IamEnv) => OperationResult): OperationHandler {
  return (input, env) => run(input as unknown as Input, env);
}
