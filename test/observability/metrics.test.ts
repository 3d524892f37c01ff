import { describe, expect, test } from '@jest/globals';
import { startHealthServer } from '../../src/observability/health.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';

/** What a Prometheus scraper sees: every sample line, keyed by series (name plus labels). */
async function scrape(metrics: OperatorMetrics): Promise<Map<string, number>> {
  const server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics, healthy: () => true, ready: () => true });
  let text: string;
  try {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    text = await res.text();
  } finally {
    await server.close();
  }
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

function seriesNamed(samples: Map<string, number>, prefix: string): string[] {
  return [...samples.keys()].filter((k) => k.startsWith(prefix));
}

describe('reconcile metrics (controller-runtime names)', () => {
  test('results are counted under controller-runtime labels, errors and terminal errors separately', async () => {
    const m = new OperatorMetrics();
    m.reconcileFinished('agentruntime', 'success', 0.2);
    m.reconcileFinished('agentruntime', 'success', 0.4);
    m.reconcileFinished('agentruntime', 'requeue', 0.1);
    m.reconcileFinished('agentruntime', 'transient', 1.5);
    m.reconcileFinished('agentruntime', 'terminal', 0.05);
    const s = await scrape(m);
    expect(s.get('controller_runtime_reconcile_total{controller="agentruntime",result="success"}')).toBe(2);
    expect(s.get('controller_runtime_reconcile_total{controller="agentruntime",result="requeue_after"}')).toBe(1);
    expect(s.get('controller_runtime_reconcile_total{controller="agentruntime",result="error"}')).toBe(2);
    expect(s.get('controller_runtime_reconcile_total{controller="agentruntime",result="requeue"}')).toBe(0);
    expect(s.get('controller_runtime_reconcile_errors_total{controller="agentruntime"}')).toBe(2);
    expect(s.get('controller_runtime_terminal_reconcile_errors_total{controller="agentruntime"}')).toBe(1);
  });

  test('a controller that has only succeeded already shows zero errors, so alerts on rate() work from the first error', async () => {
    const m = new OperatorMetrics();
    m.reconcileFinished('memory', 'success', 0.01);
    m.setWorkers('gateway', 0, 4);
    const s = await scrape(m);
    expect(s.get('controller_runtime_reconcile_errors_total{controller="memory"}')).toBe(0);
    expect(s.get('controller_runtime_terminal_reconcile_errors_total{controller="memory"}')).toBe(0);
    expect(s.get('controller_runtime_reconcile_total{controller="gateway",result="error"}')).toBe(0);
  });

  test('reconcile time is a histogram with buckets, a count and a sum', async () => {
    const m = new OperatorMetrics();
    m.reconcileFinished('agentruntime', 'success', 0.2);
    m.reconcileFinished('agentruntime', 'success', 3);
    const s = await scrape(m);
    const buckets = seriesNamed(s, 'controller_runtime_reconcile_time_seconds_bucket{');
    expect(buckets.length).toBeGreaterThan(10);
    expect(s.get('controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="agentruntime"}')).toBe(0);
    expect(s.get('controller_runtime_reconcile_time_seconds_bucket{le="0.32",controller="agentruntime"}')).toBe(1);
    expect(s.get('controller_runtime_reconcile_time_seconds_bucket{le="+Inf",controller="agentruntime"}')).toBe(2);
    expect(s.get('controller_runtime_reconcile_time_seconds_count{controller="agentruntime"}')).toBe(2);
    expect(s.get('controller_runtime_reconcile_time_seconds_sum{controller="agentruntime"}')).toBeCloseTo(3.2);
  });

  test('workqueue and worker gauges show the latest value, counters the total', async () => {
    const m = new OperatorMetrics();
    m.queueAdded('agentruntime');
    m.queueAdded('agentruntime');
    m.queueAdded('agentruntime');
    m.queueRetried('agentruntime');
    m.setQueueDepth('agentruntime', 5);
    m.setQueueDepth('agentruntime', 2);
    m.setWorkers('agentruntime', 3, 4);
    const s = await scrape(m);
    expect(s.get('workqueue_adds_total{name="agentruntime"}')).toBe(3);
    expect(s.get('workqueue_retries_total{name="agentruntime"}')).toBe(1);
    expect(s.get('workqueue_depth{name="agentruntime"}')).toBe(2);
    expect(s.get('controller_runtime_active_workers{controller="agentruntime"}')).toBe(3);
    expect(s.get('controller_runtime_max_concurrent_reconciles{controller="agentruntime"}')).toBe(4);
  });
});

describe('AWS call metrics', () => {
  test('calls are counted by outcome and timed by operation', async () => {
    const m = new OperatorMetrics();
    m.awsCall('bedrock-agentcore-control', 'GetAgentRuntime', 'success', 0.08);
    m.awsCall('bedrock-agentcore-control', 'GetAgentRuntime', 'throttled', 0.5);
    m.awsCall('bedrock-agentcore-control', 'GetAgentRuntime', 'success', 0.02);
    m.awsCall('iam', 'GetRole', 'not_found', 0.03);
    const s = await scrape(m);
    expect(s.get('agentcore_aws_calls_total{service="bedrock-agentcore-control",operation="GetAgentRuntime",outcome="success"}')).toBe(2);
    expect(s.get('agentcore_aws_calls_total{service="bedrock-agentcore-control",operation="GetAgentRuntime",outcome="throttled"}')).toBe(1);
    expect(s.get('agentcore_aws_calls_total{service="iam",operation="GetRole",outcome="not_found"}')).toBe(1);
    expect(s.get('agentcore_aws_call_duration_seconds_count{service="bedrock-agentcore-control",operation="GetAgentRuntime"}')).toBe(3);
    expect(s.get('agentcore_aws_call_duration_seconds_bucket{le="0.02",service="bedrock-agentcore-control",operation="GetAgentRuntime"}')).toBe(1);
    expect(s.get('agentcore_aws_call_duration_seconds_bucket{le="+Inf",service="iam",operation="GetRole"}')).toBe(1);
  });
});

describe('object condition metrics (Flux-style)', () => {
  const series = (type: string, status: string) => `agentcore_condition{kind="AgentRuntime",namespace="agents",name="support-agent",type="${type}",status="${status}"}`;

  test('each tracked condition has one status at 1 and the other two at 0', async () => {
    const m = new OperatorMetrics();
    m.setObjectConditions('AgentRuntime', 'agents', 'support-agent', [
      { type: 'Ready', status: 'False' },
      { type: 'Reconciling', status: 'True' },
      { type: 'Synced', status: 'True' },
    ], false);
    const s = await scrape(m);
    expect([s.get(series('Ready', 'True')), s.get(series('Ready', 'False')), s.get(series('Ready', 'Unknown'))]).toEqual([0, 1, 0]);
    expect([s.get(series('Reconciling', 'True')), s.get(series('Reconciling', 'False')), s.get(series('Reconciling', 'Unknown'))]).toEqual([1, 0, 0]);
    // Stalled is absent: kstatus writes it only while True.
    expect([s.get(series('Stalled', 'True')), s.get(series('Stalled', 'False')), s.get(series('Stalled', 'Unknown'))]).toEqual([0, 1, 0]);
    expect(seriesNamed(s, 'agentcore_condition{')).toHaveLength(9);
    expect(s.get('agentcore_suspended{kind="AgentRuntime",namespace="agents",name="support-agent"}')).toBe(0);
  });

  test('an object not yet reconciled has Ready Unknown; a later update moves the 1', async () => {
    const m = new OperatorMetrics();
    m.setObjectConditions('AgentRuntime', 'agents', 'support-agent', [], true);
    let s = await scrape(m);
    expect(s.get(series('Ready', 'Unknown'))).toBe(1);
    expect(s.get(series('Ready', 'True'))).toBe(0);
    expect(s.get('agentcore_suspended{kind="AgentRuntime",namespace="agents",name="support-agent"}')).toBe(1);

    m.setObjectConditions('AgentRuntime', 'agents', 'support-agent', [{ type: 'Ready', status: 'True' }], false);
    s = await scrape(m);
    expect(s.get(series('Ready', 'Unknown'))).toBe(0);
    expect(s.get(series('Ready', 'True'))).toBe(1);
    expect(s.get('agentcore_suspended{kind="AgentRuntime",namespace="agents",name="support-agent"}')).toBe(0);
  });

  test('forgetObject removes every series of that object and leaves the others', async () => {
    const m = new OperatorMetrics();
    m.setObjectConditions('AgentRuntime', 'agents', 'support-agent', [{ type: 'Ready', status: 'True' }], false);
    m.setObjectConditions('Memory', 'agents', 'support-memory', [{ type: 'Ready', status: 'True' }], false);
    m.forgetObject('AgentRuntime', 'agents', 'support-agent');
    const s = await scrape(m);
    const left = [...seriesNamed(s, 'agentcore_condition{'), ...seriesNamed(s, 'agentcore_suspended{')];
    expect(left.filter((k) => k.includes('support-agent'))).toEqual([]);
    expect(left.filter((k) => k.includes('kind="Memory"'))).toHaveLength(10);
  });
});

describe('informer, leader and event metrics', () => {
  test('informer health is visible per resource', async () => {
    const m = new OperatorMetrics();
    m.informerSynced('agentruntimes', false);
    m.informerSynced('agentruntimes', true);
    m.informerSynced('memories', false);
    m.watchReconnected('agentruntimes');
    m.watchReconnected('agentruntimes');
    m.relisted('agentruntimes', 'expired');
    m.informerEvent('agentruntimes', 1_700_000_000_500);
    const s = await scrape(m);
    expect(s.get('agentcore_informer_synced{resource="agentruntimes"}')).toBe(1);
    expect(s.get('agentcore_informer_synced{resource="memories"}')).toBe(0);
    expect(s.get('agentcore_watch_reconnects_total{resource="agentruntimes"}')).toBe(2);
    expect(s.get('agentcore_relists_total{resource="agentruntimes",reason="expired"}')).toBe(1);
    expect(s.get('agentcore_informer_last_event_timestamp_seconds{resource="agentruntimes"}')).toBe(1_700_000_000.5);
  });

  test('leadership starts at 0 and follows setLeader; Events are counted by type and reason', async () => {
    const m = new OperatorMetrics();
    expect((await scrape(m)).get('agentcore_leader')).toBe(0);
    m.setLeader(true);
    m.eventEmitted('Normal', 'Created');
    m.eventEmitted('Warning', 'AWSFailed');
    m.eventEmitted('Warning', 'AWSFailed');
    const s = await scrape(m);
    expect(s.get('agentcore_leader')).toBe(1);
    expect(s.get('agentcore_events_total{type="Normal",reason="Created"}')).toBe(1);
    expect(s.get('agentcore_events_total{type="Warning",reason="AWSFailed"}')).toBe(2);
  });

  test('each instance has its own registry, so two never share or clash', async () => {
    const a = new OperatorMetrics();
    const b = new OperatorMetrics();
    a.eventEmitted('Normal', 'Created');
    expect(a.registry).not.toBe(b.registry);
    expect((await scrape(b)).get('agentcore_events_total{type="Normal",reason="Created"}')).toBeUndefined();
  });
});
