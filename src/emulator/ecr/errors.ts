/** The ECR exceptions this emulator raises, with the messages ECR words them in. */
import { AwsError } from '../errors.js';

export function invalidParameter(field: string, constraint: string): AwsError {
  return new AwsError('InvalidParameterException', 400, `Invalid parameter at '${field}' failed to satisfy constraint: '${constraint}'`);
}

export function repositoryNotFound(name: string, registryId: string): AwsError {
  return new AwsError('RepositoryNotFoundException', 400, `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
}

export function imageNotFound(id: { imageDigest?: string; imageTag?: string }, repositoryName: string, registryId: string): AwsError {
  return new AwsError(
    'ImageNotFoundException',
    400,
    `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${registryId}'`,
  );
}
