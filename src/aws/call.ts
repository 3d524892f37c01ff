/** Every AWS call the reconcilers make goes through here: a slot in its API class first, then the call. */
import { apiClassOf } from './api-classes.js';

/** Waits for a slot in an API class's rate limit (the engine's RateLimiter is one); may refuse a call. */
export interface RateGate {
  acquire(apiClass: string, operation: string): Promise<void>;
  /** Aborts every call sent through this gate, those in flight included: the process may no longer act. */
  readonly signal?: AbortSignal;
}

/** An operation that only reads. */
export const isRead = (operation: string) => /^(Get|List|Describe|Head|BatchGet)/.test(operation);

/** Refused by a fence: this process may not write to AWS now (it is not sure it still leads). */
export class Fenced extends Error {
  constructor(operation: string, why: string) {
    super(`${operation} not sent: ${why}`);
    this.name = 'Fenced';
  }
}

/**
 * A gate that lets a write through only while `mayWrite` says so, checked after the wait for a slot,
 * just before the call: a leader that was frozen past its lease (SIGSTOP, a long pause) writes nothing
 * once it wakes, before it has even noticed. Once `signal` is aborted (the lease is lost), nothing more
 * is sent and the calls in flight are cancelled.
 */
export function fenced(gate: RateGate, mayWrite: () => string | undefined, signal?: AbortSignal): RateGate {
  return {
    signal,
    async acquire(apiClass, operation) {
      await gate.acquire(apiClass, operation);
      const refusal = signal?.aborted ? reasonOf(signal) : isRead(operation) ? undefined : mayWrite();
      if (refusal) throw new Fenced(operation, refusal);
    },
  };
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
}

interface Sender {
  send(command: never, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export async function send<Output>(client: Sender, command: object, limiter?: RateGate): Promise<Output> {
  // Classified with or without a gate, so an operation missing from the table fails wherever it is first sent.
  const operation = command.constructor.name.replace(/Command$/, '');
  const apiClass = apiClassOf(operation);
  await limiter?.acquire(apiClass, operation);
  return (await client.send(command as never, limiter?.signal ? { abortSignal: limiter.signal } : undefined)) as Output;
}
