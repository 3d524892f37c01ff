/**
 * `validate` equals the cluster: every object of the validation corpus (test/kube/corpus: the examples
 * and a few thousand variants, each breaking at most one thing) goes through `agentcore-operator validate`
 * (file mode, dist/cli/main.js) and through `kubectl apply --dry-run=server` against a real kube-apiserver
 * of the oldest and the newest supported Kubernetes. Both must accept, or both reject naming the same
 * fields. The cluster is the reference: a disagreement is a bug in src/api (or in this test's reading of
 * the two outputs), never something to list here as expected.
 *
 * Transition rules (CEL with oldSelf) need a previous object, which file mode does not have: for those,
 * our CEL evaluation of the rule is held to the apiserver's decision on a dry-run update instead.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateRule } from '../../src/api/validation.js';
import { repoRoot, run } from '../helpers/cli.js';
import { createNamespace, describeCluster, installCrds, startTestCluster, type TestCluster } from '../helpers/kube.js';
import { SUPPORTED_KUBERNETES } from '../support/controlplane/build.js';
import {
  canonicalPath, causesOf, comparePaths, ourServerPath, parseKubectl, serverPaths, validatePathSegments, validateVerdicts,
  type ValidateJson, type Verdict,
} from './corpus/compare.js';
import { buildCorpus, crdSchemas, PLANS, type CorpusEntry, type Json, type JsonObject, type Schema } from './corpus/generate.js';
import { guardedField, transitionCases, transitionRules } from './corpus/transitions.js';

const NS = 'validate-differential';
/** Above this size an object goes through `kubectl create` instead: apply's last-applied annotation would pass the 256 KiB annotation limit. */
const APPLY_LIMIT = 100_000;

/** Every CEL rule (but the transition rules) and every anyOf in the CRDs, by kind. */
function schemaChecks(): { kind: string; message: string }[] {
  const out: { kind: string; message: string }[] = [];
  const walk = (kind: string, schema: Schema) => {
    for (const r of schema['x-kubernetes-validations'] ?? []) if (!/\boldSelf\b/.test(r.rule)) out.push({ kind, message: r.message });
    if ((schema as { anyOf?: unknown }).anyOf) out.push({ kind, message: 'must validate at least one schema (anyOf)' });
    for (const child of Object.values(schema.properties ?? {})) walk(kind, child);
    if (schema.items) walk(kind, schema.items);
    if (typeof schema.additionalProperties === 'object') walk(kind, schema.additionalProperties);
  };
  for (const [kind, root] of crdSchemas()) walk(kind, root);
  return out;
}

/** The fields the anyOf branches of the CRDs require (Action, NotAction): see serverPaths. */
function anyOfFields(): Set<string> {
  const out = new Set<string>();
  const walk = (schema: Schema) => {
    for (const branch of ((schema as { anyOf?: { required?: string[] }[] }).anyOf ?? [])) for (const f of branch.required ?? []) out.add(f);
    for (const child of Object.values(schema.properties ?? {})) walk(child);
    if (schema.items) walk(schema.items);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties);
  };
  for (const root of crdSchemas().values()) walk(root);
  return out;
}

/** JSON with every non-ASCII character escaped, so no reader can take U+2028 or U+00A0 for anything but a character. */
function asciiJson(value: Json): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface Written {
  entry: CorpusEntry;
  /** Path relative to the corpus folder, as validate prints it. */
  file: string;
  big: boolean;
}

/** The corpus on disk (one object per file, in `small/` for apply and `big/` for create), written once per test file. */
let corpus: { dir: string; written: Written[]; ours: Map<string, Verdict>; seconds: number } | undefined;
async function writtenCorpus() {
  if (corpus) return corpus;
  const dir = mkdtempSync(join(tmpdir(), 'validate-differential-'));
  mkdirSync(join(dir, 'small'));
  mkdirSync(join(dir, 'big'));
  const written = buildCorpus(NS).map((entry): Written => {
    const text = asciiJson(entry.object);
    const big = text.length > APPLY_LIMIT;
    const file = `${big ? 'big' : 'small'}/${entry.kind.toLowerCase()}-${entry.name}.json`;
    writeFileSync(join(dir, file), `${text}\n`);
    return { entry, file, big };
  });
  const cli = join(repoRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const built = statSync(cli).mtimeMs;
  const stale = ['src/api', 'src/api/v1alpha1', 'src/sources/files'].flatMap((d) => readdirSync(join(repoRoot, d)).filter((f) => f.endsWith('.ts')).map((f) => join(d, f))).filter((f) => statSync(join(repoRoot, f)).mtimeMs > built);
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npm run build\` first`);
  const started = Date.now();
  const result = await run(process.execPath, [cli, 'validate', '--no-references', '-o', 'json', '-f', '.'], { ...process.env }, undefined, dir);
  if (result.code !== 1 || result.stderr !== '') throw new Error(`validate exited ${result.code}: ${result.stderr}`);
  const ours = validateVerdicts(JSON.parse(result.stdout) as ValidateJson);
  corpus = { dir, written, ours, seconds: (Date.now() - started) / 1000 };
  return corpus;
}

afterAll(() => {
  if (corpus) rmSync(corpus.dir, { recursive: true, force: true });
});

describe('reading the two sides (pure)', () => {
  it.each([
    ['spec.endpoints[0].name', 'spec.endpoints.0.name'],
    ['spec.tags["team/a"]', 'spec.tags.team/a'],
    ['spec.env[""]', 'spec.env.'],
    ['spec.tags["a\\"b"]', 'spec.tags.a"b'],
    ['spec.tags[team/a]', 'spec.tags.team/a'],
    ['spec.tags.cost-center', 'spec.tags.cost-center'],
    ['metadata.name', 'metadata.name'],
  ])('canonicalPath(%j) is %j', (path, canonical) => {
    expect(canonicalPath(path)).toBe(canonical);
  });

  it('reads validate paths back into segments', () => {
    expect(validatePathSegments('spec.tags["a.b"].x[3]')).toEqual(['spec', 'tags', 'a.b', 'x', '3']);
    expect(validatePathSegments('')).toEqual([]);
    expect(() => validatePathSegments('spec..x')).toThrow('cannot read the path');
  });

  it.each([
    ['spec.artifact.image', 'must match ^x$', 'spec.artifact.image'],
    ['spec.tags["a b"]', 'key must match ^[a-z]*$', 'spec.tags'],
    ['spec.env.KKK', 'key must NOT have more than 100 characters', 'spec.env'],
    ['spec.env.LOG', 'must be a string', 'spec.env.LOG'],
    ['spec.endpoints[1].name', 'duplicate entry (name must be unique)', 'spec.endpoints.1'],
    ['spec.allowedOAuth2ReturnUrls[1]', 'duplicate entry', 'spec.allowedOAuth2ReturnUrls.1'],
    ['metadata.labels.a', 'must NOT have more than 63 characters', 'metadata.labels'],
    ['metadata.annotations["a b"]', 'key must match ^x$', 'metadata.annotations'],
    [undefined, 'defined twice', ''],
  ])('validate problem at %j (%s) is compared at %j', (path, message, expected) => {
    expect(ourServerPath(path, message)).toBe(expected);
  });

  const anyOf = new Set(['Action', 'NotAction']);
  it.each([
    ['Kind in version "v1alpha1" cannot be handled as a Kind: strict decoding error: unknown field "spec.colour", unknown field "spec.x[0].y"', ['spec.colour', 'spec.x.0.y']],
    ['Kind.agentcore.dev "n" is invalid: spec.protocol: Unsupported value: "X": supported values: "HTTP", "MCP"', ['spec.protocol']],
    [
      'Kind.agentcore.dev "n" is invalid: [spec.protocol: Unsupported value: "X": supported values: "HTTP", "MCP", spec.role: Required value, <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
      ['spec.protocol', 'spec.role'],
    ],
    [
      'Kind.agentcore.dev "n" is invalid: [<nil>: Invalid value: "": "spec.role.managed.statements[0]" must validate at least one schema (anyOf), spec.role.managed.statements[0].Action: Required value, spec.role.managed.statements[0].Effect: Required value]',
      ['spec.role.managed.statements.0', 'spec.role.managed.statements.0.Effect'],
    ],
    [
      'Kind.agentcore.dev "n" is invalid: [spec.x: Invalid value: "number": spec.x in body must be of type integer: "number", <nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.x]',
      ['spec.x', 'spec.x'],
    ],
    ['Kind.agentcore.dev "n" is invalid: spec.tags.team: Invalid value: "a\\v": spec.tags.team in body should match \'^[a-z]*$\'', ['spec.tags.team']],
    ['Kind.agentcore.dev "n" is invalid: spec.role: Invalid value: "object": exactly one of arn, managed must be set (role)', ['spec.role']],
    ['Kind.agentcore.dev "n" is invalid: spec.endpoints[1]: Duplicate value: {"name":"a"}', ['spec.endpoints.1']],
    ['Kind.agentcore.dev "n" is invalid: <nil>: Invalid value: "": something new', ['']],
    ['something else entirely', ['']],
  ])('server message %j names %j', (message, paths) => {
    expect(serverPaths(message, anyOf)).toEqual(paths);
  });

  it('splits a cause list whose details contain commas', () => {
    expect(causesOf('X "n" is invalid: [spec.a: Unsupported value: "Q": supported values: "A", "B", spec.b: Too long: may not be more than 3 bytes]').map((c) => [c.field, c.type])).toEqual([
      ['spec.a', 'Unsupported value'],
      ['spec.b', 'Too long'],
    ]);
  });

  it('compares the paths of a rejection as sets', () => {
    expect(comparePaths(['spec.a', 'spec.a'], ['spec.a'])).toEqual({ ok: true, onlyOurs: [], onlyTheirs: [] });
    expect(comparePaths(['spec.a'], ['spec.a', 'spec.b'])).toEqual({ ok: false, onlyOurs: [], onlyTheirs: ['spec.b'] });
  });

  it('reads kubectl: accepted names on stdout, one error per rejected file on stderr, patch errors too', () => {
    const stderr = [
      'Warning: metadata.finalizers: "foo": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers',
      'Error from server (Invalid): error when creating "/d/a.json": A.agentcore.dev "a" is invalid: spec.x: Required value',
      'Error from server (BadRequest): error when creating "/d/b.json": A in version "v1alpha1" cannot be handled as a A: strict decoding error: unknown field "spec.y"',
      'Error from server (Invalid): error when applying patch:',
      '{"spec":{"z":1}}',
      'to:',
      'Resource: "agentcore.dev/v1alpha1, Resource=as", GroupVersionKind: "agentcore.dev/v1alpha1, Kind=A"',
      'Name: "c", Namespace: "ns"',
      'for: "/d/c.json": error when patching "/d/c.json": A.agentcore.dev "c" is invalid: spec.z: Invalid value: "string": z is immutable',
      'error: something kubectl could not do',
      '',
    ].join('\n');
    const parsed = parseKubectl('a.agentcore.dev/ok\n', stderr);
    expect([...parsed.accepted]).toEqual(['a.agentcore.dev/ok']);
    expect([...parsed.rejected.keys()]).toEqual(['/d/a.json', '/d/b.json', '/d/c.json']);
    expect(parsed.rejected.get('/d/c.json')).toBe('A.agentcore.dev "c" is invalid: spec.z: Invalid value: "string": z is immutable');
    expect(parsed.unparsed).toEqual(['error: something kubectl could not do']);
  });
});

describe('the corpus', () => {
  const entries = buildCorpus(NS);

  it('has every example but the Secrets, and at least 100 variants of each kind', () => {
    expect(entries.filter((e) => e.source === 'example').map((e) => `${e.kind}/${e.name}`).sort()).toEqual([
      'AgentRuntime/support-agent',
      'ApiKeyCredentialProvider/shipping-api-key',
      'Gateway/support-tools',
      'GatewayTarget/order-lookup',
      'GatewayTarget/shipping-tracker',
      'Memory/support-memory',
      'OAuth2CredentialProvider/github',
      'WorkloadIdentity/support-agent-local',
    ]);
    for (const plan of PLANS) expect(entries.filter((e) => e.kind === plan.kind && e.source !== 'example').length).toBeGreaterThanOrEqual(100);
  });

  it('names every object uniquely, as a DNS subdomain', () => {
    const ids = entries.map((e) => `${e.kind}/${e.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of entries) expect(e.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
  });

  it('has each odd character at the end of every patterned string, and lengths around every limit', () => {
    const changes = new Set(entries.map((e) => e.description.replace(/^.*: /, '')));
    for (const c of ['end-vt', 'end-nbsp', 'end-ideosp', 'end-cr', 'end-lf', 'end-ls', 'mid-vt', 'start-ls', 'len-max', 'len-max-over', 'len-min', 'len-min-under', 'items-max', 'items-max-over', 'enum-bogus', 'type-number', 'required-missing', 'unknown-field', 'null']) {
      expect(changes).toContain(c);
    }
  });

  it('has a variant for every transition rule', () => {
    const cases = transitionCases(NS);
    const same = (a: { kind: string; node: string[]; rule: string }, b: typeof a) => a.kind === b.kind && a.node.join('.') === b.node.join('.') && a.rule === b.rule;
    for (const rule of transitionRules()) expect(cases.some((c) => same(c.rule, rule) && c.change === 'change')).toBe(true);
  });
});

for (const minor of [SUPPORTED_KUBERNETES.newest, SUPPORTED_KUBERNETES.oldest]) {
  describeCluster(`validate equals the cluster: Kubernetes ${minor}`, () => {
    let cluster: TestCluster;
    let ours: Map<string, Verdict>;
    let written: Written[];
    /** What the server said about each corpus object. */
    const server = new Map<string, { accepted: boolean; message?: string }>();
    const timings: Record<string, number> = {};

    async function kubectl(args: string[]): Promise<{ stdout: string; stderr: string }> {
      const result = await cluster.kubectl(args);
      return { stdout: result.stdout, stderr: result.stderr };
    }

    beforeAll(async () => {
      let started = Date.now();
      cluster = await startTestCluster({ minor });
      await installCrds(cluster);
      await createNamespace(cluster, NS);
      timings.cluster = (Date.now() - started) / 1000;

      const c = await writtenCorpus();
      ({ ours, written } = c);
      timings.validate = c.seconds;
      started = Date.now();
      const [small, big] = await Promise.all([
        kubectl(['apply', '--dry-run=server', '-o', 'name', '-f', join(c.dir, 'small')]),
        kubectl(['create', '--dry-run=server', '-o', 'name', '-f', join(c.dir, 'big')]),
      ]);
      timings.kubectl = (Date.now() - started) / 1000;
      const parsed = [parseKubectl(small.stdout, small.stderr), parseKubectl(big.stdout, big.stderr)];
      const unparsed = parsed.flatMap((p) => p.unparsed);
      if (unparsed.length > 0) throw new Error(`kubectl said what this test cannot read:\n${unparsed.join('\n')}`);
      for (const w of written) {
        const p = parsed[w.big ? 1 : 0]!;
        const accepted = p.accepted.has(`${w.entry.kind.toLowerCase()}.agentcore.dev/${w.entry.name}`);
        const message = p.rejected.get(join(c.dir, w.file));
        if (accepted === (message !== undefined)) throw new Error(`kubectl ${accepted ? 'both accepted and rejected' : 'said nothing about'} ${w.file}`);
        server.set(w.file, { accepted, message });
      }
    }, minor === SUPPORTED_KUBERNETES.oldest ? 180_000 : 150_000);

    afterAll(async () => {
      await cluster?.close();
    });

    it('accepts and rejects every object as the cluster does, naming the same fields', () => {
      const fields = anyOfFields();
      const disagreements: string[] = [];
      const counts: Record<string, { valid: number; invalid: number }> = {};
      for (const w of written) {
        const theirs = server.get(w.file)!;
        const mine = ours.get(w.file);
        const what = `${w.file} (${w.entry.description})`;
        if (!mine) {
          disagreements.push(`${what}: validate said nothing`);
          continue;
        }
        const count = (counts[w.entry.kind] ??= { valid: 0, invalid: 0 });
        if (theirs.accepted) count.valid += 1;
        else count.invalid += 1;
        if (mine.accepted !== theirs.accepted) {
          disagreements.push(`${what}: ${theirs.accepted ? `the cluster accepts, validate says ${mine.messages.join('; ')}` : `validate accepts, the cluster says ${theirs.message}`}`);
          continue;
        }
        if (mine.accepted) continue;
        const compared = comparePaths(mine.paths, serverPaths(theirs.message!, fields));
        if (!compared.ok) disagreements.push(`${what}: validate names ${JSON.stringify(compared.onlyOurs)} (${mine.messages.join('; ')}), the cluster ${JSON.stringify(compared.onlyTheirs)} (${theirs.message})`);
      }
      console.log(
        `Kubernetes ${minor}: ${written.length} objects; cluster ${timings.cluster}s, validate ${timings.validate}s, kubectl ${timings.kubectl}s\n` +
          Object.entries(counts).map(([kind, c]) => `  ${kind}: ${c.valid} valid, ${c.invalid} invalid`).join('\n'),
      );
      expect(disagreements).toEqual([]);
    });

    it('accepts every example', () => {
      const examples = written.filter((w) => w.entry.source === 'example');
      expect(examples.filter((w) => !server.get(w.file)!.accepted || !ours.get(w.file)!.accepted).map((w) => w.file)).toEqual([]);
    });

    it('kubectl apply -f manifests/examples/ creates every example for real, and a second apply changes nothing of ours', async () => {
      await createNamespace(cluster, 'agents');
      const examples = join(repoRoot, 'manifests/examples');
      const first = await cluster.kubectl(['apply', '-f', examples]);
      expect([first.code, first.stderr]).toEqual([0, '']);
      expect(first.stdout.trim().split('\n').filter((line) => line.includes('.agentcore.dev/') && !line.endsWith(' created'))).toEqual([]);
      const second = await cluster.kubectl(['apply', '-f', examples]);
      expect(second.stdout.trim().split('\n').filter((line) => line.includes('.agentcore.dev/') && !line.endsWith(' unchanged'))).toEqual([]);
      const stored = await cluster.kubectl(['get', 'agentcore', '-n', 'agents', '-o', 'name']);
      expect(stored.stdout.trim().split('\n')).toHaveLength(8);
    });

    it('breaks every CEL rule and the anyOf at least once, and keeps at least a fifth of each kind valid', () => {
      const messages = written.map((w) => ({ kind: w.entry.kind, message: server.get(w.file)!.message ?? '' }));
      const unbroken = schemaChecks().filter((check) => !messages.some((m) => m.kind === check.kind && m.message.includes(check.message)));
      expect(unbroken).toEqual([]);
      for (const plan of PLANS) {
        const mine = written.filter((w) => w.entry.kind === plan.kind);
        expect(mine.filter((w) => server.get(w.file)!.accepted).length).toBeGreaterThan(mine.length / 5);
      }
    });

    it('decides transition rules (oldSelf) on a dry-run update as our CEL evaluation does, at the rule\'s field', async () => {
      const cases = transitionCases(NS);
      const dir = mkdtempSync(join(tmpdir(), 'validate-transitions-'));
      try {
        mkdirSync(join(dir, 'old'));
        mkdirSync(join(dir, 'next'));
        for (const c of cases) {
          writeFileSync(join(dir, 'old', `${c.kind.toLowerCase()}-${c.name}.json`), asciiJson(c.old));
          writeFileSync(join(dir, 'next', `${c.kind.toLowerCase()}-${c.name}.json`), asciiJson(c.next));
        }
        const created = await cluster.kubectl(['apply', '-f', join(dir, 'old')]);
        expect(created.stderr).toBe('');
        const updated = await cluster.kubectl(['apply', '--dry-run=server', '-o', 'name', '-f', join(dir, 'next')]);
        const parsed = parseKubectl(updated.stdout, updated.stderr);
        expect(parsed.unparsed).toEqual([]);
        const results = cases.map((c) => {
          const at = (o: JsonObject) => c.rule.node.reduce<Json | undefined>((n, k) => (n && typeof n === 'object' && !Array.isArray(n) ? n[k] : undefined), o);
          const allowed = evaluateRule(c.rule.rule, at(c.next), at(c.old));
          const message = parsed.rejected.get(join(dir, 'next', `${c.kind.toLowerCase()}-${c.name}.json`));
          const accepted = parsed.accepted.has(`${c.kind.toLowerCase()}.agentcore.dev/${c.name}`);
          return {
            update: `${c.kind} ${guardedField(c.rule).join('.')} ${c.change}`,
            ours: allowed === true ? 'allowed' : allowed === false ? 'refused' : `error: ${allowed}`,
            cluster: accepted && !message ? 'allowed' : 'refused',
            paths: message ? serverPaths(message) : [],
            expectedPaths: allowed === true ? [] : [['spec', ...guardedField(c.rule)].join('.')],
          };
        });
        expect(results.map((r) => `${r.update}: cluster ${r.cluster} at ${JSON.stringify(r.paths)}`)).toEqual(
          results.map((r) => `${r.update}: cluster ${r.ours} at ${JSON.stringify(r.expectedPaths)}`),
        );
        // Keeping a field is allowed and every other change refused: the rules say what they mean.
        expect(results.filter((r) => r.update.endsWith(' keep')).every((r) => r.cluster === 'allowed')).toBe(true);
        expect(results.filter((r) => !r.update.endsWith(' keep')).every((r) => r.cluster === 'refused')).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  });
}
