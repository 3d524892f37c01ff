/**
 * The proxy's own endpoints under `/_admin/`, for tests that drive it over HTTP: `POST /_admin/faults`
 * (`{rules, seed}`), `DELETE /_admin/faults`, `POST /_admin/drop-watches` (`{abrupt}` → `{dropped}`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRule, Faults } from './faults.js';
import { sendJson, status } from './status.js';

export interface AdminTarget {
  faults: Faults;
  dropWatches(abrupt: boolean): number;
}

export async function serveAdmin(req: IncomingMessage, res: ServerResponse, target: AdminTarget): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let value: Record<string, unknown>;
  try {
    value = (text.trim() ? JSON.parse(text) : {}) as Record<string, unknown>;
  } catch (error) {
    return sendJson(res, 400, status(400, 'BadRequest', `the body is not JSON: ${(error as Error).message}`));
  }
  switch (`${req.method} ${new URL(req.url ?? '/', 'https://localhost').pathname}`) {
    case 'POST /_admin/faults':
      target.faults.set((value.rules ?? []) as FaultRule[], typeof value.seed === 'number' ? value.seed : undefined);
      return sendJson(res, 200, { ok: true });
    case 'DELETE /_admin/faults':
      target.faults.clear();
      return sendJson(res, 200, { ok: true });
    case 'POST /_admin/drop-watches':
      return sendJson(res, 200, { dropped: target.dropWatches(value.abrupt === true) });
    default:
      return sendJson(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }
}
