import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generatedFiles } from '../../api/generated.js';
import type { CliIO } from '../io.js';

export function generateCommand(program: Command, io: CliIO): void {
  program
    .command('generate')
    .description('Write the generated files (crds/, docs/api/) from the schemas in src/api; for developers.')
    .option('--dir <path>', 'repository root', '.')
    .action((options: { dir: string }) => {
      for (const [path, content] of generatedFiles()) {
        const full = join(options.dir, path);
        mkdirSync(join(full, '..'), { recursive: true });
        writeFileSync(full, content);
        io.out(`wrote ${path}\n`);
      }
    });
}
