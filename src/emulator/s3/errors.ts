/** S3's errors: their codes, statuses and extra elements, and how they go on the wire. */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../errors.js';
import type { EmulatorResponse } from '../http.js';
import { escapeXml, textElement } from './xml.js';

/** An S3 error can carry response headers (a delete marker's `x-amz-delete-marker`, a bucket's region). */
export class S3Error extends AwsError {
  constructor(
    code: string,
    status: number,
    message: string,
    members: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code, status, message, members);
  }
}

/**
 * S3 request ids are 16 upper-case hex digits, with an opaque extended id beside them. The server adds an
 * `x-amzn-requestid` of its own, which the SDK prefers to S3's header, so it is given the same id.
 */
export function s3RequestHeaders(): Record<string, string> {
  const id = randomBytes(8).toString('hex').toUpperCase();
  return { 'x-amz-request-id': id, 'x-amzn-requestid': id, 'x-amz-id-2': randomBytes(48).toString('base64') };
}

/** The generic codes the emulator core raises (faults, quotas), as S3 spells and statuses them. */
const WIRE_FORMS: Record<string, { code: string; status: number }> = {
  InternalServerException: { code: 'InternalError', status: 500 },
  SlowDown: { code: 'SlowDown', status: 503 },
};

export function s3ErrorResponse(error: AwsError): EmulatorResponse {
  const wire = WIRE_FORMS[error.code] ?? { code: error.code, status: error.status };
  const ids = s3RequestHeaders();
  const members = Object.entries(error.members).map(([name, value]) => textElement(name, String(value)));
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(wire.code)}</Code><Message>${escapeXml(error.message)}</Message>${members.join('')}` +
    `<RequestId>${ids['x-amz-request-id']}</RequestId><HostId>${ids['x-amz-id-2']}</HostId></Error>`;
  const headers = error instanceof S3Error ? error.headers : {};
  return { status: wire.status, headers: { 'content-type': 'application/xml', ...ids, ...headers }, body };
}

export const noSuchBucket = (bucket: string) => new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string, headers: Record<string, string> = {}) => new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }, headers);

export const noSuchVersion = (key: string, versionId: string) =>
  new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', { Key: key, VersionId: versionId });

export const invalidArgument = (message: string, name: string, value: string) =>
  new S3Error('InvalidArgument', 400, message, { ArgumentName: name, ArgumentValue: value });

export const malformedXml = () =>
  new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');

export const notImplemented = () => new S3Error('NotImplemented', 501, 'A header or query you provided implies functionality that is not implemented');
