// Benchmark of cluster mode: `agentcore-operator run` in its own process against a real control plane
// (etcd and kube-apiserver, built by test/support/controlplane) and the emulator, with AgentRuntimes in
// one namespace.
// Measures a restart over N Ready objects, the AWS and Kubernetes calls of a resync that changes
// nothing, the time from a spec change to the first AWS call about it, and the operator's memory
// with a larger number of objects. Writes its figures into bench-results/report.json.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout } from 'node:timers';
import { parseAllDocuments } from 'yaml';
import { kubeClient, loadKubeConfig, MERGE_PATCH } from '../dist/sources/kube/client.js';
import { buildControlPlane, SUPPORTED_KUBERNETES } from '../test/support/controlplane/build.ts';
import { kubeconfigFor, startControlPlane, stopControlPlane } from '../test/support/controlplane/start.ts';
import { startEmulatorProcess } from './emulator-process.mjs';
import { writeReport } from './report.mjs';

const N = Number(process.env.BENCH_CLUSTER_OBJECTS ?? 1000);
const MEMORY_N = Number(process.env.BENCH_CLUSTER_MEMORY_OBJECTS ?? 5000);
const CHANGES = Number(process.env.BENCH_CLUSTER_CHANGES ?? 200);
const CHANGE_SPACING_MS = Number(process.env.BENCH_CLUSTER_CHANGE_SPACING_MS ?? 100);
const RESYNC_SECONDS = Number(process.env.BENCH_CLUSTER_RESYNC_SECONDS ?? 15);
// V8 gives memory back some seconds after work stops; resident memory is read over this idle window.
const IDLE_SECONDS = Number(process.env.BENCH_CLUSTER_IDLE_SECONDS ?? 30);
const OPERATOR_FLAGS = ['--concurrency', '8', '--poll', '1s', '--log-level', 'info'];
const NS = 'bench';
const OBJECTS_PATH = `/apis/agentcore.dev/v1alpha1/namespaces/${NS}/agentruntimes`;
const WRITE_OPERATION = /:(Create|Update|Delete|Tag|Untag|Put)/;
// Reads that serve every object at once: a page of owned resources' tags per 100 objects, and one digest lookup per image.
const SHARED_READ = /:(GetResources|DescribeImages)$/;
const KUBE_WRITE_VERB = /^(post|put|patch|apply|delete|deletecollection) /;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, digits = 3) => Number(x.toFixed(digits));
const sum = (values) => values.reduce((a, b) => a + b, 0);

const children = new Set();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

mkdirSync('bench-results', { recursive: true });
const home = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
const kube = await startControlPlane(buildControlPlane(SUPPORTED_KUBERNETES.newest), join(home, 'controlplane'));
process.on('exit', () => stopControlPlane(kube));
const kubeconfig = join(home, 'kubeconfig');
writeFileSync(kubeconfig, kubeconfigFor(kube));
const client = kubeClient(loadKubeConfig({ kubeconfig }));

/**
 * The apiserver's own count of the requests it served (apiserver_request_total), by verb and resource,
 * less its own lease renewals; the bench diffs two readings.
 */
async function kubeRequestCounts() {
  const text = await new Promise((resolve, reject) => {
    const req = httpsRequest(`${kube.url}/metrics`, { ca: kube.caCert, headers: { authorization: `Bearer ${kube.adminToken}` } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
  const counts = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (name) => new RegExp(`${name}="([^"]*)"`).exec(line)?.[1] ?? '';
    if (label('resource') === 'leases' || label('resource') === '') continue;
    const key = `${label('verb').toLowerCase()} ${label('resource')}${label('subresource') ? `/${label('subresource')}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}
const diffCounts = (after, before) => Object.fromEntries([...after].map(([k, n]) => [k, n - (before.get(k) ?? 0)]).filter(([, n]) => n > 0));

const emulator = await startEmulatorProcess(['--rate-scale', '0', '--provisioning-delay-ms', '0']);
children.add(emulator.child);
const admin = async (method, path, body) => {
  const response = await fetch(`${emulator.url}/_admin/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  if (!response.ok) throw new Error(`emulator admin ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
};

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakRssMiB: Math.round(kib('VmHWM') / 1024) };
}

/** `agentcore-operator run` from dist/, its output kept in bench-results/cluster-operator-<label>.log. */
function startOperator(label, flags) {
  const log = createWriteStream(`bench-results/cluster-operator-${label}.log`);
  const spawnedAt = performance.now();
  const args = ['dist/cli/main.js', 'run', '--kubeconfig', kubeconfig, '--endpoint-url', emulator.url, '--region', 'us-west-2', '--http-port', '0', ...OPERATOR_FLAGS, ...flags];
  const child = spawn(process.execPath, args, { env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'bench' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let head = '';
  const url = new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      if (head === undefined) return;
      head += chunk;
      const match = /probes on (http:\/\/\S+)/.exec(head);
      if (match) {
        head = undefined;
        resolve(match[1]);
      }
    });
    exited.then((code) => reject(new Error(`operator ${label} exited with ${code}; see bench-results/cluster-operator-${label}.log`)));
  });
  url.catch(() => undefined);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return {
    child,
    spawnedAt,
    url,
    metrics: async () => (await fetch(`${await url}/metrics`)).text(),
    async stop() {
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
      children.delete(child);
      log.end();
    },
  };
}

/** The sum of a metric's samples whose labels include `labels`, from the Prometheus text format. */
function metricSum(text, name, labels) {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return sum(lines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1))));
}
const reconciles = async (operator) => metricSum(await operator.metrics(), 'controller_runtime_reconcile_total', 'controller="agentruntime"');
const queueDepth = async (operator) => metricSum(await operator.metrics(), 'workqueue_depth', 'name="agentruntime"');

/** Polls `check` until it answers something truthy, saying every 10 s what it is waiting for. */
async function until(what, check, { timeoutMs, intervalMs = 500, progress = () => '' }) {
  const started = Date.now();
  let said = started;
  for (;;) {
    const dead = [...children].find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`${dead.spawnargs.slice(1, 3).join(' ')} exited (${dead.exitCode ?? dead.signalCode}) while waiting for ${what}`);
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}; ${await progress()}`);
    if (Date.now() - said >= 10_000) {
      said = Date.now();
      console.log(`  waiting ${Math.round((said - started) / 1000)} s for ${what}: ${await progress()}`);
    }
    await sleep(intervalMs);
  }
}

const isReady = (o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && o.status.observedGeneration === o.metadata.generation;
const listObjects = async () => (await client.request('GET', OBJECTS_PATH)).items;

/** Resident memory sampled each second over the idle window; the figure is the last sample. */
async function idleMemory(operator) {
  const samples = [];
  for (let i = 0; i < IDLE_SECONDS; i++) {
    await sleep(1000);
    samples.push(memoryOf(operator.child.pid).rssMiB);
  }
  return { ...memoryOf(operator.child.pid), minMiB: Math.min(...samples), maxMiB: Math.max(...samples) };
}

async function allReady(count, operator) {
  let ready = 0;
  await until(`${count} objects Ready`, async () => (ready = (await listObjects()).filter(isReady).length) >= count, {
    timeoutMs: 120_000 + count * 200,
    intervalMs: 1000,
    progress: async () => `${ready}/${count} Ready, operator queue ${await queueDepth(operator)}, operator RSS ${memoryOf(operator.child.pid).rssMiB} MiB`,
  });
}

async function createObjects(from, to) {
  let next = from;
  const worker = async () => {
    for (let i = next++; i < to; i = next++) {
      await client.request('POST', OBJECTS_PATH, {
        body: {
          apiVersion: 'agentcore.dev/v1alpha1',
          kind: 'AgentRuntime',
          metadata: { name: `bench-agent-${i}`, namespace: NS },
          spec: { artifact: { image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/bench-agent:1' }, role: { arn: 'arn:aws:iam::123456789012:role/Bench' } },
        },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

async function main() {
  await admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'bench-agent', tag: '1' });
  // AWS's default quota is 1,000 runtimes an account (adjustable); the memory figure needs more.
  await admin('PUT', 'config', { limits: { runtimesPerAccount: Math.max(1000, MEMORY_N) } });
  for (const file of readdirSync('crds').filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join('crds', file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd) await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd });
    }
  }
  await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  await createObjects(0, N);

  console.log(`cluster: converging ${N} AgentRuntimes with a first operator`);
  const first = startOperator('initial', []);
  await allReady(N, first);
  await first.stop();

  // 1. A restart over N Ready objects.
  console.log('cluster: restart');
  const restarted = startOperator('restart', []);
  const url = await restarted.url;
  await until('/readyz', async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 120_000, intervalMs: 20 });
  const startToReadySeconds = (performance.now() - restarted.spawnedAt) / 1000;
  let reconciled = 0;
  await until(`${N} reconciles`, async () => (reconciled = await reconciles(restarted)) >= N, { timeoutMs: 120_000 + N * 100, intervalMs: 50, progress: () => `${reconciled}/${N}` });
  const startToAllReconciledSeconds = (performance.now() - restarted.spawnedAt) / 1000;

  // 3. Spec changes one object at a time: from just before the PATCH to the first AWS request about that runtime.
  console.log(`cluster: ${CHANGES} spec changes, ${CHANGE_SPACING_MS} ms apart`);
  const ids = new Map((await listObjects()).map((o) => [o.metadata.name, o.status.agentRuntimeId]));
  const changes = [];
  const kubeBeforeChanges = await kubeRequestCounts();
  for (let i = 0; i < CHANGES; i++) {
    const name = `bench-agent-${i % N}`;
    const sentAt = Date.now();
    await client.request('PATCH', `${OBJECTS_PATH}/${name}`, { body: { spec: { description: `v${i}` } }, contentType: MERGE_PATCH });
    changes.push({ id: ids.get(name), sentAt });
    await sleep(Math.max(0, sentAt + CHANGE_SPACING_MS - Date.now()));
  }
  await allReady(N, restarted);
  // The same count over the changes: the bench's patches and the operator's status writes, so a zero below means something.
  const changeKubeCalls = diffCounts(await kubeRequestCounts(), kubeBeforeChanges);
  const { requests } = await admin('GET', `requests?since=${changes[0].sentAt}`);
  const latencies = changes
    .map(({ id, sentAt }) => requests.find((r) => r.at >= sentAt && r.path.includes(id))?.at - sentAt)
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
  await restarted.stop();

  // 2. Resyncs that change nothing: count the AWS and Kubernetes calls over one resync period.
  console.log(`cluster: steady state with --resync ${RESYNC_SECONDS}s`);
  const resyncing = startOperator('resync', ['--resync', `${RESYNC_SECONDS}s`]);
  await until(`${N} reconciles`, async () => (await reconciles(resyncing)) >= N, { timeoutMs: 120_000 + N * 100, progress: async () => `${await reconciles(resyncing)}/${N}` });
  await allReady(N, resyncing);
  await sleep(RESYNC_SECONDS * 1100);
  const windowSeconds = RESYNC_SECONDS * 1.1 + 2;
  await admin('DELETE', 'counters');
  const kubeBefore = await kubeRequestCounts();
  const reconcilesBefore = await reconciles(resyncing);
  await sleep(windowSeconds * 1000);
  const reconcilesInWindow = (await reconciles(resyncing)) - reconcilesBefore;
  const counters = await admin('GET', 'counters');
  const kubeCalls = diffCounts(await kubeRequestCounts(), kubeBefore);
  await resyncing.stop();
  const callsOf = (entries) => sum(entries.flatMap(([, outcomes]) => Object.values(outcomes)));
  const awsCalls = callsOf(Object.entries(counters));
  const awsWrites = callsOf(Object.entries(counters).filter(([op]) => WRITE_OPERATION.test(op)));
  const sharedReads = callsOf(Object.entries(counters).filter(([op]) => SHARED_READ.test(op)));
  const objectReads = awsCalls - awsWrites - sharedReads;
  const kubeWrites = sum(Object.entries(kubeCalls).filter(([key]) => KUBE_WRITE_VERB.test(key)).map(([, n]) => n));

  // 4. Memory with MEMORY_N objects, after they all converge and the operator idles.
  console.log(`cluster: memory with ${MEMORY_N} objects`);
  const large = startOperator('memory', []);
  await large.url;
  await createObjects(N, MEMORY_N);
  await allReady(MEMORY_N, large);
  const operatorMemory = await idleMemory(large);
  const emulatorMemory = memoryOf(emulator.child.pid);
  await large.stop();

  // 5. The same objects after a restart, the way an operator mostly lives: resyncs of Ready objects.
  console.log(`cluster: memory after a restart over ${MEMORY_N} Ready objects`);
  const restartedLarge = startOperator('memory-restart', []);
  await until(`${MEMORY_N} reconciles`, async () => (await reconciles(restartedLarge)) >= MEMORY_N, { timeoutMs: 120_000 + MEMORY_N * 100, progress: async () => `${await reconciles(restartedLarge)}/${MEMORY_N}` });
  const restartMemory = await idleMemory(restartedLarge);
  await restartedLarge.stop();

  const figures = {
    objects: N,
    memoryObjects: MEMORY_N,
    operatorFlags: OPERATOR_FLAGS.join(' '),
    startToReadySeconds: round(startToReadySeconds, 2),
    startToAllReconciledSeconds: round(startToAllReconciledSeconds, 2),
    steadyStateResyncSeconds: RESYNC_SECONDS,
    steadyStateWindowSeconds: windowSeconds,
    steadyStateReconciles: reconcilesInWindow,
    steadyStateCallsPerObject: round(awsCalls / N),
    steadyStateCallsPerObjectPerResync: round(awsCalls / Math.max(1, reconcilesInWindow)),
    steadyStateWriteCalls: awsWrites,
    steadyStateObjectReadsPerReconcile: round(objectReads / Math.max(1, reconcilesInWindow)),
    steadyStateSharedReads: sharedReads,
    steadyStateCallsByOperation: counters,
    steadyStateKubeWrites: kubeWrites,
    steadyStateKubeRequests: kubeCalls,
    specChangesKubeRequests: changeKubeCalls,
    watchToFirstAwsCallMs: {
      samples: latencies.length,
      changes: CHANGES,
      spacingMs: CHANGE_SPACING_MS,
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1),
    },
    residentMemoryMiB: operatorMemory.rssMiB,
    residentMemoryIdleWindowMiB: { min: operatorMemory.minMiB, max: operatorMemory.maxMiB },
    peakResidentMemoryMiB: operatorMemory.peakRssMiB,
    residentMemoryAfterRestartMiB: restartMemory.rssMiB,
    peakResidentMemoryAfterRestartMiB: restartMemory.peakRssMiB,
    emulatorResidentMemoryMiB: emulatorMemory.rssMiB,
    meetsTarget: {
      steadyStateNoAwsWrites: awsWrites === 0,
      steadyStateAtMostOneReadPerObject: objectReads / Math.max(1, reconcilesInWindow) <= 1,
      steadyStateNoKubeWrites: kubeWrites === 0,
      watchToFirstAwsCallP99: latencies.length === CHANGES && percentile(latencies, 0.99) <= 100,
      residentMemory: operatorMemory.rssMiB <= 150 && restartMemory.rssMiB <= 150,
    },
  };
  writeReport('clusterMode', { kubernetes: kube.minor, ...figures });
  const w = figures.watchToFirstAwsCallMs;
  console.log(
    `cluster mode, ${N} objects: restart ready in ${figures.startToReadySeconds}s, all reconciled in ${figures.startToAllReconciledSeconds}s; ` +
      `resync: ${figures.steadyStateObjectReadsPerReconcile} reads of an object's own resources per reconcile plus ${sharedReads} shared reads (${figures.steadyStateCallsPerObjectPerResync} AWS calls per reconcile in all, ${reconcilesInWindow} reconciles), ${awsWrites} AWS writes, ${kubeWrites} Kubernetes writes; ` +
      `watch to first AWS call p50 ${w.p50} ms, p99 ${w.p99} ms (target <= 100, ${w.samples}/${CHANGES} samples); ` +
      `${MEMORY_N} objects: operator RSS ${figures.residentMemoryMiB} MiB once they converged (peak ${figures.peakResidentMemoryMiB}), ${figures.residentMemoryAfterRestartMiB} MiB after a restart over them (peak ${figures.peakResidentMemoryAfterRestartMiB}; target <= 150), emulator ${figures.emulatorResidentMemoryMiB} MiB`,
  );
}

try {
  await main();
} finally {
  children.forEach((c) => c.kill('SIGKILL'));
  client.close();
  stopControlPlane(kube);
  rmSync(home, { recursive: true, force: true });
}
