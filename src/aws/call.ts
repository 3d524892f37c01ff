/** Every AWS call the reconcilers make goes through here: a slot in its API class first, then the call. */
import { apiClassOf } from './api-classes.js';

/** Waits for a slot in an API class's rate limit (the engine's RateLimiter is one). */
export interface RateGate {
  acquire(apiClass: string): Promise<void>;
}

interface Sender {
  send(command: never): Promise<unknown>;
}

export async function send<Output>(client: Sender, command: object, limiter?: RateGate): Promise<Output> {
  // Classified with or without a gate, so an operation missing from the table fails wherever it is first sent.
  const apiClass = apiClassOf(command.constructor.name.replace(/Command$/, ''));
  await limiter?.acquire(apiClass);
  return (await client.send(command as never)) as Output;
}
