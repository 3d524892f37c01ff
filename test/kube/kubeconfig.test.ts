/**
 * The operator's kubeconfig loader, held to @kubernetes/client-node's reading of the same files, and
 * then used for real against the test control plane's kube-apiserver: an exec plugin, a pod's service
 * account with a rotated token, and a renewed client certificate, each identified by the apiserver.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig as ClientNodeConfig } from '@kubernetes/client-node';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { generate as selfSigned } from 'selfsigned';
import { stringify } from 'yaml';
import { kubeClient, type KubeClient } from '../../src/sources/kube/client.js';
import { KubeConfigError, loadKubeConfig, type Credentials } from '../../src/sources/kube/kubeconfig.js';
import { clientCertificate, type ControlPlaneInfo } from '../support/controlplane/start.js';
import { cli } from '../helpers/cli.js';
import { createNamespace, describeCluster, installCrds, realCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { startOperator } from '../helpers/operator.js';

let dir: string;
let clientPair: { cert: string; key: string };

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function certificate(name: string): Promise<{ cert: string; key: string }> {
  const pem = await selfSigned([{ name: 'commonName', value: name }], { keyType: 'ec', extensions: [{ name: 'extKeyUsage', clientAuth: true }] });
  return { cert: pem.cert, key: pem.private };
}

function write(name: string, content: string | object): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

function kubeconfig(cluster: object, user: object, extra: object = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'team' } }],
    'current-context': 'ctx',
    ...extra,
  };
}

/** What a client-node client would send: its headers and TLS options, in our shape. */
async function clientNodeCredentials(kc: ClientNodeConfig): Promise<Partial<Credentials> & { server: string }> {
  const opts: { headers: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string; auth?: string } = { headers: {} };
  await kc.applyToHTTPSOptions(opts as never);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers)) headers[name.toLowerCase()] = value;
  if (opts.auth) headers.authorization = `Basic ${b64(opts.auth)}`;
  return { server: kc.getCurrentCluster()!.server, headers, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized !== false, servername: opts.servername };
}

async function ourCredentials(options: Parameters<typeof loadKubeConfig>[0]): Promise<Partial<Credentials> & { server: string }> {
  const kc = loadKubeConfig(options);
  const got = await kc.credentials();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(got.headers)) headers[name.toLowerCase()] = String(value);
  return { server: kc.server, headers, ca: got.ca, cert: got.cert, key: got.key, rejectUnauthorized: got.rejectUnauthorized, servername: got.servername };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));
  clientPair = await certificate('operator-a');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('reads a kubeconfig as client-node does', () => {
  const cases: [string, () => object][] = [
    ['a token, inline CA data and a TLS server name', () => kubeconfig({ server: 'https://k.example:6443', 'certificate-authority-data': b64('CA-1'), 'tls-server-name': 'api.internal' }, { token: 'tok-1' })],
    ['a CA file relative to the kubeconfig', () => (write('nested/ca.pem', 'CA-2'), kubeconfig({ server: 'https://k.example', 'certificate-authority': 'ca.pem' }, { token: 'tok-3' }))],
    ['client certificate and key files, TLS verification off', () => (write('nested/tls.crt', clientPair.cert), write('nested/tls.key', clientPair.key), kubeconfig({ server: 'https://10.0.0.1', 'insecure-skip-tls-verify': true }, { 'client-certificate': 'tls.crt', 'client-key': 'tls.key' }))],
    ['inline client certificate and key data', () => kubeconfig({ server: 'https://k.example' }, { 'client-certificate-data': b64(clientPair.cert), 'client-key-data': b64(clientPair.key) })],
    ['a user name and password', () => kubeconfig({ server: 'https://k.example' }, { username: 'admin', password: 's3cret' })],
    ['a token and impersonation', () => kubeconfig({ server: 'https://k.example' }, { token: 'tok-2', as: 'jane' })],
    ['an exec credential plugin', () => (write('nested/plugin.sh', '#!/bin/sh\necho "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"$PLUGIN_TOKEN\\"}}"\n'), chmodSync(join(dir, 'nested/plugin.sh'), 0o755), kubeconfig({ server: 'https://k.example' }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: join(dir, 'nested/plugin.sh'), env: [{ name: 'PLUGIN_TOKEN', value: 'tok-exec' }] } }))],
  ];
  it.each(cases)('%s', async (_name, make) => {
    const file = write(`nested/config-${Math.random().toString(36).slice(2)}`, make());
    const reference = new ClientNodeConfig();
    reference.loadFromFile(file);
    const ours = await ourCredentials({ kubeconfig: file });
    expect(ours).toEqual(await clientNodeCredentials(reference));
    expect(ours.headers!.authorization ?? ours.cert).toBeTruthy();
  });

  it('a token file, which kubectl reads (client-node does not): relative to the kubeconfig, trimmed', async () => {
    write('tokens/token', 'tok-from-file\n');
    const file = write('tokens/config', kubeconfig({ server: 'https://k.example' }, { tokenFile: 'token' }));
    expect((await ourCredentials({ kubeconfig: file })).headers).toEqual({ authorization: 'Bearer tok-from-file' });
  });

  it('merges the files KUBECONFIG lists: the first to name an entry or a current context wins', async () => {
    const first = write('merge/a', { clusters: [{ name: 'shared', cluster: { server: 'https://first.example' } }], users: [{ name: 'me', user: { token: 'first' } }], 'current-context': 'second-ctx' });
    const second = write('merge/b', {
      clusters: [{ name: 'shared', cluster: { server: 'https://second.example' } }],
      users: [{ name: 'me', user: { token: 'second' } }],
      contexts: [{ name: 'second-ctx', context: { cluster: 'shared', user: 'me' } }],
      'current-context': 'ignored',
    });
    const env = { KUBECONFIG: [first, join(dir, 'merge/missing'), second].join(delimiter), HOME: dir };
    const ours = await ourCredentials({ env });
    expect(ours).toMatchObject({ server: 'https://first.example', headers: { authorization: 'Bearer first' } });
    expect(loadKubeConfig({ env }).context).toBe('second-ctx');
  });

  it('--context picks another context, with its namespace', async () => {
    const file = write('contexts', {
      ...kubeconfig({ server: 'https://one.example' }, { token: 'one' }),
      contexts: [
        { name: 'ctx', context: { cluster: 'c', user: 'u' } },
        { name: 'other', context: { cluster: 'c', namespace: 'elsewhere' } },
      ],
    });
    const kc = loadKubeConfig({ kubeconfig: file, context: 'other' });
    expect({ server: kc.server, namespace: kc.namespace, context: kc.context }).toEqual({ server: 'https://one.example', namespace: 'elsewhere', context: 'other' });
    expect((await kc.credentials()).headers).toEqual({});
  });
});

describe('credentials never travel in clear text', () => {
  it('in a pod the API server is reached over TLS whatever its port', () => {
    const sa = join(dir, 'sa-port-80');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'pod-token');
    writeFileSync(join(sa, 'ca.crt'), 'ca');
    for (const port of ['80', '8080', '8001', '443']) {
      expect(loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: port }, serviceAccountDir: sa }).server).toBe(`https://10.96.0.1:${port}`);
    }
  });

  it('a token for a plain-http server beyond this machine is refused before any connection; on loopback it is sent', async () => {
    const remote = kubeClient(loadKubeConfig({ kubeconfig: write('http-remote', kubeconfig({ server: 'http://10.255.255.1:8080' }, { token: 'secret-token' })) }));
    await expect(remote.request('GET', '/api')).rejects.toThrow(/http-remote: the API server http:\/\/10\.255\.255\.1:8080 is plain http, and credentials are never sent over it; use https/);
    remote.close();
    const local = kubeClient(loadKubeConfig({ kubeconfig: write('http-local', kubeconfig({ server: 'http://127.0.0.1:9' }, { token: 'secret-token' })) }));
    await expect(local.request('GET', '/api')).rejects.not.toThrow(/plain http/);
    local.close();
  });
});

describe('refuses a kubeconfig it cannot use, saying where', () => {
  const cases: [string, () => Parameters<typeof loadKubeConfig>[0], RegExp][] = [
    ['no configuration at all', () => ({ env: { HOME: join(dir, 'no-home') }, serviceAccountDir: join(dir, 'no-sa') }), /no Kubernetes cluster is configured/],
    ['a file that is not there', () => ({ kubeconfig: join(dir, 'absent') }), /kubeconfig .*absent: ENOENT/],
    ['a context that is not there', () => ({ kubeconfig: write('e1', kubeconfig({ server: 'https://x' }, {})), context: 'nope' }), /e1: context "nope" is not in contexts/],
    ['a context naming a missing cluster', () => ({ kubeconfig: write('e2', { ...kubeconfig({ server: 'https://x' }, {}), clusters: [] }) }), /e2: context "ctx" names cluster "c", which is not in clusters/],
    ['a cluster without a server', () => ({ kubeconfig: write('e3', kubeconfig({}, {})) }), /e3: cluster "c": server is required/],
    ['a CA file that cannot be read', () => ({ kubeconfig: write('e4', kubeconfig({ server: 'https://x', 'certificate-authority': 'missing-ca.pem' }, {})) }), /e4: cluster "c": certificate-authority: cannot read .*missing-ca\.pem: ENOENT/],
    ['a removed auth provider', () => ({ kubeconfig: write('e5', kubeconfig({ server: 'https://x' }, { 'auth-provider': { name: 'gcp' } })) }), /e5: user "u": auth-provider \(gcp\) is not supported; use an exec credential plugin/],
    ['a proxy', () => ({ kubeconfig: write('e9', kubeconfig({ server: 'https://x', 'proxy-url': 'http://proxy:3128' }, {})) }), /e9: cluster "c": proxy-url is not supported; reach the API server directly/],
    ['a list where a mapping belongs', () => ({ kubeconfig: write('e6', { clusters: { name: 'c' } }) }), /e6: clusters must be a list/],
  ];
  it.each(cases)('%s', (_name, options, message) => {
    let error: unknown;
    try {
      loadKubeConfig(options());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('agentcore-operator run says what is wrong with its kubeconfig, without a stack trace', async () => {
    const file = write('e8', kubeconfig({ server: 'https://x' }, { 'auth-provider': { name: 'oidc' } }));
    const result = await cli(['run', '--kubeconfig', file, '--region', 'us-west-2']);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err.trim()).toBe(`kubeconfig ${file}: user "u": auth-provider (oidc) is not supported; use an exec credential plugin (kubectl's own auth providers were removed in 1.26)`);
  });

  it('an exec plugin that fails: its message and the install hint, never its environment', async () => {
    const file = write('e7', kubeconfig({ server: 'https://x' }, { exec: { command: 'sh', args: ['-c', 'echo "no credentials for profile $P" >&2; exit 3'], env: [{ name: 'P', value: 'dev' }, { name: 'SECRET', value: 'hunter2' }], installHint: 'Install the AWS CLI.' } }));
    const error = await loadKubeConfig({ kubeconfig: file }).credentials().catch((e: Error) => e);
    expect((error as Error).message).toBe(`kubeconfig ${file}: user "u": exec: sh failed: no credentials for profile dev (Install the AWS CLI.)`);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

/** Who the apiserver takes the client for: its SelfSubjectReview, which every authenticated user may make. */
async function whoAmI(client: KubeClient): Promise<{ username: string; extra?: Record<string, string[]> }> {
  const review = await client.request<{ status: { userInfo: { username: string; extra?: Record<string, string[]> } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  return review.status.userInfo;
}

/** The `jti` claim of a service account token (a JWT), which the apiserver reports as the credential's id. */
const jti = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }).jti;

// They use the test control plane's CA, its admin token and TokenRequest.
const live = realCluster ? describe.skip : describeCluster;

live('against a live server', () => {
  let cluster: TestCluster;
  let controlPlane: ControlPlaneInfo;

  beforeAll(async () => {
    cluster = await startTestCluster();
    controlPlane = cluster.controlPlane!;
    await installCrds(cluster);
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it('agentcore-operator run says which context of which kubeconfig it uses', async () => {
    const file = write('cli-run', readFileSync(cluster.kubeconfig, 'utf8'));
    const operator = startOperator({ kubeconfig: file, awsEndpoint: 'http://127.0.0.1:9' });
    try {
      await operator.httpUrl();
      expect(operator.output()).toContain(`watching ${controlPlane.url} (context test of ${file}); metrics and probes on http`);
    } finally {
      await operator.kill('SIGKILL');
    }
  });

  it('an exec plugin runs once, until its credential is about to expire', async () => {
    const token = controlPlane.adminToken;
    const log = join(dir, 'exec-calls');
    writeFileSync(log, '');
    let now = Date.parse('2030-01-01T00:00:00Z');
    const expiry = new Date(now + 10 * 60_000).toISOString();
    const file = write('exec/config', {
      ...kubeconfig({ server: controlPlane.url, 'certificate-authority-data': b64(controlPlane.caCert) }, { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'sh', args: ['-c', `echo "$KUBERNETES_EXEC_INFO" >> ${log}; echo '{"kind":"ExecCredential","status":{"token":"${token}","expirationTimestamp":"${expiry}"}}'`] } }),
    });
    const client = kubeClient(loadKubeConfig({ kubeconfig: file, clock: () => now }));
    try {
      for (let i = 0; i < 3; i++) await client.request('GET', '/api/v1/namespaces');
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}']);
      now += 9.5 * 60_000;
      await client.request('GET', '/api/v1/namespaces');
      expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('a credential that lives under two minutes is renewed once, half-way through its life, not on every request', async () => {
    const log = join(dir, 'exec-short');
    writeFileSync(log, '');
    let now = Date.parse('2030-01-01T00:00:00Z');
    const plugin = `echo run >> ${log}; echo '{"kind":"ExecCredential","status":{"token":"${controlPlane.adminToken}","expirationTimestamp":"'$(date -u -d @$(( $(cat ${log}.now) + 30 )) +%Y-%m-%dT%H:%M:%SZ)'"}}'`;
    const at = (ms: number) => writeFileSync(`${log}.now`, String(Math.floor(ms / 1000)));
    at(now);
    const file = write('exec-short-config', kubeconfig({ server: controlPlane.url, 'certificate-authority-data': b64(controlPlane.caCert) }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', plugin] } }));
    const client = kubeClient(loadKubeConfig({ kubeconfig: file, clock: () => now }));
    const runs = () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length;
    try {
      for (let i = 0; i < 3; i++) await client.request('GET', '/api/v1/namespaces');
      now += 14_000;
      await client.request('GET', '/api/v1/namespaces');
      expect(runs()).toBe(1);
      now += 1_000;
      at(now);
      for (let i = 0; i < 3; i++) await client.request('GET', '/api/v1/namespaces');
      expect(runs()).toBe(2);
    } finally {
      client.close();
    }
  });

  it('a credential the API server refuses (401) is issued again, once, and the request goes through', async () => {
    const count = join(dir, 'exec-revoked');
    writeFileSync(count, '');
    // The first credential it prints is one the server does not know; the next ones are good.
    const plugin = `echo run >> ${count}; if [ $(wc -l < ${count}) -eq 1 ]; then T=revoked-token; else T=${controlPlane.adminToken}; fi; echo '{"kind":"ExecCredential","status":{"token":"'$T'"}}'`;
    const file = write('exec-revoked-config', kubeconfig({ server: controlPlane.url, 'certificate-authority-data': b64(controlPlane.caCert) }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', plugin] } }));
    const client = kubeClient(loadKubeConfig({ kubeconfig: file }));
    try {
      await expect(client.request('GET', '/api/v1/namespaces')).resolves.toMatchObject({ kind: 'NamespaceList' });
      await client.request('GET', '/api/v1/namespaces');
      expect(readFileSync(count, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it("in a pod: the service account's token, CA and namespace; a rotated token is used within half a minute", async () => {
    const ns = 'kubeconfig-pod';
    await createNamespace(cluster, ns);
    const created = await cluster.kubectl(['create', 'serviceaccount', 'operator', '-n', ns]);
    expect(created.stderr).toBe('');
    const tokenRequest = async () => {
      const result = await cluster.kubectl(['create', 'token', 'operator', '-n', ns]);
      expect(result.stderr).toBe('');
      return result.stdout.trim();
    };
    const [first, rotated] = [await tokenRequest(), await tokenRequest()];
    expect(jti(first)).not.toBe(jti(rotated));

    const sa = join(dir, 'serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), first);
    writeFileSync(join(sa, 'ca.crt'), controlPlane.caCert);
    writeFileSync(join(sa, 'namespace'), `${ns}\n`);
    let now = 0;
    const port = new URL(controlPlane.url).port;
    const kc = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port, HOME: join(dir, 'no-home') }, serviceAccountDir: sa, clock: () => now });
    expect({ server: kc.server, namespace: kc.namespace, context: kc.context }).toEqual({ server: controlPlane.url, namespace: ns, context: 'in-cluster' });
    const client = kubeClient(kc);
    const credential = async () => {
      const user = await whoAmI(client);
      expect(user.username).toBe(`system:serviceaccount:${ns}:operator`);
      return user.extra?.['authentication.kubernetes.io/credential-id'];
    };
    try {
      expect(await credential()).toEqual([`JTI=${jti(first)}`]);
      // The service account is bound to no role: the apiserver's RBAC refuses it the namespaces.
      expect(await client.request('GET', '/api/v1/namespaces').then(() => 200, (error: { code: number }) => error.code)).toBe(403);
      writeFileSync(join(sa, 'token'), rotated);
      now += 29_000;
      expect(await credential()).toEqual([`JTI=${jti(first)}`]);
      now += 2_000;
      expect(await credential()).toEqual([`JTI=${jti(rotated)}`]);
    } finally {
      client.close();
    }
  });

  it('a client certificate is presented, and a renewed one is presented on new connections', async () => {
    const ca = { cert: controlPlane.caCert, key: controlPlane.caKey };
    const [first, renewed] = [await clientCertificate(ca, { name: 'kubeconfig-test-a', groups: [] }), await clientCertificate(ca, { name: 'kubeconfig-test-b', groups: [] })];
    write('tls/tls.crt', first.cert);
    write('tls/tls.key', first.key);
    const file = write('tls/config', kubeconfig({ server: controlPlane.url, 'certificate-authority-data': b64(controlPlane.caCert) }, { 'client-certificate': 'tls.crt', 'client-key': 'tls.key' }));
    let now = 0;
    const client = kubeClient(loadKubeConfig({ kubeconfig: file, clock: () => now }));
    const seen: string[] = [];
    try {
      seen.push((await whoAmI(client)).username);
      write('tls/tls.crt', renewed.cert);
      write('tls/tls.key', renewed.key);
      seen.push((await whoAmI(client)).username);
      now += 31_000;
      seen.push((await whoAmI(client)).username);
      expect(seen).toEqual(['kubeconfig-test-a', 'kubeconfig-test-a', 'kubeconfig-test-b']);
    } finally {
      client.close();
    }
  });
});
