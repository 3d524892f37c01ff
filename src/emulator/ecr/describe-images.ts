/** DescribeImages: details of the named images, or a page of the repository's images. */
import { epochSeconds } from '../clock.js';
import { AwsError } from '../errors.js';
import { imageNotFound, invalidParameter } from './errors.js';
import { imageIdProblem, readImageIds } from './image-ids.js';
import { optionalInteger, optionalObject, optionalString } from './input.js';
import type { JsonObject } from './protocol.js';
import { matchImage, type Registry, type StoredImage } from './registry.js';
import { readRepositoryAddress } from './repository-address.js';

const DEFAULT_MAX_RESULTS = 100;
const TAG_STATUSES = ['TAGGED', 'UNTAGGED', 'ANY'];

function imageDetail(image: StoredImage, repositoryName: string, registryId: string) {
  return {
    registryId,
    repositoryName,
    imageDigest: image.digest,
    // ECR leaves the member out, rather than sending [], for an untagged image.
    ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: epochSeconds(image.pushedAt),
    imageManifestMediaType: image.manifestMediaType,
    artifactMediaType: image.artifactMediaType,
  };
}

/** Pages resume after the digest of the last image returned, so pushes between pages shift nothing. */
const pageToken = (digest: string) => Buffer.from(digest, 'utf8').toString('base64url');

function resumeIndex(images: StoredImage[], token: string): number {
  const digest = Buffer.from(token, 'base64url').toString('utf8');
  const index = images.findIndex((image) => image.digest === digest);
  if (index < 0) throw invalidParameter('nextToken', 'Invalid NextToken');
  return index + 1;
}

export function describeImages(input: JsonObject, registry: Registry) {
  const { repositoryName, registryId } = readRepositoryAddress(input);
  const imageIds = readImageIds(input, false);
  const maxResults = optionalInteger(input, 'maxResults');
  const nextToken = optionalString(input, 'nextToken');
  const filter = optionalObject(input, 'filter');
  const tagStatus = filter ? optionalString(filter, 'tagStatus') : undefined;
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) throw invalidParameter('maxResults', 'Member must have value between 1 and 1000');
  if (tagStatus !== undefined && !TAG_STATUSES.includes(tagStatus)) throw invalidParameter('filter.tagStatus', `Member must satisfy enum value set: [${TAG_STATUSES.join(', ')}]`);
  if (imageIds && maxResults !== undefined) throw invalidParameter('maxResults', 'cannot be used with imageIds');
  if (imageIds && nextToken !== undefined) throw invalidParameter('nextToken', 'cannot be used with imageIds');

  const repository = registry.repository(repositoryName, registryId);
  const detail = (image: StoredImage) => imageDetail(image, repositoryName, registryId ?? registry.registryId);

  if (imageIds) {
    const found = new Set<StoredImage>();
    for (const id of imageIds) {
      const problem = imageIdProblem(id);
      if (problem) throw new AwsError('InvalidParameterException', 400, problem.failureReason);
      const match = matchImage(repository, id);
      if ('failure' in match) throw imageNotFound(id, repositoryName, registryId ?? registry.registryId);
      found.add(match.image);
    }
    return { imageDetails: [...found].map(detail) };
  }

  const images = repository.images.filter((image) => {
    if (tagStatus === 'TAGGED') return image.tags.length > 0;
    if (tagStatus === 'UNTAGGED') return image.tags.length === 0;
    return true;
  });
  const start = nextToken === undefined ? 0 : resumeIndex(images, nextToken);
  const page = images.slice(start, start + (maxResults ?? DEFAULT_MAX_RESULTS));
  const more = start + page.length < images.length;
  return { imageDetails: page.map(detail), ...(more ? { nextToken: pageToken(page.at(-1)!.digest) } : {}) };
}
