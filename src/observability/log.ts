/**
 * Structured logs on standard error, so standard output stays the user's (tables, plans, JSON):
 * `text` for people, `json` for machines. Callers log keys and outcomes; messages that come from AWS
 * have already been cleared of secret values by the reconcilers.
 */
import winston from 'winston';

export type LogFormat = 'text' | 'json';
export type Logger = winston.Logger;

export function createLogger(options: { format: LogFormat; level: string; stream?: NodeJS.WritableStream }): Logger {
  const { combine, timestamp, json, printf } = winston.format;
  const text = printf(({ level, message, timestamp: at, ...fields }) => {
    // A field left undefined is not there, as in the JSON format: no `labelSelector=undefined`.
    const pairs = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return [at, level, message, ...pairs].join(' ');
  });
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] });
  return winston.createLogger({
    level: options.level,
    format: combine(timestamp(), options.format === 'json' ? json() : text),
    transports: [transport],
  });
}
