/** Minimal valid objects per kind, and a way to vary them, for table tests. */
import { API_VERSION } from '../../src/api/meta.js';
import { formatPath, validateObject } from '../../src/api/validation.js';

export const ACCOUNT = '123456789012';
export const IMAGE = `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/support-agent:1.4.2`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/AgentRuntime`;

export const minimalSpecs: Record<string, Record<string, unknown>> = {
  AgentRuntime: { artifact: { image: IMAGE }, role: { arn: ROLE_ARN } },
  Memory: {},
  Gateway: { role: { arn: ROLE_ARN }, authorizer: { type: 'AWS_IAM' } },
  GatewayTarget: { gatewayRef: { name: 'tools' }, mcpServer: { endpoint: 'https://mcp.example.com/mcp' } },
  WorkloadIdentity: {},
  OAuth2CredentialProvider: { vendor: 'GithubOauth2', clientId: 'abc', clientSecret: { secretKeyRef: { name: 'gh', key: 'secret' } } },
  ApiKeyCredentialProvider: { apiKey: { env: 'WEATHER_API_KEY' } },
};

export function objectOf(kind: string, spec: Record<string, unknown>, name = 'sample-object'): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind, metadata: { name, namespace: 'agents' }, spec };
}

export function withSpec(kind: string, patch: Record<string, unknown>, name?: string): Record<string, unknown> {
  return objectOf(kind, { ...structuredClone(minimalSpecs[kind]!), ...patch }, name);
}

/** The problems of an object as `path: message` lines, for readable assertions. */
export function problemsOf(object: unknown): string[] {
  const result = validateObject(object);
  return result.ok ? [] : result.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}
