/**
 * What a file-mode secret reference may read, on real files: variables only by the runner's leave,
 * files only inside the manifests' folders (symbolic links followed) or a folder the runner names,
 * and only regular files of a bounded size, never waiting on a FIFO.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretRef } from '../../src/api/schema.js';
import { fileSecretResolver, secretAccessOf } from '../../src/sources/files/secrets.js';

let dir: string;
let manifests: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentcore-secrets-'));
  manifests = join(dir, 'manifests');
  mkdirSync(join(manifests, 'keys'), { recursive: true });
  mkdirSync(join(dir, 'vault'));
  writeFileSync(join(manifests, 'keys', 'weather.txt'), 'sk-weather\n');
  writeFileSync(join(dir, 'vault', 'carrier.txt'), 'sk-carrier');
  writeFileSync(join(dir, 'outside.txt'), 'not for manifests');
  symlinkSync(join(dir, 'outside.txt'), join(manifests, 'keys', 'sneaky.txt'));
  writeFileSync(join(manifests, 'keys', 'big.txt'), 'x'.repeat(70 * 1024));
  execFileSync('mkfifo', [join(manifests, 'keys', 'pipe')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { WEATHER_KEY: 'sk-env-weather', AWS_SECRET_ACCESS_KEY: 'runner-credential', AGENT_TOKEN: 'sk-agent' };

function read(ref: SecretRef, more: Parameters<typeof secretAccessOf>[2] = {}): Promise<string> {
  const access = secretAccessOf(['manifests'], dir, more);
  return fileSecretResolver('manifests/provider.yaml', 'agents', new Map(), access, ENV)(ref);
}

describe('file-mode secret references', () => {
  test('a variable is read only when the runner allows it, by name or prefix; the AWS credentials never by a prefix', async () => {
    await expect(read({ env: 'WEATHER_KEY' })).rejects.toThrow('environment variable WEATHER_KEY may not be read as a secret: allow it with --secret-env');
    await expect(read({ env: 'WEATHER_KEY' }, { env: ['WEATHER_KEY'] })).resolves.toBe('sk-env-weather');
    await expect(read({ env: 'AGENT_TOKEN' }, { env: ['AGENT_*'] })).resolves.toBe('sk-agent');
    await expect(read({ env: 'AWS_SECRET_ACCESS_KEY' }, { env: ['AWS_*', '*'] })).rejects.toThrow('may not be read as a secret');
    await expect(read({ env: 'AWS_SECRET_ACCESS_KEY' }, { env: ['AWS_SECRET_ACCESS_KEY'] })).resolves.toBe('runner-credential');
  });

  test('a file is read inside the manifests\' folders, or a folder the runner adds; not through ../ or a link out', async () => {
    await expect(read({ file: 'keys/weather.txt' })).resolves.toBe('sk-weather');
    await expect(read({ file: '../vault/carrier.txt' })).rejects.toThrow("file ../vault/carrier.txt is outside the manifests' folders; a secret file elsewhere needs --secrets-dir");
    await expect(read({ file: '../vault/carrier.txt' }, { roots: ['vault'] })).resolves.toBe('sk-carrier');
    await expect(read({ file: 'keys/sneaky.txt' })).rejects.toThrow('is outside the manifests\' folders');
    await expect(read({ file: '/etc/hostname' })).rejects.toThrow('is outside the manifests\' folders');
  });

  test('only a regular file of at most 64 KiB: a FIFO is refused at once, a large file is not read', async () => {
    await expect(read({ file: 'keys/pipe' })).rejects.toThrow('file keys/pipe is not a regular file');
    await expect(read({ file: 'keys/big.txt' })).rejects.toThrow(`file keys/big.txt is ${70 * 1024} bytes, over the limit of 65536 for a secret`);
    await expect(read({ file: 'keys/missing.txt' })).rejects.toThrow('file keys/missing.txt cannot be read (ENOENT)');
  });
});
