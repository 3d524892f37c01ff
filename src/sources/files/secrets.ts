/**
 * Secret references in file mode: an environment variable of this process, a file next to the
 * manifest, or a key of a Kubernetes Secret manifest in the same source (file mode has no cluster to
 * ask). Secrets Manager references are AgentCore's to read, never ours. Errors name the reference,
 * never a value.
 *
 * What a manifest may read is confined, since its author may not be the one who runs it (a pull
 * request's tree read by CI): a variable only if the runner allows it by name or prefix, a file only
 * inside the manifests' folders or a folder the runner names, and only a regular file of a bounded size.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { SecretRef } from '../../api/schema.js';
import { TerminalError } from '../../reconcilers/errors.js';
import { MANIFEST_FILE, type SourceDocument } from './loader.js';

interface SecretManifest {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** What secret references may read. */
export interface SecretAccess {
  /** The folder the manifests' file names are relative to. */
  cwd: string;
  /** Folders a `file:` reference may name a file in (the manifests' folders, and any the runner adds). */
  roots: string[];
  /** Variables an `env:` reference may name: whole names, or prefixes ending in `*` (`AGENT_*`). */
  env: string[];
  maxFileBytes: number;
}

export const DEFAULT_SECRET_FILE_BYTES = 64 * 1024;

/** The manifests' own folders (a file's folder, a folder itself), and no variable, unless the runner adds more. */
export function secretAccessOf(paths: string[], cwd = process.cwd(), more: Partial<Omit<SecretAccess, 'cwd'>> = {}): SecretAccess {
  const folders = paths.map((p) => resolve(cwd, p)).map((p) => (MANIFEST_FILE.test(p) ? dirname(p) : p));
  return { cwd, roots: [...folders, ...(more.roots ?? []).map((r) => resolve(cwd, r))], env: more.env ?? [], maxFileBytes: more.maxFileBytes ?? DEFAULT_SECRET_FILE_BYTES };
}

/** The process's own AWS credentials: never matched by a prefix, only by their whole name. */
const AWS_CREDENTIALS = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']);

function envAllowed(name: string, allowed: string[]): boolean {
  return allowed.some((a) => a === name || (a.endsWith('*') && !AWS_CREDENTIALS.has(name) && name.startsWith(a.slice(0, -1))));
}

/** A path with its symbolic links resolved, as far as it exists. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Why a reference may not be read at all, before anything is read; undefined when it may. */
export function secretRefusal(ref: SecretRef, manifestFile: string, access: SecretAccess): string | undefined {
  if (ref.env && !envAllowed(ref.env, access.env)) return `environment variable ${ref.env} may not be read as a secret: allow it with --secret-env`;
  if (ref.file) {
    const path = realPath(resolve(access.cwd, dirname(manifestFile), ref.file));
    if (!access.roots.some((root) => inside(path, realPath(root)))) return `file ${ref.file} is outside the manifests' folders; a secret file elsewhere needs --secrets-dir`;
  }
  return undefined;
}

/** A file's text, read only if it is a regular file within the size limit (a FIFO or a device is never waited on). */
function readSecretFile(ref: string, path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new TerminalError(`file ${ref} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'ValidationFailed');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new TerminalError(`file ${ref} is not a regular file`, 'ValidationFailed');
    if (stat.size > maxBytes) throw new TerminalError(`file ${ref} is ${stat.size} bytes, over the limit of ${maxBytes} for a secret`, 'ValidationFailed');
    return readFileSync(fd, 'utf8').replace(/\r?\n$/, '');
  } finally {
    closeSync(fd);
  }
}

export function secretsInSource(skipped: SourceDocument[]): Map<string, SecretManifest> {
  const secrets = new Map<string, SecretManifest>();
  for (const doc of skipped) {
    const s = doc.content as SecretManifest & { apiVersion?: string };
    if (s.apiVersion === 'v1' && s.kind === 'Secret' && s.metadata?.name) secrets.set(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s);
  }
  return secrets;
}

export function fileSecretResolver(manifestFile: string, namespace: string, secrets: Map<string, SecretManifest>, access: SecretAccess, env: NodeJS.ProcessEnv = process.env) {
  return async (ref: SecretRef): Promise<string> => {
    const refused = secretRefusal(ref, manifestFile, access);
    if (refused) throw new TerminalError(refused, 'ValidationFailed');
    if (ref.env) {
      const value = env[ref.env];
      if (!value) throw new TerminalError(`environment variable ${ref.env} is not set`, 'ValidationFailed');
      return value;
    }
    // The path checked is the path read: its links resolved once.
    if (ref.file) return readSecretFile(ref.file, realPath(resolve(access.cwd, dirname(manifestFile), ref.file)), access.maxFileBytes);
    if (ref.secretKeyRef) {
      const { name, key } = ref.secretKeyRef;
      const secret = secrets.get(`${namespace}/${name}`);
      const value = secret?.stringData?.[key] ?? (secret?.data?.[key] !== undefined ? Buffer.from(secret.data[key]!, 'base64').toString('utf8') : undefined);
      if (value === undefined) throw new TerminalError(`Secret ${namespace}/${name} with key ${key} is not in this source`, 'ValidationFailed');
      return value;
    }
    throw new TerminalError('a Secrets Manager secret is read by AgentCore, not by the operator', 'ValidationFailed');
  };
}
