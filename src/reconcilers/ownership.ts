/**
 * Ownership tags on every AWS resource the operator creates: they let a restarted operator, or a file
 * source with no state file, find what it owns, and keep it away from what it does not.
 */
import { Annotation, OwnershipTag } from '../api/meta.js';
import { Reason } from './conditions.js';
import { TerminalError } from './errors.js';

export const MANAGED_BY = 'agentcore-operator';

export interface Owner {
  /** `namespace/Kind/name` of the object. */
  owner: string;
  /** The source the object came from: a cluster, or a file source's id. */
  source: string;
  /** The object's deletionPolicy is Retain: recorded on the resource, for prune to honour once the object is gone. */
  retain?: boolean;
}

export function ownershipTags(owner: Owner): Record<string, string> {
  return {
    [OwnershipTag.managedBy]: MANAGED_BY,
    [OwnershipTag.owner]: owner.owner,
    [OwnershipTag.source]: owner.source,
    ...(owner.retain ? { [OwnershipTag.deletionPolicy]: 'Retain' } : {}),
  };
}

export function isOwnedBy(tags: Record<string, string> | undefined, owner: Owner): boolean {
  return tags?.[OwnershipTag.managedBy] === MANAGED_BY && tags[OwnershipTag.owner] === owner.owner;
}

/** The other object of this operator that claims a resource by its tags (`namespace/Kind/name`, and its source), if any. */
export function otherClaimant(tags: Record<string, string> | undefined, owner: Owner): { owner: string; source?: string } | undefined {
  const claimant = tags?.[OwnershipTag.managedBy] === MANAGED_BY ? tags[OwnershipTag.owner] : undefined;
  if (claimant === undefined || claimant === owner.owner) return undefined;
  return { owner: claimant, source: tags?.[OwnershipTag.source] };
}

/**
 * Whether an object may act on a resource it does not own. The adopt annotation takes over one that
 * nobody claims; one that another object claims (in any namespace or source) only when the
 * administrator allows taking over another object's resources: an annotation alone never does.
 */
export function mayTakeOver(tags: Record<string, string> | undefined, owner: Owner, adopt: boolean, crossOwner: boolean): boolean {
  return adopt && (otherClaimant(tags, owner) === undefined || crossOwner);
}

/** A resource of the object's AWS name that belongs to someone else: left alone unless it may be taken over. */
export class NotOurs extends TerminalError {
  /** `what` names the resource with its article: `A gateway`, `An agent runtime`. */
  constructor(what: string, name: string, claimant?: { owner: string; source?: string }) {
    super(
      claimant
        ? `${what} named ${name} already exists and is managed by ${claimant.owner}${claimant.source ? ` (source ${claimant.source})` : ''}; two objects cannot manage one resource, and taking over another object's needs the operator setting --allow-cross-owner-adoption as well as the annotation ${Annotation.adopt}: "true"`
        : `${what} named ${name} already exists and is not managed by this object; set the annotation ${Annotation.adopt}: "true" to take it over`,
      Reason.ValidationFailed,
    );
  }
}

/**
 * Tag changes that bring `observed` to `desired`. The tags of an owned resource are the spec's tags
 * plus the ownership tags, nothing else (as Terraform and ACK treat them); AWS's reserved `aws:` keys
 * are left alone.
 */
export function tagChanges(desired: Record<string, string>, observed: Record<string, string>): { set: Record<string, string>; remove: string[] } {
  const set = Object.fromEntries(Object.entries(desired).filter(([k, v]) => observed[k] !== v));
  const remove = Object.keys(observed).filter((k) => !(k in desired) && !k.startsWith('aws:')).sort();
  return { set, remove };
}
