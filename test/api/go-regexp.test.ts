/**
 * Patterns are judged as a cluster judges them. The API server compiles a CRD's `pattern` and CEL's
 * matches() with Go's regexp; file mode compiles both with an RE2 engine, so a value JavaScript's RegExp
 * and Go disagree on (\v, U+00A0, U+3000 against \s; \r and U+2028 against .) gets one verdict.
 * The expectations below are Go's verdicts (regexp.MatchString), not JavaScript's.
 */
import { describe, expect, test } from '@jest/globals';
import { compileGoRegexp, evaluateRule } from '../../src/api/validation.js';
import { problemsOf, withSpec } from '../helpers/objects.js';

const OPENID = '/.well-known/openid-configuration';

describe('schema patterns follow Go: \\s is [\\t\\n\\f\\r ], . is anything but \\n', () => {
  test.each<[string, string, Record<string, unknown>, string | null]>([
    // Pattern.tag: ^[a-zA-Z0-9\s._:/=+@-]*$
    ['a tag value with a tab', 'Memory', { tags: { team: 'a\tb' } }, null],
    ['a tag value with a vertical tab', 'Memory', { tags: { team: 'a\vb' } }, 'spec.tags.team: must match'],
    ['a tag value with a no-break space', 'Memory', { tags: { team: 'a\u00a0b' } }, 'spec.tags.team: must match'],
    ['a tag value with an ideographic space', 'Memory', { tags: { team: 'a\u3000b' } }, 'spec.tags.team: must match'],
    ['a tag key with a vertical tab', 'Memory', { tags: { 'te\vam': 'a' } }, 'key must match'],
    ['a tag key with a no-break space', 'Memory', { tags: { 'te\u00a0am': 'a' } }, 'key must match'],
    ['a tag key with a space', 'Memory', { tags: { 'te am': 'a' } }, null],
    // Pattern.returnUrl: ^\w+:(\/?\/?)[^\s]+$
    ['a return URL with a no-break space', 'WorkloadIdentity', { allowedOAuth2ReturnUrls: ['https://app.example.com/a\u00a0b'] }, null],
    ['a return URL with a vertical tab', 'WorkloadIdentity', { allowedOAuth2ReturnUrls: ['https://app.example.com/a\vb'] }, null],
    ['a return URL with a carriage return', 'WorkloadIdentity', { allowedOAuth2ReturnUrls: ['https://app.example.com/a\rb'] }, 'spec.allowedOAuth2ReturnUrls[0]: must match'],
    // Pattern.s3Uri: ^s3://.+$
    ['an S3 URI with a carriage return', 'GatewayTarget', { mcpServer: undefined, openApi: { s3: { uri: 's3://b/a\rb' } } }, null],
    ['an S3 URI with a line separator', 'GatewayTarget', { mcpServer: undefined, openApi: { s3: { uri: 's3://b/a\u2028b' } } }, null],
    ['an S3 URI with a newline', 'GatewayTarget', { mcpServer: undefined, openApi: { s3: { uri: 's3://b/a\nb' } } }, 'spec.openApi.s3.uri: must match'],
    // Pattern.discoveryUrl: ^.+/\.well-known/openid-configuration$
    ['a discovery URL with a carriage return', 'AgentRuntime', { authorizer: { customJWT: { discoveryUrl: `https://idp\r.example.com${OPENID}` } } }, null],
    ['a discovery URL with a newline', 'AgentRuntime', { authorizer: { customJWT: { discoveryUrl: `https://idp\n.example.com${OPENID}` } } }, 'spec.authorizer.customJWT.discoveryUrl: must match'],
    // Pattern.iamRoleName: ^[\w+=,.@-]{1,64}$ (\w is ASCII in Go)
    ['a role name with an accented letter', 'AgentRuntime', { role: { managed: { roleName: 'r\u00f4le' } } }, 'spec.role.managed.roleName: must match'],
  ])('%s', (_, kind, patch, expected) => {
    const problems = problemsOf(withSpec(kind, patch));
    if (expected === null) expect(problems).toEqual([]);
    else expect(problems.join('\n')).toContain(expected);
  });
});

describe('CEL matches() follows Go', () => {
  test.each<[string, string, boolean]>([
    ["self.matches('^\\\\s$')", '\t', true],
    ["self.matches('^\\\\s$')", '\v', false],
    ["self.matches('^\\\\s$')", '\u00a0', false],
    ["self.matches('^.$')", '\r', true],
    ["self.matches('^.$')", '\u2028', true],
    ["self.matches('^.$')", '\n', false],
    ["self.matches('^.$')", '\u{1F600}', true],
    ["self.matches('b')", 'abc', true],
  ])('%s on %j is %s', (rule, value, expected) => {
    expect(evaluateRule(rule, value)).toBe(expected);
  });

  test('a pattern Go refuses is an evaluation error, not a verdict', () => {
    expect(typeof evaluateRule("self.matches('^a{1001}$')", 'a')).toBe('string');
  });
});

describe('the regexp engine', () => {
  test.each<[string, string]>([
    ['a repeat count over 1000', '^.{0,1023}$'],
    ['nested repeats that multiply past 1000', '^(a{100}){11}$'],
    ['a lookahead', '^(?=a)a$'],
    ['a backreference', '^(a)\\1$'],
    ['\\u escapes', '^\\u0041$'],
  ])('refuses %s, as Go does', (_, pattern) => {
    expect(() => compileGoRegexp(pattern)).toThrow();
  });

  test('finds a match anywhere in the value, as MatchString does, and counts an astral character once', () => {
    expect(compileGoRegexp('b').test('abc')).toBe(true);
    expect(compileGoRegexp('^.{2}$').test('\u{1F600}x')).toBe(true);
  });
});
