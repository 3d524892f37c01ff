/**
 * The operator as users run it: `agentcore-operator run` (the built dist/) in a process of its own,
 * pointed at a test cluster's kubeconfig and an emulator, with its JSON logs kept for the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import { defaultServices } from '../../src/emulator/index.js';
import { repoRoot } from './cli.js';
import { REGION, startTestEmulator, type TestEmulator } from './emulator.js';
import { waitFor } from './wait.js';
import { createNamespace, installCrds, startTestCluster, type TestCluster } from './kube.js';

export interface RunningOperator {
  child: ChildProcess;
  /** Everything it wrote to standard error and standard output so far. */
  output(): string;
  /** Its /metrics, /healthz and /readyz, once it has said where they are. */
  httpUrl(): Promise<string>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface OperatorTarget {
  kubeconfig: string;
  awsEndpoint: string;
}

/** Short timings so tests converge in seconds; a test adds or overrides flags. */
export const FAST_FLAGS = ['--poll', '150ms', '--resync', '30s', '--concurrency', '8', '--http-port', '0', '--log-level', 'info'];

export function startOperator(target: OperatorTarget, flags: string[] = [], env: NodeJS.ProcessEnv = {}): RunningOperator {
  const args = [join(repoRoot, 'dist', 'cli', 'main.js'), 'run', '--kubeconfig', target.kubeconfig, '--endpoint-url', target.awsEndpoint, '--region', 'us-west-2', ...FAST_FLAGS, ...flags];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'operator-test', AWS_REGION: 'us-west-2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async httpUrl() {
      const match = await eventually(() => /probes on (https?:\/\/\S+)/.exec(output), 20_000, 'the operator to report its HTTP port');
      return match[1]!;
    },
    exited,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls until `check` returns something truthy (or stops throwing); fails with `what` after the timeout. */
export function eventually<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, what: string, intervalMs = 100): Promise<T> {
  return waitFor(check, { timeoutMs, what, intervalMs });
}

/** The test control plane with the CRDs installed, an emulator, and AWS clients to check it. */
export interface Stack {
  cluster: TestCluster;
  emulator: TestEmulator;
  aws: AwsClients;
  /** kubectl that throws with its standard error on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** One object as `kubectl get -o json` shows it. */
  get(kind: string, name: string, namespace: string): Promise<ObjectWithStatus>;
  startOperator(flags?: string[]): RunningOperator;
  close(): Promise<void>;
}

export interface ObjectWithStatus {
  kind: string;
  metadata: { name: string; namespace?: string; generation: number; resourceVersion?: string; finalizers?: string[]; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason: string; message: string; observedGeneration?: number }[]; [field: string]: unknown };
}

export const conditionOf = (o: ObjectWithStatus, type: string) => o.status?.conditions?.find((c) => c.type === type);
export const isReady = (o: ObjectWithStatus) => conditionOf(o, 'Ready')?.status === 'True' && o.status?.observedGeneration === o.metadata.generation;

export async function startStack(namespaces: string[], images: { repository: string; tag: string }[]): Promise<Stack> {
  const cluster = await startTestCluster();
  const emulator = await startTestEmulator(defaultServices(), { provisioningDelayMs: 40, deletionDelayMs: 40 });
  for (const image of images) await emulator.admin('POST', 'ecr/push', { region: REGION, ...image });
  const aws = awsClients({ endpointUrl: emulator.url, region: REGION, credentials: emulator.clientConfig.credentials, maxAttempts: 1 });
  const kubectl = async (args: string[], input?: string) => {
    const result = await cluster.kubectl(args, input);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  await installCrds(cluster);
  for (const namespace of namespaces) await createNamespace(cluster, namespace);
  const operators: RunningOperator[] = [];
  return {
    cluster,
    emulator,
    aws,
    kubectl,
    get: async (kind, name, namespace) => JSON.parse(await kubectl(['get', kind, name, '-n', namespace, '-o', 'json'])) as ObjectWithStatus,
    startOperator: (flags = []) => {
      const operator = startOperator({ kubeconfig: cluster.kubeconfig, awsEndpoint: emulator.url }, flags);
      operators.push(operator);
      return operator;
    },
    close: async () => {
      await Promise.all(operators.map((o) => o.kill('SIGKILL')));
      aws.destroy();
      await emulator.close();
      await cluster.close();
    },
  };
}
