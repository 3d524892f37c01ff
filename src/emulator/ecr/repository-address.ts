/** The repositoryName and registryId members every repository-scoped ECR request carries. */
import { invalidParameter } from './errors.js';
import { optionalString, requiredString } from './input.js';
import type { JsonObject } from './protocol.js';
import { REPOSITORY_NAME_PATTERN } from './registry.js';

export interface RepositoryAddress {
  repositoryName: string;
  registryId?: string;
}

export function readRepositoryAddress(input: JsonObject): RepositoryAddress {
  const repositoryName = requiredString(input, 'repositoryName');
  if (repositoryName.length < 2 || repositoryName.length > 256) throw invalidParameter('repositoryName', 'Member must have length between 2 and 256');
  if (!REPOSITORY_NAME_PATTERN.test(repositoryName)) throw invalidParameter('repositoryName', `must satisfy regular expression '${REPOSITORY_NAME_PATTERN.source.slice(1, -1)}'`);
  const registryId = optionalString(input, 'registryId');
  if (registryId !== undefined && !/^[0-9]{12}$/.test(registryId)) throw invalidParameter('registryId', "must satisfy regular expression '[0-9]{12}'");
  return registryId === undefined ? { repositoryName } : { repositoryName, registryId };
}
