/**
 * Leader election against the real kube-apiserver: who holds the Lease is read back from the API. The
 * electors keep time on a clock of the test's, with the default timings (lease 15 s, renew deadline
 * 10 s, retry 2 s): the test moves it on to an elector's next attempt once every elector waits for one,
 * so no request is ever in flight while time passes, however slow the machine. The electors talk to
 * the apiserver through the fault proxy, which fails or holds back their lease requests when a test
 * says so; the test's own reads and writes go straight to the apiserver.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { createNamespace, describeCluster, realCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { ManualClock, waitFor } from '../helpers/wait.js';
import { kubeClient, loadKubeConfig, KubeApiError, type KubeClient } from '../../src/sources/kube/client.js';
import { LeaderElector, microTime, type Lease, type LeaderStatusEvent } from '../../src/sources/kube/leader.js';
import type { FaultProxy } from '../support/faultproxy/proxy.js';

const NS = 'leader-election';
const LEASE_MS = 15_000;
const RENEW_MS = 10_000;
const RETRY_MS = 2_000;

interface Candidate {
  identity: string;
  elector: LeaderElector;
  run: Promise<void>;
  started: number;
  stopped: number;
  events: LeaderStatusEvent[];
  /** run() has resolved. */
  ended: boolean;
  /** When, on the clock, it last started and stopped leading. */
  startedAt: number;
  stoppedAt: number;
  /** Where its last start of leading falls in the order of things (see `happened`). */
  startedTurn: number;
  /** Its requests that got an answer from the apiserver: method, code and the turn it was sent in. */
  answered: Answered[];
}

interface Answered {
  method: string;
  code: number;
  sentTurn: number;
}

let cluster: TestCluster;
let admin: KubeClient;
/** In front of the apiserver for the electors; absent against KUBECONFIG's cluster, where the fault tests are skipped. */
let proxy: FaultProxy | undefined;
let electorKubeconfig: string;
let clients: KubeClient[] = [];
let candidates: Candidate[] = [];
let leaseCount = 0;
/** The electors' clock, a new one per test. */
let clock: ManualClock;
/** Counts what happens (a request sent, leading started), to tell what came first. */
let happened = 0;

const faultTest = realCluster ? it.skip : it;

function leasePath(name: string): string {
  return `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${name}`;
}

function newLeaseName(): string {
  leaseCount += 1;
  return `operator-leader-${leaseCount}`;
}

async function readLease(name: string): Promise<Lease | undefined> {
  try {
    return await admin.request<Lease>('GET', leasePath(name));
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 404) return undefined;
    throw error;
  }
}

async function holderOf(name: string): Promise<string | undefined> {
  return (await readLease(name))?.spec?.holderIdentity;
}

/** An elector on a client of its own, as a separate replica would have; run() is started at once. */
function candidate(lease: string, identity: string): Candidate {
  const client = kubeClient(loadKubeConfig({ kubeconfig: electorKubeconfig }));
  clients.push(client);
  const state = { identity, started: 0, startedAt: 0, startedTurn: 0, stopped: 0, stoppedAt: 0, events: [] as LeaderStatusEvent[], ended: false, answered: [] as Answered[] };
  // Every answer the elector gets is logged, so a test can wait until it has looked at the lease.
  const logged: KubeClient = {
    ...client,
    request: async <T>(method: string, path: string, options?: Parameters<KubeClient['request']>[2]) => {
      const sentTurn = ++happened;
      try {
        const answer = await client.request<T>(method, path, options);
        state.answered.push({ method, code: 200, sentTurn });
        return answer;
      } catch (error) {
        if (error instanceof KubeApiError) state.answered.push({ method, code: error.code, sentTurn });
        throw error;
      }
    },
  };
  const elector = new LeaderElector({
    client: logged,
    namespace: NS,
    name: lease,
    identity,
    leaseDurationMs: LEASE_MS,
    renewDeadlineMs: RENEW_MS,
    retryPeriodMs: RETRY_MS,
    clock,
    onStartedLeading: () => {
      state.started += 1;
      state.startedAt = clock.now();
      state.startedTurn = ++happened;
    },
    onStoppedLeading: () => {
      state.stopped += 1;
      state.stoppedAt = clock.now();
    },
    onStatus: (event) => state.events.push(event),
  });
  const run = elector.run().then(() => {
    state.ended = true;
  });
  const c = Object.assign(state, { elector, run });
  candidates.push(c);
  return c;
}

/** Waits until every running elector waits on the clock for its next attempt: none has a request in flight. */
function settled(): Promise<unknown> {
  return waitFor(() => clock.pending === candidates.filter((c) => !c.ended).length, { what: 'every elector to wait for its next attempt' });
}

/** Moves the clock on from one attempt to the next until `check` holds, checked whenever the electors have settled. */
async function runUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const start = clock.now();
  for (;;) {
    await settled();
    if (await check()) return;
    if (clock.now() - start > 4 * LEASE_MS || !clock.next()) throw new Error(`not so after ${clock.now() - start} ms on the electors' clock: ${what}`);
  }
}

/** Moves the clock on by `ms`, from one attempt to the next, checking `check` whenever the electors have settled. */
async function runFor(ms: number, check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const start = clock.now();
  const end = start + ms;
  for (;;) {
    await settled();
    if (!(await check())) throw new Error(`no longer so after ${clock.now() - start} ms on the electors' clock: ${what}`);
    const next = clock.nextAt();
    if (next === undefined || next > end) return clock.advance(end - clock.now());
    clock.next();
  }
}

/** Writes another holder into the lease, as a replica with a newer term would. */
async function seize(name: string, holderIdentity: string): Promise<void> {
  for (;;) {
    const current = (await readLease(name))!;
    try {
      await admin.request('PUT', leasePath(name), { body: { ...current, spec: { ...current.spec, holderIdentity } } });
      return;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.code === 409)) throw error;
    }
  }
}

async function createLease(name: string, spec: Lease['spec']): Promise<Lease> {
  return admin.request<Lease>('POST', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, {
    body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NS }, spec },
  });
}

describeCluster('leader election on a Lease', () => {
  beforeAll(async () => {
    cluster = await startTestCluster();
    await createNamespace(cluster, NS);
    admin = kubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
    if (realCluster) electorKubeconfig = cluster.kubeconfig;
    else ({ proxy, kubeconfig: electorKubeconfig } = await cluster.faultProxy());
  }, 60_000);

  beforeEach(() => {
    clock = new ManualClock();
  });

  afterEach(async () => {
    proxy?.faults.clear();
    await Promise.all(candidates.map((c) => c.elector.stop()));
    for (const client of clients) client.close();
    candidates = [];
    clients = [];
  });

  afterAll(async () => {
    admin?.close();
    // The test control plane's close deletes the namespace; against KUBECONFIG's cluster, so does this.
    await cluster?.kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
    await cluster?.close();
  });

  it('elects one candidate, keeps the other waiting while it renews, and hands over at once on stop()', async () => {
    const lease = newLeaseName();
    const a = candidate(lease, 'replica-a');
    await runUntil(() => a.started === 1, 'a to lead');
    expect(a.elector.isLeader()).toBe(true);
    expect(await holderOf(lease)).toBe('replica-a');
    const first = (await readLease(lease))!.spec!;
    expect(first.leaseTransitions).toBe(0);
    expect(first.leaseDurationSeconds).toBe(LEASE_MS / 1000);
    expect(first.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const b = candidate(lease, 'replica-b');
    await runFor(2 * LEASE_MS, async () => b.started === 0 && !b.elector.isLeader() && (await holderOf(lease)) === 'replica-a', 'a holds the lease, b waits');
    const renewed = (await readLease(lease))!.spec!;
    expect(renewed.renewTime).not.toBe(first.renewTime);
    expect(renewed.acquireTime).toBe(first.acquireTime);
    // once every retry period
    expect(a.events.filter((e) => e.type === 'renewed').length).toBeGreaterThanOrEqual((2 * LEASE_MS) / RETRY_MS - 1);

    const stoppedAt = clock.now();
    await a.elector.stop();
    expect(a.ended).toBe(true);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.stopped).toBe(0);
    expect(a.events.at(-1)?.type).toBe('released');
    await runUntil(() => b.started === 1, 'b to lead');
    // sooner than the lease duration: b took the released lease rather than waiting for it to expire
    expect(b.startedAt - stoppedAt).toBeLessThan(LEASE_MS);
    const taken = (await readLease(lease))!.spec!;
    expect(taken.holderIdentity).toBe('replica-b');
    expect(taken.leaseTransitions).toBe(1);
    expect(taken.acquireTime).not.toBe(first.acquireTime);
  });

  it('releases the lease on stop(): holder cleared, duration 1 s, acquireTime kept', async () => {
    const lease = newLeaseName();
    const a = candidate(lease, 'replica-a');
    await runUntil(() => a.started === 1, 'a to lead');
    const held = (await readLease(lease))!.spec!;
    await a.elector.stop();
    const released = (await readLease(lease))!.spec!;
    expect(released.holderIdentity).toBe('');
    expect(released.leaseDurationSeconds).toBe(1);
    expect(released.acquireTime).toBe(held.acquireTime);
    expect(released.leaseTransitions).toBe(held.leaseTransitions);
  });

  it('stop() before leading leaves the lease alone and ends run()', async () => {
    const lease = newLeaseName();
    await createLease(lease, { holderIdentity: 'someone-else', leaseDurationSeconds: LEASE_MS / 1000, renewTime: microTime(Date.now()), leaseTransitions: 3 });
    const b = candidate(lease, 'replica-b');
    // it read the lease held by another, waited a retry period and read it again
    await runUntil(() => b.answered.filter((a) => a.method === 'GET' && a.code === 200).length >= 2, 'b to have read the lease twice');
    await b.elector.stop();
    expect(b.ended).toBe(true);
    expect(b.started + b.stopped).toBe(0);
    expect((await readLease(lease))!.spec).toMatchObject({ holderIdentity: 'someone-else', leaseTransitions: 3 });
  });

  it.each([
    ['a recent renewTime', 0],
    ['a renewTime an hour old (its clock was behind)', -3_600_000],
  ])('takes a dead holder’s lease with %s only after a lease duration on its own clock', async (_what, skewMs) => {
    const lease = newLeaseName();
    await createLease(lease, {
      holderIdentity: 'dead-replica',
      leaseDurationSeconds: LEASE_MS / 1000,
      acquireTime: microTime(Date.now() + skewMs - 60_000),
      renewTime: microTime(Date.now() + skewMs),
      leaseTransitions: 4,
    });
    // b first reads the lease now: no time passes on the clock while a request is in flight
    const firstSeenAt = clock.now();
    const b = candidate(lease, 'replica-b');
    await runFor(LEASE_MS - 1, async () => b.started === 0 && (await holderOf(lease)) === 'dead-replica', 'the dead holder keeps the lease');
    await runUntil(() => b.started === 1, 'b to lead');
    expect(b.startedAt - firstSeenAt).toBeGreaterThanOrEqual(LEASE_MS);
    const taken = (await readLease(lease))!.spec!;
    expect(taken.holderIdentity).toBe('replica-b');
    expect(taken.leaseTransitions).toBe(5);
    expect(Date.parse(taken.acquireTime!)).toBeGreaterThan(Date.now() - 60_000);
  });

  faultTest('steps down when renewals fail for longer than the renew deadline', async () => {
    const lease = newLeaseName();
    const a = candidate(lease, 'replica-a');
    await runUntil(() => a.started === 1, 'a to lead');
    const failingSince = clock.now();
    proxy!.faults.set([{ type: 'status', code: 500, verb: 'update', resource: 'leases' }]);
    await runUntil(() => a.ended, 'run() to resolve');
    expect(a.stopped).toBe(1);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events.some((e) => e.type === 'error')).toBe(true);
    expect(a.events.at(-1)?.type).toBe('lost');
    // it kept trying for the renew deadline, and gave up before the others could take the lease
    expect(a.stoppedAt - failingSince).toBeGreaterThanOrEqual(RENEW_MS);
    expect(a.stoppedAt - failingSince).toBeLessThan(LEASE_MS);
  });

  faultTest('rides out renewal failures shorter than the renew deadline', async () => {
    const lease = newLeaseName();
    const a = candidate(lease, 'replica-a');
    await runUntil(() => a.started === 1, 'a to lead');
    proxy!.faults.set([{ type: 'status', code: 500, verb: 'update', resource: 'leases', times: 3 }]);
    await runFor(2 * LEASE_MS, () => a.elector.isLeader() && !a.ended, 'a leads');
    expect(a.stopped).toBe(0);
    expect(a.events.some((e) => e.type === 'error')).toBe(true);
    expect(a.events.at(-1)?.type).toBe('renewed');
    expect(await holderOf(lease)).toBe('replica-a');
  });

  it('a leader frozen past its renew deadline no longer holds the lease on its own clock, before its renew loop has run', async () => {
    const lease = newLeaseName();
    const a = candidate(lease, 'replica-a');
    await runUntil(() => a.started === 1, 'a to lead');
    expect(a.elector.holdsLease()).toBe(true);
    // Time passes at once, as for a process stopped and resumed: the renew loop has had no turn yet.
    clock.advance(RENEW_MS);
    expect([a.elector.isLeader(), a.elector.holdsLease()]).toEqual([true, false]);
  });

  it('steps down at once when another holder took the lease', async () => {
    const lease = newLeaseName();
    const a = candidate(lease, 'replica-a');
    await runUntil(() => a.started === 1, 'a to lead');
    const seizedAt = clock.now();
    await seize(lease, 'usurper');
    await runUntil(() => a.ended, 'run() to resolve');
    // at its next renewal, without waiting for the renew deadline
    expect(a.stoppedAt - seizedAt).toBeLessThanOrEqual(RETRY_MS);
    expect(a.stopped).toBe(1);
    expect(a.events.at(-1)).toMatchObject({ type: 'lost', holder: 'usurper' });
    expect(await holderOf(lease)).toBe('usurper');
  });

  it.each([
    ['creating the absent lease', undefined],
    ['taking the released lease', { holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(Date.now()), leaseTransitions: 2 }],
  ])('elects exactly one of candidates racing at %s', async (_what, spec) => {
    const lease = newLeaseName();
    if (spec) await createLease(lease, spec);
    // every candidate reads the same lease before any of them writes it
    proxy?.faults.set([{ type: 'latency', ms: 150, verb: 'get', resource: 'leases', times: 4 }]);
    const racers = ['racer-1', 'racer-2', 'racer-3', 'racer-4'].map((identity) => candidate(lease, identity));
    await runUntil(() => racers.some((r) => r.started > 0), 'one to lead');
    // every other one has read the lease since the winner wrote it, and found the winner in it
    const winner = racers.find((r) => r.started > 0)!;
    const losers = racers.filter((r) => r !== winner);
    await runUntil(() => losers.every((r) => r.answered.some((a) => a.method === 'GET' && a.code === 200 && a.sentTurn > winner.startedTurn)), 'every other racer to read the lease after the race');
    const leaders = racers.filter((r) => r.started > 0);
    expect(leaders.map((r) => r.started)).toEqual([1]);
    expect(racers.filter((r) => r.elector.isLeader()).map((r) => r.identity)).toEqual([leaders[0]!.identity]);
    const held = (await readLease(lease))!.spec!;
    expect(held.holderIdentity).toBe(leaders[0]!.identity);
    expect(held.leaseTransitions).toBe(spec ? 3 : 0);
  });

  faultTest('stop() resolves even when the release is refused', async () => {
    const lease = newLeaseName();
    const a = candidate(lease, 'replica-a');
    await runUntil(() => a.started === 1, 'a to lead');
    proxy!.faults.set([{ type: 'status', code: 500, verb: 'update', resource: 'leases' }]);
    await expect(a.elector.stop()).resolves.toBeUndefined();
    expect(a.ended).toBe(true);
    expect(a.stopped).toBe(0);
    expect(a.events.at(-1)?.type).toBe('error');
  });
});
