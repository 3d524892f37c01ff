/**
 * Forwarding one request to the upstream apiserver and its answer back, byte for byte and streamed both
 * ways (JSON, protobuf, gzip: all just bytes), over a keep-alive pool that trusts the upstream's CA.
 *
 * Credentials pass through as headers (a bearer token in Authorization). A client certificate cannot: the
 * TLS session ends at the proxy, which asks for none, so client-certificate users are not supported.
 * Neither are upgrades (exec, attach, port-forward).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { sendJson, status } from './status.js';
import type { OpenWatches } from './watches.js';

/** Headers about one connection rather than the request, which each hop sets for itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect', 'host']);

export class Forwarder {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(
    upstream: string,
    ca: string,
    private readonly watches: OpenWatches,
  ) {
    this.base = new URL(upstream);
    // Idle connections are closed before kube-apiserver's 90 s idle timeout would close them, so no
    // request goes out on a connection the apiserver is closing. Busy ones (watches) are left alone.
    this.agent = new Agent({ keepAlive: true, ca, timeout: 60_000 });
  }

  forward(req: IncomingMessage, res: ServerResponse, watch: boolean): void {
    const prefix = this.base.pathname.replace(/\/+$/, '');
    const upstreamReq = httpsRequest({
      agent: this.agent,
      host: this.base.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.base.port || 443,
      method: req.method,
      path: `${prefix}${req.url ?? '/'}`,
      headers: ['Host', this.base.host, ...endToEnd(req.rawHeaders)],
    });
    upstreamReq.setNoDelay(true);
    let upstreamRes: IncomingMessage | undefined;
    const cancel = () => upstreamReq.destroy();

    res.on('close', () => {
      if (!upstreamRes?.complete) cancel();
    });
    upstreamReq.on('error', (error) => {
      if (res.headersSent) {
        if (!res.writableEnded) res.destroy();
        return;
      }
      sendJson(res, 503, status(503, 'ServiceUnavailable', `error trying to reach service: ${error.message}`));
    });
    upstreamReq.on('response', (answer: IncomingMessage) => {
      upstreamRes = answer;
      // Dropping a watch destroys its upstream request on purpose; the answer then fails with "aborted".
      answer.on('error', () => {});
      answer.on('close', () => {
        if (!answer.complete && !res.writableEnded) res.destroy();
      });
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
      if (watch && answer.statusCode === 200) this.watches.stream(answer, res, cancel);
      else answer.pipe(res);
    });
    req.pipe(upstreamReq);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Raw headers (name, value, name, value...) without the hop-by-hop ones, keeping repeats and case. */
function endToEnd(raw: string[]): string[] {
  const named = new Set(HOP_BY_HOP);
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') for (const name of raw[i + 1]!.split(',')) named.add(name.trim().toLowerCase());
  }
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!named.has(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  return kept;
}
