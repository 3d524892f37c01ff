/** What every emulated service sees of a request and gives back. */
import type { IncomingHttpHeaders } from 'node:http';

export interface EmulatorRequest {
  method: string;
  /** The raw path, still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** From the SigV4 credential scope of the Authorization header. */
  signingService: string;
  region: string;
  accessKeyId: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface SigV4Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Reads the credential scope of a SigV4 Authorization header; undefined when the request is not signed. */
export function parseSigV4(authorization: string | undefined): SigV4Scope | undefined {
  if (!authorization) return undefined;
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-f]{64}$/.exec(authorization.trim());
  if (!match) return undefined;
  return { accessKeyId: match[1]!, region: match[3]!, service: match[4]! };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? '' : JSON.stringify(body) };
}
