/**
 * /metrics as the API server allows it, against the real kube-apiserver and its RBAC: ServiceAccount
 * tokens from the TokenRequest API, a ClusterRole granting `get` on the non-resource URL /metrics, the
 * health server on HTTPS with a self-signed certificate; the API server unreachable or failing through
 * the fault proxy; and `run --metrics-secure` end to end.
 */
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHealthServer, type RunningHealthServer } from '../../src/observability/health.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { DEFAULT_ALLOWED_TTL_MS, DEFAULT_DENIED_TTL_MS, kubeRequestAuthorizer, type RequestAuthorizer, type RequestAuthorizerOptions } from '../../src/observability/request-authorizer.js';
import { selfSignedCertificate, type ServingCertificate } from '../../src/observability/serving-certificate.js';
import { kubeClient, loadKubeConfig, type KubeClient } from '../../src/sources/kube/client.js';
import { freePort } from '../support/controlplane/start.js';
import { httpsGet } from '../helpers/https.js';
import { createNamespace, describeCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { startOperator, type RunningOperator } from '../helpers/operator.js';
import { ManualClock, waitFor } from '../helpers/wait.js';

const NAMESPACE = 'metrics-auth';
const READER_ROLE = 'metrics-auth-test-reader';
/** A line every scrape of the operator's registry has. */
const METRICS_TEXT = '# TYPE agentcore_leader gauge';

let cluster: TestCluster;
let admin: KubeClient;
let tls: ServingCertificate;
const tokens: Record<'reader' | 'stranger', string> = { reader: '', stranger: '' };
const servers: RunningHealthServer[] = [];
const clients: KubeClient[] = [];
const operators: RunningOperator[] = [];

const clientFor = (kubeconfig: string) => {
  const client = kubeClient(loadKubeConfig({ kubeconfig }));
  clients.push(client);
  return client;
};

/** A token of the ServiceAccount, from the TokenRequest API. */
async function tokenOf(serviceAccount: string): Promise<string> {
  const request = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${serviceAccount}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  return request.status.token;
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const result = await cluster.kubectl(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A ServiceAccount, bound to the reader ClusterRole when `reads`. */
async function serviceAccount(name: string, reads: boolean): Promise<void> {
  await kubectl(['create', 'serviceaccount', name, '-n', NAMESPACE]);
  if (!reads) return;
  await kubectl(['create', 'clusterrolebinding', `${READER_ROLE}-${name}`, `--clusterrole=${READER_ROLE}`, `--serviceaccount=${NAMESPACE}:${name}`]);
  // The RBAC authorizer learns of a binding through its informer, a moment later.
  const canRead = ['auth', 'can-i', 'get', '/metrics', `--as=system:serviceaccount:${NAMESPACE}:${name}`];
  await waitFor(async () => (await cluster.kubectl(canRead)).stdout.trim() === 'yes', { what: `${name} to be allowed get /metrics` });
}

async function serve(authorizeMetrics: RequestAuthorizer): Promise<RunningHealthServer> {
  const server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics: new OperatorMetrics(), healthy: () => true, ready: () => true, tls, authorizeMetrics });
  servers.push(server);
  return server;
}

/** The health server with an authorizer that asks the API server as `client` does. */
const serveAsking = (client: KubeClient, options: RequestAuthorizerOptions = {}) => serve(kubeRequestAuthorizer(client, options));

const scrape = (server: RunningHealthServer, token?: string, path = '/metrics') => httpsGet(`${server.url}${path}`, { ca: tls.cert, token });

beforeAll(async () => {
  cluster = await startTestCluster();
  admin = clientFor(cluster.kubeconfig);
  tls = await selfSignedCertificate();
  await createNamespace(cluster, NAMESPACE);
  await kubectl(['create', 'clusterrole', READER_ROLE, '--verb=get', '--non-resource-url=/metrics']);
  await serviceAccount('reader', true);
  await serviceAccount('stranger', false);
  tokens.reader = await tokenOf('reader');
  tokens.stranger = await tokenOf('stranger');
}, 60_000);

afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.kill('SIGKILL')));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.close();
});

describeCluster('/metrics behind TokenReview and SubjectAccessReview', () => {
  it('a ServiceAccount bound to a ClusterRole with get on /metrics reads the metrics over HTTPS', async () => {
    const server = await serveAsking(admin);
    const answer = await scrape(server, tokens.reader);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(METRICS_TEXT);
  });

  it('a ServiceAccount without that binding is refused with 403, naming the user', async () => {
    const server = await serveAsking(admin);
    const answer = await scrape(server, tokens.stranger);
    expect(answer.status).toBe(403);
    expect(answer.body).toBe(`Forbidden: user "system:serviceaccount:${NAMESPACE}:stranger" may not get /metrics`);
  });

  it('the groups the token carries count: an administrator by group is allowed, a user in none is not', async () => {
    const server = await serveAsking(admin);
    expect((await scrape(server, cluster.tokenFor({ name: 'agentcore-test-admin', groups: ['system:masters'] }))).status).toBe(200);
    expect((await scrape(server, cluster.tokenFor({ name: 'nobody', groups: [] }))).status).toBe(403);
  });

  it('no token, a token the API server does not know, or one whose ServiceAccount is gone, is 401', async () => {
    await serviceAccount('gone', true);
    const orphan = await tokenOf('gone');
    await kubectl(['delete', 'serviceaccount', 'gone', '-n', NAMESPACE]);
    const server = await serveAsking(admin);
    const answers = [await scrape(server), await scrape(server, 'not-a-token'), await scrape(server, orphan), await httpsGet(`${server.url}/metrics`, { ca: tls.cert, headers: { authorization: `Basic ${tokens.reader}` } })];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(answers.map((a) => a.headers['www-authenticate'])).toEqual(['Bearer', 'Bearer', 'Bearer', 'Bearer']);
    expect(answers.some((a) => a.body.includes(METRICS_TEXT))).toBe(false);
  });

  it('/healthz and /readyz answer without a token, on the same HTTPS port', async () => {
    const server = await serveAsking(admin);
    expect([(await scrape(server, undefined, '/healthz')).status, (await scrape(server, undefined, '/readyz')).status]).toEqual([200, 200]);
  });

  it('the API server unreachable: 503, never the metrics, and the reason logged without the token', async () => {
    const closed = await freePort();
    const errors: string[] = [];
    const server = await serveAsking(clientFor(cluster.kubeconfigFor(cluster.controlPlane!.adminToken, `https://127.0.0.1:${closed}`)), { onError: (e) => errors.push(e) });
    const answer = await scrape(server, tokens.reader);
    expect(answer.status).toBe(503);
    expect(answer.body).not.toContain(METRICS_TEXT);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/ECONNREFUSED/);
    expect(errors.join('\n')).not.toContain(tokens.reader);
  });

  it('the API server failing the reviews: 503 for its own errors, 500 when it refuses the operator; nothing allowed, nothing kept', async () => {
    const { proxy, kubeconfig } = await cluster.faultProxy();
    const errors: string[] = [];
    const server = await serveAsking(clientFor(kubeconfig), { onError: (e) => errors.push(e) });

    proxy.faults.set([{ type: 'status', code: 500, verb: 'create', resource: 'tokenreviews' }]);
    const failing = await scrape(server, tokens.reader);
    expect([failing.status, failing.body.includes(METRICS_TEXT)]).toEqual([503, false]);

    proxy.faults.set([{ type: 'status', code: 403, verb: 'create', resource: 'subjectaccessreviews' }]);
    const refused = await scrape(server, tokens.reader);
    expect([refused.status, refused.body.includes(METRICS_TEXT)]).toEqual([500, false]);

    // Failures are not remembered: the next scrape asks again.
    proxy.faults.clear();
    expect((await scrape(server, tokens.reader)).status).toBe(200);
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).not.toContain(tokens.reader);
  });

  it('answers are kept: allowed for 10 s, refusals for 5 s, then asked for again', async () => {
    const { proxy, kubeconfig } = await cluster.faultProxy();
    const clock = new ManualClock(0);
    const server = await serveAsking(clientFor(kubeconfig), { clock });
    expect((await scrape(server, tokens.reader)).status).toBe(200);
    expect((await scrape(server, tokens.stranger)).status).toBe(403);
    expect((await scrape(server, 'not-a-token')).status).toBe(401);

    // From here on the API server could not answer: only kept answers get through.
    proxy.faults.set([{ type: 'status', code: 503, verb: 'create', resource: 'tokenreviews' }]);
    expect([(await scrape(server, tokens.reader)).status, (await scrape(server, tokens.stranger)).status, (await scrape(server, 'not-a-token')).status]).toEqual([200, 403, 401]);
    clock.advance(DEFAULT_DENIED_TTL_MS);
    expect([(await scrape(server, tokens.reader)).status, (await scrape(server, tokens.stranger)).status, (await scrape(server, 'not-a-token')).status]).toEqual([200, 503, 503]);
    clock.advance(DEFAULT_ALLOWED_TTL_MS - DEFAULT_DENIED_TTL_MS);
    expect((await scrape(server, tokens.reader)).status).toBe(503);
  });

  it('a revoked binding takes effect once the kept answer expires', async () => {
    await serviceAccount('revoked', true);
    const token = await tokenOf('revoked');
    const clock = new ManualClock(0);
    const server = await serveAsking(admin, { clock });
    expect((await scrape(server, token)).status).toBe(200);
    await kubectl(['delete', 'clusterrolebinding', `${READER_ROLE}-revoked`]);
    await waitFor(
      async () => {
        clock.advance(DEFAULT_ALLOWED_TTL_MS);
        return (await scrape(server, token)).status === 403;
      },
      { what: 'the revoked reader to be refused', intervalMs: 100 },
    );
  });

  it('concurrent scrapes with one token share one TokenReview and one SubjectAccessReview', async () => {
    const asked: string[] = [];
    const counting: KubeClient = { ...admin, request: (method, path, options) => (asked.push(path), admin.request(method, path, options)) };
    const server = await serveAsking(counting);
    const answers = await Promise.all(Array.from({ length: 5 }, () => scrape(server, tokens.reader)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(asked).toEqual(['/apis/authentication.k8s.io/v1/tokenreviews', '/apis/authorization.k8s.io/v1/subjectaccessreviews']);
  });

  it('run --metrics-secure serves HTTPS and /metrics only to a reader', async () => {
    const operator = startOperator({ kubeconfig: cluster.kubeconfig, awsEndpoint: 'http://127.0.0.1:9' }, ['--metrics-secure', '--namespaces', NAMESPACE]);
    operators.push(operator);
    const url = await operator.httpUrl();
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(operator.output()).toContain('metrics (for authorized callers only) and probes on https://');
    // The certificate is self-signed, made at start: this test trusts whatever is presented.
    expect((await httpsGet(`${url}/healthz`)).status).toBe(200);
    expect((await httpsGet(`${url}/metrics`)).status).toBe(401);
    expect((await httpsGet(`${url}/metrics`, { token: tokens.stranger })).status).toBe(403);
    const reader = await httpsGet(`${url}/metrics`, { token: tokens.reader });
    expect(reader.status).toBe(200);
    expect(reader.body).toContain('# TYPE controller_runtime_reconcile_total counter');
    expect(operator.output()).not.toContain(tokens.reader);
  });

  it('run --metrics-cert-dir serves the certificate of the directory; without --metrics-secure, or unreadable, it is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-cert-dir-'));
    try {
      writeFileSync(join(dir, 'tls.crt'), tls.cert);
      writeFileSync(join(dir, 'tls.key'), tls.key);
      const operator = startOperator({ kubeconfig: cluster.kubeconfig, awsEndpoint: 'http://127.0.0.1:9' }, ['--metrics-secure', '--metrics-cert-dir', dir, '--namespaces', NAMESPACE]);
      operators.push(operator);
      const healthz = await httpsGet(`${await operator.httpUrl()}/healthz`, { ca: tls.cert });
      expect([healthz.status, healthz.served]).toEqual([200, new X509Certificate(tls.cert).fingerprint256]);

      const insecure = startOperator({ kubeconfig: cluster.kubeconfig, awsEndpoint: 'http://127.0.0.1:9' }, ['--metrics-cert-dir', dir]);
      expect(await insecure.exited).toBe(1);
      expect(insecure.output()).toContain('--metrics-cert-dir needs --metrics-secure');

      const empty = mkdtempSync(join(tmpdir(), 'metrics-cert-dir-empty-'));
      const unreadable = startOperator({ kubeconfig: cluster.kubeconfig, awsEndpoint: 'http://127.0.0.1:9' }, ['--metrics-secure', '--metrics-cert-dir', empty]);
      expect(await unreadable.exited).toBe(1);
      expect(unreadable.output()).toContain(`--metrics-cert-dir: cannot read ${join(empty, 'tls.crt')}`);
      rmSync(empty, { recursive: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
