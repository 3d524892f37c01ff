/**
 * Malformed and refused requests, as the real kube-apiserver answers them: a metav1.Status with its
 * code and reason (or, for a path no API serves, Go's plain-text 404), never a crash: the server
 * answers the next request as before.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createNamespace, describeCluster, installCrds, kubeRequest, realCluster, startTestCluster, type TestCluster } from '../helpers/kube.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read back from the server, checked field by field
type Loose = Record<string, any>;

let cluster: TestCluster;

/** kube-apiserver's --max-request-body-bytes default. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
const NS = 'malformed';
const RUNTIMES = `/apis/agentcore.dev/v1alpha1/namespaces/${NS}/agentruntimes`;
/** What Go's mux answers for a path no API group/version serves: not a Status. */
const PAGE_NOT_FOUND = { contentType: 'text/plain; charset=utf-8', text: '404 page not found\n' };

async function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, token?: string | null) {
  const answer = await kubeRequest(cluster.controlPlane!, method, path, { body, headers, token });
  let parsed: Loose | undefined;
  try {
    parsed = JSON.parse(answer.text) as Loose;
  } catch {
    parsed = undefined;
  }
  return { status: answer.status, contentType: answer.headers['content-type'], text: answer.text, body: parsed };
}

const runtime = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'agentcore.dev/v1alpha1', kind: 'AgentRuntime', metadata: { name: 'r1' }, spec: { artifact: { image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/a:1' }, role: { managed: {} } }, ...extra });

type Row = { name: string; method: string; path: string; body?: string | Buffer; headers?: Record<string, string>; code: number } & ({ reason: string; message: RegExp } | { plain: true });

// The wire checks go to the test control plane with its admin token; against KUBECONFIG's cluster they are skipped.
(realCluster ? describe.skip : describeCluster)('malformed requests', () => {
  beforeAll(async () => {
    cluster = await startTestCluster();
    await installCrds(cluster);
    await createNamespace(cluster, NS);
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it.each<Row>([
    { name: 'bad JSON', method: 'POST', path: RUNTIMES, body: '{"apiVersion":', code: 400, reason: 'BadRequest', message: /^the object provided is unrecognized \(must be of type AgentRuntime\): couldn't get version\/kind; json parse error: unexpected end of JSON input/ },
    { name: 'a JSON array', method: 'POST', path: RUNTIMES, body: '[1,2]', code: 400, reason: 'BadRequest', message: /couldn't get version\/kind; json parse error: json: cannot unmarshal array into Go value/ },
    { name: 'an unknown resource of a custom group', method: 'GET', path: `/apis/agentcore.dev/v1alpha1/namespaces/${NS}/widgets`, code: 404, plain: true },
    { name: 'an unknown group', method: 'GET', path: '/apis/nowhere.dev/v1/things', code: 404, plain: true },
    { name: 'an unserved version', method: 'GET', path: `/apis/agentcore.dev/v9/namespaces/${NS}/agentruntimes`, code: 404, plain: true },
    { name: 'an unknown resource of a built-in group', method: 'GET', path: `/api/v1/namespaces/${NS}/widgets`, code: 404, reason: 'NotFound', message: /^the server could not find the requested resource$/ },
    {
      name: 'the wrong apiVersion in the body',
      method: 'POST',
      path: RUNTIMES,
      body: runtime({ apiVersion: 'agentcore.dev/v2' }),
      code: 400,
      reason: 'BadRequest',
      message: /^the API version in the data \(agentcore.dev\/v2\) does not match the expected API version \(agentcore.dev\/v1alpha1\)$/,
    },
    { name: 'the wrong kind in the body', method: 'POST', path: RUNTIMES, body: runtime({ kind: 'Memory' }), code: 422, reason: 'Invalid', message: /^Memory.agentcore.dev "r1" is invalid: kind: Invalid value: "Memory": must be AgentRuntime$/ },
    {
      name: 'a body over the size limit',
      method: 'POST',
      path: RUNTIMES,
      body: Buffer.alloc(MAX_BODY_BYTES + 10, 32),
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: /^Request entity too large: limit is 3145728$/,
    },
    {
      name: 'an unknown patch type',
      method: 'PATCH',
      path: `${RUNTIMES}/r0`,
      body: '{}',
      headers: { 'content-type': 'text/plain' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml$/,
    },
    // The verb of an OPTIONS request is empty, and the message says so.
    { name: 'a method the resource does not have', method: 'OPTIONS', path: RUNTIMES, code: 405, reason: 'MethodNotAllowed', message: /^ is not supported on resources of kind "agentruntimes.agentcore.dev"$/ },
    { name: 'an invalid label selector', method: 'GET', path: `${RUNTIMES}?labelSelector=a%20in%20(`, code: 400, reason: 'BadRequest', message: /^unable to parse requirement: / },
    { name: 'an unsupported field selector', method: 'GET', path: `${RUNTIMES}?fieldSelector=spec.x%3Dy`, code: 400, reason: 'BadRequest', message: /^field label not supported: spec.x$/ },
    { name: 'an unreadable continue token', method: 'GET', path: `${RUNTIMES}?limit=1&continue=zzz`, code: 400, reason: 'BadRequest', message: /^invalid continue token: continue key is not valid: / },
    { name: 'a missing object', method: 'GET', path: `${RUNTIMES}/nope`, code: 404, reason: 'NotFound', message: /^agentruntimes.agentcore.dev "nope" not found$/ },
    { name: 'a namespace that does not exist', method: 'POST', path: '/apis/agentcore.dev/v1alpha1/namespaces/malformed-nowhere/agentruntimes', body: runtime(), code: 404, reason: 'NotFound', message: /^namespaces "malformed-nowhere" not found$/ },
    {
      name: 'a strategic merge patch on a custom resource',
      method: 'PATCH',
      path: `${RUNTIMES}/r0`,
      body: '{}',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml$/,
    },
  ])('$name', async (row) => {
    const answer = await call(row.method, row.path, row.body, row.headers);
    expect(answer.status).toBe(row.code);
    if ('plain' in row) {
      expect({ contentType: answer.contentType, text: answer.text }).toEqual(PAGE_NOT_FOUND);
    } else {
      expect(answer.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: row.code, reason: row.reason });
      expect(answer.body!.message).toMatch(row.message);
    }
    const alive = await call('GET', '/version');
    expect(alive.status).toBe(200);
  });

  // Anonymous requests are enabled (kube-apiserver's default): no token is system:anonymous, whom RBAC refuses.
  it('refuses a wrong bearer token with 401, and a request without one as system:anonymous with 403', async () => {
    const wrong = await call('GET', RUNTIMES, undefined, {}, 'not-a-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const none = await call('GET', RUNTIMES, undefined, {}, null);
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: `agentruntimes.agentcore.dev is forbidden: User "system:anonymous" cannot list resource "agentruntimes" in API group "agentcore.dev" in the namespace "${NS}"`,
    });
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
    expect(answer.body!.reason).toBe('Invalid');
    expect(answer.body!.details).toMatchObject({ name: 'bad', group: 'agentcore.dev', kind: 'AgentRuntime' });
    const fields = (answer.body!.details.causes as { field: string }[]).map((c) => c.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['spec.artifact', 'spec.protocol']));
  });
});
