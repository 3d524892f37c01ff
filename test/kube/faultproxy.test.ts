/**
 * The fault proxy's own mechanics, against a small HTTPS upstream written here: forwarding, streamed
 * watches, dropped watches, injected Status answers, latency, "410 Gone", rule counting and chance, the
 * admin endpoints, and how it reads a request's verb and resource.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter, once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { Faults, type FaultRule } from '../support/faultproxy/faults.js';
import { startFaultProxy, type FaultProxy } from '../support/faultproxy/proxy.js';
import { parseRequest } from '../support/faultproxy/request.js';

interface Pem {
  ca: string;
  cert: string;
  key: string;
}

/** A CA and a serving certificate for 127.0.0.1 that it signed. */
async function certificates(name: string): Promise<Pem> {
  const ca = await generate([{ name: 'commonName', value: `${name}-ca` }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: name }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
    ca: { key: ca.private, cert: ca.cert },
  });
  return { ca: ca.cert, cert: leaf.cert, key: leaf.private };
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

interface UpstreamWatch {
  url: string;
  res: ServerResponse;
  /** Settles when the proxy ends its request to the upstream. */
  closed: Promise<void>;
}

/**
 * The stand-in apiserver: echoes every request's body back (status from `x-answer-status`, 200 by
 * default) with two Warning headers, and holds watches open for the test to write events into (JSON, or
 * protobuf frames when the client accepts protobuf).
 */
class Upstream {
  readonly seen: Seen[] = [];
  readonly events = new EventEmitter();
  connections = 0;
  private server!: Server;
  url = '';

  async start(pem: Pem): Promise<void> {
    this.server = createServer({ cert: pem.cert, key: pem.key }, (req, res) => void this.handle(req, res));
    this.server.on('secureConnection', () => (this.connections += 1));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next watch to reach the upstream. */
  nextWatch(): Promise<UpstreamWatch> {
    return once(this.events, 'watch').then(([watch]) => watch as UpstreamWatch);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
    this.seen.push(seen);
    this.events.emit('request', seen);
    if (/[?&]watch=(true|1)\b/.test(req.url!) || /^\/apis?\/.*\/watch\//.test(req.url!)) {
      const protobuf = /protobuf/.test(req.headers.accept ?? '');
      res.writeHead(200, { 'content-type': protobuf ? 'application/vnd.kubernetes.protobuf;stream=watch' : 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      this.events.emit('watch', { url: req.url!, res, closed: once(res, 'close').then(() => undefined) } satisfies UpstreamWatch);
      return;
    }
    res.writeHead(Number(req.headers['x-answer-status'] ?? 200), [
      'Content-Type',
      req.headers['content-type'] ?? 'application/json',
      'Warning',
      '299 - "first"',
      'Warning',
      '299 - "second"',
      'X-Upstream',
      'yes',
      'Content-Length',
      String(seen.body.length),
    ]);
    res.end(seen.body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  reusedSocket: boolean;
}

let upstreamPem: Pem;
let proxyPem: Pem;
let upstream: Upstream;
let proxy: FaultProxy;
let agent: Agent;

beforeAll(async () => {
  [upstreamPem, proxyPem] = await Promise.all([certificates('upstream'), certificates('faultproxy')]);
  upstream = new Upstream();
  await upstream.start(upstreamPem);
  proxy = await startFaultProxy({ upstream: upstream.url, upstreamCa: upstreamPem.ca, tls: { cert: proxyPem.cert, key: proxyPem.key } });
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

beforeEach(() => {
  // The client trusts only the proxy's CA, and the proxy only the upstream's.
  agent = new Agent({ keepAlive: true, ca: proxyPem.ca });
});

afterEach(() => {
  proxy.faults.clear();
  proxy.dropWatches(true);
  agent.destroy();
});

function call(method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer | string | Buffer[] } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = request(`${proxy.url}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(options.body)) for (const part of options.body) req.write(part);
    else if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const json = (answer: Answer): unknown => JSON.parse(answer.body.toString('utf8'));

/** A watch through the proxy, read line by line as the client-go and our client read it. */
class WatchClient {
  readonly response: Promise<IncomingMessage>;
  /** 'end' when the stream finished properly, 'cut' when the connection went. */
  readonly ended: Promise<'end' | 'cut'>;
  readonly lines: string[] = [];
  private buffered = '';
  private readonly arrived = new EventEmitter();

  constructor(path: string) {
    let settle!: (how: 'end' | 'cut') => void;
    this.ended = new Promise((resolve) => (settle = resolve));
    this.response = new Promise((resolve, reject) => {
      const req = request(`${proxy.url}${path}`, { agent }, (res) => {
        resolve(res);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.read(chunk));
        res.on('error', () => settle('cut'));
        res.on('close', () => settle(res.complete ? 'end' : 'cut'));
      });
      req.on('error', (error) => {
        reject(error);
        settle('cut');
      });
      req.end();
    });
  }

  /** The line at `index`, once it has arrived. */
  async line(index: number): Promise<string> {
    while (this.lines.length <= index) await once(this.arrived, 'line');
    return this.lines[index]!;
  }

  /** Waits until the part of a line still incomplete is `text`. */
  async partial(text: string): Promise<void> {
    while (this.buffered !== text) await once(this.arrived, 'data');
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    this.arrived.emit('data');
    for (let newline = this.buffered.indexOf('\n'); newline !== -1; newline = this.buffered.indexOf('\n')) {
      this.lines.push(this.buffered.slice(0, newline));
      this.buffered = this.buffered.slice(newline + 1);
      this.arrived.emit('line');
    }
  }
}

/** Opens a watch and waits until the upstream holds it and the client has its headers. */
async function openWatch(path: string): Promise<{ client: WatchClient; upstream: UpstreamWatch }> {
  const reached = upstream.nextWatch();
  const client = new WatchClient(path);
  const [held, res] = await Promise.all([reached, client.response]);
  expect(res.statusCode).toBe(200);
  return { client, upstream: held };
}

const event = (type: string, name: string) => `${JSON.stringify({ type, object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name } } })}\n`;

describe('forwarding', () => {
  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])('%s: method, path and query, headers and body reach the upstream; status, headers and body come back', async (method) => {
    // Protobuf is just bytes to the proxy: a body that is not UTF-8 must arrive intact.
    const body = Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xfe, 0x0a, 0x80]);
    const before = upstream.seen.length;
    const answer = await call(method, '/apis/agentcore.example.com/v1alpha1/namespaces/ns/agentruntimes/a?fieldManager=test&dryRun=All', {
      headers: {
        authorization: 'Bearer secret-token',
        'content-type': 'application/vnd.kubernetes.protobuf',
        accept: 'application/vnd.kubernetes.protobuf, application/json',
        'user-agent': 'kubectl/v1.34.0',
        'x-answer-status': '201',
      },
      body: method === 'GET' ? undefined : body,
    });

    expect(upstream.seen).toHaveLength(before + 1);
    const seen = upstream.seen.at(-1)!;
    expect(seen.method).toBe(method);
    expect(seen.url).toBe('/apis/agentcore.example.com/v1alpha1/namespaces/ns/agentruntimes/a?fieldManager=test&dryRun=All');
    expect(seen.headers).toMatchObject({
      authorization: 'Bearer secret-token',
      'content-type': 'application/vnd.kubernetes.protobuf',
      accept: 'application/vnd.kubernetes.protobuf, application/json',
      'user-agent': 'kubectl/v1.34.0',
      host: new URL(upstream.url).host,
    });
    expect(seen.body).toEqual(method === 'GET' ? Buffer.alloc(0) : body);

    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('application/vnd.kubernetes.protobuf');
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(answer.rawHeaders.filter((_, i, all) => i % 2 === 1 && all[i - 1] === 'Warning')).toEqual(['299 - "first"', '299 - "second"']);
    expect(answer.body).toEqual(method === 'GET' ? Buffer.alloc(0) : body);
  });

  it('a chunked request body is streamed to the upstream whole', async () => {
    const answer = await call('POST', '/api/v1/namespaces/ns/configmaps', {
      headers: { 'content-type': 'application/json' },
      body: [Buffer.from('{"metadata":'), Buffer.from('{"name":"c"}}')],
    });
    const seen = upstream.seen.at(-1)!;
    expect(seen.headers['transfer-encoding']).toBe('chunked');
    expect(seen.body.toString()).toBe('{"metadata":{"name":"c"}}');
    expect(answer.body.toString()).toBe('{"metadata":{"name":"c"}}');
  });

  it('keeps connections alive on both sides', async () => {
    await call('GET', '/api/v1/namespaces/ns/configmaps');
    const connections = upstream.connections;
    const second = await call('GET', '/api/v1/namespaces/ns/configmaps');
    expect(second.reusedSocket).toBe(true);
    expect(upstream.connections).toBe(connections);
  });

  it('non-resource paths (discovery, /version) pass through untouched by faults', async () => {
    proxy.faults.set([{ type: 'status', code: 500 }]);
    expect((await call('GET', '/version')).status).toBe(200);
    expect((await call('GET', '/apis/agentcore.example.com/v1alpha1')).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces')).status).toBe(500);
  });

  it('an upstream that cannot be reached is a 503 Status', async () => {
    const closed = new Upstream();
    await closed.start(upstreamPem);
    const url = closed.url;
    await closed.close();
    const lonely = await startFaultProxy({ upstream: url, upstreamCa: upstreamPem.ca, tls: { cert: proxyPem.cert, key: proxyPem.key } });
    try {
      const answer = await new Promise<Answer>((resolve, reject) => {
        request(`${lonely.url}/api/v1/namespaces`, { agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), reusedSocket: false }));
        })
          .on('error', reject)
          .end();
      });
      expect(answer.status).toBe(503);
      expect(json(answer)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503, message: expect.stringContaining('error trying to reach service') });
    } finally {
      await lonely.close();
    }
  });
});

describe('watches', () => {
  it('are streamed event by event: headers at once, each line before the upstream ends the stream', async () => {
    const { client, upstream: held } = await openWatch('/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=10');
    expect(client.lines).toEqual([]);

    held.res.write(event('ADDED', 'a'));
    expect(JSON.parse(await client.line(0))).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
    expect(held.res.writableEnded).toBe(false);

    // An event split across writes arrives as one line.
    const split = event('MODIFIED', 'a');
    held.res.write(split.slice(0, 20));
    held.res.write(split.slice(20));
    expect(JSON.parse(await client.line(1))).toMatchObject({ type: 'MODIFIED' });
    expect(held.res.writableEnded).toBe(false);

    held.res.end();
    expect(await client.ended).toBe('end');
    expect(client.lines).toHaveLength(2);
  });

  it('a client that goes away ends the upstream watch too', async () => {
    const { client, upstream: held } = await openWatch('/api/v1/namespaces/ns/configmaps?watch=true');
    (await client.response).destroy();
    await held.closed;
    expect(await client.ended).toBe('cut');
  });

  it('dropWatches() ends each stream between events and cancels its upstream; the connection stays usable', async () => {
    const a = await openWatch('/api/v1/namespaces/ns/configmaps?watch=true');
    const b = await openWatch('/apis/agentcore.example.com/v1alpha1/agentruntimes?watch=1');
    const c = await openWatch('/apis/coordination.k8s.io/v1/watch/namespaces/ns/leases/l');
    for (const w of [a, b, c]) w.upstream.res.write(event('ADDED', 'x'));
    await Promise.all([a, b, c].map((w) => w.client.line(0)));

    // Halfway through an event on a: it is finished first, and nothing after it is sent.
    const next = event('MODIFIED', 'x');
    a.upstream.res.write(next.slice(0, 15));
    await a.client.partial(next.slice(0, 15));
    expect(proxy.dropWatches()).toBe(3);
    expect(await b.client.ended).toBe('end');
    expect(await c.client.ended).toBe('end');
    a.upstream.res.write(next.slice(15) + event('DELETED', 'x'));
    expect(await a.client.ended).toBe('end');
    expect(a.client.lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['ADDED', 'MODIFIED']);

    await Promise.all([a, b, c].map((w) => w.upstream.closed));
    expect(proxy.dropWatches()).toBe(0);
    expect((await call('GET', '/api/v1/namespaces/ns/configmaps')).reusedSocket).toBe(true);
  });

  it('dropWatches(true) cuts the connections', async () => {
    const a = await openWatch('/api/v1/namespaces/ns/configmaps?watch=true');
    const b = await openWatch('/api/v1/watch/namespaces/ns/configmaps');
    a.upstream.res.write(event('ADDED', 'x').slice(0, 10));
    expect(proxy.dropWatches(true)).toBe(2);
    expect(await a.client.ended).toBe('cut');
    expect(await b.client.ended).toBe('cut');
    await Promise.all([a.upstream.closed, b.upstream.closed]);
    expect(proxy.dropWatches(true)).toBe(0);
  });

  it('a gentle drop does not cut a protobuf watch frame in half either', async () => {
    const reached = upstream.nextWatch();
    const received: Buffer[] = [];
    const arrived = new EventEmitter();
    const complete = new Promise<boolean>((resolve, reject) => {
      const req = request(`${proxy.url}/api/v1/namespaces/ns/configmaps?watch=true`, { agent, headers: { accept: 'application/vnd.kubernetes.protobuf;stream=watch' } }, (res) => {
        res.on('data', (chunk: Buffer) => {
          received.push(chunk);
          arrived.emit('data');
        });
        res.on('error', () => {});
        res.on('close', () => resolve(res.complete));
      });
      req.on('error', reject);
      req.end();
    });
    const held = await reached;
    const frame = (payload: string) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(payload.length);
      return Buffer.concat([length, Buffer.from(payload)]);
    };
    const [first, second, third] = [frame('first event'), frame('second event'), frame('third event')];

    // Stopped inside the second frame's length prefix.
    held.res.write(Buffer.concat([first, second.subarray(0, 2)]));
    while (Buffer.concat(received).length < first.length + 2) await once(arrived, 'data');
    expect(proxy.dropWatches()).toBe(1);
    held.res.write(Buffer.concat([second.subarray(2), third]));
    expect(await complete).toBe(true);
    expect(Buffer.concat(received)).toEqual(Buffer.concat([first, second]));
  });
});

describe('status faults', () => {
  const statusPath = '/apis/agentcore.example.com/v1alpha1/namespaces/ns/agentruntimes/a/status';
  const matching = { verb: 'patch', resource: 'agentruntimes', subresource: 'status', namespace: 'ns', name: 'a' };

  it.each([
    [
      409,
      'Conflict',
      'Operation cannot be fulfilled on agentruntimes.agentcore.example.com "a": the object has been modified; please apply your changes to the latest version and try again',
      { name: 'a', group: 'agentcore.example.com', kind: 'agentruntimes' },
    ],
    [429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }],
    [500, 'InternalError', 'Internal error occurred: injected fault', undefined],
    [503, 'ServiceUnavailable', 'the server is currently unable to handle the request', undefined],
    [504, 'Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request', undefined],
  ])('%i is answered by the proxy with the apiserver\'s Status (%s)', async (code, reason, message, details) => {
    proxy.faults.set([{ type: 'status', code, ...matching }]);
    const before = upstream.seen.length;
    const answer = await call('PATCH', statusPath, { headers: { 'content-type': 'application/merge-patch+json' }, body: '{"status":{}}' });
    expect(answer.status).toBe(code);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['retry-after']).toBe(code === 429 ? '1' : undefined);
    expect(json(answer)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
    expect(upstream.seen).toHaveLength(before);
  });

  it('a 409 with a message words it as the reason, in the core group without a dot', async () => {
    proxy.faults.set([{ type: 'status', code: 409, verb: 'update', message: 'injected conflict' }]);
    const answer = await call('PUT', '/api/v1/namespaces/ns/configmaps/c', { headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json(answer)).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on configmaps "c": injected conflict', details: { name: 'c', group: '', kind: 'configmaps' } });
  });

  it('requests the rule does not match are forwarded', async () => {
    proxy.faults.set([{ type: 'status', code: 500, ...matching }]);
    const main = await call('PATCH', '/apis/agentcore.example.com/v1alpha1/namespaces/ns/agentruntimes/a', { headers: { 'content-type': 'application/merge-patch+json' }, body: '{}' });
    const other = await call('PATCH', '/apis/agentcore.example.com/v1alpha1/namespaces/ns/agentruntimes/b/status', { headers: { 'content-type': 'application/merge-patch+json' }, body: '{}' });
    expect([main.status, other.status]).toEqual([200, 200]);
  });
});

describe('latency', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('holds the request back: a later request overtakes it, and it is forwarded once the delay is over', async () => {
    jest.useFakeTimers({
      doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'],
    });
    proxy.faults.set([{ type: 'latency', ms: 60_000, verb: 'get', name: 'slow', times: 1 }]);
    const faults = proxy.faults;
    const hits = faults.hits.bind(faults);
    const held = new Promise<void>((resolve) => {
      faults.hits = (facts) => {
        const hit = hits(facts);
        if (hit.length > 0) resolve();
        return hit;
      };
    });
    const order: string[] = [];
    const record = (seen: Seen) => order.push(seen.url);
    upstream.events.on('request', record);
    try {
      const slow = call('GET', '/api/v1/namespaces/ns/configmaps/slow');
      await held;
      const fast = await call('GET', '/api/v1/namespaces/ns/configmaps/fast');
      expect(fast.status).toBe(200);
      expect(order).toEqual(['/api/v1/namespaces/ns/configmaps/fast']);

      jest.advanceTimersByTime(60_000);
      expect((await slow).status).toBe(200);
      expect(order).toEqual(['/api/v1/namespaces/ns/configmaps/fast', '/api/v1/namespaces/ns/configmaps/slow']);
    } finally {
      upstream.events.off('request', record);
      faults.hits = hits;
    }
  });
});

describe('watchGone', () => {
  it('answers the next watch with one 410 Expired ERROR event and ends it; other verbs pass', async () => {
    proxy.faults.set([{ type: 'watchGone', resource: 'configmaps', times: 1 }]);
    const before = upstream.seen.length;
    expect((await call('GET', '/api/v1/namespaces/ns/configmaps')).status).toBe(200);

    const answer = await call('GET', '/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=42');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    const lines = answer.body.toString('utf8').split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 42 (43)', reason: 'Expired', code: 410 },
    });
    expect(upstream.seen).toHaveLength(before + 1);

    const next = await openWatch('/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=42');
    next.upstream.res.end();
    expect(await next.client.ended).toBe('end');
  });
});

describe('times and probability', () => {
  const get = () => call('GET', '/api/v1/namespaces/ns/configmaps/c').then((a) => a.status);

  it('a rule with times hits that many matching requests, then is gone', async () => {
    proxy.faults.set([{ type: 'status', code: 500, verb: 'get', resource: 'configmaps', times: 2 }]);
    const codes: number[] = [];
    for (let i = 0; i < 3; i += 1) codes.push(await get());
    expect(codes).toEqual([500, 500, 200]);
  });

  it('a probability with a seed hits the same requests every run', async () => {
    const rules: FaultRule[] = [{ type: 'status', code: 503, verb: 'get', probability: 0.5 }];
    const run = async () => {
      proxy.faults.set(rules, 7);
      const codes: number[] = [];
      for (let i = 0; i < 16; i += 1) codes.push(await get());
      return codes;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);

    const faults = new Faults();
    faults.set(rules, 7);
    const expected = first.map(() => (faults.hits({ verb: 'get', resource: 'configmaps', subresource: '', namespace: 'ns', name: 'c' }).length > 0 ? 503 : 200));
    expect(first).toEqual(expected);
  });
});

describe('admin endpoints', () => {
  it('set and clear faults and drop watches over HTTP, answered by the proxy itself', async () => {
    const before = upstream.seen.length;
    const admin = (method: string, path: string, body?: unknown) =>
      call(method, `/_admin/${path}`, body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect(json(await admin('POST', 'faults', { rules: [{ type: 'status', code: 503, verb: 'list' }], seed: 1 }))).toEqual({ ok: true });
    expect((await call('GET', '/api/v1/namespaces')).status).toBe(503);
    expect(json(await admin('DELETE', 'faults'))).toEqual({ ok: true });
    expect((await call('GET', '/api/v1/namespaces')).status).toBe(200);

    const watch = await openWatch('/api/v1/namespaces/ns/configmaps?watch=true');
    expect(json(await admin('POST', 'drop-watches', { abrupt: false }))).toEqual({ dropped: 1 });
    expect(await watch.client.ended).toBe('end');
    expect(json(await admin('POST', 'drop-watches'))).toEqual({ dropped: 0 });
    expect((await admin('GET', 'nothing')).status).toBe(404);

    expect(upstream.seen.slice(before).map((s) => s.url)).toEqual(['/api/v1/namespaces', '/api/v1/namespaces/ns/configmaps?watch=true']);
  });
});

describe('parseRequest', () => {
  const facts = (verb: string, resource: string, more: { group?: string; subresource?: string; namespace?: string; name?: string } = {}) => ({
    verb,
    resource,
    group: more.group ?? '',
    subresource: more.subresource ?? '',
    namespace: more.namespace,
    name: more.name,
  });
  const AC = 'agentcore.example.com';

  it.each([
    ['GET', '/api/v1/namespaces/ns/configmaps', facts('list', 'configmaps', { namespace: 'ns' })],
    ['GET', '/api/v1/namespaces/ns/configmaps?labelSelector=a%3Db&limit=2', facts('list', 'configmaps', { namespace: 'ns' })],
    ['GET', '/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=5', facts('watch', 'configmaps', { namespace: 'ns' })],
    ['GET', '/api/v1/namespaces/ns/configmaps?watch=1', facts('watch', 'configmaps', { namespace: 'ns' })],
    ['GET', '/api/v1/namespaces/ns/configmaps?watch=false', facts('list', 'configmaps', { namespace: 'ns' })],
    ['GET', '/api/v1/watch/namespaces/ns/configmaps', facts('watch', 'configmaps', { namespace: 'ns' })],
    ['GET', '/api/v1/namespaces/ns/configmaps/c', facts('get', 'configmaps', { namespace: 'ns', name: 'c' })],
    ['HEAD', '/api/v1/namespaces/ns/configmaps/c', facts('get', 'configmaps', { namespace: 'ns', name: 'c' })],
    ['POST', '/api/v1/namespaces/ns/configmaps', facts('create', 'configmaps', { namespace: 'ns' })],
    ['PUT', '/api/v1/namespaces/ns/configmaps/c', facts('update', 'configmaps', { namespace: 'ns', name: 'c' })],
    ['PATCH', '/api/v1/namespaces/ns/configmaps/c', facts('patch', 'configmaps', { namespace: 'ns', name: 'c' })],
    ['DELETE', '/api/v1/namespaces/ns/configmaps/c', facts('delete', 'configmaps', { namespace: 'ns', name: 'c' })],
    ['DELETE', '/api/v1/namespaces/ns/configmaps', facts('deletecollection', 'configmaps', { namespace: 'ns' })],
    ['POST', '/api/v1/namespaces/ns/serviceaccounts/sa/token', facts('create', 'serviceaccounts', { namespace: 'ns', name: 'sa', subresource: 'token' })],
    ['GET', '/api/v1/namespaces', facts('list', 'namespaces')],
    ['GET', '/api/v1/namespaces/ns', facts('get', 'namespaces', { namespace: 'ns', name: 'ns' })],
    ['PUT', '/api/v1/namespaces/ns/finalize', facts('update', 'namespaces', { namespace: 'ns', name: 'ns', subresource: 'finalize' })],
    ['PATCH', '/api/v1/namespaces/ns/status', facts('patch', 'namespaces', { namespace: 'ns', name: 'ns', subresource: 'status' })],
    ['GET', `/apis/${AC}/v1alpha1/namespaces/ns/agentruntimes`, facts('list', 'agentruntimes', { group: AC, namespace: 'ns' })],
    ['GET', `/apis/${AC}/v1alpha1/agentruntimes?watch=true`, facts('watch', 'agentruntimes', { group: AC })],
    ['PATCH', `/apis/${AC}/v1alpha1/namespaces/ns/agentruntimes/a/status`, facts('patch', 'agentruntimes', { group: AC, namespace: 'ns', name: 'a', subresource: 'status' })],
    ['PUT', `/apis/${AC}/v1alpha1/namespaces/ns/agentruntimes/a/status`, facts('update', 'agentruntimes', { group: AC, namespace: 'ns', name: 'a', subresource: 'status' })],
    ['DELETE', `/apis/${AC}/v1alpha1/namespaces/ns/agentruntimes/a`, facts('delete', 'agentruntimes', { group: AC, namespace: 'ns', name: 'a' })],
    ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin', facts('get', 'clusterroles', { group: 'rbac.authorization.k8s.io', name: 'admin' })],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', facts('create', 'selfsubjectaccessreviews', { group: 'authorization.k8s.io' })],
    ['PUT', '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l', facts('update', 'leases', { group: 'coordination.k8s.io', namespace: 'ns', name: 'l' })],
    ['GET', '/apis/coordination.k8s.io/v1/watch/namespaces/ns/leases/l', facts('watch', 'leases', { group: 'coordination.k8s.io', namespace: 'ns', name: 'l' })],
    ['PUT', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/agentruntimes.${AC}/status`, facts('update', 'customresourcedefinitions', { group: 'apiextensions.k8s.io', name: `agentruntimes.${AC}`, subresource: 'status' })],
  ])('%s %s', (method, path, expected) => {
    expect(parseRequest(method, path)).toEqual(expected);
  });

  it.each(['/version', '/healthz', '/api', '/api/v1', '/apis', `/apis/${AC}`, `/apis/${AC}/v1alpha1`, '/openapi/v3', '/openapi/v3/apis/apps/v1', '/_admin/faults'])(
    '%s is not a resource request',
    (path) => {
      expect(parseRequest('GET', path)).toBeUndefined();
    },
  );
});
