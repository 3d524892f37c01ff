import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadManifests } from '../../src/sources/files/manifests.js';
import { checkReferences } from '../../src/sources/files/preflight.js';
import { cli, cliProcess, repoRoot, run } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentcore-cli-'));
  writeFileSync(
    join(dir, 'bad.yaml'),
    `apiVersion: agentcore.dev/v1alpha1
kind: ApiKeyCredentialProvider
metadata:
  name: weather
spec:
  apiKey: sk-live-0123456789
---
apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata:
  name: 1st-agent
spec:
  artifact:
    image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/a:1
    code: {s3: {bucket: my-code, prefix: a.zip}, runtime: NODE_22, entryPoint: [index.js]}
  role: {arn: "arn:aws:iam::123456789012:role/R"}
  lifecycle: {idleSessionTimeoutSeconds: 30}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agentcore-operator validate', () => {
  test('the examples are valid: a table of objects and AWS names, exit 0', async () => {
    const { code, out } = await cli(['validate', '-f', 'manifests/examples']);
    expect(code).toBe(0);
    expect(out).toMatch(/^AgentRuntime\s+agents\/support-agent\s+support_agent\s+manifests\/examples\/agentruntime.yaml:4$/m);
    expect(out).toContain('8 valid object(s), 0 problem(s)');
  });

  test('every problem in every document is printed with file:line, object and field path; exit 1', async () => {
    const { code, out } = await cli(['validate', '-f', dir], dir);
    expect(code).toBe(1);
    expect(out.split('\n').filter((l) => l.startsWith('bad.yaml'))).toEqual([
      'bad.yaml:6: ApiKeyCredentialProvider default/weather: spec.apiKey: secret values are never written inline: use secretKeyRef, env, file or awsSecretsManager',
      'bad.yaml:11: AgentRuntime default/1st-agent: metadata.name: must start with a letter and have at most 48 characters to derive the AWS name; otherwise set spec.runtimeName',
      'bad.yaml:13: AgentRuntime default/1st-agent: spec.artifact: exactly one of image, code must be set (artifact)',
      'bad.yaml:17: AgentRuntime default/1st-agent: spec.lifecycle.idleSessionTimeoutSeconds: must be between 60 and 1209600 seconds',
    ]);
    expect(out).toContain('0 valid object(s), 4 problem(s)');
  });

  test('a secret written inline never appears in the output', async () => {
    const text = await cli(['validate', '-f', dir], dir);
    const json = await cli(['validate', '-f', dir, '-o', 'json'], dir);
    expect(text.out + json.out).not.toContain('sk-live-0123456789');
  });

  test('-o json gives the same problems as data', async () => {
    const { code, out } = await cli(['validate', '-f', dir, '-o', 'json'], dir);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { problems: { file: string; line: number; object: string; path: string; message: string }[] };
    expect(report.problems).toContainEqual({ file: 'bad.yaml', line: 17, object: 'AgentRuntime default/1st-agent', path: 'spec.lifecycle.idleSessionTimeoutSeconds', message: 'must be between 60 and 1209600 seconds' });
  });

  test('references are checked across the files: one to an object not in the source is a problem (--no-references skips that); secrets are not read', async () => {
    const refs = mkdtempSync(join(tmpdir(), 'agentcore-cli-refs-'));
    try {
      writeFileSync(
        join(refs, 'tools.yaml'),
        `apiVersion: agentcore.dev/v1alpha1
kind: GatewayTarget
metadata:
  name: weather
  namespace: agents
spec:
  gatewayRef: {name: missing-gateway}
  lambda:
    arn: arn:aws:lambda:us-west-2:123456789012:function:tools
    toolSchema: {inline: [{name: get_weather, description: Current weather, inputSchema: {type: object}}]}
  credentials:
    apiKey: {providerRef: {name: carrier-key}}
`,
      );
      // The runtime names a memory that is in the source but invalid: its own problem is enough.
      writeFileSync(
        join(refs, 'agent.yaml'),
        `apiVersion: agentcore.dev/v1alpha1
kind: ApiKeyCredentialProvider
metadata:
  name: carrier-key
  namespace: agents
spec:
  apiKey: {env: AGENTCORE_TEST_UNSET_VARIABLE}
---
apiVersion: agentcore.dev/v1alpha1
kind: Memory
metadata:
  name: notes
  namespace: agents
spec:
  eventExpiryDays: 1
---
apiVersion: agentcore.dev/v1alpha1
kind: AgentRuntime
metadata:
  name: support-agent
  namespace: agents
spec:
  artifact: {image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/a:1}
  role: {arn: "arn:aws:iam::123456789012:role/R"}
  memoryRef: {name: notes}
`,
      );
      const text = await cli(['validate', '-f', refs, '--secret-env', 'AGENTCORE_TEST_UNSET_VARIABLE'], refs);
      expect(text.code).toBe(1);
      expect(text.out.split('\n').filter((l) => /^\w+\.yaml:/.test(l))).toEqual([
        'agent.yaml:15: Memory agents/notes: spec.eventExpiryDays: must be between 3 and 365 days',
        'tools.yaml:7: GatewayTarget agents/weather: spec.gatewayRef.name: refers to Gateway agents/missing-gateway, which is not in this source',
      ]);
      expect(text.out).toContain('3 valid object(s), 2 problem(s)');
      const alone = await cli(['validate', '-f', join(refs, 'tools.yaml'), '--no-references'], refs);
      expect(alone).toMatchObject({ code: 0, out: expect.stringContaining('1 valid object(s), 0 problem(s)') });

      const json = await cli(['validate', '-f', refs, '-o', 'json', '--secret-env', 'AGENTCORE_TEST_UNSET_VARIABLE'], refs);
      expect(json.code).toBe(1);
      expect((JSON.parse(json.out) as { problems: unknown[] }).problems).toContainEqual({
        file: 'tools.yaml',
        line: 7,
        object: 'GatewayTarget agents/weather',
        path: 'spec.gatewayRef.name',
        message: 'refers to Gateway agents/missing-gateway, which is not in this source',
      });
    } finally {
      rmSync(refs, { recursive: true, force: true });
    }
  });

  test('a cycle of references is reported once, at the object and field where it starts', () => {
    // No kinds can reference each other in a loop today, so two memories are given references to each other.
    const loop = mkdtempSync(join(tmpdir(), 'agentcore-cli-cycle-'));
    try {
      const memory = (name: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata: {name: ${name}}\nspec: {eventExpiryDays: 30}\n`;
      writeFileSync(join(loop, 'loop.yaml'), [memory('a'), memory('b')].join('---\n'));
      const set = loadManifests([loop], loop);
      const nameOf = (spec: unknown) => set.objects.find((o) => o.object.spec === spec)!.object.metadata.name;
      const reconcilers = new Map([['Memory', { references: (spec: never) => [{ kind: 'Memory', name: nameOf(spec) === 'a' ? 'b' : 'a', path: 'spec.peerRef.name' }] }]]);
      expect(checkReferences(set.objects, reconcilers)).toEqual([
        { file: 'loop.yaml', line: 1, object: 'Memory default/a', path: ['spec', 'peerRef', 'name'], message: 'references form a cycle: Memory/default/a -> Memory/default/b -> Memory/default/a' },
      ]);
    } finally {
      rmSync(loop, { recursive: true, force: true });
    }
  });

  test('unbounded input (an alias that holds itself, a file over --max-file-bytes) is a problem with file and line; validate and plan exit 1 without a crash', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'agentcore-bounds-'));
    try {
      writeFileSync(join(tree, 'cycle.yaml'), 'apiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata: {name: m}\nspec: &s {self: *s}\n');
      const validated = await cli(['validate', '-f', tree], tree);
      expect([validated.code, validated.out.split('\n')[0]]).toEqual([1, 'cycle.yaml:4: a YAML alias refers to a node that contains it, at spec.self']);
      const planned = await cli(['plan', '-f', tree, '--emulator'], tree);
      expect([planned.code, planned.out]).toEqual([1, 'cycle.yaml:4: a YAML alias refers to a node that contains it, at spec.self\n1 problem(s); nothing was sent to AWS\n']);
      const small = await cli(['validate', '-f', tree, '--max-file-bytes', '10'], tree);
      expect(small.out.split('\n')[0]).toMatch(/^cycle\.yaml: \d+ bytes, over the limit of 10 \(--max-file-bytes\)$/);
      expect((await cli(['validate', '-f', tree, '--max-depth', '0'], tree)).err).toContain("option '--max-depth <n>' argument '0' is invalid. must be a whole number above 0");
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  test('a secret reference to the runner\'s credentials, or to a file outside the manifests\' folders, is refused by validate without a read', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'agentcore-reach-'));
    try {
      const provider = (name: string, ref: string) => `apiVersion: agentcore.dev/v1alpha1\nkind: ApiKeyCredentialProvider\nmetadata: {name: ${name}, namespace: agents}\nspec:\n  apiKey: ${ref}\n`;
      writeFileSync(join(tree, 'keys.yaml'), [provider('aws', '{env: AWS_SECRET_ACCESS_KEY}'), provider('home', '{file: ../../../.aws/credentials}')].join('---\n'));
      const refused = await cli(['validate', '-f', tree, '--secret-env', 'AWS_*'], tree);
      expect([refused.code, refused.out.split('\n').filter((l) => l.startsWith('keys.yaml'))]).toEqual([1, [
        'keys.yaml:5: ApiKeyCredentialProvider agents/aws: spec.apiKey: environment variable AWS_SECRET_ACCESS_KEY may not be read as a secret: allow it with --secret-env',
        "keys.yaml:11: ApiKeyCredentialProvider agents/home: spec.apiKey: file ../../../.aws/credentials is outside the manifests' folders; a secret file elsewhere needs --secrets-dir",
      ]]);
      const allowed = await cli(['validate', '-f', tree, '--secret-env', 'AWS_SECRET_ACCESS_KEY', '--secrets-dir', join(tree, '..', '..', '..')], tree);
      expect(allowed.code).toBe(0);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  test('-f is required', async () => {
    const { code, err } = await cli(['validate']);
    expect(code).toBe(1);
    expect(err).toContain("required option '-f, --filename <path...>' not specified");
  });
});

describe('the installed command, run as a process', () => {
  test('validate exits 1 on problems and 0 on the examples', () => {
    expect(cliProcess(['validate', '-f', dir], dir)).toMatchObject({ code: 1 });
    const ok = cliProcess(['validate', '-f', 'manifests/examples']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('8 valid object(s)');
  });

  test('crds prints one CustomResourceDefinition per kind', () => {
    const { code, out } = cliProcess(['crds']);
    expect(code).toBe(0);
    const docs = parseAllDocuments(out).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(docs.map((d) => d.metadata.name)).toEqual([
      'agentruntimes.agentcore.dev',
      'memories.agentcore.dev',
      'gateways.agentcore.dev',
      'gatewaytargets.agentcore.dev',
      'workloadidentities.agentcore.dev',
      'oauth2credentialproviders.agentcore.dev',
      'apikeycredentialproviders.agentcore.dev',
    ]);
    expect(docs.every((d) => d.kind === 'CustomResourceDefinition')).toBe(true);
  });

  test('an unknown command fails with a message', () => {
    const { code, err } = cliProcess(['aply']);
    expect(code).toBe(1);
    expect(err).toContain("unknown command 'aply'");
  });

  test('run refuses a duration that is not one, and lease timings under which two replicas could both lead, before it connects', () => {
    const run = (flags: string[]) => cliProcess(['run', '--kubeconfig', '/nonexistent/kubeconfig', '--leader-elect', ...flags]);
    expect(run(['--resync', '10 minutes'])).toMatchObject({ code: 1, err: '--resync: not a duration: 10 minutes (use 90s, 10m, 1h)\n' });
    expect(run(['--leader-election-lease-duration', '5s'])).toMatchObject({ code: 1, err: '--leader-election-*: the lease duration must be longer than the renew deadline\n' });
    expect(run(['--leader-election-retry-period', '9s'])).toMatchObject({ code: 1, err: '--leader-election-*: the renew deadline must be longer than 1.2 retry periods\n' });
  });

  test('-f - reads the manifests from standard input; its problems are named <stdin>', async () => {
    const main = join(repoRoot, 'dist', 'cli', 'main.js');
    const memory = readFileSync(join(repoRoot, 'manifests', 'examples', 'memory.yaml'), 'utf8');
    const valid = await run(process.execPath, [main, 'validate', '-f', '-'], { ...process.env }, memory, repoRoot);
    expect([valid.code, valid.stdout]).toEqual([0, expect.stringMatching(/Memory +agents\/support-memory +support_memory +<stdin>:\d+\n1 valid object\(s\), 0 problem\(s\)\n$/)]);
    const invalid = await run(process.execPath, [main, 'validate', '-f', '-'], { ...process.env }, memory.replace('eventExpiryDays: 90', 'eventExpiryDays: 1'), repoRoot);
    expect([invalid.code, invalid.stdout.split('\n')[0]]).toEqual([1, '<stdin>:10: Memory agents/support-memory: spec.eventExpiryDays: must be between 3 and 365 days']);
  });

  test('a misspelt field or kind gets a "did you mean" with the nearest known name; one far from all does not', async () => {
    const tree = 'apiVersion: agentcore.dev/v1alpha1\nkind: Memroy\nmetadata: {name: x}\nspec: {}\n---\napiVersion: agentcore.dev/v1alpha1\nkind: Memory\nmetadata: {name: y}\nspec:\n  eventExpiryDay: 30\n  descripton: notes\n  colour: blue\n';
    const result = await run(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), 'validate', '-f', '-'], { ...process.env }, tree, repoRoot);
    expect([result.code, result.stdout.split('\n').slice(0, 4)]).toEqual([1, [
      '<stdin>:2: Memroy default/x: kind: unknown kind; did you mean Memory? (agentcore.dev/v1alpha1 has AgentRuntime, Memory, Gateway, GatewayTarget, WorkloadIdentity, OAuth2CredentialProvider, ApiKeyCredentialProvider)',
      '<stdin>:10: Memory default/y: spec.eventExpiryDay: unknown field; did you mean eventExpiryDays?',
      '<stdin>:11: Memory default/y: spec.descripton: unknown field; did you mean description?',
      '<stdin>:12: Memory default/y: spec.colour: unknown field',
    ]]);
  });

  test('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(cliProcess(['--version'])).toMatchObject({ code: 0, out: `${version}\n`, err: '' });
  });

  test('a reader that stops early (| head) ends the command quietly: no EPIPE stack trace, the exit status of a SIGPIPE (141)', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), 'apply', '-f', 'manifests/examples', '--emulator', '--emulator-reset', '--emulator-state', join(dir, 'epipe.json'), '--poll-ms', '20'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    // Like `head -1`: read apply's first line of progress, then close the pipe while it still has more to say.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, err: err.replace(/^Using the embedded AgentCore emulator .*\n/, '') }).toEqual({ code: 141, err: '' });
  });

  test('--help lists the commands and exits 0', () => {
    const { code, out } = cliProcess(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/validate[\s\S]*crds/);
  });
});
