/**
 * docs/iam-policy.json against the code: every AWS call the operator can make (a `new XxxCommand(`
 * of an AWS SDK client, outside the emulator) must be allowed, and the policy must allow nothing else
 * beyond the few actions AWS checks on the operator's behalf, listed here with their reason.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operatorPolicyJson } from '../../src/reconcilers/iam/operator-policy.js';
import { defaultRoleName, ROLE_NAME_PREFIX } from '../../src/reconcilers/iam/role-name.js';
import { RESOURCE_KINDS } from '../../src/reconcilers/index.js';
import { DEFAULT_SETTINGS } from '../../src/reconcilers/kind.js';
import { sentCommands, type SentCommand } from '../aws/sent-commands.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The IAM service prefix of each client package the operator uses. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-bedrock-agentcore-control': 'bedrock-agentcore',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-resource-groups-tagging-api': 'tag',
};
/** Commands whose IAM action is not named after them. */
const ACTION_OF_COMMAND: Record<string, string> = {
  's3:HeadObject': 's3:GetObject',
};
/** Actions AWS checks on top of a command's own, and the commands they come with. */
const EXTRA_ACTIONS: Record<string, { neededBy: string[]; why: string }> = {
  'iam:PassRole': {
    neededBy: ['bedrock-agentcore:CreateAgentRuntime', 'bedrock-agentcore:CreateGateway', 'bedrock-agentcore:CreateMemory'],
    why: 'runtimes, gateways and memories are given a role to act as (and their updates may change it)',
  },
  's3:GetObjectVersion': {
    neededBy: ['bedrock-agentcore:CreateAgentRuntime', 'bedrock-agentcore:UpdateAgentRuntime'],
    why: 'AgentCore fetches S3 code with the caller\'s credentials, and a pinned versionId is a versioned read',
  },
  'bedrock-agentcore:CreateTokenVault': {
    neededBy: ['bedrock-agentcore:CreateOauth2CredentialProvider', 'bedrock-agentcore:CreateApiKeyCredentialProvider'],
    why: 'the first credential provider of an account creates its default token vault',
  },
  'bedrock-agentcore:GetTokenVault': {
    neededBy: ['bedrock-agentcore:CreateOauth2CredentialProvider', 'bedrock-agentcore:CreateApiKeyCredentialProvider'],
    why: 'creating a credential provider looks up the token vault it goes into',
  },
  'secretsmanager:CreateSecret': {
    neededBy: ['bedrock-agentcore:CreateOauth2CredentialProvider', 'bedrock-agentcore:CreateApiKeyCredentialProvider'],
    why: 'AgentCore Identity stores a managed secret value in a secret it creates with the caller\'s credentials',
  },
  'secretsmanager:PutSecretValue': {
    neededBy: ['bedrock-agentcore:UpdateOauth2CredentialProvider', 'bedrock-agentcore:UpdateApiKeyCredentialProvider'],
    why: 'a new secret value is written into that secret, again as the caller',
  },
  'secretsmanager:DeleteSecret': {
    neededBy: ['bedrock-agentcore:DeleteOauth2CredentialProvider', 'bedrock-agentcore:DeleteApiKeyCredentialProvider'],
    why: 'deleting a provider deletes its managed secret, as the caller',
  },
};
/** Role writes that could grant more than the administrator allows: only under a boundary they keep. */
const UNDER_BOUNDARY = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary'];
/** IAM actions that are not about one role: the plan's account-wide snapshot of roles (read only, and optional). */
const ACCOUNT_WIDE_IAM = ['iam:GetAccountAuthorizationDetails'];

const actionOf = ({ operation, pkg }: SentCommand): string | undefined => {
  const service = pkg && SERVICE_OF_PACKAGE[pkg];
  return service ? (ACTION_OF_COMMAND[`${service}:${operation}`] ?? `${service}:${operation}`) : undefined;
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const isRoleAction = (action: string) => action.startsWith('iam:') && !ACCOUNT_WIDE_IAM.includes(action);
const isWrite = (action: string) => !/^[\w-]+:(Get|List|Describe)/.test(action);

/**
 * The operator's roles: those under its role path, and for reads also those named with its prefix
 * (how IAM may name a role that does not exist yet, which has no path, when GetRole asks for it).
 */
const ROLE_PATH_ARN = `arn:aws:iam::*:role${DEFAULT_SETTINGS.rolePath}`;
const ROLE_PREFIX_ARN = `arn:aws:iam::*:role/${ROLE_NAME_PREFIX}`;

/** What is wrong with a policy for these actions, in words (empty when nothing is). */
function problems(policy: { Statement: Statement[] }, sent: Set<string>): string[] {
  const found: string[] = [];
  const statements = policy.Statement;
  const allowed = new Map<string, Statement[]>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow' || !statement.Sid) found.push(`statement ${statement.Sid ?? '(no Sid)'}: every statement is an Allow with a Sid`);
    for (const action of list(statement.Action)) {
      if (action.includes('*')) found.push(`${statement.Sid}: wildcard action ${action}`);
      allowed.set(action.toLowerCase(), [...(allowed.get(action.toLowerCase()) ?? []), statement]);
    }
  }
  if (new Set(statements.map((s) => s.Sid)).size !== statements.length) found.push('Sids are not unique');
  for (const action of sent) if (!allowed.has(action.toLowerCase())) found.push(`${action} is sent but not allowed`);

  const known = new Map([...sent, ...Object.keys(EXTRA_ACTIONS)].map((a) => [a.toLowerCase(), a]));
  for (const statement of statements) {
    for (const action of list(statement.Action)) {
      if (!known.has(action.toLowerCase())) found.push(`${statement.Sid}: ${action} is allowed but no command needs it`);
      const resources = list(statement.Resource);
      if (action.startsWith('iam:') && isWrite(action) && resources.includes('*')) found.push(`${statement.Sid}: ${action} on Resource "*"`);
      if (isRoleAction(action) && !resources.every((r) => r.startsWith(ROLE_PATH_ARN) || r.startsWith(ROLE_PREFIX_ARN))) {
        found.push(`${statement.Sid}: ${action} reaches beyond the operator's roles (${resources.join(', ')})`);
      }
      if (isRoleAction(action) && isWrite(action) && !resources.every((r) => r.startsWith(ROLE_PATH_ARN))) {
        found.push(`${statement.Sid}: ${action} writes roles outside the operator's path ${DEFAULT_SETTINGS.rolePath}`);
      }
      if (UNDER_BOUNDARY.includes(action) && statement.Condition?.StringLike?.['iam:PermissionsBoundary'] !== `arn:aws:iam::*:policy${DEFAULT_SETTINGS.rolePath}*`) {
        found.push(`${statement.Sid}: ${action} is not limited to a permissions boundary under ${DEFAULT_SETTINGS.rolePath}`);
      }
      if (action === 'iam:PassRole' && statement.Condition?.StringEquals?.['iam:PassedToService'] !== 'bedrock-agentcore.amazonaws.com') {
        found.push(`${statement.Sid}: iam:PassRole is not limited to iam:PassedToService bedrock-agentcore.amazonaws.com`);
      }
    }
  }
  return found;
}

const policy = JSON.parse(readFileSync(join(root, 'docs/iam-policy.json'), 'utf8')) as { Version: string; Statement: Statement[] };
const sent = sentCommands();
const sentActions = new Set(sent.map(actionOf).filter((a): a is string => a !== undefined));

describe('docs/iam-policy.json', () => {
  test('is what `npm run generate` derives from the registry of kinds', () => {
    expect(readFileSync(join(root, 'docs/iam-policy.json'), 'utf8')).toBe(operatorPolicyJson(RESOURCE_KINDS));
  });

  test('every command in the sources is an AWS SDK command of a known client', () => {
    expect(sent.length).toBeGreaterThan(50);
    expect(sent.filter((s) => actionOf(s) === undefined)).toEqual([]);
    // A few the operator cannot work without, found through the scan.
    expect([...sentActions]).toEqual(expect.arrayContaining([
      'bedrock-agentcore:CreateAgentRuntime', 'iam:CreateRole', 'ecr:DescribeImages', 's3:GetObject', 'tag:GetResources',
      'secretsmanager:GetSecretValue', 'sts:GetCallerIdentity',
    ]));
  });

  test('allows what the code sends, and nothing else but the listed extras, limited as they must be', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(problems(policy, sentActions)).toEqual([]);
  });

  test('each extra action comes with a command the code does send', () => {
    for (const [action, { neededBy }] of Object.entries(EXTRA_ACTIONS)) {
      expect([action, neededBy.filter((a) => !sentActions.has(a))]).toEqual([action, []]);
    }
  });

  test('the role ARNs are the ones the code gives its roles', () => {
    expect(DEFAULT_SETTINGS.rolePath).toBe('/agentcore/');
    expect(defaultRoleName({ owner: 'agents/AgentRuntime/support-agent', source: 'kubernetes' })).toMatch(new RegExp(`^${ROLE_NAME_PREFIX}`));
  });

  // The checks themselves, on broken copies of the policy.
  const edited = (edit: (statements: Statement[]) => void) => {
    const copy = structuredClone(policy);
    edit(copy.Statement);
    return problems(copy, sentActions);
  };
  const bySid = (statements: Statement[], sid: string) => statements.find((s) => s.Sid === sid)!;
  test.each<[string, (statements: Statement[]) => void, RegExp]>([
    ['a sent action missing', (s) => { bySid(s, 'AgentCoreWrite').Action = list(bySid(s, 'AgentCoreWrite').Action).filter((a) => a !== 'bedrock-agentcore:DeleteMemory'); }, /bedrock-agentcore:DeleteMemory is sent but not allowed/],
    ['an action nothing sends', (s) => { bySid(s, 'ImageDigests').Action = ['ecr:DescribeImages', 'ecr:PutImage']; }, /ImageDigests: ecr:PutImage is allowed but no command needs it/],
    ['a wildcard action', (s) => { bySid(s, 'AgentCoreRead').Action = 'bedrock-agentcore:*'; }, /AgentCoreRead: wildcard action bedrock-agentcore:\*/],
    ['IAM writes on every resource', (s) => { bySid(s, 'OperatorRolesPoliciesUnderBoundary').Resource = '*'; }, /OperatorRolesPoliciesUnderBoundary: iam:CreateRole on Resource "\*"/],
    ['role writes on every role', (s) => { bySid(s, 'OperatorRolesWrite').Resource = 'arn:aws:iam::*:role/*'; }, /iam:DeleteRole reaches beyond the operator's roles/],
    ['role writes on unpathed roles', (s) => { bySid(s, 'OperatorRolesPoliciesUnderBoundary').Resource = `${ROLE_PREFIX_ARN}*`; }, /iam:PutRolePolicy writes roles outside the operator's path/],
    ['role creation without a boundary', (s) => { delete bySid(s, 'OperatorRolesPoliciesUnderBoundary').Condition; }, /OperatorRolesPoliciesUnderBoundary: iam:CreateRole is not limited to a permissions boundary under \/agentcore\//],
    ['a boundary that can be removed', (s) => { bySid(s, 'OperatorRolesWrite').Action = [...list(bySid(s, 'OperatorRolesWrite').Action), 'iam:DeleteRolePermissionsBoundary']; }, /OperatorRolesWrite: iam:DeleteRolePermissionsBoundary is allowed but no command needs it/],
    ['PassRole to any service', (s) => { delete bySid(s, 'PassOperatorRolesToAgentCore').Condition; }, /iam:PassRole is not limited to iam:PassedToService/],
    ['PassRole of any role', (s) => { bySid(s, 'PassOperatorRolesToAgentCore').Resource = 'arn:aws:iam::*:role/*'; }, /iam:PassRole reaches beyond the operator's roles/],
    ['a Deny', (s) => { bySid(s, 'CallerAccount').Effect = 'Deny'; }, /CallerAccount: every statement is an Allow with a Sid/],
  ])('reports %s', (_what, edit, problem) => {
    expect(edited(edit)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});
