/**
 * Roles the operator creates and owns (spec.role.managed): created with the ownership tags, then kept
 * in line with the fewest writes (each document is written only when it really differs), and removed
 * with everything attached to them. A role of the same name that is not ours is never touched.
 */
import {
  AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand,
  DetachRolePolicyCommand, GetAccountAuthorizationDetailsCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand,
  type AttachedPolicy, type Role,
  type GetAccountAuthorizationDetailsResponse,
} from '@aws-sdk/client-iam';
import type { RoleSpec } from '../../api/schema.js';
import { allPages } from '../../aws/pages.js';
import { send } from '../../aws/call.js';
import { classifyAwsError } from '../../aws/errors.js';
import { TransientError } from '../errors.js';
import type { PlannedChange, ReconcileEnv } from '../kind.js';
import { isOwnedBy, ownershipTags } from '../ownership.js';
import { parsePolicyDocument, type PolicyDocument } from './policies.js';
import { checkOwnership, hasStatements, plannedRoleChanges, roleChanges, type DesiredRole, type ObservedRole, type RoleChange } from './plan.js';
import { cappedBoundary } from './role-cap.js';
import { defaultRoleName } from './role-name.js';

/** The name of the inline policy the operator writes on the roles it owns. */
export const INLINE_POLICY_NAME = 'agentcore-operator';

export type ManagedRoleSpec = NonNullable<RoleSpec['managed']>;

/** Everything about a managed role; managedRoleRequest fills it from a spec. */
export interface ManagedRoleRequest {
  roleName: string;
  path: string;
  trustPolicy: PolicyDocument;
  /** Undefined, or a document with no statements, leaves the role without an inline policy. */
  inlinePolicy?: PolicyDocument;
  inlinePolicyName?: string;
  managedPolicyArns?: readonly string[];
  permissionsBoundaryArn?: string;
  /** The ownership tags (ownershipTags(env.owner)). */
  tags: Record<string, string>;
  /** Take over a same-named role that is not ours (the object's adopt annotation). */
  adopt?: boolean;
  /** ...even one another object claims (the administrator's crossOwnerAdoption setting). */
  crossOwner?: boolean;
}

/** What ensureManagedRole would write: the role's changes, and the same as plan lines. */
export type PlannedRole = ({ create: true } | { create: false; roleArn: string; changes: RoleChange[] }) & { lines: PlannedChange[] };

export interface EnsuredRole {
  roleArn: string;
  /** What was done to IAM, in words. */
  actions: string[];
  /** True when this call created the role. */
  created: boolean;
  /** When IAM created the role: a create call that names it may fail until IAM has propagated it. */
  createdAt?: Date;
}

type Env = Pick<ReconcileEnv, 'aws' | 'gate' | 'owner' | 'memo'>;

/**
 * The request for a spec's managed role: its name (or the one derived from the owner), path, policies
 * and the ownership tags. The administrator's cap is applied first, before `policies` makes any call
 * (the account id of the trust policy, say).
 */
export async function managedRoleRequest(
  env: Pick<ReconcileEnv, 'owner' | 'settings'>,
  spec: ManagedRoleSpec,
  policiesOf: () => Promise<{ trustPolicy: PolicyDocument; inlinePolicy?: PolicyDocument }>,
  options: { adopt?: boolean } = {},
): Promise<ManagedRoleRequest> {
  const boundary = cappedBoundary(spec, env.settings.roleCap);
  const policies = await policiesOf();
  return {
    roleName: spec.roleName ?? defaultRoleName(env.owner),
    path: spec.path ?? env.settings.rolePath,
    trustPolicy: policies.trustPolicy,
    ...(policies.inlinePolicy ? { inlinePolicy: policies.inlinePolicy } : {}),
    managedPolicyArns: [...(spec.managedPolicyArns ?? [])],
    ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
    tags: ownershipTags(env.owner),
    ...(options.adopt ? { adopt: true } : {}),
    ...(env.settings.crossOwnerAdoption ? { crossOwner: true } : {}),
  };
}

function desiredOf(request: ManagedRoleRequest): DesiredRole {
  return {
    roleName: request.roleName,
    path: request.path,
    trustPolicy: request.trustPolicy,
    inlinePolicyName: request.inlinePolicyName ?? INLINE_POLICY_NAME,
    ...(request.inlinePolicy ? { inlinePolicy: request.inlinePolicy } : {}),
    managedPolicyArns: request.managedPolicyArns ?? [],
    ...(request.permissionsBoundaryArn ? { permissionsBoundaryArn: request.permissionsBoundaryArn } : {}),
    tags: request.tags,
  };
}

const isNotFound = (error: unknown) => classifyAwsError(error) === 'notFound';
const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';

async function ignoringNotFound(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function getRole(env: Env, roleName: string): Promise<Role | undefined> {
  try {
    return (await send<{ Role?: Role }>(env.aws.iam, new GetRoleCommand({ RoleName: roleName }), env.gate)).Role;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const tagsOf = (role: Role): Record<string, string> => Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

async function inlinePolicyNames(env: Env, roleName: string): Promise<string[]> {
  return allPages(async (marker) => {
    const page = await send<{ PolicyNames?: string[]; IsTruncated?: boolean; Marker?: string }>(env.aws.iam, new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }), env.gate);
    return { items: page.PolicyNames, next: page.IsTruncated ? page.Marker : undefined };
  });
}

async function attachedPolicyArns(env: Env, roleName: string): Promise<string[]> {
  const attached = await allPages(async (marker) => {
    const page = await send<{ AttachedPolicies?: AttachedPolicy[]; IsTruncated?: boolean; Marker?: string }>(env.aws.iam, new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }), env.gate);
    return { items: page.AttachedPolicies, next: page.IsTruncated ? page.Marker : undefined };
  });
  return attached.map((p) => p.PolicyArn ?? '').filter(Boolean);
}

/** What IAM holds for a role, from its own reads or from the account's snapshot. */
function observedRole(role: Role, names: string[], inlinePolicy: unknown, managedPolicyArns: string[]): ObservedRole {
  return {
    arn: role.Arn!,
    path: role.Path ?? '/',
    ...(role.CreateDate ? { createdAt: role.CreateDate } : {}),
    trustPolicy: role.AssumeRolePolicyDocument === undefined ? undefined : parsePolicyDocument(role.AssumeRolePolicyDocument),
    ...(role.PermissionsBoundary?.PermissionsBoundaryArn ? { permissionsBoundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn } : {}),
    tags: tagsOf(role),
    inlinePolicyNames: names,
    ...(inlinePolicy !== undefined ? { inlinePolicy } : {}),
    managedPolicyArns,
  };
}

/** The rest of what IAM holds for a role GetRole returned: its inline policies (ours read in full) and attachments. */
async function observeRole(env: Env, role: Role, inlinePolicyName: string): Promise<ObservedRole> {
  const roleName = role.RoleName!;
  const names = await inlinePolicyNames(env, roleName);
  const ours = names.find((n) => n.toLowerCase() === inlinePolicyName.toLowerCase());
  let inlinePolicy: unknown;
  if (ours) {
    try {
      const got = await send<{ PolicyDocument?: string }>(env.aws.iam, new GetRolePolicyCommand({ RoleName: roleName, PolicyName: ours }), env.gate);
      inlinePolicy = got.PolicyDocument === undefined ? undefined : parsePolicyDocument(got.PolicyDocument);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return observedRole(role, names, inlinePolicy, await attachedPolicyArns(env, roleName));
}

/**
 * Every role of the account with its policies, attachments and tags: a few paged reads for all the
 * roles a plan looks at, instead of four reads a role. A plan writes nothing, so what it read at the
 * start stays true for the whole plan; apply reads each role afresh.
 */
interface SnapshotRole {
  /** The role without its inline policies' documents. */
  observed: ObservedRole;
  /** Inline policy documents by lower-case name. */
  documents: Map<string, string>;
}

async function roleSnapshot(env: Env): Promise<Map<string, SnapshotRole> | undefined> {
  if (!env.memo) return undefined;
  const load = async () => {
    const details = await allPages(async (marker) => {
      const page = await send<GetAccountAuthorizationDetailsResponse>(env.aws.iam, new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000, Marker: marker }), env.gate);
      return { items: page.RoleDetailList, next: page.IsTruncated ? page.Marker : undefined };
    });
    const roles = new Map<string, SnapshotRole>();
    for (const detail of details) {
      const policies = detail.RolePolicyList ?? [];
      const role: Role = { ...detail, RoleName: detail.RoleName!, Arn: detail.Arn!, Path: detail.Path!, RoleId: detail.RoleId!, CreateDate: detail.CreateDate! };
      roles.set(detail.RoleName!.toLowerCase(), {
        observed: observedRole(role, policies.map((p) => p.PolicyName!), undefined, (detail.AttachedManagedPolicies ?? []).map((p) => p.PolicyArn!)),
        documents: new Map(policies.map((p) => [p.PolicyName!.toLowerCase(), p.PolicyDocument!])),
      });
    }
    return roles;
  };
  try {
    return await env.memo.get(ROLE_SNAPSHOT_KEY, ROLE_SNAPSHOT_TTL_MS, load);
  } catch {
    // Not allowed (iam:GetAccountAuthorizationDetails), or failing: read the role itself.
    return undefined;
  }
}

const ROLE_SNAPSHOT_KEY = 'iam:roles';
const ROLE_SNAPSHOT_TTL_MS = 10 * 60_000;

async function applyChange(env: Env, desired: DesiredRole, change: RoleChange, request: ManagedRoleRequest): Promise<string> {
  const { aws, gate } = env;
  const RoleName = desired.roleName;
  switch (change.type) {
    case 'updateTrust':
      await send(aws.iam, new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(request.trustPolicy) }), gate);
      return `updated the trust policy of role ${RoleName}`;
    case 'putBoundary':
      await send(aws.iam, new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: change.arn }), gate);
      return `set the permissions boundary of role ${RoleName} to ${change.arn}`;
    case 'putInline':
      await send(aws.iam, new PutRolePolicyCommand({ RoleName, PolicyName: change.name, PolicyDocument: JSON.stringify(request.inlinePolicy) }), gate);
      return `wrote inline policy ${change.name} of role ${RoleName}`;
    case 'deleteInline':
      await ignoringNotFound(send(aws.iam, new DeleteRolePolicyCommand({ RoleName, PolicyName: change.name }), gate));
      return `deleted inline policy ${change.name} of role ${RoleName}`;
    case 'attach':
      await send(aws.iam, new AttachRolePolicyCommand({ RoleName, PolicyArn: change.arn }), gate);
      return `attached ${change.arn} to role ${RoleName}`;
    case 'detach':
      await ignoringNotFound(send(aws.iam, new DetachRolePolicyCommand({ RoleName, PolicyArn: change.arn }), gate));
      return `detached ${change.arn} from role ${RoleName}`;
    case 'tag':
      await send(aws.iam, new TagRoleCommand({ RoleName, Tags: Object.entries(change.tags).map(([Key, Value]) => ({ Key, Value })) }), gate);
      return `tagged role ${RoleName} with ${Object.keys(change.tags).join(', ')}`;
  }
}

/** CreateRole with the trust policy, boundary and tags; undefined when a role of that name appeared meanwhile. */
async function createRole(env: Env, request: ManagedRoleRequest): Promise<Role | undefined> {
  try {
    const created = await send<{ Role?: Role }>(
      env.aws.iam,
      new CreateRoleCommand({
        RoleName: request.roleName,
        Path: request.path,
        AssumeRolePolicyDocument: JSON.stringify(request.trustPolicy),
        ...(request.permissionsBoundaryArn ? { PermissionsBoundary: request.permissionsBoundaryArn } : {}),
        Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
      env.gate,
    );
    return created.Role;
  } catch (error) {
    if (errorName(error) === 'EntityAlreadyExistsException' || errorName(error) === 'EntityAlreadyExists') return undefined;
    throw error;
  }
}

/**
 * Makes the role exist as requested. Absent: CreateRole (tagged, so a crash after it leaves a role we
 * recognise), then the inline policy and the attachments. Present and ours: only the writes for what
 * differs, so a second call in a row writes nothing. Present and not ours: a TerminalError.
 */
export async function ensureManagedRole(env: Env, request: ManagedRoleRequest): Promise<EnsuredRole> {
  const desired = desiredOf(request);
  const actions: string[] = [];
  let role = await getRole(env, request.roleName);
  if (!role) {
    const made = await createRole(env, request);
    if (made) {
      actions.push(`created role ${request.roleName}`);
      const changes: RoleChange[] = [
        ...(hasStatements(desired.inlinePolicy) ? [{ type: 'putInline', name: desired.inlinePolicyName } as const] : []),
        ...[...new Set(desired.managedPolicyArns)].sort().map((arn) => ({ type: 'attach', arn }) as const),
      ];
      for (const change of changes) actions.push(await applyChange(env, desired, change, request));
      return { roleArn: made.Arn!, actions, created: true, ...(made.CreateDate ? { createdAt: made.CreateDate } : {}) };
    }
    // Someone created it between our GetRole and CreateRole: look again and treat it as found.
    role = await getRole(env, request.roleName);
    if (!role) throw new TransientError(`The IAM role ${request.roleName} was created and deleted meanwhile; trying again`);
  }
  checkOwnership(request.roleName, tagsOf(role), env.owner, request);
  const observed = await observeRole(env, role, desired.inlinePolicyName);
  for (const change of roleChanges(desired, observed)) actions.push(await applyChange(env, desired, change, request));
  return { roleArn: observed.arn, actions, created: false, ...(observed.createdAt ? { createdAt: observed.createdAt } : {}) };
}

/** What ensureManagedRole would write, without writing: the role's creation, or the changes to an existing role of ours. */
export async function planManagedRole(env: Env, request: ManagedRoleRequest): Promise<PlannedRole> {
  const desired = desiredOf(request);
  const planned = (observed: ObservedRole | undefined): PlannedRole => {
    if (!observed) return { create: true, lines: plannedRoleChanges(desired, undefined, []) };
    const changes = roleChanges(desired, observed);
    return { create: false, roleArn: observed.arn, changes, lines: plannedRoleChanges(desired, observed, changes) };
  };
  const snapshot = await roleSnapshot(env);
  if (snapshot) {
    const known = snapshot.get(request.roleName.toLowerCase());
    if (!known) return planned(undefined);
    checkOwnership(request.roleName, known.observed.tags, env.owner, request);
    const document = known.documents.get(desired.inlinePolicyName.toLowerCase());
    return planned({ ...known.observed, ...(document !== undefined ? { inlinePolicy: parsePolicyDocument(document) } : {}) });
  }
  const role = await getRole(env, request.roleName);
  if (!role) return planned(undefined);
  checkOwnership(request.roleName, tagsOf(role), env.owner, request);
  return planned(await observeRole(env, role, desired.inlinePolicyName));
}

/**
 * What removeManagedRole would do, as a plan line: delete the role if it exists and is this object's.
 * The account's roles a plan has read already answer that; without them, the role is read.
 */
export async function planRoleRemoval(env: Env, roleName: string): Promise<PlannedChange[]> {
  const snapshot = await roleSnapshot(env);
  const role = snapshot ? undefined : await getRole(env, roleName);
  const tags = snapshot ? snapshot.get(roleName.toLowerCase())?.observed.tags : role && tagsOf(role);
  return tags && isOwnedBy(tags, env.owner) ? [{ action: 'delete', scope: 'part', subject: `role ${roleName}` }] : [];
}

/**
 * Deletes a role the operator owns: managed policies detached and inline policies deleted first, as
 * IAM requires. An absent role is fine; a role that is not ours is left alone.
 */
export async function removeManagedRole(env: Env, roleName: string): Promise<{ actions: string[] }> {
  const role = await getRole(env, roleName);
  if (!role) return { actions: [] };
  if (!isOwnedBy(tagsOf(role), env.owner)) return { actions: [`left role ${roleName} alone: it is not managed by this object`] };
  const actions: string[] = [];
  const { aws, gate } = env;
  try {
    for (const arn of await attachedPolicyArns(env, roleName)) {
      if (await ignoringNotFound(send(aws.iam, new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }), gate))) actions.push(`detached ${arn} from role ${roleName}`);
    }
    for (const name of await inlinePolicyNames(env, roleName)) {
      if (await ignoringNotFound(send(aws.iam, new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }), gate))) actions.push(`deleted inline policy ${name} of role ${roleName}`);
    }
    if (await ignoringNotFound(send(aws.iam, new DeleteRoleCommand({ RoleName: roleName }), gate))) actions.push(`deleted role ${roleName}`);
  } catch (error) {
    // The role went away under us (a List call on a deleted role answers NoSuchEntity): done.
    if (!isNotFound(error)) throw error;
  }
  return { actions };
}
