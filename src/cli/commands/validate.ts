import type { Command } from 'commander';
import { formatPath } from '../../api/validation.js';
import { keyOf } from '../../engine/engine.js';
import { reconcilerByKind } from '../../reconcilers/index.js';
import { formatProblem, loadManifests, type ManifestProblem } from '../../sources/files/manifests.js';
import { checkReferences, checkSecretAccess } from '../../sources/files/preflight.js';
import type { CliIO } from '../io.js';
import { outputOf, printData, withOutput, type OutputOptions } from '../output.js';
import { loadLimitsOf, secretAccessFor, withSourceBounds, type SourceBoundOptions } from '../source-bounds.js';

/** The keys of the objects that have problems of their own (`Kind namespace/name`), so still exist in the source. */
function keysOf(problems: ManifestProblem[]): string[] {
  return problems.flatMap((p) => {
    const [, kind, namespace, name] = /^(\S+) ([^/]+)\/(.+)$/.exec(p.object ?? '') ?? [];
    return kind && namespace && name ? [keyOf({ kind, namespace, name })] : [];
  });
}

export function validateCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  withSourceBounds(withOutput(program
    .command('validate')
    .description('Check manifests against the schemas and against each other (references, cycles); print every problem with its file, line, object and field path.')
    .requiredOption('-f, --filename <path...>', 'manifest files or directories, or - for standard input')
    .option('--no-references', 'check each object on its own, as an apiserver does: not whether what it references is in the files (for a part of a source)'), ['text', 'json', 'yaml']))
    .action((options: { filename: string[]; references: boolean } & OutputOptions & SourceBoundOptions) => {
      const set = loadManifests(options.filename, io.cwd, loadLimitsOf(options));
      if (options.references) {
        // References, cycles and what secret references may read, as plan and apply check them, without reading a secret or calling AWS.
        set.problems.push(...checkReferences(set.objects, reconcilerByKind, keysOf(set.problems)));
        set.problems.push(...checkSecretAccess(set.objects, secretAccessFor(options.filename, io.cwd, options)));
        set.problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
      }
      const format = outputOf(options);
      if (format === 'json' || format === 'yaml') {
        printData(io, format, {
          objects: set.objects.map((o) => ({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name, awsName: o.awsName, file: o.file, line: o.line })),
          problems: set.problems.map((p) => ({ ...p, path: p.path ? formatPath(p.path) : undefined })),
          skipped: set.skipped.map((d) => ({ file: d.file, line: d.line })),
        });
      } else {
        for (const p of set.problems) io.out(`${formatProblem(p)}\n`);
        if (set.objects.length > 0) io.out(table(set.objects.map((o) => [o.info.kind, `${o.namespace}/${o.object.metadata.name}`, o.awsName, `${o.file}:${o.line}`]), ['KIND', 'OBJECT', 'AWS NAME', 'SOURCE']));
        const skipped = set.skipped.length > 0 ? `; ${set.skipped.length} document(s) of other API groups skipped` : '';
        io.out(`${set.objects.length} valid object(s), ${set.problems.length} problem(s)${skipped}\n`);
      }
      setExitCode(set.problems.length > 0 ? 1 : 0);
    });
}

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
