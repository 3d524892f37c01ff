/**
 * What a request asks for, resolved from its method and URL as kube-apiserver's RequestInfo resolves it,
 * so fault rules can match it.
 */
import type { RequestFacts } from './faults.js';

export interface ResourceRequest extends RequestFacts {
  /** '' for the core group (`/api/v1`). */
  group: string;
}

/** Namespace subresources, which a path like `/api/v1/namespaces/<name>/status` addresses. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** The request's facts, or undefined for a non-resource request (discovery, /version, /openapi, /healthz). */
export function parseRequest(method: string, target: string): ResourceRequest | undefined {
  const url = new URL(target, 'https://localhost');
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // a malformed escape: the apiserver answers it, no rule can name it
  }
  let group = '';
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else return undefined;

  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource = '', name, subresource = ''] = rest;
  const watch = watchPrefix || ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  return { verb: verbOf(method, watch, name !== undefined), group, resource, subresource, namespace, name };
}

function verbOf(method: string, watch: boolean, named: boolean): string {
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
