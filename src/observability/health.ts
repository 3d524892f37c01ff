/**
 * The operator's HTTP endpoint for the kubelet and Prometheus: /healthz (liveness), /readyz
 * (readiness) and /metrics. Probe callbacks are asked on every request, so the answer is never stale.
 * With a certificate it serves HTTPS; with an authorizer, /metrics answers only the callers it allows,
 * while the probes stay open, since the kubelet sends no token.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { OperatorMetrics } from './metrics.js';
import type { RequestAuthorizer } from './request-authorizer.js';
import type { ServingCertificate } from './serving-certificate.js';

export type ProbeResult = boolean | { ok: boolean; message?: string };

export interface HealthServerOptions {
  /** 0 for a random port. */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
  metrics: OperatorMetrics;
  /** Liveness: false when the process is wedged (e.g. an informer silent far beyond its watchdog). */
  healthy(): ProbeResult;
  /** Readiness: true once every informer has synced. */
  ready(): ProbeResult;
  /** Serve HTTPS with this certificate instead of plain HTTP. */
  tls?: ServingCertificate;
  /** Who may read /metrics; without one, anyone who reaches the port. */
  authorizeMetrics?: RequestAuthorizer;
}

export interface RunningHealthServer {
  url: string;
  port: number;
  /** Serves new connections with this certificate (a renewed one); only for a server started with `tls`. */
  setCertificate(certificate: ServingCertificate): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

const TEXT = 'text/plain; charset=utf-8';

export async function startHealthServer(options: HealthServerOptions): Promise<RunningHealthServer> {
  const host = options.host ?? '0.0.0.0';
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, options)
      .catch((err: unknown): Reply => ({ status: 500, contentType: TEXT, body: `internal error: ${messageOf(err)}` }))
      .then((reply) => send(req, res, reply))
      .catch(() => res.destroy());
  };
  const tlsServer = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : undefined;
  const server = tlsServer ?? createServer(listener);
  // A malformed request line or header gets a 400 instead of an unhandled socket error.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tlsServer ? 'https' : 'http'}://${reachableHost(host)}:${port}`,
    port,
    setCertificate(certificate) {
      if (!tlsServer) throw new Error('the health server was started without TLS');
      tlsServer.setSecureContext({ cert: certificate.cert, key: certificate.key });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A request still in flight (a slow scrape, say) would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, options: HealthServerOptions): Promise<Reply> {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const route = ROUTES.get(path);
  if (!route) return { status: 404, contentType: TEXT, body: 'not found' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, contentType: TEXT, body: 'method not allowed', headers: { Allow: 'GET, HEAD' } };
  }
  if (path === '/metrics' && options.authorizeMetrics) {
    const decision = await options.authorizeMetrics({ authorization: req.headers.authorization, path });
    if (!decision.allowed) return { status: decision.status, contentType: TEXT, body: decision.message, headers: decision.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : undefined };
  }
  return route(options);
}

const ROUTES = new Map<string, (options: HealthServerOptions) => Promise<Reply> | Reply>([
  ['/metrics', async ({ metrics }) => ({ status: 200, contentType: metrics.registry.contentType, body: await metrics.registry.metrics() })],
  ['/healthz', ({ healthy }) => probe(healthy, 'not healthy')],
  ['/readyz', ({ ready }) => probe(ready, 'not ready')],
]);

function probe(check: () => ProbeResult, failure: string): Reply {
  let result: ProbeResult;
  try {
    result = check();
  } catch (err) {
    return { status: 500, contentType: TEXT, body: `${failure}: ${messageOf(err)}` };
  }
  const { ok, message } = typeof result === 'boolean' ? { ok: result, message: undefined } : result;
  if (ok) return { status: 200, contentType: TEXT, body: 'ok' };
  return { status: 500, contentType: TEXT, body: message || failure };
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.body),
    'Cache-Control': 'no-store',
    ...reply.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : reply.body);
}

function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
