/**
 * The Helm chart, checked with the real helm 4: lint, renderings with default values and with a
 * namespace-scoped, multi-replica configuration, values the schema rejects, and manifests/install.yaml
 * kept equal to the default rendering.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { KINDS } from '../../src/api/kinds.js';
import { parseRates } from '../../src/cli/rates.js';
import { clientRates, DEFAULT_CLIENT_RATES } from '../../src/aws/api-classes.js';
import { repoRoot } from '../helpers/cli.js';
import { helmIn } from '../helpers/kube.js';

const CHART = join(repoRoot, 'charts/agentcore-operator');
const INSTALL_YAML = join(repoRoot, 'manifests/install.yaml');
const INSTALL_NAMESPACE = 'agentcore-system';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

let home: string;

const helm = (args: string[]) => helmIn(home, args);

async function render(args: string[] = []): Promise<Manifest[]> {
  const result = await helm(['template', 'agentcore-operator', CHART, '--namespace', INSTALL_NAMESPACE, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as Manifest).filter(Boolean);
}

/** What users without Helm apply: the namespace, then the chart rendered with default values and its CRDs. */
async function installYaml(): Promise<string> {
  const result = await helm(['template', 'agentcore-operator', CHART, '--namespace', INSTALL_NAMESPACE, '--include-crds']);
  if (result.code !== 0) throw new Error(result.stderr);
  const namespace = stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: INSTALL_NAMESPACE } });
  return `# Rendered from charts/agentcore-operator with default values; regenerate with\n# npm run manifests\n---\n${namespace}${result.stdout}`;
}

const kindsOf = (manifests: Manifest[]) => manifests.map((m) => `${m.kind}${m.metadata.namespace ? ` ${m.metadata.namespace}` : ''}/${m.metadata.name}`).sort();
type Probe = { httpGet: { path: string; port: string; scheme?: string } };
type Container = { args: string[]; securityContext: Record<string, unknown>; livenessProbe: Probe; readinessProbe: Probe; resources: { limits: Record<string, string> }; ports: { name: string }[]; volumeMounts?: unknown[] };
type PodSpec = { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[]; volumes?: unknown[] };
const podOf = (manifests: Manifest[]) => (manifests.find((m) => m.kind === 'Deployment')!.spec as { template: { spec: PodSpec } }).template.spec;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'chart-test-'));
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the chart', () => {
  it('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', CHART]);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it('renders a cluster-wide, single-replica operator with a restricted pod by default', async () => {
    const manifests = await render();
    expect(kindsOf(manifests)).toEqual([
      'ClusterRole/agentcore-operator',
      'ClusterRole/agentcore-operator-metrics-auth',
      'ClusterRole/agentcore-operator-metrics-reader',
      'ClusterRoleBinding/agentcore-operator',
      'ClusterRoleBinding/agentcore-operator-metrics-auth',
      'Deployment agentcore-system/agentcore-operator',
      'PodDisruptionBudget agentcore-system/agentcore-operator',
      'Role agentcore-system/agentcore-operator-digest-key',
      'RoleBinding agentcore-system/agentcore-operator-digest-key',
      'Service agentcore-system/agentcore-operator-metrics',
      'ServiceAccount agentcore-system/agentcore-operator',
    ]);
    const pod = podOf(manifests);
    const [container] = pod.containers;
    expect(pod.serviceAccountName).toBe('agentcore-operator');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container!.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect([container!.livenessProbe.httpGet.path, container!.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
    expect(container!.resources.limits.memory).toBe('320Mi');
    expect(container!.args[0]).toBe('run');
    // The operator's own default is loopback; in a pod the kubelet's probes come from outside it.
    expect(container!.args).toContain('--http-address=0.0.0.0');
    // The secret digests in status are keyed by the installation's own key, kept in a Secret the operator makes.
    expect(container!.args).toContain('--secret-digest-key-secret=agentcore-operator-digest-key');
    expect(container!.args.filter((a) => a.startsWith('--leader-elect') || a.startsWith('--namespaces'))).toEqual([]);
  });

  it('an optional NetworkPolicy admits to the operator\'s port only the peers listed', async () => {
    const values = join(home, 'netpol.yaml');
    writeFileSync(values, 'networkPolicy:\n  enabled: true\n  metricsFrom:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n');
    const policy = (await render(['-f', values])).find((m) => m.kind === 'NetworkPolicy') as unknown as { metadata: { name: string }; spec: Record<string, unknown> };
    expect(policy.metadata.name).toBe('agentcore-operator');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/name': 'agentcore-operator' }) },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    expect((await render()).some((m) => m.kind === 'NetworkPolicy')).toBe(false);
  });

  it('with namespaces and replicas: a Role in each namespace, no ClusterRole, leader election on', async () => {
    const manifests = await render(['--set', 'replicaCount=3', '--set', 'watch.namespaces={team-a,team-b}', '--set', 'aws.region=eu-west-1', '--set', 'aws.rates.runtimeMutation=10', '--set', 'aws.rates.runtimeGet=40']);
    expect(kindsOf(manifests).filter((k) => /Role/.test(k))).toEqual([
      // Only the metrics checks are cluster-wide: TokenReview and SubjectAccessReview have no namespace.
      'ClusterRole/agentcore-operator-metrics-auth',
      'ClusterRole/agentcore-operator-metrics-reader',
      'ClusterRoleBinding/agentcore-operator-metrics-auth',
      'Role agentcore-system/agentcore-operator-digest-key',
      'Role agentcore-system/agentcore-operator-leader-election',
      'Role team-a/agentcore-operator',
      'Role team-b/agentcore-operator',
      'RoleBinding agentcore-system/agentcore-operator-digest-key',
      'RoleBinding agentcore-system/agentcore-operator-leader-election',
      'RoleBinding team-a/agentcore-operator',
      'RoleBinding team-b/agentcore-operator',
    ]);
    const args = podOf(manifests).containers[0]!.args;
    expect(args).toEqual(expect.arrayContaining(['--namespaces=team-a,team-b', '--leader-elect', `--leader-election-namespace=${INSTALL_NAMESPACE}`, '--region=eu-west-1']));
    const rates = args.find((a) => a.startsWith('--aws-rates='))!.slice('--aws-rates='.length);
    expect(parseRates(rates)).toEqual({ runtimeGet: 40, runtimeMutation: 10 });
    expect((manifests.find((m) => m.kind === 'Deployment')!.spec as { replicas: number }).replicas).toBe(3);
  });

  it('secure metrics by default: HTTPS probes, --metrics-secure, the review rights, a reader role, a ServiceMonitor with a bearer token', async () => {
    const values = ['--set', 'metrics.serviceMonitor.enabled=true'];
    const manifests = await render(values);
    const [container] = podOf(manifests).containers;
    expect(container!.args).toContain('--metrics-secure');
    expect(container!.args.some((a) => a.startsWith('--metrics-cert-dir'))).toBe(false);
    expect([container!.livenessProbe.httpGet, container!.readinessProbe.httpGet]).toEqual([
      { path: '/healthz', port: 'https-metrics', scheme: 'HTTPS' },
      { path: '/readyz', port: 'https-metrics', scheme: 'HTTPS' },
    ]);
    expect(container!.ports.map((p) => p.name)).toEqual(['https-metrics']);
    const named = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name) as Manifest & Record<string, unknown>;
    expect(named('ClusterRole', 'agentcore-operator-metrics-auth').rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]);
    expect(named('ClusterRoleBinding', 'agentcore-operator-metrics-auth')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'agentcore-operator-metrics-auth' },
      subjects: [{ kind: 'ServiceAccount', name: 'agentcore-operator', namespace: INSTALL_NAMESPACE }],
    });
    expect(named('ClusterRole', 'agentcore-operator-metrics-reader').rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    expect((named('Service', 'agentcore-operator-metrics').spec as { ports: unknown[] }).ports).toEqual([{ name: 'https-metrics', port: 8080, targetPort: 'https-metrics', protocol: 'TCP' }]);
    const endpoints = (values: string[]) => render(values).then((m) => (m.find((x) => x.kind === 'ServiceMonitor')!.spec as { endpoints: unknown[] }).endpoints);
    expect(await endpoints(values)).toEqual([{ port: 'https-metrics', path: '/metrics', interval: '30s', scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', tlsConfig: { insecureSkipVerify: true } }]);
    expect(await endpoints([...values, '--set', 'metrics.serviceMonitor.tlsConfig.ca.configMap.name=metrics-ca', '--set', 'metrics.serviceMonitor.tlsConfig.ca.configMap.key=ca.crt'])).toMatchObject([{ tlsConfig: { ca: { configMap: { name: 'metrics-ca', key: 'ca.crt' } } } }]);
  });

  it('a metrics certificate Secret is mounted as the cert dir, and the ServiceMonitor verifies with its ca.crt', async () => {
    const values = ['--set', 'metrics.certSecret=agentcore-metrics-tls', '--set', 'metrics.serviceMonitor.enabled=true'];
    const manifests = await render(values);
    const pod = podOf(manifests);
    expect(pod.containers[0]!.args).toEqual(expect.arrayContaining(['--metrics-secure', '--metrics-cert-dir=/etc/agentcore-operator/metrics-certs']));
    expect(pod.containers[0]!.volumeMounts).toEqual([{ name: 'metrics-certs', mountPath: '/etc/agentcore-operator/metrics-certs', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'metrics-certs', secret: { secretName: 'agentcore-metrics-tls' } }]);
    const monitor = manifests.find((m) => m.kind === 'ServiceMonitor')!.spec as { endpoints: { tlsConfig: unknown }[] };
    expect(monitor.endpoints[0]!.tlsConfig).toEqual({ ca: { secret: { name: 'agentcore-metrics-tls', key: 'ca.crt' } }, serverName: `agentcore-operator-metrics.${INSTALL_NAMESPACE}.svc` });
  });

  it('metrics.secure=false serves plain HTTP as before: no review rights, no reader role, no scheme', async () => {
    const manifests = await render(['--set', 'metrics.secure=false', '--set', 'metrics.certSecret=ignored', '--set', 'metrics.serviceMonitor.enabled=true']);
    expect(kindsOf(manifests).filter((k) => /metrics-(auth|reader)/.test(k))).toEqual([]);
    const pod = podOf(manifests);
    const [container] = pod.containers;
    expect(container!.args.filter((a) => a.startsWith('--metrics-'))).toEqual([]);
    expect(container!.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect([container!.volumeMounts, pod.volumes]).toEqual([undefined, undefined]);
    expect((manifests.find((m) => m.kind === 'ServiceMonitor')!.spec as { endpoints: unknown[] }).endpoints).toEqual([{ port: 'http-metrics', path: '/metrics', interval: '30s' }]);
  });

  it('grants the operator every kind of the registry, in the ClusterRole and in each namespace\'s Role', async () => {
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
    const agentcoreRules = (m: Manifest) => (m.rules as Rule[]).filter((r) => r.apiGroups.includes('agentcore.dev')).map((r) => ({ resources: r.resources, verbs: r.verbs }));
    const expected = [
      { resources: KINDS.map((k) => k.plural), verbs: ['list', 'watch', 'patch'] },
      { resources: KINDS.map((k) => `${k.plural}/status`), verbs: ['patch'] },
    ];
    const clusterWide = (await render()).filter((m) => m.kind === 'ClusterRole' && m.metadata.name === 'agentcore-operator');
    const namespaced = (await render(['--set', 'watch.namespaces={team-a,team-b}'])).filter((m) => m.kind === 'Role' && m.metadata.namespace !== INSTALL_NAMESPACE);
    expect([...clusterWide, ...namespaced].map(agentcoreRules)).toEqual([expected, expected, expected]);
  });

  it.each([
    ['replicaCount=0', /at '\/replicaCount': minimum/],
    ['logging.format=xml', /at '\/logging\/format': value must be one of 'json', 'text'/],
    ['resync=10 minutes', /at '\/resync'/],
    ['watch.namespaces={Team_A}', /at '\/watch\/namespaces\/0': 'Team_A' does not match pattern/],
    ['aws.rates.runtimeGet=-1', /at '\/aws\/rates\/runtimeGet': exclusiveMinimum/],
    ['metrics.certSecret=Metrics_TLS', /at '\/metrics\/certSecret': 'Metrics_TLS' does not match pattern/],
    ['metrics.secure=maybe', /at '\/metrics\/secure': got string, want boolean/],
    ['surprise=1', /additional properties 'surprise' not allowed/i],
  ])('rejects %s at install', async (value, message) => {
    const result = await helm(['template', 'agentcore-operator', CHART, '--set', value]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(result.stderr).toMatch(message);
  });

  it('NOTES.txt tells the user what is watched and what to do next', async () => {
    const notes = async (...values: string[]) => {
      const result = await helm(['install', 'agentcore-operator', CHART, '--namespace', INSTALL_NAMESPACE, '--dry-run=client', ...values.flatMap((v) => ['--set', v])]);
      expect(result.code).toBe(0);
      return result.stdout.slice(result.stdout.indexOf('NOTES:'));
    };
    const clusterWide = await notes();
    expect(clusterWide).toContain('installed in agentcore-system, watching every namespace.');
    expect(clusterWide).toContain('No aws.region is set');
    expect(clusterWide).toContain('kubectl -n agentcore-system rollout status deployment/agentcore-operator');
    expect(clusterWide).toContain('--clusterrole=agentcore-operator-metrics-reader --serviceaccount=<namespace>:<prometheus service account>');
    expect(await notes('metrics.secure=false')).not.toContain('metrics-reader');
    const scoped = await notes('watch.namespaces={team-a,team-b}', 'watch.labelSelector=team=a', 'aws.region=eu-west-1');
    expect(scoped).toContain('watching the namespaces team-a, team-b (objects labelled team=a).');
    expect(scoped).not.toContain('No aws.region is set');
  });

  it('carries the same CRDs as crds/', () => {
    const files = readdirSync(join(repoRoot, 'crds')).sort();
    expect(readdirSync(join(CHART, 'crds')).sort()).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(CHART, 'crds', file), 'utf8')).toBe(readFileSync(join(repoRoot, 'crds', file), 'utf8'));
    }
  });

  it('manifests/install.yaml is the default rendering', async () => {
    const expected = await installYaml();
    if (process.env.UPDATE_INSTALL_YAML) writeFileSync(INSTALL_YAML, expected);
    expect(readFileSync(INSTALL_YAML, 'utf8')).toBe(expected);
  });
});

describe('--aws-rates', () => {
  it('sets the rates it names, with a tenth of a second of burst, and leaves the other classes at the quotas', () => {
    const rates = clientRates({ runtimeGet: 40, memoryCreate: 0.5 });
    expect([rates.runtimeGet, rates.memoryCreate]).toEqual([{ perSecond: 40, burst: 4 }, { perSecond: 0.5, burst: 1 }]);
    expect({ ...rates, runtimeGet: undefined, memoryCreate: undefined }).toEqual({ ...DEFAULT_CLIENT_RATES, runtimeGet: undefined, memoryCreate: undefined });
  });

  it.each([
    ['', {}],
    ['runtimeMutation=10, runtimeGet=0.5', { runtimeMutation: 10, runtimeGet: 0.5 }],
    ['nosuch=1', /unknown API class "nosuch"/],
    ['runtimeGet=fast', /runtimeGet: "fast" is not a positive number/],
    ['runtimeGet=0', /runtimeGet: "0" is not a positive number/],
  ])('%s', (text, expected) => {
    const parsed = parseRates(text);
    if (expected instanceof RegExp) expect(parsed).toMatch(expected);
    else expect(parsed).toEqual(expected);
  });
});
