/**
 * The AWS calls the operator can make, read from its sources: every `new XxxCommand(` outside the
 * emulator, with the AWS SDK client package it was imported from. Shared by the tests that hold the
 * API classes and the IAM policy to the code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');
export const SDK_CLIENT = /^@aws-sdk\/client-[\w-]+$/;

export interface SentCommand {
  /** `file:line`, relative to the repository root. */
  where: string;
  /** The command's name without `Command`, as `send` names the operation. */
  operation: string;
  /** The @aws-sdk/client-* package, or undefined when the scan cannot tell where the command comes from. */
  pkg: string | undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join(repoRoot, 'src', 'emulator') ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each command constructed in one file: named imports (aliased or not), namespace imports and `new (await import(...)).XxxCommand(`. */
function commandsIn(text: string, file: string): SentCommand[] {
  const named = new Map<string, { operation: string; pkg: string }>();
  const namespaces = new Map<string, string>();
  for (const [, typeOnly, specifiers = '', pkg = ''] of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    if (typeOnly || !SDK_CLIENT.test(pkg)) continue;
    for (const specifier of specifiers.split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('type '))) {
      const [imported = '', local = imported] = specifier.split(/\s+as\s+/);
      if (imported.endsWith('Command')) named.set(local, { operation: imported.replace(/Command$/, ''), pkg });
    }
  }
  for (const [, name = '', pkg = ''] of text.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s*'([^']+)'/g)) if (SDK_CLIENT.test(pkg)) namespaces.set(name, pkg);

  const at = (index: number) => `${file}:${text.slice(0, index).split('\n').length}`;
  const found: SentCommand[] = [];
  for (const m of text.matchAll(/new\s+(?:(\w+)\.)?(\w+)\s*\(/g)) {
    const [, qualifier, name = ''] = m;
    if (qualifier) {
      if (namespaces.has(qualifier) || /^\w+Command$/.test(name)) found.push({ where: at(m.index), operation: name.replace(/Command$/, ''), pkg: namespaces.get(qualifier) });
    } else if (named.has(name)) {
      found.push({ where: at(m.index), ...named.get(name)! });
    } else if (/^\w+Command$/.test(name)) {
      found.push({ where: at(m.index), operation: name.replace(/Command$/, ''), pkg: undefined });
    }
  }
  for (const m of text.matchAll(/new\s*\(\s*await\s+import\(\s*'([^']+)'\s*\)\s*\)\.(\w+)Command\s*\(/g)) {
    found.push({ where: at(m.index), operation: m[2]!, pkg: SDK_CLIENT.test(m[1]!) ? m[1] : undefined });
  }
  return found;
}

export function sentCommands(): SentCommand[] {
  return sourceFiles(join(repoRoot, 'src')).flatMap((path) => commandsIn(readFileSync(path, 'utf8'), relative(repoRoot, path)));
}
