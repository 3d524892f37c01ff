/**
 * Starts a real Kubernetes control plane on loopback ports: etcd, kube-apiserver (TLS, RBAC, static
 * tokens for the harness, service-account token signing so TokenRequest works) and, where built,
 * kube-controller-manager with the controllers tests rely on (namespace deletion, garbage collection).
 * The processes are detached, so one control plane outlives the test file that started it; `stop`
 * (or the Jest global teardown) ends them.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { ControlPlaneBinaries } from './build.ts';

/** A user the harness can authenticate as with a static token. */
export interface TestUser {
  name: string;
  groups: string[];
}

/** Everything a client needs; JSON, so other processes of the same run can share one control plane. */
export interface ControlPlaneInfo {
  minor: string;
  url: string;
  caCert: string;
  /** PEM of the CA's key, so the harness can issue serving and client certificates the cluster trusts. */
  caKey: string;
  adminToken: string;
  /** token → user, for `tokenFor`. */
  tokens: Record<string, TestUser>;
  pids: number[];
  dir: string;
  /** etcd's data directory, removed on stop. */
  etcdData: string;
  /** Whether kube-controller-manager runs, so that a deleted namespace is emptied and goes. */
  controllerManager: boolean;
}

export const ADMIN: TestUser = { name: 'agentcore-test-admin', groups: ['system:masters'] };

/** The identities tests authenticate as besides the admin (service accounts use TokenRequest instead). */
const STATIC_USERS: TestUser[] = [
  ADMIN,
  { name: 'nobody', groups: [] },
  { name: 'system:serviceaccount:ops:operator', groups: [] },
  { name: 'system:serviceaccount:ops:operator', groups: ['system:masters'] },
];

const sameUser = (a: TestUser, b: TestUser) => a.name === b.name && [...a.groups].sort().join() === [...b.groups].sort().join();

/** The static token of one of the harness's users (system:authenticated is implied, as the apiserver adds it). */
export function tokenFor(info: ControlPlaneInfo, user: TestUser): string {
  const wanted = { name: user.name, groups: user.groups.filter((g) => g !== 'system:authenticated') };
  const found = Object.entries(info.tokens).find(([, u]) => sameUser(u, wanted));
  if (!found) throw new Error(`no static token for ${JSON.stringify(wanted)}; the control plane knows ${STATIC_USERS.map((u) => JSON.stringify(u)).join(', ')}`);
  return found[0];
}

export function kubeconfigFor(info: ControlPlaneInfo, token = info.adminToken, server = info.url, namespace?: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': Buffer.from(info.caCert).toString('base64') } }],
    users: [{ name: 'test', user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'test', ...(namespace ? { namespace } : {}) } }],
    'current-context': 'test',
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Certificate {
  cert: string;
  key: string;
}

export async function certificateAuthority(): Promise<Certificate> {
  const ca = await generate([{ name: 'commonName', value: 'agentcore-test-ca' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

/** A loopback serving certificate (127.0.0.1, ::1, localhost) signed by the CA. */
export async function servingCertificate(ca: Certificate): Promise<Certificate> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600_000),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A client certificate for a user (CN) and groups (O), signed by the CA the apiserver trusts. */
export async function clientCertificate(ca: Certificate, user: TestUser, notAfter = new Date(Date.now() + 24 * 3600_000)): Promise<Certificate> {
  const pems = await generate([{ name: 'commonName', value: user.name }, ...user.groups.map((g) => ({ name: 'organizationName', value: g }))], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

function startDetached(binary: string, args: string[], log: string): number {
  const out = openSync(log, 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${binary}`);
  return child.pid;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function get(url: string, ca: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function waitUntil(what: string, deadlineMs: number, pids: number[], logs: string[], check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const dead = pids.filter((pid) => !alive(pid));
    if (dead.length > 0 || Date.now() > deadline) {
      const tails = logs.map((log) => `--- ${log}\n${existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : ''}`).join('\n');
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      throw new Error(`${dead.length > 0 ? 'a control plane process exited' : 'timed out'} waiting for ${what}\n${tails}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** etcd's data in memory when the machine has /dev/shm: the tests need no durability, only speed. */
function dataDir(dir: string): string {
  const shm = '/dev/shm';
  return existsSync(shm) ? join(shm, `agentcore-etcd-${process.pid}-${Date.now()}`) : join(dir, 'etcd');
}

export async function startControlPlane(binaries: ControlPlaneBinaries, dir: string): Promise<ControlPlaneInfo> {
  mkdirSync(dir, { recursive: true });
  const ca = await certificateAuthority();
  const serving = await servingCertificate(ca);
  const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const tokens: Record<string, TestUser> = {};
  STATIC_USERS.forEach((user, i) => (tokens[`agentcore-test-token-${i}-${Math.random().toString(36).slice(2, 12)}`] = user));
  const tokenCsv = Object.entries(tokens).map(([token, u], i) => `${token},${u.name},uid-${i},"${u.groups.join(',')}"`).join('\n');
  const adminToken = tokenFor({ tokens } as ControlPlaneInfo, ADMIN);

  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const logs = { etcd: join(dir, 'etcd.log'), apiserver: join(dir, 'kube-apiserver.log'), controllerManager: join(dir, 'kube-controller-manager.log') };
  const pids: number[] = [];
  const etcdData = dataDir(dir);
  pids.push(
    startDetached(binaries.etcd, [
      '--name=test', `--data-dir=${etcdData}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=test=http://127.0.0.1:${peerPort}`, '--unsafe-no-fsync', '--log-level=warn',
    ], logs.etcd),
  );
  const url = `https://127.0.0.1:${apiPort}`;
  pids.push(
    startDetached(binaries.apiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--tls-cert-file=${file('serving.crt', serving.cert)}`, `--tls-private-key-file=${file('serving.key', serving.key)}`,
      `--client-ca-file=${file('ca.crt', ca.cert)}`,
      `--token-auth-file=${file('tokens.csv', tokenCsv)}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc', '--api-audiences=https://kubernetes.default.svc',
      `--service-account-key-file=${file('sa.pub', serviceAccountKey.publicKey)}`,
      `--service-account-signing-key-file=${file('sa.key', serviceAccountKey.privateKey)}`,
      '--service-cluster-ip-range=10.96.0.0/16', '--endpoint-reconciler-type=none',
      `--cert-dir=${join(dir, 'certs')}`, '--profiling=false', '--v=0',
    ], logs.apiserver),
  );
  const ready = async () => (await get(`${url}/readyz`, ca.cert, adminToken)).status === 200;
  await waitUntil('kube-apiserver to be ready', 120_000, pids, [logs.etcd, logs.apiserver], ready);

  const info: ControlPlaneInfo = { minor: binaries.minor, url, caCert: ca.cert, caKey: ca.key, adminToken, tokens, pids, dir, etcdData, controllerManager: Boolean(binaries.controllerManager) };
  if (binaries.controllerManager) {
    pids.push(
      startDetached(binaries.controllerManager, [
        `--kubeconfig=${file('admin.kubeconfig', kubeconfigFor(info))}`,
        '--controllers=namespace-controller,garbage-collector-controller',
        '--leader-elect=false', '--secure-port=0', '--use-service-account-credentials=false', '--v=0',
      ], logs.controllerManager),
    );
  }
  return info;
}

export function stopControlPlane(info: Pick<ControlPlaneInfo, 'pids' | 'etcdData'>): void {
  for (const pid of [...info.pids].reverse()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(info.etcdData, { recursive: true, force: true });
}
