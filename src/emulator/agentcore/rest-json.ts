/**
 * The restJson1 protocol as the AgentCore control plane speaks it: routes with path labels, members
 * bound to the query string, a JSON body, and errors named by the `x-amzn-errortype` header.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { AwsError } from '../errors.js';
import { json, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import type { ServiceContext } from '../service.js';

export interface RestCall {
  input: Record<string, unknown>;
  region: string;
  ctx: ServiceContext;
}

export interface RestOperation {
  name: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The model's requestUri, e.g. `/runtimes/{agentRuntimeId}/`. */
  uri: string;
  /** Success status code. */
  code: number;
  /** Input members bound to query parameters: member name → query name. */
  query?: Record<string, string>;
  /** The whole input (labels, query and body members) in the API's member names. */
  input: TSchema;
  apiClass: string;
  handler(call: RestCall): unknown;
}

interface CompiledOperation {
  op: RestOperation;
  pattern: RegExp;
  labels: string[];
  validate: ValidateFunction;
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });

function compileUri(uri: string): { pattern: RegExp; labels: string[] } {
  const labels: string[] = [];
  const source = uri.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
    labels.push(name);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), labels };
}

/** The member path AWS names in a ValidationException's fieldList (`agentRuntimeArtifact.containerConfiguration`). */
function memberPath(error: ErrorObject): string {
  const segments = error.instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  return segments.join('.');
}

function constraint(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'Member must not be null';
    case 'pattern':
      return `Member must satisfy regular expression pattern: ${String(p.pattern)}`;
    case 'minLength':
      return `Member must have length greater than or equal to ${String(p.limit)}`;
    case 'maxLength':
      return `Member must have length less than or equal to ${String(p.limit)}`;
    case 'minItems':
    case 'minProperties':
      return `Member must have length greater than or equal to ${String(p.limit)}`;
    case 'maxItems':
    case 'maxProperties':
      return error.parentSchema && (error.parentSchema as Record<string, unknown>)['x-union'] ? 'Member must have exactly one member set' : `Member must have length less than or equal to ${String(p.limit)}`;
    case 'minimum':
      return `Member must have value greater than or equal to ${String(p.limit)}`;
    case 'maximum':
      return `Member must have value less than or equal to ${String(p.limit)}`;
    case 'enum':
      return `Member must satisfy enum value set: [${(p.allowedValues as string[]).join(', ')}]`;
    case 'type':
      return `Member must be of type ${String(p.type)}`;
    default:
      return error.message ?? 'Member is invalid';
  }
}

/** A ValidationException as AWS words it; values are never echoed, since some members are sensitive. */
export function validationError(fields: { name: string; message: string }[]): AwsError {
  const n = fields.length;
  const detail = fields.map((f) => `Value at '${f.name}' failed to satisfy constraint: ${f.message}`).join('; ');
  return new AwsError('ValidationException', 400, `${n} validation error${n === 1 ? '' : 's'} detected: ${detail}`, {
    reason: 'FieldValidationFailed',
    fieldList: fields,
  });
}

export function restJsonError(error: AwsError): EmulatorResponse {
  return json(error.status, { message: error.message, ...error.members }, { 'x-amzn-errortype': error.code });
}

function withoutUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {})) as unknown;
}

/** The names a family's operations throttle and fail with. */
export interface ErrorCodes {
  throttling: string;
  server: string;
}

export class RestJsonRouter {
  private readonly operations: CompiledOperation[];

  constructor(
    private readonly service: string,
    operations: RestOperation[],
    private readonly errorCodes: (op: RestOperation) => ErrorCodes,
  ) {
    this.operations = operations.map((op) => ({ op, ...compileUri(op.uri), validate: ajv.compile({ ...op.input, $id: undefined }) }));
  }

  get served(): RestOperation[] {
    return this.operations.map((o) => o.op);
  }

  async handle(request: EmulatorRequest, ctx: ServiceContext): Promise<EmulatorResponse> {
    const match = this.route(request);
    if (!match) throw new AwsError('UnknownOperationException', 404, `No operation matches ${request.method} ${request.path}`);
    const { compiled, labels } = match;
    const { op } = compiled;
    const codes = this.errorCodes(op);
    return ctx.run({ service: this.service, operation: op.name, apiClass: op.apiClass, throttlingCode: codes.throttling, serverErrorCode: codes.server, region: request.region }, () => {
      const input = this.bind(compiled, labels, request);
      if (!compiled.validate(input)) {
        const seen = new Set<string>();
        const fields = (compiled.validate.errors ?? [])
          .filter((e) => e.keyword !== 'if')
          .map((e) => ({ name: memberPath(e), message: constraint(e) }))
          .filter((f) => !seen.has(`${f.name}|${f.message}`) && seen.add(`${f.name}|${f.message}`));
        throw validationError(fields);
      }
      const output = op.handler({ input, region: request.region, ctx });
      ctx.state.markChanged();
      return op.code === 204 ? { status: 204 } : json(op.code, withoutUndefined(output));
    });
  }

  private route(request: EmulatorRequest): { compiled: CompiledOperation; labels: string[] } | undefined {
    for (const compiled of this.operations) {
      if (compiled.op.method !== request.method) continue;
      const m = compiled.pattern.exec(request.path);
      if (m) return { compiled, labels: m.slice(1) };
    }
    return undefined;
  }

  private bind(compiled: CompiledOperation, labels: string[], request: EmulatorRequest): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    if (request.body.length > 0) {
      const type = String(request.headers['content-type'] ?? '');
      if (!type.startsWith('application/json')) throw new AwsError('ValidationException', 400, `Unsupported content type ${type || '(none)'}; expected application/json`, { reason: 'CannotParse' });
      let body: unknown;
      try {
        body = JSON.parse(request.body.toString('utf8'));
      } catch {
        throw new AwsError('ValidationException', 400, 'The request body is not valid JSON', { reason: 'CannotParse' });
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AwsError('ValidationException', 400, 'The request body must be a JSON object', { reason: 'CannotParse' });
      Object.assign(input, body);
    }
    const properties = ((compiled.op.input as { properties?: Record<string, { type?: string }> }).properties ?? {});
    for (const [member, name] of Object.entries(compiled.op.query ?? {})) {
      const values = request.query.getAll(name);
      if (values.length === 0) continue;
      const type = properties[member]?.type;
      input[member] = type === 'array' ? values : type === 'integer' ? Number(values[0]) : values[0];
    }
    compiled.labels.forEach((label, i) => {
      try {
        input[label] = decodeURIComponent(labels[i]!);
      } catch {
        throw new AwsError('ValidationException', 400, `Path label ${label} is not valid percent-encoding`, { reason: 'CannotParse' });
      }
    });
    return input;
  }
}
