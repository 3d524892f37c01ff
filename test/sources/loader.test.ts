import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadText } from '../../src/sources/files/loader.js';
import { formatProblem, loadManifests } from '../../src/sources/files/manifests.js';

const runtime = (name: string, extra = '') => `apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata:
  name: ${name}
  namespace: agents
spec:
  artifact:
    image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/agent:1
  role:
    arn: arn:aws:iam::123456789012:role/R
${extra}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentcore-loader-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
}

describe('loadText', () => {
  test('multi-document files: each document with its starting line; empty documents are skipped', () => {
    const result = loadText(`---\n${runtime('a')}---\n---\n# only a comment\n---\n${runtime('b')}`, 'x.yaml');
    expect(result.problems).toEqual([]);
    expect(result.documents.map((d) => [d.line, (d.content as { metadata: { name: string } }).metadata.name])).toEqual([
      [2, 'a'],
      [16, 'b'],
    ]);
  });

  test('lineOf points at the field, or at its nearest existing parent', () => {
    const [doc] = loadText(runtime('a', '  endpoints:\n    - name: prod\n    - name: bad-name\n'), 'x.yaml').documents;
    expect(doc!.lineOf(['spec', 'endpoints', 1, 'name'])).toBe(13);
    expect(doc!.lineOf(['spec', 'role', 'arn'])).toBe(10);
    expect(doc!.lineOf(['spec', 'lifecycle', 'maxLifetimeSeconds'])).toBe(6);
  });

  test('kind: List is expanded into its items, each with its own line', () => {
    const item = (name: string) => `  - apiVersion: agentcore.dev/v1alpha1\n    kind: Memory\n    metadata:\n      name: ${name}\n    spec: {}\n`;
    const result = loadText(`apiVersion: v1\nkind: List\nitems:\n${item('a')}${item('b')}`, 'list.yaml');
    expect(result.problems).toEqual([]);
    expect(result.documents.map((d) => [d.line, (d.content as { metadata: { name: string } }).metadata.name])).toEqual([[4, 'a'], [9, 'b']]);
    expect(result.documents[1]!.lineOf(['metadata', 'name'])).toBe(12);
  });

  test.each<[string, string, number, string]>([
    ['a syntax error', 'spec: [unclosed\n', 2, 'invalid YAML'],
    ['a duplicate key', 'kind: A\nkind: B\n', 2, 'invalid YAML: Map keys must be unique'],
    ['a tab in indentation', 'spec:\n\tname: x\n', 2, 'invalid YAML'],
    ['a document that is a list', '- a\n- b\n', 1, 'a manifest must be a mapping'],
    ['a document that is a string', 'hello\n', 1, 'a manifest must be a mapping'],
  ])('%s is a problem with its line', (_, text, line, message) => {
    const result = loadText(text, 'bad.yaml');
    expect(result.documents).toEqual([]);
    expect(result.problems[0]).toMatchObject({ file: 'bad.yaml', line });
    expect(result.problems[0]!.message).toContain(message);
  });
});

describe('loadManifests', () => {
  test('a directory is read recursively in a stable order; hidden folders and other files are ignored', () => {
    write('tree/b.yaml', runtime('b'));
    write('tree/a/one.yml', runtime('a1'));
    write('tree/a/two.json', JSON.stringify({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'WorkloadIdentity', metadata: { name: 'wi-json' }, spec: {} }));
    write('tree/.git/config.yaml', runtime('hidden'));
    write('tree/README.md', '# not a manifest');
    const set = loadManifests([join(dir, 'tree')], dir);
    expect(set.problems).toEqual([]);
    expect(set.objects.map((o) => `${o.file} ${o.object.metadata.name}`)).toEqual(['tree/a/one.yml a1', 'tree/a/two.json wi-json', 'tree/b.yaml b']);
    expect(set.objects.find((o) => o.object.metadata.name === 'wi-json')!.namespace).toBe('default');
  });

  test('documents of other API groups are skipped, not rejected', () => {
    const file = write('mixed.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: agents\n---\n${runtime('a')}`);
    const set = loadManifests([file], dir);
    expect(set.problems).toEqual([]);
    expect(set.skipped).toHaveLength(1);
    expect(set.objects).toHaveLength(1);
  });

  test('problems name the file, the line, the object and the field path', () => {
    const file = write('bad/runtime.yaml', runtime('support-agent', '  protocol: GRPC\n'));
    const set = loadManifests([file], dir);
    expect(set.problems.map(formatProblem)).toEqual(['bad/runtime.yaml:11: AgentRuntime agents/support-agent: spec.protocol: must be one of: HTTP, MCP, A2A, AGUI']);
  });

  test('an object defined twice is a problem at the second definition', () => {
    const first = write('dup/1.yaml', runtime('same'));
    const second = write('dup/2.yaml', runtime('same'));
    const set = loadManifests([first, second], dir);
    expect(set.problems.map(formatProblem)).toEqual(['dup/2.yaml:1: AgentRuntime agents/same: defined twice; first at dup/1.yaml:1']);
  });

  test('two objects that derive one AWS name collide', () => {
    const file = write('collide.yaml', `${runtime('support-agent')}---\n${runtime('support.agent')}`);
    const set = loadManifests([file], dir);
    expect(set.problems.map(formatProblem)).toEqual([
      'collide.yaml:12: AgentRuntime agents/support.agent: spec.runtimeName: AWS name support_agent is already used by AgentRuntime agents/support-agent (collide.yaml:1)',
    ]);
  });

  test('gateway targets only collide within one gateway', () => {
    const target = (name: string, gateway: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: GatewayTarget\nmetadata: {name: ${name}}\nspec:\n  gatewayRef: {name: ${gateway}}\n  targetName: tools\n  mcpServer: {endpoint: "https://x.example.com"}\n`;
    const file = write('targets.yaml', [target('a', 'gw1'), target('b', 'gw2'), target('c', 'gw1')].join('---\n'));
    const set = loadManifests([file], dir);
    expect(set.problems.map((p) => p.object)).toEqual(['GatewayTarget default/c']);
  });

  test('a path that does not exist is a problem, not a crash', () => {
    const set = loadManifests([join(dir, 'missing')], dir);
    expect(set.problems.map(formatProblem)).toEqual([`${join(dir, 'missing')}: cannot read: ENOENT`]);
  });
});

describe('aliases', () => {
  test.each<[string, string]>([
    ['an alias to no anchor', 'a: *missing\n'],
    ['an alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(10).fill('*a').join(', ')}]\nc: &c [${Array(10).fill('*b').join(', ')}]\nd: [${Array(10).fill('*c').join(', ')}]\n`],
  ])('%s is a problem, not a crash', (_, text) => {
    const result = loadText(text, 'alias.yaml');
    expect(result.documents).toEqual([]);
    expect(result.problems[0]).toMatchObject({ file: 'alias.yaml', line: 1 });
    expect(result.problems[0]!.message).toMatch(/^invalid YAML: /);
  });
});

describe('bounded input: over a limit is a problem naming the file, line and path, never a crash or a hang', () => {
  const limits = { maxFileBytes: 4096, maxDocuments: 3, maxDepth: 8 };

  test('an alias that contains itself', () => {
    const result = loadText(runtime('a', '  description: x\n  extra: &s {self: *s}\n'), 'cycle.yaml');
    expect(result.documents).toEqual([]);
    expect(result.problems).toEqual([{ file: 'cycle.yaml', line: 12, message: 'a YAML alias refers to a node that contains it, at spec.extra.self' }]);
  });

  test('a list that holds itself', () => {
    expect(loadText('a: &l [1, *l]\n', 'list.yaml').problems.map((p) => p.message)).toEqual(['a YAML alias refers to a node that contains it, at a[1]']);
  });

  test('an anchor used twice side by side is no cycle', () => {
    const result = loadText(runtime('a', '  env: &e {A: "1"}\n  tags: *e\n'), 'shared.yaml');
    expect(result.problems).toEqual([]);
  });

  test('nesting deeper than the limit', () => {
    const deep = `${'{a: '.repeat(9)}1${'}'.repeat(9)}`;
    const result = loadText(`kind: X\nspec: ${deep}\n`, 'deep.yaml', limits);
    expect(result.problems.map((p) => [p.line, p.message])).toEqual([[2, 'nested more than 8 levels deep (--max-depth), at spec.a.a.a.a.a.a.a']]);
    expect(loadText(`kind: X\nspec: ${'{a: '.repeat(6)}1${'}'.repeat(6)}\n`, 'shallow.yaml', limits).problems).toEqual([]);
  });

  test('more documents, or List items, than the limit', () => {
    expect(loadText(['a: 1', 'b: 2', 'c: 3', 'd: 4'].join('\n---\n'), 'many.yaml', limits).problems).toEqual([
      { file: 'many.yaml', line: 1, message: '4 documents, over the limit of 3 in one file (--max-documents)' },
    ]);
    const list = `apiVersion: v1\nkind: List\nitems:\n${['a', 'b', 'c', 'd'].map((n) => `  - {kind: X, metadata: {name: ${n}}}\n`).join('')}`;
    expect(loadText(list, 'list.yaml', limits).problems.map((p) => p.message)).toEqual(['a List of 4 items, over the limit of 3 in one file (--max-documents)']);
  });

  test('a file over the size limit is not read', () => {
    const text = `# ${'x'.repeat(5000)}\n${runtime('a')}`;
    const set = loadManifests([write('big/big.yaml', text)], dir, limits);
    expect(set.problems.map(formatProblem)).toEqual([`${join('big', 'big.yaml')}: ${Buffer.byteLength(text)} bytes, over the limit of 4096 (--max-file-bytes)`]);
  });

  test('a FIFO named like a manifest is skipped in a folder and refused by name, without blocking', () => {
    const folder = join(dir, 'fifo');
    mkdirSync(folder, { recursive: true });
    execFileSync('mkfifo', [join(folder, 'pipe.yaml')]);
    write('fifo/real.yaml', runtime('a'));
    expect(loadManifests([folder], dir).objects.map((o) => o.object.metadata.name)).toEqual(['a']);
    expect(loadManifests([join(folder, 'pipe.yaml')], dir).problems.map(formatProblem)).toEqual([`${join('fifo', 'pipe.yaml')}: not a regular file`]);
  });
});
