/**
 * What code a runtime runs, as a fingerprint: an image tag resolved to its digest through ECR (the
 * deployed image is pinned to it, so a re-pushed tag is a new version), or the S3 object version of a
 * code zip. The fingerprint and the restart request make up the session-restart variable.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { AgentRuntimeSpec } from '../../api/v1alpha1/agentruntime.js';
import { send, type RateGate } from '../../aws/call.js';
import type { AwsClients } from '../../aws/clients.js';
import type { Memo } from '../memo.js';

export interface ImageReference {
  registry: string;
  /** Account and region of a private ECR registry; undefined for public.ecr.aws. */
  account?: string;
  region?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const IMAGE = /^(([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?|public\.ecr\.aws)\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([^:@]{1,300}))?(?:@(.+))?$/;

export function parseImage(uri: string): ImageReference | undefined {
  const m = IMAGE.exec(uri);
  if (!m) return undefined;
  return { registry: m[1]!, account: m[2], region: m[3], repository: m[5]!, tag: m[6], digest: m[7] };
}

export interface ResolvedArtifact {
  /** The image to deploy: pinned to its digest when it was resolved. */
  image?: string;
  /** Digest, S3 version id, or (when nothing finer is known) the reference itself. */
  fingerprint: string;
}

/** One digest lookup per image reference serves every runtime reconciled within `sharedMs`. */
export async function resolveArtifact(aws: AwsClients, gate: RateGate | undefined, artifact: AgentRuntimeSpec['artifact'], memo: Memo | undefined, sharedMs: number): Promise<ResolvedArtifact> {
  if (artifact.code) {
    const { bucket, prefix, versionId } = artifact.code.s3;
    if (versionId) return { fingerprint: `s3:${versionId}` };
    const head = await send<{ VersionId?: string; ETag?: string }>(aws.s3, new HeadObjectCommand({ Bucket: bucket, Key: prefix }), gate);
    return { fingerprint: `s3:${head.VersionId && head.VersionId !== 'null' ? head.VersionId : (head.ETag ?? '').replace(/"/g, '')}` };
  }
  const uri = artifact.image!;
  const ref = parseImage(uri);
  if (!ref || ref.digest || artifact.trackDigest === false) return { image: uri, fingerprint: ref?.digest ?? uri };
  // Public ECR images cannot be resolved through the private registry API; the tag is what we know.
  if (!ref.account || !ref.region || !ref.tag) return { image: uri, fingerprint: uri };
  const describe = () => send<{ imageDetails?: { imageDigest?: string }[] }>(
    aws.ecrIn(ref.region!),
    new DescribeImagesCommand({ registryId: ref.account, repositoryName: ref.repository, imageIds: [{ imageTag: ref.tag }] }),
    gate,
  );
  const described = memo ? await memo.get(`ecr:${uri}`, sharedMs, describe) : await describe();
  const digest = described.imageDetails?.[0]?.imageDigest;
  if (!digest) return { image: uri, fingerprint: uri };
  return { image: `${ref.registry}/${ref.repository}@${digest}`, fingerprint: digest };
}

/** The session-restart variable: new code or a restart request changes it, and so mints a version. */
export function codeVersion(fingerprint: string, restartedAt: string | undefined): string {
  return restartedAt ? `${fingerprint}+restart@${restartedAt}` : fingerprint;
}
