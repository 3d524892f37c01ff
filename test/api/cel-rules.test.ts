import { describe, expect, test } from '@jest/globals';
import { parse } from '@bufbuild/cel';
import { KINDS } from '../../src/api/kinds.js';
import { derivableNameRule } from '../../src/api/names.js';
import type { CelRule } from '../../src/api/schema.js';
import { evaluateRule } from '../../src/api/validation.js';
import { crdFor } from '../../src/api/crd.js';

function collectRules(schema: unknown, out: CelRule[] = []): CelRule[] {
  if (Array.isArray(schema)) schema.forEach((s) => collectRules(s, out));
  else if (typeof schema === 'object' && schema !== null) {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'x-kubernetes-validations') out.push(...(v as CelRule[]));
      else collectRules(v, out);
    }
  }
  return out;
}

describe('CEL rules', () => {
  test('every rule in every CRD parses', () => {
    const rules = KINDS.flatMap((k) => collectRules(crdFor(k)));
    expect(rules.length).toBeGreaterThan(30);
    for (const r of rules) expect(() => parse(r.rule)).not.toThrow();
  });

  const specRule = (kind: string, field: string) =>
    collectRules(KINDS.find((k) => k.kind === kind)!.spec).find((r) => r.rule.includes('oldSelf') && r.fieldPath === `.${field}`)!.rule;

  test.each<[string, string, unknown, unknown, boolean]>([
    ['AgentRuntime', 'runtimeName', { runtimeName: 'a' }, { runtimeName: 'a' }, true],
    ['AgentRuntime', 'runtimeName', { runtimeName: 'b' }, { runtimeName: 'a' }, false],
    ['AgentRuntime', 'runtimeName', { runtimeName: 'a' }, {}, false],
    ['AgentRuntime', 'runtimeName', {}, { runtimeName: 'a' }, false],
    ['AgentRuntime', 'runtimeName', {}, {}, true],
    ['Memory', 'encryptionKeyArn', { encryptionKeyArn: 'k2' }, { encryptionKeyArn: 'k1' }, false],
    ['Memory', 'memoryName', { memoryName: 'm' }, { memoryName: 'm' }, true],
    ['Gateway', 'gatewayName', { gatewayName: 'g2' }, { gatewayName: 'g1' }, false],
    ['GatewayTarget', 'targetName', { targetName: 't' }, { targetName: 't' }, true],
    ['WorkloadIdentity', 'identityName', { identityName: 'b' }, { identityName: 'a' }, false],
    ['OAuth2CredentialProvider', 'providerName', { providerName: 'b' }, { providerName: 'a' }, false],
    ['ApiKeyCredentialProvider', 'providerName', {}, {}, true],
  ])('%s %s: %o after %o is allowed: %s', (kind, field, next, previous, allowed) => {
    expect(evaluateRule(specRule(kind, field), next, previous)).toBe(allowed);
  });

  test.each<[string, string]>([
    ['Gateway', 'authorizer type'],
    ['GatewayTarget', 'gatewayRef'],
    ['OAuth2CredentialProvider', 'vendor'],
  ])('%s %s cannot change once set', (kind, what) => {
    const rule = collectRules(KINDS.find((k) => k.kind === kind)!.spec).find((r) => r.message === `${what} is immutable`)!;
    expect(evaluateRule(rule.rule, 'CUSTOM_JWT', 'CUSTOM_JWT')).toBe(true);
    expect(evaluateRule(rule.rule, { name: 'a' }, { name: 'b' })).toBe(false);
  });

  test('the derived-name rule reads metadata.name and the explicit spec field', () => {
    const rule = derivableNameRule(KINDS.find((k) => k.kind === 'Memory')!.awsName).rule;
    expect(evaluateRule(rule, { metadata: { name: 'support-memory' }, spec: {} })).toBe(true);
    expect(evaluateRule(rule, { metadata: { name: '9-memory' }, spec: {} })).toBe(false);
    expect(evaluateRule(rule, { metadata: { name: '9-memory' }, spec: { memoryName: 'nine_memory' } })).toBe(true);
  });
});
