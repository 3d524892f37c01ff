import { describe } from '@jest/globals';
import { invalidCases, validCases } from '../helpers/tables.js';

const kind = 'Gateway';
const jwt = { discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration', allowedAudience: ['tools'] };

describe('Gateway: valid specs pass', () => {
  validCases(kind, [
    ['IAM authorization', {}],
    ['JWT authorization', { authorizer: { type: 'CUSTOM_JWT', customJWT: jwt } }],
    ['no authorization', { authorizer: { type: 'NONE' } }],
    ['MCP settings', { mcp: { supportedVersions: ['2025-03-26'], instructions: 'Use these tools.', searchType: 'SEMANTIC' }, exceptionLevel: 'DEBUG' }],
    ['a name of 48 letters and digits with single hyphens', { gatewayName: Array.from({ length: 24 }, () => 'a1').join('-') }],
    ['a managed role with NotAction', { role: { managed: { statements: [{ Effect: 'Deny', NotAction: 'lambda:InvokeFunction', Resource: '*' }] } } }],
  ]);
});

describe('Gateway: each constraint names the field path', () => {
  invalidCases(kind, [
    ['a gateway name with an underscore', { gatewayName: 'support_tools' }, 'spec.gatewayName: must match ^([0-9a-zA-Z][-]?){1,48}$'],
    ['a name of 49 letters and digits', { gatewayName: `${Array.from({ length: 24 }, () => 'a1').join('-')}x` }, 'spec.gatewayName: must match'],
    ['a gateway name with two hyphens in a row', { gatewayName: 'support--tools' }, 'spec.gatewayName: must match'],
    ['no authorizer', { authorizer: undefined }, 'spec.authorizer: is required'],
    ['an unknown authorizer type', { authorizer: { type: 'OIDC' } }, 'spec.authorizer.type: must be one of: CUSTOM_JWT, AWS_IAM, NONE, AUTHENTICATE_ONLY'],
    ['CUSTOM_JWT without its configuration', { authorizer: { type: 'CUSTOM_JWT' } }, 'spec.authorizer.customJWT: customJWT is required when type is CUSTOM_JWT and not allowed otherwise'],
    ['a JWT configuration with AWS_IAM', { authorizer: { type: 'AWS_IAM', customJWT: jwt } }, 'spec.authorizer.customJWT: customJWT is required when type is CUSTOM_JWT'],
    ['a description over 200 characters', { description: 'x'.repeat(201) }, 'spec.description: must have between 1 and 200 characters'],
    ['instructions over 2048 characters', { mcp: { instructions: 'x'.repeat(2049) } }, 'spec.mcp.instructions: must have between 1 and 2048 characters'],
    ['an unknown search type', { mcp: { searchType: 'KEYWORD' } }, 'spec.mcp.searchType: must be one of: SEMANTIC'],
    ['an unknown exception level', { exceptionLevel: 'INFO' }, 'spec.exceptionLevel: must be one of: DEBUG'],
    ['no role', { role: undefined }, 'spec.role: is required'],
    ['a statement with neither Action nor NotAction', { role: { managed: { statements: [{ Effect: 'Allow', Resource: '*' }] } } }, 'spec.role.managed.statements[0]: a statement needs Action or NotAction'],
  ]);
});
