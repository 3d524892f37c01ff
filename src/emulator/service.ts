/** The contract between the HTTP server and each emulated AWS service. */
import type { Clock } from './clock.js';
import type { EmulatorConfig } from './config.js';
import type { CallCounters } from './counters.js';
import { AwsError } from './errors.js';
import type { Faults } from './faults.js';
import type { EmulatorRequest, EmulatorResponse } from './http.js';
import type { Quotas } from './quotas.js';
import type { StateStore } from './state.js';

export interface OperationCall {
  service: string;
  operation: string;
  /** The rate-quota class (quotas.ts). */
  apiClass: string;
  /** The error code this service throttles with (ThrottlingException; memory: ThrottledException). */
  throttlingCode: string;
  /** The error code this service fails with (InternalServerException; memory: ServiceException). */
  serverErrorCode?: string;
  region: string;
}

export interface ServiceContext {
  readonly config: EmulatorConfig;
  readonly clock: Clock;
  readonly state: StateStore;
  readonly quotas: Quotas;
  readonly faults: Faults;
  readonly counters: CallCounters;
  /**
   * Runs one operation: counts it, applies injected faults and the rate quota, then the handler, and
   * records the outcome.
   */
  run<T>(call: OperationCall, handler: () => T | Promise<T>): Promise<T>;
}

export interface EmulatedService {
  /** The SigV4 signing name clients use (`bedrock-agentcore`, `iam`, `ecr`, `s3`). */
  readonly signingName: string;
  handle(request: EmulatorRequest, ctx: ServiceContext): Promise<EmulatorResponse>;
  /** How this service's protocol puts an error on the wire. */
  errorResponse(error: AwsError): EmulatorResponse;
  /** Service-specific admin calls under `/_admin/<adminName>/...`; undefined when the path is not one. */
  readonly adminName?: string;
  admin?(method: string, path: string[], body: unknown, ctx: ServiceContext): EmulatorResponse | undefined;
}

export function createContext(parts: Omit<ServiceContext, 'run'>): ServiceContext {
  return {
    ...parts,
    async run<T>(call: OperationCall, handler: () => T | Promise<T>): Promise<T> {
      try {
        await parts.faults.apply(call.operation, call.throttlingCode, call.serverErrorCode);
        if (!parts.quotas.admit(call.apiClass, `${parts.config.accountId}/${call.region}`, parts.clock.now())) {
          throw new AwsError(call.throttlingCode, 429, 'Rate exceeded');
        }
        const result = await handler();
        parts.faults.afterEffect(call.operation);
        parts.counters.record(call.service, call.operation, 'ok');
        return result;
      } catch (error) {
        parts.counters.record(call.service, call.operation, error instanceof AwsError ? error.code : 'reset');
        throw error;
      }
    },
  };
}
