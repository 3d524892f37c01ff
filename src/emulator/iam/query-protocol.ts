/**
 * The awsQuery protocol as IAM speaks it: form-encoded parameters in, XML documents out, with
 * lists flattened as `Name.member.N` on the way in and `<Name><member>` on the way out.
 */
import type { AwsError } from '../errors.js';
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import { requestId } from '../ids.js';
import { asIamError } from './errors.js';
import { element, xmlEscape, type XmlValue } from './xml.js';

export const IAM_API_VERSION = '2010-05-08';
export const IAM_XML_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** The request's parameters: the form body of a POST, the query string otherwise. */
export function readQueryParams(request: EmulatorRequest): URLSearchParams {
  if (request.method === 'POST') return new URLSearchParams(request.body.toString('utf8'));
  return request.query;
}

/**
 * The entries of the list parameter `name`, in index order, each as the parameter-name prefix of one
 * entry (`Tags.member.2`). Undefined when the list is absent; an empty list is sent as a bare `name=`.
 */
export function listEntryPrefixes(params: URLSearchParams, name: string): string[] | undefined {
  const entry = new RegExp(`^${name.replace(/\./g, '\\.')}\\.member\\.([1-9][0-9]*)(?:\\.|$)`);
  const indexes = new Set<number>();
  for (const key of params.keys()) {
    const match = entry.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  if (indexes.size === 0) return params.has(name) ? [] : undefined;
  return [...indexes].sort((a, b) => a - b).map((i) => `${name}.member.${i}`);
}

function xmlResponse(status: number, body: string, id: string): EmulatorResponse {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id }, body };
}

/** `<{Action}Response>` with a `<{Action}Result>` when the operation has output. */
export function queryResponse(action: string, result: Record<string, XmlValue> | undefined, namespace = IAM_XML_NAMESPACE): EmulatorResponse {
  const id = requestId();
  const body =
    `<${action}Response xmlns="${namespace}">` +
    (result === undefined ? '' : element(`${action}Result`, result)) +
    element('ResponseMetadata', { RequestId: id }) +
    `</${action}Response>`;
  return xmlResponse(200, body, id);
}

export function queryErrorResponse(raised: AwsError): EmulatorResponse {
  const error = asIamError(raised);
  const id = requestId();
  const body =
    `<ErrorResponse xmlns="${IAM_XML_NAMESPACE}">` +
    element('Error', { Type: error.senderFault ? 'Sender' : 'Receiver', Code: error.code, Message: error.message }) +
    `<RequestId>${xmlEscape(id)}</RequestId>` +
    `</ErrorResponse>`;
  return xmlResponse(error.status, body, id);
}
