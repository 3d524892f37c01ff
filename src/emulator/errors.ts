/** An error as AWS returns it; each protocol decides how it goes on the wire. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra members of the error shape (ValidationException's reason and fieldList). */
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }

  get senderFault(): boolean {
    return this.status < 500;
  }
}

/** Thrown to make the server drop the connection without answering, as a network fault would. */
export class ConnectionReset extends Error {
  constructor() {
    super('connection reset by fault injection');
  }
}
