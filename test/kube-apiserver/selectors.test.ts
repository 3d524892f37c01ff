import { describe, expect, test } from '@jest/globals';
import {
  fieldValue,
  goQuote,
  labelSelectorFromSpec,
  parseFieldSelector,
  parseFieldSelectorRequirements,
  parseLabelSelector,
} from '../support/kube-apiserver/selectors.js';
import { ApiError } from '../support/kube-apiserver/types.js';
import type { KubeObject } from '../support/kube-apiserver/types.js';

const KEY_NAME_REGEX =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_REGEX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function badRequest(run: () => unknown): { code: number; reason: string; message: string } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    return { code: e.code, reason: e.reason, message: e.message };
  }
  throw new Error('expected a BadRequest');
}

describe('parseLabelSelector matching', () => {
  const labels = { app: 'web', tier: 'front', version: '3', empty: '' };
  test.each<[string, Record<string, string> | undefined, boolean]>([
    ['', labels, true],
    ['   ', undefined, true],
    ['app=web', labels, true],
    ['app==web', labels, true],
    ['app=db', labels, false],
    ['app!=db', labels, true],
    ['app!=web', labels, false],
    ['missing!=x', labels, true],
    ['app', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!app', labels, false],
    ['app in (web, db)', labels, true],
    ['app in (db,cache)', labels, false],
    ['missing in (a)', labels, false],
    ['app notin (db,cache)', labels, true],
    ['app notin (web)', labels, false],
    ['missing notin (web)', labels, true],
    ['empty=', labels, true],
    ['empty in ()', labels, true],
    ['app in (,web)', labels, true],
    ['app=web,tier=front', labels, true],
    ['app=web,tier=back', labels, false],
    ['  app = web ,  tier in ( front , back ) , !missing ', labels, true],
    ['version>2', labels, true],
    ['version<3', labels, false],
    ['app>1', labels, false],
    ['in in (in)', { in: 'in' }, true],
    ['example.com/role=admin', { 'example.com/role': 'admin' }, true],
    ['app=web', undefined, false],
    ['!app', undefined, true],
  ])('%j against %j -> %s', (selector, input, expected) => {
    expect(parseLabelSelector(selector)(input)).toBe(expected);
  });
});

describe('parseLabelSelector errors', () => {
  test.each<[string, string]>([
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['!,a', "unable to parse requirement: found ',', expected: identifier"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a_=b', `unable to parse requirement: <nil>: Invalid value: "a_": name part ${KEY_NAME_REGEX}`],
    ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    ['a/b/c', `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${KEY_NAME_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    [
      'Example.com/a',
      "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [
      `${'k'.repeat(64)}=v`,
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
    ],
    ['app=-web', `unable to parse requirement: values[0][app]: Invalid value: "-web": ${VALUE_REGEX}`],
    [`app=${'v'.repeat(64)}`, `unable to parse requirement: values[0][app]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`],
    [
      'app in (z-, -a)',
      `unable to parse requirement: [values[0][app]: Invalid value: "-a": ${VALUE_REGEX}, values[1][app]: Invalid value: "z-": ${VALUE_REGEX}]`,
    ],
    ['n>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
  ])('%j', (selector, message) => {
    expect(badRequest(() => parseLabelSelector(selector))).toEqual({ code: 400, reason: 'BadRequest', message });
  });

  test('the Status body is a plain BadRequest', () => {
    try {
      parseLabelSelector('a b');
    } catch (err) {
      expect((err as ApiError).status()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
        reason: 'BadRequest',
        code: 400,
      });
    }
    expect.assertions(1);
  });
});

describe('labelSelectorFromSpec', () => {
  test.each<[Parameters<typeof labelSelectorFromSpec>[0], Record<string, string>, boolean]>([
    [{}, { a: '1' }, true],
    [undefined, { a: '1' }, false],
    [{ matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
    [{ matchLabels: { a: '1' } }, { a: '2' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, {}, false],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }, { a: '1' }, false],
  ])('%j on %j -> %s', (spec, labels, expected) => {
    expect(labelSelectorFromSpec(spec)(labels)).toBe(expected);
  });
});

describe('parseFieldSelector', () => {
  const event: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'ns' },
    involvedObject: { kind: 'AgentRuntime', name: 'rt' },
    type: 'Warning',
    count: 3,
    status: { ready: true },
  };
  const any = (): boolean => true;

  test.each<[string, boolean]>([
    ['', true],
    ['metadata.name=e1', true],
    ['metadata.name==e1', true],
    ['metadata.name=e2', false],
    ['metadata.name!=e2', true],
    ['metadata.name!=e1', false],
    ['metadata.namespace=ns,type=Warning', true],
    ['metadata.namespace=ns,type=Normal', false],
    ['involvedObject.name=rt,involvedObject.kind=AgentRuntime', true],
    ['count=3', true],
    ['status.ready=true', true],
    ['status.phase=', true],
    ['status.phase!=', false],
    ['spec.missing.deep=x', false],
    [',metadata.name=e1,', true],
  ])('%j -> %s', (selector, expected) => {
    expect(parseFieldSelector(selector, any)(event)).toBe(expected);
  });

  test('escaped values are unescaped', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'X', metadata: { name: 'a,b=c\\d' } };
    expect(parseFieldSelector('metadata.name=a\\,b\\=c\\\\d', any)(obj)).toBe(true);
    expect(parseFieldSelectorRequirements('b=2,a!=1')).toEqual([
      { field: 'a', operator: '!=', value: '1' },
      { field: 'b', operator: '=', value: '2' },
    ]);
  });

  const supported = (field: string): boolean => ['metadata.name', 'metadata.namespace', 'status.phase'].includes(field);
  test.each<[string, string]>([
    ['spec.foo=bar', 'field label not supported: spec.foo'],
    ['metadata.name=a,spec.b=1,spec.a=2', 'field label not supported: spec.a'],
    ['metadata.name = a', 'field label not supported: metadata.name '],
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['spec.foo=1,bogus', "invalid selector: 'spec.foo=1,bogus'; can't understand 'bogus'"],
    ['metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
    ['metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('%j is rejected', (selector, message) => {
    expect(badRequest(() => parseFieldSelector(selector, supported))).toEqual({ code: 400, reason: 'BadRequest', message });
  });
});

describe('helpers', () => {
  test('fieldValue reads dotted paths as strings', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running', n: 2 } };
    expect(fieldValue(obj, 'status.phase')).toBe('Running');
    expect(fieldValue(obj, 'status.n')).toBe('2');
    expect(fieldValue(obj, 'metadata.namespace')).toBe('');
    expect(fieldValue(obj, 'status')).toBe('');
  });

  test('goQuote quotes like Go %q', () => {
    expect(goQuote('a"b\\c\n\x01')).toBe('"a\\"b\\\\c\\n\\x01"');
    expect(goQuote('héllo')).toBe('"héllo"');
  });
});
