/**
 * The IAM policy the operator itself needs (docs/iam-policy.json), derived from the registry: each
 * kind's AgentCore operations and the statements only it needs, the tag and role calls of the kinds
 * that use them, and the few calls every source makes. `agentcore-operator generate` writes it, and
 * test/packaging/iam-policy.test.ts holds it to the calls the code sends.
 */
import { isRead } from '../../aws/call.js';
import { DEFAULT_SETTINGS } from '../kind.js';
import { POLICY_VERSION, type PolicyDocument, type PolicyStatement } from './policies.js';
import { ROLE_NAME_PREFIX } from './role-name.js';

/** A statement of the operator's policy: each has a Sid, which also keeps a statement two kinds need from repeating. */
export type NamedStatement = PolicyStatement & { Sid: string };

/** What the operator's policy must allow for one kind. */
export interface KindPermissions {
  /** The AgentCore control-plane operations the kind's folder sends (`GetMemory`, ...). */
  operations: readonly string[];
  /** What else its calls reach, or AWS checks as the operator when they run (a token vault, an image). */
  statements?: readonly NamedStatement[];
}

interface PolicyKind {
  permissions: KindPermissions;
  tagging: 'api' | 'create' | 'none';
  role?: unknown;
}

const AGENTCORE_SERVICE = 'bedrock-agentcore.amazonaws.com';
const ROLES_UNDER_PATH = `arn:aws:iam::*:role${DEFAULT_SETTINGS.rolePath}*`;
const BOUNDARIES_UNDER_PATH = `arn:aws:iam::*:policy${DEFAULT_SETTINGS.rolePath}*`;
// A role that does not exist yet has no path, so a read of it is checked against its bare name.
const ROLES_BY_NAME = `arn:aws:iam::*:role/${ROLE_NAME_PREFIX}*`;

/** The statements of the managed roles: only what is under the operator's path, passed only to AgentCore. */
const ROLE_STATEMENTS: NamedStatement[] = [
  {
    Sid: 'OperatorRolesRead',
    Effect: 'Allow',
    Action: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
    Resource: [ROLES_UNDER_PATH, ROLES_BY_NAME],
  },
  {
    Sid: 'OperatorRolesWrite',
    Effect: 'Allow',
    Action: ['iam:DeleteRole', 'iam:TagRole', 'iam:UpdateAssumeRolePolicy'],
    Resource: ROLES_UNDER_PATH,
  },
  {
    // A role is created, and its policies written, only under a boundary the administrator keeps under
    // the operator's path (--role-permissions-boundary): what a spec grants never reaches beyond it.
    Sid: 'OperatorRolesPoliciesUnderBoundary',
    Effect: 'Allow',
    Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary'],
    Resource: ROLES_UNDER_PATH,
    Condition: { StringLike: { 'iam:PermissionsBoundary': BOUNDARIES_UNDER_PATH } },
  },
  {
    Sid: 'PassOperatorRolesToAgentCore',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: ROLES_UNDER_PATH,
    Condition: { StringEquals: { 'iam:PassedToService': AGENTCORE_SERVICE } },
  },
  { Sid: 'RoleSnapshotForPlans', Effect: 'Allow', Action: 'iam:GetAccountAuthorizationDetails', Resource: '*' },
];

/** What every source calls: the inventory of what it owns, and the account it runs in. */
const SOURCE_STATEMENTS: NamedStatement[] = [
  { Sid: 'OwnedResourcesByTag', Effect: 'Allow', Action: 'tag:GetResources', Resource: '*' },
  { Sid: 'CallerAccount', Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
];

/** The operator's policy document for these kinds. */
export function operatorPolicy(kinds: readonly PolicyKind[]): PolicyDocument {
  const operations = [...new Set(kinds.flatMap((k) => k.permissions.operations))];
  const tagged = kinds.some((k) => k.tagging === 'api');
  const reads = [...operations.filter(isRead), ...(tagged ? ['ListTagsForResource'] : [])];
  const writes = [...operations.filter((o) => !isRead(o)), ...(tagged ? ['TagResource', 'UntagResource'] : [])];
  const agentCore = (Sid: string, ops: string[]): NamedStatement => ({ Sid, Effect: 'Allow', Action: ops.map((o) => `bedrock-agentcore:${o}`), Resource: '*' });
  const own = new Map(kinds.flatMap((k) => k.permissions.statements ?? []).map((s) => [s.Sid, s]));
  return {
    Version: POLICY_VERSION,
    Statement: [
      agentCore('AgentCoreRead', reads),
      agentCore('AgentCoreWrite', writes),
      ...own.values(),
      ...(kinds.some((k) => k.role) ? ROLE_STATEMENTS : []),
      ...SOURCE_STATEMENTS,
    ],
  };
}

/** The policy as docs/iam-policy.json holds it. */
export function operatorPolicyJson(kinds: readonly PolicyKind[]): string {
  return `${JSON.stringify(operatorPolicy(kinds), null, 2)}\n`;
}
