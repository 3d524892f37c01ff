/**
 * The chart's RBAC is exactly what the operator needs. Its ServiceAccount, roles and bindings (as
 * helm renders them, leader election on) go to the real kube-apiserver and its RBAC authorizer; the
 * operator runs under a token of that ServiceAccount and the examples reach Ready. Then, one verb of one rule at a
 * time is taken away, and each time the operator is seen failing: so no verb is there for nothing. The
 * metrics roles are tried the same way, by what the operator's check of a scraper then answers.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { KINDS } from '../../src/api/kinds.js';
import { kubeRequestAuthorizer } from '../../src/observability/request-authorizer.js';
import { kubeClient, loadKubeConfig, type KubeClient } from '../../src/sources/kube/client.js';
import { repoRoot } from '../helpers/cli.js';
import { createNamespace, describeCluster, helmIn, startTestCluster } from '../helpers/kube.js';
import { eventually, isReady, startOperator, startStack, type ObjectWithStatus } from '../helpers/operator.js';
import { waitFor } from '../helpers/wait.js';

const NAMESPACE = 'agentcore-system';
const EXAMPLES = 8;
/** How long a trial with a verb missing waits to see the operator fail. */
const FAILURE_WINDOW_MS = 20_000;

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}
interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
}

let home: string;
let rbac: Manifest[];

/** The chart's ServiceAccount and RBAC objects, rendered by the real helm. */
async function renderRbac(...values: string[]): Promise<Manifest[]> {
  const result = await helmIn(home, ['template', 'agentcore-operator', join(repoRoot, 'charts/agentcore-operator'), '--namespace', NAMESPACE, '--set', 'leaderElection.enabled=true', ...values.flatMap((v) => ['--set', v])]);
  if (result.code !== 0) throw new Error(result.stderr);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Manifest)
    .filter((m) => m && /^(ServiceAccount|ClusterRole|ClusterRoleBinding|Role|RoleBinding)$/.test(m.kind));
}

/** The roles that serve /metrics (checking scrapers, and what a scraper is bound to) rather than reconciling. */
const METRICS_ROLES = ['agentcore-operator-metrics-auth', 'agentcore-operator-metrics-reader'];

/** Every (role, rule, verb) the chart grants. */
function grants(manifests: Manifest[]): { role: string; rule: number; verb: string; resources: string[]; what: string }[] {
  return manifests.flatMap((m) =>
    (m.rules ?? []).flatMap((rule, index) => {
      const resources = rule.resources ?? rule.nonResourceURLs ?? [];
      return rule.verbs.map((verb) => ({ role: m.metadata.name, rule: index, verb, resources, what: `${m.kind} ${m.metadata.name}: ${verb} ${resources.length > 1 ? `${resources[0]} and ${resources.length - 1} more` : resources[0]}` }));
    }),
  );
}

const reconcilingGrants = (manifests: Manifest[]) => grants(manifests).filter((g) => !METRICS_ROLES.includes(g.role));
const metricsGrants = (manifests: Manifest[]) => grants(manifests).filter((g) => METRICS_ROLES.includes(g.role));

function without(manifests: Manifest[], role: string, ruleIndex: number, verb: string): Manifest[] {
  return manifests.map((m) => {
    if (m.metadata.name !== role || !m.rules) return m;
    const rules = m.rules.map((rule, i) => (i === ruleIndex ? { ...rule, verbs: rule.verbs.filter((v) => v !== verb) } : rule)).filter((rule) => rule.verbs.length > 0);
    return { ...m, rules };
  });
}

/**
 * Fresh namespaces and emulator; the given RBAC applied (and removed again by the cluster's close); the operator run under the ServiceAccount's
 * token while the examples are applied as an administrator. Returns once the operator says it was
 * refused something, or else when the window closes, or (with `untilReady`) once every example is
 * Ready and a few lease renewals have passed.
 */
async function trial(manifests: Manifest[], windowMs: number, untilReady: boolean, flags: string[] = []): Promise<{ ready: number; refusals: string[]; output: string }> {
  const stack = await startStack(['agents'], [{ repository: 'support-agent', tag: '1.4.2' }]);
  try {
    await createNamespace(stack.cluster, NAMESPACE);
    await stack.kubectl(['apply', '-f', '-'], manifests.map((m) => stringify(m)).join('---\n'));
    const token = (await stack.kubectl(['create', 'token', 'agentcore-operator', '-n', NAMESPACE])).trim();
    // The context's namespace is where the lease goes by default, as in a pod its service account's is.
    const kubeconfig = stack.cluster.kubeconfigFor(token, undefined, NAMESPACE);
    const operator = startOperator({ kubeconfig, awsEndpoint: stack.emulator.url }, ['--leader-elect', '--leader-election-id', 'agentcore-operator-leader', '--secret-digest-key-secret', 'agentcore-operator-digest-key', ...flags]);
    try {
      await stack.kubectl(['apply', '-f', 'manifests/examples/']);
      const refusals = () => operator.output().split('\n').filter((line) => /forbidden/i.test(line));
      let ready = 0;
      await eventually(
        async () => {
          const items = JSON.parse(await stack.kubectl(['get', 'agentcore', '-n', 'agents', '-o', 'json'])).items as ObjectWithStatus[];
          ready = items.filter(isReady).length;
          return (untilReady && ready === EXAMPLES) || refusals().length > 0;
        },
        windowMs,
        'every example Ready or a refusal',
        250,
      ).catch(() => undefined);
      // The leader renews its lease every 2 s: let renewals happen before calling the run clean.
      if (untilReady) await new Promise((resolve) => setTimeout(resolve, 5000));
      return { ready, refusals: refusals(), output: operator.output() };
    } finally {
      await operator.kill('SIGKILL');
    }
  } finally {
    await stack.close();
  }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'chart-rbac-'));
  rbac = await renderRbac();
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describeCluster("the chart's RBAC", () => {
  it('is enough: under its ServiceAccount every example becomes Ready, and nothing is refused', async () => {
    const { ready, refusals } = await trial(rbac, 60_000, true);
    expect(refusals).toEqual([]);
    expect(ready).toBe(EXAMPLES);
  }, 90_000);

  it('watching a namespace list, the Roles in those namespaces are enough', async () => {
    const namespaced = await renderRbac('watch.namespaces={agents}');
    // Only the metrics checks are cluster-wide: TokenReview and SubjectAccessReview have no namespace.
    expect(namespaced.filter((m) => m.kind.startsWith('Cluster')).map((m) => `${m.kind} ${m.metadata.name}`)).toEqual([
      'ClusterRole agentcore-operator-metrics-auth',
      'ClusterRole agentcore-operator-metrics-reader',
      'ClusterRoleBinding agentcore-operator-metrics-auth',
    ]);
    const { ready, refusals } = await trial(namespaced, 60_000, true, ['--namespaces', 'agents']);
    expect(refusals).toEqual([]);
    expect(ready).toBe(EXAMPLES);
  }, 90_000);

  it('grants the verbs it is expected to (so the trials below cover them all)', () => {
    const [first] = KINDS;
    const more = KINDS.length - 1;
    expect(reconcilingGrants(rbac).map((g) => g.what)).toEqual([
      `ClusterRole agentcore-operator: list ${first!.plural} and ${more} more`,
      `ClusterRole agentcore-operator: watch ${first!.plural} and ${more} more`,
      `ClusterRole agentcore-operator: patch ${first!.plural} and ${more} more`,
      `ClusterRole agentcore-operator: patch ${first!.plural}/status and ${more} more`,
      'ClusterRole agentcore-operator: get secrets',
      'ClusterRole agentcore-operator: list secrets',
      'ClusterRole agentcore-operator: watch secrets',
      'ClusterRole agentcore-operator: create events',
      'Role agentcore-operator-leader-election: get leases',
      'Role agentcore-operator-leader-election: create leases',
      'Role agentcore-operator-leader-election: update leases',
      'Role agentcore-operator-digest-key: create secrets',
    ]);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])('is not wider than needed: without grant %i the operator fails', async (index) => {
    const grant = reconcilingGrants(rbac)[index]!;
    const { ready, refusals, output } = await trial(without(rbac, grant.role, grant.rule, grant.verb), FAILURE_WINDOW_MS, false);
    if (refusals.length === 0 && ready === EXAMPLES) throw new Error(`without "${grant.what}" the operator still brought every example to Ready:\n${output.slice(-2000)}`);
    // The refusal is the one taken away: the API server's words, or the operator's own for a Secret it may not read.
    const ofThisGrant = (line: string) => grant.resources.some((r) => line.includes(`cannot ${grant.verb} resource \\"${r}\\"`) || line.includes(`cannot ${grant.verb} resource "${r}"`)) || (grant.verb === 'get' && grant.resources[0] === 'secrets' && line.includes('may not read Secret'));
    expect(refusals.filter(ofThisGrant).length).toBeGreaterThan(0);
  }, FAILURE_WINDOW_MS + 30_000);

  it('the metrics roles are enough, and each of their grants is needed: without one, a scraper bound to the reader role is let in no more', async () => {
    expect(metricsGrants(rbac).map((g) => g.what)).toEqual([
      'ClusterRole agentcore-operator-metrics-auth: create tokenreviews',
      'ClusterRole agentcore-operator-metrics-auth: create subjectaccessreviews',
      'ClusterRole agentcore-operator-metrics-reader: get /metrics',
    ]);
    const cluster = await startTestCluster();
    const clients: KubeClient[] = [];
    const kubectl = async (args: string[], input?: string) => {
      const result = await cluster.kubectl(args, input);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const apply = (manifests: Manifest[]) => kubectl(['apply', '-f', '-'], manifests.map((m) => stringify(m)).join('---\n'));
    try {
      await createNamespace(cluster, NAMESPACE);
      await apply(rbac);
      await kubectl(['create', 'serviceaccount', 'prometheus', '-n', NAMESPACE]);
      await kubectl(['create', 'clusterrolebinding', 'chart-rbac-prometheus', '--clusterrole=agentcore-operator-metrics-reader', `--serviceaccount=${NAMESPACE}:prometheus`]);
      const operatorToken = (await kubectl(['create', 'token', 'agentcore-operator', '-n', NAMESPACE])).trim();
      const scraperToken = (await kubectl(['create', 'token', 'prometheus', '-n', NAMESPACE])).trim();
      // What the operator, under its ServiceAccount, answers the scraper; a new authorizer each time, so nothing is kept.
      const decide = () => {
        const client = kubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigFor(operatorToken) }));
        clients.push(client);
        return kubeRequestAuthorizer(client)({ authorization: `Bearer ${scraperToken}`, path: '/metrics' });
      };
      // The RBAC authorizer learns of each change through its informer, a moment later.
      const letIn = () => waitFor(async () => (await decide()).allowed, { what: 'the scraper to be let in' });
      await letIn();
      for (const grant of metricsGrants(rbac)) {
        await apply(without(rbac, grant.role, grant.rule, grant.verb));
        const refusal = await waitFor(async () => {
          const decision = await decide();
          return decision.allowed ? undefined : decision;
        }, { what: `the scraper to be refused without "${grant.what}"` });
        // The operator refused its review is an error (500); the scraper refused /metrics, a 403.
        expect([grant.what, refusal.status]).toEqual([grant.what, grant.role.endsWith('-metrics-reader') ? 403 : 500]);
        await apply(rbac);
        await letIn();
      }
    } finally {
      for (const client of clients) client.close();
      await cluster.close();
    }
  }, 90_000);
});
