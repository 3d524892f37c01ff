import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { collectDefaultMetrics } from 'prom-client';
import { awsClients } from '../../aws/clients.js';
import { API_CLASSES, clientRates } from '../../aws/api-classes.js';
import { RateLimiter } from '../../engine/rate-limiter.js';
import { createLogger, type LogFormat } from '../../observability/log.js';
import { OperatorMetrics } from '../../observability/metrics.js';
import { startHealthServer } from '../../observability/health.js';
import { metricsServingOf, type MetricsServingOptions } from '../metrics-serving.js';
import { RECONCILERS } from '../../reconcilers/index.js';
import { settingsForResync } from '../../reconcilers/kind.js';
import { settingsOf, withOperatorSettings, type OperatorSettingOptions } from '../operator-settings.js';
import { kubeClient, type KubeClient } from '../../sources/kube/client.js';
import { DigestKeyError, installationDigestKey } from '../../sources/kube/digest-key.js';
import { KubeConfigError, loadKubeConfig, type KubeConfig } from '../../sources/kube/kubeconfig.js';
import { leaseTimingProblem } from '../../sources/kube/leader.js';
import { Operator } from '../../sources/kube/operator.js';
import { awsOptionsOf, withAwsOptions, type AwsCliOptions } from '../aws-options.js';
import type { CliIO } from '../io.js';
import { parseDurationFlags } from '../duration.js';
import { parseRates } from '../rates.js';
import { tuneGarbageCollector } from '../gc.js';

interface RunCommandOptions extends AwsCliOptions, OperatorSettingOptions, MetricsServingOptions {
  kubeconfig?: string;
  context?: string;
  namespaces?: string;
  labelSelector?: string;
  clusterName: string;
  concurrency: string;
  resync: string;
  poll: string;
  httpAddress: string;
  httpPort: string;
  leaderElect?: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId: string;
  secretDigestKeySecret?: string;
  leaderElectionLeaseDuration: string;
  leaderElectionRenewDeadline: string;
  leaderElectionRetryPeriod: string;
  logFormat: LogFormat;
  logLevel: string;
  awsRates?: string;
}

/**
 * The installation's secret digest key: AGENTCORE_SECRET_DIGEST_KEY when set, else the one kept in the
 * Secret --secret-digest-key-secret names (made on first start); without either, the process's own random key.
 */
async function digestKeyOf(env: NodeJS.ProcessEnv, client: KubeClient, namespace: string, secretName: string | undefined): Promise<{ secretDigestKey?: string }> {
  const key = env.AGENTCORE_SECRET_DIGEST_KEY?.trim();
  if (key) return { secretDigestKey: key };
  return secretName ? { secretDigestKey: await installationDigestKey(client, namespace, secretName) } : {};
}

interface Timings {
  resyncMs: number;
  pollMs: number;
  lease: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
}

/** The run's durations, or a message naming the flag that is not one (or the lease timings that cannot work). */
function timingsOf(options: RunCommandOptions): Timings | string {
  const parsed = parseDurationFlags({
    resync: options.resync,
    poll: options.poll,
    'leader-election-lease-duration': options.leaderElectionLeaseDuration,
    'leader-election-renew-deadline': options.leaderElectionRenewDeadline,
    'leader-election-retry-period': options.leaderElectionRetryPeriod,
  });
  if (typeof parsed === 'string') return parsed;
  const lease = { leaseDurationMs: parsed['leader-election-lease-duration'], renewDeadlineMs: parsed['leader-election-renew-deadline'], retryPeriodMs: parsed['leader-election-retry-period'] };
  const problem = options.leaderElect ? leaseTimingProblem(lease) : undefined;
  return problem ? `--leader-election-*: ${problem}` : { resyncMs: parsed.resync, pollMs: parsed.poll, lease };
}

export function runCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  withOperatorSettings(withAwsOptions(
    program
      .command('run')
      .description('Run the operator in a cluster: watch the custom resources, reconcile them against AWS and report their status.')
      .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG, ~/.kube/config, or the pod\'s service account)')
      .option('--context <name>', 'kubeconfig context')
      .option('--namespaces <list>', 'watch only these namespaces (comma-separated); default: all')
      .option('--label-selector <selector>', 'reconcile only objects with these labels (to share a cluster between deployments)')
      .option('--cluster-name <name>', 'name of this cluster in the ownership tags of AWS resources', 'kubernetes')
      .option('--concurrency <n>', 'objects of each kind reconciled at once', '4')
      .option('--resync <duration>', 'how often a Ready object is compared with AWS again', '10m')
      .option('--poll <duration>', 'how often to look again at resources AWS is still working on', '5s')
      .option('--http-address <address>', 'address /metrics, /healthz and /readyz listen on (in a pod, 0.0.0.0: its own addresses)', '127.0.0.1')
      .option('--http-port <port>', 'port of /metrics, /healthz and /readyz (0 for any)', '8080')
      .option('--metrics-secure', 'serve HTTPS, and /metrics only to callers whose bearer token the API server says may get /metrics (TokenReview, SubjectAccessReview)')
      .option('--metrics-cert-dir <dir>', 'with --metrics-secure, serve the certificate in <dir>/tls.crt and <dir>/tls.key (reloaded when renewed) instead of a self-signed one')
      .option('--secret-digest-key-secret <name>', 'keep the key of the secret digests in status in this Secret of the operator\'s namespace (POD_NAMESPACE), made on first start; default: a random key per process')
      .option('--leader-elect', 'elect one leader among replicas through a Lease; only it reconciles')
      .option('--leader-election-namespace <ns>', 'namespace of the Lease (default: POD_NAMESPACE, else the kubeconfig context\'s, which in a pod is its service account\'s)')
      .option('--leader-election-id <name>', 'name of the Lease', 'agentcore-operator-leader')
      .option('--leader-election-lease-duration <duration>', 'how long the others wait on an unrenewed lease before taking it over', '15s')
      .option('--leader-election-renew-deadline <duration>', 'how long the leader keeps trying to renew before it gives up and stops writing', '10s')
      .option('--leader-election-retry-period <duration>', 'the pause between two attempts to acquire or renew the lease', '2s')
      .option('--aws-rates <class=perSecond,...>', `client-side AWS request rates per API class, instead of the documented quotas (classes: ${API_CLASSES.join(', ')})`)
      .option('--log-format <format>', 'logs on standard error: json or text', 'json')
      .option('--log-level <level>', 'error, warn, info or debug', 'info'),
  )).action(async (options: RunCommandOptions) => {
    tuneGarbageCollector();
    const timings = timingsOf(options);
    if (typeof timings === 'string') {
      io.err(`${timings}\n`);
      return setExitCode(1);
    }
    const rates = parseRates(options.awsRates);
    if (typeof rates === 'string') {
      io.err(`--aws-rates: ${rates}\n`);
      return setExitCode(1);
    }
    const logger = createLogger({ format: options.logFormat, level: options.logLevel });
    const metrics = new OperatorMetrics();
    collectDefaultMetrics({ register: metrics.registry });
    let kubeconfig: KubeConfig;
    try {
      kubeconfig = loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context });
    } catch (error) {
      if (!(error instanceof KubeConfigError)) throw error;
      io.err(`${error.message}\n`);
      return setExitCode(1);
    }
    const client = kubeClient(kubeconfig);
    const metricsServing = await metricsServingOf(options, client, logger);
    if (typeof metricsServing === 'string') {
      io.err(`${metricsServing}\n`);
      client.close();
      return setExitCode(1);
    }
    const ownNamespace = process.env.POD_NAMESPACE ?? kubeconfig.namespace ?? 'default';
    let digestKey: { secretDigestKey?: string };
    try {
      digestKey = await digestKeyOf(process.env, client, ownNamespace, options.secretDigestKeySecret);
    } catch (error) {
      if (!(error instanceof DigestKeyError)) throw error;
      io.err(`${error.message}\n`);
      client.close();
      return setExitCode(1);
    }
    const aws = awsClients({ ...awsOptionsOf(options), onCall: (c) => metrics.awsCall(c.service, c.operation, c.outcome, c.seconds) });
    const identity = `${hostname()}_${randomBytes(6).toString('hex')}`;
    const namespaces = options.namespaces?.split(',').map((n) => n.trim()).filter(Boolean);
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (finish = resolve));
    const operator = new Operator({
      client,
      aws,
      gate: new RateLimiter(clientRates(rates)),
      reconcilers: RECONCILERS,
      scope: { namespaces, labelSelector: options.labelSelector },
      source: options.clusterName,
      identity,
      concurrency: Number(options.concurrency),
      resyncMs: timings.resyncMs,
      pollMs: timings.pollMs,
      // A re-pushed image tag is read again at least once per resync.
      settings: settingsOf(options, { ...settingsForResync(timings.resyncMs), ...digestKey }),
      metrics,
      logger,
      leaderElection: options.leaderElect ? { namespace: options.leaderElectionNamespace ?? ownNamespace, name: options.leaderElectionId, ...timings.lease } : undefined,
      onFatal: (reason) => {
        logger.error('Stopping', { reason });
        finish(1);
      },
    });
    const health = await startHealthServer({
      host: options.httpAddress,
      port: Number(options.httpPort),
      metrics,
      healthy: () => operator.healthy(),
      ready: () => (operator.ready() ? { ok: true } : { ok: false, message: 'informers have not synced yet' }),
      ...metricsServing.server,
    });
    const stopFollowingCertificate = metricsServing.follow(health);
    logger.info('Operator started', { identity, server: client.server, namespaces: namespaces ?? 'all', labelSelector: options.labelSelector, http: health.url, metricsSecure: Boolean(options.metricsSecure), leaderElection: Boolean(options.leaderElect) });
    io.err(`agentcore-operator ${identity} watching ${client.server} (context ${kubeconfig.context} of ${kubeconfig.source}); metrics${options.metricsSecure ? ' (for authorized callers only)' : ''} and probes on ${health.url}\n`);
    operator.start();
    const onSignal = () => finish(0);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const code = await finished;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await operator.stop();
    stopFollowingCertificate();
    await health.close();
    client.close();
    aws.destroy();
    logger.info('Operator stopped', { identity });
    setExitCode(code);
  });
}

