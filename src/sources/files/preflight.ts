/**
 * Checks a manifest set as a whole before any AWS call: every reference resolves to an object of the
 * set, there is no cycle, and every secret reference resolves. Each problem names the file, the line,
 * the object and the field path.
 */
import type { SecretRef } from '../../api/schema.js';
import { dependencyLevels } from '../../engine/dependencies.js';
import { keyOf } from '../../engine/engine.js';
import type { KindReconciler } from '../../reconcilers/kind.js';
import type { ManifestObject, ManifestProblem } from './manifests.js';

/** Where each kind keeps its secret references. */
const SECRET_FIELDS: Record<string, string[]> = {
  OAuth2CredentialProvider: ['clientSecret'],
  ApiKeyCredentialProvider: ['apiKey'],
};

function describe(o: ManifestObject): string {
  return `${o.info.kind} ${o.namespace}/${o.object.metadata.name}`;
}

export async function preflight(
  objects: ManifestObject[],
  reconcilers: Map<string, KindReconciler<never, never>>,
  secretOf: (o: ManifestObject) => (ref: SecretRef) => Promise<string>,
): Promise<ManifestProblem[]> {
  const problems: ManifestProblem[] = [];
  const keys = new Set(objects.map((o) => keyOf({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name })));
  const nodes = objects.map((o) => {
    const refs = reconcilers.get(o.info.kind)?.references(o.object.spec as never) ?? [];
    for (const ref of refs) {
      if (!keys.has(keyOf({ kind: ref.kind, namespace: o.namespace, name: ref.name }))) {
        problems.push({ file: o.file, line: o.line, object: describe(o), path: ref.path.split('.'), message: `refers to ${ref.kind} ${o.namespace}/${ref.name}, which is not in this source` });
      }
    }
    return { key: keyOf({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name }), dependsOn: refs.map((r) => keyOf({ kind: r.kind, namespace: o.namespace, name: r.name })) };
  });
  const order = dependencyLevels(nodes);
  if (!order.ok) {
    const first = objects.find((o) => keyOf({ kind: o.info.kind, namespace: o.namespace, name: o.object.metadata.name }) === order.cycle[0])!;
    problems.push({ file: first.file, line: first.line, object: describe(first), message: `references form a cycle: ${order.cycle.join(' -> ')}` });
  }
  for (const o of objects) {
    for (const field of SECRET_FIELDS[o.info.kind] ?? []) {
      const ref = (o.object.spec as Record<string, SecretRef | undefined>)[field];
      if (!ref || ref.awsSecretsManager) continue;
      try {
        await secretOf(o)(ref);
      } catch (error) {
        problems.push({ file: o.file, line: o.line, object: describe(o), path: ['spec', field], message: (error as Error).message });
      }
    }
  }
  return problems;
}
