/**
 * Prune for a file source: the AWS resources that carry this source's ownership tags but that no
 * manifest claims any more, either because their object left the tree or because the object now wants
 * a resource of another name (a rename leaves the old one behind). Each is turned back into an object
 * of its kind, named after its owner, so that kind's own finalizer deletes it: endpoints before their
 * runtime, targets before their gateway, a managed role once nothing of its owner is left.
 *
 * A resource whose object asked to retain it (deletionPolicy: Retain, recorded in a tag) is left.
 * Credential providers are never pruned: AWS keeps no ownership tags on them that can be read back.
 * Gateway targets carry no tags either, so they belong to whoever owns their gateway: those of a
 * pruned gateway go with it, and those of a gateway the tree keeps go when no object declares them.
 */
import { kindInfo } from '../../api/kinds.js';
import { OwnershipTag } from '../../api/meta.js';
import { awsNameOf } from '../../api/names.js';
import { keyOf, type EngineObject, type ObjectState } from '../../engine/engine.js';
import { defaultRoleName, planRoleRemoval } from '../../reconcilers/iam/index.js';
import { RESOURCE_KINDS } from '../../reconcilers/index.js';
import type { Inventory, TaggedResource } from '../../reconcilers/inventory.js';
import type { ObjectPlan, PlannedChange, ReconcileEnv } from '../../reconcilers/kind.js';
import { UNKNOWN } from '../../reconcilers/resource/kind.js';

/** The kinds prune can find by their ownership tags, and the AWS name field of each. */
const PRUNABLE = RESOURCE_KINDS.flatMap((k) => (k.arn ? [{ kind: k.kind, ...k.arn, nameField: kindInfo(k.kind)!.awsName.field, hasRole: k.role !== undefined }] : []));

/** The listings prune needs of resources AWS keeps no tags on. */
export interface Listings {
  targets(gatewayId: string): Promise<{ targetId?: string; name?: string }[]>;
  /** The names of a runtime's endpoints. */
  endpoints(runtimeId: string): Promise<string[]>;
}

export interface Orphan {
  object: EngineObject;
  arn: string;
  /** Whether an object of the tree still has the owner's name (the orphan is the old resource of a rename). */
  ownerRemains: boolean;
}

/** The kind, id and owning object of a tagged resource of a prunable kind. */
function ownerOf(resource: TaggedResource) {
  const type = PRUNABLE.find((t) => t.pattern.test(resource.arn));
  const owner = /^([^/]+)\/([^/]+)\/([^/]+)$/.exec(resource.tags[OwnershipTag.owner] ?? '');
  if (!type || !owner || owner[2] !== type.kind) return undefined;
  const [, namespace, kind, name] = owner as unknown as [string, string, string, string];
  return { type, id: type.pattern.exec(resource.arn)![1]!, namespace, kind, name };
}

function orphanOf(resource: TaggedResource, byKey: Map<string, EngineObject>, states: Map<string, ObjectState>): Orphan | undefined {
  const owned = ownerOf(resource);
  if (!owned || resource.tags[OwnershipTag.deletionPolicy] === 'Retain') return undefined;
  const { type, id, namespace, kind, name } = owned;
  const claimant = byKey.get(keyOf({ kind, namespace, name }));
  if (claimant) {
    // Only an object that has its own resource ready can disown another one of the same owner.
    if (states.get(keyOf(claimant)) !== 'ready') return undefined;
    const claimed = (claimant.object.status ?? {})[type.idField];
    if (claimed === undefined || claimed === id) return undefined;
  }
  const spec: Record<string, unknown> = { [type.nameField]: type.nameOf(id) };
  // The owner's managed role goes with its last resource; the role a remaining object runs with stays.
  if (type.hasRole) spec.role = claimant ? { arn: 'in-use' } : { managed: {} };
  return {
    object: { kind, namespace, name, object: { metadata: { name, namespace }, spec, status: { [type.idField]: id } } },
    arn: resource.arn,
    ownerRemains: claimant !== undefined,
  };
}

interface GatewayOf {
  namespace: string;
  /** The name of the Gateway object. */
  name: string;
  id: string;
  arn: string;
}

/** The gateway's targets, except those named in `declared`, each turned into an object named after itself. */
async function targetsOf(gateway: GatewayOf, listings: Listings, declared = new Set<string>()): Promise<Orphan[]> {
  const { namespace, id: gatewayId } = gateway;
  return (await listings.targets(gatewayId))
    .filter((t) => t.name !== undefined && !declared.has(t.name))
    .map((t) => ({
      object: {
        kind: 'GatewayTarget',
        namespace,
        name: t.name!,
        object: { metadata: { name: t.name!, namespace }, spec: { gatewayRef: { name: gateway.name }, targetName: t.name }, status: { gatewayId, targetId: t.targetId } },
      },
      arn: `${gateway.arn}/target/${t.targetId}`,
      ownerRemains: false,
    }));
}

const TARGET_NAME = kindInfo('GatewayTarget')!.awsName;

/**
 * The targets no GatewayTarget of the tree declares, in the gateways the source owns and the tree
 * keeps. Which object made an undeclared target is unknown (it may be the old target of a renamed
 * one), so a gateway gives up none while it or any of its targets in the tree is not ready.
 */
async function undeclaredTargets(resources: TaggedResource[], objects: EngineObject[], states: Map<string, ObjectState>, listings: Listings): Promise<Orphan[]> {
  const found: Orphan[] = [];
  for (const resource of resources) {
    const owned = ownerOf(resource);
    if (owned?.kind !== 'Gateway') continue;
    const { namespace, name, id } = owned;
    const gateway = objects.find((o) => o.kind === 'Gateway' && o.namespace === namespace && o.name === name);
    if (!gateway || states.get(keyOf(gateway)) !== 'ready' || gateway.object.status?.gatewayId !== id) continue;
    const targets = objects.filter((o) => o.kind === 'GatewayTarget' && o.namespace === namespace && (o.object.spec as { gatewayRef: { name: string } }).gatewayRef.name === name);
    if (targets.some((t) => states.get(keyOf(t)) !== 'ready')) continue;
    const declared = new Set(targets.map((t) => awsNameOf(TARGET_NAME, t.object)));
    found.push(...(await targetsOf({ namespace, name, id, arn: resource.arn }, listings, declared)));
  }
  return found;
}

/**
 * The source's resources that no object of the tree claims. `states` is how apply left each object:
 * an object not yet ready keeps every resource it owns.
 */
export async function orphans(inventory: Inventory, objects: EngineObject[], states: Map<string, ObjectState>, listings: Listings): Promise<Orphan[]> {
  const byKey = new Map(objects.map((o) => [keyOf(o), o]));
  const resources = await inventory.all();
  const found = resources.map((r) => orphanOf(r, byKey, states)).filter((o): o is Orphan => o !== undefined);
  // A pruned gateway's targets go first: AWS deletes a gateway only once it has none.
  for (const { object: gateway, arn } of found.filter((o) => o.object.kind === 'Gateway')) {
    found.push(...(await targetsOf({ namespace: gateway.namespace, name: gateway.name, id: String(gateway.object.status!.gatewayId), arn }, listings)));
  }
  found.push(...(await undeclaredTargets(resources, objects, states, listings)));
  // A runtime's named endpoints go before it; the finalizer deletes those its object knows of.
  for (const runtime of found.filter((o) => o.object.kind === 'AgentRuntime')) {
    const status = runtime.object.object.status!;
    status.endpoints = (await listings.endpoints(String(status.agentRuntimeId))).filter((name) => name !== 'DEFAULT').map((name) => ({ name }));
  }
  return found.sort((a, b) => a.arn.localeCompare(b.arn));
}

type Plans = Map<string, ObjectPlan<Record<string, unknown>> | Error>;

/**
 * The tree's objects as a plan expects apply to leave them, for `orphans`: each that plans without an
 * error ready, with the ids the plan observed; one it creates gets an id not known yet, so a resource
 * of its old name (a rename) is an orphan, as it will be once apply has made the new one.
 */
export function expectedAfterApply(objects: EngineObject[], plans: Plans): { objects: EngineObject[]; states: Map<string, ObjectState> } {
  const states = new Map<string, ObjectState>();
  const expected = objects.map((o) => {
    const plan = plans.get(keyOf(o));
    if (!plan || plan instanceof Error) return o;
    states.set(keyOf(o), 'ready');
    const idField = PRUNABLE.find((t) => t.kind === o.kind)?.idField;
    const creates = plan.changes.some((c) => c.action === 'create' && c.scope === 'resource');
    const status = { ...(plan.observed ?? {}), ...(creates && idField ? { [idField]: UNKNOWN } : {}) };
    return { ...o, object: { ...o.object, status } };
  });
  return { objects: expected, states };
}

/** What pruning an orphan deletes, as plan lines: the resource, the endpoints it goes with, its managed role. */
export async function plannedDeletion(orphan: Orphan, env: Pick<ReconcileEnv, 'aws' | 'gate' | 'memo'>, source: string): Promise<PlannedChange[]> {
  const { kind, namespace, name, object } = orphan.object;
  const spec = object.spec as Record<string, unknown>;
  const status = (object.status ?? {}) as { endpoints?: { name: string }[] };
  const short = RESOURCE_KINDS.find((k) => k.kind === kind)?.short ?? kind;
  const lines: PlannedChange[] = [
    { action: 'delete', scope: 'resource', subject: `${short} ${awsNameOf(kindInfo(kind)!.awsName, object)}` },
    ...(status.endpoints ?? []).map((e): PlannedChange => ({ action: 'delete', scope: 'part', subject: `endpoint ${e.name}` })),
  ];
  if ((spec.role as { managed?: unknown } | undefined)?.managed) {
    const owner = { owner: `${namespace}/${kind}/${name}`, source };
    lines.push(...(await planRoleRemoval({ ...env, owner }, defaultRoleName(owner))));
  }
  return lines;
}
