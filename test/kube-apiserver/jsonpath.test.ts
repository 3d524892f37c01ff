import { describe, expect, test } from '@jest/globals';
import { formatJsonPathValue, goNumber, jsonPath, JsonPathError } from '../support/kube-apiserver/jsonpath.js';

const object = {
  metadata: { name: 'agent', labels: { 'app.kubernetes.io/name': 'agent', tier: 'web' }, creationTimestamp: '2024-01-02T03:04:05Z' },
  spec: { replicas: 3, ratio: 0.5, enabled: true, nothing: null, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }], tags: ['a', 'b', 'c'] },
  status: {
    conditions: [
      { type: 'Synced', status: 'True', message: 'in sync' },
      { type: 'Ready', status: 'False', message: 'waiting for AWS' },
    ],
  },
};

describe('jsonPath selects values', () => {
  test.each<[string, unknown[]]>([
    ['.metadata.name', ['agent']],
    ['{.metadata.name}', ['agent']],
    ['$.metadata.name', ['agent']],
    ['.spec.replicas', [3]],
    ['.spec.enabled', [true]],
    ['.spec.nothing', [null]],
    ['.spec.nothing.deeper', []],
    ['.spec.missing', []],
    ['.missing.deeper.still', []],
    ['.spec.ports[0].port', [80]],
    ['.spec.ports[-1].name', ['https']],
    ['.spec.ports[*].name', ['http', 'https']],
    ['.spec.ports.*.port', [80, 443]],
    ['.spec.tags[0:2]', ['a', 'b']],
    ['.spec.tags[1:]', ['b', 'c']],
    ['.spec.tags[0,2]', ['a', 'c']],
    ['.spec.ports[*]["name"]', ['http', 'https']],
    ["['metadata']['labels']['app.kubernetes.io/name']", ['agent']],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['agent']],
    ['.status.conditions[?(@.type=="Ready")].status', ['False']],
    ['.status.conditions[?(@.type=="Ready")].message', ['waiting for AWS']],
    [".status.conditions[?(@.type == 'Synced')].status", ['True']],
    ['.status.conditions[?(@.type!="Ready")].type', ['Synced']],
    ['.status.conditions[?(@.type=="Gone")].status', []],
    ['.spec.ports[?(@.port>100)].name', ['https']],
    ['.spec.ports[?(@.port<=80)].name', ['http']],
    ['.spec.ports[?(@.name)].port', [80, 443]],
    ['.spec.ports[?(@.missing)].port', []],
    ['..port', [80, 443]],
    ['.status.missing[?(@.type=="Ready")].status', []],
    ['.spec.ports[5:5]', []],
  ])('%s', (expression, expected) => {
    expect(jsonPath(expression, object)).toEqual(expected);
  });
});

describe('jsonPath errors the way client-go does', () => {
  test.each<[string, RegExp]>([
    ['.spec.ports[5]', /array index out of bounds/],
    ['.spec.replicas[0]', /is not array or slice/],
    ['.spec.replicas[?(@.a=="b")]', /cannot be filtered/],
    ['.spec.nothing[?(@.a=="b")]', /cannot be filtered/],
    ['.spec.ports[?(@.port=="80")].name', /incompatible types/],
    ['.spec.ports[?(@.port==80.0)].name', /incompatible types/],
    ['.spec.ports[?(@.missing=="x")].name', /one element at a time/],
    ['.spec[', /unterminated|expected/],
    ['.spec.ports[?(@.port==80]', /expected \)/],
  ])('%s', (expression, message) => {
    expect(() => jsonPath(expression, object)).toThrow(JsonPathError);
    expect(() => jsonPath(expression, object)).toThrow(message);
  });
});

describe('values print as client-go PrintResults prints them', () => {
  test.each<[unknown, string]>([
    ['text', 'text'],
    [42, '42'],
    [-7, '-7'],
    [0.5, '0.5'],
    [1234567.5, '1.2345675e+06'],
    [0.00001, '1e-05'],
    [1e21, '1e+21'],
    [true, 'true'],
    [null, '<no value>'],
    [['a', 1, null], '[a 1 <nil>]'],
    [{ b: 2, a: { c: 'x' } }, 'map[a:map[c:x] b:2]'],
  ])('%j', (value, text) => {
    expect(formatJsonPathValue(value)).toBe(text);
  });

  test('goNumber keeps integers exact', () => {
    expect(goNumber(9007199254740991)).toBe('9007199254740991');
  });
});
