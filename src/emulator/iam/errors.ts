/** IAM's error codes and the HTTP status each goes on the wire with. */
import { AwsError } from '../errors.js';

/** Errors the IAM model declares on operations (the `error.code` of its error shapes). */
export const MODELLED_ERROR_STATUS = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  LimitExceeded: 409,
  DeleteConflict: 409,
  MalformedPolicyDocument: 400,
  InvalidInput: 400,
  ServiceFailure: 500,
} as const;

/**
 * Errors any awsQuery operation can return that the model does not declare per operation (AWS's
 * "common errors"). Throttling is 400 from IAM itself; the emulator's quotas and faults send 429.
 */
export const COMMON_ERROR_STATUS = {
  ValidationError: 400,
  InvalidAction: 400,
  Throttling: 400,
  MissingAuthenticationToken: 403,
} as const;

export type ModelledErrorCode = keyof typeof MODELLED_ERROR_STATUS;

export function iamError(code: ModelledErrorCode | 'ValidationError' | 'InvalidAction', message: string): AwsError {
  const status = code in MODELLED_ERROR_STATUS ? MODELLED_ERROR_STATUS[code as ModelledErrorCode] : COMMON_ERROR_STATUS[code as keyof typeof COMMON_ERROR_STATUS];
  return new AwsError(code, status, message);
}

/** The emulator core raises InternalServerException for injected failures; IAM calls that ServiceFailure. */
export function asIamError(error: AwsError): AwsError {
  if (error.code === 'InternalServerException') return new AwsError('ServiceFailure', 500, error.message);
  return error;
}
