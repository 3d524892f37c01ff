/**
 * Prometheus metrics for cluster mode. Reconcile and workqueue series keep controller-runtime's names
 * and labels, so dashboards and alerts written for Go operators work unchanged; the agentcore_* series
 * cover what is ours: AWS calls, per-object kstatus conditions, informers, leadership and Events.
 */
import { Counter, Gauge, Histogram, Registry, exponentialBuckets, type GaugeConfiguration, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** How a reconcile ended, as the engine sees it. */
export type ReconcileResult = 'success' | 'requeue' | 'transient' | 'terminal';

type ReconcileLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

const RESULT_LABEL: Record<ReconcileResult, ReconcileLabel> = {
  success: 'success',
  requeue: 'requeue_after',
  transient: 'error',
  terminal: 'error',
};
const RESULT_LABELS: readonly ReconcileLabel[] = ['success', 'error', 'requeue', 'requeue_after'];

const CONDITION_TYPES = ['Ready', 'Reconciling', 'Stalled'] as const;
type TrackedCondition = (typeof CONDITION_TYPES)[number];
const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/** kstatus: Reconciling and Stalled are written only while True; Ready is always written once reconciled. */
const STATUS_WHEN_ABSENT: Record<TrackedCondition, ConditionStatus> = {
  Ready: 'Unknown',
  Reconciling: 'False',
  Stalled: 'False',
};

/** What the per-object series say of one object: its three tracked conditions and whether it is suspended. */
interface ObjectSeries {
  kind: string;
  namespace: string;
  name: string;
  conditions: Record<TrackedCondition, ConditionStatus>;
  suspended: boolean;
}

/**
 * A gauge whose series are made when scraped, from state kept elsewhere: prom-client's own store
 * costs about 1 KiB a series, and the condition gauge has nine series for each of thousands of objects.
 */
class ScrapedGauge<T extends string> extends Gauge<T> {
  constructor(
    config: GaugeConfiguration<T>,
    private readonly series: () => MetricValue<T>[],
  ) {
    super(config);
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    return { ...(await super.get()), values: this.series() };
  }
}

export class OperatorMetrics {
  readonly registry: Registry;

  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly terminalErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly activeWorkers: Gauge<'controller'>;
  private readonly maxWorkers: Gauge<'controller'>;
  private readonly queueDepth: Gauge<'name'>;
  private readonly queueAdds: Counter<'name'>;
  private readonly queueRetries: Counter<'name'>;
  private readonly awsCalls: Counter<'service' | 'operation' | 'outcome'>;
  private readonly awsDuration: Histogram<'service' | 'operation'>;
  private readonly objects = new Map<string, ObjectSeries>();
  private readonly synced: Gauge<'resource'>;
  private readonly reconnects: Counter<'resource'>;
  private readonly relists: Counter<'resource' | 'reason'>;
  private readonly lastEvent: Gauge<'resource'>;
  private readonly leader: Gauge;
  private readonly events: Counter<'type' | 'reason'>;
  private readonly knownControllers = new Set<string>();

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];

    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller.', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller.', labelNames: ['controller'], registers });
    this.terminalErrors = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller.', labelNames: ['controller'], registers });
    // Reconciles wait on AWS, so the tail reaches tens of seconds: 5 ms doubling to about 82 s.
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller.', labelNames: ['controller'], buckets: exponentialBuckets(0.005, 2, 15), registers });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of workers currently reconciling per controller.', labelNames: ['controller'], registers });
    this.maxWorkers = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller.', labelNames: ['controller'], registers });

    this.queueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of the workqueue.', labelNames: ['name'], registers });
    this.queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by the workqueue.', labelNames: ['name'], registers });
    this.queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by the workqueue.', labelNames: ['name'], registers });

    this.awsCalls = new Counter({ name: 'agentcore_aws_calls_total', help: 'AWS API calls by service, operation and outcome.', labelNames: ['service', 'operation', 'outcome'], registers });
    this.awsDuration = new Histogram({ name: 'agentcore_aws_call_duration_seconds', help: 'Duration of AWS API calls, retries included.', labelNames: ['service', 'operation'], buckets: exponentialBuckets(0.01, 2, 12), registers });

    new ScrapedGauge({ name: 'agentcore_condition', help: 'Current status of the Ready, Reconciling and Stalled conditions of each object (1 for the current status).', labelNames: ['kind', 'namespace', 'name', 'type', 'status'], registers }, () =>
      [...this.objects.values()].flatMap(({ kind, namespace, name, conditions }) =>
        CONDITION_TYPES.flatMap((type) => CONDITION_STATUSES.map((status) => ({ labels: { kind, namespace, name, type, status }, value: conditions[type] === status ? 1 : 0 }))),
      ),
    );
    new ScrapedGauge({ name: 'agentcore_suspended', help: 'Whether reconciliation of the object is suspended (spec.suspend).', labelNames: ['kind', 'namespace', 'name'], registers }, () =>
      [...this.objects.values()].map(({ kind, namespace, name, suspended }) => ({ labels: { kind, namespace, name }, value: suspended ? 1 : 0 })),
    );

    this.synced = new Gauge({ name: 'agentcore_informer_synced', help: 'Whether the informer has completed its initial list.', labelNames: ['resource'], registers });
    this.reconnects = new Counter({ name: 'agentcore_watch_reconnects_total', help: 'Watch connections re-established per resource.', labelNames: ['resource'], registers });
    this.relists = new Counter({ name: 'agentcore_relists_total', help: 'Full relists per resource and reason.', labelNames: ['resource', 'reason'], registers });
    this.lastEvent = new Gauge({ name: 'agentcore_informer_last_event_timestamp_seconds', help: 'Unix time of the last watch event per resource.', labelNames: ['resource'], registers });

    this.leader = new Gauge({ name: 'agentcore_leader', help: 'Whether this replica holds the leader lease.', registers });
    this.events = new Counter({ name: 'agentcore_events_total', help: 'Kubernetes Events emitted by type and reason.', labelNames: ['type', 'reason'], registers });
  }

  reconcileFinished(controller: string, result: ReconcileResult, seconds: number): void {
    this.initController(controller);
    this.reconcileTotal.inc({ controller, result: RESULT_LABEL[result] });
    if (result === 'transient' || result === 'terminal') this.reconcileErrors.inc({ controller });
    if (result === 'terminal') this.terminalErrors.inc({ controller });
    this.reconcileTime.observe({ controller }, seconds);
  }

  setQueueDepth(name: string, depth: number): void {
    this.queueDepth.set({ name }, depth);
  }

  queueAdded(name: string): void {
    this.queueAdds.inc({ name });
  }

  queueRetried(name: string): void {
    this.queueRetries.inc({ name });
  }

  setWorkers(controller: string, active: number, max: number): void {
    this.initController(controller);
    this.activeWorkers.set({ controller }, active);
    this.maxWorkers.set({ controller }, max);
  }

  awsCall(service: string, operation: string, outcome: string, seconds: number): void {
    this.awsCalls.inc({ service, operation, outcome });
    this.awsDuration.observe({ service, operation }, seconds);
  }

  setObjectConditions(kind: string, namespace: string, name: string, conditions: readonly { type: string; status: string }[], suspended: boolean): void {
    const tracked = {} as Record<TrackedCondition, ConditionStatus>;
    for (const type of CONDITION_TYPES) tracked[type] = statusOf(conditions.find((c) => c.type === type)?.status, STATUS_WHEN_ABSENT[type]);
    this.objects.set(objectKey(kind, namespace, name), { kind, namespace, name, conditions: tracked, suspended });
  }

  forgetObject(kind: string, namespace: string, name: string): void {
    this.objects.delete(objectKey(kind, namespace, name));
  }

  informerSynced(resource: string, synced: boolean): void {
    this.synced.set({ resource }, synced ? 1 : 0);
  }

  watchReconnected(resource: string): void {
    this.reconnects.inc({ resource });
  }

  relisted(resource: string, reason: string): void {
    this.relists.inc({ resource, reason });
  }

  informerEvent(resource: string, atMs: number): void {
    this.lastEvent.set({ resource }, atMs / 1000);
  }

  setLeader(leader: boolean): void {
    this.leader.set(leader ? 1 : 0);
  }

  eventEmitted(type: string, reason: string): void {
    this.events.inc({ type, reason });
  }

  /** Zero series from a controller's first appearance, so rate() and increase() see its first error. */
  private initController(controller: string): void {
    if (this.knownControllers.has(controller)) return;
    this.knownControllers.add(controller);
    for (const result of RESULT_LABELS) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalErrors.inc({ controller }, 0);
  }
}

function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function statusOf(status: string | undefined, absent: ConditionStatus): ConditionStatus {
  if (status === undefined) return absent;
  return (CONDITION_STATUSES as readonly string[]).includes(status) ? (status as ConditionStatus) : 'Unknown';
}
