/** Amazon ECR, as far as the operator uses it: resolving an image tag to its digest. */
import { AwsError } from '../errors.js';
import type { EmulatedService } from '../service.js';
import { batchGetImage } from './batch-get-image.js';
import { describeImages } from './describe-images.js';
import { jsonError, jsonResponse, parseCall, type JsonObject } from './protocol.js';
import { push } from './push.js';
import { Registry } from './registry.js';

const OPERATIONS = new Map<string, (input: JsonObject, registry: Registry) => unknown>([
  ['DescribeImages', describeImages],
  ['BatchGetImage', batchGetImage],
]);

export function ecrService(): EmulatedService {
  return {
    signingName: 'ecr',
    adminName: 'ecr',
    async handle(request, ctx) {
      const { operation, input } = parseCall(request);
      const handler = OPERATIONS.get(operation);
      if (!handler) throw new AwsError('UnknownOperationException', 400, `The emulator does not implement ECR ${operation}`);
      const output = await ctx.run(
        { service: 'ecr', operation, apiClass: 'ecr', throttlingCode: 'ThrottlingException', region: request.region },
        () => handler(input, new Registry(ctx, request.region)),
      );
      return jsonResponse(output);
    },
    errorResponse: jsonError,
    admin(method, path, body, ctx) {
      if (method === 'POST' && path.length === 1 && path[0] === 'push') return push(body, ctx);
      return undefined;
    },
  };
}
