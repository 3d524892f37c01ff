/**
 * AWS Secrets Manager, as far as the operator uses it: reading a secret's current value
 * (GetSecretValue), and creating a secret (CreateSecret) so that a test can hold an external secret.
 * AgentCore Identity keeps each MANAGED credential provider's secret here (see store.ts).
 *
 * A read can be refused as IAM would refuse it: `PUT /_admin/behaviours/Secret/<secret name>`
 * `{"accessDenied": true}` makes every GetSecretValue of that secret an AccessDeniedException.
 */
import { epochSeconds } from '../clock.js';
import { invalidParameter } from '../ecr/errors.js';
import { optionalList, optionalString, requiredString } from '../ecr/input.js';
import { AwsError } from '../errors.js';
import type { EmulatedService, ServiceContext } from '../service.js';
import { jsonError, jsonResponse, parseCall, type JsonObject } from './protocol.js';
import { addSecret, findSecret, secretArnFor, type StoredSecret } from './store.js';
import { randomUUID } from 'node:crypto';

const SERVICE = 'secretsmanager';
const NAME = /^[a-zA-Z0-9/_+=.@-]+$/;

interface Call {
  ctx: ServiceContext;
  region: string;
  input: JsonObject;
  accessKeyId: string;
}

/** A behaviour set through `/_admin/behaviours/Secret/<name>`. */
interface SecretBehaviour {
  accessDenied?: boolean;
}

const notFound = (message = "Secrets Manager can't find the specified secret.") => new AwsError('ResourceNotFoundException', 400, message);

function lengthBetween(input: JsonObject, name: string, min: number, max: number): string | undefined {
  const value = optionalString(input, name);
  if (value !== undefined && (value.length < min || value.length > max)) throw invalidParameter(name, `Member must have length between ${min} and ${max}`);
  return value;
}

/** The secret's current value, by name, full ARN or partial ARN; a version or stage other than the current one is not found. */
function getSecretValue({ ctx, region, input, accessKeyId }: Call) {
  const secretId = requiredString(input, 'SecretId');
  lengthBetween(input, 'SecretId', 1, 2048);
  const versionId = lengthBetween(input, 'VersionId', 32, 64);
  const versionStage = lengthBetween(input, 'VersionStage', 1, 256);
  const secret = findSecret(ctx, region, secretId);
  if (!secret) throw notFound();
  if ((ctx.faults.behaviour('Secret', secret.name) as SecretBehaviour).accessDenied) {
    throw new AwsError(
      'AccessDeniedException',
      400,
      `User: arn:aws:iam::${ctx.config.accountId}:user/${accessKeyId} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretId} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    );
  }
  if (secret.versionId === undefined || secret.secretString === undefined) throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${versionStage ?? 'AWSCURRENT'}`);
  if (versionId !== undefined && versionId !== secret.versionId) throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
  if (versionStage !== undefined && versionStage !== 'AWSCURRENT') throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${versionStage}`);
  return {
    ARN: secret.arn,
    Name: secret.name,
    SecretString: secret.secretString,
    VersionId: secret.versionId,
    VersionStages: ['AWSCURRENT'],
    CreatedDate: epochSeconds(secret.lastChangedDate),
  };
}

/** A new secret, with its first version when a value is given. */
function createSecret({ ctx, region, input }: Call) {
  const name = requiredString(input, 'Name');
  lengthBetween(input, 'Name', 1, 512);
  if (!NAME.test(name)) throw invalidParameter('Name', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  const secretString = lengthBetween(input, 'SecretString', 1, 65536);
  if (input.SecretBinary !== undefined) throw new AwsError('InvalidRequestException', 400, 'The emulator does not hold binary secrets');
  const description = lengthBetween(input, 'Description', 0, 2048);
  const token = lengthBetween(input, 'ClientRequestToken', 32, 64);
  const tags = optionalList(input, 'Tags') as StoredSecret['tags'];
  if (findSecret(ctx, region, name)) throw new AwsError('ResourceExistsException', 400, `The operation failed because the secret ${name} already exists.`);
  const now = ctx.clock.now();
  const secret: StoredSecret = {
    arn: secretArnFor(ctx, region, name),
    name,
    ...(description !== undefined ? { description } : {}),
    ...(secretString !== undefined ? { secretString, versionId: token ?? randomUUID() } : {}),
    createdDate: now,
    lastChangedDate: now,
    ...(tags ? { tags } : {}),
  };
  addSecret(ctx, region, secret);
  return { ARN: secret.arn, Name: secret.name, ...(secret.versionId ? { VersionId: secret.versionId } : {}) };
}

const OPERATIONS = new Map<string, (call: Call) => unknown>([
  ['GetSecretValue', getSecretValue],
  ['CreateSecret', createSecret],
]);

export function secretsManagerService(): EmulatedService {
  return {
    signingName: SERVICE,
    async handle(request, ctx) {
      const { operation, input } = parseCall(request);
      const handler = OPERATIONS.get(operation);
      if (!handler) throw new AwsError('UnknownOperationException', 400, `The emulator does not implement Secrets Manager ${operation}`);
      const output = await ctx.run(
        { service: SERVICE, operation, apiClass: 'secretsManager', throttlingCode: 'ThrottlingException', serverErrorCode: 'InternalServiceError', region: request.region },
        () => handler({ ctx, region: request.region, input, accessKeyId: request.accessKeyId }),
      );
      return jsonResponse(output);
    },
    errorResponse: jsonError,
  };
}
