/** Tags kept per ARN, and the TagResource / UntagResource / ListTagsForResource operations. */
import type { ServiceContext } from '../service.js';
import { notFound, quotaExceeded, regionState } from './common.js';
import type { RestCall, RestOperation } from './rest-json.js';
import { TagShapes } from './shapes.js';

/** Answers whether an ARN names a resource that exists in this region. */
export type ArnOwner = (ctx: ServiceContext, region: string, arn: string) => boolean;

const tagStore = (ctx: ServiceContext, region: string) => regionState<Record<string, Record<string, string>>>(ctx, region, 'tags', () => ({}));

export function setTags(ctx: ServiceContext, region: string, arn: string, tags: Record<string, string>): void {
  const merged = { ...tagStore(ctx, region)[arn], ...tags };
  if (Object.keys(merged).length > ctx.quotas.limit('tagsPerResource')) throw quotaExceeded(`A resource can have at most ${ctx.quotas.limit('tagsPerResource')} tags`);
  tagStore(ctx, region)[arn] = merged;
}

export function deleteTags(ctx: ServiceContext, region: string, arn: string): void {
  delete tagStore(ctx, region)[arn];
}

export function tagOperations(owners: ArnOwner[]): RestOperation[] {
  const requireResource = (call: RestCall): string => {
    const arn = call.input.resourceArn as string;
    if (!owners.some((owns) => owns(call.ctx, call.region, arn))) throw notFound(`Resource ${arn}`);
    return arn;
  };
  return [
    {
      name: 'TagResource', method: 'POST', uri: '/tags/{resourceArn}', code: 204, input: TagShapes.TagResource, apiClass: 'tagging',
      handler: (call) => setTags(call.ctx, call.region, requireResource(call), call.input.tags as Record<string, string>),
    },
    {
      name: 'UntagResource', method: 'DELETE', uri: '/tags/{resourceArn}', code: 204, query: { tagKeys: 'tagKeys' }, input: TagShapes.UntagResource, apiClass: 'tagging',
      handler: (call) => {
        const tags = tagStore(call.ctx, call.region)[requireResource(call)] ?? {};
        for (const key of call.input.tagKeys as string[]) delete tags[key];
      },
    },
    {
      name: 'ListTagsForResource', method: 'GET', uri: '/tags/{resourceArn}', code: 200, input: TagShapes.ListTagsForResource, apiClass: 'tagging',
      handler: (call) => ({ tags: { ...tagStore(call.ctx, call.region)[requireResource(call)] } }),
    },
  ];
}

/** A resource in the tag store and a copy of its tags. */
export interface TaggedResource {
  arn: string;
  tags: Record<string, string>;
}

/**
 * Every ARN of the region in the tag store, sorted by ARN (code-unit order), each with a copy of its
 * tags: the resources that carry tags or once did (an entry stays, empty, when its last tag is removed,
 * and goes with its resource). Reads only; a region nothing was tagged in is not created.
 */
export function listTaggedResources(ctx: ServiceContext, region: string): TaggedResource[] {
  const regions = ctx.state.slice<Record<string, Record<string, unknown> | undefined>>('agentcore', () => ({}));
  const store = regions[region]?.tags as Record<string, Record<string, string>> | undefined;
  return Object.entries(store ?? {})
    .map(([arn, tags]) => ({ arn, tags: { ...tags } }))
    .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}
