/**
 * The operator's connection to the Kubernetes API, as the kubeconfig says (in a pod, the service
 * account's token and CA): requests go over a keep-alive pool, so a thousand status writes do not
 * make a thousand TLS handshakes. Watches are streamed line by line with a silence timeout of their own.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { KubeConfigError, type Credentials, type KubeConfig } from './kubeconfig.js';
import type { ObjectMeta } from '../../api/meta.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T = KubeObject> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** An answer of the API server other than 2xx, with the Status it sent. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptionsOf {
  body?: unknown;
  /** Defaults to JSON; patches name their type (merge-patch+json, json-patch+json, apply-patch+yaml). */
  contentType?: string;
  query?: Query;
  timeoutMs?: number;
}

export interface WatchOptions {
  signal: AbortSignal;
  /** The stream is closed with an error when nothing (not even a bookmark) arrives for this long. */
  idleTimeoutMs: number;
}

export interface KubeClient {
  /** The server's URL, for messages. */
  readonly server: string;
  request<T = KubeObject>(method: string, path: string, options?: RequestOptionsOf): Promise<T>;
  /** Streams a watch: resolves when the server ends it, rejects on a failure, a non-200 answer, silence, or an error thrown by onEvent. */
  watch<T = KubeObject>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, options: WatchOptions): Promise<void>;
  close(): void;
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

export { loadKubeConfig } from './kubeconfig.js';

function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function apiError(status: number, text: string, method: string, path: string): KubeApiError {
  try {
    const body = JSON.parse(text) as { kind?: string; reason?: string; message?: string; code?: number };
    if (body.kind === 'Status') return new KubeApiError(body.code ?? status, body.reason ?? 'Unknown', body.message ?? `${method} ${path}: ${status}`);
  } catch {
    // not a Status
  }
  return new KubeApiError(status, 'Unknown', `${method} ${path}: HTTP ${status} ${text.slice(0, 200)}`);
}

function sameTlsMaterial(a: Credentials, b: Credentials): boolean {
  const same = (x?: Buffer, y?: Buffer) => x === y || (x !== undefined && y !== undefined && x.equals(y));
  return same(a.ca, b.ca) && same(a.cert, b.cert) && same(a.key, b.key);
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i;

export function kubeClient(kc: KubeConfig): KubeClient {
  const base = new URL(kc.server);
  const secure = base.protocol === 'https:';
  let agents: { request: HttpAgent; watch: HttpAgent } | undefined;
  let agentsFor: Credentials | undefined;

  function agent(maxSockets: number, { ca, cert, key, rejectUnauthorized, servername }: Credentials): HttpAgent {
    return secure ? new HttpsAgent({ keepAlive: true, maxSockets, ca, cert, key, rejectUnauthorized, servername }) : new HttpAgent({ keepAlive: true, maxSockets });
  }

  /** Retires agents whose TLS material is stale once what runs on them is done (requests time out in 30 s; watches end within 10 min). */
  function retire(old: { request: HttpAgent; watch: HttpAgent }): void {
    setTimeout(() => old.request.destroy(), 60_000).unref();
    setTimeout(() => old.watch.destroy(), 15 * 60_000).unref();
  }

  /**
   * The credentials (the kubeconfig re-reads rotated files and renews exec credentials) and the
   * agents, made anew when the TLS material changes: requests share a bounded pool; each watch holds
   * a socket for minutes, so watches get a pool of their own that never makes a request wait behind them.
   */
  async function connection(kind: 'request' | 'watch'): Promise<{ agent: HttpAgent; headers: Record<string, string | string[]> }> {
    const credentials = await kc.credentials();
    // A bearer token or password in clear text is anyone's on the way; only this machine's own port may see one.
    if (!secure && credentials.headers.authorization !== undefined && !LOOPBACK_HOST.test(base.hostname)) {
      throw new KubeConfigError(`${kc.source}: the API server ${kc.server} is plain http, and credentials are never sent over it; use https`);
    }
    if (!agents || !agentsFor || !sameTlsMaterial(credentials, agentsFor)) {
      if (agents) retire(agents);
      agents = { request: agent(32, credentials), watch: agent(Infinity, credentials) };
    }
    agentsFor = credentials;
    return { agent: agents[kind], headers: credentials.headers };
  }

  async function open(pool: 'request' | 'watch', method: string, path: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<IncomingMessage> {
    const conn = await connection(pool);
    const url = new URL(path, base);
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, agent: conn.agent, headers: { accept: 'application/json', ...conn.headers, ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, signal }, resolve);
      req.on('error', reject);
      if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: no answer from ${kc.server} within ${timeoutMs} ms`)));
      req.end(body);
    });
  }

  return {
    server: kc.server,
    async request<T>(method: string, path: string, options: RequestOptionsOf = {}): Promise<T> {
      const full = withQuery(path, options.query);
      const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      const send = () => open('request', method, full, body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }, body, undefined, options.timeoutMs ?? 30_000);
      let res = await send();
      if (res.statusCode === 401) {
        // An exec plugin's credential may be revoked before it expires: run the plugin again, once.
        await readAll(res);
        kc.refused();
        res = await send();
      }
      const text = await readAll(res);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) throw apiError(status, text, method, path);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async watch<T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, options: WatchOptions): Promise<void> {
      const res = await open('watch', 'GET', withQuery(path, { ...query, watch: 'true' }), {}, undefined, options.signal, undefined);
      if (res.statusCode === 401) kc.refused();
      if (res.statusCode !== 200) throw apiError(res.statusCode ?? 0, await readAll(res), 'GET', path);
      await new Promise<void>((resolve, reject) => {
        let buffered = '';
        let timer: NodeJS.Timeout | undefined;
        let settled = false;
        const finish = (error?: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          res.removeAllListeners('data');
          if (error) {
            res.destroy();
            reject(error);
          } else resolve();
        };
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => finish(new Error(`watch ${path} was silent for ${options.idleTimeoutMs} ms`)), options.idleTimeoutMs);
          timer.unref();
        };
        arm();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          arm();
          buffered += chunk;
          let newline = buffered.indexOf('\n');
          while (newline !== -1) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            newline = buffered.indexOf('\n');
            if (!line) continue;
            let event: WatchEvent<T>;
            try {
              event = JSON.parse(line) as WatchEvent<T>;
            } catch {
              return finish(new Error(`watch ${path}: a line that is not JSON`));
            }
            try {
              onEvent(event);
            } catch (error) {
              // Thrown out of a 'data' listener it would escape the stream as an uncaught exception.
              return finish(error as Error);
            }
            if (settled) return;
          }
        });
        res.on('end', () => finish());
        res.on('error', (error) => finish(error));
        res.on('close', () => finish(res.complete ? undefined : new Error(`watch ${path}: the connection closed`)));
      });
    },
    close() {
      agents?.request.destroy();
      agents?.watch.destroy();
    },
  };
}
