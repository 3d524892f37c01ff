/** STS, for the one call the operator makes: GetCallerIdentity, to learn its account. */
import type { EmulatedService } from '../service.js';
import { iamError } from '../iam/errors.js';
import { queryErrorResponse, queryResponse, readQueryParams } from '../iam/query-protocol.js';

const STS_API_VERSION = '2011-06-15';
const STS_XML_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function stsService(): EmulatedService {
  return {
    signingName: 'sts',
    async handle(request, ctx) {
      const params = readQueryParams(request);
      const action = params.get('Action') ?? '';
      if (action !== 'GetCallerIdentity' || params.get('Version') !== STS_API_VERSION) {
        throw iamError('InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? ''}`);
      }
      const account = ctx.config.accountId;
      const result = await ctx.run({ service: 'sts', operation: action, apiClass: 'iam', throttlingCode: 'Throttling', region: request.region }, () => ({
        UserId: request.accessKeyId,
        Account: account,
        Arn: `arn:aws:iam::${account}:user/${request.accessKeyId}`,
      }));
      return queryResponse(action, result, STS_XML_NAMESPACE);
    },
    errorResponse: queryErrorResponse,
  };
}
