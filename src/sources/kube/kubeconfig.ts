/**
 * Where the Kubernetes API is and how to authenticate to it, read the way kubectl and client-go read
 * it: `--kubeconfig`, else the files listed in KUBECONFIG (merged, the first file to name an entry
 * wins), else ~/.kube/config, else the pod's service account.
 *
 * Ours rather than @kubernetes/client-node's KubeConfig because loading that one loads the library's
 * whole generated API with it: about 25 MiB of heap and 75 MiB of resident memory, half of what the
 * operator may use with 5,000 objects. The tests hold this loader to client-node's answers.
 *
 * Credentials are re-read when due: token files (a projected service account token is rotated
 * under us) and client certificate files every half minute, an exec plugin's credential when it
 * expires. Secrets read here never leave the returned headers and TLS options.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const FILE_TTL_MS = 30_000;
/** An exec credential is renewed this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

export interface Credentials {
  headers: Record<string, string | string[]>;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** False only when the cluster says insecure-skip-tls-verify. */
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface KubeConfig {
  /** Where the configuration came from, for messages: the files, or the service account. */
  readonly source: string;
  readonly context: string;
  readonly server: string;
  /** The context's namespace (in a pod, the service account's), if any. */
  readonly namespace?: string;
  /** Headers and TLS material as of now. */
  credentials(): Promise<Credentials>;
  /** The API server refused the credentials (401): forget an issued one, so the next call gets a new one. */
  refused(): void;
}

export interface LoadOptions {
  kubeconfig?: string;
  context?: string;
  env?: NodeJS.ProcessEnv;
  /** Where a pod's service account is mounted; tests point it elsewhere. */
  serviceAccountDir?: string;
  /** When credentials are due for a re-read; tests move it. */
  clock?: () => number;
}

export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

interface Named<T> {
  name: string;
  value: T;
  /** The directory relative file names in the entry are read from. */
  dir: string;
  file: string;
}

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  installHint?: string;
}

interface UserEntry {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  as?: string;
  'as-groups'?: string[];
  exec?: ExecConfig;
  'auth-provider'?: { name?: string };
}

interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}

interface Merged {
  files: string[];
  currentContext?: string;
  clusters: Map<string, Named<ClusterEntry>>;
  users: Map<string, Named<UserEntry>>;
  contexts: Map<string, Named<ContextEntry>>;
}

export function loadKubeConfig(options: LoadOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const clock = options.clock ?? Date.now;
  const files = options.kubeconfig ? [options.kubeconfig] : kubeconfigFiles(env);
  if (files.length > 0) return fromFiles(mergeFiles(files, options.kubeconfig !== undefined), options.context, clock);
  const serviceAccountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(join(serviceAccountDir, 'token'))) {
    if (options.context) throw new KubeConfigError(`--context ${options.context} names a kubeconfig context, but there is no kubeconfig: in a pod the service account is used`);
    return inCluster(env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT, serviceAccountDir, clock);
  }
  throw new KubeConfigError('no Kubernetes cluster is configured: set KUBECONFIG, pass --kubeconfig, or run in a pod');
}

/** KUBECONFIG's existing files, else ~/.kube/config when it exists. */
function kubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f));
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

function mergeFiles(files: string[], required: boolean): Merged {
  const merged: Merged = { files, clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (!required) continue;
      throw new KubeConfigError(`kubeconfig ${file}: ${(error as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = parse(text) ?? {};
    } catch (error) {
      throw new KubeConfigError(`kubeconfig ${file}: not YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeConfigError(`kubeconfig ${file}: not a kubeconfig (expected a mapping with clusters, users and contexts)`);
    const config = doc as Record<string, unknown>;
    merged.currentContext ||= typeof config['current-context'] === 'string' ? config['current-context'] : undefined;
    addEntries(merged.clusters, config.clusters, 'clusters', 'cluster', file);
    addEntries(merged.users, config.users, 'users', 'user', file);
    addEntries(merged.contexts, config.contexts, 'contexts', 'context', file);
  }
  return merged;
}

function addEntries<T>(into: Map<string, Named<T>>, list: unknown, field: string, key: string, file: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new KubeConfigError(`kubeconfig ${file}: ${field} must be a list`);
  list.forEach((item: unknown, i) => {
    const entry = item as Record<string, unknown> | null;
    if (!entry || typeof entry.name !== 'string') throw new KubeConfigError(`kubeconfig ${file}: ${field}[${i}].name is required`);
    const value = entry[key] ?? {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new KubeConfigError(`kubeconfig ${file}: ${field}[${i}].${key} must be a mapping`);
    if (!into.has(entry.name)) into.set(entry.name, { name: entry.name, value: value as T, dir: dirname(resolve(file)), file });
  });
}

function fromFiles(merged: Merged, contextName: string | undefined, clock: () => number): KubeConfig {
  const source = merged.files.join(delimiter);
  const name = contextName ?? merged.currentContext;
  if (!name) throw new KubeConfigError(`kubeconfig ${source}: no current-context is set; pass --context`);
  const context = merged.contexts.get(name);
  if (!context) throw new KubeConfigError(`kubeconfig ${source}: context "${name}" is not in contexts`);
  const cluster = context.value.cluster !== undefined ? merged.clusters.get(context.value.cluster) : undefined;
  if (!cluster) throw new KubeConfigError(`kubeconfig ${context.file}: context "${name}" names cluster "${context.value.cluster ?? ''}", which is not in clusters`);
  const user = context.value.user ? merged.users.get(context.value.user) : undefined;
  if (context.value.user && !user) throw new KubeConfigError(`kubeconfig ${context.file}: context "${name}" names user "${context.value.user}", which is not in users`);
  const where = (entry: Named<unknown>, kind: string, field: string) => `kubeconfig ${entry.file}: ${kind} "${entry.name}": ${field}`;

  const c = cluster.value;
  if (!c.server) throw new KubeConfigError(`${where(cluster, 'cluster', 'server')} is required`);
  try {
    new URL(c.server);
  } catch {
    throw new KubeConfigError(`${where(cluster, 'cluster', 'server')} is not a URL`);
  }
  if (c['proxy-url']) throw new KubeConfigError(`${where(cluster, 'cluster', 'proxy-url')} is not supported; reach the API server directly`);
  const u = user?.value ?? {};
  if (user && u['auth-provider']) {
    throw new KubeConfigError(`${where(user, 'user', 'auth-provider')} (${u['auth-provider'].name ?? 'unnamed'}) is not supported; use an exec credential plugin (kubectl's own auth providers were removed in 1.26)`);
  }
  if (user && u.exec && !u.exec.command) throw new KubeConfigError(`${where(user, 'user', 'exec.command')} is required`);

  const ca = fileOrData(cluster.dir, c['certificate-authority'], c['certificate-authority-data'], where(cluster, 'cluster', 'certificate-authority'), clock);
  const cert = user ? fileOrData(user.dir, u['client-certificate'], u['client-certificate-data'], where(user, 'user', 'client-certificate'), clock) : noMaterial;
  const key = user ? fileOrData(user.dir, u['client-key'], u['client-key-data'], where(user, 'user', 'client-key'), clock) : noMaterial;
  const tokenFile = user && u.tokenFile ? cachedFile(resolve(user.dir, u.tokenFile), where(user, 'user', 'tokenFile'), clock) : undefined;
  const exec = user && u.exec ? execCredential(u.exec, user.dir, where(user, 'user', 'exec'), clock) : undefined;
  const impersonation: Record<string, string | string[]> = {};
  if (u.as) impersonation['Impersonate-User'] = u.as;
  if (u['as-groups']?.length) impersonation['Impersonate-Group'] = u['as-groups'];

  return {
    source,
    context: name,
    server: c.server,
    namespace: context.value.namespace,
    async credentials() {
      const headers: Record<string, string | string[]> = { ...impersonation };
      const issued = exec ? await exec.get() : undefined;
      const token = issued?.token ?? (u.token || undefined) ?? tokenFile?.()?.toString('utf8').trim();
      if (token) headers.authorization = `Bearer ${token}`;
      else if (u.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}`;
      return {
        headers,
        ca: ca(),
        cert: issued?.cert ?? cert(),
        key: issued?.key ?? key(),
        rejectUnauthorized: c['insecure-skip-tls-verify'] !== true,
        servername: c['tls-server-name'] || undefined,
      };
    },
    refused() {
      exec?.forget();
    },
  };
}

function inCluster(host: string, port: string, dir: string, clock: () => number): KubeConfig {
  const token = cachedFile(join(dir, 'token'), 'the service account token', clock);
  const ca = cachedFile(join(dir, 'ca.crt'), 'the service account CA', clock);
  const namespaceFile = join(dir, 'namespace');
  return {
    source: `the service account in ${dir}`,
    context: 'in-cluster',
    // Always TLS, whatever the port, as client-go's in-cluster config: the token must not travel in clear text.
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined,
    async credentials() {
      return { headers: { authorization: `Bearer ${token()!.toString('utf8').trim()}` }, ca: ca(), rejectUnauthorized: true };
    },
    // The token file is read again within half a minute of a rotation in any case.
    refused() {},
  };
}

const noMaterial = (): undefined => undefined;

/** Inline base64 data, or a file re-read now and then; the data wins when both are set, as in client-go. */
function fileOrData(dir: string, file: string | undefined, data: string | undefined, what: string, clock: () => number): () => Buffer | undefined {
  if (data) {
    const bytes = Buffer.from(data, 'base64');
    return () => bytes;
  }
  if (file) return cachedFile(resolve(dir, file), what, clock);
  return noMaterial;
}

/** A file's bytes, read at once (so a wrong path fails at start) and again when older than FILE_TTL_MS. */
function cachedFile(path: string, what: string, clock: () => number): () => Buffer {
  const read = () => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new KubeConfigError(`${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  let bytes = read();
  let at = clock();
  return () => {
    if (clock() - at > FILE_TTL_MS) {
      bytes = read();
      at = clock();
    }
    return bytes;
  };
}

interface Issued {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  expiresAt: number;
}

/**
 * When to run the plugin again for a credential issued at `issuedAt`: a minute before it expires, or
 * half-way through a shorter life, so a credential that lives under a minute is renewed once, not on
 * every request; never sooner than a second after it was issued.
 */
function renewalTime(issuedAt: number, expiresAt: number): number {
  const life = expiresAt - issuedAt;
  return Math.max(issuedAt + 1000, life > 2 * EXPIRY_MARGIN_MS ? expiresAt - EXPIRY_MARGIN_MS : issuedAt + life / 2);
}

/** A client-go credential plugin: run when there is no credential, it is due for renewal, or the server refused it. */
function execCredential(config: ExecConfig, dir: string, where: string, clock: () => number): { get(): Promise<Issued>; forget(): void } {
  const apiVersion = config.apiVersion ?? 'client.authentication.k8s.io/v1';
  // A command with a slash is a path relative to the kubeconfig; a bare name is looked up on PATH.
  const command = config.command!.includes('/') ? resolve(dir, config.command!) : config.command!;
  let current: Promise<Issued> | undefined;
  const run = (): Promise<Issued> =>
    new Promise((done, fail) => {
      const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } }) };
      for (const { name, value } of config.env ?? []) env[name] = value;
      execFile(command, config.args ?? [], { env, timeout: 60_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
        if (error) {
          const hint = config.installHint ? ` (${config.installHint.trim()})` : '';
          return fail(new KubeConfigError(`${where}: ${config.command} failed: ${stderr.trim().split('\n')[0] || error.message}${hint}`));
        }
        let status: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } | undefined;
        try {
          status = (JSON.parse(stdout) as { status?: typeof status }).status;
        } catch {
          return fail(new KubeConfigError(`${where}: ${config.command} printed something other than an ExecCredential`));
        }
        if (!status?.token && !(status?.clientCertificateData && status.clientKeyData)) {
          return fail(new KubeConfigError(`${where}: ${config.command} printed an ExecCredential with neither status.token nor a client certificate and key`));
        }
        done({
          token: status.token,
          cert: status.clientCertificateData ? Buffer.from(status.clientCertificateData) : undefined,
          key: status.clientKeyData ? Buffer.from(status.clientKeyData) : undefined,
          expiresAt: status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : Infinity,
        });
      });
    });
  let renewAt = 0;
  return {
    get() {
      if (!current || clock() >= renewAt) {
        const issuedAt = clock();
        const running = run();
        current = running;
        renewAt = Infinity;
        running.then(
          (issued) => (renewAt = renewalTime(issuedAt, issued.expiresAt)),
          () => {
            if (current === running) current = undefined;
          },
        );
      }
      return current;
    },
    forget() {
      current = undefined;
    },
  };
}
