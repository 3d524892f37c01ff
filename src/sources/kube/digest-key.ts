/**
 * The installation's key for the secret digests kept in status, held in a Secret of the operator's
 * own namespace: the first replica to start makes it, every later one (and every restart) reads it,
 * so a digest in status stays good across restarts and nobody who can only read status can test
 * guesses against it.
 */
import { randomBytes } from 'node:crypto';
import { KubeApiError, type KubeClient } from './client.js';
import { secretsPath } from './resources.js';

const KEY = 'key';

interface Secret {
  data?: Record<string, string>;
}

export class DigestKeyError extends Error {
  constructor(where: string, cause: unknown) {
    super(`the secret digest key in Secret ${where} could not be read or made: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DigestKeyError';
  }
}

/** The key in Secret `namespace/name`, made with 32 random bytes when the Secret does not exist yet. */
export async function installationDigestKey(client: KubeClient, namespace: string, name: string): Promise<string> {
  const where = `${namespace}/${name}`;
  try {
    return (await read(client, namespace, name)) ?? (await make(client, namespace, name)) ?? (await read(client, namespace, name)) ?? missing(where);
  } catch (error) {
    throw error instanceof DigestKeyError ? error : new DigestKeyError(where, error);
  }
}

/** The key, or undefined when the Secret does not exist; a Secret without the key is an error, never overwritten. */
async function read(client: KubeClient, namespace: string, name: string): Promise<string | undefined> {
  let secret: Secret;
  try {
    secret = await client.request<Secret>('GET', `${secretsPath(namespace)}/${encodeURIComponent(name)}`);
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 404) return undefined;
    throw error;
  }
  const key = secret.data?.[KEY];
  if (!key) throw new DigestKeyError(`${namespace}/${name}`, new Error(`it has no data.${KEY}`));
  return key;
}

/** Makes the Secret; undefined when another replica made it first. */
async function make(client: KubeClient, namespace: string, name: string): Promise<string | undefined> {
  // The key is the Secret's data as the API carries it: 32 random bytes, in base64.
  const key = randomBytes(32).toString('base64');
  const body = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'agentcore-operator' } },
    type: 'Opaque',
    data: { [KEY]: key },
  };
  try {
    await client.request('POST', secretsPath(namespace), { body });
    return key;
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 409) return undefined;
    throw error;
  }
}

function missing(where: string): never {
  throw new DigestKeyError(where, new Error('it was made by another replica and then removed'));
}
