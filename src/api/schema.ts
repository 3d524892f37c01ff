/**
 * Building blocks for the per-kind schemas. Every kind's schema is written once with TypeBox; from it
 * come the TypeScript types (Static), the file-mode validator (ajv) and the CRD (openAPIV3Schema).
 * Cross-field rules are CEL `x-kubernetes-validations`: the API server evaluates them in a cluster and
 * the validator evaluates the same rules in file mode.
 */
import { Type, type TSchema, type SchemaOptions, type Static } from '@sinclair/typebox';
import { MAX_USER_TAGS, OWNERSHIP_TAG_PREFIX } from './meta.js';

/**
 * Patterns and limits taken from the AgentCore and IAM service models.
 *
 * Every pattern is a Go regular expression (RE2 syntax, as Go's regexp implements it): that is what the API
 * server compiles a CRD's `pattern` with, and the file-mode validator compiles them with an RE2 engine too.
 * So `\s` is `[\t\n\f\r ]`, `.` is anything but `\n`, `\w` and `\d` are ASCII, there are no lookarounds or
 * backreferences, and a repeat count may not exceed 1000: lengths beyond that go in minLength/maxLength.
 */
export const Pattern = {
  /** AgentRuntime, endpoint, memory and strategy names: letters, digits, underscores; no hyphen. */
  underscoreName: '^[a-zA-Z][a-zA-Z0-9_]{0,47}$',
  gatewayName: '^([0-9a-zA-Z][-]?){1,48}$',
  targetName: '^([0-9a-zA-Z][-]?){1,100}$',
  workloadIdentityName: '^[A-Za-z0-9_.-]+$',
  credentialProviderName: '^[a-zA-Z0-9\\-_]+$',
  roleArn: '^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$',
  policyArn: '^arn:aws(-[^:]+)?:iam::([0-9]{12}|aws):policy/.+$',
  iamRoleName: '^[\\w+=,.@-]{1,64}$',
  iamPath: '^/([\\x21-\\x7E]*/)?$',
  containerUri:
    '^(([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?|public\\.ecr\\.aws)/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([^:@]{1,300}))?(?:@(.+))?$',
  s3Bucket: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  /** s3://bucket/key; at most 2048 characters in all, which the field states as maxLength (Go refuses a repeat count over 1000). */
  s3Uri: '^s3://.+$',
  awsAccountId: '^[0-9]{12}$',
  kmsKeyArn: '^arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}$',
  lambdaArn:
    '^arn:(aws[a-zA-Z-]*)?:lambda:([a-z]{2}(-gov)?-[a-z]+-\\d{1}):(\\d{12}):function:([a-zA-Z0-9-_.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?$',
  securityGroupId: '^sg-[0-9a-zA-Z]{8,17}$',
  subnetId: '^subnet-[0-9a-zA-Z]{8,17}$',
  discoveryUrl: '^.+/\\.well-known/openid-configuration$',
  oauthDiscoveryUrl: '^.+/\\.well-known/(openid-configuration|oauth-authorization-server)$',
  headerName: '^[A-Za-z][A-Za-z0-9_-]{0,255}$',
  tag: '^[a-zA-Z0-9\\s._:/=+@-]*$',
  memoryNamespace: '^[a-zA-Z0-9\\-_\\/]*(\\{(actorId|sessionId|memoryStrategyId)\\}[a-zA-Z0-9\\-_\\/]*)*$',
  returnUrl: '^\\w+:(\\/?\\/?)[^\\s]+$',
  https: '^https://.*$',
  /** Kubernetes object names (RFC 1123 subdomain) and label-style keys. */
  dnsSubdomain: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  dnsLabel: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  secretKey: '^[-._a-zA-Z0-9]+$',
  envVarName: '^[A-Za-z_][A-Za-z0-9_]*$',
} as const;

export interface CelRule {
  rule: string;
  message: string;
  /** JSONPath-style path relative to the schema the rule sits on, e.g. `.image`. */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Options that attach CEL rules to a schema. */
export function cel(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

/** A rule that holds when exactly one of the named optional fields is set. */
export function exactlyOneOf(fields: readonly string[], what?: string): CelRule {
  const count = fields.map((f) => `(has(self.${f}) ? 1 : 0)`).join(' + ');
  return {
    rule: `${count} == 1`,
    message: `exactly one of ${fields.join(', ')} must be set${what ? ` (${what})` : ''}`,
  };
}

/** A transition rule: once created, an optional field can be neither changed, added nor removed. */
export function immutableOptional(field: string): CelRule {
  return {
    rule: `has(self.${field}) == has(oldSelf.${field}) && (!has(self.${field}) || self.${field} == oldSelf.${field})`,
    message: `${field} is immutable: it cannot be changed, added or removed after creation`,
    fieldPath: `.${field}`,
  };
}

/** A transition rule placed on the field itself. */
export function immutable(what: string): CelRule {
  return { rule: 'self == oldSelf', message: `${what} is immutable` };
}

/**
 * The unit a number counts (`seconds`, `days`), for validation messages and the field reference. It is
 * ours alone: the CRD generator drops every `x-agentcore-` keyword, which the apiserver would refuse.
 */
export function unit(name: string): { 'x-agentcore-unit': string } {
  return { 'x-agentcore-unit': name };
}

/** A string enum in the structural form CRDs need (`enum`, not `anyOf` of `const`). */
export function stringEnum<const V extends readonly string[]>(values: V, options: SchemaOptions = {}) {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

export const nonEmptyString = (description: string, options: SchemaOptions = {}) =>
  Type.String({ minLength: 1, description, ...options });

/** A string → string map (a structural `additionalProperties` schema, not patternProperties). */
export function stringMap(
  description: string,
  options: { key?: SchemaOptions; value?: SchemaOptions; maxProperties?: number; rules?: CelRule[] } = {},
) {
  const { maxProperties, rules } = options;
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    additionalProperties: { type: 'string', ...options.value },
    ...(maxProperties !== undefined ? { maxProperties } : {}),
    ...(rules?.length ? cel(...rules) : {}),
    ...(options.key ? { 'x-agentcore-map-key': options.key } : {}),
  });
}

/** Free-form JSON kept as written (tool schemas, IAM policy statements). */
export function freeForm(description: string) {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  });
}

/** A list of objects that Kubernetes merges and validates as a map keyed by `key`. */
export function listMap<T extends TSchema>(item: T, key: string, options: SchemaOptions) {
  return Type.Array(item, { ...options, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
}

export function setOf<T extends TSchema>(item: T, options: SchemaOptions) {
  return Type.Array(item, { ...options, 'x-kubernetes-list-type': 'set' });
}

export const Tags = stringMap(
  `AWS tags for the resource (at most ${MAX_USER_TAGS}; keys under ${OWNERSHIP_TAG_PREFIX} are reserved for ownership tags).`,
  {
    key: { minLength: 1, maxLength: 128, pattern: Pattern.tag },
    value: { maxLength: 256, pattern: Pattern.tag },
    maxProperties: MAX_USER_TAGS,
    rules: [
      {
        rule: `self.all(k, !k.startsWith('${OWNERSHIP_TAG_PREFIX}'))`,
        message: `tag keys starting with ${OWNERSHIP_TAG_PREFIX} are reserved for the operator`,
      },
    ],
  },
);

export const ObjectRef = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 253, pattern: Pattern.dnsSubdomain, description: 'Name of the object, in the same namespace (or the same source in file mode).' }) },
  { description: 'A reference by name to another agentcore.dev object.' },
);
export type ObjectRef = Static<typeof ObjectRef>;

export const SecretRef = Type.Object(
  {
    secretKeyRef: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 253, pattern: Pattern.dnsSubdomain, description: 'Name of a Kubernetes Secret in the object\'s namespace.' }),
          key: Type.String({ minLength: 1, maxLength: 253, pattern: Pattern.secretKey, description: 'Key within the Secret.' }),
        },
        { description: 'A key of a Kubernetes Secret (cluster mode).' },
      ),
    ),
    env: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: Pattern.envVarName, description: 'Name of an environment variable of the operator process (file mode only).' })),
    file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Path of a file holding the value, relative to the manifest (file mode only).' })),
    awsSecretsManager: Type.Optional(
      Type.Object(
        {
          secretId: Type.String({ minLength: 1, maxLength: 2048, description: 'Secrets Manager secret name or ARN.' }),
          jsonKey: Type.String({ minLength: 1, maxLength: 128, description: 'Key within the secret\'s JSON value.' }),
        },
        { description: 'A secret kept in AWS Secrets Manager; AgentCore reads it directly (source EXTERNAL), so the value never passes through the operator.' },
      ),
    ),
  },
  {
    description: 'Where a secret value comes from. Secret values are never written inline.',
    'x-agentcore-secret-ref': true,
    ...cel(exactlyOneOf(['secretKeyRef', 'env', 'file', 'awsSecretsManager'], 'secret source')),
  },
);
export type SecretRef = Static<typeof SecretRef>;

/**
 * The object must set at least one of the named fields. Written as `anyOf` of `required`, which a
 * structural schema allows (no types or descriptions in the branches), because a CEL rule could not name
 * these fields when they are untyped JSON: the API server leaves such fields out of a rule's CEL type. The
 * message is for the file-mode validator; a cluster reports the `anyOf` in its own words.
 */
export function atLeastOneOf(fields: readonly string[], message: string) {
  return { anyOf: fields.map((f) => ({ required: [f] })), 'x-agentcore-any-of-message': message };
}

/** An IAM statement: Effect is checked here, the rest (Action, Resource, Condition...) is IAM's to judge. */
const PolicyStatement = Type.Unsafe<{ Effect: 'Allow' | 'Deny'; [key: string]: unknown }>({
  type: 'object',
  description: 'An IAM policy statement (Effect, Action, Resource, Condition...).',
  required: ['Effect'],
  properties: {
    Effect: { type: 'string', enum: ['Allow', 'Deny'], description: 'Allow or Deny.' },
    // Any JSON (a string or a list of strings in IAM's grammar), declared for the field reference only.
    Action: { 'x-kubernetes-preserve-unknown-fields': true, description: 'An action or a list of actions.' },
    NotAction: { 'x-kubernetes-preserve-unknown-fields': true, description: 'An action or a list of actions the statement does not cover.' },
  },
  ...atLeastOneOf(['Action', 'NotAction'], 'a statement needs Action or NotAction'),
  'x-kubernetes-preserve-unknown-fields': true,
});

const ManagedRole = Type.Object(
  {
    roleName: Type.Optional(Type.String({ pattern: Pattern.iamRoleName, description: 'IAM role name; derived from the object when omitted.' })),
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: Pattern.iamPath, description: 'IAM path for the role (default /agentcore/).' })),
    permissionsBoundaryArn: Type.Optional(Type.String({ maxLength: 2048, pattern: Pattern.policyArn, description: 'Managed policy used as the role\'s permissions boundary.' })),
    managedPolicyArns: Type.Optional(setOf(Type.String({ maxLength: 2048, pattern: Pattern.policyArn }), { maxItems: 20, description: 'Managed policies to attach besides the generated inline policy.' })),
    statements: Type.Optional(
      Type.Array(PolicyStatement, {
        maxItems: 50,
        description: 'Extra IAM policy statements added to the generated least-privilege inline policy.',
      }),
    ),
  },
  { description: 'A role the operator creates and owns, with the trust policy and least-privilege permissions the resource needs.' },
);

/** The execution role: an existing role by ARN, or one the operator manages. */
export function roleSchema(description: string) {
  return Type.Object(
    {
      arn: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: Pattern.roleArn, description: 'ARN of an existing IAM role.' })),
      managed: Type.Optional(ManagedRole),
    },
    { description, ...cel(exactlyOneOf(['arn', 'managed'], 'role')) },
  );
}
export type RoleSpec = Static<ReturnType<typeof roleSchema>>;

/** Fields every kind's spec carries. */
export const commonSpecFields = {
  deletionPolicy: Type.Optional(
    stringEnum(['Delete', 'Retain'], {
      default: 'Delete',
      description: 'What happens to the AWS resource when the object is deleted: Delete removes it, Retain leaves it in place.',
    }),
  ),
  driftPolicy: Type.Optional(
    stringEnum(['Correct', 'Report'], {
      default: 'Correct',
      description: 'What happens when the AWS resource was changed out of band: Correct restores the spec, Report only records the drift in status.',
    }),
  ),
  suspend: Type.Optional(Type.Boolean({ default: false, description: 'Stop reconciling this object; status says so. AWS resources are left as they are.' })),
};

const ConditionSchema = Type.Object(
  {
    type: Type.String({ maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$', description: 'Type of condition in CamelCase.' }),
    status: stringEnum(['True', 'False', 'Unknown'], { description: 'Status of the condition.' }),
    observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: 'int64', description: 'The generation the condition was computed from.' })),
    lastTransitionTime: Type.String({ format: 'date-time', description: 'When the condition last changed status.' }),
    reason: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$', description: 'Programmatic identifier of the reason for the last transition.' }),
    message: Type.String({ maxLength: 32768, description: 'Human-readable details.' }),
  },
  { description: 'A metav1.Condition.' },
);

/** Status fields every kind reports (kstatus: observedGeneration and Ready/Reconciling/Stalled). */
export const commonStatusFields = {
  observedGeneration: Type.Optional(Type.Integer({ format: 'int64', description: 'The generation last fully reconciled; -1 before the first reconcile.' })),
  conditions: Type.Optional(
    listMap(ConditionSchema, 'type', { maxItems: 16, description: 'Ready, Reconciling, Stalled, Synced and Drifted, in the metav1.Condition shape.' }),
  ),
  awsStatus: Type.Optional(Type.String({ description: 'The status AWS reports for the resource (READY, ACTIVE, CREATING, CREATE_FAILED, ...).' })),
  failureReason: Type.Optional(Type.String({ description: 'Why AWS reports the resource as failed.' })),
  drift: Type.Optional(Type.Array(Type.String(), { maxItems: 100, description: 'Field paths where AWS differs from the spec, found at the last resync.' })),
  lastSyncedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When AWS was last read; in a cluster, written along with another status change, not by every resync that finds nothing new.' })),
  lastHandledReconcileAt: Type.Optional(Type.String({ description: 'The last agentcore.dev/requestedAt annotation value handled.' })),
};

export function statusSchema<P extends Record<string, TSchema>>(description: string, fields: P) {
  return Type.Object({ ...commonStatusFields, ...fields }, { description });
}
