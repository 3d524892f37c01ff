/** `POST /_admin/ecr/push`: what `docker push` does to a registry, for tests to stage images. */
import { json, type EmulatorResponse } from '../http.js';
import type { ServiceContext } from '../service.js';
import { DIGEST_PATTERN } from './manifest.js';
import { REPOSITORY_NAME_PATTERN, Registry } from './registry.js';

/** Docker's own tag grammar. */
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface PushRequest {
  /** The account whose registry gets the image; the emulator's own when omitted. */
  account?: string;
  region: string;
  repository: string;
  tag?: string;
  /** `sha256:` and 64 lower-case hex digits; a fresh digest when omitted. */
  digest?: string;
}

function problemWith(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'expected a JSON object { account?, region, repository, tag?, digest? }';
  const { account, region, repository, tag, digest } = body as Record<string, unknown>;
  if (account !== undefined && (typeof account !== 'string' || !/^\d{12}$/.test(account))) return 'account must be 12 digits';
  if (typeof region !== 'string' || region === '') return 'region must be a region name';
  if (typeof repository !== 'string' || !REPOSITORY_NAME_PATTERN.test(repository)) return 'repository must be a valid ECR repository name';
  if (tag !== undefined && (typeof tag !== 'string' || !TAG_PATTERN.test(tag))) return 'tag must be a valid image tag';
  if (digest !== undefined && (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest))) return 'digest must be sha256: followed by 64 lower-case hex digits';
  return undefined;
}

export function push(body: unknown, ctx: ServiceContext): EmulatorResponse {
  const problem = problemWith(body);
  if (problem) return json(400, { message: problem });
  const { account, region, repository, tag, digest } = body as PushRequest;
  const image = new Registry(ctx, region, account).push(repository, tag, digest);
  return json(200, { digest: image.digest });
}
