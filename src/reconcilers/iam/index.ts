/** Roles the operator creates and owns for AgentCore resources (spec.role.managed). */
export {
  canonicalPolicy, MEMORY_ACTIONS, parsePolicyDocument, partitionOf, POLICY_VERSION, runtimePolicy, samePolicy, statementsPolicy, trustPolicy, TRUSTED_SERVICES,
  type PolicyDocument, type PolicyStatement, type RoleService, type RuntimePolicyInputs,
} from './policies.js';
export { checkOwnership, roleChanges, type DesiredRole, type ObservedRole, type RoleChange } from './plan.js';
export { defaultRoleName, MAX_ROLE_NAME_LENGTH } from './role-name.js';
export {
  ensureManagedRole, INLINE_POLICY_NAME, managedRoleRequest, planManagedRole, planRoleRemoval, removeManagedRole,
  type EnsuredRole, type ManagedRoleRequest, type ManagedRoleSpec,
} from './managed-role.js';
export { isRolePropagationError, retryForRolePropagation, ROLE_PROPAGATION_WINDOW_MS } from './propagation.js';
