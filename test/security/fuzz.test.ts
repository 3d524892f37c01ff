/**
 * Fuzzed and hostile manifests through each way in: `validate` and `plan` (the built command, in a
 * process of its own) and cluster mode (the operator, behind CRDs that keep whatever they are given).
 * Whatever the input: no crash, no hang, every problem names its file (its line where there is text to
 * point into, its field path when a field is at fault), and nothing invalid costs an AWS call. The
 * documents come from a fixed seed (FUZZ_SEED overrides it), so a failure replays.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { KINDS } from '../../src/api/kinds.js';
import { API_VERSION } from '../../src/api/meta.js';
import { formatPath, validateObject } from '../../src/api/validation.js';
import { defaultServices } from '../../src/emulator/index.js';
import type { LoggedRequest } from '../../src/emulator/server.js';
import { MAX_MESSAGE_LENGTH } from '../../src/reconcilers/conditions.js';
import { loadManifests } from '../../src/sources/files/manifests.js';
import { repoRoot } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createNamespace, describeCluster, installCrds } from '../helpers/kube.js';
import { conditionOf, startStack, type ObjectWithStatus, type RunningOperator, type Stack } from '../helpers/operator.js';
import { waitFor } from '../helpers/wait.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_250_611);
const PER_FILE = 100;
const CLUSTER_SAMPLE = 300;
const NAMESPACE = 'fuzz';

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Record<string | number, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- The fuzzed documents ----

const examples: Doc[] = loadManifests([join(repoRoot, 'manifests', 'examples')]).objects.map(({ object: { apiVersion, kind, metadata, spec } }) => ({ apiVersion, kind, metadata, spec }));

type FieldPath = (string | number)[];
interface Mutation { at: number; action: 'set' | 'delete' | 'add'; value: unknown; key: string }

/** Every node below the root of a value, as paths, parents before children. */
function nodesOf(value: unknown, path: FieldPath = []): FieldPath[] {
  const children: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : isRecord(value) ? Object.entries(value) : [];
  return children.flatMap(([key, child]) => [[...path, key], ...nodesOf(child, [...path, key])]);
}

/** One node of the document (chosen by `at`, modulo their number) replaced, removed, or given a field. */
function mutate(doc: Doc, m: Mutation): Doc {
  const copy = structuredClone(doc);
  const nodes = nodesOf(copy);
  if (nodes.length === 0) return copy;
  const path = nodes[m.at % nodes.length]!;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (m.action === 'set') parent[key] = m.value;
  else if (m.action === 'delete' && Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (m.action === 'delete') delete parent[key];
  else if (isRecord(parent[key])) parent[key][m.key] = m.value;
  return copy;
}

/** The document with metadata.name set, where it still has a metadata mapping to set it in. */
function named(doc: Doc, name: string): Doc {
  return isRecord(doc.metadata) ? { ...doc, metadata: { ...doc.metadata, name } } : doc;
}

const mutation = fc.record({ at: fc.nat(), action: fc.constantFrom<Mutation['action']>('set', 'delete', 'add'), value: fc.jsonValue({ maxDepth: 3 }), key: fc.string({ maxLength: 12 }) });
const mutatedExample = fc.tuple(fc.constantFrom(...examples), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([example, mutations]) => mutations.reduce(mutate, example));
const anySpec = fc.tuple(fc.constantFrom(...KINDS.map((k) => k.kind)), fc.jsonValue({ maxDepth: 4 })).map(([kind, spec]): Doc => ({ apiVersion: API_VERSION, kind, metadata: {}, spec }));
const YAMLISH = [
  'a', 'kind: Memory\n', 'apiVersion: agentcore.dev/v1alpha1\n', 'metadata:\n', 'spec:\n', ':', ' ', '  ', '\n', '\r\n', '\r', '\t', '-', '- ', '? ',
  '[', ']', '{', '}', ',', '"', "'", '#', '*a', '&a ', '<<: ', '!', '!!binary ', '|', '>', '---\n', '...\n', '%YAML 1.2\n', '\\',
  '\u0000', '\u001b[2K', '\uFEFF', '\u2028',
];
const yamlishText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.constantFrom(...YAMLISH), maxLength: 80 }));

const at = (offset: number) => ({ seed: SEED + offset });
/** 10,000 documents: mutated examples, arbitrary JSON as documents and as the spec of each kind, and YAML-ish text. */
const corpus = {
  mutated: fc.sample(mutatedExample, { ...at(0), numRuns: 5000 }).map((d, i) => named(d, `fuzz-m-${i}`)),
  json: fc.sample(fc.jsonValue({ maxDepth: 4 }), { ...at(1), numRuns: 1500 }),
  specs: fc.sample(anySpec, { ...at(2), numRuns: 1000 }).map((d, i) => named(d, `fuzz-s-${i}`)),
  texts: fc.sample(yamlishText, { ...at(3), numRuns: 2500 }),
};

const chunks = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / PER_FILE) }, (_, i) => items.slice(i * PER_FILE, (i + 1) * PER_FILE));
const pad = (i: number) => String(i).padStart(2, '0');

/** The corpus as a tree of files of 100 documents each; the specs as `kind: List` JSON files. Answers the files' text by path. */
function writeCorpus(root: string): Map<string, string> {
  const files = new Map<string, string>();
  chunks(corpus.mutated).forEach((docs, i) => files.set(`mutated/${i < 25 ? 'a' : 'b'}/${pad(i)}.yaml`, docs.map((d) => stringify(d)).join('---\n')));
  chunks(corpus.json).forEach((docs, i) => files.set(`json/${pad(i)}.yaml`, docs.map((d) => stringify(d)).join('---\n')));
  chunks(corpus.specs).forEach((docs, i) => files.set(`lists/${pad(i)}.json`, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }, null, 2)));
  chunks(corpus.texts).forEach((texts, i) => files.set(`text/${pad(i)}.yaml`, texts.join('\n---\n')));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return files;
}

// ---- Running the built command ----

interface Ran { code: number | null; hung: boolean; out: string; err: string }

/** The built command in a process of its own; one still running after `timeoutMs` is killed and said to have hung. */
function command(args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'fuzz-test', AWS_REGION: 'us-west-2' };
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let hung = false;
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, hung, out, err });
    });
  });
}

const CRASH = /^\s+at |RangeError|TypeError|FATAL|Unhandled|node:internal/m;


/** How a run ended, in one value that a failed assertion shows whole. */
const ending = (run: Ran) => ({ code: run.code, hung: run.hung, stderr: run.err, crash: CRASH.exec(run.out + run.err)?.[0] ?? null });

interface Problem { file: string; line: number; object?: string; path?: string; message: string }
interface Report { objects: unknown[]; problems: Problem[]; skipped: unknown[] }

/** A problem as the text output prints it: control characters written as \\u escapes. */
const printed = (p: Problem) => `${p.line > 0 ? `${p.file}:${p.line}` : p.file}:${p.object ? ` ${p.object}:` : ''}${p.path ? ` ${p.path}:` : ''} ${p.message}`
  .replace(/[^\P{Cc}\t]|[\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** What is wrong with a whole document or file rather than a field of an object: it needs no field path. */
const WHOLE_DOCUMENT = [/^invalid YAML: /, /^a manifest must be a mapping with apiVersion, kind, metadata and spec$/, /^must be a mapping with apiVersion, kind, metadata and spec$/];

describe('10,000 fuzzed documents through validate and plan', () => {
  let root: string;
  let files: Map<string, string>;
  let emulator: TestEmulator;
  const requests = async () => (await emulator.admin<{ requests: LoggedRequest[] }>('GET', 'requests')).requests;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'agentcore-fuzz-'));
    files = writeCorpus(root);
    emulator = await startTestEmulator(defaultServices());
  });
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    await emulator?.close();
  });

  test('the corpus holds 10,000 documents in files of at most 100', () => {
    expect(Object.values(corpus).reduce((n, docs) => n + docs.length, 0)).toBe(10_000);
    expect(files.size).toBe(100);
  });

  test('validate exits 1 without a crash; each problem names its file, a line in it, and a field path unless a whole document is at fault', async () => {
    const json = await command(['validate', '-f', '.', '-o', 'json'], root, 60_000);
    const text = await command(['validate', '-f', '.'], root, 60_000);
    expect(ending(json)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    expect(ending(text)).toEqual({ code: 1, hung: false, stderr: '', crash: null });

    const report = JSON.parse(json.out) as Report;
    const lineCount = new Map([...files].map(([path, content]) => [path, content.split(/\r\n|\r|\n/).length]));
    const unplaced = report.problems.filter((p) => !files.has(p.file) || p.line < 1 || p.line > lineCount.get(p.file)!);
    const pathless = report.problems.filter((p) => !p.path && !WHOLE_DOCUMENT.some((m) => m.test(p.message)));
    const multiline = report.problems.filter((p) => `${p.object ?? ''}${p.path ?? ''}${p.message}`.includes('\n'));
    expect({ unplaced: unplaced.slice(0, 5), pathless: pathless.slice(0, 5), multiline: multiline.slice(0, 5) }).toEqual({ unplaced: [], pathless: [], multiline: [] });
    expect(new Set(report.problems.map((p) => p.file))).toEqual(new Set(files.keys()));

    const lines = text.out.split('\n');
    const table = report.objects.length > 0 ? report.objects.length + 1 : 0;
    const skipped = report.skipped.length > 0 ? `; ${report.skipped.length} document(s) of other API groups skipped` : '';
    expect(lines.slice(0, report.problems.length)).toEqual(report.problems.map(printed));
    expect(lines.slice(report.problems.length + table)).toEqual([`${report.objects.length} valid object(s), ${report.problems.length} problem(s)${skipped}`, '']);
  }, 240_000);

  test('plan prints the problems the files have on their own, exits 1 without a crash, and sends AWS nothing', async () => {
    const unreferenced = await command(['validate', '-f', '.', '-o', 'json', '--no-references'], root, 60_000);
    expect(ending(unreferenced)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    const alone = JSON.parse(unreferenced.out) as Report;
    await emulator.admin('DELETE', 'requests');
    const plan = await command(['plan', '-f', '.', '--endpoint-url', emulator.url, '--region', 'us-west-2'], root, 60_000);
    expect(ending(plan)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    expect(plan.out).toBe([...alone.problems.map(printed), `${alone.problems.length} problem(s); nothing was sent to AWS`, ''].join('\n'));
    expect(await requests()).toEqual([]);

    // The same emulator does hear a plan of a valid tree, so the silence above is the command's.
    const valid = mkdtempSync(join(tmpdir(), 'agentcore-fuzz-valid-'));
    try {
      writeFileSync(join(valid, 'memory.yaml'), stringify(named(examples.find((e) => e.kind === 'Memory')!, 'fuzz-control')));
      const control = await command(['plan', '-f', '.', '--endpoint-url', emulator.url, '--region', 'us-west-2'], valid, 60_000);
      expect(ending(control)).toEqual({ code: 0, hung: false, stderr: '', crash: null });
      expect((await requests()).length).toBeGreaterThan(0);
    } finally {
      rmSync(valid, { recursive: true, force: true });
    }
  }, 240_000);
});

// ---- Hand-made nasties ----

const memory = (name: string, spec: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
const provider = (name: string, file: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: ApiKeyCredentialProvider\nmetadata: {name: ${name}}\nspec:\n  apiKey: {file: ${file}}\n`;

/** Nine levels of aliases, each naming the one before nine times: 9^9 nodes once expanded. */
function laughs(): string {
  const levels = Array.from({ length: 9 }, (_, i) => `  l${i}: &l${i} [${Array(9).fill(i === 0 ? 'lol' : `*l${i - 1}`).join(', ')}]`);
  return memory('laughs', `\n${levels.join('\n')}\n`);
}

describe('hand-made nasties through validate and plan', () => {
  let root: string;
  let secrets: string;
  let emulator: TestEmulator;
  const requests = async () => (await emulator.admin<{ requests: LoggedRequest[] }>('GET', 'requests')).requests;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'agentcore-nasties-'));
    writeFileSync(join(root, 'cycle.yaml'), memory('cycle', '&s {self: *s}'));
    writeFileSync(join(root, 'laughs.yaml'), laughs());
    // spec, x and 63 nested lists: deeper than the default --max-depth of 64.
    writeFileSync(join(root, 'deep.yaml'), memory('deep', `{x: ${'['.repeat(63)}${']'.repeat(63)}}`));
    writeFileSync(join(root, 'deeper.yaml'), memory('deeper', `{x: ${'['.repeat(10_000)}${']'.repeat(10_000)}}`));
    const big = memory('big', '{eventExpiryDays: 30}');
    writeFileSync(join(root, 'big.yaml'), `${big}#${'x'.repeat(70_000 - big.length - 2)}\n`);
    writeFileSync(join(root, 'many.yaml'), Array.from({ length: 11 }, (_, i) => memory(`many-${i}`, '{eventExpiryDays: 30}')).join('---\n'));
    writeFileSync(join(root, 'list.yaml'), stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 11 }, (_, i) => parse(memory(`item-${i}`, '{eventExpiryDays: 30}'))) }));
    writeFileSync(join(root, 'binary.yaml'), Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x80, 0x3a, 0x20, 0, 10]));
    writeFileSync(join(root, 'dup.yaml'), memory('dup', '{eventExpiryDays: 30, eventExpiryDays: 31}'));
    writeFileSync(join(root, 'tags.yaml'), memory('tags', '{eventExpiryDays: !!binary aGVsbG8=, x: !js/function "function () {}"}'));
    writeFileSync(join(root, 'proto.yaml'), memory('proto', '{eventExpiryDays: 30, __proto__: {polluted: true}}'));
    execFileSync('mkfifo', [join(root, 'fifo.yaml')]);
    symlinkSync('/dev/zero', join(root, 'zero.yaml'));
    symlinkSync('loop.yaml', join(root, 'loop.yaml'));
    // Links to their own folder, one named like a manifest: neither may be walked into.
    symlinkSync('.', join(root, 'self.yaml'));
    symlinkSync('.', join(root, 'again'));

    secrets = mkdtempSync(join(tmpdir(), 'agentcore-nasty-secrets-'));
    execFileSync('mkfifo', [join(secrets, 'fifo.key')]);
    symlinkSync('/dev/zero', join(secrets, 'zero.key'));
    writeFileSync(join(secrets, 'keys.yaml'), [provider('fifo-key', 'fifo.key'), provider('zero-key', '/dev/zero'), provider('zero-link-key', 'zero.key')].join('---\n'));
    emulator = await startTestEmulator(defaultServices());
  });
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    rmSync(secrets, { recursive: true, force: true });
    await emulator?.close();
  });

  const BOUNDS = ['--max-file-bytes', '65536', '--max-documents', '10'];
  const DEEPER = 'deeper.yaml:4: invalid YAML: Maximum call stack size exceeded';
  const NASTY_PROBLEMS = [
    'big.yaml: 70000 bytes, over the limit of 65536 (--max-file-bytes)',
    'binary.yaml:1: invalid YAML: Implicit keys need to be on a single line',
    'cycle.yaml:4: a YAML alias refers to a node that contains it, at spec.self',
    `deep.yaml:4: nested more than 64 levels deep (--max-depth), at spec.x${'[0]'.repeat(62)}`,
    DEEPER,
    'dup.yaml:4: invalid YAML: Map keys must be unique',
    'fifo.yaml: not a regular file',
    'laughs.yaml:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack',
    'list.yaml:1: a List of 11 items, over the limit of 10 in one file (--max-documents)',
    'loop.yaml: cannot read: ELOOP',
    'many.yaml:1: 11 documents, over the limit of 10 in one file (--max-documents)',
    'proto.yaml:4: Memory default/proto: spec.__proto__: unknown field',
    'self.yaml: not a regular file',
    'tags.yaml:4: Memory default/tags: spec.x: unknown field',
    'tags.yaml:4: Memory default/tags: spec.eventExpiryDays: must be an integer',
    'zero.yaml: not a regular file',
  ];
  /** The lines before the summary. */
  const problemLines = (out: string) => out.split('\n').slice(0, -2);

  test('validate refuses each with its file, and its line where it has text, exits 1, and neither crashes nor hangs (a FIFO is refused by name, never opened)', async () => {
    const run = await command(['validate', '-f', '.', ...BOUNDS], root, 60_000);
    expect(ending(run)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    expect(problemLines(run.out)).toEqual(NASTY_PROBLEMS);
    const count = run.out.split('\n').length - 2;
    expect(run.out.split('\n').slice(-2)).toEqual([`0 valid object(s), ${count} problem(s)`, '']);
  }, 90_000);

  test('plan refuses the same, exits 1 without a crash or a hang, and sends AWS nothing', async () => {
    await emulator.admin('DELETE', 'requests');
    const run = await command(['plan', '-f', '.', ...BOUNDS, '--endpoint-url', emulator.url, '--region', 'us-west-2'], root, 60_000);
    expect(ending(run)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    expect(problemLines(run.out)).toEqual(NASTY_PROBLEMS);
    expect(run.out.split('\n').slice(-2)).toEqual([`${run.out.split('\n').length - 2} problem(s); nothing was sent to AWS`, '']);
    expect(await requests()).toEqual([]);
  }, 90_000);

  test('a FIFO, /dev/zero and a link to it, named with -f, are refused as not regular files', async () => {
    const run = await command(['validate', '-f', 'fifo.yaml', 'zero.yaml', '/dev/zero'], root, 60_000);
    expect(ending(run)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    const devZero = relative(root, '/dev/zero');
    expect(run.out).toBe([`${devZero}: not a regular file`, 'fifo.yaml: not a regular file', 'zero.yaml: not a regular file', '0 valid object(s), 3 problem(s)', ''].join('\n'));
  }, 90_000);

  test('a mapping key that is a list or a mapping is a problem with its file and line, and nothing is written to standard error', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'agentcore-collection-key-'));
    try {
      writeFileSync(join(tree, 'key.yaml'), memory('key', '{eventExpiryDays: 30, ? [a, b] : c}'));
      const run = await command(['validate', '-f', '.'], tree, 60_000);
      expect(ending(run)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
      expect(run.out).toBe('key.yaml:4: invalid YAML: a mapping key must be a string, number or boolean, not a list or mapping\n0 valid object(s), 1 problem(s)\n');
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }, 90_000);

  /** A C0 or C1 control character other than a tab, or a Unicode line or paragraph separator. */
  const isControl = (c: string) => {
    const n = c.codePointAt(0)!;
    return (n < 0x20 && n !== 0x09) || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029;
  };
  test('no control character of a manifest reaches the output, where a carriage return or an escape sequence could rewrite what a terminal shows', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'agentcore-control-characters-'));
    try {
      writeFileSync(join(tree, 'token.yaml'), 'k: |>  \u001b[2K\rall good\n');
      writeFileSync(join(tree, 'label.yaml'), 'apiVersion: agentcore.dev/v1alpha1\nkind: "Memory\\e[2K"\nmetadata: {name: "x\\ry"}\nspec: {}\n');
      const run = await command(['validate', '-f', '.'], tree, 60_000);
      expect(ending(run)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
      expect(run.out.split('\n').filter((line) => [...line].some(isControl))).toEqual([]);
      // They are shown, as escapes, not dropped: the reader sees what the manifest holds.
      expect(run.out).toContain('Memory\\u001b[2K');
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }, 90_000);

  test('secret files that are a FIFO, /dev/zero or a link to it: none is read or blocks, plan refuses each, AWS hears nothing', async () => {
    const validated = await command(['validate', '-f', '.'], secrets, 60_000);
    expect(ending(validated)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    expect(validated.out.split('\n').filter((l) => l.startsWith('keys.yaml'))).toEqual([
      "keys.yaml:11: ApiKeyCredentialProvider default/zero-key: spec.apiKey: file /dev/zero is outside the manifests' folders; a secret file elsewhere needs --secrets-dir",
      "keys.yaml:17: ApiKeyCredentialProvider default/zero-link-key: spec.apiKey: file zero.key is outside the manifests' folders; a secret file elsewhere needs --secrets-dir",
    ]);

    await emulator.admin('DELETE', 'requests');
    const aws = ['--endpoint-url', emulator.url, '--region', 'us-west-2'];
    const planned = await command(['plan', '-f', '.', ...aws], secrets, 60_000);
    expect(ending(planned)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    expect(planned.out).toBe([
      'keys.yaml:5: ApiKeyCredentialProvider default/fifo-key: spec.apiKey: file fifo.key is not a regular file',
      "keys.yaml:11: ApiKeyCredentialProvider default/zero-key: spec.apiKey: file /dev/zero is outside the manifests' folders; a secret file elsewhere needs --secrets-dir",
      "keys.yaml:17: ApiKeyCredentialProvider default/zero-link-key: spec.apiKey: file zero.key is outside the manifests' folders; a secret file elsewhere needs --secrets-dir",
      '3 problem(s); nothing was sent to AWS',
      '',
    ].join('\n'));

    const allowed = await command(['plan', '-f', '.', ...aws, '--secrets-dir', '/dev'], secrets, 60_000);
    expect(ending(allowed)).toEqual({ code: 1, hung: false, stderr: '', crash: null });
    expect(allowed.out).toBe([
      'keys.yaml:5: ApiKeyCredentialProvider default/fifo-key: spec.apiKey: file fifo.key is not a regular file',
      'keys.yaml:11: ApiKeyCredentialProvider default/zero-key: spec.apiKey: file /dev/zero is not a regular file',
      'keys.yaml:17: ApiKeyCredentialProvider default/zero-link-key: spec.apiKey: file zero.key is not a regular file',
      '3 problem(s); nothing was sent to AWS',
      '',
    ].join('\n'));
    expect(await requests()).toEqual([]);
  }, 120_000);
});

// ---- Cluster mode ----

/** A kind's CRD with its schema replaced by one that keeps whatever it is given. */
function looseCrd(plural: string): unknown {
  const crd = parse(readFileSync(join(repoRoot, 'crds', `agentcore.dev_${plural}.yaml`), 'utf8')) as { spec: { versions: { schema: unknown }[] } };
  for (const version of crd.spec.versions) version.schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return crd;
}

/**
 * The Stalled message the operator should give an object of ours the validator refuses (every problem
 * with its field path), or undefined for one it accepts.
 */
function stalledMessage(object: Doc): string | undefined {
  const result = validateObject({ apiVersion: API_VERSION, kind: object.kind, metadata: object.metadata, spec: object.spec });
  if (result.ok) return undefined;
  const message = `Invalid ${object.kind as string}: ${result.problems.map((p) => `${formatPath(p.path) || '(the object)'}: ${p.message}`).join('; ')}`;
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : message;
}

/**
 * Fuzzed objects of our kinds that the validator refuses, as a cluster would hold them: a name and
 * namespace of the test's, the spec as fuzzed. Half are mutated examples, half arbitrary specs.
 */
function refusedSample(): Doc[] {
  const ours = new Set(KINDS.map((k) => k.kind));
  const refused = (docs: Doc[], prefix: string) =>
    docs
      .filter((d) => d.apiVersion === API_VERSION && ours.has(d.kind as string))
      .map((d, i): Doc => ({ apiVersion: API_VERSION, kind: d.kind, metadata: { name: `${prefix}-${i}`, namespace: NAMESPACE }, spec: d.spec }))
      .filter((object) => stalledMessage(object) !== undefined)
      .slice(0, CLUSTER_SAMPLE / 2);
  return [...refused(corpus.mutated, 'mutated'), ...refused(corpus.specs, 'spec')];
}

describeCluster('fuzzed objects the validator refuses, in a cluster whose CRDs keep whatever they are given', () => {
  const kinds = KINDS.map((k) => k.plural);
  const sample = refusedSample();
  const key = (o: { kind?: unknown; metadata?: unknown }) => `${o.kind as string}/${(o.metadata as { name: string }).name}`;
  let stack: Stack;
  let operator: RunningOperator;

  beforeAll(async () => {
    stack = await startStack([], []);
    await stack.kubectl(['replace', '-f', '-'], kinds.map((plural) => JSON.stringify(looseCrd(plural))).join('\n---\n'));
    await stack.kubectl(['wait', '--for=condition=Established', ...kinds.map((plural) => `crd/${plural}.agentcore.dev`), '--timeout=60s']);
    await createNamespace(stack.cluster, NAMESPACE);
    await stack.kubectl(['create', '-f', '-'], sample.map((o) => JSON.stringify(o)).join('\n---\n'));
    await stack.emulator.admin('DELETE', 'requests');
    operator = stack.startOperator(['--namespaces', NAMESPACE]);
  }, 180_000);

  afterAll(async () => {
    await operator?.kill('SIGKILL');
    await stack?.kubectl(['delete', kinds.join(','), '--all', '-n', NAMESPACE, '--wait=false']).catch(() => undefined);
    if (stack) await installCrds(stack.cluster);
    await stack?.close();
  }, 120_000);

  const listed = async () => (JSON.parse(await stack.kubectl(['get', kinds.join(','), '-n', NAMESPACE, '-o', 'json'])) as { items: ObjectWithStatus[] }).items;
  const settled = (o: ObjectWithStatus) => conditionOf(o, 'Stalled')?.status === 'True' && o.status?.observedGeneration === o.metadata.generation;
  /** How an object ended, beside the message the validator gives it as the cluster keeps it. */
  const verdict = (o: ObjectWithStatus) => ({
    object: key(o),
    stalled: conditionOf(o, 'Stalled') ?? null,
    expected: stalledMessage(o as unknown as Doc),
    ready: conditionOf(o, 'Ready')?.status,
    finalizers: o.metadata.finalizers ?? [],
  });
  /** The objects that did not end as they should: the first few, whole. */
  const misjudged = (objects: ObjectWithStatus[]) =>
    objects
      .map(verdict)
      .filter((o) => o.stalled?.reason !== 'ValidationFailed' || o.stalled.message !== o.expected || o.ready !== 'False' || o.finalizers.length > 0)
      .slice(0, 3);

  test(`of ${CLUSTER_SAMPLE} created, each is Stalled with its field paths, unfinalized, at no AWS cost, and the operator runs on`, async () => {
    expect(sample).toHaveLength(CLUSTER_SAMPLE);
    expect(sample.map((o) => stalledMessage(o)!).filter((m) => !/^Invalid \w+: [A-Za-z]/.test(m) || m.includes('(the object)'))).toEqual([]);
    const judged = new Set(sample.map(key));
    let objects: ObjectWithStatus[] = [];
    const waited = await waitFor(async () => {
      objects = (await listed()).filter((o) => judged.has(key(o)));
      return objects.length === judged.size && objects.every(settled);
    }, { what: `${judged.size} objects to be Stalled`, timeoutMs: 60_000, intervalMs: 500 }).catch((error: Error) => error.message);
    const unsettled = objects.filter((o) => !settled(o)).slice(0, 3).map((o) => ({ object: key(o), status: o.status ?? null }));
    expect({ waited, count: objects.length, unsettled }).toEqual({ waited: true, count: judged.size, unsettled: [] });
    expect(misjudged(objects)).toEqual([]);
    expect(await stack.emulator.admin<{ requests: LoggedRequest[] }>('GET', 'requests')).toEqual({ requests: [] });
    expect({ exitCode: operator.child.exitCode, crash: CRASH.exec(operator.output())?.[0] ?? null }).toEqual({ exitCode: null, crash: null });
  }, 120_000);
});
