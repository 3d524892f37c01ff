/** Secrets Manager's awsJson1.1 (`secretsmanager.GetSecretValue`): InternalServiceError for its own server fault. */
import { awsJsonProtocol } from '../json-protocol.js';

export { jsonResponse, type JsonObject } from '../json-protocol.js';

export const { parseCall, jsonError } = awsJsonProtocol({ targetPrefix: 'secretsmanager.', wireCodes: { InternalServerException: 'InternalServiceError' } });
