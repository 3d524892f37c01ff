/**
 * The Kubernetes JSONPath subset used by CRD printer columns (`additionalPrinterColumns[].jsonPath`),
 * evaluated the way k8s.io/client-go/util/jsonpath evaluates it with AllowMissingKeys(true): a missing
 * key yields no result (never an error), while an out-of-range index, indexing or filtering something
 * that is not a list, or a filter comparing values of incompatible types is an error (the apiserver
 * then shows the cell as null).
 *
 * Supported: `$` root, `.field`, `['field']`, `.*` / `[*]`, `[n]` (negative counts from the end),
 * `[a:b]`, unions `[0,2]` / `['a','b']`, `..field` (recursive descent) and filters
 * `[?(@.path OP literal)]` with ==, !=, <, >, <=, >= plus the existence test `[?(@.path)]`.
 * Outer braces (`{.a.b}`) are optional.
 */

import { isObject } from './json.js';

export class JsonPathError extends Error {}

type Literal = { kind: 'string'; value: string } | { kind: 'int' | 'float'; value: number };

type Operand = { path: Step[] } | { literal: Literal };

type Step =
  | { type: 'field'; name: string }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'index'; index: number }
  | { type: 'slice'; start?: number; end?: number }
  | { type: 'union'; steps: Step[] }
  | { type: 'filter'; left: Step[]; operator: string; right?: Operand };

/** Every value `expression` selects in `object`, in document order. Throws JsonPathError. */
export function jsonPath(expression: string, object: unknown): unknown[] {
  return evaluate(parseJsonPath(expression), [object]);
}

/** Parse once, evaluate many times. */
export function compileJsonPath(expression: string): (object: unknown) => unknown[] {
  const steps = parseJsonPath(expression);
  return (object) => evaluate(steps, [object]);
}

export function parseJsonPath(expression: string): Step[] {
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  const parser = new Parser(text);
  const steps = parser.parsePath(true);
  if (!parser.done()) throw new JsonPathError(`unexpected ${JSON.stringify(parser.rest())} in JSONPath ${JSON.stringify(expression)}`);
  return steps;
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  rest(): string {
    return this.text.slice(this.pos);
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  private skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }

  private fail(message: string): never {
    throw new JsonPathError(`${message} at ${this.pos} in JSONPath ${JSON.stringify(this.text)}`);
  }

  /** A path: steps until the end, or (inside a filter) until an operator or the closing paren. */
  parsePath(top: boolean): Step[] {
    const steps: Step[] = [];
    if (this.peek() === '$' || this.peek() === '@') this.pos++;
    for (;;) {
      const c = this.peek();
      if (c === '') break;
      if (c === '.') {
        if (this.peek(1) === '.') {
          this.pos += 2;
          steps.push({ type: 'recursive' });
          if (this.peek() === '[') continue;
          if (this.peek() === '*') {
            this.pos++;
            steps.push({ type: 'wildcard' });
            continue;
          }
          steps.push({ type: 'field', name: this.parseName() });
          continue;
        }
        this.pos++;
        if (this.peek() === '*') {
          this.pos++;
          steps.push({ type: 'wildcard' });
          continue;
        }
        const name = this.parseName();
        if (name === '' && (this.done() || this.peek() === '[' || !top)) continue; // `.` alone, `.[0]`
        steps.push({ type: 'field', name });
        continue;
      }
      if (c === '[') {
        steps.push(this.parseBracket());
        continue;
      }
      if (top) this.fail(`unexpected ${JSON.stringify(c)}`);
      break;
    }
    return steps;
  }

  /** A field name after `.`: anything up to `.`, `[`, a space, an operator or `)`; `\.` escapes a dot. */
  private parseName(): string {
    let name = '';
    for (;;) {
      const c = this.peek();
      if (c === '\\' && this.peek(1) !== '') {
        name += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (c === '' || c === '.' || c === '[' || c === ' ' || c === ')' || c === ']' || c === ',' || '=!<>'.includes(c)) break;
      name += c;
      this.pos++;
    }
    return name;
  }

  private parseBracket(): Step {
    this.pos++; // [
    this.skipSpaces();
    if (this.peek() === '?') return this.parseFilter();
    const parts: Step[] = [];
    for (;;) {
      this.skipSpaces();
      parts.push(this.parseBracketPart());
      this.skipSpaces();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() === ']') {
        this.pos++;
        break;
      }
      this.fail('unterminated [');
    }
    return parts.length === 1 ? parts[0]! : { type: 'union', steps: parts };
  }

  private parseBracketPart(): Step {
    const c = this.peek();
    if (c === '*') {
      this.pos++;
      return { type: 'wildcard' };
    }
    if (c === "'" || c === '"') return { type: 'field', name: this.parseQuoted() };
    const start = this.parseOptionalInt();
    if (this.peek() !== ':') {
      if (start === undefined) this.fail('expected an index');
      return { type: 'index', index: start };
    }
    this.pos++;
    const end = this.parseOptionalInt();
    if (this.peek() === ':') {
      // client-go passes the third number to reflect.Slice3 (a capacity, not a step): it selects nothing more.
      this.pos++;
      this.parseOptionalInt();
    }
    return { type: 'slice', ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
  }

  private parseOptionalInt(): number | undefined {
    this.skipSpaces();
    const match = /^-?\d+/.exec(this.rest());
    if (!match) return undefined;
    this.pos += match[0].length;
    this.skipSpaces();
    return Number(match[0]);
  }

  private parseQuoted(): string {
    const quote = this.peek();
    this.pos++;
    let value = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unterminated string');
      this.pos++;
      if (c === quote) return value;
      if (c === '\\' && this.peek() !== '') {
        value += this.peek();
        this.pos++;
        continue;
      }
      value += c;
    }
  }

  private parseFilter(): Step {
    this.pos++; // ?
    this.skipSpaces();
    if (this.peek() !== '(') this.fail('expected ( after ?');
    this.pos++;
    this.skipSpaces();
    const left = this.parseOperandPath();
    this.skipSpaces();
    let operator = 'exists';
    let right: Operand | undefined;
    const op = /^(==|!=|<=|>=|<|>)/.exec(this.rest());
    if (op) {
      operator = op[1]!;
      this.pos += operator.length;
      this.skipSpaces();
      right = this.parseOperand();
      this.skipSpaces();
    }
    if (this.peek() !== ')') this.fail('expected ) closing the filter');
    this.pos++;
    this.skipSpaces();
    if (this.peek() !== ']') this.fail('expected ] closing the filter');
    this.pos++;
    return { type: 'filter', left, operator, ...(right ? { right } : {}) };
  }

  private parseOperandPath(): Step[] {
    if (this.peek() !== '@' && this.peek() !== '$') this.fail('expected @ in the filter');
    return this.parsePath(false);
  }

  private parseOperand(): Operand {
    const c = this.peek();
    if (c === '@' || c === '$') return { path: this.parseOperandPath() };
    if (c === "'" || c === '"') return { literal: { kind: 'string', value: this.parseQuoted() } };
    const match = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(this.rest());
    if (!match) this.fail('expected a value to compare with');
    this.pos += match[0].length;
    const isFloat = /[.eE]/.test(match[0]);
    return { literal: { kind: isFloat ? 'float' : 'int', value: Number(match[0]) } };
  }
}

function evaluate(steps: Step[], input: unknown[]): unknown[] {
  let current = input;
  for (const step of steps) current = applyStep(step, current);
  return current;
}

function applyStep(step: Step, input: unknown[]): unknown[] {
  switch (step.type) {
    case 'field': {
      const out: unknown[] = [];
      for (const value of input) {
        if (isObject(value) && Object.prototype.hasOwnProperty.call(value, step.name)) out.push(value[step.name]);
      }
      return out;
    }
    case 'wildcard': {
      const out: unknown[] = [];
      for (const value of input) {
        if (Array.isArray(value)) out.push(...value);
        else if (isObject(value)) out.push(...Object.values(value));
        else if (typeof value === 'string') out.push(...Buffer.from(value)); // Go yields the bytes
      }
      return out;
    }
    case 'recursive': {
      const out: unknown[] = [];
      const visit = (value: unknown): void => {
        // Go indexes a string into its bytes (uint8 leaves).
        const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : typeof value === 'string' ? [...Buffer.from(value)] : [];
        if (children.length === 0) return;
        out.push(value);
        for (const child of children) visit(child);
      };
      for (const value of input) visit(value);
      return out;
    }
    case 'index': {
      const out: unknown[] = [];
      for (const value of input) {
        if (value === null || value === undefined) continue;
        if (!Array.isArray(value)) throw new JsonPathError(`${goTypeOf(value)} is not array or slice`);
        const index = step.index < 0 ? step.index + value.length : step.index;
        if (index < 0 || index >= value.length) {
          throw new JsonPathError(`array index out of bounds: index ${step.index}, length ${value.length}`);
        }
        out.push(value[index]);
      }
      return out;
    }
    case 'slice': {
      const out: unknown[] = [];
      for (const value of input) {
        if (value === null || value === undefined) continue;
        if (!Array.isArray(value)) throw new JsonPathError(`${goTypeOf(value)} is not array or slice`);
        let start = step.start ?? 0;
        let end = step.end ?? value.length;
        if (start < 0) start += value.length;
        if (end < 0) end += value.length;
        if (end !== start) {
          if (start >= value.length) throw new JsonPathError(`array index out of bounds: index ${start}, length ${value.length}`);
          if (end > value.length) throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${value.length}`);
        }
        if (start < 0 || end < start) throw new JsonPathError(`invalid slice index ${start}:${end}`);
        out.push(...value.slice(start, end));
      }
      return out;
    }
    case 'union': {
      const out: unknown[] = [];
      for (const part of step.steps) out.push(...applyStep(part, input));
      return out;
    }
    case 'filter':
      return applyFilter(step, input);
  }
}

function applyFilter(step: Extract<Step, { type: 'filter' }>, input: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const value of input) {
    if (!Array.isArray(value)) throw new JsonPathError(`${goTypeOf(value)} is not array or slice and cannot be filtered`);
    for (const element of value) {
      const lefts = evaluate(step.left, [element]);
      if (step.operator === 'exists') {
        if (lefts.length > 0) out.push(element);
        continue;
      }
      if (lefts.length !== 1) throw new JsonPathError('can only compare one element at a time');
      let right: Comparable;
      if (step.right && 'path' in step.right) {
        const rights = evaluate(step.right.path, [element]);
        if (rights.length !== 1) throw new JsonPathError('can only compare one element at a time');
        right = comparableOf(rights[0]);
      } else {
        right = step.right!.literal;
      }
      if (compare(comparableOf(lefts[0]), step.operator, right)) out.push(element);
    }
  }
  return out;
}

type Comparable = Literal | { kind: 'bool'; value: boolean } | { kind: 'other'; value: unknown };

/** The Go kind a decoded JSON value has in unstructured content: integers are int64, others float64. */
function comparableOf(value: unknown): Comparable {
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'number') return { kind: Number.isInteger(value) ? 'int' : 'float', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  return { kind: 'other', value };
}

/** text/template's eq/ne/lt/...: both sides must be of the same basic kind. */
function compare(left: Comparable, operator: string, right: Comparable): boolean {
  if (left.kind === 'other' || right.kind === 'other') throw new JsonPathError('invalid type for comparison');
  if (left.kind !== right.kind) throw new JsonPathError('incompatible types for comparison');
  if (left.kind === 'bool') {
    if (operator === '==') return left.value === right.value;
    if (operator === '!=') return left.value !== right.value;
    throw new JsonPathError('invalid type for comparison');
  }
  const a = left.value as string | number;
  const b = right.value as string | number;
  switch (operator) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    default:
      throw new JsonPathError(`unrecognized filter operator ${operator}`);
  }
}

function goTypeOf(value: unknown): string {
  if (value === null || value === undefined) return '<invalid reflect.Value>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/**
 * A selected value as client-go's JSONPath PrintResults writes it (Go's fmt.Fprint): strings raw,
 * integers as integers, floats as %v, lists as `[a b]`, objects as `map[k:v ...]` with sorted keys,
 * and a null result as `<no value>`.
 */
export function formatJsonPathValue(value: unknown): string {
  if (value === null || value === undefined) return '<no value>';
  return goPrint(value);
}

function goPrint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return goNumber(value);
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${goPrint(value[k])}`).join(' ')}]`;
  }
  return String(value);
}

/** int64 for integral values, else Go's %v for a float64: %g with the shortest precision. */
export function goNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 63) return BigInt(value).toString();
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const [mantissa = '', expText = '0'] = value.toExponential().split('e');
  const exp = Number(expText);
  // strconv 'g' with the shortest precision switches to an exponent below 1e-4 and from 1e6.
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  return String(value);
}
