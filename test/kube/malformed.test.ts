/**
 * Malformed and refused requests get a metav1.Status with the apiserver's code and reason, never a
 * crash: the server answers the next request as before.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKubeServer, type RunningKubeServer } from '../support/kube-apiserver/server.js';
import { MAX_BODY_BYTES } from '../support/kube-apiserver/http.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../helpers/cli.js';
import { kubeRequest } from '../helpers/kube.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read back from the server, checked field by field
type Loose = Record<string, any>;

let server: RunningKubeServer;

async function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const answer = await kubeRequest(server, method, path, { body, headers });
  return { status: answer.status, body: (answer.text ? JSON.parse(answer.text) : {}) as Loose };
}

const RUNTIMES = '/apis/agentcore.dev/v1alpha1/namespaces/default/agentruntimes';
const runtime = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'AgentRuntime', metadata: { name: 'r1' }, spec: { artifact: { image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/a:1' }, role: { managed: {} } }, ...extra });

beforeAll(async () => {
  server = await startKubeServer();
  const crd = parseYaml(readFileSync(join(repoRoot, 'crds/agentcore.dev_agentruntimes.yaml'), 'utf8'));
  const created = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd));
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await server.close();
});

describe('malformed requests', () => {
  it.each<{ name: string; method: string; path: string; body?: string | Buffer; headers?: Record<string, string>; code: number; reason: string; message: RegExp }>([
      { name: 'bad JSON', method: 'POST', path: RUNTIMES, body: '{"apiVersion":', code: 400, reason: 'BadRequest', message: /json parse error/ },
      { name: 'a JSON array', method: 'POST', path: RUNTIMES, body: '[1,2]', code: 400, reason: 'BadRequest', message: /must be a JSON object/ },
      { name: 'an unknown resource', method: 'GET', path: '/apis/agentcore.dev/v1alpha1/namespaces/default/widgets', code: 404, reason: 'NotFound', message: /could not find the requested resource/ },
      { name: 'an unknown group', method: 'GET', path: '/apis/nowhere.dev/v1/things', code: 404, reason: 'NotFound', message: /could not find the requested resource/ },
      { name: 'an unserved version', method: 'GET', path: '/apis/agentcore.dev/v9/namespaces/default/agentruntimes', code: 404, reason: 'NotFound', message: /could not find/ },
      {
        name: 'the wrong apiVersion in the body',
        method: 'POST',
        path: RUNTIMES,
        body: runtime({ apiVersion: 'agentcore.dev/v2' }),
        code: 400,
        reason: 'BadRequest',
        message: /the API version in the data \(agentcore.dev\/v2\) does not match the expected API version \(agentcore.dev\/v1alpha1\)/,
      },
      { name: 'the wrong kind in the body', method: 'POST', path: RUNTIMES, body: runtime({ kind: 'Memory' }), code: 400, reason: 'BadRequest', message: /kind/ },
      {
        name: 'a body over the size limit',
        method: 'POST',
        path: RUNTIMES,
        body: Buffer.alloc(MAX_BODY_BYTES + 10, 32),
        code: 413,
        reason: 'RequestEntityTooLarge',
        message: /Request entity too large: limit is 3145728/,
      },
      {
        name: 'an unknown patch type',
        method: 'PATCH',
        path: `${RUNTIMES}/r0`,
        body: '{}',
        headers: { 'content-type': 'text/plain' },
        code: 415,
        reason: 'UnsupportedMediaType',
        message: /accepted media types include/,
      },
      { name: 'a method the resource does not have', method: 'OPTIONS', path: RUNTIMES, code: 405, reason: 'MethodNotAllowed', message: /does not allow this method/ },
      { name: 'an invalid label selector', method: 'GET', path: `${RUNTIMES}?labelSelector=a%20in%20(`, code: 400, reason: 'BadRequest', message: /unable to parse requirement|found/ },
      { name: 'an unsupported field selector', method: 'GET', path: `${RUNTIMES}?fieldSelector=spec.x%3Dy`, code: 400, reason: 'BadRequest', message: /field label not supported: spec.x/ },
      { name: 'an unreadable continue token', method: 'GET', path: `${RUNTIMES}?limit=1&continue=zzz`, code: 400, reason: 'BadRequest', message: /continue key is not valid/ },
      { name: 'a missing object', method: 'GET', path: `${RUNTIMES}/nope`, code: 404, reason: 'NotFound', message: /agentruntimes.agentcore.dev "nope" not found/ },
      { name: 'a namespace that does not exist', method: 'POST', path: '/apis/agentcore.dev/v1alpha1/namespaces/nowhere/agentruntimes', body: runtime(), code: 404, reason: 'NotFound', message: /namespaces "nowhere" not found/ },
      { name: 'a strategic merge patch on a custom resource', method: 'PATCH', path: `${RUNTIMES}/r0`, body: '{}', headers: { 'content-type': 'application/strategic-merge-patch+json' }, code: 415, reason: 'UnsupportedMediaType', message: /merge-patch/ },
  ])('$name', async (row) => {
      const answer = await call(row.method, row.path, row.body, row.headers);
      expect(answer.status).toBe(row.code);
      expect(answer.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: row.code, reason: row.reason });
      expect(answer.body.message).toMatch(row.message);
      const alive = await call('GET', '/version');
      expect(alive.status).toBe(200);
  });

  it('refuses a request without a valid bearer token with 401', async () => {
    const none = await kubeRequest(server, 'GET', RUNTIMES, { token: null });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const wrong = await kubeRequest(server, 'GET', RUNTIMES, { token: 'not-a-token' });
    expect(wrong.status).toBe(401);
  });

  it('creates once and answers a second create with 409 AlreadyExists', async () => {
    const first = await call('POST', RUNTIMES, runtime({ metadata: { name: 'r0' } }));
    expect(first.status).toBe(201);
    const again = await call('POST', RUNTIMES, runtime({ metadata: { name: 'r0' } }));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'AlreadyExists', message: 'agentruntimes.agentcore.dev "r0" already exists', details: { name: 'r0', group: 'agentcore.dev', kind: 'agentruntimes' } });
  });

  it('answers an invalid custom resource with 422 and one cause per field', async () => {
    const answer = await call('POST', RUNTIMES, runtime({ metadata: { name: 'bad' }, spec: { protocol: 'SMTP' } }));
    expect(answer.status).toBe(422);
    expect(answer.body.reason).toBe('Invalid');
    expect(answer.body.details).toMatchObject({ name: 'bad', group: 'agentcore.dev', kind: 'AgentRuntime' });
    const fields = (answer.body.details.causes as { field: string }[]).map((c) => c.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['spec.artifact', 'spec.protocol']));
  });
});
