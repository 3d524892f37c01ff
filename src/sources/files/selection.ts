/**
 * Narrowing a command to part of a tree, as kubectl's `-l` and terraform's `-target` do: the objects a
 * label selector or a `Kind/namespace/name` names, with what they need. To apply or plan an object is
 * to apply or plan what it references as well; to delete one is to delete what references it first.
 */
import { manifestKey, type ManifestObject } from './manifests.js';

/** One requirement of a label selector: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. */
type Requirement = { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | 'absent' };

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const FORMS: [RegExp, (m: RegExpExecArray) => Requirement][] = [
  [new RegExp(`^(${KEY})\\s*(==?|!=)\\s*(${VALUE})$`), (m) => ({ key: m[1]!, op: m[3] === '!=' ? 'notin' : 'in', values: [m[4]!] })],
  [new RegExp(`^(${KEY})\\s+(in|notin)\\s+\\(([^)]*)\\)$`), (m) => ({ key: m[1]!, op: m[3] as 'in' | 'notin', values: m[4]!.split(',').map((v) => v.trim()) })],
  [new RegExp(`^!\\s*(${KEY})$`), (m) => ({ key: m[1]!, op: 'absent' })],
  [new RegExp(`^(${KEY})$`), (m) => ({ key: m[1]!, op: 'exists' })],
];

/** The requirements, comma-separated outside parentheses, each in one of the Kubernetes forms. */
export function parseSelector(text: string): Requirement[] | string {
  const parts = text.split(/,(?![^(]*\))/).map((p) => p.trim()).filter(Boolean);
  const requirements: Requirement[] = [];
  for (const part of parts) {
    const form = FORMS.map(([pattern, make]) => [pattern.exec(part), make] as const).find(([m]) => m);
    if (!form) return `not a label selector requirement: ${part} (use key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`;
    requirements.push(form[1](form[0]!));
  }
  return requirements;
}

function matches(labels: Record<string, string>, requirements: Requirement[]): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (!('values' in r)) return r.op === 'exists' ? has : !has;
    const listed = has && r.values.includes(labels[r.key]!);
    return r.op === 'in' ? listed : !listed;
  });
}

export interface Selection {
  selector?: string;
  /** `Kind/namespace/name`, or `Kind/name` in the default namespace. */
  targets?: string[];
}

/**
 * The objects the selection names, with what they reference (`along: 'references'`, for apply, plan
 * and status) or with what references them (`along: 'referrers'`, for delete), transitively; or what is
 * wrong with the selection. No selection keeps every object.
 */
export function selectObjects(objects: ManifestObject[], selection: Selection, referencesOf: (o: ManifestObject) => string[], along: 'references' | 'referrers'): ManifestObject[] | string {
  if (!selection.selector && !selection.targets?.length) return objects;
  const requirements = selection.selector ? parseSelector(selection.selector) : [];
  if (typeof requirements === 'string') return `--selector: ${requirements}`;
  const byKey = new Map(objects.map((o) => [manifestKey(o), o]));
  const wanted = (selection.targets ?? []).map((t) => (t.split('/').length === 2 ? t.replace('/', '/default/') : t));
  const missing = wanted.filter((t) => !byKey.has(t));
  if (missing.length > 0) return `--target: no object ${missing.join(', ')} in the manifests (name it Kind/namespace/name)`;
  const chosen = objects.filter((o) => (!selection.selector || matches(o.object.metadata.labels ?? {}, requirements)) && (wanted.length === 0 || wanted.includes(manifestKey(o))));
  if (chosen.length === 0) return `--selector: no object of the manifests has labels that match ${selection.selector}`;
  const next = (o: ManifestObject): ManifestObject[] =>
    along === 'references' ? referencesOf(o).flatMap((k) => byKey.get(k) ?? []) : objects.filter((other) => referencesOf(other).includes(manifestKey(o)));
  const selected = new Set<ManifestObject>();
  const visit = (o: ManifestObject) => {
    if (selected.has(o)) return;
    selected.add(o);
    next(o).forEach(visit);
  };
  chosen.forEach(visit);
  return objects.filter((o) => selected.has(o));
}
