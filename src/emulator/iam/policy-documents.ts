/** Policy documents and managed-policy ARNs as IAM checks and returns them. */
import { iamError } from './errors.js';

/** Throws MalformedPolicyDocument unless the document is a JSON object. */
export function checkPolicyDocument(document: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw iamError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw iamError('MalformedPolicyDocument', 'The policy document must be a JSON object.');
}

/** The size IAM counts a policy against its quotas with: characters other than whitespace. */
export const policySize = (document: string) => document.replace(/\s/g, '').length;

/** IAM hands policy documents back percent-encoded (RFC 3986); callers decode them. */
export const encodePolicyDocument = (document: string) => encodeURIComponent(document);

const MANAGED_POLICY_ARN = /^arn:aws(?:-[a-z]+)*:iam::(?:[0-9]{12}|aws):policy((?:\/[\w+=,.@-]+)*\/)([\w+=,.@-]+)$/;

export interface ManagedPolicyRef {
  arn: string;
  name: string;
  path: string;
}

/** Reads a managed policy's name and path from its ARN; throws InvalidInput when it is not one. */
export function managedPolicyRef(arn: string): ManagedPolicyRef {
  const match = MANAGED_POLICY_ARN.exec(arn);
  if (!match) throw iamError('InvalidInput', `ARN ${arn} is not valid.`);
  return { arn, path: match[1]!, name: match[2]! };
}
