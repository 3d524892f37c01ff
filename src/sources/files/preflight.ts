/**
 * Checks a manifest set as a whole before any AWS call: every reference resolves to an object of the
 * set, there is no cycle, and every secret reference may be read and resolves. Each problem names the
 * file, the line, the object and the field path. The structural part reads nothing, so `validate`
 * runs it too.
 */
import type { SecretRef } from '../../api/schema.js';
import { dependencyLevels } from '../../engine/dependencies.js';
import { keyOf } from '../../engine/engine.js';
import type { KindReconciler } from '../../reconcilers/kind.js';
import { manifestKey, type ManifestObject, type ManifestProblem } from './manifests.js';
import { secretRefusal, type SecretAccess } from './secrets.js';

/** What the structural checks need of a kind: the objects it references. */
export type References = Pick<KindReconciler<never, never>, 'references'>;

/** Where each kind keeps its secret references. */
const SECRET_FIELDS: Record<string, string[]> = {
  OAuth2CredentialProvider: ['clientSecret'],
  ApiKeyCredentialProvider: ['apiKey'],
};

function describe(o: ManifestObject): string {
  return `${o.info.kind} ${o.namespace}/${o.object.metadata.name}`;
}

/** The keys of the objects an object references. */
export function referencedKeys(o: ManifestObject, reconcilers: Map<string, References>): string[] {
  return (reconcilers.get(o.info.kind)?.references(o.object.spec as never) ?? []).map((r) => keyOf({ kind: r.kind, namespace: o.namespace, name: r.name }));
}

/**
 * References to objects that are not in the set, and a cycle of references. `present` holds the keys
 * of objects the source has but that did not validate: a reference to one of them is not reported,
 * since its own problems already are.
 */
export function checkReferences(objects: ManifestObject[], reconcilers: Map<string, References>, present: Iterable<string> = []): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const keys = new Set([...objects.map(manifestKey), ...present]);
  const nodes = objects.map((o) => {
    const refs = reconcilers.get(o.info.kind)?.references(o.object.spec as never) ?? [];
    for (const ref of refs) {
      if (!keys.has(keyOf({ kind: ref.kind, namespace: o.namespace, name: ref.name }))) {
        problems.push({ file: o.file, line: o.lineOf(ref.path.split('.')), object: describe(o), path: ref.path.split('.'), message: `refers to ${ref.kind} ${o.namespace}/${ref.name}, which is not in this source` });
      }
    }
    return { key: manifestKey(o), dependsOn: refs.map((r) => keyOf({ kind: r.kind, namespace: o.namespace, name: r.name })) };
  });
  const order = dependencyLevels(nodes);
  if (!order.ok) {
    const [from, to] = order.cycle;
    const first = objects.find((o) => manifestKey(o) === from)!;
    const ref = reconcilers.get(first.info.kind)?.references(first.object.spec as never).find((r) => keyOf({ kind: r.kind, namespace: first.namespace, name: r.name }) === to);
    problems.push({ file: first.file, line: first.line, object: describe(first), ...(ref ? { path: ref.path.split('.') } : {}), message: `references form a cycle: ${order.cycle.join(' -> ')}` });
  }
  return problems;
}

/** The secret references the operator reads (Secrets Manager's are AgentCore's), with their fields. */
function secretRefs(objects: ManifestObject[]): { o: ManifestObject; field: string; ref: SecretRef }[] {
  return objects.flatMap((o) =>
    (SECRET_FIELDS[o.info.kind] ?? []).flatMap((field) => {
      const ref = (o.object.spec as Record<string, SecretRef | undefined>)[field];
      return ref && !ref.awsSecretsManager ? [{ o, field, ref }] : [];
    }),
  );
}

const secretProblem = (o: ManifestObject, field: string, message: string): ManifestProblem => ({ file: o.file, line: o.lineOf(['spec', field]), object: describe(o), path: ['spec', field], message });

/** Secret references that resolve to nothing (an unset variable, a missing file or key) or may not be read. */
export async function checkSecrets(objects: ManifestObject[], secretOf: (o: ManifestObject) => (ref: SecretRef) => Promise<string>): Promise<ManifestProblem[]> {
  const problems: ManifestProblem[] = [];
  for (const { o, field, ref } of secretRefs(objects)) {
    try {
      await secretOf(o)(ref);
    } catch (error) {
      problems.push(secretProblem(o, field, (error as Error).message));
    }
  }
  return problems;
}

/** Secret references that may not be read at all, found without reading any. */
export function checkSecretAccess(objects: ManifestObject[], access: SecretAccess): ManifestProblem[] {
  return secretRefs(objects).flatMap(({ o, field, ref }) => {
    const refused = secretRefusal(ref, o.file, access);
    return refused ? [secretProblem(o, field, refused)] : [];
  });
}

/** Everything plan and apply check before their first AWS call. */
export async function preflight(
  objects: ManifestObject[],
  reconcilers: Map<string, References>,
  secretOf: (o: ManifestObject) => (ref: SecretRef) => Promise<string>,
): Promise<ManifestProblem[]> {
  return [...checkReferences(objects, reconcilers), ...(await checkSecrets(objects, secretOf))];
}
