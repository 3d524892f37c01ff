/**
 * Cluster mode under trouble: watches cut every couple of seconds, a quarter of the status writes
 * refused with 409 (both by the fault proxy in front of the real apiserver), and the operator SIGKILLed
 * and restarted again and again while 100 objects are applied, edited and deleted. The kills land
 * mid-work by construction: AWS writes are held to a few a second, and each kill waits until AWS holds
 * a given number of runtimes. What must hold at the end is the state of the world: every object
 * Ready at its latest generation, exactly one AWS resource per object with the latest spec, and after
 * deletion no object left behind a finalizer and nothing left in AWS. Then two replicas with leader
 * election: only the leader acts, and the other takes over once the leader is killed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { GetAgentRuntimeCommand, ListAgentRuntimesCommand, ListMemoriesCommand, type AgentRuntime } from '@aws-sdk/client-bedrock-agentcore-control';
import { describeCluster, realCluster } from '../helpers/kube.js';
import { eventually, isReady as ready, startOperator, startStack, type ObjectWithStatus as Obj, type RunningOperator, type Stack } from '../helpers/operator.js';
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
 * SIGKILL and starts another (after `afterKill`, if given); returns the runtime counts at the kills.
 */
async function killWhen(conditions: ((runtimes: number) => boolean)[], afterKill?: (kill: number) => Promise<unknown>): Promise<number[]> {
  let current = operator(SLOW_AWS);
  const runtimesAtKills: number[] = [];
  for (const [i, condition] of conditions.entries()) {
    const count = await eventually(async () => {
      const n = (await allRuntimes()).length;
      return condition(n) ? { n } : undefined;
    }, 60_000, `the runtime count to meet kill condition ${i}`, 50);
    await current.kill('SIGKILL');
    runtimesAtKills.push(count.n);
    await afterKill?.(i);
    current = operator(SLOW_AWS);
  }
  return runtimesAtKills;
}

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
    let dropped = 0;
    const dropper = setInterval(() => (dropped += proxy.dropWatches(Math.random() < 0.5)), 2000);
    try {
      await kubectl(['apply', '-f', '-'], list([...Array.from({ length: MEMORIES }, (_, i) => memory(i)), ...Array.from({ length: RUNTIMES }, (_, i) => runtime(i, 'v1'))]));
      // Edits while the operator comes and goes (applied right after the first kill): none may be lost.
      const edit = () => kubectl(['apply', '-f', '-'], list(Array.from({ length: 20 }, (_, i) => runtime(i * 4, 'v2'))));
      const runtimesAtKills = await killWhen([10, 25, 40, 55].map((at) => (n) => n >= at), (kill) => (kill === 0 ? edit() : Promise.resolve()));
      // The trouble was real: every operator was killed halfway through the work, watches were cut, and writes were refused.
      expect(runtimesAtKills.every((n) => n > 0 && n < RUNTIMES)).toBe(true);
      expect(dropped).toBeGreaterThan(0);
      expect(operators.map((o) => o.output()).join('')).toContain('injected conflict');

      await eventually(async () => {
        const all = await objects();
        return all.length === RUNTIMES + MEMORIES && all.every(ready);
      }, 120_000, 'all 100 objects to be Ready at their latest generation', 500);

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
      await kubectl(['delete', 'agentruntimes,memories', '--all', '-n', NS, '--wait=false']);
      const runtimesAtDeletionKills = await killWhen([60, 30].map((at) => (n) => n <= at));
      expect(runtimesAtDeletionKills.every((n) => n > 0 && n < RUNTIMES)).toBe(true);
      await eventually(async () => (await objects()).length === 0, 120_000, 'every object to be gone (no finalizer left behind)', 500);
      expect(await allRuntimes()).toEqual([]);
      expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories).toEqual([]);
    } finally {
      clearInterval(dropper);
      proxy.faults.clear();
    }
  }, 300_000);
});

describeCluster('two replicas with leader election', () => {
  test('only the leader reconciles; the other takes over within the lease duration after the leader is killed', async () => {
    const first = operator(LEADER_FLAGS);
    await eventually(() => first.output().includes('Became the leader'), 20_000, 'the first replica to lead');
    const second = operator(LEADER_FLAGS);
    await eventually(async () => (await fetch(`${await second.httpUrl()}/readyz`)).ok, 20_000, 'the second replica to sync its caches');

    await kubectl(['apply', '-f', '-'], list([runtime(500, 'led')]));
    await eventually(async () => (await objects()).some((o) => o.metadata.name === 'agent-500' && ready(o)), 30_000, 'the leader to reconcile');
    const metricsOf = async (o: RunningOperator) => (await fetch(`${await o.httpUrl()}/metrics`)).text();
    const reconciles = (text: string) => [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const awsCalls = (text: string) => [...text.matchAll(/^agentcore_aws_calls_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const leader = await metricsOf(first);
    expect([reconciles(leader) > 0, awsCalls(leader) > 0]).toEqual([true, true]);
    const follower = await metricsOf(second);
    expect([reconciles(follower), awsCalls(follower)]).toEqual([0, 0]);
    expect(second.output()).not.toContain('Changed AWS');

    await first.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually(() => second.output().includes('Became the leader'), 25_000, 'the second replica to take over', 50);
    // The lease lasts 15 s; the first retry after it runs out comes within 2.2 retry periods (2 s each).
    expect(Date.now() - killedAt).toBeLessThan(15_000 + 4_400 + 1_000);

    await kubectl(['apply', '-f', '-'], list([runtime(500, 'after the takeover')]));
    await eventually(async () => {
      const o = (await objects()).find((x) => x.metadata.name === 'agent-500');
      return o && ready(o) && o.metadata.generation === 2;
    }, 30_000, 'the new leader to reconcile');
    const id = (await allRuntimes()).find((r) => r.agentRuntimeName === 'agent_500')!.agentRuntimeId;
    expect((await stack.aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).description).toBe('after the takeover');

    // SIGTERM releases the lease: a third replica takes over at once, not after the lease runs out.
    const third = operator(LEADER_FLAGS);
    await eventually(async () => (await fetch(`${await third.httpUrl()}/readyz`)).ok, 20_000, 'the third replica to sync its caches');
    const stoppedAt = Date.now();
    expect(await second.kill('SIGTERM')).toBe(0);
    await eventually(() => third.output().includes('Became the leader'), 10_000, 'the third replica to take over', 50);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);

    // A leader that cannot renew its lease stops rather than risk two leaders.
    if (realCluster) return;
    proxy.faults.set([{ type: 'status', code: 500, resource: 'leases' }]);
    try {
      expect(await third.exited).toBe(1);
      expect(third.output()).toContain('lost the leader lease');
    } finally {
      proxy.faults.clear();
    }
  }, 120_000);
});
