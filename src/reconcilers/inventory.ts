/**
 * What one source owns in AWS, as the ownership tags say: read once through the Resource Groups
 * Tagging API, then shared by every reconcile and plan of a run. It serves three things: the tags of
 * an owned resource without a ListTagsForResource each, the resources an object owns (so a resource
 * whose id was never recorded is found without listing every resource of its kind), and prune.
 *
 * A resource missing from it is not proof of anything (the tagging index lags behind creates), so
 * readers fall back to the resource's own tag read; so do they when the listing cannot be had (the
 * credentials may lack tag:GetResources). Tags the operator writes are recorded, so a run never acts
 * on tags older than its own writes.
 */
import { ListTagsForResourceCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { send } from '../aws/call.js';
import { unlessNotFound } from '../aws/errors.js';
import { agentCoreResourcesTagged, type TaggedResource } from '../aws/tagging.js';
import type { RateGate } from '../aws/call.js';
import type { AwsClients } from '../aws/clients.js';
import { MANAGED_BY } from './ownership.js';
import { OwnershipTag } from '../api/meta.js';

export type { TaggedResource };

export class Inventory {
  private index?: Promise<Map<string, Record<string, string>>>;

  constructor(private readonly load: () => Promise<TaggedResource[]>) {}

  /** The inventory of a source: the AgentCore resources tagged as managed by the operator for it. */
  static ofSource(env: { aws: AwsClients; gate?: RateGate }, source: string): Inventory {
    return new Inventory(() => agentCoreResourcesTagged(env.aws, env.gate, { [OwnershipTag.managedBy]: MANAGED_BY, [OwnershipTag.source]: source }));
  }

  private resources(): Promise<Map<string, Record<string, string>>> {
    if (!this.index) {
      this.index = this.load().then((list) => new Map(list.map((r) => [r.arn, r.tags])));
      this.index.catch(() => (this.index = undefined));
    }
    return this.index;
  }

  /** The index, or an empty one when it cannot be read: readers then use the resources' own reads. */
  private resourcesIfAny(): Promise<Map<string, Record<string, string>>> {
    return this.resources().catch(() => new Map<string, Record<string, string>>());
  }

  async tagsOf(arn: string): Promise<Record<string, string> | undefined> {
    const tags = (await this.resourcesIfAny()).get(arn);
    return tags && { ...tags };
  }

  /** Everything the source owns; throws when the listing cannot be had. */
  async all(): Promise<TaggedResource[]> {
    return [...(await this.resources())].map(([arn, tags]) => ({ arn, tags: { ...tags } }));
  }

  /** The ids of the resources of one type (`runtime`, `memory`, `gateway`) the owner owns. */
  async idsOwnedBy(owner: string, resourceType: string): Promise<string[]> {
    const pattern = new RegExp(`:${resourceType}/([^/]+)$`);
    return [...(await this.resourcesIfAny())].filter(([, tags]) => tags[OwnershipTag.owner] === owner).flatMap(([arn]) => pattern.exec(arn)?.[1] ?? []);
  }

  /** Records tags this run has just written, so later reads in the run see them. */
  recordTags(arn: string, tags: Record<string, string>): void {
    void this.index?.then((index) => index.set(arn, { ...tags }));
  }
}

/**
 * The tags of a resource: from the inventory when it knows the resource, else from the resource
 * itself; undefined when the resource is gone.
 */
export async function tagsOf(env: { aws: AwsClients; gate?: RateGate; inventory?: Inventory }, arn: string): Promise<Record<string, string> | undefined> {
  const known = await env.inventory?.tagsOf(arn);
  if (known) return known;
  const listed = await unlessNotFound(send<{ tags?: Record<string, string> }>(env.aws.agentcore, new ListTagsForResourceCommand({ resourceArn: arn }), env.gate));
  return listed && (listed.tags ?? {});
}
