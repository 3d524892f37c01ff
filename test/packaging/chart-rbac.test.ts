/**
 * The chart's RBAC is exactly what the operator needs. Its ServiceAccount, roles and bindings (as
 * helm renders them, leader election on) go to the real kube-apiserver and its RBAC authorizer; the
 * operator runs under a token of that ServiceAccount and the examples reach Ready. Then, one verb of one rule at a
 * time is taken away, and each time the operator is seen failing: so no verb is there for nothing.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { KINDS } from '../../src/api/kinds.js';
import { repoRoot } from '../helpers/cli.js';
import { createNamespace, describeCluster, helmIn } from '../helpers/kube.js';
import { eventually, isReady, startOperator, startStack, type ObjectWithStatus } from '../helpers/operator.js';

const NAMESPACE = 'agentcore-system';
const EXAMPLES = 8;
/** How long a trial with a verb missing waits to see the operator fail. */
const FAILURE_WINDOW_MS = 20_000;

interface Rule {
  apiGroups: string[];
  resources: string[];
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

/** Every (role, rule, verb) the chart grants. */
function grants(manifests: Manifest[]): { role: string; rule: number; verb: string; resources: string[]; what: string }[] {
  return manifests.flatMap((m) =>
    (m.rules ?? []).flatMap((rule, index) => rule.verbs.map((verb) => ({ role: m.metadata.name, rule: index, verb, resources: rule.resources, what: `${m.kind} ${m.metadata.name}: ${verb} ${rule.resources.length > 1 ? `${rule.resources[0]} and ${rule.resources.length - 1} more` : rule.resources[0]}` }))),
  );
}

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
    const operator = startOperator({ kubeconfig, awsEndpoint: stack.emulator.url }, ['--leader-elect', '--leader-election-id', 'agentcore-operator-leader', ...flags]);
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
    expect(namespaced.filter((m) => m.kind.startsWith('Cluster'))).toEqual([]);
    const { ready, refusals } = await trial(namespaced, 60_000, true, ['--namespaces', 'agents']);
    expect(refusals).toEqual([]);
    expect(ready).toBe(EXAMPLES);
  }, 90_000);

  it('grants the verbs it is expected to (so the trials below cover them all)', () => {
    const [first] = KINDS;
    const more = KINDS.length - 1;
    expect(grants(rbac).map((g) => g.what)).toEqual([
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
    ]);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('is not wider than needed: without grant %i the operator fails', async (index) => {
    const grant = grants(rbac)[index]!;
    const { ready, refusals, output } = await trial(without(rbac, grant.role, grant.rule, grant.verb), FAILURE_WINDOW_MS, false);
    if (refusals.length === 0 && ready === EXAMPLES) throw new Error(`without "${grant.what}" the operator still brought every example to Ready:\n${output.slice(-2000)}`);
    // The refusal is the one taken away: the API server's words, or the operator's own for a Secret it may not read.
    const ofThisGrant = (line: string) => grant.resources.some((r) => line.includes(`cannot ${grant.verb} resource \\"${r}\\"`)) || (grant.verb === 'get' && grant.resources[0] === 'secrets' && line.includes('may not read Secret'));
    expect(refusals.filter(ofThisGrant).length).toBeGreaterThan(0);
  }, FAILURE_WINDOW_MS + 30_000);
});
