/**
 * How a command prints what it found: `-o text` (the default, for people), `json` or `yaml` (for
 * machines), `wide` (text with more columns) where a command has more to show. `--json`, the flag of
 * earlier versions, stays as another way to say `-o json`.
 */
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import type { CliIO } from './io.js';

export type OutputFormat = 'text' | 'wide' | 'json' | 'yaml';

export interface OutputOptions {
  output: OutputFormat;
  json?: boolean;
}

export function withOutput(command: Command, formats: readonly OutputFormat[]): Command {
  return command
    .addOption(new Option('-o, --output <format>', 'how to print the result').choices(formats).default('text'))
    .addOption(new Option('--json', 'the same as -o json').hideHelp());
}

export function outputOf(options: OutputOptions): OutputFormat {
  return options.json ? 'json' : options.output;
}

/** Data for machines: JSON or YAML of the same value. */
export function printData(io: CliIO, format: 'json' | 'yaml', data: unknown): void {
  io.out(format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringify(data));
}
