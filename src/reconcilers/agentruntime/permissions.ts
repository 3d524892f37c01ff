/** What the operator's own IAM policy must allow for runtimes. */
import type { KindPermissions } from '../iam/operator-policy.js';

export const runtimePermissions: KindPermissions = {
  operations: [
    'GetAgentRuntime', 'ListAgentRuntimes', 'GetAgentRuntimeEndpoint', 'ListAgentRuntimeEndpoints',
    'CreateAgentRuntime', 'UpdateAgentRuntime', 'DeleteAgentRuntime',
    'CreateAgentRuntimeEndpoint', 'UpdateAgentRuntimeEndpoint', 'DeleteAgentRuntimeEndpoint',
  ],
  // A tag's digest is read from ECR, a code zip's version from S3; AgentCore reads the zip as the operator.
  statements: [
    { Sid: 'ImageDigests', Effect: 'Allow', Action: 'ecr:DescribeImages', Resource: 'arn:aws:ecr:*:*:repository/*' },
    { Sid: 'CodeObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::*/*' },
  ],
};
