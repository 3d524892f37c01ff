/**
 * One control plane per Jest worker, shared by the test files that worker runs one after another. The
 * global setup starts them before any test (so no test's timeout pays for an apiserver start) and
 * records each in the run's folder; a test file reads its worker's record; the global teardown stops
 * them all.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedControlPlane, SUPPORTED_KUBERNETES } from './build.ts';
import { alive, startControlPlane, stopControlPlane, type ControlPlaneInfo } from './start.ts';

const RUN_DIR = 'AGENTCORE_TEST_RUN_DIR';

/** Whose control plane: a worker's of the newest minor, or the run's one of another minor. */
const ownerOf = (minor: string, worker: string) => (minor === SUPPORTED_KUBERNETES.newest ? `${worker}-${minor}` : minor);
const recordOf = (runDir: string, owner: string) => join(runDir, `controlplane-${owner}.json`);

export function controlPlaneAvailable(minor: string = SUPPORTED_KUBERNETES.newest): boolean {
  return cachedControlPlane(minor) !== undefined;
}

async function start(runDir: string, owner: string, minor: string): Promise<ControlPlaneInfo> {
  const binaries = cachedControlPlane(minor);
  if (!binaries) throw new Error(`the Kubernetes ${minor} control plane is not built: run \`node test/support/controlplane/build.ts ${minor}\` (npm test does)`);
  const info = await startControlPlane(binaries, join(runDir, owner));
  writeFileSync(recordOf(runDir, owner), JSON.stringify(info));
  return info;
}

/** Jest global setup: a run folder, and a started control plane for each worker slot. */
export async function setUpRun(workers: number): Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'agentcore-kube-run-'));
  process.env[RUN_DIR] = runDir;
  const minor = SUPPORTED_KUBERNETES.newest;
  if (!controlPlaneAvailable(minor)) return;
  await Promise.all(Array.from({ length: workers }, (_, i) => start(runDir, ownerOf(minor, String(i + 1)), minor)));
}

export function tearDownRun(): void {
  const runDir = process.env[RUN_DIR];
  if (!runDir || !existsSync(runDir)) return;
  for (const file of readdirSync(runDir).filter((f) => /^controlplane-.*\.json$/.test(f))) {
    stopControlPlane(JSON.parse(readFileSync(join(runDir, file), 'utf8')) as ControlPlaneInfo);
  }
  rmSync(runDir, { recursive: true, force: true });
}

/**
 * The control plane of this Jest worker (started now if the global setup did not), or of another
 * supported minor (started on first use in this run and kept until its end).
 */
export async function workerControlPlane(minor: string = SUPPORTED_KUBERNETES.newest): Promise<ControlPlaneInfo> {
  const runDir = process.env[RUN_DIR];
  if (!runDir) throw new Error(`${RUN_DIR} is not set: run the cluster tests through Jest with jest.config.js (its global setup starts the control plane)`);
  const owner = ownerOf(minor, process.env.JEST_WORKER_ID ?? '1');
  const record = recordOf(runDir, owner);
  if (existsSync(record)) {
    const info = JSON.parse(readFileSync(record, 'utf8')) as ControlPlaneInfo;
    if (info.pids.every(alive)) return info;
    stopControlPlane(info);
  }
  return start(runDir, owner, minor);
}
