/**
 * Cluster mode under trouble: watches cut every couple of seconds, a quarter of the status writes
 * refused with 409, and the operator SIGKILLed and restarted again and again while 100 objects are
 * applied, edited and deleted. What must hold at the end is the state of the world: every object
 * Ready at its latest generation, exactly one AWS resource per object with the latest spec, and after
 * deletion no object left behind a finalizer and nothing left in AWS. Then two replicas with leader
 * election: only the leader acts, and the other takes over once the leader is killed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { GetAgentRuntimeCommand, ListAgentRuntimesCommand, ListMemoriesCommand, type AgentRuntime } from '@aws-sdk/client-bedrock-agentcore-control';
import { realCluster } from '../helpers/kube.js';
import { eventually, isReady as ready, startStack, type ObjectWithStatus as Obj, type RunningOperator, type Stack } from '../helpers/operator.js';

const NS = 'fleet';
const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/fleet-agent:1';
const RUNTIMES = 90;
const MEMORIES = 10;

let stack: Stack;
const operators: RunningOperator[] = [];

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
  const started = stack.startOperator(['--concurrency', '16', ...flags]);
  operators.push(started);
  return started;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills the operator with SIGKILL after each delay and starts a new one; returns the last one, still
 * running, and how many runtimes AWS had at each kill.
 */
async function killAndRestart(delaysMs: number[]): Promise<{ last: RunningOperator; runtimesAtKills: number[] }> {
  let current = operator();
  const runtimesAtKills: number[] = [];
  for (const delay of delaysMs) {
    await sleep(delay);
    await current.kill('SIGKILL');
    runtimesAtKills.push((await allRuntimes()).length);
    current = operator();
  }
  return { last: current, runtimesAtKills };
}

beforeAll(async () => {
  stack = await startStack([NS], [{ repository: 'fleet-agent', tag: '1' }]);
}, 60_000);

afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.kill('SIGKILL')));
});

afterAll(() => stack?.close());

(realCluster ? describe.skip : describe)('with faults and SIGKILLs', () => {
  test('100 objects converge: one AWS resource each, the latest spec, nothing stuck; then all are deleted', async () => {
    const server = stack.cluster.server!;
    server.faults.set([{ type: 'status', code: 409, verb: 'patch', subresource: 'status', probability: 0.25, message: 'injected conflict' }], 7);
    const dropper = setInterval(() => server.dropWatches(Math.random() < 0.5), 2000);
    try {
      await kubectl(['apply', '-f', '-'], list([...Array.from({ length: MEMORIES }, (_, i) => memory(i)), ...Array.from({ length: RUNTIMES }, (_, i) => runtime(i, 'v1'))]));
      const killing = killAndRestart([1200, 1100, 700, 1500]);
      // Edits while the operator comes and goes: none may be lost.
      await sleep(900);
      await kubectl(['apply', '-f', '-'], list(Array.from({ length: 20 }, (_, i) => runtime(i * 4, 'v2'))));
      const { runtimesAtKills } = await killing;
      // The trouble was real: some operator was killed halfway through the work, and writes were refused.
      expect(runtimesAtKills.some((n) => n > 0 && n < RUNTIMES)).toBe(true);
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

      await kubectl(['delete', 'agentruntimes,memories', '--all', '-n', NS, '--wait=false']);
      await killAndRestart([600, 900]);
      await eventually(async () => (await objects()).length === 0, 120_000, 'every object to be gone (no finalizer left behind)', 500);
      expect(await allRuntimes()).toEqual([]);
      expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories).toEqual([]);
    } finally {
      clearInterval(dropper);
      server.faults.clear();
    }
  }, 300_000);
});

describe('two replicas with leader election', () => {
  test('only the leader reconciles; the other takes over within the lease duration after the leader is killed', async () => {
    const first = operator(['--leader-elect', '--leader-election-namespace', 'default']);
    await eventually(() => first.output().includes('Became the leader'), 20_000, 'the first replica to lead');
    const second = operator(['--leader-elect', '--leader-election-namespace', 'default']);
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
    const third = operator(['--leader-elect', '--leader-election-namespace', 'default']);
    await eventually(async () => (await fetch(`${await third.httpUrl()}/readyz`)).ok, 20_000, 'the third replica to sync its caches');
    const stoppedAt = Date.now();
    expect(await second.kill('SIGTERM')).toBe(0);
    await eventually(() => third.output().includes('Became the leader'), 10_000, 'the third replica to take over', 50);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);

    // A leader that cannot renew its lease stops rather than risk two leaders.
    if (!stack.cluster.server) return;
    stack.cluster.server.faults.set([{ type: 'status', code: 500, resource: 'leases' }]);
    try {
      expect(await third.exited).toBe(1);
      expect(third.output()).toContain('lost the leader lease');
    } finally {
      stack.cluster.server.faults.clear();
    }
  }, 120_000);
});
