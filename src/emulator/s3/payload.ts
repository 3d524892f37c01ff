/**
 * The body of an upload. The SDK sends a streaming body as `aws-chunked` (size-prefixed chunks followed
 * by trailing headers carrying the checksum), so that framing is undone here; HTTP's own chunking is
 * already gone by the time the emulator sees the body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorRequest } from '../http.js';
import { S3Error } from './errors.js';

export interface Payload {
  body: Buffer;
  /** Request headers and any trailers, lower-cased, single-valued. */
  fields: Record<string, string>;
}

const incompleteBody = () => new S3Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header');

function singleValued(headers: IncomingHttpHeaders): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) fields[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return fields;
}

function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let position = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', position);
    if (lineEnd < 0) throw incompleteBody();
    // A signed chunk's size line carries `;chunk-signature=…` after the size.
    const size = parseInt(raw.toString('latin1', position, lineEnd).split(';')[0]!, 16);
    if (!Number.isInteger(size) || size < 0) throw incompleteBody();
    position = lineEnd + 2;
    if (size === 0) break;
    if (position + size > raw.length) throw incompleteBody();
    chunks.push(raw.subarray(position, position + size));
    position += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.toString('latin1', position).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
}

export function readPayload(request: EmulatorRequest): Payload {
  const fields = singleValued(request.headers);
  const chunked = (fields['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked') || (fields['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  if (!chunked) return { body: request.body, fields };
  const { body, trailers } = decodeAwsChunked(request.body);
  const declared = fields['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== body.length) throw incompleteBody();
  return { body, fields: { ...fields, ...trailers } };
}
