import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cli, cliProcess } from '../helpers/cli.js';

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
      'bad.yaml:17: AgentRuntime default/1st-agent: spec.lifecycle.idleSessionTimeoutSeconds: must be >= 60',
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
    expect(report.problems).toContainEqual({ file: 'bad.yaml', line: 17, object: 'AgentRuntime default/1st-agent', path: 'spec.lifecycle.idleSessionTimeoutSeconds', message: 'must be >= 60' });
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

  test('--help lists the commands and exits 0', () => {
    const { code, out } = cliProcess(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/validate[\s\S]*crds/);
  });
});
