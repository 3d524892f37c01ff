/** Typed reads of an awsJson request's members: a wrong JSON type is a SerializationException, as Coral answers. */
import { AwsError } from '../errors.js';
import { invalidParameter } from './errors.js';
import type { JsonObject } from './protocol.js';

function wrongType(name: string, expected: string): AwsError {
  return new AwsError('SerializationException', 400, `Member '${name}' must be ${expected}`);
}

export function optionalString(input: JsonObject, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(name, 'a string');
  return value;
}

export function requiredString(input: JsonObject, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) throw invalidParameter(name, 'must not be null');
  return value;
}

export function optionalInteger(input: JsonObject, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(name, 'an integer');
  return value;
}

export function optionalObject(input: JsonObject, name: string): JsonObject | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(name, 'an object');
  return value as JsonObject;
}

export function optionalList(input: JsonObject, name: string): unknown[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(name, 'a list');
  return value;
}
