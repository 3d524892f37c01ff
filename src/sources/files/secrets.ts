/**
 * Secret references in file mode: an environment variable of this process, a file next to the
 * manifest, or a key of a Kubernetes Secret manifest in the same source (file mode has no cluster to
 * ask). Secrets Manager references are AgentCore's to read, never ours. Errors name the reference,
 * never a value.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SecretRef } from '../../api/schema.js';
import { TerminalError } from '../../reconcilers/errors.js';
import type { SourceDocument } from './loader.js';

interface SecretManifest {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export function secretsInSource(skipped: SourceDocument[]): Map<string, SecretManifest> {
  const secrets = new Map<string, SecretManifest>();
  for (const doc of skipped) {
    const s = doc.content as SecretManifest & { apiVersion?: string };
    if (s.apiVersion === 'v1' && s.kind === 'Secret' && s.metadata?.name) secrets.set(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s);
  }
  return secrets;
}

export function fileSecretResolver(manifestFile: string, namespace: string, secrets: Map<string, SecretManifest>, env: NodeJS.ProcessEnv = process.env) {
  return async (ref: SecretRef): Promise<string> => {
    if (ref.env) {
      const value = env[ref.env];
      if (!value) throw new TerminalError(`environment variable ${ref.env} is not set`, 'ValidationFailed');
      return value;
    }
    if (ref.file) {
      const path = resolve(dirname(manifestFile), ref.file);
      try {
        return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        throw new TerminalError(`file ${ref.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'ValidationFailed');
      }
    }
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
