/**
 * A fault-injecting reverse proxy in front of a real kube-apiserver, for the tests that need the cluster
 * to misbehave: every request is forwarded as it is, unless a fault rule answers it with an error Status,
 * holds it back for a while, or answers a watch with "410 Gone"; and every open watch can be ended at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serveAdmin } from './admin.js';
import { Faults } from './faults.js';
import { Forwarder } from './forward.js';
import { parseRequest } from './request.js';
import { expiredWatchEvent, injectedStatus, sendJson, status } from './status.js';
import { OpenWatches } from './watches.js';

export type { FaultRule, RequestFacts } from './faults.js';
export { Faults } from './faults.js';

export interface FaultProxyOptions {
  /** The real apiserver's https URL. */
  upstream: string;
  /** The CA (PEM) that signed the upstream's serving certificate. */
  upstreamCa: string;
  /** The proxy's own serving certificate and key (PEM); clients must trust its issuer. */
  tls: { cert: string; key: string };
  port?: number;
}

export interface FaultProxy {
  /** https://127.0.0.1:PORT */
  url: string;
  faults: Faults;
  /** Ends every open watch stream now: gently between events, or abruptly by cutting the connection. */
  dropWatches(abrupt?: boolean): number;
  close(): Promise<void>;
}

/** kube-apiserver keeps an idle connection 90 s (Node's default is 5 s). */
const IDLE_TIMEOUT_MS = 90_000;

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const faults = new Faults();
  const watches = new OpenWatches();
  const forwarder = new Forwarder(options.upstream, options.upstreamCa, watches);
  const dropWatches = (abrupt = false) => watches.drop(abrupt);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/';
    if (target.startsWith('/_admin/')) return serveAdmin(req, res, { faults, dropWatches });
    const request = parseRequest(req.method ?? 'GET', target);
    let gone = false;
    for (const rule of request ? faults.hits(request) : []) {
      if (rule.type === 'latency') await holdBack(res, rule.ms);
      else if (rule.type === 'watchGone') gone = true;
      else {
        const answer = injectedStatus(rule, request!);
        return sendJson(res, answer.code, answer.body, answer.headers);
      }
    }
    if (res.destroyed) return;
    if (gone) return answerExpired(res, new URL(target, 'https://localhost').searchParams.get('resourceVersion'));
    forwarder.forward(req, res, request?.verb === 'watch');
  };

  const server = createServer({ cert: options.tls.cert, key: options.tls.key, noDelay: true, requestTimeout: 0, keepAliveTimeout: IDLE_TIMEOUT_MS }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendJson(res, 500, status(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });

  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    dropWatches,
    close: async () => {
      dropWatches(true);
      server.closeAllConnections();
      forwarder.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits `ms`, or less when the client goes away meanwhile. */
function holdBack(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

function answerExpired(res: ServerResponse, resourceVersion: string | null): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.end(expiredWatchEvent(resourceVersion));
}
