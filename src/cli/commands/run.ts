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
import { RECONCILERS } from '../../reconcilers/index.js';
import { settingsForResync } from '../../reconcilers/kind.js';
import { settingsOf, withOperatorSettings, type OperatorSettingOptions } from '../operator-settings.js';
import { kubeClient } from '../../sources/kube/client.js';
import { KubeConfigError, loadKubeConfig, type KubeConfig } from '../../sources/kube/kubeconfig.js';
import { Operator } from '../../sources/kube/operator.js';
import { awsOptionsOf, withAwsOptions, type AwsCliOptions } from '../aws-options.js';
import type { CliIO } from '../io.js';
import { parseDuration } from '../duration.js';
import { parseRates } from '../rates.js';
import { tuneGarbageCollector } from '../gc.js';

interface RunCommandOptions extends AwsCliOptions, OperatorSettingOptions {
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
  logFormat: LogFormat;
  logLevel: string;
  awsRates?: string;
}

/** The installation's secret digest key, when it gives one; the process's own random key otherwise. */
function digestKeyOf(env: NodeJS.ProcessEnv): { secretDigestKey?: string } {
  const key = env.AGENTCORE_SECRET_DIGEST_KEY?.trim();
  return key ? { secretDigestKey: key } : {};
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
      .option('--leader-elect', 'elect one leader among replicas through a Lease; only it reconciles')
      .option('--leader-election-namespace <ns>', 'namespace of the Lease (default: POD_NAMESPACE, else the kubeconfig context\'s, which in a pod is its service account\'s)')
      .option('--leader-election-id <name>', 'name of the Lease', 'agentcore-operator-leader')
      .option('--aws-rates <class=perSecond,...>', `client-side AWS request rates per API class, instead of the documented quotas (classes: ${API_CLASSES.join(', ')})`)
      .option('--log-format <format>', 'logs on standard error: json or text', 'json')
      .option('--log-level <level>', 'error, warn, info or debug', 'info'),
  )).action(async (options: RunCommandOptions) => {
    tuneGarbageCollector();
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
      resyncMs: parseDuration(options.resync),
      pollMs: parseDuration(options.poll),
      // A re-pushed image tag is read again at least once per resync.
      settings: settingsOf(options, { ...settingsForResync(parseDuration(options.resync)), ...digestKeyOf(process.env) }),
      metrics,
      logger,
      leaderElection: options.leaderElect ? { namespace: options.leaderElectionNamespace ?? process.env.POD_NAMESPACE ?? kubeconfig.namespace ?? 'default', name: options.leaderElectionId } : undefined,
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
    });
    logger.info('Operator started', { identity, server: client.server, namespaces: namespaces ?? 'all', labelSelector: options.labelSelector, http: health.url, leaderElection: Boolean(options.leaderElect) });
    io.err(`agentcore-operator ${identity} watching ${client.server} (context ${kubeconfig.context} of ${kubeconfig.source}); metrics and probes on ${health.url}\n`);
    operator.start();
    const onSignal = () => finish(0);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const code = await finished;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await operator.stop();
    await health.close();
    client.close();
    aws.destroy();
    logger.info('Operator stopped', { identity });
    setExitCode(code);
  });
}

