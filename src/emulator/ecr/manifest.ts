/**
 * Image manifests for pushed images. Nothing is ever pulled from the emulator, so a manifest only has
 * to look like what ECR stores: a Docker v2 manifest whose config and layers are random blobs.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';

export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json';
const LAYER_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** The media types BatchGetImage's acceptedMediaTypes may name. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v1+json',
  DOCKER_MANIFEST_MEDIA_TYPE,
  'application/vnd.oci.image.manifest.v1+json',
];

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export const digestOf = (content: string | Buffer) => `sha256:${createHash('sha256').update(content).digest('hex')}`;

export interface SyntheticManifest {
  manifest: string;
  /** What ECR reports as imageSizeInBytes: the compressed layers. */
  sizeInBytes: number;
}

export function syntheticManifest(): SyntheticManifest {
  const blob = (mediaType: string, size: number) => ({ mediaType, size, digest: digestOf(randomBytes(32)) });
  const layers = [blob(LAYER_MEDIA_TYPE, randomInt(1_000_000, 50_000_000)), blob(LAYER_MEDIA_TYPE, randomInt(1_000, 5_000_000))];
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_MEDIA_TYPE, config: blob(DOCKER_CONFIG_MEDIA_TYPE, randomInt(1_000, 20_000)), layers });
  return { manifest, sizeInBytes: layers.reduce((sum, layer) => sum + layer.size, 0) };
}
