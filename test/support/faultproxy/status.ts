/**
 * The answers the proxy makes itself instead of forwarding (and how it sends them): an injected error
 * Status worded as kube-apiserver words that code, and the watch cache's "410 Gone" ERROR event.
 */
import type { ServerResponse } from 'node:http';
import type { StatusFault } from './faults.js';
import type { ResourceRequest } from './request.js';

export interface Answer {
  code: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const CONFLICT_WHY = 'the object has been modified; please apply your changes to the latest version and try again';

export function injectedStatus(rule: StatusFault, request: ResourceRequest): Answer {
  const answer = (reason: string, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}): Answer => ({
    code: rule.code,
    headers,
    body: status(rule.code, reason, message, details),
  });
  switch (rule.code) {
    case 409: {
      const name = request.name ?? '';
      const resource = request.group ? `${request.resource}.${request.group}` : request.resource;
      return answer('Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${rule.message ?? CONFLICT_WHY}`, {
        name,
        group: request.group,
        kind: request.resource,
      });
    }
    case 429:
      return answer('TooManyRequests', rule.message ?? 'Too many requests, please try again later.', { retryAfterSeconds: 1 }, { 'retry-after': '1' });
    case 503:
      return answer('ServiceUnavailable', rule.message ?? 'the server is currently unable to handle the request');
    case 504:
      return answer('Timeout', rule.message ?? 'the server was unable to return a response in the time allotted, but may still be processing the request');
    default:
      return answer('InternalError', rule.message ?? 'Internal error occurred: injected fault');
  }
}

/** The one line the watch cache sends before it ends a watch from a resourceVersion it no longer holds. */
export function expiredWatchEvent(resourceVersion: string | null): string {
  const asked = resourceVersion || '0';
  const oldest = /^\d+$/.test(asked) ? String(Number(asked) + 1) : '1';
  const object = status(410, 'Expired', `too old resource version: ${asked} (${oldest})`);
  return `${JSON.stringify({ type: 'ERROR', object })}\n`;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
