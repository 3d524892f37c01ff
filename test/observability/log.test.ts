import { describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { createLogger, type LogFormat } from '../../src/observability/log.js';

/** The lines a logger of the format writes for one info entry. */
async function logged(format: LogFormat, fields: Record<string, unknown>): Promise<string> {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const logger = createLogger({ format, level: 'info', stream });
  logger.info('Operator started', fields);
  await new Promise<void>((resolve) => logger.end(resolve));
  return out;
}

describe('createLogger', () => {
  test('text: a field left undefined is not printed, others are, strings bare and the rest as JSON', async () => {
    const line = await logged('text', { labelSelector: undefined, namespaces: 'all', leaderElection: false, http: 'http://127.0.0.1:8080' });
    expect(line).toMatch(/^\S+ info Operator started namespaces=all leaderElection=false http=http:\/\/127\.0\.0\.1:8080\n$/);
  });

  test('json: the same entry, without the undefined field', async () => {
    const entry = JSON.parse(await logged('json', { labelSelector: undefined, namespaces: 'all' })) as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual(['level', 'message', 'namespaces', 'timestamp']);
  });
});
