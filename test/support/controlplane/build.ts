/**
 * Builds the test control plane (etcd, kube-apiserver, kube-controller-manager) from the Go module of
 * each supported Kubernetes version beside this file, once, into ~/.cache/agentcore-operator/, keyed by
 * a hash of the module's files and the build flags. `npm test` runs this file before Jest (`node test/support/controlplane/build.ts
 * [minor...]`); the tests then only look the binaries up. Node runs it as it is (type stripping), so it
 * imports nothing of ours.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The Kubernetes minors we support: the oldest and the newest are built and tested. */
export const SUPPORTED_KUBERNETES = { oldest: '1.32', newest: '1.37' } as const;
export const MINIMUM_GO = '1.24';

export interface ControlPlaneBinaries {
  minor: string;
  etcd: string;
  apiserver: string;
  /** Only where the module builds it (the newest version, which runs the whole cluster suite). */
  controllerManager?: string;
}

type Binary = Exclude<keyof ControlPlaneBinaries, 'minor'>;

const here = dirname(fileURLToPath(import.meta.url));
/** The Go main packages we know, with the file name `go build -o DIR/` gives each. */
const KNOWN_MAINS: Record<string, [Binary, string]> = {
  'go.etcd.io/etcd/server/v3': ['etcd', 'server'],
  'k8s.io/kubernetes/cmd/kube-apiserver': ['apiserver', 'kube-apiserver'],
  'k8s.io/kubernetes/cmd/kube-controller-manager': ['controllerManager', 'kube-controller-manager'],
};

/** The main packages a version's module lists in its tools.go. */
function mainsOf(minor: string): string[] {
  const tools = readFileSync(join(moduleDir(minor), 'tools.go'), 'utf8');
  return [...tools.matchAll(/_ "([^"]+)"/g)].map((m) => m[1]!).filter((pkg) => pkg in KNOWN_MAINS);
}

function moduleDir(minor: string): string {
  return join(here, `k8s-${minor}`);
}

function cacheDir(minor: string): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'tools.go']) hash.update(readFileSync(join(moduleDir(minor), file)));
  hash.update(versionFlags(minor));
  const sum = hash.digest('hex').slice(0, 16);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentcore-operator', `controlplane-${minor}-${sum}`);
}

function binariesIn(dir: string, minor: string): ControlPlaneBinaries {
  const paths = Object.fromEntries(mainsOf(minor).map((pkg) => [KNOWN_MAINS[pkg]![0], join(dir, KNOWN_MAINS[pkg]![1])]));
  return { minor, ...(paths as Pick<ControlPlaneBinaries, 'etcd' | 'apiserver'>) };
}

/** The cached binaries of that minor, or undefined when they have not been built. */
export function cachedControlPlane(minor: string = SUPPORTED_KUBERNETES.newest): ControlPlaneBinaries | undefined {
  const binaries = binariesIn(cacheDir(minor), minor);
  return mainsOf(minor).every((pkg) => existsSync(binaries[KNOWN_MAINS[pkg]![0]]!)) ? binaries : undefined;
}

/** The Go on the PATH as [major, minor], or undefined when there is none. */
export function goVersion(): [number, number] | undefined {
  const result = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  const match = result.status === 0 ? /^go(\d+)\.(\d+)/.exec(result.stdout.trim()) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function goIsUsable(): boolean {
  const version = goVersion();
  const [major, minor] = MINIMUM_GO.split('.').map(Number) as [number, number];
  return version !== undefined && (version[0] > major || (version[0] === major && version[1] >= minor));
}

export const GO_MISSING = `The cluster tests run against a real kube-apiserver built from Go modules, which needs Go >= ${MINIMUM_GO} on the PATH (https://go.dev/doc/install, or Debian's golang-go package; the Go module proxy must be reachable).`;

/**
 * The version stamps Kubernetes' own build writes into its binaries (hack/lib/version.sh); without them
 * the server reports v0.0.0-master and kubectl refuses to talk to it.
 */
function versionFlags(minor: string): string {
  const version = /k8s\.io\/kubernetes (v\d+\.\d+\.\d+)/.exec(readFileSync(join(moduleDir(minor), 'go.mod'), 'utf8'))?.[1];
  if (!version) throw new Error(`k8s-${minor}/go.mod does not require k8s.io/kubernetes at a release`);
  const [major, minorNumber] = version.slice(1).split('.');
  const stamps = { gitVersion: version, gitMajor: major, gitMinor: minorNumber, gitTreeState: 'clean', gitCommit: '0000000000000000000000000000000000000000', buildDate: '1970-01-01T00:00:00Z' };
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => Object.entries(stamps).map(([name, value]) => `-X ${pkg}.${name}=${value}`)).join(' ');
}

/** Builds (or finds in the cache) the binaries of that minor; a cold build takes minutes. */
export function buildControlPlane(minor: string): ControlPlaneBinaries {
  const cached = cachedControlPlane(minor);
  if (cached) return cached;
  const target = cacheDir(minor);
  const staging = `${target}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  process.stderr.write(`building the Kubernetes ${minor} control plane into ${target} (a cold build takes several minutes)\n`);
  const build = spawnSync('go', ['build', '-trimpath', `-ldflags=-s -w ${versionFlags(minor)}`, '-o', `${staging}/`, ...mainsOf(minor)], {
    cwd: moduleDir(minor),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  if (build.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`go build of the Kubernetes ${minor} control plane failed (exit ${build.status ?? build.signal})`);
  }
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // built at the same time by another process
  }
  process.stderr.write(`built the Kubernetes ${minor} control plane in ${Math.round((Date.now() - started) / 1000)} s\n`);
  return binariesIn(target, minor);
}

function main(minors: string[]): number {
  if (!goIsUsable()) {
    if (process.env.CI === 'true') {
      process.stderr.write(`${GO_MISSING}\nCI=true: a missing Go is a failure, not a skip.\n`);
      return 1;
    }
    process.stderr.write(`${GO_MISSING}\nSkipping the cluster tests (test/kube, test/packaging); every other test runs.\n`);
    return 0;
  }
  for (const minor of minors) buildControlPlane(minor);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const minors = process.argv.slice(2);
  process.exitCode = main(minors.length > 0 ? minors : [SUPPORTED_KUBERNETES.newest, SUPPORTED_KUBERNETES.oldest]);
}
