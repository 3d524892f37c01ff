import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generatedFiles } from '../../api/generated.js';
import { operatorPolicyJson } from '../../reconcilers/iam/operator-policy.js';
import { RESOURCE_KINDS } from '../../reconcilers/index.js';
import type { CliIO } from '../io.js';

export function generateCommand(program: Command, io: CliIO): void {
  program
    .command('generate')
    .description('Write the generated files (crds/, docs/api/, the chart\'s RBAC lists, docs/iam-policy.json) from the registries; for developers.')
    .option('--dir <path>', 'repository root', '.')
    .action((options: { dir: string }) => {
      const files = new Map([...generatedFiles(), ['docs/iam-policy.json', operatorPolicyJson(RESOURCE_KINDS)]]);
      for (const [path, content] of files) {
        const full = join(options.dir, path);
        mkdirSync(join(full, '..'), { recursive: true });
        writeFileSync(full, content);
        io.out(`wrote ${path}\n`);
      }
    });
}
