import { describe } from '@jest/globals';
import { invalidCases, validCases } from '../helpers/tables.js';

const kind = 'GatewayTarget';
const LAMBDA = 'arn:aws:lambda:us-west-2:123456789012:function:order-lookup';
/** An s3:// URI of exactly n characters. */
const s3Uri = (n: number) => `s3://schemas/${'k'.repeat(n - 's3://schemas/'.length)}`;
const tool = (name: string) => ({ name, description: 'A tool.', inputSchema: { type: 'object', properties: { id: { type: 'string' } } } });

describe('GatewayTarget: valid specs pass', () => {
  validCases(kind, [
    ['an MCP server', {}],
    ['a Lambda with inline tools', { mcpServer: undefined, lambda: { arn: LAMBDA, toolSchema: { inline: [tool('get_order'), tool('list_orders')] } }, credentials: { gatewayIamRole: {} } }],
    ['a Lambda alias with tools in S3', { mcpServer: undefined, lambda: { arn: `${LAMBDA}:live`, toolSchema: { s3: { uri: 's3://schemas/tools.json', bucketOwnerAccountId: '210987654321' } } } }],
    ['an inline OpenAPI document with an API key', { mcpServer: undefined, openApi: { inline: '{"openapi":"3.0.0"}' }, credentials: { apiKey: { providerRef: { name: 'weather-key' }, location: 'QUERY_PARAMETER', parameterName: 'key' } } }],
    ['an S3 URI of 100 characters', { mcpServer: undefined, openApi: { s3: { uri: s3Uri(100) } } }],
    ['an S3 URI of 2048 characters', { mcpServer: undefined, smithy: { s3: { uri: s3Uri(2048) } } }],
    ['a Lambda tool schema at an S3 URI of 2048 characters', { mcpServer: undefined, lambda: { arn: LAMBDA, toolSchema: { s3: { uri: s3Uri(2048) } } } }],
    ['a Smithy model with OAuth', { mcpServer: undefined, smithy: { s3: { uri: 's3://schemas/model.json' } }, credentials: { oauth: { providerArn: 'arn:aws:bedrock-agentcore:us-west-2:123456789012:token-vault/default/oauth2credentialprovider/gh', scopes: ['repo'], grantType: 'CLIENT_CREDENTIALS' } } }],
  ]);
});

describe('GatewayTarget: each constraint names the field path', () => {
  invalidCases(kind, [
    ['no gatewayRef', { gatewayRef: undefined }, 'spec.gatewayRef: is required'],
    ['two target types', { lambda: { arn: LAMBDA, toolSchema: { inline: [tool('a')] } } }, 'spec: exactly one of lambda, openApi, smithy, mcpServer must be set (target type)'],
    ['no target type', { mcpServer: undefined }, 'spec: exactly one of lambda, openApi, smithy, mcpServer must be set'],
    ['a target name with an underscore', { targetName: 'order_lookup' }, 'spec.targetName: must match ^([0-9a-zA-Z][-]?){1,100}$'],
    ['an MCP server over plain HTTP', { mcpServer: { endpoint: 'http://mcp.example.com' } }, 'spec.mcpServer.endpoint: must match ^https://.*$'],
    ['a Lambda ARN that is not a function', { mcpServer: undefined, lambda: { arn: 'arn:aws:lambda:us-west-2:123456789012:layer:x', toolSchema: { inline: [tool('a')] } } }, 'spec.lambda.arn: must match'],
    ['a tool schema both inline and in S3', { mcpServer: undefined, lambda: { arn: LAMBDA, toolSchema: { inline: [tool('a')], s3: { uri: 's3://b/k' } } } }, 'spec.lambda.toolSchema: exactly one of s3, inline must be set'],
    ['two tools with one name', { mcpServer: undefined, lambda: { arn: LAMBDA, toolSchema: { inline: [tool('a'), tool('a')] } } }, 'spec.lambda.toolSchema.inline[1].name: duplicate entry'],
    ['a tool without an input schema', { mcpServer: undefined, lambda: { arn: LAMBDA, toolSchema: { inline: [{ name: 'a', description: 'b' }] } } }, 'spec.lambda.toolSchema.inline[0].inputSchema: is required'],
    ['an OpenAPI document with no source', { mcpServer: undefined, openApi: {} }, 'spec.openApi: exactly one of s3, inline must be set'],
    ['an S3 URI that is not s3://', { mcpServer: undefined, smithy: { s3: { uri: 'https://b.s3.amazonaws.com/k' } } }, 'spec.smithy.s3.uri: must match'],
    ['an S3 URI of 2050 characters', { mcpServer: undefined, openApi: { s3: { uri: s3Uri(2050) } } }, 'spec.openApi.s3.uri: must have at most 2048 characters'],
    ['a Lambda tool schema at an S3 URI of 2049 characters', { mcpServer: undefined, lambda: { arn: LAMBDA, toolSchema: { s3: { uri: s3Uri(2049) } } } }, 'spec.lambda.toolSchema.s3.uri: must have at most 2048 characters'],
    ['an S3 URI with nothing after s3://', { mcpServer: undefined, smithy: { s3: { uri: 's3://' } } }, 'spec.smithy.s3.uri: must match ^s3://.+$'],
    ['two credential kinds', { credentials: { gatewayIamRole: {}, apiKey: { providerRef: { name: 'k' } } } }, 'spec.credentials: exactly one of gatewayIamRole, oauth, apiKey must be set'],
    ['an API key without a provider', { credentials: { apiKey: { location: 'HEADER' } } }, 'spec.credentials.apiKey: exactly one of providerRef, providerArn must be set'],
    ['OAuth without scopes', { credentials: { oauth: { providerRef: { name: 'gh' } } } }, 'spec.credentials.oauth.scopes: is required'],
    ['an unknown credential location', { credentials: { apiKey: { providerRef: { name: 'k' }, location: 'COOKIE' } } }, 'spec.credentials.apiKey.location: must be one of: HEADER, QUERY_PARAMETER'],
    ['eleven custom OAuth parameters', { credentials: { oauth: { providerRef: { name: 'gh' }, scopes: [], customParameters: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 'v'])) } } }, 'spec.credentials.oauth.customParameters: must have at most 10 entries'],
  ]);
});
