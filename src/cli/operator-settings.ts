/**
 * The administrator's settings both modes share: whether the adopt annotation may take over another
 * object's resources, and the cap on the roles the operator creates (iam/role-cap.ts).
 */
import type { Command } from 'commander';
import { DEFAULT_ROLE_CAP } from '../reconcilers/iam/role-cap.js';
import type { OperatorSettings } from '../reconcilers/kind.js';

export interface OperatorSettingOptions {
  allowCrossOwnerAdoption?: boolean;
  rolePermissionsBoundary?: string;
  roleAllowedManagedPolicies?: string[];
  roleDeniedManagedPolicies: string[];
  roleAllowedActions?: string[];
  roleDeniedActions: string[];
}

export function withOperatorSettings(command: Command): Command {
  return command
    .option('--allow-cross-owner-adoption', 'let the agentcore.dev/adopt annotation take over a resource another object manages (another namespace\'s, another source\'s); off, it only adopts what no object manages')
    .option('--role-permissions-boundary <arn>', 'the permissions boundary every managed role gets; a spec may name no other')
    .option('--role-allowed-managed-policies <arn...>', 'the only managed policies a managed role may have (* at the end matches the rest); default: any not denied')
    .option('--role-denied-managed-policies <arn...>', 'managed policies no managed role may have', [...DEFAULT_ROLE_CAP.deniedManagedPolicies])
    .option('--role-allowed-actions <pattern...>', 'the only actions statements of a managed role may allow (s3:Get*); default: any not denied')
    .option('--role-denied-actions <pattern...>', 'actions no statement may allow, alone or through a wildcard', [...DEFAULT_ROLE_CAP.deniedActions]);
}

export function settingsOf(options: OperatorSettingOptions, base: OperatorSettings): OperatorSettings {
  return {
    ...base,
    crossOwnerAdoption: options.allowCrossOwnerAdoption === true,
    roleCap: {
      ...(options.rolePermissionsBoundary ? { permissionsBoundary: options.rolePermissionsBoundary } : {}),
      ...(options.roleAllowedManagedPolicies ? { allowedManagedPolicies: options.roleAllowedManagedPolicies } : {}),
      deniedManagedPolicies: options.roleDeniedManagedPolicies,
      ...(options.roleAllowedActions ? { allowedActions: options.roleAllowedActions } : {}),
      deniedActions: options.roleDeniedActions,
    },
  };
}
