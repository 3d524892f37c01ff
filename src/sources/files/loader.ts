/**
 * Reads YAML manifests from a file or a directory: multi-document files and `kind: List`, with the
 * line of every field kept so that a problem can be pointed at where it was written. Input is bounded:
 * regular files only, each under a size and a document count, no deeper than a nesting depth, and no
 * alias that contains itself; what is over a bound is a problem, never a crash or a hang.
 */
import { readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, visit, type Node } from 'yaml';
import { formatPath, type FieldPath } from '../../api/validation.js';

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

/** The bounds on what is read. */
export interface LoadLimits {
  maxFileBytes: number;
  /** Documents in one file, the items of a `kind: List` included. */
  maxDocuments: number;
  /** Levels of nesting of maps and lists in one document. */
  maxDepth: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxFileBytes: 8 * 1024 * 1024, maxDocuments: 2000, maxDepth: 64 };

export const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** All manifest files under a path, in a stable order; hidden folders and node_modules are skipped. */
export function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...manifestFiles(full));
    // Anything else named like a manifest is listed, so that a FIFO or a device is refused by name (never opened), not passed over.
    else if (MANIFEST_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

class LoadRefused extends Error {}

/** A regular file's text, within the size limit; else the reason it is not read. */
function readRegularFile(file: string, maxBytes: number): string | LoadRefused {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return new LoadRefused('not a regular file');
    if (stat.size > maxBytes) return new LoadRefused(`${stat.size} bytes, over the limit of ${maxBytes} (--max-file-bytes)`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    return new LoadRefused(`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** The name problems give to manifests read from standard input (`-f -`). */
export const STDIN = '<stdin>';

/** Standard input's text, or a refusal when it holds more than the limit (read no further than that). */
function readStdin(maxBytes: number): string | LoadRefused {
  const chunks: Buffer[] = [];
  const chunk = Buffer.alloc(64 * 1024);
  let size = 0;
  for (let n = readSync(0, chunk); n > 0; n = readSync(0, chunk)) {
    size += n;
    if (size > maxBytes) return new LoadRefused(`more than ${maxBytes} bytes, over the limit (--max-file-bytes)`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function loadPaths(paths: string[], cwd = process.cwd(), limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadResult {
  const result: LoadResult = { documents: [], problems: [] };
  /** A file's text loaded, or the reason it was not read. */
  const add = (shown: string, text: string | LoadRefused) => {
    const loaded = text instanceof LoadRefused ? { documents: [], problems: [{ file: shown, line: 0, message: text.message }] } : loadText(text, shown, limits);
    result.documents.push(...loaded.documents);
    result.problems.push(...loaded.problems);
  };
  for (const path of paths) {
    if (path === '-') {
      add(STDIN, readStdin(limits.maxFileBytes));
      continue;
    }
    let files: string[];
    try {
      files = manifestFiles(path);
    } catch (error) {
      result.problems.push({ file: path, line: 0, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      continue;
    }
    for (const file of files) add(relative(cwd, file) || file, readRegularFile(file, limits.maxFileBytes));
  }
  return result;
}


export function loadText(text: string, file: string, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadResult {
  const lineCounter = new LineCounter();
  const result: LoadResult = { documents: [], problems: [] };
  // logLevel error: the library's warnings (a collection used as a key) are problems of ours, not lines on stderr.
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const all = Array.isArray(documents) ? documents : [];
  if (all.length > limits.maxDocuments) {
    result.problems.push({ file, line: 1, message: `${all.length} documents, over the limit of ${limits.maxDocuments} in one file (--max-documents)` });
    return result;
  }
  for (const doc of all) {
    if (doc.errors.length > 0) {
      // A parser that ran out of stack says so once per level it unwinds: each distinct error once.
      const errors = new Map<string, number>();
      for (const error of doc.errors) if (!errors.has(firstLine(error.message))) errors.set(firstLine(error.message), error.pos[0]);
      for (const [message, at] of errors) result.problems.push({ file, line: lineAt(at), message: `invalid YAML: ${message}` });
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
    const unbounded = shapeProblem(content, limits.maxDepth);
    if (unbounded) {
      result.problems.push({ file, line: lineOf([])(unbounded.path), message: `${unbounded.message}, at ${formatPath(unbounded.path)}` });
      continue;
    }
    const collectionKey = collectionKeyIn(root);
    if (collectionKey) {
      result.problems.push({ file, line: lineAt(collectionKey.range?.[0] ?? root.range[0]), message: 'invalid YAML: a mapping key must be a string, number or boolean, not a list or mapping' });
      continue;
    }
    const record = content as Record<string, unknown>;
    if (record.kind === 'List' && Array.isArray(record.items) && record.items.length > limits.maxDocuments) {
      result.problems.push({ file, line: start, message: `a List of ${record.items.length} items, over the limit of ${limits.maxDocuments} in one file (--max-documents)` });
      continue;
    }
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

/**
 * What makes a document unbounded: an alias that contains itself (a value nested inside itself, which
 * no JSON can hold) or nesting deeper than `maxDepth`; with the path where it is found.
 */
function shapeProblem(value: unknown, maxDepth: number): { message: string; path: FieldPath } | undefined {
  const ancestors = new Set<object>();
  const walk = (node: unknown, path: FieldPath): { message: string; path: FieldPath } | undefined => {
    if (typeof node !== 'object' || node === null) return undefined;
    if (ancestors.has(node)) return { message: 'a YAML alias refers to a node that contains it', path };
    if (path.length >= maxDepth) return { message: `nested more than ${maxDepth} levels deep (--max-depth)`, path };
    ancestors.add(node);
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, child] of entries) {
      const found = walk(child, [...path, key]);
      if (found) return found;
    }
    ancestors.delete(node);
    return undefined;
  };
  return walk(value, []);
}

/** The first key that is a list or a mapping (`? [a, b] : c`), which JSON cannot hold as a key. */
function collectionKeyIn(root: Node): Node | undefined {
  let found: Node | undefined;
  visit(root, {
    Pair(_, pair) {
      if (isMap(pair.key) || isSeq(pair.key)) {
        found = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
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
