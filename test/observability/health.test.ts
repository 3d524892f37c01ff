import { afterEach, describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHealthServer, type HealthServerOptions, type RunningHealthServer } from '../../src/observability/health.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import type { AccessRequest } from '../../src/observability/request-authorizer.js';
import { selfSignedCertificate, watchCertificateDir, type ServingCertificate } from '../../src/observability/serving-certificate.js';
import { httpsGet } from '../helpers/https.js';
import { waitFor } from '../helpers/wait.js';

let server: RunningHealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(overrides: Partial<HealthServerOptions> = {}): Promise<RunningHealthServer> {
  server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics: new OperatorMetrics(), healthy: () => true, ready: () => true, ...overrides });
  return server;
}

async function get(path: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`${server!.url}${path}`, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('health server', () => {
  test('readiness follows the callback: 500 until ready, then 200 "ok"', async () => {
    let synced = false;
    await start({ ready: () => synced });
    expect(await get('/readyz')).toMatchObject({ status: 500, body: 'not ready' });
    synced = true;
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok' });
  });

  test('a failing probe shows its message', async () => {
    await start({
      healthy: () => ({ ok: false, message: 'informer agentruntimes silent for 600s (watchdog 60s)' }),
      ready: () => ({ ok: false, message: 'waiting for informers: memories' }),
    });
    expect(await get('/healthz')).toMatchObject({ status: 500, body: 'informer agentruntimes silent for 600s (watchdog 60s)' });
    expect(await get('/readyz')).toMatchObject({ status: 500, body: 'waiting for informers: memories' });
  });

  test('a probe that throws answers 500 with the error and the server keeps serving', async () => {
    await start({
      healthy: () => {
        throw new Error('boom');
      },
    });
    expect(await get('/healthz')).toMatchObject({ status: 500, body: 'not healthy: boom' });
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok' });
  });

  test('/healthz answers { ok: true } with 200 and ignores a query string', async () => {
    await start({ healthy: () => ({ ok: true }) });
    expect(await get('/healthz?verbose')).toMatchObject({ status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
  });

  test('/metrics has the registry content type and the text format', async () => {
    const metrics = new OperatorMetrics();
    metrics.setLeader(true);
    await start({ metrics });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe(metrics.registry.contentType);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE agentcore_leader gauge\nagentcore_leader 1\n');
  });

  test('HEAD gets the status and headers without a body', async () => {
    let synced = false;
    await start({ ready: () => synced });
    const notReady = await fetch(`${server!.url}/readyz`, { method: 'HEAD' });
    expect(notReady.status).toBe(500);
    synced = true;
    const metrics = await fetch(`${server!.url}/metrics`, { method: 'HEAD' });
    expect(metrics.status).toBe(200);
    expect(Number(metrics.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await metrics.text()).toBe('');
  });

  test('unknown paths are 404 and other methods on known paths are 405', async () => {
    await start();
    expect((await get('/')).status).toBe(404);
    expect((await get('/livez')).status).toBe(404);
    expect((await get('/metrics/extra')).status).toBe(404);
    const post = await fetch(`${server!.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  test('a malformed request gets 400 and does not take the server down', async () => {
    await start();
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server!.port, '127.0.0.1', () => socket.write('NOT A REQUEST\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await get('/healthz')).status).toBe(200);
  });

  test('the url and port point at the listening server; host defaults to all interfaces', async () => {
    server = await startHealthServer({ port: 0, metrics: new OperatorMetrics(), healthy: () => true, ready: () => true });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect((await get('/healthz')).status).toBe(200);
  });

  test('a port already in use is an error from startHealthServer', async () => {
    const first = await start();
    await expect(startHealthServer({ port: first.port, host: '127.0.0.1', metrics: new OperatorMetrics(), healthy: () => true, ready: () => true })).rejects.toThrow(/EADDRINUSE/);
  });
});

const fingerprintOf = (certificate: ServingCertificate) => new X509Certificate(certificate.cert).fingerprint256;

describe('health server with TLS and an authorizer for /metrics', () => {
  test('with a certificate it serves HTTPS, probes and /metrics alike, and plain HTTP gets no answer', async () => {
    const tls = await selfSignedCertificate();
    await start({ tls });
    expect(server!.url).toBe(`https://127.0.0.1:${server!.port}`);
    const healthz = await httpsGet(`${server!.url}/healthz`, { ca: tls.cert });
    expect(healthz).toMatchObject({ status: 200, body: 'ok', served: fingerprintOf(tls) });
    expect((await httpsGet(`${server!.url}/readyz`, { ca: tls.cert })).status).toBe(200);
    expect((await httpsGet(`${server!.url}/metrics`, { ca: tls.cert })).body).toContain('# TYPE agentcore_leader gauge');
    await expect(fetch(`http://127.0.0.1:${server!.port}/healthz`)).rejects.toThrow();
  });

  test('only /metrics asks the authorizer, with the Authorization header and the path; its refusal is the answer', async () => {
    const asked: AccessRequest[] = [];
    await start({
      authorizeMetrics: async (request) => {
        asked.push(request);
        if (request.authorization === undefined) return { allowed: false, status: 401, message: 'Unauthorized: no token' };
        if (request.authorization === 'Bearer reader') return { allowed: true, user: 'reader' };
        if (request.authorization === 'Bearer unlucky') return { allowed: false, status: 503, message: 'Service Unavailable: cannot ask' };
        return { allowed: false, status: 403, message: 'Forbidden: not you' };
      },
    });
    const as = (authorization?: string, path = '/metrics', method = 'GET') => fetch(`${server!.url}${path}`, { method, headers: authorization ? { authorization } : {} });

    expect([(await as(undefined, '/healthz')).status, (await as(undefined, '/readyz')).status, (await as(undefined, '/nope')).status]).toEqual([200, 200, 404]);
    expect((await as(undefined, '/metrics', 'POST')).status).toBe(405);
    expect(asked).toEqual([]);

    const anonymous = await as(undefined, '/metrics?name[]=agentcore_leader');
    expect([anonymous.status, anonymous.headers.get('www-authenticate'), await anonymous.text()]).toEqual([401, 'Bearer', 'Unauthorized: no token']);
    const stranger = await as('Bearer stranger');
    expect([stranger.status, await stranger.text()]).toEqual([403, 'Forbidden: not you']);
    const unlucky = await as('Bearer unlucky');
    expect([unlucky.status, await unlucky.text()]).toEqual([503, 'Service Unavailable: cannot ask']);
    const reader = await as('Bearer reader');
    expect(reader.status).toBe(200);
    expect(await reader.text()).toContain('# TYPE agentcore_leader gauge');
    expect((await as('Bearer reader', '/metrics', 'HEAD')).status).toBe(200);
    expect(asked.map((r) => r.path)).toEqual(['/metrics', '/metrics', '/metrics', '/metrics', '/metrics']);
    expect(asked.map((r) => r.authorization)).toEqual([undefined, 'Bearer stranger', 'Bearer unlucky', 'Bearer reader', 'Bearer reader']);
  });

  test('setCertificate serves new connections with the renewed certificate; a plain server has none to renew', async () => {
    const [first, renewed] = await Promise.all([selfSignedCertificate(), selfSignedCertificate()]);
    await start({ tls: first });
    expect((await httpsGet(`${server!.url}/healthz`, { ca: first.cert })).served).toBe(fingerprintOf(first));
    server!.setCertificate(renewed);
    expect((await httpsGet(`${server!.url}/healthz`, { ca: renewed.cert })).served).toBe(fingerprintOf(renewed));
    await server!.close();
    await start();
    expect(() => server!.setCertificate(renewed)).toThrow(/without TLS/);
  });

  test('a certificate directory is followed: a renewed pair is served, a mismatched one is reported and the last good one stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-certs-'));
    const write = (certificate: Partial<ServingCertificate>) => {
      if (certificate.cert) writeFileSync(join(dir, 'tls.crt'), certificate.cert);
      if (certificate.key) writeFileSync(join(dir, 'tls.key'), certificate.key);
    };
    const [first, renewed, other] = await Promise.all([selfSignedCertificate(), selfSignedCertificate(), selfSignedCertificate()]);
    write(first);
    await start({ tls: first });
    const errors: string[] = [];
    const stop = watchCertificateDir(dir, { serving: first, onChange: (c) => server!.setCertificate(c), onError: (e) => errors.push(e.message), intervalMs: 20 });
    try {
      write(renewed);
      await waitFor(async () => (await httpsGet(`${server!.url}/healthz`, { ca: renewed.cert }).catch(() => undefined))?.served === fingerprintOf(renewed), { what: 'the renewed certificate to be served' });
      expect(errors).toEqual([]);
      write({ cert: other.cert });
      await waitFor(() => errors.length > 0, { what: 'the mismatched pair to be reported' });
      expect(errors[0]).toMatch(/key values mismatch/);
      expect((await httpsGet(`${server!.url}/healthz`, { ca: renewed.cert })).served).toBe(fingerprintOf(renewed));
    } finally {
      stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
