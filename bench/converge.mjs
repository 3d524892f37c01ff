// Benchmark of the engine: how long N AgentRuntimes take to converge from empty against the emulator
// at AWS's documented quotas with a 2 s provisioning delay, next to the bound those quotas set
// (N / mutation rate + provisioning delay); then the calls per resource of an apply and of a plan
// (from files: no status known) that change nothing, and the operator's peak RSS. Writes its figures into bench-results/report.json.
import { performance } from 'node:perf_hooks';
import { awsClients } from '../dist/aws/clients.js';
import { DEFAULT_CLIENT_RATES } from '../dist/aws/api-classes.js';
import { validateObject } from '../dist/api/validation.js';
import { Engine } from '../dist/engine/engine.js';
import { RateLimiter } from '../dist/engine/rate-limiter.js';
import { RECONCILERS } from '../dist/reconcilers/index.js';
import { DEFAULT_SETTINGS } from '../dist/reconcilers/kind.js';
import { Memo } from '../dist/reconcilers/memo.js';
import { Inventory } from '../dist/reconcilers/inventory.js';
import { startEmulatorProcess } from './emulator-process.mjs';
import { writeReport } from './report.mjs';

const N = Number(process.env.BENCH_RUNTIMES ?? 200);
const PROVISIONING_MS = 2000;
const MUTATION_RATE = DEFAULT_CLIENT_RATES.runtimeMutation.perSecond;
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);

const { child, url } = await startEmulatorProcess(['--rate-scale', '1', '--provisioning-delay-ms', String(PROVISIONING_MS)]);
const admin = (method, path, body) => fetch(`${url}/_admin/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then((r) => r.json());
await admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'bench-agent', tag: '1' });

const aws = awsClients({ endpointUrl: url, region: 'us-west-2', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
const objects = Array.from({ length: N }, (_, i) => {
  const result = validateObject({
    apiVersion: 'agentcore.dev/v1alpha1',
    kind: 'AgentRuntime',
    metadata: { name: `bench-agent-${i}`, namespace: 'bench', uid: `uid-${i}` },
    spec: { artifact: { image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/bench-agent:1' }, role: { arn: 'arn:aws:iam::123456789012:role/Bench' } },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { kind: 'AgentRuntime', namespace: 'bench', name: `bench-agent-${i}`, object: result.object };
});

function engine() {
  const gate = new RateLimiter(DEFAULT_CLIENT_RATES);
  const memo = new Memo();
  const inventory = Inventory.ofSource({ aws, gate }, 'bench');
  return new Engine({
    reconcilers: RECONCILERS,
    concurrency: 64,
    envFor: (o, lookup) => ({ aws, gate, memo, inventory, owner: { owner: `${o.namespace}/${o.kind}/${o.name}`, source: 'bench' }, now: () => new Date(), pollMs: POLL_MS, lookup, secret: () => Promise.reject(new Error('none')), settings: DEFAULT_SETTINGS }),
  });
}

const started = performance.now();
const states = await engine().apply(objects, 120_000);
const convergeSeconds = (performance.now() - started) / 1000;
const ready = [...states.values()].filter((s) => s === 'ready').length;

const total = (counters) => Object.values(counters).reduce((n, outcomes) => n + Object.values(outcomes).reduce((a, b) => a + b, 0), 0);
await admin('DELETE', 'counters');
await engine().apply(objects, 60_000);
const counters = await admin('GET', 'counters');
const calls = total(counters);
const writes = Object.entries(counters).filter(([op]) => /:(Create|Update|Delete|Tag|Untag)/.test(op)).reduce((n, [, o]) => n + Object.values(o).reduce((a, b) => a + b, 0), 0);

// A plan from files knows no ids: each runtime is found through the source's tag inventory.
await admin('DELETE', 'counters');
const plans = await engine().plan(objects.map((o) => ({ ...o, object: { ...o.object, status: undefined } })));
const planCounters = await admin('GET', 'counters');
const planChanges = [...plans.values()].filter((p) => p instanceof Error || p.changes.length > 0).length;

aws.destroy();
child.kill('SIGTERM');

const boundSeconds = N / MUTATION_RATE + PROVISIONING_MS / 1000;
const figures = {
  runtimes: N,
  ready,
  convergeSeconds: Number(convergeSeconds.toFixed(2)),
  quotaBoundSeconds: boundSeconds,
  ratioToBound: Number((convergeSeconds / boundSeconds).toFixed(3)),
  target: 1.2,
  meetsTarget: convergeSeconds / boundSeconds <= 1.2 && ready === N,
  pollMs: POLL_MS,
  noopCallsPerResource: Number((calls / N).toFixed(2)),
  noopWriteCalls: writes,
  noopCallsByOperation: counters,
  noopPlanReadsPerResource: Number((total(planCounters) / N).toFixed(3)),
  noopPlanObjectsWithChanges: planChanges,
  noopPlanReadsByOperation: planCounters,
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
};
writeReport('convergeAgentRuntimes', figures);
console.log(`converge ${N} runtimes: ${figures.convergeSeconds}s (bound ${boundSeconds}s, ratio ${figures.ratioToBound}, target <= 1.2), ${ready}/${N} ready; no-op apply: ${figures.noopCallsPerResource} calls per resource, ${writes} writes; no-op plan: ${figures.noopPlanReadsPerResource} reads per resource, ${planChanges} with changes; peak RSS ${figures.peakRssMiB} MiB`);
