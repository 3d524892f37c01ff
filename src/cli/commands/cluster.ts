/**
 * Day-2 commands against the cluster of the current kubeconfig, as the flux CLI has them: `get` the
 * objects with their readiness, `reconcile` one now (the requestedAt annotation, then wait until the
 * operator has handled it), `suspend` and `resume` it. Installed as `kubectl-agentcore` too, they are
 * `kubectl agentcore get|reconcile|suspend|resume`.
 */
import type { Command } from 'commander';
import { KINDS, type KindInfo } from '../../api/kinds.js';
import { Annotation } from '../../api/meta.js';
import { kubeClient, MERGE_PATCH, type KubeClient, type KubeObject } from '../../sources/kube/client.js';
import { KubeConfigError, loadKubeConfig } from '../../sources/kube/kubeconfig.js';
import { collectionPath, objectPath } from '../../sources/kube/resources.js';
import { parseDurationFlags } from '../duration.js';
import type { CliIO } from '../io.js';
import { table } from './validate.js';

interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

type Condition = { type: string; status: string; reason?: string; message?: string };
const readyOf = (o: KubeObject) => ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');

/** A kind by its name, plural, singular or short name, in any case (`AgentRuntime`, `agentruntimes`, `ar`). */
function kindNamed(name: string): KindInfo | undefined {
  const wanted = name.toLowerCase();
  return KINDS.find((k) => [k.kind.toLowerCase(), k.plural, k.singular, ...k.shortNames].includes(wanted));
}

function withCluster(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('-n, --namespace <ns>', "the object's namespace (default: the context's, else default)");
}

/** The client and namespace of the command, or what is wrong with the kubeconfig. */
function connect(options: ClusterOptions): { client: KubeClient; namespace: string } | string {
  try {
    const kubeconfig = loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context });
    return { client: kubeClient(kubeconfig), namespace: options.namespace ?? kubeconfig.namespace ?? 'default' };
  } catch (error) {
    if (error instanceof KubeConfigError) return error.message;
    throw error;
  }
}

/** `Kind/name`, as the commands take it, or what is wrong with it. */
function targetOf(text: string): { kind: KindInfo; name: string } | string {
  const [kind, name, ...rest] = text.split('/');
  const info = kind ? kindNamed(kind) : undefined;
  if (!info || !name || rest.length > 0) return `name the object as Kind/name (Kind one of ${KINDS.map((k) => k.kind).join(', ')}): ${text}`;
  return { kind: info, name };
}

export function clusterCommands(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  /** Runs `act` with a connected client; prints what it answers (or its refusal) and sets the exit code. */
  const withClient = async (options: ClusterOptions, act: (client: KubeClient, namespace: string) => Promise<string>) => {
    const connected = connect(options);
    if (typeof connected === 'string') {
      io.err(`${connected}\n`);
      return setExitCode(1);
    }
    try {
      io.out(await act(connected.client, connected.namespace));
    } catch (error) {
      io.err(`${(error as Error).message}\n`);
      setExitCode(1);
    } finally {
      connected.client.close();
    }
  };
  const patchOf = (target: string, body: (now: string) => object, done: (object: KubeObject, now: string) => string) => (options: ClusterOptions) =>
    withClient(options, async (client, namespace) => {
      const t = targetOf(target);
      if (typeof t === 'string') throw new Error(t);
      const now = new Date().toISOString();
      const patched = await client.request<KubeObject>('PATCH', objectPath(t.kind.kind, namespace, t.name), { body: body(now), contentType: MERGE_PATCH });
      return done(patched, now);
    });

  withCluster(program.command('get').description('List the agentcore.dev objects of a namespace with their readiness (kubectl agentcore get).'))
    .option('-A, --all-namespaces', 'every namespace')
    .action((options: ClusterOptions & { allNamespaces?: boolean }) =>
      withClient(options, async (client, namespace) => {
        const rows: string[][] = [];
        for (const kind of KINDS) {
          const list = await client.request<{ items: KubeObject[] }>('GET', collectionPath(kind.kind, options.allNamespaces ? undefined : namespace));
          for (const o of list.items) {
            const ready = readyOf(o);
            const suspended = (o.spec as { suspend?: boolean } | undefined)?.suspend === true;
            rows.push([o.metadata.namespace ?? '', `${kind.kind}/${o.metadata.name}`, ready?.status ?? 'Unknown', suspended ? 'True' : 'False', ready?.message ?? '']);
          }
        }
        return rows.length === 0 ? `No agentcore.dev objects in ${options.allNamespaces ? 'any namespace' : `namespace ${namespace}`}\n` : table(rows, ['NAMESPACE', 'OBJECT', 'READY', 'SUSPENDED', 'MESSAGE']);
      }),
    );

  withCluster(program.command('reconcile').description('Ask the operator to reconcile an object now, and wait until it has (kubectl agentcore reconcile Kind/name).'))
    .argument('<Kind/name>')
    .option('--no-wait', 'ask, and do not wait for the operator')
    .option('--timeout <duration>', 'how long to wait', '2m')
    .action((target: string, options: ClusterOptions & { wait: boolean; timeout: string }) =>
      withClient(options, async (client, namespace) => {
        const durations = parseDurationFlags({ timeout: options.timeout });
        if (typeof durations === 'string') throw new Error(durations);
        const t = targetOf(target);
        if (typeof t === 'string') throw new Error(t);
        const path = objectPath(t.kind.kind, namespace, t.name);
        const now = new Date().toISOString();
        await client.request('PATCH', path, { body: { metadata: { annotations: { [Annotation.requestedAt]: now } } }, contentType: MERGE_PATCH });
        if (!options.wait) return `Asked for a reconcile of ${t.kind.kind}/${t.name} (${Annotation.requestedAt}: ${now})\n`;
        const deadline = Date.now() + durations.timeout;
        for (;;) {
          const o = await client.request<KubeObject>('GET', path);
          if ((o.status as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt === now) {
            const ready = readyOf(o);
            return `${t.kind.kind}/${t.name} reconciled: Ready ${ready?.status ?? 'Unknown'}${ready?.message ? `, ${ready.message}` : ''}\n`;
          }
          if (Date.now() > deadline) throw new Error(`the operator has not handled the reconcile of ${t.kind.kind}/${t.name} within ${options.timeout}: is it running, and watching namespace ${namespace}?`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }),
    );

  withCluster(program.command('suspend').description('Stop reconciling an object: spec.suspend true (kubectl agentcore suspend Kind/name).'))
    .argument('<Kind/name>')
    .action((target: string, options: ClusterOptions) => patchOf(target, () => ({ spec: { suspend: true } }), (o) => `${o.kind}/${o.metadata.name} suspended\n`)(options));

  withCluster(program.command('resume').description('Reconcile a suspended object again, now (kubectl agentcore resume Kind/name).'))
    .argument('<Kind/name>')
    .action((target: string, options: ClusterOptions) =>
      patchOf(target, (now) => ({ metadata: { annotations: { [Annotation.requestedAt]: now } }, spec: { suspend: null } }), (o) => `${o.kind}/${o.metadata.name} resumed\n`)(options),
    );
}
