/** The IAM subset the operator uses (roles and their policies and tags), over the awsQuery protocol. */
import { AwsError } from '../errors.js';
import { json } from '../http.js';
import type { EmulatedService } from '../service.js';
import { getAccountAuthorizationDetails } from './authorization-details.js';
import { attachRolePolicy, detachRolePolicy, listAttachedRolePolicies } from './attached-policies.js';
import { COMMON_ERROR_STATUS, iamError } from './errors.js';
import type { OperationHandler, OperationResult } from './handler.js';
import { deleteRolePolicy, getRolePolicy, listRolePolicies, putRolePolicy } from './inline-policies.js';
import { IAM_OPERATIONS, isIamOperation, type IamOperationName } from './operations.js';
import { IAM_API_VERSION, queryErrorResponse, queryResponse, readQueryParams } from './query-protocol.js';
import { listRoleTags, tagRole, untagRole } from './role-tags.js';
import { createRole, deleteRole, getRole, updateAssumeRolePolicy } from './roles.js';
import { iamState } from './state.js';
import { readInput } from './validation.js';

export { IAM_OPERATIONS, type IamOperationName, type MemberShape, type OperationSpec } from './operations.js';
export { COMMON_ERROR_STATUS, MODELLED_ERROR_STATUS } from './errors.js';
export { IAM_API_VERSION, IAM_XML_NAMESPACE } from './query-protocol.js';

const HANDLERS: Record<IamOperationName, OperationHandler> = {
  CreateRole: createRole,
  GetRole: getRole,
  DeleteRole: deleteRole,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
  PutRolePolicy: putRolePolicy,
  GetRolePolicy: getRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
  ListRolePolicies: listRolePolicies,
  AttachRolePolicy: attachRolePolicy,
  DetachRolePolicy: detachRolePolicy,
  ListAttachedRolePolicies: listAttachedRolePolicies,
  TagRole: tagRole,
  UntagRole: untagRole,
  ListRoleTags: listRoleTags,
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
};

/**
 * The operation table's error lists are what the conformance test holds to the model, so a handler
 * raising an error its operation does not declare is an emulator bug, reported as one.
 */
function checkDeclared(operation: IamOperationName, error: unknown): void {
  if (!(error instanceof AwsError)) return;
  const declared: readonly string[] = IAM_OPERATIONS[operation].errors;
  if (declared.includes(error.code) || error.code in COMMON_ERROR_STATUS) return;
  throw new Error(`IAM emulator: ${operation} raised ${error.code}, which its operation table does not declare`);
}

export function iamService(): EmulatedService {
  return {
    signingName: 'iam',
    adminName: 'iam',

    async handle(request, ctx) {
      const params = readQueryParams(request);
      const action = params.get('Action') ?? '';
      const version = params.get('Version') ?? '';
      if (!isIamOperation(action) || version !== IAM_API_VERSION) throw iamError('InvalidAction', `Could not find operation ${action} for version ${version}`);
      const call = { service: 'iam', operation: action, apiClass: 'iam', throttlingCode: 'Throttling', region: request.region };
      const result = await ctx.run<OperationResult>(call, () => {
        try {
          const input = readInput(IAM_OPERATIONS[action], params);
          return HANDLERS[action](input, { ctx, state: iamState(ctx), changed: () => ctx.state.markChanged() });
        } catch (error) {
          checkDeclared(action, error);
          throw error;
        }
      });
      return queryResponse(action, result);
    },

    errorResponse: queryErrorResponse,

    admin(method, path, _body, ctx) {
      if (method === 'GET' && path.length === 1 && path[0] === 'roles') return json(200, { roles: Object.values(iamState(ctx).roles) });
      return undefined;
    },
  };
}
