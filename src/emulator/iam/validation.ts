/**
 * Reads an operation's members out of awsQuery parameters and checks them against the operation
 * table, reporting every violation in one ValidationError the way IAM's front end words them.
 */
import { iamError } from './errors.js';
import type { MemberShape, OperationSpec } from './operations.js';
import { listEntryPrefixes } from './query-protocol.js';

export type InputValue = string | number | InputValue[] | { [name: string]: InputValue };
export type QueryInput = Record<string, InputValue>;

const anchored = new Map<string, RegExp>();

function matchesPattern(value: string, pattern: string): boolean {
  let regex = anchored.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    anchored.set(pattern, regex);
  }
  return regex.test(value);
}

/** IAM names a member in its messages by its lower-camel-case name (`roleName`, `tags.1.member.key`). */
const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

const missing = (path: string) => `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
const violation = (shown: string, path: string, constraint: string) => `Value ${shown} at '${path}' failed to satisfy constraint: Member must ${constraint}`;

class MemberReader {
  readonly problems: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  /** The member under parameter name `key`, or undefined when the request does not carry it. */
  read(key: string, shape: MemberShape, path: string): InputValue | undefined {
    switch (shape.type) {
      case 'string':
        return this.readString(key, shape, path);
      case 'integer':
        return this.readInteger(key, shape, path);
      case 'list':
        return this.readList(key, shape, path);
      case 'structure':
        return this.readStructure(key, shape, path);
    }
  }

  private readString(key: string, shape: Extract<MemberShape, { type: 'string' }>, path: string): string | undefined {
    const value = this.params.get(key);
    if (value === null) return undefined;
    const shown = `'${value}'`;
    if (shape.min !== undefined && value.length < shape.min) this.problems.push(violation(shown, path, `have length greater than or equal to ${shape.min}`));
    if (shape.max !== undefined && value.length > shape.max) this.problems.push(violation(shown, path, `have length less than or equal to ${shape.max}`));
    if (shape.pattern !== undefined && !matchesPattern(value, shape.pattern)) this.problems.push(violation(shown, path, `satisfy regular expression pattern: ${shape.pattern}`));
    if (shape.enum !== undefined && !shape.enum.includes(value)) this.problems.push(violation(shown, path, `satisfy enum value set: [${shape.enum.join(', ')}]`));
    return value;
  }

  private readInteger(key: string, shape: Extract<MemberShape, { type: 'integer' }>, path: string): number | undefined {
    const text = this.params.get(key);
    if (text === null) return undefined;
    const shown = `'${text}'`;
    if (!/^-?[0-9]+$/.test(text)) {
      this.problems.push(violation(shown, path, 'be an integer'));
      return undefined;
    }
    const value = Number(text);
    if (shape.min !== undefined && value < shape.min) this.problems.push(violation(shown, path, `have value greater than or equal to ${shape.min}`));
    if (shape.max !== undefined && value > shape.max) this.problems.push(violation(shown, path, `have value less than or equal to ${shape.max}`));
    return value;
  }

  private readList(key: string, shape: Extract<MemberShape, { type: 'list' }>, path: string): InputValue[] | undefined {
    const entries = listEntryPrefixes(this.params, key);
    if (entries === undefined) return undefined;
    const shown = `of ${entries.length} items`;
    if (shape.min !== undefined && entries.length < shape.min) this.problems.push(violation(shown, path, `have length greater than or equal to ${shape.min}`));
    if (shape.max !== undefined && entries.length > shape.max) this.problems.push(violation(shown, path, `have length less than or equal to ${shape.max}`));
    const items: InputValue[] = [];
    entries.forEach((entry, i) => {
      const itemPath = `${path}.${i + 1}.member`;
      const item = this.read(entry, shape.member, itemPath);
      if (item === undefined) this.problems.push(missing(itemPath));
      else items.push(item);
    });
    return items;
  }

  private readStructure(key: string, shape: Extract<MemberShape, { type: 'structure' }>, path: string): { [name: string]: InputValue } {
    const value: { [name: string]: InputValue } = {};
    for (const [name, member] of Object.entries(shape.members)) {
      const memberPath = `${path}.${lowerFirst(name)}`;
      const memberValue = this.read(`${key}.${name}`, member, memberPath);
      if (memberValue !== undefined) value[name] = memberValue;
      else if (shape.required.includes(name)) this.problems.push(missing(memberPath));
    }
    return value;
  }
}

/** The operation's input, every member checked; throws ValidationError listing each violation. */
export function readInput(spec: OperationSpec, params: URLSearchParams): QueryInput {
  const reader = new MemberReader(params);
  const input: QueryInput = {};
  for (const [name, shape] of Object.entries(spec.members)) {
    const value = reader.read(name, shape, lowerFirst(name));
    if (value !== undefined) input[name] = value;
    else if (spec.required.includes(name)) reader.problems.push(missing(lowerFirst(name)));
  }
  const count = reader.problems.length;
  if (count > 0) throw iamError('ValidationError', `${count} validation error${count === 1 ? '' : 's'} detected: ${reader.problems.join('; ')}`);
  return input;
}
