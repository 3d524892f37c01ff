/**
 * The IAM policy documents of the roles the operator owns, built from facts the reconcilers already
 * hold (the image, the code zip, the referenced memory and gateway), and the comparison that tells a
 * real change from IAM writing the same document another way. Nothing here calls AWS.
 */
import { parseImage } from '../agentruntime/artifact.js';
import { Reason } from '../conditions.js';
import { TerminalError } from '../errors.js';

export const POLICY_VERSION = '2012-10-17';

/** A statement as IAM takes it: Effect plus Action/NotAction, Resource, Principal, Condition... */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** The AgentCore resources whose roles the operator can create. */
export type RoleService = 'runtime' | 'memory' | 'gateway';

/** The service principals each kind of role trusts. */
export const TRUSTED_SERVICES: Record<RoleService, readonly string[]> = {
  runtime: ['bedrock-agentcore.amazonaws.com'],
  // Memory strategies run their models through Bedrock, which assumes the role as bedrock.amazonaws.com.
  memory: ['bedrock.amazonaws.com', 'bedrock-agentcore.amazonaws.com'],
  gateway: ['bedrock-agentcore.amazonaws.com'],
};

const ACCOUNT = /^[0-9]{12}$/;

function requireAccount(account: string): void {
  if (!ACCOUNT.test(account)) throw new TerminalError(`${JSON.stringify(account)} is not an AWS account id (12 digits)`, Reason.ValidationFailed);
}

/** The ARN partition of a region: aws-cn for China, aws-us-gov for GovCloud, aws elsewhere. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The trust policy of a role for one AgentCore resource: only the service may assume it, and only on
 * behalf of resources in the given account (the confused-deputy guard).
 */
export function trustPolicy(service: RoleService, account: string): PolicyDocument {
  requireAccount(account);
  const principals = TRUSTED_SERVICES[service];
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Sid: 'AgentCoreAssumeRole',
        Effect: 'Allow',
        Principal: { Service: principals.length === 1 ? principals[0] : [...principals] },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  };
}

/** What a runtime's execution role must reach. */
export interface RuntimePolicyInputs {
  /** Region and account the runtime runs in (its logs live there). */
  region: string;
  account: string;
  /** The container image (any tag or digest); public.ecr.aws images need no ECR permissions. */
  image?: string;
  /** The code zip, when the artifact is code. */
  code?: { bucket: string; prefix: string };
  /** The referenced Memory's ARN (status.memoryArn). */
  memoryArn?: string;
  /** The referenced Gateway's ARN (status.gatewayArn). */
  gatewayArn?: string;
  /** The user's extra statements (spec.role.managed.statements), added as written. */
  statements?: readonly PolicyStatement[];
}

export const MEMORY_ACTIONS = [
  'bedrock-agentcore:CreateEvent',
  'bedrock-agentcore:GetEvent',
  'bedrock-agentcore:ListEvents',
  'bedrock-agentcore:RetrieveMemoryRecords',
  'bedrock-agentcore:ListMemoryRecords',
  'bedrock-agentcore:GetMemoryRecord',
];

const RUNTIME_LOG_GROUPS = '/aws/bedrock-agentcore/runtimes/*';

/** The least-privilege inline policy of a runtime's execution role. */
export function runtimePolicy(inputs: RuntimePolicyInputs): PolicyDocument {
  const { region, account } = inputs;
  requireAccount(account);
  const partition = partitionOf(region);
  const statements: PolicyStatement[] = [];

  const image = inputs.image ? parseImage(inputs.image) : undefined;
  if (image?.account && image.region) {
    statements.push(
      {
        Sid: 'PullImage',
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: `arn:${partitionOf(image.region)}:ecr:${image.region}:${image.account}:repository/${image.repository}`,
      },
      // GetAuthorizationToken is not scoped to a repository: IAM only accepts "*" for it.
      { Sid: 'EcrToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    );
  }

  const logGroups = `arn:${partition}:logs:${region}:${account}:log-group:${RUNTIME_LOG_GROUPS}`;
  statements.push(
    { Sid: 'LogGroups', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'], Resource: logGroups },
    { Sid: 'LogStreams', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroups}:log-stream:*` },
    // X-Ray's trace and sampling APIs have no resource-level permissions.
    { Sid: 'Traces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*' },
  );

  if (inputs.memoryArn) statements.push({ Sid: 'Memory', Effect: 'Allow', Action: [...MEMORY_ACTIONS], Resource: inputs.memoryArn });
  if (inputs.gatewayArn) statements.push({ Sid: 'Gateway', Effect: 'Allow', Action: 'bedrock-agentcore:InvokeGateway', Resource: inputs.gatewayArn });
  if (inputs.code) {
    statements.push({ Sid: 'CodeZip', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `arn:${partition}:s3:::${inputs.code.bucket}/${inputs.code.prefix}` });
  }
  return { Version: POLICY_VERSION, Statement: [...statements, ...(inputs.statements ?? []).map((s) => structuredClone(s))] };
}

/** An inline policy of the user's statements alone (memory and gateway roles), or undefined when there are none. */
export function statementsPolicy(statements: readonly PolicyStatement[] | undefined): PolicyDocument | undefined {
  return statements && statements.length > 0 ? { Version: POLICY_VERSION, Statement: statements.map((s) => structuredClone(s)) } : undefined;
}

/**
 * A policy document as IAM hands it back: percent-encoded JSON (GetRole, GetRolePolicy). Plain JSON is
 * read as it is.
 */
export function parsePolicyDocument(text: string): unknown {
  const trimmed = text.trim();
  return JSON.parse(trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed));
}

/** Members whose value may be one string or a list of them, the order of the list meaning nothing. */
const LIST_MEMBERS = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);
const PRINCIPAL_MEMBERS = new Set(['Principal', 'NotPrincipal']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string or a list of scalars, as a sorted list without repeats; anything else sorted by key. */
function asSet(value: unknown): unknown {
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) return sortKeys(value);
  return [...new Set(items.map(String))].sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}

function normaliseStatement(statement: unknown): unknown {
  if (!isRecord(statement)) return sortKeys(statement);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(statement).sort()) {
    const value = statement[key];
    if (LIST_MEMBERS.has(key)) out[key] = asSet(value);
    // "*" is its own form of principal; { Service: "x" } and { Service: ["x"] } are one principal.
    else if (PRINCIPAL_MEMBERS.has(key) && isRecord(value)) out[key] = Object.fromEntries(Object.keys(value).sort().map((k) => [k, asSet(value[k])]));
    else if (key === 'Condition' && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.keys(value).sort().map((op) => {
          const block = value[op];
          return [op, isRecord(block) ? Object.fromEntries(Object.keys(block).sort().map((k) => [k, asSet(block[k])])) : sortKeys(block)];
        }),
      );
    } else out[key] = sortKeys(value);
  }
  return out;
}

/**
 * A policy document in one canonical JSON form: keys sorted, one string and a one-element list the
 * same for Action, Resource, Principal and condition values, statements in a fixed order. Accepts a
 * document, its JSON, or its percent-encoded JSON.
 */
export function canonicalPolicy(document: unknown): string {
  const parsed = typeof document === 'string' ? parsePolicyDocument(document) : document;
  if (!isRecord(parsed)) return JSON.stringify(sortKeys(parsed));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(parsed).sort()) {
    if (key !== 'Statement') {
      out[key] = sortKeys(parsed[key]);
      continue;
    }
    const raw = parsed.Statement;
    const statements = (Array.isArray(raw) ? raw : [raw]).map((s) => JSON.stringify(normaliseStatement(s))).sort();
    out[key] = statements.map((s) => JSON.parse(s) as unknown);
  }
  return JSON.stringify(out);
}

/** Whether two policy documents say the same thing (so writing one over the other would change nothing). */
export function samePolicy(a: unknown, b: unknown): boolean {
  return canonicalPolicy(a) === canonicalPolicy(b);
}
