/** One HTTPS request as a scraper makes it, seeing which certificate the server presented. */
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpsAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** SHA-256 fingerprint of the certificate the server presented. */
  served: string;
}

export interface HttpsGetOptions {
  /** The only certificate trusted; without it, any is accepted (a self-signed one the test does not know). */
  ca?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

/** On a connection of its own, so a certificate renewed since the last request is seen. */
export function httpsGet(url: string, options: HttpsGetOptions = {}): Promise<HttpsAnswer> {
  const headers = { ...options.headers, ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: options.ca, rejectUnauthorized: options.ca !== undefined, headers, agent: false }, (res) => {
      const served = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, served }));
    });
    req.on('error', reject);
    req.end();
  });
}
