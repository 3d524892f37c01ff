/**
 * The Resource Groups Tagging API: every AgentCore resource carrying a set of tags, with all its tags,
 * a hundred to a page. One listing answers for many resources what ListTagsForResource answers for one.
 */
import { GetResourcesCommand, type GetResourcesOutput } from '@aws-sdk/client-resource-groups-tagging-api';
import { send, type RateGate } from './call.js';
import { allPages } from './pages.js';
import type { AwsClients } from './clients.js';

export interface TaggedResource {
  arn: string;
  tags: Record<string, string>;
}

/** The region's AgentCore resources whose tags include every one of `tags`. */
export async function agentCoreResourcesTagged(aws: AwsClients, gate: RateGate | undefined, tags: Record<string, string>): Promise<TaggedResource[]> {
  const mappings = await allPages(async (token) => {
    const page = await send<GetResourcesOutput>(
      aws.tagging,
      new GetResourcesCommand({
        TagFilters: Object.entries(tags).map(([Key, value]) => ({ Key, Values: [value] })),
        ResourceTypeFilters: ['bedrock-agentcore'],
        ResourcesPerPage: 100,
        ...(token ? { PaginationToken: token } : {}),
      }),
      gate,
    );
    return { items: page.ResourceTagMappingList, next: page.PaginationToken };
  });
  return mappings.map((r) => ({ arn: r.ResourceARN!, tags: Object.fromEntries((r.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])) }));
}
