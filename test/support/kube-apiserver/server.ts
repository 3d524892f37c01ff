/**
 * A Kubernetes API test server: enough of kube-apiserver, on a loopback port, that the real kubectl,
 * helm and @kubernetes/client-node cannot tell it apart for what the operator and its tests do. What it
 * leaves out is listed in README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate as selfSigned } from 'selfsigned';
import { stringify as toYaml } from 'yaml';
import { aggregatedDiscovery, aggregatedDiscoveryAccepted, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { Faults, type FaultRule } from './faults.js';
import { decodeBody, mediaType, readBody, requestInfo, sendError, sendJson, type RequestInfo } from './http.js';
import { BuiltinKinds } from './kinds.js';
import { conflict, ObjectApi, PATCH_TYPES, storeKey, type FieldValidation, type WriteOptions } from './objects.js';
import { openApiV3DocumentForPath, openApiV3Paths } from './openapi.js';
import { authorize, bootstrapPolicy, forbidden, serviceAccountUser, type RbacObjects, type RequestAttributes, type UserInfo } from './rbac.js';
import { Registry, typeApiVersion } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ObjectStore } from './store.js';
import { toTable } from './table.js';
import { ApiError } from './types.js';
import { serveWatch, type OpenWatch } from './watch.js';

export interface KubeServerOptions {
  port?: number;
  /** How many changes watches can replay; a watch from further back gets "410 Gone". */
  historyLimit?: number;
  /** How often open watches that asked for them get a BOOKMARK. */
  bookmarkIntervalMs?: number;
}

export interface RunningKubeServer {
  url: string;
  /** The server's self-signed certificate (PEM), for clients to trust. */
  caCert: string;
  /** A bearer token of a member of system:masters. */
  adminToken: string;
  /** A bearer token for a user, or for a service account when `user` is `system:serviceaccount:<ns>:<name>`. */
  tokenFor(user: UserInfo): string;
  /** A kubeconfig (YAML) that reaches this server with the given token. */
  kubeconfig(token?: string, namespace?: string): string;
  faults: Faults;
  /** Ends every open watch, as an apiserver restart or a load balancer timeout does. */
  dropWatches(abrupt?: boolean): number;
  /** Forgets every object and CRD, keeping the built-in namespaces and cluster roles. */
  reset(): void;
  close(): Promise<void>;
}

const UNAUTHORIZED = new ApiError(401, 'Unauthorized', 'Unauthorized');
const NOT_FOUND = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
const METHOD_NOT_ALLOWED = () => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const NON_RESOURCE_OK = new Set(['/healthz', '/livez', '/readyz']);

export async function startKubeServer(options: KubeServerOptions = {}): Promise<RunningKubeServer> {
  const store = new ObjectStore(options.historyLimit ?? 1000);
  const registry = new Registry();
  const kinds = new BuiltinKinds(store, registry);
  const api = new ObjectApi(store, kinds);
  kinds.attach(api);
  const faults = new Faults();
  const tokens = new Map<string, UserInfo>();
  const watches = new Set<OpenWatch>();
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;

  const adminToken = randomBytes(24).toString('base64url');
  tokens.set(adminToken, { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
  const tokenFor = (user: UserInfo): string => {
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, user);
    return token;
  };

  const seed = () => {
    const writeOptions: WriteOptions = { fieldManager: 'kube-apiserver', dryRun: false, fieldValidation: 'Ignore', warnings: [] };
    const nsType = registry.find('', 'v1', 'namespaces')!;
    for (const name of BUILTIN_NAMESPACES) {
      if (!store.get(storeKey(nsType), undefined, name)) api.create(nsType, undefined, { metadata: { name } }, writeOptions);
    }
    const policy = bootstrapPolicy();
    for (const [plural, objects] of [['clusterroles', policy.clusterRoles], ['clusterrolebindings', policy.clusterRoleBindings]] as const) {
      const type = registry.find('rbac.authorization.k8s.io', 'v1', plural)!;
      for (const object of objects) if (!store.get(storeKey(type), undefined, object.metadata.name ?? '')) api.create(type, undefined, object, writeOptions);
    }
  };
  seed();

  const rbacObjects = (): RbacObjects => ({
    roles: store.list('rbac.authorization.k8s.io/roles'),
    clusterRoles: store.list('rbac.authorization.k8s.io/clusterroles'),
    roleBindings: store.list('rbac.authorization.k8s.io/rolebindings'),
    clusterRoleBindings: store.list('rbac.authorization.k8s.io/clusterrolebindings'),
  });

  const authenticate = (req: IncomingMessage): UserInfo | undefined => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? tokens.get(match[1]!) : undefined;
  };

  let serverAddress = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_admin/')) return admin(req, res, url);
    const user = authenticate(req);
    if (!user) throw UNAUTHORIZED;
    const info = requestInfo(req.method ?? 'GET', url);
    const attributes: RequestAttributes = info.resourceRequest
      ? {
          user,
          verb: info.verb,
          resourceRequest: true,
          apiGroup: info.group,
          resource: info.resource,
          subresource: info.subresource || undefined,
          namespace: info.namespace,
          name: info.name,
        }
      : { user, verb: info.verb, resourceRequest: false, path: info.path };
    const decision = authorize(attributes, rbacObjects());
    if (!decision.allowed) throw forbidden(attributes, decision.reason);
    if (!info.resourceRequest) return nonResource(req, res, url);

    let gone = false;
    for (const rule of faults.hits({ verb: info.verb, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name })) {
      if (rule.type === 'latency') await new Promise((resolve) => setTimeout(resolve, rule.ms));
      else if (rule.type === 'watchGone') gone = true;
      else throw injected(rule, info);
    }
    return resource(req, res, url, info, user, gone);
  };

  const nonResource = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw METHOD_NOT_ALLOWED();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const parts = path.split('/').filter(Boolean);
    const accept = String(req.headers.accept ?? '');
    if (path === '/version') return sendJson(res, 200, versionInfo());
    if (NON_RESOURCE_OK.has(path)) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (path === '/api' || path === '/apis') {
      const aggregated = aggregatedDiscoveryAccepted(accept);
      if (aggregated) return sendJson(res, 200, aggregatedDiscovery(registry, path === '/api', aggregated), { 'content-type': aggregated });
      return sendJson(res, 200, path === '/api' ? apiVersions(serverAddress) : apiGroupList(registry));
    }
    if (parts[0] === 'api' && parts.length === 2) {
      const types = registry.all().filter((t) => t.group === '' && t.version === parts[1]);
      if (types.length === 0) throw NOT_FOUND();
      return sendJson(res, 200, apiResourceList('', parts[1]!, types));
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const group = (apiGroupList(registry).groups as { name: string }[]).find((g) => g.name === parts[1]);
      if (!group) throw NOT_FOUND();
      return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...group });
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const types = registry.all().filter((t) => t.group === parts[1] && t.version === parts[2]);
      if (types.length === 0) throw NOT_FOUND();
      return sendJson(res, 200, apiResourceList(parts[1]!, parts[2]!, types));
    }
    if (path === '/openapi/v3') return sendJson(res, 200, openApiV3Paths(registry.all()));
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      const document = openApiV3DocumentForPath(parts.slice(2).join('/'), registry.all());
      if (!document) throw NOT_FOUND();
      return sendJson(res, 200, document);
    }
    throw NOT_FOUND();
  };

  const resource = async (req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo, user: UserInfo, gone: boolean): Promise<void> => {
    const type = registry.find(info.group, info.version, info.resource);
    if (!type) throw NOT_FOUND();
    const namespace = type.namespaced ? info.namespace : undefined;
    if (!type.namespaced && info.namespace !== undefined && !(type.plural === 'namespaces' && info.namespace === info.name)) throw NOT_FOUND();
    if (type.namespaced && namespace === undefined && !['list', 'watch'].includes(info.verb)) throw NOT_FOUND();
    const subresource = info.subresource;
    if (subresource && !(subresource === 'status' && type.statusSubresource) && !(subresource === 'token' && type.plural === 'serviceaccounts')) throw NOT_FOUND();
    if (subresource && !info.name) throw NOT_FOUND();
    if (!type.verbs.includes(info.verb) && !(subresource === 'token' && info.verb === 'create')) throw METHOD_NOT_ALLOWED();
    const query = url.searchParams;
    const accept = String(req.headers.accept ?? '');
    const wantsTable = /as=Table/.test(accept);
    const includeObject = (query.get('includeObject') ?? 'Metadata') as 'None' | 'Metadata' | 'Object';
    const write = (): WriteOptions => ({
      fieldManager: query.get('fieldManager') ?? fieldManagerFrom(req),
      dryRun: query.getAll('dryRun').includes('All'),
      fieldValidation: fieldValidation(query.get('fieldValidation')),
      warnings: [],
    });
    const answer = (status: number, body: unknown, options?: WriteOptions) =>
      sendJson(res, status, body, options?.warnings.length ? { warning: options.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {});
    const body = async (): Promise<{ value: unknown; contentType: string }> => {
      const contentType = mediaType(req.headers['content-type']) || 'application/json';
      const raw = await readBody(req);
      return { value: decodeBody(raw, contentType), contentType };
    };

    switch (info.verb) {
      case 'get': {
        const object = api.get(type, namespace, info.name!);
        return answer(200, wantsTable ? toTable(type, [object], { includeObject, resourceVersion: object.metadata.resourceVersion ?? '' }) : object);
      }
      case 'list': {
        const result = api.list(type, namespace, {
          labelSelector: query.get('labelSelector') ?? undefined,
          fieldSelector: query.get('fieldSelector') ?? undefined,
          limit: query.has('limit') ? Number(query.get('limit')) : undefined,
          continue: query.get('continue') ?? undefined,
        });
        if (wantsTable) return answer(200, toTable(type, result.items, { includeObject, resourceVersion: result.resourceVersion, continue: result.continue }));
        return answer(200, {
          kind: type.listKind,
          apiVersion: typeApiVersion(type),
          metadata: {
            resourceVersion: result.resourceVersion,
            ...(result.continue ? { continue: result.continue, remainingItemCount: result.remainingItemCount } : {}),
          },
          items: result.items,
        });
      }
      case 'watch': {
        const labels = query.get('labelSelector') ? parseLabelSelector(query.get('labelSelector')!) : undefined;
        const fieldText = query.get('fieldSelector');
        const fields = fieldText ? parseFieldSelector(fieldText, (field) => kinds.selectableField(type, field)) : undefined;
        const nameFilter = info.name;
        const timeout = query.get('timeoutSeconds');
        const open: OpenWatch = serveWatch(
          res,
          {
            resource: storeKey(type),
            namespace,
            resourceVersion: query.get('resourceVersion') ?? undefined,
            allowBookmarks: query.get('allowWatchBookmarks') === 'true',
            sendInitialEvents: query.get('sendInitialEvents') === 'true',
            timeoutSeconds: timeout ? Number(timeout) : undefined,
            matches: (o) => (!nameFilter || o.metadata.name === nameFilter) && (!labels || labels(o.metadata.labels)) && (!fields || fields(o)),
            render: (o) => {
              const served = api.served(type, o);
              return wantsTable ? toTable(type, [served], { includeObject, resourceVersion: served.metadata.resourceVersion ?? '' }) : served;
            },
            bookmarkKind: { apiVersion: typeApiVersion(type), kind: type.kind },
            bookmarkIntervalMs,
            forceGone: gone,
          },
          store,
          () => watches.delete(open),
        );
        if (!res.writableEnded) watches.add(open);
        return;
      }
      case 'create': {
        const { value } = await body();
        if (subresource === 'token') return answer(201, tokenRequest(namespace!, info.name!, value));
        if (type.plural === 'selfsubjectaccessreviews') return answer(201, accessReview(user, value));
        const options = write();
        return answer(201, api.create(type, namespace, value, options), options);
      }
      case 'update': {
        const { value } = await body();
        const options = write();
        return answer(200, api.update(type, namespace, info.name!, value, subresource, options), options);
      }
      case 'patch': {
        const { value, contentType } = await body();
        if (!Object.values(PATCH_TYPES).includes(contentType as never)) {
          throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(', ')}`);
        }
        const options = { ...write(), force: query.get('force') === 'true' };
        if (contentType === PATCH_TYPES.apply && !query.get('fieldManager')) {
          throw new ApiError(400, 'BadRequest', 'PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
        }
        const { object, created } = api.patch(type, namespace, info.name!, contentType, value, subresource, options);
        return answer(created ? 201 : 200, object, options);
      }
      case 'delete': {
        const raw = await readBody(req);
        const deleteOptions = raw.length > 0 ? (decodeBody(raw, 'application/json') as Record<string, unknown>) : {};
        const dryRun = query.getAll('dryRun').includes('All') || (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes('All'));
        const result = api.delete(type, namespace, info.name!, deleteOptions, { dryRun });
        const removed = !store.get(storeKey(type), namespace, info.name!);
        return answer(removed || dryRun ? 200 : 202, result);
      }
      case 'deletecollection': {
        const dryRun = query.getAll('dryRun').includes('All');
        const { items } = api.list(type, namespace, { labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined });
        const deleted = items.map((o) => api.delete(type, o.metadata.namespace, o.metadata.name!, {}, { dryRun }));
        return answer(200, { kind: type.listKind, apiVersion: typeApiVersion(type), metadata: { resourceVersion: store.currentRv() }, items: deleted });
      }
      default:
        throw METHOD_NOT_ALLOWED();
    }
  };

  const tokenRequest = (namespace: string, name: string, value: unknown): Record<string, unknown> => {
    const saType = registry.find('', 'v1', 'serviceaccounts')!;
    api.get(saType, namespace, name);
    const spec = ((value as { spec?: Record<string, unknown> } | null)?.spec ?? {}) as { expirationSeconds?: number };
    const expires = new Date(Date.now() + (spec.expirationSeconds ?? 3600) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null },
      spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: spec.expirationSeconds ?? 3600, boundObjectRef: null },
      status: { token: tokenFor(serviceAccountUser(namespace, name)), expirationTimestamp: expires },
    };
  };

  const accessReview = (user: UserInfo, value: unknown): Record<string, unknown> => {
    const spec = ((value as { spec?: Record<string, unknown> } | null)?.spec ?? {}) as {
      resourceAttributes?: { verb?: string; group?: string; resource?: string; subresource?: string; namespace?: string; name?: string };
      nonResourceAttributes?: { verb?: string; path?: string };
    };
    const attributes: RequestAttributes = spec.resourceAttributes
      ? {
          user,
          verb: spec.resourceAttributes.verb ?? '',
          resourceRequest: true,
          apiGroup: spec.resourceAttributes.group ?? '',
          resource: spec.resourceAttributes.resource ?? '',
          subresource: spec.resourceAttributes.subresource || undefined,
          namespace: spec.resourceAttributes.namespace || undefined,
          name: spec.resourceAttributes.name || undefined,
        }
      : { user, verb: spec.nonResourceAttributes?.verb ?? '', resourceRequest: false, path: spec.nonResourceAttributes?.path ?? '' };
    const decision = authorize(attributes, rbacObjects());
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
    };
  };

  const dropWatches = (abrupt = false): number => {
    const open = [...watches];
    watches.clear();
    for (const w of open) w.drop(abrupt);
    return open.length;
  };

  const reset = () => {
    dropWatches();
    faults.clear();
    store.reset(
      (resource, object) =>
        (resource === '/namespaces' && BUILTIN_NAMESPACES.includes(object.metadata.name ?? '')) || object.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults',
    );
    registry.clearCustom();
    seed();
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const raw = await readBody(req);
    const value = (raw.length > 0 ? decodeBody(raw, 'application/json') : {}) as Record<string, unknown>;
    switch (`${req.method} ${url.pathname}`) {
      case 'POST /_admin/faults':
        faults.set((value.rules ?? []) as FaultRule[], typeof value.seed === 'number' ? value.seed : undefined);
        return sendJson(res, 200, { ok: true });
      case 'DELETE /_admin/faults':
        faults.clear();
        return sendJson(res, 200, { ok: true });
      case 'POST /_admin/drop-watches':
        return sendJson(res, 200, { dropped: dropWatches(value.abrupt === true) });
      case 'POST /_admin/tokens':
        return sendJson(res, 200, { token: tokenFor({ name: String(value.user ?? ''), groups: [...((value.groups as string[] | undefined) ?? []), 'system:authenticated'] }) });
      case 'POST /_admin/reset':
        reset();
        return sendJson(res, 200, { ok: true });
      default:
        throw NOT_FOUND();
    }
  };

  const tls = await serverCertificate();
  const server: Server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError) return sendError(res, error);
      sendError(res, new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`, { causes: [{ reason: 'UnexpectedServerResponse', message: String(error) }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  serverAddress = `127.0.0.1:${port}`;
  const url = `https://127.0.0.1:${port}`;

  return {
    url,
    caCert: tls.cert,
    adminToken,
    tokenFor,
    kubeconfig: (token = adminToken, namespace = 'default') =>
      toYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'agentcore-test', cluster: { server: url, 'certificate-authority-data': Buffer.from(tls.cert).toString('base64') } }],
        users: [{ name: 'test-user', user: { token } }],
        contexts: [{ name: 'agentcore-test', context: { cluster: 'agentcore-test', user: 'test-user', namespace } }],
        'current-context': 'agentcore-test',
        preferences: {},
      }),
    faults,
    dropWatches,
    reset,
    close: async () => {
      dropWatches(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A certificate for 127.0.0.1, made once per process: kubectl and client-go send bearer tokens only
 * over TLS, so the server speaks HTTPS as a real apiserver does.
 */
let certificate: Promise<{ private: string; cert: string }> | undefined;
function serverCertificate(): Promise<{ private: string; cert: string }> {
  certificate ??= selfSigned([{ name: 'commonName', value: 'kube-apiserver-test' }], {
    keyType: 'ec',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return certificate;
}

/** kube-apiserver names an Update's manager after the client's user agent when none is given. */
function fieldManagerFrom(req: IncomingMessage): string {
  const agent = String(req.headers['user-agent'] ?? 'unknown');
  return agent.split('/')[0]!.slice(0, 128);
}

function fieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw new ApiError(400, 'BadRequest', `fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`);
}

function injected(rule: Extract<FaultRule, { type: 'status' }>, info: RequestInfo): ApiError {
  const name = info.name ?? '';
  switch (rule.code) {
    case 409:
      return rule.message ? new ApiError(409, 'Conflict', rule.message, { name, group: info.group, kind: info.resource }) : conflict({ group: info.group, plural: info.resource }, name);
    case 429:
      return new ApiError(429, 'TooManyRequests', rule.message ?? 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
    case 503:
      return new ApiError(503, 'ServiceUnavailable', rule.message ?? 'the server is currently unable to handle the request');
    case 504:
      return new ApiError(504, 'Timeout', rule.message ?? 'the server was unable to return a response in the time allotted, but may still be processing the request');
    default:
      return new ApiError(rule.code, 'InternalError', rule.message ?? 'Internal error occurred: injected fault');
  }
}
