/** The images ECR holds: repositories per account and region, each an append-only list of images. */
import type { ServiceContext } from '../service.js';
import { repositoryNotFound } from './errors.js';
import { DOCKER_CONFIG_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE, digestOf, syntheticManifest } from './manifest.js';

export interface StoredImage {
  digest: string;
  tags: string[];
  sizeInBytes: number;
  /** Epoch milliseconds. */
  pushedAt: number;
  manifest: string;
  manifestMediaType: string;
  artifactMediaType: string;
}

export interface StoredRepository {
  createdAt: number;
  /** In push order. */
  images: StoredImage[];
}

interface EcrState {
  /** Keyed by `<account>/<region>`, then by repository name. */
  registries: Record<string, Record<string, StoredRepository>>;
}

export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

/** One account's registry in one region. */
export class Registry {
  readonly registryId: string;
  private readonly state: EcrState;
  private readonly key: string;

  /** The registry of an account in a region: the emulator's own account's unless another is named. */
  constructor(
    private readonly ctx: ServiceContext,
    private readonly region: string,
    registryId = ctx.config.accountId,
  ) {
    this.registryId = registryId;
    this.state = ctx.state.slice<EcrState>('ecr', () => ({ registries: {} }));
    this.key = `${this.registryId}/${region}`;
  }

  /**
   * The repository, or RepositoryNotFoundException. Another account's registry holds what was pushed
   * to it (as if its repository policy let this account pull), and nothing else.
   */
  repository(name: string, registryId = this.registryId): StoredRepository {
    const repository = this.state.registries[`${registryId}/${this.region}`]?.[name];
    if (!repository) throw repositoryNotFound(name, registryId);
    return repository;
  }

  /**
   * Records a push: the repository and the image are created when new, and the tag moves to the image,
   * leaving whichever image held it before untagged but still there.
   */
  push(repositoryName: string, tag: string | undefined, digest: string | undefined): StoredImage {
    const now = this.ctx.clock.now();
    const repositories = (this.state.registries[this.key] ??= {});
    const repository = (repositories[repositoryName] ??= { createdAt: now, images: [] });
    let image = digest === undefined ? undefined : repository.images.find((i) => i.digest === digest);
    if (!image) {
      const { manifest, sizeInBytes } = syntheticManifest();
      image = {
        // Without a digest the manifest's own hash serves; a given digest is taken as is.
        digest: digest ?? digestOf(manifest),
        tags: [],
        sizeInBytes,
        pushedAt: now,
        manifest,
        manifestMediaType: DOCKER_MANIFEST_MEDIA_TYPE,
        artifactMediaType: DOCKER_CONFIG_MEDIA_TYPE,
      };
      repository.images.push(image);
    }
    if (tag !== undefined && !image.tags.includes(tag)) {
      for (const other of repository.images) other.tags = other.tags.filter((t) => t !== tag);
      image.tags.push(tag);
    }
    this.ctx.state.markChanged();
    return image;
  }
}

export type ImageMatch = { image: StoredImage } | { failure: 'ImageNotFound' | 'ImageTagDoesNotMatchDigest' };

/** Finds the image an identifier names; with both a digest and a tag they must name the same image. */
export function matchImage(repository: StoredRepository, id: ImageId): ImageMatch {
  const byDigest = id.imageDigest === undefined ? undefined : repository.images.find((i) => i.digest === id.imageDigest);
  const byTag = id.imageTag === undefined ? undefined : repository.images.find((i) => i.tags.includes(id.imageTag!));
  if (id.imageDigest !== undefined && id.imageTag !== undefined) {
    if (!byDigest || !byTag) return { failure: 'ImageNotFound' };
    return byDigest === byTag ? { image: byDigest } : { failure: 'ImageTagDoesNotMatchDigest' };
  }
  const image = byDigest ?? byTag;
  return image ? { image } : { failure: 'ImageNotFound' };
}
