import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cliProcess, repoRoot } from '../helpers/cli.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, GetAgentRuntimeCommand, ListAgentRuntimesCommand } from '@aws-sdk/client-bedrock-agentcore-control';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentcore-state-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `agentcore-operator emulator` as a process and waits for the line with its URL. */
function startProcess(statePath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), 'emulator', '--port', '0', '--state', statePath, '--provisioning-delay-ms', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const clientFor = (url: string) => new BedrockAgentCoreControlClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });

describe('agentcore-operator emulator --state', () => {
  test('an acknowledged change survives a crash (SIGKILL) and a restart', async () => {
    const statePath = join(dir, 'state.json');
    const first = await startProcess(statePath);
    const client = clientFor(first.url);
    const created = await client.send(new CreateAgentRuntimeCommand({
      agentRuntimeName: 'durable_agent',
      agentRuntimeArtifact: { containerConfiguration: { containerUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1' } },
      roleArn: 'arn:aws:iam::123456789012:role/R',
    }));
    expect(readFileSync(statePath, 'utf8')).toContain(created.agentRuntimeId);
    await stop(first.child, 'SIGKILL');
    client.destroy();

    const second = await startProcess(statePath);
    const again = clientFor(second.url);
    expect(await again.send(new GetAgentRuntimeCommand({ agentRuntimeId: created.agentRuntimeId }))).toMatchObject({ agentRuntimeName: 'durable_agent', status: 'READY', agentRuntimeVersion: '1' });
    expect((await again.send(new ListAgentRuntimesCommand({}))).agentRuntimes).toHaveLength(1);
    await stop(second.child, 'SIGTERM');
    again.destroy();
  });

  test('temporary files a killed emulator left are removed at the next start; a corrupt state file is a clear error naming it', async () => {
    const statePath = join(dir, 'leftovers.json');
    writeFileSync(`${statePath}.4242.tmp`, '{"half": ');
    writeFileSync(`${statePath}.tmp`, '{"half": ');
    const started = await startProcess(statePath);
    expect([existsSync(`${statePath}.4242.tmp`), existsSync(`${statePath}.tmp`)]).toEqual([false, false]);
    await stop(started.child, 'SIGTERM');

    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"agentcore": ');
    const result = cliProcess(['emulator', '--port', '0', '--state', corrupt]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`The emulator's state file ${corrupt} cannot be read as JSON (`);
    expect(result.err).toContain('move it away or delete it to start with an empty state');
    expect(result.err).not.toContain('    at ');
  });
});
