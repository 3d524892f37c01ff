/**
 * How every kind with an id finds its resource: by the id its object recorded; else among the
 * resources the source's inventory says the object owns, one under the name it wants now (one Get
 * each, no listing); else by name in the account. Whether one found without the recorded id is the
 * object's own is for the caller to decide, from its tags.
 */
import type { ReconcileEnv } from '../kind.js';

export interface Locator<T> {
  /** The resource of an id, or undefined when AWS has none. */
  get(id: string): Promise<T | undefined>;
  nameOf(resource: T): string | undefined;
  /** The resource of a name in the account's listing. */
  byName(): Promise<T | undefined>;
  /** The resource type in its ARN (`runtime`, `memory`, `gateway`), for the inventory. */
  arnType: string;
}

export async function locate<T>(env: ReconcileEnv, lookup: { id?: string; name: string }, locator: Locator<T>): Promise<{ resource: T; foundByName: boolean } | undefined> {
  const recorded = lookup.id ? await locator.get(lookup.id) : undefined;
  if (recorded) return { resource: recorded, foundByName: false };
  for (const id of (await env.inventory?.idsOwnedBy(env.owner.owner, locator.arnType)) ?? []) {
    const owned = await locator.get(id);
    if (owned && locator.nameOf(owned) === lookup.name) return { resource: owned, foundByName: true };
  }
  const named = await locator.byName();
  return named && { resource: named, foundByName: true };
}

/** Runtime, memory and gateway ids are the name, a hyphen and ten letters or digits. */
export const nameOfId = (id: string) => id.replace(/-[a-zA-Z0-9]{10}$/, '');
