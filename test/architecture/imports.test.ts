/**
 * The layers of src/ and the one way imports flow between them: cli -> sources -> engine ->
 * reconcilers -> aws, with api (the schemas and the registry) and observability below them all, and
 * the emulator apart (only the CLI entry starts it). No module imports itself back through others.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import of every module, type-only imports included (they still say what a layer knows). */
const graph = new Map(
  files(src).map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)]
      .map((m) => resolve(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, '.ts')));
    return [relative(src, file), targets.map((t) => relative(src, t))];
  }),
);

const layerOf = (path: string) => path.split('/')[0]!;
/** Which layers each layer may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  cli: ['sources', 'engine', 'reconcilers', 'aws', 'api', 'observability', 'emulator'],
  sources: ['engine', 'reconcilers', 'aws', 'api', 'observability'],
  engine: ['reconcilers', 'aws', 'api', 'observability'],
  reconcilers: ['aws', 'api'],
  aws: ['api'],
  observability: ['api'],
  api: [],
  emulator: ['api'],
};

describe('imports', () => {
  test('every layer imports only the layers below it', () => {
    const wrong = [...graph].flatMap(([file, targets]) => targets.filter((t) => layerOf(t) !== layerOf(file) && !(ALLOWED[layerOf(file)] ?? []).includes(layerOf(t))).map((t) => `${file} -> ${t}`));
    expect(wrong).toEqual([]);
  });

  test('no module reaches itself again through its imports', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) if (layerOf(next) !== 'emulator') visit(next, [...path, file]);
      state.set(file, 'done');
    };
    // The emulator stands apart from the product's layers, and is held to the AWS models instead.
    for (const file of graph.keys()) if (layerOf(file) !== 'emulator') visit(file, []);
    expect(cycles).toEqual([]);
  });
});
