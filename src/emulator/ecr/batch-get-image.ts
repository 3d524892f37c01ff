/** BatchGetImage: the manifests of the named images, with a failure entry for each one that cannot be had. */
import { invalidParameter } from './errors.js';
import { imageIdProblem, readImageIds } from './image-ids.js';
import { optionalList } from './input.js';
import { MANIFEST_MEDIA_TYPES } from './manifest.js';
import type { JsonObject } from './protocol.js';
import { matchImage, type ImageId, type Registry } from './registry.js';
import { readRepositoryAddress } from './repository-address.js';

const FAILURE_REASONS = {
  ImageNotFound: 'Requested image not found',
  ImageTagDoesNotMatchDigest: 'Invalid image tag and digest combination',
};

function readAcceptedMediaTypes(input: JsonObject): string[] | undefined {
  const list = optionalList(input, 'acceptedMediaTypes');
  if (list === undefined) return undefined;
  if (list.length < 1 || list.length > 100) throw invalidParameter('acceptedMediaTypes', 'Member must have length between 1 and 100');
  for (const type of list) {
    if (typeof type !== 'string' || !MANIFEST_MEDIA_TYPES.includes(type)) throw invalidParameter('acceptedMediaTypes', `Member must be one of [${MANIFEST_MEDIA_TYPES.join(', ')}]`);
  }
  return list as string[];
}

export function batchGetImage(input: JsonObject, registry: Registry) {
  const { repositoryName, registryId } = readRepositoryAddress(input);
  const imageIds = readImageIds(input, true)!;
  const accepted = readAcceptedMediaTypes(input);
  const repository = registry.repository(repositoryName, registryId);

  const images = [];
  const failures = [];
  for (const id of imageIds) {
    const problem = imageIdProblem(id);
    if (problem) {
      failures.push({ imageId: id, ...problem });
      continue;
    }
    const match = matchImage(repository, id);
    // The emulator converts no manifests, so an image stored in a type the caller refuses is not there for it.
    if ('failure' in match || (accepted && !accepted.includes(match.image.manifestMediaType))) {
      const failureCode = 'failure' in match ? match.failure : 'ImageNotFound';
      failures.push({ imageId: id, failureCode, failureReason: FAILURE_REASONS[failureCode] });
      continue;
    }
    const imageId: ImageId = { imageDigest: match.image.digest, ...(id.imageTag === undefined ? {} : { imageTag: id.imageTag }) };
    images.push({
      registryId: registryId ?? registry.registryId,
      repositoryName,
      imageId,
      imageManifest: match.image.manifest,
      imageManifestMediaType: match.image.manifestMediaType,
    });
  }
  return { images, failures };
}
