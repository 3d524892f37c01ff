/**
 * Every kind is complete: walking the API registry (api/kinds.ts), each kind must have its schema, a
 * ResourceKind in the reconcilers' registry with a folder of its own, an emulator that answers every
 * call that folder makes (and so the conformance test that holds those answers to AWS's model), an API
 * class and an IAM permission (declared in its permissions, and so in docs/iam-policy.json) for each of those calls, an example, its docs, its place in the chart's
 * RBAC, a reconciler test and a file-mode scenario that applies it. A new kind without one of these
 * fails here, naming what is missing.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS } from '../../src/api/kinds.js';
import { kindDocFileName } from '../../src/api/docs.js';
import { apiClassOf } from '../../src/aws/api-classes.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { RESOURCE_KINDS } from '../../src/reconcilers/index.js';
import { sentCommands } from '../aws/sent-commands.js';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const filesIn = (dir: string) => readdirSync(join(root, dir)).map((f) => join(dir, f));

const AGENTCORE = '@aws-sdk/client-bedrock-agentcore-control';
const emulated = new Set(agentCoreService().operations.map((op) => op.name));
const policy = JSON.parse(read('docs/iam-policy.json')) as { Statement: { Effect: string; Action: string | string[] }[] };
const allowed = new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
const examples = filesIn('manifests/examples').map(read).join('\n');
const rbac = read('charts/agentcore-operator/templates/_kinds.tpl');
const reconcilerTests = filesIn('test/reconcilers').map(read).join('\n');
const scenarios = filesIn('test/scenarios').map(read).join('\n');

/** What a kind lacks, in words; empty when it is complete. */
function missing(kind: (typeof KINDS)[number]): string[] {
  const lacks: string[] = [];
  const folder = `src/reconcilers/${kind.kind.toLowerCase()}`;
  if (!kind.spec || !kind.status) lacks.push('a spec and a status schema');
  if (!RESOURCE_KINDS.some((k) => k.kind === kind.kind)) lacks.push('a ResourceKind in src/reconcilers/index.ts');
  if (!existsSync(join(root, folder))) lacks.push(`its folder ${folder}`);
  const calls = sentCommands().filter((c) => c.where.startsWith(`${folder}/`));
  if (!calls.some((c) => c.pkg === AGENTCORE)) lacks.push(`AgentCore calls in ${folder}`);
  for (const op of new Set(calls.map((c) => c.operation))) {
    try {
      apiClassOf(op);
    } catch {
      lacks.push(`an API class for ${op}`);
    }
  }
  // Calls to other services (ECR, S3) are held to the policy by test/packaging/iam-policy.test.ts.
  const agentCoreCalls = new Set(calls.filter((c) => c.pkg === AGENTCORE).map((c) => c.operation));
  const declared = new Set(RESOURCE_KINDS.find((k) => k.kind === kind.kind)?.permissions.operations);
  for (const op of agentCoreCalls) {
    if (!emulated.has(op)) lacks.push(`an emulated ${op} (and so its conformance test)`);
    if (!declared.has(op)) lacks.push(`${op} in its permissions.operations`);
    if (!allowed.has(`bedrock-agentcore:${op}`)) lacks.push(`bedrock-agentcore:${op} in docs/iam-policy.json`);
  }
  for (const op of declared) if (!agentCoreCalls.has(op)) lacks.push(`a call of ${op}, which its permissions.operations names, in ${folder}`);
  if (!new RegExp(`^kind: ${kind.kind}$`, 'm').test(examples)) lacks.push('an example in manifests/examples');
  if (!existsSync(join(root, 'docs', 'api', kindDocFileName(kind)))) lacks.push(`docs/api/${kindDocFileName(kind)}`);
  if (!rbac.includes(`"${kind.plural}"`) || !rbac.includes(`"${kind.plural}/status"`)) lacks.push('its resources in the chart\'s RBAC');
  const named = [`'${kind.kind}'`, `${kind.kind[0]!.toLowerCase()}${kind.kind.slice(1)}Reconciler`, `reconcile${kind.kind}`];
  if (!named.some((n) => reconcilerTests.includes(n))) lacks.push('a reconciler test in test/reconcilers');
  if (!scenarios.includes("'manifests', 'examples'")) lacks.push('a file-mode scenario that applies the examples');
  return lacks;
}

describe('every kind of the registry is complete', () => {
  test.each(KINDS.map((k) => [k.kind, k] as const))('%s', (_, kind) => {
    expect(missing(kind)).toEqual([]);
  });

  test('the two registries name the same kinds', () => {
    expect(RESOURCE_KINDS.map((k) => k.kind).sort()).toEqual(KINDS.map((k) => k.kind).sort());
  });
});
