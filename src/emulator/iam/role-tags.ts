/** TagRole, UntagRole, ListRoleTags, and the tag rules CreateRole shares. */
import { iamError } from './errors.js';
import { handler, type IamEnv } from './handler.js';
import { paginate } from './pagination.js';
import { requireRole, type StoredRole, type StoredTag } from './state.js';

const tagKey = (key: string) => key.toLowerCase();

/** IAM compares tag keys without regard to case, so `Env` and `env` in one request are duplicates. */
export function checkDistinctTagKeys(tags: readonly StoredTag[]): void {
  const keys = new Set(tags.map((t) => tagKey(t.Key)));
  if (keys.size !== tags.length) throw iamError('InvalidInput', 'Duplicate tag keys found. Tag keys are case insensitive.');
}

/** Adds or replaces tags (matching keys without regard to case), within the per-role tag quota. */
export function withTags(role: Pick<StoredRole, 'name' | 'tags'>, added: readonly StoredTag[], env: IamEnv): StoredTag[] {
  checkDistinctTagKeys(added);
  const replaced = new Set(added.map((t) => tagKey(t.Key)));
  const merged = [...role.tags.filter((t) => !replaced.has(tagKey(t.Key))), ...added.map((t) => ({ Key: t.Key, Value: t.Value }))];
  const limit = env.ctx.quotas.limit('iamTagsPerRole');
  if (merged.length > limit) throw iamError('LimitExceeded', `Cannot exceed quota for TagsPerRole: ${limit}. Role ${role.name} would have ${merged.length} tags.`);
  return merged;
}

export const tagRole = handler<{ RoleName: string; Tags: StoredTag[] }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  role.tags = withTags(role, input.Tags, env);
  env.changed();
  return undefined;
});

export const untagRole = handler<{ RoleName: string; TagKeys: string[] }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  const removed = new Set(input.TagKeys.map(tagKey));
  role.tags = role.tags.filter((t) => !removed.has(tagKey(t.Key)));
  env.changed();
  return undefined;
});

export const listRoleTags = handler<{ RoleName: string; Marker?: string; MaxItems?: number }>((input, env) => {
  const role = requireRole(env.state, input.RoleName);
  const page = paginate(role.tags, (t) => tagKey(t.Key), input.Marker, input.MaxItems);
  return { Tags: page.items.map((t) => ({ Key: t.Key, Value: t.Value })), IsTruncated: page.IsTruncated, Marker: page.Marker };
});
