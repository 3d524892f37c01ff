/**
 * Reading the two sides of the differential test: what `agentcore-operator validate -o json` says about
 * each file, what `kubectl apply --dry-run=server` says about each file, and the field paths in both,
 * brought to one form so they can be compared.
 */

/** The verdict on one object: accepted, or rejected with the field paths named. */
export interface Verdict {
  accepted: boolean;
  /** Field paths in canonical form (see canonicalPath); '' for a problem without one. */
  paths: string[];
  /** The raw messages, for the report. */
  messages: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Field paths.

/**
 * One form for the paths of both sides: segments joined by dots, list indices and map keys as plain
 * segments. `validate` prints `spec.endpoints[0].name` and quotes map keys that are not identifiers
 * (`spec.tags["team/a"]`); the apiserver prints `spec.endpoints[0].name` and map keys bare
 * (`spec.tags.team/a` from the schema validator, `spec.tags[team/a]` from field.Path).
 */
export function canonicalPath(path: string): string {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const c = path[i]!;
    if (c === '[') {
      if (path[i + 1] === '"') {
        // A JSON string: find its end, honouring escapes.
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        out += `.${JSON.parse(path.slice(i + 1, j + 1)) as string}`;
        i = j + 2;
      } else {
        const end = path.indexOf(']', i);
        out += `.${path.slice(i + 1, end === -1 ? undefined : end)}`;
        i = end === -1 ? path.length : end + 1;
      }
    } else {
      out += c;
      i += 1;
    }
  }
  return out.replace(/^\./, '');
}

/** The segments of a path as `validate` prints it (formatPath): `spec.tags["team/a"]`, `spec.endpoints[0].name`. */
export function validatePathSegments(path: string): string[] {
  const segments: string[] = [];
  const token = /\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let m: RegExpExecArray | null;
  while (token.lastIndex < path.length && (m = token.exec(path))) segments.push(m[1] ?? m[2] ?? (JSON.parse(m[3]!) as string));
  if (token.lastIndex !== path.length && path !== '') throw new Error(`cannot read the path ${JSON.stringify(path)}`);
  return segments;
}

/**
 * A problem `validate` reports, as the path the apiserver reports the same problem at. The two name the
 * same field except where the apiserver checks something one level up:
 * - a map key (`spec.tags["a b"]: key must match ...`) is checked by a CEL rule on the map (`spec.tags`);
 * - a list-map entry whose key repeats (`spec.endpoints[1].name: duplicate entry`) is a duplicate item
 *   (`spec.endpoints[1]: Duplicate value`);
 * - labels and annotations are checked by ObjectMeta validation, which names the map (`metadata.labels`).
 */
export function ourServerPath(path: string | undefined, message: string): string {
  if (path === undefined) return '';
  let segments = validatePathSegments(path);
  if (message.startsWith('key ') || /^duplicate entry \(/.test(message)) segments = segments.slice(0, -1);
  if (segments[0] === 'metadata' && (segments[1] === 'labels' || segments[1] === 'annotations')) segments = segments.slice(0, 2);
  return segments.join('.');
}

/** Whether two rejections name the same set of fields. */
export function comparePaths(ours: string[], theirs: string[]): { ok: boolean; onlyOurs: string[]; onlyTheirs: string[] } {
  const a = new Set(ours);
  const b = new Set(theirs);
  const onlyOurs = [...a].filter((p) => !b.has(p));
  const onlyTheirs = [...b].filter((p) => !a.has(p));
  return { ok: onlyOurs.length === 0 && onlyTheirs.length === 0, onlyOurs, onlyTheirs };
}

// ---------------------------------------------------------------------------------------------------------
// validate -o json.

export interface ValidateJson {
  objects: { kind: string; namespace: string; name: string; file: string }[];
  problems: { file: string; line: number; object?: string; path?: string; message: string }[];
}

/** Verdicts by file, as `validate -o json` printed them (files relative to where it ran). */
export function validateVerdicts(report: ValidateJson): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const o of report.objects) out.set(o.file, { accepted: true, paths: [], messages: [] });
  for (const p of report.problems) {
    const verdict = out.get(p.file) ?? { accepted: false, paths: [], messages: [] };
    verdict.accepted = false;
    verdict.paths.push(ourServerPath(p.path, p.message));
    verdict.messages.push(`${p.path ?? ''}: ${p.message}`);
    out.set(p.file, verdict);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// kubectl apply --dry-run=server.

/** The error types of k8s.io/apimachinery's field.Error, as they read in a message. */
const ERROR_TYPES = ['Invalid value', 'Required value', 'Unsupported value', 'Too long', 'Too many', 'Duplicate value', 'Forbidden', 'Not found', 'Internal error', 'Too short'];
const CAUSE = new RegExp(`(?:^|\\[|, )(<nil>|[^\\s,\\[][^\\s,]*): (${ERROR_TYPES.join('|')})\\b`, 'g');
const ANY_OF = /"([^"]+)" must validate at least one schema \(anyOf\)/;
const NOT_CHECKED = 'some validation rules were not checked because the object was invalid';
const FORMAT = /must be of type \S+ \(default format\) in ([^\s,]+),?\s*$/;

/** One cause of an `is invalid` message: `field: Type: detail`. */
export interface Cause {
  field: string;
  type: string;
  detail: string;
}

/** The causes of an apiserver `... is invalid: [a, b]` message (or of one with a single cause). */
export function causesOf(message: string): Cause[] {
  const invalid = /is invalid: (.*)$/s.exec(message);
  if (!invalid) return [];
  const listed = invalid[1]!.trimEnd();
  const body = listed.startsWith('[') && listed.endsWith(']') ? listed.slice(1, -1) : listed;
  const starts = [...body.matchAll(CAUSE)];
  return starts.map((m, i) => ({ field: m[1]!, type: m[2]!, detail: body.slice(m.index + m[0].length, i + 1 < starts.length ? starts[i + 1]!.index : undefined) }));
}

/**
 * The field paths an apiserver error message names, in canonical form, with these normalisations:
 * - a failed `anyOf` is reported at `<nil>` with the real path quoted in the detail
 *   (`<nil>: Invalid value: "": "spec.x[0]" must validate at least one schema (anyOf)`): the quoted path
 *   counts, and the `Required value` a branch adds for its field (`spec.x[0].Action`, one of
 *   `anyOfFields`, the fields the schema's anyOf branches require) is part of that one problem;
 * - an integer's format check is reported at `<nil>` too, with the path at the end of the detail
 *   (`<nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.x`), beside
 *   the type error at `spec.x`: the path in the detail counts;
 * - `<nil>: Invalid value: null: some validation rules were not checked because the object was invalid`
 *   names no field (the CEL rules were skipped after a blocking error): it is dropped.
 * A strict-decoding rejection (`unknown field "spec.colour"`) names each unknown field. Any other `<nil>`,
 * or a message this does not understand, gives '' so that the comparison fails and shows it.
 */
export function serverPaths(message: string, anyOfFields: ReadonlySet<string> = new Set()): string[] {
  if (/strict decoding error/.test(message)) return [...message.matchAll(/(?:unknown|duplicate) field "([^"]+)"/g)].map((m) => canonicalPath(m[1]!));
  const causes = causesOf(message);
  if (causes.length === 0) return [''];
  const anyOf = causes.filter((c) => c.field === '<nil>' && ANY_OF.test(c.detail)).map((c) => canonicalPath(ANY_OF.exec(c.detail)![1]!));
  const paths: string[] = [];
  for (const c of causes) {
    if (c.field !== '<nil>') {
      const path = canonicalPath(c.field);
      const branch = c.type === 'Required value' && anyOf.some((a) => path.startsWith(`${a}.`) && anyOfFields.has(path.slice(a.length + 1)));
      if (!branch) paths.push(path);
    } else if (ANY_OF.test(c.detail)) paths.push(canonicalPath(ANY_OF.exec(c.detail)![1]!));
    else if (FORMAT.test(c.detail)) paths.push(canonicalPath(FORMAT.exec(c.detail)![1]!));
    else if (!c.detail.includes(NOT_CHECKED)) paths.push('');
  }
  return paths;
}

export interface KubectlResult {
  /** `kind.group/name` of the objects the server accepted (from `-o name`). */
  accepted: Set<string>;
  /** The error message of each rejected file, by the file path kubectl printed. */
  rejected: Map<string, string>;
  /** stderr lines that are not a per-object error; the test expects none. */
  unparsed: string[];
}

const REJECTION = /error when (?:creating|patching) "([^"]+)": (.*)$/s;

/**
 * Splits kubectl's output: `-o name` lines on stdout; on stderr one `Error from server (...)` per failing
 * object, `error when creating "FILE": message` on one line (values are quoted with %q), or for an update
 * `error when applying patch:`, the patch and the object on the lines after it, and finally
 * `for: "FILE": error when patching "FILE": message`. Warnings are not verdicts and are left out.
 */
export function parseKubectl(stdout: string, stderr: string): KubectlResult {
  const accepted = new Set(stdout.split('\n').map((l) => l.trim()).filter(Boolean));
  const rejected = new Map<string, string>();
  const unparsed: string[] = [];
  let chunk: string[] | undefined;
  const flush = () => {
    const m = chunk ? REJECTION.exec(chunk.join('\n')) : null;
    if (m) rejected.set(m[1]!, m[2]!);
    else if (chunk) unparsed.push(chunk.join('\n'));
    chunk = undefined;
  };
  for (const line of stderr.split('\n')) {
    if (line.startsWith('Error from server')) {
      flush();
      chunk = [line];
    } else if (chunk && !REJECTION.test(chunk.join('\n'))) {
      chunk.push(line);
    } else if (line.trim() !== '' && !line.startsWith('Warning: ')) {
      flush();
      unparsed.push(line);
    }
  }
  flush();
  return { accepted, rejected, unparsed };
}
