/** IAM's state: one global slice (IAM has no regions), roles keyed by their lower-cased name. */
import type { ServiceContext } from '../service.js';
import { iamError } from './errors.js';

export interface StoredTag {
  Key: string;
  Value: string;
}

export interface StoredInlinePolicy {
  name: string;
  document: string;
}

export interface StoredRole {
  name: string;
  id: string;
  arn: string;
  path: string;
  createDate: string;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundaryArn?: string;
  tags: StoredTag[];
  /** Keyed by lower-cased policy name: IAM names differ by more than case. */
  inlinePolicies: Record<string, StoredInlinePolicy>;
  attachedPolicyArns: string[];
}

export interface IamState {
  roles: Record<string, StoredRole>;
}

export const nameKey = (name: string) => name.toLowerCase();

export function iamState(ctx: ServiceContext): IamState {
  return ctx.state.slice<IamState>('iam', () => ({ roles: {} }));
}

export function findRole(state: IamState, name: string): StoredRole | undefined {
  return Object.hasOwn(state.roles, nameKey(name)) ? state.roles[nameKey(name)] : undefined;
}

export function requireRole(state: IamState, name: string): StoredRole {
  const role = findRole(state, name);
  if (!role) throw iamError('NoSuchEntity', `The role with name ${name} cannot be found.`);
  return role;
}
