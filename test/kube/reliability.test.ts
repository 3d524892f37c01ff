/**
 * Cluster mode under trouble: AWS throttling, 500s, resets and lost answers on every operation;
 * watches cut every couple of seconds, a quarter of the status writes refused with 409 (both by the
 * fault proxy in front of the real apiserver), and the operator SIGKILLed
 * and restarted again and again while 100 objects are applied, edited and deleted. The kills land
 * mid-work by construction: AWS writes are held to a few a second, each kill waits until AWS holds a
 * given number of runtimes, and however late a kill comes AWS cannot have them all: while creating, its
 * runtime limit is set below the total until the last operator starts; while deleting, one runtime stays
 * DELETING until then. What must hold at the end is the state of the world: every object Ready at its
 * latest generation, exactly one AWS resource per object with the latest spec, and after deletion no
 * object left behind a finalizer and nothing left in AWS. Then two replicas with leader election: only
 * the leader acts, and the other takes over once the leader is killed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { GetAgentRuntimeCommand, GetMemoryCommand, ListAgentRuntimesCommand, ListMemoriesCommand, type AgentRuntime } from '@aws-sdk/client-bedrock-agentcore-control';
import { isRead } from '../../src/aws/call.js';
import { kubeClient } from '../../src/sources/kube/client.js';
import { loadKubeConfig } from '../../src/sources/kube/kubeconfig.js';
import { LeaderElector, type Lease } from '../../src/sources/kube/leader.js';
import { describeCluster, realCluster } from '../helpers/kube.js';
import { isReady as ready, startOperator, startStack, type ObjectWithStatus as Obj, type RunningOperator, type Stack } from '../helpers/operator.js';
import { waitFor } from '../helpers/wait.js';
import type { FaultProxy } from '../support/faultproxy/proxy.js';

const NS = 'fleet';
const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/fleet-agent:1';
const RUNTIMES = 90;
const MEMORIES = 10;

let stack: Stack;
let proxy: FaultProxy;
/** The operators talk to the apiserver through the fault proxy. */
let proxied: string;
const operators: RunningOperator[] = [];
/** A lease of this file's own, so no other test's lease is in the way. */
const LEADER_FLAGS = ['--leader-elect', '--leader-election-namespace', NS, '--leader-election-id', 'reliability-test'];
/** Runtime creates, updates and deletes at 5 a second: 90 runtimes take about 18 s each way. */
const SLOW_AWS = ['--aws-rates', 'runtimeMutation=5'];

const runtime = (i: number, description: string) => ({
  apiVersion: 'agentcore.dev/v1alpha1',
  kind: 'AgentRuntime',
  metadata: { name: `agent-${i}`, namespace: NS },
  spec: { description, artifact: { image: IMAGE }, role: { arn: 'arn:aws:iam::123456789012:role/Fleet' }, ...(i < MEMORIES ? { memoryRef: { name: `memory-${i}` } } : {}) },
});
const memory = (i: number) => ({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'Memory', metadata: { name: `memory-${i}`, namespace: NS }, spec: { eventExpiryDays: 30 } });
const list = (items: unknown[]) => items.map((item) => JSON.stringify(item)).join('\n---\n');

const kubectl = (args: string[], input?: string) => stack.kubectl(args, input);

async function objects(): Promise<Obj[]> {
  return (JSON.parse(await kubectl(['get', 'agentruntimes,memories', '-n', NS, '-o', 'json'])) as { items: Obj[] }).items;
}

async function allRuntimes(): Promise<AgentRuntime[]> {
  const found: AgentRuntime[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stack.aws.agentcore.send(new ListAgentRuntimesCommand({ nextToken, maxResults: 100 }));
    found.push(...(page.agentRuntimes ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

function operator(flags: string[] = []): RunningOperator {
  const started = startOperator({ kubeconfig: proxied, awsEndpoint: stack.emulator.url }, ['--concurrency', '16', ...flags]);
  operators.push(started);
  return started;
}

/**
 * Starts an operator, and each time AWS's runtime count meets the next condition, kills it with
 * SIGKILL and starts another; returns the runtime counts at the kills. `beforeStart(i)` runs before the
 * i-th operator starts (the last one has i = conditions.length), `afterKill(i)` after the i-th kill.
 */
async function killWhen(conditions: ((runtimes: number) => boolean)[], hooks: { beforeStart?(operator: number): Promise<unknown>; afterKill?(kill: number): Promise<unknown> } = {}): Promise<number[]> {
  await hooks.beforeStart?.(0);
  let current = operator(SLOW_AWS);
  const runtimesAtKills: number[] = [];
  for (const [i, condition] of conditions.entries()) {
    const count = await waitFor(async () => {
      if (current.child.exitCode !== null) throw new Error(`the operator exited with ${current.child.exitCode}: ${current.output().slice(-2000)}`);
      const n = (await allRuntimes()).length;
      return condition(n) ? { n } : undefined;
    }, { timeoutMs: 120_000, what: `the runtime count to meet kill condition ${i}`, intervalMs: 50 });
    await current.kill('SIGKILL');
    runtimesAtKills.push(count.n);
    await hooks.afterKill?.(i);
    await hooks.beforeStart?.(i + 1);
    current = operator(SLOW_AWS);
  }
  return runtimesAtKills;
}

/** AWS refuses runtimes beyond this many (ServiceQuotaExceeded); its own limit is 1000. */
const limitRuntimes = (limit: number) => stack.emulator.admin('PUT', 'config', { limits: { runtimesPerAccount: limit } });
const AWS_FAULTS = [
  { operation: '*', kind: 'throttle', rate: 0.04 },
  { operation: '*', kind: 'internal', rate: 0.03 },
  { operation: '*', kind: 'reset', rate: 0.03 },
  { operation: '*', kind: 'lost', rate: 0.03 },
];

const awsFaults = (on: boolean) => stack.emulator.admin('PUT', 'faults', { rules: on ? AWS_FAULTS : [], seed: 11 });

/** A runtime that, once deleted, stays DELETING in AWS for as long as `stuck`. */
const STUCK = `AgentRuntime/agent_${RUNTIMES - 1}`;

async function lease(): Promise<Lease> {
  return JSON.parse(await kubectl(['get', 'lease', 'reliability-test', '-n', NS, '-o', 'json'])) as Lease;
}

const msBetween = (from: string, to: string) => Date.parse(to) - Date.parse(from);

beforeAll(async () => {
  stack = await startStack([NS], [{ repository: 'fleet-agent', tag: '1' }]);
  if (!realCluster) ({ proxy, kubeconfig: proxied } = await stack.cluster.faultProxy());
  else proxied = stack.cluster.kubeconfig;
}, 60_000);

afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.kill('SIGKILL')));
});

afterAll(() => stack?.close());

(realCluster ? describe.skip : describeCluster)('with faults and SIGKILLs', () => {
  test('100 objects converge: one AWS resource each, the latest spec, nothing stuck; then all are deleted', async () => {
    proxy.faults.set([{ type: 'status', code: 409, verb: 'patch', subresource: 'status', probability: 0.25, message: 'injected conflict' }], 7);
    // AWS misbehaves too, on every operation: throttling, 500s, connections reset before a call and
    // answers lost after one took effect (which only an idempotent retry survives without a duplicate).
    await awsFaults(true);
    let dropped = 0;
    const dropper = setInterval(() => (dropped += proxy.dropWatches(Math.random() < 0.5)), 2000);
    try {
      await kubectl(['apply', '-f', '-'], list([...Array.from({ length: MEMORIES }, (_, i) => memory(i)), ...Array.from({ length: RUNTIMES }, (_, i) => runtime(i, 'v1'))]));
      // Edits while the operator comes and goes (applied right after the first kill): none may be lost.
      const edit = () => kubectl(['apply', '-f', '-'], list(Array.from({ length: 20 }, (_, i) => runtime(i * 4, 'v2'))));
      const killsAt = [10, 25, 40, 55];
      const runtimesAtKills = await killWhen(
        killsAt.map((at) => (n) => n >= at),
        { beforeStart: (i) => limitRuntimes(i < killsAt.length ? killsAt[i]! + 15 : 1000), afterKill: (kill) => (kill === 0 ? edit() : Promise.resolve()) },
      );
      // The trouble was real: every operator was killed halfway through the work, watches were cut, and writes were refused.
      expect(runtimesAtKills.every((n) => n > 0 && n < RUNTIMES)).toBe(true);
      expect(dropped).toBeGreaterThan(0);
      expect(operators.map((o) => o.output()).join('')).toContain('injected conflict');

      await waitFor(async () => {
        const all = await objects();
        return all.length === RUNTIMES + MEMORIES && all.every(ready);
      }, { timeoutMs: 180_000, what: 'all 100 objects to be Ready at their latest generation', intervalMs: 500 });

      // AWS's faults were met, on writes too: a lost answer is counted as a reset after the call took effect.
      const outcomes = Object.entries(await stack.emulator.admin<Record<string, Record<string, number>>>('GET', 'counters'));
      const seen = (operation: RegExp, outcome: string) => outcomes.some(([op, by]) => operation.test(op) && (by[outcome] ?? 0) > 0);
      expect([seen(/./, 'ThrottlingException'), seen(/./, 'InternalServerException'), seen(/:(Create|Update)/, 'reset')]).toEqual([true, true, true]);
      // The test's own reads are not retried: AWS behaves while it looks.
      await awsFaults(false);

      const runtimes = await allRuntimes();
      expect(runtimes).toHaveLength(RUNTIMES);
      expect(new Set(runtimes.map((r) => r.agentRuntimeName)).size).toBe(RUNTIMES);
      expect((await stack.aws.agentcore.send(new ListMemoriesCommand({ maxResults: 100 }))).memories).toHaveLength(MEMORIES);
      const byName = new Map(runtimes.map((r) => [r.agentRuntimeName, r.agentRuntimeId]));
      for (let i = 0; i < RUNTIMES; i += 1) {
        const got = await stack.aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: byName.get(`agent_${i}`) }));
        expect([i, got.description]).toEqual([i, i % 4 === 0 && i < 80 ? 'v2' : 'v1']);
      }

      await Promise.all(operators.map((o) => o.kill('SIGKILL')));
      await stack.emulator.admin('PUT', `behaviours/${STUCK}`, { stuck: true });
      await awsFaults(true);
      await kubectl(['delete', 'agentruntimes,memories', '--all', '-n', NS, '--wait=false']);
      const killsBelow = [60, 30];
      const runtimesAtDeletionKills = await killWhen(
        killsBelow.map((at) => (n) => n <= at),
        { beforeStart: (i) => (i === killsBelow.length ? stack.emulator.admin('DELETE', `behaviours/${STUCK}`) : Promise.resolve()) },
      );
      expect(runtimesAtDeletionKills.every((n) => n > 0 && n < RUNTIMES)).toBe(true);
      await waitFor(async () => (await objects()).length === 0, { timeoutMs: 180_000, what: 'every object to be gone (no finalizer left behind)', intervalMs: 500 });
      await awsFaults(false);
      expect(await allRuntimes()).toEqual([]);
      expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories).toEqual([]);
    } finally {
      clearInterval(dropper);
      proxy.faults.clear();
      await awsFaults(false);
      await limitRuntimes(1000);
      await stack.emulator.admin('DELETE', `behaviours/${STUCK}`);
    }
  }, 600_000);
});

describeCluster('two replicas with leader election', () => {
  test('only the leader reconciles; the other takes over once the lease has run out after the leader is killed', async () => {
    const first = operator(LEADER_FLAGS);
    await waitFor(() => first.output().includes('Became the leader'), { timeoutMs: 60_000, what: 'the first replica to lead' });
    const second = operator(LEADER_FLAGS);
    await waitFor(async () => (await fetch(`${await second.httpUrl()}/readyz`)).ok, { timeoutMs: 60_000, what: 'the second replica to sync its caches' });

    await kubectl(['apply', '-f', '-'], list([runtime(500, 'led')]));
    await waitFor(async () => (await objects()).some((o) => o.metadata.name === 'agent-500' && ready(o)), { timeoutMs: 60_000, what: 'the leader to reconcile' });
    const metricsOf = async (o: RunningOperator) => (await fetch(`${await o.httpUrl()}/metrics`)).text();
    const reconciles = (text: string) => [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const awsCalls = (text: string) => [...text.matchAll(/^agentcore_aws_calls_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const leader = await metricsOf(first);
    expect([reconciles(leader) > 0, awsCalls(leader) > 0]).toEqual([true, true]);
    const follower = await metricsOf(second);
    expect([reconciles(follower), awsCalls(follower)]).toEqual([0, 0]);
    expect(second.output()).not.toContain('Changed AWS');

    await first.kill('SIGKILL');
    // Its last renewal, or the one before when the last was still on its way to the apiserver.
    const killed = (await lease()).spec!;
    await waitFor(() => second.output().includes('Became the leader'), { timeoutMs: 60_000, what: 'the second replica to take over', intervalMs: 50 });
    const taken = (await lease()).spec!;
    expect(taken.holderIdentity).not.toBe(killed.holderIdentity);
    // The times the replicas wrote into the lease, whatever the test's own delays. The lease lasts 15 s
    // from when the follower first read that renewal, and it reads the lease every 2 to 4.4 s (retry
    // period 2 s, jitter 1.2): once to see the renewal, once more after the 15 s. Add a renewal period
    // for a renewal on its way, and a few seconds for the reads and the write.
    expect(msBetween(killed.renewTime!, taken.acquireTime!)).toBeLessThan(15_000 + 2 * 4_400 + 2_000 + 3_000);

    await kubectl(['apply', '-f', '-'], list([runtime(500, 'after the takeover')]));
    await waitFor(async () => {
      const o = (await objects()).find((x) => x.metadata.name === 'agent-500');
      return o && ready(o) && o.metadata.generation === 2;
    }, { timeoutMs: 60_000, what: 'the new leader to reconcile' });
    const id = (await allRuntimes()).find((r) => r.agentRuntimeName === 'agent_500')!.agentRuntimeId;
    expect((await stack.aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).description).toBe('after the takeover');

    // SIGTERM releases the lease: a third replica takes over at once, not after the lease runs out,
    // which would be 15 s after the second's last renewal at the earliest.
    const third = operator(LEADER_FLAGS);
    await waitFor(async () => (await fetch(`${await third.httpUrl()}/readyz`)).ok, { timeoutMs: 60_000, what: 'the third replica to sync its caches' });
    const renewed = (await lease()).spec!;
    expect(await second.kill('SIGTERM')).toBe(0);
    await waitFor(() => third.output().includes('Became the leader'), { timeoutMs: 60_000, what: 'the third replica to take over', intervalMs: 50 });
    expect(msBetween(renewed.renewTime!, (await lease()).spec!.acquireTime!)).toBeLessThan(15_000);

    // A leader that cannot renew its lease stops rather than risk two leaders.
    if (realCluster) return;
    proxy.faults.set([{ type: 'status', code: 500, resource: 'leases' }]);
    try {
      expect(await third.exited).toBe(1);
      expect(third.output()).toContain('lost the leader lease');
    } finally {
      proxy.faults.clear();
    }
  }, 240_000);
});

describeCluster('a leader frozen past its lease', () => {
  /** Short timings so the lease runs out in seconds: the others wait 4 s, the leader gives up after 3. */
  const TIMINGS = ['--leader-election-lease-duration', '4s', '--leader-election-renew-deadline', '3s', '--leader-election-retry-period', '1s'];
  const FROZEN_FLAGS = ['--leader-elect', '--leader-election-namespace', NS, '--leader-election-id', 'frozen-test', ...TIMINGS];

  test('wakes to find another replica leading, and sends AWS no write and the cluster no status', async () => {
    const frozen = operator(FROZEN_FLAGS);
    await kubectl(['apply', '-f', '-'], list([{ ...memory(900), spec: { eventExpiryDays: 30 } }]));
    const memoryId = (await waitFor(async () => {
      const o = await stack.get('memories', 'memory-900', NS);
      return ready(o) && o;
    }, { timeoutMs: 60_000, what: 'the leader to create the Memory' })).status!.memoryId as string;

    // The leader's next read of the Memory is held by AWS long enough for it to be frozen mid-reconcile.
    await stack.emulator.admin('DELETE', 'counters');
    await stack.emulator.admin('DELETE', 'requests');
    await stack.emulator.admin('PUT', 'faults', { rules: [{ operation: 'GetMemory', kind: 'latency', latencyMs: 2_000, rate: 1, count: 1 }] });
    await kubectl(['apply', '-f', '-'], list([{ ...memory(900), spec: { eventExpiryDays: 45 } }]));
    const requests = async () => (await stack.emulator.admin<{ requests: { path: string }[] }>('GET', 'requests')).requests;
    await waitFor(async () => (await requests()).some((r) => r.path === `/memories/${memoryId}/details`), { timeoutMs: 30_000, what: 'the leader to read the Memory after the edit', intervalMs: 20 });
    frozen.child.kill('SIGSTOP');

    // Another replica takes the lease the way any replica does: once it has seen it unrenewed for a lease duration.
    let taken!: () => void;
    const takenOver = new Promise<void>((resolve) => (taken = resolve));
    const other = new LeaderElector({
      client: kubeClient(loadKubeConfig({ kubeconfig: stack.cluster.kubeconfig })),
      namespace: NS,
      name: 'frozen-test',
      identity: 'the-other-replica',
      leaseDurationMs: 4_000,
      renewDeadlineMs: 3_000,
      retryPeriodMs: 1_000,
      onStartedLeading: taken,
      onStoppedLeading: () => undefined,
    });
    void other.run();
    try {
      await takenOver;
      frozen.child.kill('SIGCONT');
      expect(await frozen.exited).toBe(1);
    } finally {
      await other.stop();
      await stack.emulator.admin('DELETE', 'faults');
    }

    expect(frozen.output()).toContain('lost the leader lease');
    const sent = Object.keys(await stack.emulator.admin<Record<string, number>>('GET', 'counters')).map((key) => key.split(':')[1]!);
    expect(sent).toContain('GetMemory');
    expect(sent.filter((operation) => !isRead(operation))).toEqual([]);
    expect((await stack.aws.agentcore.send(new GetMemoryCommand({ memoryId }))).memory?.eventExpiryDuration).toBe(30);
    // The last status is the frozen leader's note that it had begun on generation 2, before it froze.
    const after = await stack.get('memories', 'memory-900', NS);
    expect(after.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', message: 'Reconciling generation 2' });
  }, 120_000);
});
