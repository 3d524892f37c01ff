/**
 * Reads YAML manifests from a file or a directory: multi-document files and `kind: List`, with the
 * line of every field kept so that a problem can be pointed at where it was written.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { FieldPath } from '../../api/validation.js';

export interface SourceDocument {
  file: string;
  /** 1-based line where the object starts. */
  line: number;
  content: unknown;
  /** The line of a field, or of its nearest enclosing field that exists. */
  lineOf(path: FieldPath): number;
}

export interface LoadProblem {
  file: string;
  line: number;
  message: string;
}

export interface LoadResult {
  documents: SourceDocument[];
  problems: LoadProblem[];
}

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

/** All manifest files under a path, in a stable order; hidden folders and node_modules are skipped. */
export function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...manifestFiles(full));
    else if (MANIFEST_EXTENSIONS.test(entry.name)) out.push(full);
  }
  return out;
}

export function loadPaths(paths: string[], cwd = process.cwd()): LoadResult {
  const result: LoadResult = { documents: [], problems: [] };
  for (const path of paths) {
    let files: string[];
    try {
      files = manifestFiles(path);
    } catch (error) {
      result.problems.push({ file: path, line: 0, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      continue;
    }
    for (const file of files) {
      const shown = relative(cwd, file) || file;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        result.problems.push({ file: shown, line: 0, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
        continue;
      }
      const loaded = loadText(text, shown);
      result.documents.push(...loaded.documents);
      result.problems.push(...loaded.problems);
    }
  }
  return result;
}

export function loadText(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const result: LoadResult = { documents: [], problems: [] };
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  for (const doc of Array.isArray(documents) ? documents : []) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) result.problems.push({ file, line: lineAt(error.pos[0]), message: `invalid YAML: ${firstLine(error.message)}` });
      continue;
    }
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) continue;
    const start = lineAt(root.range[0]);
    let content: unknown;
    try {
      content = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      result.problems.push({ file, line: start, message: `invalid YAML: ${firstLine((error as Error).message)}` });
      continue;
    }
    if (!isMap(root)) {
      result.problems.push({ file, line: start, message: 'a manifest must be a mapping with apiVersion, kind, metadata and spec' });
      continue;
    }
    const lineOf = (prefix: FieldPath) => (path: FieldPath) => lineAt(nodeOffset(root, [...prefix, ...path]));
    const record = content as Record<string, unknown>;
    if (record.kind === 'List' && Array.isArray(record.items)) {
      record.items.forEach((item, i) => {
        const at = lineOf(['items', i]);
        result.documents.push({ file, line: at([]), content: item, lineOf: at });
      });
    } else {
      result.documents.push({ file, line: start, content, lineOf: lineOf([]) });
    }
  }
  return result;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Offset of the deepest node along the path: a map entry's key, or a list item. */
function nodeOffset(root: Node, path: FieldPath): number {
  let node: unknown = root;
  let offset = root.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}
