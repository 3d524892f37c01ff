/**
 * The two ways a reconcile can fail: a TransientError is retried with backoff (throttling, 5xx, the
 * network); a TerminalError is not retried until the object changes (an invalid spec, access denied),
 * and carries the condition reason it is reported with.
 */
export class TransientError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'TransientError';
  }
}

export class TerminalError extends Error {
  constructor(message: string, readonly reason: string = 'Failed') {
    super(message);
    this.name = 'TerminalError';
  }
}
