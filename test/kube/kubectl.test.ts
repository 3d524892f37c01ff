/**
 * The real kubectl 1.34 against the test control plane's kube-apiserver (or another cluster through
 * KUBECONFIG): the commands our users type, with the output they read.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot, type CommandResult } from '../helpers/cli.js';
import { createNamespace, describeCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { waitFor } from '../helpers/wait.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read back from the server, checked field by field
type Loose = Record<string, any>;

let cluster: TestCluster;
const NS = 'agents';
const IMAGE_PATTERN = (parseYaml(readFileSync(join(repoRoot, 'crds/agentcore.dev_agentruntimes.yaml'), 'utf8')) as Loose).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.artifact.properties.image.pattern as string;

async function kubectl(...args: string[]): Promise<string> {
  const result = await cluster.kubectl(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

async function failing(args: string[], input?: string): Promise<CommandResult> {
  const result = await cluster.kubectl(args, input);
  expect(result.code).not.toBe(0);
  return result;
}

function runtimeManifest(name: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'agentcore.dev/v1alpha1',
    kind: 'AgentRuntime',
    metadata: { name, namespace: NS },
    spec: { artifact: { image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/agent:1' }, role: { managed: {} }, ...spec },
  });
}

async function setReady(name: string, status: 'True' | 'False'): Promise<void> {
  const patch = {
    status: {
      agentRuntimeId: `${name.replace(/-/g, '_')}-abc1234567`,
      awsStatus: 'READY',
      version: '3',
      conditions: [{ type: 'Ready', status, reason: 'Succeeded', message: 'runtime is ready', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 }],
    },
  };
  await kubectl('patch', 'agentruntime', name, '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify(patch));
}

/** How many watches of AgentRuntimes the apiserver is serving, by its own metrics. */
async function agentRuntimeWatches(): Promise<number> {
  const metrics = await kubectl('get', '--raw', '/metrics');
  return [...metrics.matchAll(/^apiserver_longrunning_requests\{([^}]*)\} (\d+)/gm)]
    .filter(([, labels]) => labels!.includes('resource="agentruntimes"') && labels!.includes('verb="WATCH"'))
    .reduce((n, [, , count]) => n + Number(count), 0);
}

/** Starts a kubectl command that watches AgentRuntimes; resolves once its watch is open (or it has ended), with its result to come. */
async function watchingKubectl(args: string[]): Promise<{ result: Promise<CommandResult> }> {
  const before = await agentRuntimeWatches();
  const result = cluster.kubectl(args);
  let ended = false;
  void result.then(() => (ended = true));
  await waitFor(async () => ended || (await agentRuntimeWatches()) > before, { what: `kubectl ${args[0]} to watch` });
  return { result };
}

beforeAll(async () => {
  cluster = await startTestCluster();
  await kubectl('apply', '-f', join(repoRoot, 'crds'));
  await createNamespace(cluster, NS);
}, 60_000);

afterAll(async () => {
  await cluster.kubectl(['delete', 'namespace', NS, '--wait=false']);
  await cluster.close();
});

describeCluster('kubectl against the cluster', () => {
  it('installs the CRDs and serves their kinds', async () => {
    const again = await kubectl('apply', '-f', join(repoRoot, 'crds'));
    expect(again.trim().split('\n')).toEqual(
      expect.arrayContaining(['customresourcedefinition.apiextensions.k8s.io/agentruntimes.agentcore.dev unchanged', 'customresourcedefinition.apiextensions.k8s.io/gateways.agentcore.dev unchanged']),
    );
    const resources = await kubectl('api-resources', '--api-group=agentcore.dev', '-o', 'name');
    expect(resources.trim().split('\n').sort()).toEqual([
      'agentruntimes.agentcore.dev',
      'apikeycredentialproviders.agentcore.dev',
      'gateways.agentcore.dev',
      'gatewaytargets.agentcore.dev',
      'memories.agentcore.dev',
      'oauth2credentialproviders.agentcore.dev',
      'workloadidentities.agentcore.dev',
    ]);
    const wait = await kubectl('wait', '--for=condition=Established', 'crd/agentruntimes.agentcore.dev', '--timeout=10s');
    expect(wait).toContain('condition met');
    // What the apiserver stores is what we wrote: a normalised schema would read back otherwise, and a
    // server-side apply (helm's) over kubectl's client-side one would then conflict on spec.versions.
    for (const file of readdirSync(join(repoRoot, 'crds'))) {
      const written = parseYaml(readFileSync(join(repoRoot, 'crds', file), 'utf8')) as Loose;
      const stored = JSON.parse(await kubectl('get', 'crd', written.metadata.name, '-o', 'json')) as Loose;
      expect([file, stored.spec.versions]).toEqual([file, written.spec.versions]);
    }
  });

  // A Secret written with stringData reads back as data, so a client-side re-apply always sends the
  // stringData again and prints "configured", on a real apiserver too (kubernetes/kubernetes#87736);
  // nothing changes on the server.
  it('applies the examples, and a second apply leaves every object unchanged', async () => {
    const first = await kubectl('apply', '-f', join(repoRoot, 'manifests/examples'));
    const firstLines = first.trim().split('\n');
    expect(firstLines).toHaveLength(10);
    expect(firstLines.every((line) => line.endsWith(' created'))).toBe(true);
    expect(firstLines).toContain('agentruntime.agentcore.dev/support-agent created');
    expect(firstLines).toContain('secret/shipping-carrier created');
    const versions = async () => (await kubectl('get', 'agentcore,secrets', '-n', NS, '-o', 'jsonpath={.items[*].metadata.resourceVersion}')).split(' ');
    const before = await versions();
    const second = await kubectl('apply', '-f', join(repoRoot, 'manifests/examples'));
    const secondLines = second.trim().split('\n');
    expect(secondLines).toHaveLength(10);
    expect(secondLines.filter((line) => !line.endsWith(' unchanged'))).toEqual(['secret/shipping-carrier configured', 'secret/github-oauth-app configured']);
    expect(await versions()).toEqual(before);
  });

  it('prints the printer columns, and the wide ones with -o wide', async () => {
    await setReady('support-agent', 'True');
    const table = await kubectl('get', 'agentruntimes', '-n', NS);
    const [header, row] = table.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'READY', 'STATUS', 'VERSION', 'ID', 'AGE']);
    expect(row!.split(/\s+/).slice(0, 5)).toEqual(['support-agent', 'True', 'READY', '3', 'support_agent-abc1234567']);
    const wide = await kubectl('get', 'acrt', 'support-agent', '-n', NS, '-o', 'wide');
    expect(wide.split('\n')[0]!.split(/\s+/)).toEqual(['NAME', 'READY', 'STATUS', 'VERSION', 'ID', 'ARN', 'MESSAGE', 'AGE']);
    expect(wide).toContain('runtime is ready');
    const all = await kubectl('get', 'agentcore', '-n', NS, '-o', 'name');
    expect(all.trim().split('\n')).toContain('memory.agentcore.dev/support-memory');
  });

  it('shows the stored object with -o yaml', async () => {
    const object = parseYaml(await kubectl('get', 'agentruntime', 'support-agent', '-n', NS, '-o', 'yaml')) as Loose;
    expect(object.apiVersion).toBe('agentcore.dev/v1alpha1');
    expect(object.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(object.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(object.metadata.generation).toBe(1);
    expect(object.spec.artifact.image).toBe('123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent:1.4.2');
    expect(object.status.awsStatus).toBe('READY');
    const secret = parseYaml(await kubectl('get', 'secret', 'shipping-carrier', '-n', NS, '-o', 'yaml')) as Loose;
    expect(secret.stringData).toBeUndefined();
    expect(Buffer.from(secret.data['api-key'], 'base64').toString()).toBe('replace-with-the-carrier-api-key');
  });

  it('explains the kinds from the CRD schemas', async () => {
    const spec = await kubectl('explain', 'agentruntime.spec');
    expect(spec).toContain('KIND:       AgentRuntime');
    expect(spec).toContain('GROUP:      agentcore.dev');
    expect(spec).toContain('VERSION:    v1alpha1');
    expect(spec).toContain('The desired state of an AgentCore runtime.');
    expect(spec).toMatch(/artifact\s+<Object> -required-/);
    const recursive = await kubectl('explain', 'agentruntime.spec.artifact', '--recursive');
    expect(recursive).toMatch(/image\s+<string>/);
  });

  it('patches, annotates and labels, bumping generation only for spec changes', async () => {
    const name = 'patched-agent';
    await cluster.kubectl(['apply', '-f', '-'], runtimeManifest(name));
    const before = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json')) as Loose;
    expect(await kubectl('patch', 'agentruntime', name, '-n', NS, '--type=merge', '-p', '{"spec":{"description":"patched"}}')).toContain(`agentruntime.agentcore.dev/${name} patched`);
    expect(await kubectl('annotate', 'agentruntime', name, '-n', NS, 'agentcore.dev/requestedAt=now')).toContain(`agentruntime.agentcore.dev/${name} annotated`);
    expect(await kubectl('label', 'agentruntime', name, '-n', NS, 'team=support')).toContain(`agentruntime.agentcore.dev/${name} labeled`);
    const after = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json', '--show-managed-fields')) as Loose;
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(after.spec.description).toBe('patched');
    expect(after.metadata.annotations['agentcore.dev/requestedAt']).toBe('now');
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    const selected = await kubectl('get', 'agentruntimes', '-n', NS, '-l', 'team=support', '-o', 'name');
    expect(selected.trim()).toBe(`agentruntime.agentcore.dev/${name}`);
    const managers = (after.metadata.managedFields as { manager: string }[]).map((m) => m.manager).sort();
    expect(managers).toEqual(expect.arrayContaining(['kubectl-annotate', 'kubectl-label', 'kubectl-patch']));
  });

  it('keeps status and spec apart: the status subresource changes only status, the main resource leaves status alone', async () => {
    const name = 'status-agent';
    await cluster.kubectl(['apply', '-f', '-'], runtimeManifest(name));
    await setReady(name, 'False');
    const withStatus = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json')) as Loose;
    expect(withStatus.metadata.generation).toBe(1);
    await kubectl('patch', 'agentruntime', name, '-n', NS, '--type=merge', '-p', '{"status":{"awsStatus":"FAILED"},"spec":{"description":"x"}}');
    const afterMain = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json')) as Loose;
    expect(afterMain.status.awsStatus).toBe('READY');
    expect(afterMain.spec.description).toBe('x');
    expect(afterMain.metadata.generation).toBe(2);
    await kubectl('patch', 'agentruntime', name, '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"awsStatus":"UPDATING"},"spec":{"description":"y"}}');
    const afterStatus = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json')) as Loose;
    expect(afterStatus.status.awsStatus).toBe('UPDATING');
    expect(afterStatus.spec.description).toBe('x');
    expect(afterStatus.metadata.generation).toBe(2);
  });

  it('waits for the Ready condition a status write sets', async () => {
    const name = 'waited-agent';
    await cluster.kubectl(['apply', '-f', '-'], runtimeManifest(name));
    const waiting = await watchingKubectl(['wait', '--for=condition=Ready', `agentruntime/${name}`, '-n', NS, '--timeout=20s']);
    await setReady(name, 'True');
    const result = await waiting.result;
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`agentruntime.agentcore.dev/${name} condition met`);
  });

  it('holds a deleted object while it has a finalizer, and removes it when the finalizer goes', async () => {
    const name = 'finalized-agent';
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ ...JSON.parse(runtimeManifest(name)), metadata: { name, namespace: NS, finalizers: ['agentcore.dev/finalizer'] } }));
    expect(await kubectl('delete', 'agentruntime', name, '-n', NS, '--wait=false')).toContain(`agentruntime.agentcore.dev "${name}" deleted`);
    const held = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json')) as Loose;
    expect(held.metadata.deletionTimestamp).toEqual(expect.any(String));
    const adding = await failing(['patch', 'agentruntime', name, '-n', NS, '--type=json', '-p', '[{"op":"add","path":"/metadata/finalizers/-","value":"other/finalizer"}]']);
    expect(adding.stderr).toContain('no new finalizers can be added if the object is being deleted');
    const deleting = await watchingKubectl(['delete', 'agentruntime', name, '-n', NS, '--timeout=20s']);
    await kubectl('patch', 'agentruntime', name, '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    expect((await deleting.result).code).toBe(0);
    const gone = await failing(['get', 'agentruntime', name, '-n', NS]);
    expect(gone.stderr.trim()).toBe(`Error from server (NotFound): agentruntimes.agentcore.dev "${name}" not found`);
  });

  it('applies server-side, shares unchanged fields and reports a conflicting manager', async () => {
    const name = 'ssa-agent';
    const manifest = runtimeManifest(name, { description: 'one' });
    expect((await cluster.kubectl(['apply', '--server-side', '-f', '-'], manifest)).stdout.trim()).toBe(`agentruntime.agentcore.dev/${name} serverside-applied`);
    expect((await cluster.kubectl(['apply', '--server-side', '-f', '-'], manifest)).stdout.trim()).toBe(`agentruntime.agentcore.dev/${name} serverside-applied`);
    const other = runtimeManifest(name, { description: 'two' });
    const conflict = await failing(['apply', '--server-side', '--field-manager=someone-else', '-f', '-'], other);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.description');
    const forced = await cluster.kubectl(['apply', '--server-side', '--field-manager=someone-else', '--force-conflicts', '-f', '-'], other);
    expect(forced.code).toBe(0);
    const object = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json', '--show-managed-fields')) as Loose;
    expect(object.spec.description).toBe('two');
    expect((object.metadata.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`).sort()).toEqual(['kubectl/Apply', 'someone-else/Apply']);
  });

  it('rejects an invalid object with the field path, as the apiserver words it', async () => {
    const missing = await failing(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'AgentRuntime', metadata: { name: 'bad', namespace: NS }, spec: {} }));
    expect(missing.stderr).toMatch(/^The AgentRuntime "bad" is invalid: \n\* spec.artifact: Required value\n\* spec.role: Required value\n/);
    const pattern = await failing(['apply', '-f', '-'], runtimeManifest('bad-image', { artifact: { image: 'docker.io/agent:1' } }));
    expect(pattern.stderr.trim()).toBe(
      `The AgentRuntime "bad-image" is invalid: spec.artifact.image: Invalid value: "docker.io/agent:1": spec.artifact.image in body should match '${IMAGE_PATTERN}'`,
    );
    const badEnum = await failing(['apply', '-f', '-'], runtimeManifest('bad-enum', { protocol: 'SMTP' }));
    expect(badEnum.stderr).toContain('spec.protocol: Unsupported value: "SMTP": supported values: ');
    const unknown = await failing(['apply', '-f', '-'], runtimeManifest('bad-field', { colour: 'blue' }));
    expect(unknown.stderr).toContain('unknown field "spec.colour"');
    const none = await failing(['get', 'agentruntime', 'bad', '-n', NS]);
    expect(none.stderr).toContain('not found');
  });

  it('refuses to change an immutable field (a CEL transition rule)', async () => {
    const name = 'named-agent';
    await cluster.kubectl(['apply', '-f', '-'], runtimeManifest(name, { runtimeName: 'first_name' }));
    const change = await failing(['apply', '-f', '-'], runtimeManifest(name, { runtimeName: 'second_name' }));
    expect(change.stderr).toContain('spec.runtimeName: Invalid value');
    expect(change.stderr).toContain('runtimeName is immutable');
  });

  it('answers a stale update with a conflict', async () => {
    const name = 'stale-agent';
    await cluster.kubectl(['apply', '-f', '-'], runtimeManifest(name));
    const stale = JSON.parse(await kubectl('get', 'agentruntime', name, '-n', NS, '-o', 'json')) as Loose;
    await kubectl('label', 'agentruntime', name, '-n', NS, 'moved=yes');
    stale.spec.description = 'from a stale copy';
    const replaced = await failing(['replace', '-f', '-'], JSON.stringify(stale));
    expect(replaced.stderr).toContain(`Operation cannot be fulfilled on agentruntimes.agentcore.dev "${name}": the object has been modified; please apply your changes to the latest version and try again`);
  });
});
