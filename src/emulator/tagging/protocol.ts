/** The Resource Groups Tagging API's awsJson1.1: its exceptions carry their text in a `Message` member. */
import { awsJsonProtocol } from '../json-protocol.js';

export { jsonResponse, type JsonObject } from '../json-protocol.js';

export const { parseCall, jsonError } = awsJsonProtocol({ targetPrefix: 'ResourceGroupsTaggingAPI_20170126.', messageMember: 'Message' });
