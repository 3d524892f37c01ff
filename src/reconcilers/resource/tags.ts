/** A resource's tags brought in line with the spec's (plus the ownership tags), and the plan lines for that. */
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { send } from '../../aws/call.js';
import type { PlannedChange, ReconcileEnv } from '../kind.js';
import { tagChanges } from '../ownership.js';

/** Brings a resource's tags in line through TagResource and UntagResource: tags never mint a version. */
export async function applyTagChanges(env: ReconcileEnv, resourceArn: string, desired: Record<string, string>, observed: Record<string, string>, actions: string[]): Promise<void> {
  const { set, remove } = tagChanges(desired, observed);
  if (Object.keys(set).length > 0) {
    await send(env.aws.agentcore, new TagResourceCommand({ resourceArn, tags: set }), env.gate);
    actions.push(`tagged ${Object.keys(set).join(', ')}`);
  }
  if (remove.length > 0) {
    await send(env.aws.agentcore, new UntagResourceCommand({ resourceArn, tagKeys: remove }), env.gate);
    actions.push(`untagged ${remove.join(', ')}`);
  }
  if (Object.keys(set).length > 0 || remove.length > 0) env.inventory?.recordTags(resourceArn, desired);
}

/** The tag changes a plan announces: what is set (created or updated) and what is removed. */
export function plannedTagChanges(desired: Record<string, string>, observed: Record<string, string>): PlannedChange[] {
  const { set, remove } = tagChanges(desired, observed);
  return [
    ...Object.entries(set).map(([key, value]): PlannedChange => ({ action: key in observed ? 'update' : 'create', scope: 'part', subject: `tag ${key}`, from: observed[key], to: value })),
    ...remove.map((key): PlannedChange => ({ action: 'delete', scope: 'part', subject: `tag ${key}`, from: observed[key] })),
  ];
}
