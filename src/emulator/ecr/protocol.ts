/** ECR's awsJson1.1: its target prefix, and ServerException for its own server fault. */
import { awsJsonProtocol } from '../json-protocol.js';

export { jsonResponse, type JsonCall, type JsonObject } from '../json-protocol.js';

export const { parseCall, jsonError } = awsJsonProtocol({ targetPrefix: 'AmazonEC2ContainerRegistry_V20150921.', wireCodes: { InternalServerException: 'ServerException' } });
