/**
 * Who references whom, kept up to date as objects change, so that a change of a Memory, a Gateway or
 * a Secret wakes exactly the objects that read it, and a deletion waits for the objects that still
 * use what it would delete.
 */
import type { KindReconciler } from '../../reconcilers/kind.js';
import type { KubeObject } from './client.js';
import { referencedSecrets } from './predicates.js';
import { isRecord } from './status-patch.js';

/** `Kind/namespace/name`: an object anywhere in the operator's scope. */
export const refKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

export function parseRefKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

export const SECRET = 'Secret';

export class ReferenceIndex {
  /** What each object references (objects and Secrets), as ref keys. */
  private readonly uses = new Map<string, string[]>();
  /** The reverse: who references each object or Secret. */
  private readonly usedBy = new Map<string, Set<string>>();

  constructor(private readonly reconcilers: Map<string, Pick<KindReconciler<never, never>, 'references' | 'invalidity'>>) {}

  /** Records the references of an object as it is now (undefined: it is gone). */
  update(kind: string, namespace: string, name: string, object: KubeObject | undefined): void {
    const self = refKey(kind, namespace, name);
    for (const target of this.uses.get(self) ?? []) {
      const set = this.usedBy.get(target);
      set?.delete(self);
      if (set?.size === 0) this.usedBy.delete(target);
    }
    this.uses.delete(self);
    if (!object) return;
    // An object its kind's schema refuses (a loose CRD let it through) references nothing: it is Stalled
    // before any work. The verdict is kept with the spec, so the reconcile of this copy reuses it.
    const reconciler = this.reconcilers.get(kind);
    if (reconciler?.invalidity?.(object as never)) return;
    const spec = (isRecord(object.spec) ? object.spec : {}) as never;
    const targets = [
      ...(reconciler?.references(spec) ?? []).map((r) => refKey(r.kind, namespace, r.name)),
      ...referencedSecrets(spec).map((secret) => refKey(SECRET, namespace, secret)),
    ];
    if (targets.length === 0) return;
    this.uses.set(self, targets);
    for (const target of targets) {
      let set = this.usedBy.get(target);
      if (!set) this.usedBy.set(target, (set = new Set()));
      set.add(self);
    }
  }

  /** The objects that reference this one (or this Secret), as ref keys. */
  dependentsOf(kind: string, namespace: string, name: string): string[] {
    return [...(this.usedBy.get(refKey(kind, namespace, name)) ?? [])].sort();
  }

  /** What an object references, as ref keys. */
  referencesOf(kind: string, namespace: string, name: string): string[] {
    return this.uses.get(refKey(kind, namespace, name)) ?? [];
  }
}
