/**
 * The Dockerfile, checked structurally (no Docker engine here): its instructions are parsed, and each
 * rule is a function returning problems, run on the real file and on broken copies of it, so every
 * rule is shown to catch what it is about.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';

const root = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');
const dockerfile = read('Dockerfile');
const dockerignore = read('.dockerignore');
const packageJson = JSON.parse(read('package.json')) as { bin: Record<string, string>; license: string };

interface Instruction {
  name: string;
  args: string;
}
interface Stage {
  name?: string;
  image: string;
  flags: Record<string, string>;
  body: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped (Docker drops them inside continuations too). */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += (pending ? ' ' : '') + (continued ? line.slice(0, -1).trim() : line);
    if (continued) continue;
    const [, name = '', args = ''] = /^(\S+)\s*(.*)$/.exec(pending) ?? [];
    result.push({ name: name.toUpperCase(), args });
    pending = '';
  }
  return result;
}

/** Whitespace-separated words, double quotes grouping (and removed). */
function words(args: string): string[] {
  return [...args.matchAll(/(?:"[^"]*"|[^\s"])+/g)].map((m) => m[0].replace(/"/g, ''));
}

/** Leading `--name=value` flags, and the words after them. */
function flagsOf(args: string): { flags: Record<string, string>; rest: string[] } {
  const all = words(args);
  const flags: Record<string, string> = {};
  while (all[0]?.startsWith('--')) {
    const [key = '', value = ''] = all.shift()!.slice(2).split('=');
    flags[key] = value;
  }
  return { flags, rest: all };
}

function stages(text: string): Stage[] {
  const result: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.name === 'FROM') {
      const { flags, rest } = flagsOf(instruction.args);
      result.push({ image: rest[0] ?? '', ...(rest[1]?.toUpperCase() === 'AS' ? { name: rest[2] } : {}), flags, body: [] });
    } else {
      result.at(-1)?.body.push(instruction);
    }
  }
  return result;
}

const all = (stage: Stage | undefined, name: string) => (stage?.body ?? []).filter((i) => i.name === name);
/** KEY=value pairs of ENV and LABEL. */
const pairs = (stage: Stage | undefined, name: string) =>
  Object.fromEntries(all(stage, name).flatMap((i) => words(i.args)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
const jsonArgs = (stage: Stage | undefined, name: string): unknown => {
  const last = all(stage, name).at(-1);
  try {
    return last ? JSON.parse(last.args) : undefined;
  } catch {
    return last?.args;
  }
};

const SECRET_LIKE = /(^|\/)\.env($|\.)|\.pem$|\.key$|(^|\/)\.npmrc$|kubeconfig|(^|\/)\.aws($|\/)|(^|\/)\.kube($|\/)/i;
/** What the final stage may take from the build context: the package manifests, and the CRDs the package ships. */
const CONTEXT_FILES_FOR_RUNTIME = ['package.json', 'package-lock.json', 'crds'];
/** What the final stage may take from the build stage. */
const BUILT_FOR_RUNTIME = ['dist'];
const clean = (path: string) => posix.normalize(path).replace(/^\.\/|\/$/g, '');

/** Every rule the Dockerfile must keep, as problems in words (empty when it keeps them all). */
function problems(text: string): string[] {
  const found: string[] = [];
  const list = stages(text);
  const build = list[0];
  const final = list.at(-1);
  if (list.length < 2 || !build || !final) return ['needs a build stage and a runtime stage'];

  for (const stage of list) {
    if (!/^node:24\.\d+\.\d+(-\w+)?-slim$/.test(stage.image)) found.push(`FROM ${stage.image}: not a slim Node 24 image pinned to a version`);
  }
  if (build.flags.platform !== '$BUILDPLATFORM') found.push('the build stage does not run on $BUILDPLATFORM');
  if (final.flags.platform !== undefined) found.push('the runtime stage is pinned to a platform');
  const buildRuns = all(build, 'RUN').map((i) => i.args).join('\n');
  if (!/\bnpm ci\b/.test(buildRuns) || !/\bnpm run build\b/.test(buildRuns)) found.push('the build stage does not run npm ci and npm run build');

  const user = all(final, 'USER').at(-1)?.args.split(':')[0];
  if (user === undefined || !/^\d+$/.test(user) || Number(user) === 0) found.push(`the runtime stage runs as ${user ?? 'root (no USER)'}, not a numeric non-root user`);

  for (const stage of list) {
    for (const copy of [...all(stage, 'COPY'), ...all(stage, 'ADD')]) {
      const sources = flagsOf(copy.args).rest.slice(0, -1);
      for (const source of sources.filter((s) => SECRET_LIKE.test(clean(s)))) found.push(`${copy.name} ${source}: a secret-like path`);
    }
  }
  const earlier = new Set(list.slice(0, -1).flatMap((s, index) => [String(index), ...(s.name ? [s.name] : [])]));
  for (const copy of [...all(final, 'COPY'), ...all(final, 'ADD')]) {
    const { flags, rest } = flagsOf(copy.args);
    for (const source of rest.slice(0, -1).map(clean)) {
      const fromBuild = flags.from !== undefined && earlier.has(flags.from);
      const allowed = fromBuild ? BUILT_FOR_RUNTIME.includes(posix.basename(source)) : flags.from === undefined && CONTEXT_FILES_FOR_RUNTIME.includes(source);
      if (copy.name === 'ADD' || !allowed) found.push(`the runtime stage copies ${source}${flags.from ? ` from ${flags.from}` : ''}`);
    }
  }

  const installs = all(final, 'RUN').map((i) => i.args).filter((run) => /\bnpm (ci|install|i)\b/.test(run));
  if (installs.length === 0 || installs.some((run) => !/--omit=dev\b/.test(run))) found.push('the runtime stage does not install production dependencies only (--omit=dev)');

  const env = pairs(final, 'ENV');
  if (env.NODE_ENV !== 'production' || env.MALLOC_ARENA_MAX !== '2') found.push('the runtime stage does not set NODE_ENV=production and MALLOC_ARENA_MAX=2');
  const labels = pairs(final, 'LABEL');
  if (!labels['org.opencontainers.image.source'] || labels['org.opencontainers.image.licenses'] !== packageJson.license) {
    found.push('the OCI labels source and licenses are missing or wrong');
  }

  // The entrypoint must name a file of the build output, where the runtime stage put it.
  const entrypoint = jsonArgs(final, 'ENTRYPOINT');
  const workdir = all(final, 'WORKDIR').at(-1)?.args ?? '/';
  const distCopy = all(final, 'COPY').map((i) => flagsOf(i.args)).find((c) => c.flags.from !== undefined && c.rest.slice(0, -1).some((s) => posix.basename(clean(s)) === 'dist'));
  const distAt = distCopy ? posix.resolve(workdir, distCopy.rest.at(-1)!) : undefined;
  const script = Array.isArray(entrypoint) && entrypoint[0] === 'node' ? String(entrypoint[1]) : undefined;
  if (!script || !distAt || !script.startsWith(`${distAt}/`)) {
    found.push(`ENTRYPOINT ${JSON.stringify(entrypoint)} does not run node on the copied dist/`);
  } else {
    const inRepo = posix.join('dist', posix.relative(distAt, script));
    if (!existsSync(new URL(inRepo, root))) found.push(`ENTRYPOINT runs ${script}, but the build output has no ${inRepo}`);
    if (!Object.values(packageJson.bin).includes(inRepo)) found.push(`ENTRYPOINT runs ${inRepo}, which is not the package's bin`);
  }
  if (JSON.stringify(jsonArgs(final, 'CMD')) !== '["run"]') found.push('CMD is not ["run"]');
  return found;
}

/** The Dockerfile with one piece of text replaced; fails when that text is not there (the mutation would test nothing). */
function broken(from: string | RegExp, to: string): string {
  const result = dockerfile.replace(from, to);
  if (result === dockerfile) throw new Error(`the Dockerfile has no ${from}`);
  return result;
}

describe('Dockerfile', () => {
  test('keeps every rule', () => {
    expect(problems(dockerfile)).toEqual([]);
  });

  test('the parser joins continuation lines and drops comments', () => {
    const parsed = instructions('FROM a AS b\nRUN one \\\n  # a comment\n  two\nLABEL x="a b" \\\n  y=c\n');
    expect(parsed).toEqual([
      { name: 'FROM', args: 'a AS b' },
      { name: 'RUN', args: 'one two' },
      { name: 'LABEL', args: 'x="a b" y=c' },
    ]);
    expect(words('x="a b" y=c')).toEqual(['x=a b', 'y=c']);
  });

  // Each rule, broken on purpose, is reported for what it is about.
  test.each<[string, string | RegExp, string, RegExp]>([
    ['one stage', /^FROM node:24\.21\.0-slim\n[\s\S]*$/m, '', /needs a build stage and a runtime stage/],
    ['an unpinned base', /^FROM node:24\.21\.0-slim$/m, 'FROM node:latest', /FROM node:latest: not a slim Node 24/],
    ['a full base image', /^FROM node:24\.21\.0-slim$/m, 'FROM node:24.21.0', /FROM node:24\.21\.0: not a slim/],
    ['a build stage on the target platform', 'FROM --platform=$BUILDPLATFORM ', 'FROM ', /build stage does not run on \$BUILDPLATFORM/],
    ['root', /^USER .*$/m, 'USER root', /runs as root, not a numeric non-root user/],
    ['uid 0', /^USER .*$/m, 'USER 0:0', /runs as 0, not a numeric/],
    ['no USER', /^USER .*\n/m, '', /runs as root \(no USER\)/],
    ['a copied .env', 'COPY src ./src', 'COPY src .env ./src', /COPY \.env: a secret-like path/],
    ['a copied kubeconfig', 'COPY crds ./crds', 'COPY crds deploy/kubeconfig ./crds', /COPY deploy\/kubeconfig: a secret-like path/],
    ['a copied key', 'COPY crds ./crds', 'COPY crds tls/server.key ./crds', /COPY tls\/server\.key: a secret-like/],
    ['copied AWS credentials', 'COPY src ./src', 'COPY src .aws/credentials ./src', /COPY \.aws\/credentials: a secret-like/],
    ['a copied .npmrc', 'COPY package.json package-lock.json ./\nRUN npm ci --omit', 'COPY package.json package-lock.json .npmrc ./\nRUN npm ci --omit', /COPY \.npmrc: a secret-like/],
    ['the sources in the runtime', 'COPY crds ./crds', 'COPY crds ./crds\nCOPY src ./src', /runtime stage copies src$/],
    ['the whole context in the runtime', 'COPY crds ./crds', 'COPY . .', /runtime stage copies \.$/],
    ['the build stage node_modules in the runtime', 'COPY --from=build /src/dist ./dist', 'COPY --from=build /src/dist ./dist\nCOPY --from=build /src/node_modules ./node_modules', /runtime stage copies \/src\/node_modules from build/],
    ['a copy from another image', 'COPY --from=build /src/dist ./dist', 'COPY --from=busybox:1 /bin/sh ./dist', /runtime stage copies \/bin\/sh from busybox:1/],
    ['dev dependencies', /(^RUN npm ci) --omit=dev/m, '$1', /production dependencies only/],
    ['no install', /^RUN npm ci --omit=dev.*\n/m, '', /production dependencies only/],
    ['no NODE_ENV', 'NODE_ENV=production ', '', /NODE_ENV=production and MALLOC_ARENA_MAX=2/],
    ['no licenses label', 'org.opencontainers.image.licenses="Apache-2.0"', 'org.opencontainers.image.vendor="x"', /OCI labels/],
    ['a missing entrypoint file', '/app/dist/cli/main.js', '/app/dist/cli/nope.js', /the build output has no dist\/cli\/nope\.js/],
    ['an entrypoint that is not the bin', '/app/dist/cli/main.js', '/app/dist/cli/program.js', /dist\/cli\/program\.js, which is not the package's bin/],
    ['an entrypoint outside the copied dist', 'COPY --from=build /src/dist ./dist', 'COPY --from=build /src/dist ./lib', /does not run node on the copied dist/],
    ['a shell-form entrypoint', /^ENTRYPOINT .*$/m, 'ENTRYPOINT node /app/dist/cli/main.js', /does not run node on the copied dist/],
    ['another command', /^CMD .*$/m, 'CMD ["plan"]', /CMD is not \["run"\]/],
  ])('reports %s', (_what, from, to, problem) => {
    const found = problems(broken(from, to));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

/** .dockerignore as Docker reads it: the last pattern that matches a path, or one of its folders, decides. */
function ignored(path: string): boolean {
  let result = false;
  for (const raw of dockerignore.split(/\r?\n/).map((l) => l.trim())) {
    if (raw === '' || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    const pattern = clean((negated ? raw.slice(1) : raw).replace(/^\//, ''));
    const source = pattern
      .split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.*').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
      .join('(.*/)?');
    const regex = new RegExp(`^${source}$`);
    const segments = path.split('/');
    if (segments.some((_, i) => regex.test(segments.slice(0, i + 1).join('/')))) result = !negated;
  }
  return result;
}

describe('.dockerignore', () => {
  test.each([
    'node_modules', 'node_modules/typescript/package.json', '.git', '.git/config', 'test/cli/apply.test.ts', 'bench-results/report.json',
    'dist/cli/main.js', '.env', '.env.production', 'src/.env', 'crds/.env.local', 'deploy/tls.pem', 'src/server.key', '.npmrc', 'src/.npmrc',
    '.aws/credentials', 'src/.aws/config', '.kube/config', 'kubeconfig', 'crds/kubeconfig.yaml',
  ])('keeps %s out of the build context', (path) => {
    expect(ignored(path)).toBe(true);
  });

  test('lets in everything the Dockerfile copies from the context', () => {
    const copied = stages(dockerfile).flatMap((s) => all(s, 'COPY')).map((i) => flagsOf(i.args)).filter((c) => c.flags.from === undefined).flatMap((c) => c.rest.slice(0, -1).map(clean));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'crds']));
    for (const path of [...copied, 'src/cli/main.ts', 'crds/agentcore.dev_agentruntimes.yaml']) expect([path, ignored(path)]).toEqual([path, false]);
  });
});
