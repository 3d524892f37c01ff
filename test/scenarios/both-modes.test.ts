/**
 * The same scenarios in both modes: file mode (`agentcore-operator apply` and `delete` on a folder) and
 * cluster mode (`kubectl apply` and `delete` with the operator running against a real kube-apiserver),
 * one emulator behind both. Where a behaviour belongs to both modes, both must show it: the outcome is
 * read from AWS, not from either front end.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetAgentRuntimeCommand, ListAgentRuntimesCommand, ListGatewaysCommand, ListGatewayTargetsCommand, ListMemoriesCommand, UpdateAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { cli, repoRoot } from '../helpers/cli.js';
import { describeCluster } from '../helpers/kube.js';
import { conditionOf, eventually, isReady, startStack, type ObjectWithStatus, type RunningOperator, type Stack } from '../helpers/operator.js';

const NAMESPACE = 'agents';
const EXAMPLES = join(repoRoot, 'manifests', 'examples');
const IMAGE = '123456789012.dkr.ecr.us-west-2.amazonaws.com/support-agent';

let stack: Stack;
let operator: RunningOperator;
let dir: string;

/** What a scenario does through a front end; each call returns once that front end says it is done. */
interface Mode {
  name: string;
  apply(path: string): Promise<void>;
  /** Asks for a look at AWS again without a spec change (a re-apply, a reconcile request). */
  resync(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  /** The object's status and conditions as that mode reports them. */
  status(kind: string, name: string, path: string): Promise<{ drifted: boolean }>;
}

const awsFlags = () => ['--endpoint-url', stack.emulator.url, '--region', 'us-west-2', '--poll-ms', '50', '--timeout', '90s'];
const run = async (args: string[]) => {
  const result = await cli(args);
  if (result.code !== 0) throw new Error(`${args[0]} exited ${result.code}: ${result.out}`);
  return result.out;
};

const fileMode: Mode = {
  name: 'file mode',
  apply: async (path) => void (await run(['apply', '-f', path, ...awsFlags()])),
  resync: async (path) => void (await run(['apply', '-f', path, ...awsFlags()])),
  delete: async (path) => void (await run(['delete', '-f', path, ...awsFlags()])),
  status: async (_kind, _name, path) => ({ drifted: (await run(['apply', '-f', path, ...awsFlags()])).includes('drift reported') }),
};

const listed = async () => (JSON.parse(await stack.kubectl(['get', 'agentcore', '-n', NAMESPACE, '-o', 'json'])) as { items: ObjectWithStatus[] }).items;

const clusterMode: Mode = {
  name: 'cluster mode',
  async apply(path) {
    await stack.kubectl(['apply', '-n', NAMESPACE, '-f', path]);
    await eventually(async () => {
      if (operator.child.exitCode !== null) throw new Error(`the operator exited: ${operator.output()}`);
      const items = await listed();
      return items.length > 0 && items.every(isReady);
    }, 90_000, 'every object to be Ready');
  },
  async resync() {
    const at = new Date().toISOString();
    for (const o of await listed()) await stack.kubectl(['annotate', '--overwrite', o.kind.toLowerCase(), o.metadata.name, '-n', NAMESPACE, `agentcore.dev/requestedAt=${at}`]);
    await eventually(async () => (await listed()).every((o) => o.status?.lastHandledReconcileAt === at), 30_000, 'every object to handle the reconcile request');
  },
  async delete(path) {
    await stack.kubectl(['delete', '-n', NAMESPACE, '-f', path, '--wait=false']);
    await eventually(async () => (await listed()).length === 0, 120_000, 'every object to be deleted');
  },
  async status(kind, name) {
    const o = await stack.get(kind, name, NAMESPACE);
    return { drifted: conditionOf(o, 'Drifted')?.status === 'True' };
  },
};

describeCluster('the same scenarios in file mode and in cluster mode', () => {
  const saved = { ...process.env };
  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'both-modes' });
    stack = await startStack([NAMESPACE], []);
    operator = stack.startOperator();
    dir = mkdtempSync(join(tmpdir(), 'both-modes-'));
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.emulator.admin('POST', 'reset');
    for (const tag of ['1', '1.4.2']) await stack.emulator.admin('POST', 'ecr/push', { region: 'us-west-2', repository: 'support-agent', tag });
  });

  describe.each([fileMode, clusterMode])('$name', (mode) => {
    test('the examples are applied, then deleted: targets before their gateway, managed roles last, nothing left', async () => {
      await mode.apply(EXAMPLES);
      const [gateway] = (await stack.aws.agentcore.send(new ListGatewaysCommand({}))).items!;
      expect((await stack.aws.agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gateway!.gatewayId }))).items).toHaveLength(2);
      await mode.delete(EXAMPLES);
      expect((await stack.aws.agentcore.send(new ListGatewaysCommand({}))).items).toEqual([]);
      expect((await stack.aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toEqual([]);
      expect((await stack.aws.agentcore.send(new ListMemoriesCommand({}))).memories!.filter((m) => m.status !== 'DELETING')).toEqual([]);
      for (const RoleName of ['agentcore-gateway-agents-support-tools', 'agentcore-agentruntime-agents-support-agent']) {
        await expect(stack.aws.iam.send(new GetRoleCommand({ RoleName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
      }
    }, 240_000);

    test('driftPolicy: Report records an out-of-band change and leaves it in place', async () => {
      const tree = join(dir, mode.name.replace(' ', '-'));
      mkdirSync(tree, { recursive: true });
      const spec = `  artifact:\n    image: ${IMAGE}:1\n  role:\n    arn: arn:aws:iam::123456789012:role/AgentRole\n  description: as specified\n  driftPolicy: Report\n`;
      writeFileSync(join(tree, 'runtime.yaml'), `apiVersion: agentcore.dev/v1alpha1\nkind: AgentRuntime\nmetadata:\n  name: reported\n  namespace: ${NAMESPACE}\nspec:\n${spec}`);
      await mode.apply(tree);
      const [summary] = (await stack.aws.agentcore.send(new ListAgentRuntimesCommand({}))).agentRuntimes!;
      const { agentRuntimeId, agentRuntimeVersion: _version, ...live } = await stack.aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: summary!.agentRuntimeId }));
      await stack.aws.agentcore.send(new UpdateAgentRuntimeCommand({ ...(live as object), agentRuntimeId, description: 'changed by hand' } as never));
      await mode.resync(tree);
      expect(await mode.status('agentruntime', 'reported', tree)).toEqual({ drifted: true });
      expect((await stack.aws.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId }))).description).toBe('changed by hand');
      await mode.delete(tree);
    }, 120_000);
  });
});
