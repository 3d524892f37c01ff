import type { Command } from 'commander';
import { allCrdsYaml } from '../../api/crd.js';
import type { CliIO } from '../io.js';

export function crdsCommand(program: Command, io: CliIO): void {
  program
    .command('crds')
    .description('Print the CustomResourceDefinitions (pipe to `kubectl apply -f -`).')
    .action(() => io.out(allCrdsYaml()));
}
