import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { KINDS } from '../../src/api/kinds.js';
import { awsNameOf, derivableNamePattern, deriveAwsName, type NameStyle } from '../../src/api/names.js';
import { Pattern } from '../../src/api/schema.js';
import { compileGoRegexp } from '../../src/api/validation.js';

const UNDERSCORE: NameStyle = { kind: 'underscore', maxLength: 48 };
const GATEWAY: NameStyle = { kind: 'hyphen', maxAlphanumerics: 48 };
const TARGET: NameStyle = { kind: 'hyphen', maxAlphanumerics: 100 };
const PROVIDER: NameStyle = { kind: 'dotToHyphen', maxLength: 128 };
const IDENTITY: NameStyle = { kind: 'verbatim', minLength: 3 };

describe('deriveAwsName', () => {
  test.each<[NameStyle, string, string]>([
    [UNDERSCORE, 'support-agent', 'support_agent'],
    [UNDERSCORE, 'agents.v2.support', 'agents_v2_support'],
    [UNDERSCORE, 'a--b', 'a__b'],
    [GATEWAY, 'support-tools', 'support-tools'],
    [GATEWAY, 'tools.prod', 'tools-prod'],
    [GATEWAY, 'a--b..c', 'a-b-c'],
    [GATEWAY, '1st-gateway', '1st-gateway'],
    [PROVIDER, 'github.app', 'github-app'],
    [IDENTITY, 'agent.local', 'agent.local'],
  ])('%o derives %s as %s', (style, name, expected) => {
    expect(deriveAwsName(style, name)).toBe(expected);
  });

  test('the spec field wins over metadata.name', () => {
    const rule = KINDS.find((k) => k.kind === 'AgentRuntime')!.awsName;
    expect(awsNameOf(rule, { metadata: { name: 'support-agent' }, spec: { runtimeName: 'Custom_Name' } })).toBe('Custom_Name');
    expect(awsNameOf(rule, { metadata: { name: 'support-agent' }, spec: {} })).toBe('support_agent');
  });
});

/** A metadata.name: an RFC 1123 subdomain. */
const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const dnsName = fc.array(label, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')).filter((n) => n.length <= 253);

describe('a metadata.name the CEL rule accepts always derives a valid AWS name, and only those do', () => {
  test.each<[string, NameStyle, string]>([
    ['runtime and memory names', UNDERSCORE, Pattern.underscoreName],
    ['gateway names', GATEWAY, Pattern.gatewayName],
    ['target names', TARGET, Pattern.targetName],
    ['credential provider names', PROVIDER, Pattern.credentialProviderName],
    ['workload identity names', IDENTITY, Pattern.workloadIdentityName],
  ])('%s', (_, style, awsPattern) => {
    // Both are judged as a cluster would: the rule's matches() and the spec field's pattern run on Go's regexp.
    const accepted = compileGoRegexp(derivableNamePattern(style));
    const aws = compileGoRegexp(awsPattern);
    const lengthOk = (n: string) => (style.kind === 'dotToHyphen' ? n.length <= style.maxLength : style.kind === 'verbatim' ? n.length >= style.minLength && n.length <= 255 : true);
    fc.assert(
      fc.property(dnsName, (name) => {
        const derived = deriveAwsName(style, name);
        expect(accepted.test(name)).toBe(aws.test(derived) && lengthOk(derived));
      }),
      { numRuns: 2000 },
    );
  });
});
