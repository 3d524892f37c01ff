/**
 * The chart and manifests/install.yaml installed for real: the real helm 4 and kubectl against the real
 * kube-apiserver. Without a kubelet no pod runs, but every object must be accepted by the apiserver's
 * validation and admission; upgrade and uninstall must do what the README says (Helm never touches the
 * CRDs after install, and uninstall leaves the CRDs and the custom resources in place).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KINDS } from '../../src/api/kinds.js';
import { repoRoot } from '../helpers/cli.js';
import { createNamespace, describeCluster, installCrds, startTestCluster, type TestCluster } from '../helpers/kube.js';

const CHART = join(repoRoot, 'charts/agentcore-operator');
const RELEASE = 'helm-test';
const NAMESPACE = 'helm-test-system';
const AGENTS = 'agents';

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
}

let cluster: TestCluster;

async function ok(what: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const result = await what;
  if (result.code !== 0) throw new Error(result.stderr || result.stdout);
  return result.stdout;
}

const manifestsOf = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as Manifest).filter(Boolean);

/** `kind/namespace/name` of each object, or undefined for those the apiserver does not have. */
async function present(manifests: Manifest[]): Promise<string[]> {
  const found: string[] = [];
  for (const m of manifests) {
    const args = ['get', m.kind, m.metadata.name, '-o', 'name', ...(m.metadata.namespace ? ['-n', m.metadata.namespace] : [])];
    if ((await cluster.kubectl(args)).code === 0) found.push(`${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);
  }
  return found;
}

const names = (manifests: Manifest[]) => manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);

beforeAll(async () => {
  cluster = await startTestCluster();
  // As a user who followed "npx agentcore-operator crds | kubectl apply -f -" before choosing Helm: the
  // chart's server-side apply of its CRDs must not conflict with kubectl's client-side apply of them.
  await installCrds(cluster);
  await createNamespace(cluster, AGENTS);
}, 60_000);

afterAll(async () => {
  await cluster?.helm(['uninstall', RELEASE, '-n', NAMESPACE, '--ignore-not-found']);
  await cluster?.close();
});

describeCluster('helm install, upgrade and uninstall against a real apiserver', () => {
  it('installs: the apiserver accepts every object the chart renders, and the CRDs are served', async () => {
    const install = await ok(cluster.helm(['install', RELEASE, CHART, '-n', NAMESPACE, '--create-namespace', '--set', 'aws.region=us-west-2']));
    expect(install).toContain('STATUS: deployed');
    const rendered = manifestsOf(await ok(cluster.helm(['get', 'manifest', RELEASE, '-n', NAMESPACE])));
    // The operator's ClusterRole and its metrics-auth and metrics-reader, and the bindings of the first two;
    // the Role (and binding) for the digest key's Secret.
    expect(rendered.map((m) => m.kind).sort()).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    expect(await present(rendered)).toEqual(names(rendered.map((m) => (m.kind.startsWith('Cluster') ? m : { ...m, metadata: { ...m.metadata, namespace: m.metadata.namespace ?? NAMESPACE } }))));
    const crds = await ok(cluster.kubectl(['api-resources', '--api-group=agentcore.dev', '-o', 'name']));
    expect(crds.trim().split('\n')).toHaveLength(KINDS.length);
    // The examples are accepted by the CRDs the chart installed (or found installed).
    const applied = await ok(cluster.kubectl(['apply', '-f', join(repoRoot, 'manifests/examples')]));
    expect(applied).toContain('agentruntime.agentcore.dev/support-agent');
  }, 60_000);

  it('upgrades with --reuse-values: a second replica turns leader election on, the CRDs are left alone', async () => {
    const crdVersion = async () => ok(cluster.kubectl(['get', 'crd', 'agentruntimes.agentcore.dev', '-o', 'jsonpath={.metadata.resourceVersion}']));
    const before = await crdVersion();
    const upgrade = await ok(cluster.helm([
      'upgrade', RELEASE, CHART, '-n', NAMESPACE, '--reuse-values', '--set', 'replicaCount=2', '--set', 'networkPolicy.enabled=true',
      '--set-json', 'networkPolicy.metricsFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"monitoring"}}}]',
      '--set', 'roleCap.permissionsBoundary=arn:aws:iam::123456789012:policy/agentcore/boundary', '--set', 'roleCap.deniedActions={*,iam:*,sts:AssumeRole}',
      '--set', 'metrics.certSecret=helm-test-metrics-tls',
    ]));
    expect(upgrade).toContain('REVISION: 2');
    const deployment = JSON.parse(await ok(cluster.kubectl(['get', 'deployment', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'json']))) as {
      items: { spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } } }[];
    };
    expect(deployment.items).toHaveLength(1);
    expect(deployment.items[0]!.spec.replicas).toBe(2);
    expect(deployment.items[0]!.spec.template.spec.containers[0]!.args).toEqual(expect.arrayContaining([
      '--leader-elect', '--role-permissions-boundary=arn:aws:iam::123456789012:policy/agentcore/boundary', '--role-denied-actions', '*', 'iam:*', 'sts:AssumeRole',
      '--metrics-secure', '--metrics-cert-dir=/etc/agentcore-operator/metrics-certs',
    ]));
    expect(await ok(cluster.kubectl(['get', 'networkpolicy', '-n', NAMESPACE, '-o', 'name']))).toContain(`networkpolicy.networking.k8s.io/${RELEASE}`);
    expect(await crdVersion()).toBe(before);
  }, 60_000);

  it('uninstalls the operator only: the CRDs and the custom resources stay', async () => {
    const rendered = manifestsOf(await ok(cluster.helm(['get', 'manifest', RELEASE, '-n', NAMESPACE])));
    expect(await ok(cluster.helm(['uninstall', RELEASE, '-n', NAMESPACE, '--wait']))).toContain(`release "${RELEASE}" uninstalled`);
    expect(await present(rendered.map((m) => ({ ...m, metadata: { ...m.metadata, namespace: m.kind.startsWith('Cluster') ? undefined : (m.metadata.namespace ?? NAMESPACE) } })))).toEqual([]);
    expect((await ok(cluster.kubectl(['get', 'crd', '-o', 'name']))).split('\n').filter((l) => l.endsWith('.agentcore.dev'))).toHaveLength(KINDS.length);
    expect(await ok(cluster.kubectl(['get', 'agentruntime', 'support-agent', '-n', AGENTS, '-o', 'name']))).toContain('support-agent');
  }, 60_000);

  it('manifests/install.yaml applies as it is: every object accepted', async () => {
    const file = join(repoRoot, 'manifests/install.yaml');
    const lines = (await ok(cluster.kubectl(['apply', '-f', file]))).trim().split('\n');
    expect(lines.filter((l) => !/ (created|configured|unchanged)$/.test(l))).toEqual([]);
    expect(lines).toContain('deployment.apps/agentcore-operator created');
    const manifests = manifestsOf(readFileSync(file, 'utf8'));
    expect(await present(manifests)).toEqual(names(manifests));
  }, 60_000);
});
