/**
 * The desired state of a file source: every agentcore.dev object under the given paths, validated as
 * a set. Each problem names the file, the line, the object and the field path.
 */
import type { KubeObject } from '../../api/meta.js';
import type { KindInfo } from '../../api/kinds.js';
import { awsNameOf } from '../../api/names.js';
import { formatPath, isOurs, validateObject, type FieldPath } from '../../api/validation.js';
import { keyOf } from '../../engine/engine.js';
import { loadPaths, type LoadLimits, type SourceDocument } from './loader.js';

export const DEFAULT_NAMESPACE = 'default';

export interface ManifestObject {
  info: KindInfo;
  object: KubeObject<Record<string, unknown>, unknown>;
  namespace: string;
  awsName: string;
  file: string;
  line: number;
  /** The line of a field of the object (its first line when the field is not written). */
  lineOf(path: FieldPath): number;
}

export interface ManifestProblem {
  file: string;
  line: number;
  /** `Kind namespace/name`, when the document got far enough to have one. */
  object?: string;
  path?: FieldPath;
  message: string;
}

export interface ManifestSet {
  objects: ManifestObject[];
  problems: ManifestProblem[];
  /** Documents of other API groups (a Namespace, a ConfigMap...): not ours to reconcile. */
  skipped: SourceDocument[];
}

/** An object's key, `Kind/namespace/name`, as the engine names it. */
export const manifestKey = (o: ManifestObject) => keyOf({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name });

export function describeObject(content: unknown): string | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const { kind, metadata } = content as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof kind !== 'string') return undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : '<no name>';
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : DEFAULT_NAMESPACE;
  return `${kind} ${namespace}/${name}`;
}

export function loadManifests(paths: string[], cwd?: string, limits?: LoadLimits): ManifestSet {
  const loaded = loadPaths(paths, cwd, limits);
  const set: ManifestSet = { objects: [], problems: [...loaded.problems], skipped: [] };
  for (const doc of loaded.documents) {
    if (!isOurs(doc.content) && hasForeignApiVersion(doc.content)) {
      set.skipped.push(doc);
      continue;
    }
    const result = validateObject(doc.content);
    const object = describeObject(doc.content);
    if (!result.ok) {
      for (const p of result.problems) set.problems.push({ file: doc.file, line: doc.lineOf(p.path), object, path: p.path, message: p.message });
      continue;
    }
    const namespace = result.object.metadata.namespace ?? DEFAULT_NAMESPACE;
    set.objects.push({ info: result.info, object: result.object, namespace, awsName: awsNameOf(result.info.awsName, result.object), file: doc.file, line: doc.line, lineOf: doc.lineOf });
  }
  set.problems.push(...collisions(set.objects));
  set.problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return set;
}

function hasForeignApiVersion(content: unknown): boolean {
  return typeof content === 'object' && content !== null && typeof (content as { apiVersion?: unknown }).apiVersion === 'string';
}

/** Two documents for one object, or two objects that would claim one AWS resource. */
function collisions(objects: ManifestObject[]): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const byKey = new Map<string, ManifestObject>();
  const byAwsName = new Map<string, ManifestObject>();
  for (const o of objects) {
    const id = `${o.info.kind} ${o.namespace}/${o.object.metadata.name}`;
    const first = byKey.get(id);
    if (first) {
      problems.push({ file: o.file, line: o.line, object: id, message: `defined twice; first at ${first.file}:${first.line}` });
      continue;
    }
    byKey.set(id, o);
    const awsKey = `${o.info.kind} ${nameScope(o)}${o.awsName}`;
    const other = byAwsName.get(awsKey);
    if (other) {
      problems.push({
        file: o.file,
        line: o.line,
        object: id,
        path: ['spec', o.info.awsName.field],
        message: `AWS name ${o.awsName} is already used by ${o.info.kind} ${other.namespace}/${other.object.metadata.name} (${other.file}:${other.line})`,
      });
    }
    byAwsName.set(awsKey, o);
  }
  return problems;
}

function nameScope(o: ManifestObject): string {
  const ref = o.info.awsName.uniqueWithin?.ref;
  if (!ref) return '';
  const target = o.object.spec[ref] as { name?: string } | undefined;
  return `${o.namespace}/${target?.name ?? ''}/`;
}

/**
 * A problem as one line of text. What a manifest's author wrote (a file name, a kind, a name, the text a
 * YAML error quotes) may hold control characters: a carriage return or an escape sequence would let it
 * rewrite what a terminal or a CI log shows, so they are written as escapes.
 */
export function formatProblem(p: ManifestProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  const object = p.object ? ` ${p.object}:` : '';
  const path = p.path && p.path.length > 0 ? ` ${formatPath(p.path)}:` : '';
  return printable(`${where}:${object}${path} ${p.message}`);
}

/** C0 and C1 controls but the tab, DEL, line and paragraph separators, and the bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
