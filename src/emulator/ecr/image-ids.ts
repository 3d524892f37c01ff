/** The imageIds list both operations take, and what can be wrong with one identifier. */
import { invalidParameter } from './errors.js';
import type { JsonObject } from './protocol.js';
import { optionalList, optionalString } from './input.js';
import type { ImageId } from './registry.js';

const MAX_IMAGE_IDS = 100;
const MAX_TAG_LENGTH = 300;
/** ECR's own digest pattern, looser than the sha256 digests it hands out. */
const DIGEST_SYNTAX = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/;

export function readImageIds(input: JsonObject, required: boolean): ImageId[] | undefined {
  const list = optionalList(input, 'imageIds');
  if (list === undefined) {
    if (required) throw invalidParameter('imageIds', 'must not be null');
    return undefined;
  }
  if (list.length < 1 || list.length > MAX_IMAGE_IDS) throw invalidParameter('imageIds', `Member must have length between 1 and ${MAX_IMAGE_IDS}`);
  const ids = list.map((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalidParameter(`imageIds.${index + 1}`, 'must be an image identifier');
    const id: ImageId = {};
    const digest = optionalString(entry as JsonObject, 'imageDigest');
    const tag = optionalString(entry as JsonObject, 'imageTag');
    if (digest !== undefined) id.imageDigest = digest;
    if (tag !== undefined) id.imageTag = tag;
    return id;
  });
  // ECR answers a repeated identifier once.
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = `${id.imageDigest ?? ''}|${id.imageTag ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ImageIdProblem {
  failureCode: 'MissingDigestAndTag' | 'InvalidImageDigest' | 'InvalidImageTag';
  failureReason: string;
}

export function imageIdProblem(id: ImageId): ImageIdProblem | undefined {
  if (id.imageDigest === undefined && id.imageTag === undefined) return { failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' };
  if (id.imageDigest !== undefined && !DIGEST_SYNTAX.test(id.imageDigest)) {
    return { failureCode: 'InvalidImageDigest', failureReason: `Invalid request parameters: image digest should satisfy the regex '${DIGEST_SYNTAX.source.slice(1, -1)}'` };
  }
  if (id.imageTag !== undefined && (id.imageTag.length < 1 || id.imageTag.length > MAX_TAG_LENGTH)) {
    return { failureCode: 'InvalidImageTag', failureReason: `Invalid request parameters: image tag length should be between 1 and ${MAX_TAG_LENGTH}` };
  }
  return undefined;
}
