// Jest global setup: when the run includes cluster tests (test/kube, test/packaging), start a real
// control plane per worker before any test; see shared.ts. Node loads the TypeScript as it is.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

const CLUSTER_FOLDERS = ['test/kube', 'test/packaging', 'test/security'];

export default async function setup(globalConfig) {
  // The commands' --emulator keeps its state in XDG_STATE_HOME: the run gets a folder of its own, never the user's.
  process.env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), 'agentcore-test-state-'));
  const { setUpRun } = await import('./shared.ts');
  const files = CLUSTER_FOLDERS.flatMap((folder) => readdirSync(join(globalConfig.rootDir, folder)).filter((f) => f.endsWith('.test.ts')).map((f) => join(globalConfig.rootDir, folder, f)));
  const patterns = globalConfig.testPathPatterns;
  const selected = patterns.isSet() ? files.filter((f) => patterns.toExecutor({ rootDir: globalConfig.rootDir }).isMatch(f)) : files;
  await setUpRun(Math.min(Number(globalConfig.maxWorkers) || 1, selected.length));
}
