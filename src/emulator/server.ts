/**
 * The emulator's HTTP server: one port for every emulated service. A request is routed by the signing
 * name in its SigV4 credential scope, as AWS routes by host; `/_admin/` is our own control API.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from './clock.js';
import { emulatorConfig, type EmulatorConfig } from './config.js';
import { CallCounters } from './counters.js';
import { AwsError, ConnectionReset } from './errors.js';
import { Faults, type FaultRule, type ResourceBehaviour } from './faults.js';
import { json, parseSigV4, type EmulatorRequest, type EmulatorResponse } from './http.js';
import { requestId } from './ids.js';
import { Quotas } from './quotas.js';
import { createContext, type EmulatedService, type ServiceContext } from './service.js';
import { StateStore } from './state.js';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  config?: Partial<EmulatorConfig>;
  clock?: Clock;
  services: EmulatedService[];
  /** How many AWS requests GET /_admin/requests keeps (the newest); 50,000 unless told. */
  requestLogLimit?: number;
  /**
   * The bearer token /_admin/ asks for. Its answers hold every secret value the emulator was given, so
   * it is required to listen beyond the loopback interface.
   */
  adminToken?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface RunningEmulator {
  url: string;
  port: number;
  ctx: ServiceContext;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

export interface LoggedRequest {
  /** Arrival time, Date.now(). */
  at: number;
  method: string;
  path: string;
  target?: string;
}

/** The last `limit` AWS requests in arrival order, for benchmarks that time what a caller sent when. */
class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private oldest = 0;

  constructor(private readonly limit: number) {}

  add(entry: LoggedRequest): void {
    if (this.entries.length < this.limit) {
      this.entries.push(entry);
      return;
    }
    this.entries[this.oldest] = entry;
    this.oldest = (this.oldest + 1) % this.limit;
  }

  since(ms: number): LoggedRequest[] {
    return [...this.entries.slice(this.oldest), ...this.entries.slice(0, this.oldest)].filter((e) => e.at >= ms);
  }

  clear(): void {
    this.entries.length = 0;
    this.oldest = 0;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Unsigned requests are refused the way AWS's front door refuses them, in the caller's protocol. */
function missingAuthentication(req: IncomingMessage, body: Buffer): EmulatorResponse {
  const isQuery = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && body.toString('utf8').includes('Action=');
  if (isQuery) {
    return {
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
    };
  }
  return json(403, { message: 'Missing Authentication Token' }, { 'x-amzn-errortype': 'MissingAuthenticationTokenException' });
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host) && !options.adminToken) {
    throw new Error(`The emulator's /_admin/ API shows every secret it holds: to listen on ${host}, beyond this machine, give it an admin token (AGENTCORE_EMULATOR_ADMIN_TOKEN)`);
  }
  const config = emulatorConfig(options.config);
  const ctx = createContext({
    config,
    clock: options.clock ?? systemClock,
    state: new StateStore(config.statePath),
    quotas: new Quotas(config),
    faults: new Faults(),
    counters: new CallCounters(),
  });
  const bySigningName = new Map(options.services.map((s) => [s.signingName, s]));
  const byAdminName = new Map(options.services.filter((s) => s.adminName).map((s) => [s.adminName!, s]));
  const requests = new RequestLog(options.requestLogLimit ?? 50_000);

  async function respond(req: IncomingMessage): Promise<EmulatorResponse> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (!url.pathname.startsWith('/_admin/')) {
      const target = req.headers['x-amz-target'];
      requests.add({ at, method: req.method ?? 'GET', path: url.pathname, ...(typeof target === 'string' ? { target } : {}) });
    }
    let body: Buffer;
    try {
      body = await readBody(req, config.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return json(413, { message: `Request body larger than ${config.maxBodyBytes} bytes` }, { 'x-amzn-errortype': 'ValidationException' });
      throw error;
    }
    if (url.pathname.startsWith('/_admin/') && options.adminToken && !tokenMatches(req.headers.authorization, options.adminToken)) {
      return json(401, { message: 'the admin API needs Authorization: Bearer <admin token>' });
    }
    if (url.pathname.startsWith('/_admin/')) return admin(req.method ?? 'GET', url.pathname.slice('/_admin/'.length).split('/').filter(Boolean), body, url.searchParams);
    const scope = parseSigV4(req.headers.authorization);
    if (!scope) return missingAuthentication(req, body);
    const service = bySigningName.get(scope.service);
    if (!service) return json(400, { message: `No emulated service signs as ${scope.service}` }, { 'x-amzn-errortype': 'UnknownServiceException' });
    const request: EmulatorRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      signingService: scope.service,
      region: scope.region,
      accessKeyId: scope.accessKeyId,
    };
    try {
      return await service.handle(request, ctx);
    } catch (error) {
      if (error instanceof AwsError) return service.errorResponse(error);
      throw error;
    } finally {
      ctx.state.flush();
    }
  }

  function admin(method: string, path: string[], raw: Buffer, query: URLSearchParams): EmulatorResponse {
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      return json(400, { message: 'admin body must be JSON' });
    }
    const [head, ...rest] = path;
    const input = (body ?? {}) as Record<string, unknown>;
    switch (`${method} ${head}`) {
      case 'GET health':
        return json(200, { ok: true });
      case 'GET counters':
        return json(200, ctx.counters.toJSON());
      case 'DELETE counters':
        ctx.counters.clear();
        return json(200, {});
      case 'GET requests':
        return json(200, { requests: requests.since(Number(query.get('since') ?? 0)) });
      case 'DELETE requests':
        requests.clear();
        return json(200, {});
      case 'GET faults':
        return json(200, { rules: ctx.faults.list() });
      case 'PUT faults':
        ctx.faults.set((input.rules as FaultRule[] | undefined) ?? [], input.seed as number | undefined);
        return json(200, { rules: ctx.faults.list() });
      case 'DELETE faults':
        ctx.faults.clear();
        return json(200, {});
      case 'PUT behaviours':
        ctx.faults.behaviours.set(rest.join('/'), input as ResourceBehaviour);
        return json(200, input);
      case 'DELETE behaviours':
        ctx.faults.behaviours.delete(rest.join('/'));
        return json(200, {});
      case 'PUT config':
        for (const key of ['provisioningDelayMs', 'deletionDelayMs', 'rateScale'] as const) {
          if (typeof input[key] === 'number') config[key] = input[key] as number;
        }
        if (input.rates) Object.assign(config.rates, input.rates);
        if (input.limits) Object.assign(config.limits, input.limits);
        ctx.quotas.clear();
        return json(200, config);
      case 'GET state':
        return json(200, ctx.state.snapshot());
      case 'PATCH state':
        ctx.state.patch(body);
        return json(200, {});
      case 'POST reset':
        ctx.state.reset();
        ctx.counters.clear();
        ctx.faults.clear();
        ctx.quotas.clear();
        requests.clear();
        return json(200, {});
    }
    const service = head ? byAdminName.get(head) : undefined;
    const answer = service?.admin?.(method, rest, body, ctx);
    if (answer) {
      ctx.state.flush();
      return answer;
    }
    return json(404, { message: `no admin route ${method} /_admin/${path.join('/')}` });
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    respond(req).then(
      (answer) => {
        res.writeHead(answer.status, { 'x-amzn-requestid': requestId(), ...answer.headers });
        res.end(answer.body ?? '');
      },
      (error: unknown) => {
        if (error instanceof ConnectionReset) {
          res.socket?.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerException' });
        res.end(JSON.stringify({ message: `emulator failure: ${(error as Error).message}` }));
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    ctx,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
