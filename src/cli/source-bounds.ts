/**
 * What a command over manifests may read from this machine, bounded by whoever runs it (the manifests'
 * author may be someone else, such as a pull request's): file sizes, document counts and nesting, and
 * the variables and folders secret references may read.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_LOAD_LIMITS, type LoadLimits } from '../sources/files/loader.js';
import { DEFAULT_SECRET_FILE_BYTES, secretAccessOf, type SecretAccess } from '../sources/files/secrets.js';

export interface SourceBoundOptions {
  maxFileBytes: number;
  maxDocuments: number;
  maxDepth: number;
  secretEnv?: string[];
  secretsDir?: string[];
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

export function withSourceBounds(command: Command): Command {
  return command
    .option('--max-file-bytes <n>', 'refuse a manifest file larger than this', positive, DEFAULT_LOAD_LIMITS.maxFileBytes)
    .option('--max-documents <n>', 'refuse a file with more documents (or List items) than this', positive, DEFAULT_LOAD_LIMITS.maxDocuments)
    .option('--max-depth <n>', 'refuse a document nested deeper than this', positive, DEFAULT_LOAD_LIMITS.maxDepth)
    .option('--secret-env <name...>', 'environment variables a secret reference may read: names, or prefixes ending in * (default: none)')
    .option('--secrets-dir <dir...>', `folders a secret file may be in besides the manifests' own (files of at most ${DEFAULT_SECRET_FILE_BYTES / 1024} KiB)`);
}

export function loadLimitsOf(options: SourceBoundOptions): LoadLimits {
  return { maxFileBytes: options.maxFileBytes, maxDocuments: options.maxDocuments, maxDepth: options.maxDepth };
}

export function secretAccessFor(paths: string[], cwd: string, options: SourceBoundOptions): SecretAccess {
  return secretAccessOf(paths, cwd, { env: options.secretEnv, roots: options.secretsDir });
}
