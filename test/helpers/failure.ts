/** The error an AWS SDK call failed with, as the SDK parsed it; fails the test when the call succeeds. */
export interface Failure {
  name: string;
  status?: number;
  message: string;
  reason?: string;
  fieldList?: { name: string; message: string }[];
}

export async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    const e = error as Failure & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message, reason: e.reason, fieldList: e.fieldList };
  }
  throw new Error('expected the call to fail');
}
