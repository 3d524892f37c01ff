import { afterEach, describe, expect, test } from '@jest/globals';
import { connect } from 'node:net';
import { startHealthServer, type HealthServerOptions, type RunningHealthServer } from '../../src/observability/health.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';

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
