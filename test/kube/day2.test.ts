/**
 * The day-2 commands against the real apiserver, run as kubectl runs a plugin: `kubectl agentcore
 * get|suspend|resume|reconcile`, found on the PATH as kubectl-agentcore (the package's second bin).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run } from '../helpers/cli.js';
import { createNamespace, describeCluster, kubeTools } from '../helpers/kube.js';
import { isReady, startStack, type RunningOperator, type Stack } from '../helpers/operator.js';
import { waitFor } from '../helpers/wait.js';

const NS = 'day-two';
let stack: Stack;
let bin: string;
let operator: RunningOperator | undefined;

beforeAll(async () => {
  stack = await startStack([], []);
  await createNamespace(stack.cluster, NS);
  // What `npm install -g` makes of the package's bin entry: kubectl-agentcore on the PATH.
  bin = mkdtempSync(join(tmpdir(), 'agentcore-plugin-'));
  writeFileSync(join(bin, 'kubectl-agentcore'), `#!/bin/sh\nexec '${process.execPath}' '${join(repoRoot, 'dist', 'cli', 'main.js')}' "$@"\n`);
  chmodSync(join(bin, 'kubectl-agentcore'), 0o755);
  await stack.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'Memory', metadata: { name: 'notes', namespace: NS }, spec: { eventExpiryDays: 30 } }));
  // Freshly installed CRDs answer 503 "storage is (re)initializing" for a moment: wait until every kind lists.
  await waitFor(async () => (await stack.cluster.kubectl(['get', 'agentcore', '-n', NS])).code === 0, { timeoutMs: 30_000, what: 'every kind to be listable' });
}, 60_000);

afterAll(async () => {
  await operator?.kill('SIGKILL');
  rmSync(bin, { recursive: true, force: true });
  await stack?.close();
});

/** `kubectl agentcore ...` with the test cluster's kubeconfig. */
const plugin = (...args: string[]) => run(kubeTools().kubectl, ['agentcore', ...args], { ...process.env, PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: stack.cluster.kubeconfig });
const memory = () => stack.get('memories', 'notes', NS);

describeCluster('kubectl agentcore', () => {
  test('get lists the objects with their readiness; suspend and resume set and clear spec.suspend', async () => {
    const listed = await plugin('get', '-n', NS);
    expect(listed.stderr).toBe('');
    expect([listed.code, listed.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^NAMESPACE +OBJECT +READY +SUSPENDED +MESSAGE$/)]);
    expect(listed.stdout).toMatch(/day-two +Memory\/notes +Unknown +False/);

    expect(await plugin('suspend', 'memory/notes', '-n', NS)).toMatchObject({ code: 0, stdout: 'Memory/notes suspended\n' });
    expect((await memory()).spec.suspend).toBe(true);
    expect((await plugin('get', '-n', NS)).stdout).toMatch(/Memory\/notes +Unknown +True/);
    expect(await plugin('resume', 'Memory/notes', '-n', NS)).toMatchObject({ code: 0, stdout: 'Memory/notes resumed\n' });
    // Cleared, so the CRD's default holds again.
    expect((await memory()).spec.suspend ?? false).toBe(false);
  });

  test('reconcile asks the operator and waits until it has handled the request', async () => {
    operator = stack.startOperator(['--namespaces', NS]);
    await waitFor(async () => isReady(await memory()), { timeoutMs: 60_000, what: 'the operator to make the memory Ready' });
    const reconciled = await plugin('reconcile', 'memories/notes', '-n', NS, '--timeout', '60s');
    expect([reconciled.code, reconciled.stderr, reconciled.stdout]).toEqual([0, '', expect.stringMatching(/^Memory\/notes reconciled: Ready True, /)]);
    const status = (await memory()).status as { lastHandledReconcileAt?: string };
    expect(status.lastHandledReconcileAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 90_000);

  test('a target that is not Kind/name, or an unknown kind, is refused with the kinds listed', async () => {
    const refused = await plugin('suspend', 'notes', '-n', NS);
    expect([refused.code, refused.stderr]).toEqual([1, 'name the object as Kind/name (Kind one of AgentRuntime, Memory, Gateway, GatewayTarget, WorkloadIdentity, OAuth2CredentialProvider, ApiKeyCredentialProvider): notes\n']);
  });
});
