/**
 * Authorization as kube-apiserver does it with `--authorization-mode=RBAC`: members of
 * `system:masters` may do anything; everyone else is allowed what some PolicyRule bound to them
 * allows. ClusterRoleBindings grant a ClusterRole everywhere, RoleBindings grant a Role or a
 * ClusterRole in their own namespace only. Denials are answered with the 403 Forbidden Status the
 * apiserver words. The bootstrap policy a fresh cluster carries (discovery, health, version,
 * self-reviews for every authenticated user; cluster-admin) is built in. Pure: no I/O, no state.
 */
import { ApiError } from './types.js';
import type { KubeObject, StatusDetails } from './types.js';
import { goQuote, labelSelectorFromSpec } from './selectors.js';
import type { LabelSelectorSpec } from './selectors.js';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface RequestAttributes {
  user: UserInfo;
  /** get list watch create update patch delete deletecollection, or lower-case HTTP verbs for non-resource requests */
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** For non-resource requests, e.g. /healthz, /apis, /openapi/v3 */
  path?: string;
}

export interface RbacObjects {
  roles: KubeObject[];
  clusterRoles: KubeObject[];
  roleBindings: KubeObject[];
  clusterRoleBindings: KubeObject[];
}

export interface Decision {
  allowed: boolean;
  /** Why: `RBAC: allowed by ...` when allowed; on denial, the role lookups that failed, if any. */
  reason?: string;
}

export interface AuthorizeOptions {
  /**
   * Evaluate the built-in bootstrap policy (see bootstrapPolicy) alongside `rbac`; on by default.
   * Objects in `rbac` with a bootstrap object's name take its place.
   */
  bootstrap?: boolean;
}

export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_AUTHENTICATED = 'system:authenticated';
export const SYSTEM_UNAUTHENTICATED = 'system:unauthenticated';
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The user a ServiceAccount token authenticates as. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: serviceAccountUsername(namespace, name),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, SYSTEM_AUTHENTICATED],
  };
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/* ----------------------------------------------------------------------------------------------
 * Loose readers over the stored objects
 * -------------------------------------------------------------------------------------------- */

interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface RoleRef {
  kind: string;
  name: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function rulesOf(role: KubeObject): PolicyRule[] {
  const rules = Array.isArray(role['rules']) ? role['rules'] : [];
  return rules.flatMap((raw) => {
    const rule = record(raw);
    if (!rule) return [];
    return [{
      verbs: strings(rule['verbs']),
      apiGroups: strings(rule['apiGroups']),
      resources: strings(rule['resources']),
      resourceNames: strings(rule['resourceNames']),
      nonResourceURLs: strings(rule['nonResourceURLs']),
    }];
  });
}

function subjectsOf(binding: KubeObject): Subject[] {
  const subjects = Array.isArray(binding['subjects']) ? binding['subjects'] : [];
  return subjects.flatMap((raw) => {
    const subject = record(raw);
    if (!subject) return [];
    const namespace = str(subject['namespace']);
    return [{ kind: str(subject['kind']), name: str(subject['name']), ...(namespace ? { namespace } : {}) }];
  });
}

function roleRefOf(binding: KubeObject): RoleRef {
  const ref = record(binding['roleRef']) ?? {};
  return { kind: str(ref['kind']), name: str(ref['name']) };
}

/* ----------------------------------------------------------------------------------------------
 * Rule matching (rbac/v1 evaluation helpers)
 * -------------------------------------------------------------------------------------------- */

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === '*' || g === group);
}

/** `*`, the exact `resource` or `resource/subresource`, or `*\/subresource` for a subresource. */
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return rule.resources.some((r) => {
    if (r === '*' || r === combined) return true;
    return subresource.length > 0 && r === `*/${subresource}`;
  });
}

/** No resourceNames means any name; otherwise the request must name one of them (so list, watch,
 * create and deletecollection, which carry no name, never match). */
function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

/** `*`, an exact path, or a prefix ending in `*`. */
function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some((url) => {
    if (url === '*' || url === path) return true;
    return url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''));
  });
}

function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (attrs.resourceRequest) {
    const resource = attrs.resource ?? '';
    const subresource = attrs.subresource ?? '';
    const combined = subresource ? `${resource}/${subresource}` : resource;
    return (
      verbMatches(rule, attrs.verb) &&
      apiGroupMatches(rule, attrs.apiGroup ?? '') &&
      resourceMatches(rule, combined, subresource) &&
      resourceNameMatches(rule, attrs.name ?? '')
    );
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path ?? '');
}

/* ----------------------------------------------------------------------------------------------
 * Subjects and role resolution
 * -------------------------------------------------------------------------------------------- */

function appliesToUser(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount subject without a namespace means the binding's own.
      const saNamespace = subject.namespace ?? namespace;
      if (!saNamespace) return false;
      return user.name === serviceAccountUsername(saNamespace, subject.name);
    }
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${goQuote(`${subject.name}/${subject.namespace ?? bindingNamespace}`)}`;
  }
  return `${subject.kind} ${goQuote(subject.name)}`;
}

function notFound(resource: 'role' | 'clusterrole', name: string): string {
  return `${resource}.${RBAC_GROUP} ${goQuote(name)} not found`;
}

class Resolver {
  private readonly clusterRoles = new Map<string, KubeObject>();
  private readonly roles = new Map<string, KubeObject>();

  constructor(private readonly rbac: RbacObjects) {
    for (const role of rbac.clusterRoles) this.clusterRoles.set(role.metadata.name ?? '', role);
    for (const role of rbac.roles) this.roles.set(`${role.metadata.namespace ?? ''}/${role.metadata.name ?? ''}`, role);
  }

  /** The rules a roleRef grants, or the lookup error the authorizer reports. */
  roleRefRules(ref: RoleRef, bindingNamespace: string): PolicyRule[] | string {
    switch (ref.kind) {
      case 'Role': {
        const role = this.roles.get(`${bindingNamespace}/${ref.name}`);
        return role ? rulesOf(role) : notFound('role', ref.name);
      }
      case 'ClusterRole': {
        const role = this.clusterRoles.get(ref.name);
        return role ? this.clusterRoleRules(role, new Set()) : notFound('clusterrole', ref.name);
      }
      default:
        return `unsupported role reference kind: ${goQuote(ref.kind)}`;
    }
  }

  /**
   * A ClusterRole's rules; for one with an aggregationRule, also the rules of every ClusterRole its
   * selectors match (what the aggregation controller would have written into it).
   */
  private clusterRoleRules(role: KubeObject, visiting: Set<string>): PolicyRule[] {
    const name = role.metadata.name ?? '';
    const rules = rulesOf(role);
    const aggregation = record(role['aggregationRule']);
    if (!aggregation || visiting.has(name)) return rules;
    visiting.add(name);
    const selectors = Array.isArray(aggregation['clusterRoleSelectors']) ? aggregation['clusterRoleSelectors'] : [];
    const matchers = selectors.map((s) => labelSelectorFromSpec(record(s) as LabelSelectorSpec | undefined));
    const merged = [...rules];
    for (const other of this.rbac.clusterRoles) {
      const otherName = other.metadata.name ?? '';
      if (otherName === name || visiting.has(otherName)) continue;
      if (matchers.some((match) => match(other.metadata.labels))) merged.push(...this.clusterRoleRules(other, visiting));
    }
    visiting.delete(name);
    return merged;
  }
}

/* ----------------------------------------------------------------------------------------------
 * Bootstrap policy
 * -------------------------------------------------------------------------------------------- */

const BOOTSTRAP_META = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

function clusterRole(name: string, rules: Record<string, string[]>[]): KubeObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: { name, ...structuredClone(BOOTSTRAP_META) }, rules };
}

function groupBinding(name: string, groups: string[]): KubeObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, ...structuredClone(BOOTSTRAP_META) },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
    subjects: groups.map((group) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: group })),
  };
}

/**
 * The subset of kube-apiserver's bootstrap RBAC policy a test cluster needs: cluster-admin (bound
 * to system:masters), system:discovery, system:basic-user and system:public-info-viewer (bound to
 * every authenticated user, the last also to unauthenticated ones) and system:monitoring.
 * Fresh objects on every call, so callers may store or mutate them.
 */
export function bootstrapPolicy(): Pick<RbacObjects, 'clusterRoles' | 'clusterRoleBindings'> {
  return {
    clusterRoles: [
      clusterRole('cluster-admin', [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ]),
      clusterRole('system:discovery', [
        {
          nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'],
          verbs: ['get'],
        },
      ]),
      clusterRole('system:basic-user', [
        { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
        { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
      ]),
      clusterRole('system:public-info-viewer', [
        { nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] },
      ]),
      clusterRole('system:monitoring', [
        {
          nonResourceURLs: ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'],
          verbs: ['get'],
        },
      ]),
    ],
    clusterRoleBindings: [
      groupBinding('cluster-admin', [SYSTEM_MASTERS]),
      groupBinding('system:discovery', [SYSTEM_AUTHENTICATED]),
      groupBinding('system:basic-user', [SYSTEM_AUTHENTICATED]),
      groupBinding('system:public-info-viewer', [SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED]),
      groupBinding('system:monitoring', ['system:monitoring']),
    ],
  };
}

const BOOTSTRAP = bootstrapPolicy();

function withBootstrap(rbac: RbacObjects): RbacObjects {
  const merge = (own: KubeObject[], builtIn: KubeObject[]): KubeObject[] => {
    const names = new Set(own.map((o) => o.metadata.name));
    return [...own, ...builtIn.filter((o) => !names.has(o.metadata.name))];
  };
  return {
    roles: rbac.roles,
    roleBindings: rbac.roleBindings,
    clusterRoles: merge(rbac.clusterRoles, BOOTSTRAP.clusterRoles),
    clusterRoleBindings: merge(rbac.clusterRoleBindings, BOOTSTRAP.clusterRoleBindings),
  };
}

/* ----------------------------------------------------------------------------------------------
 * The authorizer
 * -------------------------------------------------------------------------------------------- */

function aggregate(messages: string[]): string {
  const seen = [...new Set(messages)];
  return seen.length === 1 ? (seen[0] ?? '') : `[${seen.join(', ')}]`;
}

/**
 * Decides a request the way the privileged-group and RBAC authorizers together do. Cluster-scoped
 * and non-resource requests consult ClusterRoleBindings only; namespaced requests also the
 * RoleBindings of that namespace.
 */
export function authorize(attrs: RequestAttributes, rbac: RbacObjects, options: AuthorizeOptions = {}): Decision {
  if (attrs.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true };

  const objects = options.bootstrap === false ? rbac : withBootstrap(rbac);
  const resolver = new Resolver(objects);
  const errors: string[] = [];
  const namespace = attrs.resourceRequest ? (attrs.namespace ?? '') : '';

  for (const binding of objects.clusterRoleBindings) {
    const subject = subjectsOf(binding).find((s) => appliesToUser(attrs.user, s, ''));
    if (!subject) continue;
    const ref = roleRefOf(binding);
    const rules = resolver.roleRefRules(ref, '');
    if (typeof rules === 'string') {
      errors.push(rules);
      continue;
    }
    if (rules.some((rule) => ruleAllows(attrs, rule))) {
      const source = `ClusterRoleBinding ${goQuote(binding.metadata.name ?? '')} of ${ref.kind} ${goQuote(ref.name)} to ${describeSubject(subject, '')}`;
      return { allowed: true, reason: `RBAC: allowed by ${source}` };
    }
  }

  if (namespace) {
    for (const binding of objects.roleBindings) {
      if ((binding.metadata.namespace ?? '') !== namespace) continue;
      const subject = subjectsOf(binding).find((s) => appliesToUser(attrs.user, s, namespace));
      if (!subject) continue;
      const ref = roleRefOf(binding);
      const rules = resolver.roleRefRules(ref, namespace);
      if (typeof rules === 'string') {
        errors.push(rules);
        continue;
      }
      if (rules.some((rule) => ruleAllows(attrs, rule))) {
        const bindingName = `${binding.metadata.name ?? ''}/${namespace}`;
        const source = `RoleBinding ${goQuote(bindingName)} of ${ref.kind} ${goQuote(ref.name)} to ${describeSubject(subject, namespace)}`;
        return { allowed: true, reason: `RBAC: allowed by ${source}` };
      }
    }
  }

  return errors.length > 0 ? { allowed: false, reason: `RBAC: ${aggregate(errors)}` } : { allowed: false };
}

/* ----------------------------------------------------------------------------------------------
 * The 403
 * -------------------------------------------------------------------------------------------- */

/** Keeps the message from reading as HTML, as responsewriters.Forbidden does. */
function sanitize(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** responsewriters' forbiddenMessage. */
export function forbiddenMessage(attrs: RequestAttributes): string {
  const user = goQuote(attrs.user.name);
  if (!attrs.resourceRequest) return `User ${user} cannot ${attrs.verb} path ${goQuote(attrs.path ?? '')}`;
  let resource = attrs.resource ?? '';
  if (attrs.subresource) resource = `${resource}/${attrs.subresource}`;
  const group = goQuote(attrs.apiGroup ?? '');
  if (attrs.namespace) {
    return `User ${user} cannot ${attrs.verb} resource ${goQuote(resource)} in API group ${group} in the namespace ${goQuote(attrs.namespace)}`;
  }
  return `User ${user} cannot ${attrs.verb} resource ${goQuote(resource)} in API group ${group} at the cluster scope`;
}

/**
 * The 403 Forbidden Status kube-apiserver answers a denied request with, e.g.
 * `agentruntimes.agentcore.dev "x" is forbidden: User "..." cannot get resource "agentruntimes" in
 * API group "agentcore.dev" in the namespace "ns"`. Pass the Decision's reason to append it as
 * the apiserver does (`...: RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
 */
export function forbidden(attrs: RequestAttributes, reason?: string): ApiError {
  const message = sanitize(forbiddenMessage(attrs));
  const cause = reason ? `${message}: ${reason}` : message;
  const group = attrs.resourceRequest ? (attrs.apiGroup ?? '') : '';
  const resource = attrs.resourceRequest ? (attrs.resource ?? '') : '';
  const name = attrs.resourceRequest ? (attrs.name ?? '') : '';
  let text: string;
  if (!group && !resource) text = `forbidden: ${cause}`;
  else {
    const qualified = group ? `${resource}.${group}` : resource;
    text = name ? `${qualified} ${goQuote(name)} is forbidden: ${cause}` : `${qualified} is forbidden: ${cause}`;
  }
  const details: StatusDetails = {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    ...(resource ? { kind: resource } : {}),
  };
  return new ApiError(403, 'Forbidden', text, details);
}
