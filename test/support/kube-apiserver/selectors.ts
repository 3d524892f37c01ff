/**
 * Label and field selectors as kube-apiserver parses and applies them on list and watch
 * (`?labelSelector=` / `?fieldSelector=`), with its error wording. Pure: no I/O, no state.
 *
 * Label selectors follow k8s.io/apimachinery/pkg/labels: a small lexer and recursive-descent
 * parser over `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`,
 * `key>1`, `key<1`, joined by commas (AND). Field selectors follow k8s.io/apimachinery/pkg/fields:
 * comma-separated `field=value`, `field==value`, `field!=value` terms, values escaped with `\`.
 * Failures are thrown as the 400 BadRequest Status the list handler answers with.
 */
import { ApiError } from './types.js';
import type { KubeObject } from './types.js';

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;
export type FieldSelector = (object: KubeObject) => boolean;

/** Go's strconv.Quote / fmt's %q, close enough for the strings an apiserver error echoes. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/* ----------------------------------------------------------------------------------------------
 * Label key / value validation (apimachinery validation: IsQualifiedName / IsValidLabelValue)
 * -------------------------------------------------------------------------------------------- */

const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_RE = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_KEY_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/**
 * The wording released apiservers (through 1.34) use; apimachinery's newest `content` package says
 * "bytes" instead of "characters".
 */
function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

function regexError(message: string, regex: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${regex}')`;
  let out = `${message} (e.g. `;
  examples.forEach((example, i) => {
    if (i > 0) out += ' or ';
    out += `'${example}', `;
  });
  return `${out}regex used for validation is '${regex}')`;
}

function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** Problems with a label key (`[prefix/]name`), worded as apimachinery words them; empty when valid. */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!LABEL_KEY_RE.test(name)) errs.push(`name part ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Problems with a label value, worded as apimachinery words them; empty when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** field.Invalid(path, value, detail).Error() */
function invalidField(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${goQuote(value)}: ${detail}`;
}

/** utilerrors.NewAggregate(errs).Error(): one message alone, several deduplicated inside [..]. */
function aggregate(messages: string[]): string {
  const seen = [...new Set(messages)];
  return seen.length === 1 ? (seen[0] ?? '') : `[${seen.join(', ')}]`;
}

/* ----------------------------------------------------------------------------------------------
 * Label selector lexer and parser
 * -------------------------------------------------------------------------------------------- */

type Tok =
  | 'error' | 'eos' | 'closedPar' | 'comma' | 'doesNotExist' | 'doubleEquals' | 'equals' | 'gt'
  | 'identifier' | 'in' | 'lt' | 'notEquals' | 'notIn' | 'openPar';

const STRING_TO_TOKEN: Record<string, Tok> = {
  ')': 'closedPar', ',': 'comma', '!': 'doesNotExist', '==': 'doubleEquals', '=': 'equals', '>': 'gt',
  in: 'in', '<': 'lt', '!=': 'notEquals', notin: 'notIn', '(': 'openPar',
};

interface Item { tok: Tok; lit: string }

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch) && ch.length === 1;

function lex(text: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWhitespace(text[pos] ?? '')) pos++;
    const ch = text[pos];
    if (ch === undefined || ch === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(ch)) {
      // Grow the operator while it still spells a token: "!" -> "!=", "=" -> "==".
      let buffer = '';
      let last: Item | undefined;
      while (pos < text.length && isSpecial(text[pos] ?? '')) {
        buffer += text[pos];
        const tok = STRING_TO_TOKEN[buffer];
        if (tok) {
          last = { tok, lit: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let word = '';
    while (pos < text.length) {
      const c = text[pos] ?? '';
      if (c === '\0' || isSpecial(c) || isWhitespace(c)) break;
      word += c;
      pos++;
    }
    items.push({ tok: STRING_TO_TOKEN[word] ?? 'identifier', lit: word });
  }
}

type Operator = 'exists' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement { key: string; op: Operator; values: string[] }

/** Thrown inside the parser; carries the message exactly as apimachinery's error reads. */
class SelectorSyntaxError extends Error {}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

class LabelParser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  private item(context: 'values' | 'keyAndOperator', advance: boolean): Item {
    const found = this.items[Math.min(this.position, this.items.length - 1)] ?? { tok: 'eos', lit: '' };
    if (advance) this.position++;
    // In a value position `in` and `notin` are plain words.
    if (context === 'values' && (found.tok === 'in' || found.tok === 'notIn')) return { tok: 'identifier', lit: found.lit };
    return found;
  }
  private lookahead(context: 'values' | 'keyAndOperator' = 'values'): Item { return this.item(context, false); }
  private consume(context: 'values' | 'keyAndOperator' = 'values'): Item { return this.item(context, true); }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead();
      if (tok === 'identifier' || tok === 'doesNotExist') {
        try {
          requirements.push(this.parseRequirement());
        } catch (err) {
          if (err instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
          throw err;
        }
        const next = this.consume();
        if (next.tok === 'eos') return requirements;
        if (next.tok === 'comma') {
          const after = this.lookahead();
          if (after.tok !== 'identifier' && after.tok !== 'doesNotExist') {
            throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
          }
          continue;
        }
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'eos') return requirements;
      throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): Requirement {
    let first = this.consume();
    let negated = false;
    if (first.tok === 'doesNotExist') {
      negated = true;
      first = this.consume();
    }
    if (first.tok !== 'identifier') throw new SelectorSyntaxError(`found '${first.lit}', expected: identifier`);
    const key = first.lit;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length > 0) throw new SelectorSyntaxError(invalidField('<nil>', key, keyErrs.join('; ')));
    // `!key` is always complete (whatever follows is the caller's problem); a bare `key` is an
    // existence test when `,` or the end follows.
    if (negated) return newRequirement(key, '!', []);
    const after = this.lookahead().tok;
    if (after === 'eos' || after === 'comma') return newRequirement(key, 'exists', []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort());
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in': return 'in';
      case 'equals': return '=';
      case 'doubleEquals': return '==';
      case 'gt': return 'gt';
      case 'lt': return 'lt';
      case 'notIn': return 'notin';
      case 'notEquals': return '!=';
      default: throw new SelectorSyntaxError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume();
    if (open.tok !== 'openPar') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead();
    if (tok === 'identifier' || tok === 'comma') {
      const values = this.parseIdentifiersList();
      if (this.consume().tok !== 'closedPar') throw new SelectorSyntaxError(`found '${lit}', expected: ')'`);
      return values;
    }
    if (tok === 'closedPar') {
      this.consume();
      return new Set(['']);
    }
    throw new SelectorSyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume();
      if (tok === 'identifier') {
        values.add(lit);
        const next = this.lookahead();
        if (next.tok === 'comma') continue;
        if (next.tok === 'closedPar') return values;
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === 'comma') {
        if (values.size === 0) values.add(''); // "(,"
        const next = this.lookahead().tok;
        if (next === 'closedPar') {
          values.add(''); // ",)"
          return values;
        }
        if (next === 'comma') values.add(''); // ",,"
        continue;
      }
      throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead().tok;
    if (next === 'eos' || next === 'comma') return new Set(['']);
    const { tok, lit } = this.consume();
    if (tok === 'identifier') return new Set([lit]);
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

const GO_INT = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseInt64(text: string): bigint | undefined {
  if (!GO_INT.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** labels.NewRequirement's validation, with its field paths (`values[i][key]`). */
function newRequirement(key: string, op: Operator, values: string[]): Requirement {
  const errs: string[] = [];
  if (op === 'gt' || op === 'lt') {
    values.forEach((value, i) => {
      if (parseInt64(value) === undefined) {
        errs.push(invalidField(`values[${i}]`, value, "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
    });
  }
  values.forEach((value, i) => {
    const problems = labelValueErrors(value);
    if (problems.length > 0) errs.push(invalidField(`values[${i}][${key}]`, value, problems.join('; ')));
  });
  if (errs.length > 0) throw new SelectorSyntaxError(aggregate(errs));
  return { key, op, values };
}

function requirementMatches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.op) {
    case 'exists': return has;
    case '!': return !has;
    case '=': case '==': case 'in': return value !== undefined && req.values.includes(value);
    case '!=': case 'notin': return value === undefined || !req.values.includes(value);
    case 'gt': case 'lt': {
      if (value === undefined) return false;
      const actual = parseInt64(value);
      const wanted = parseInt64(req.values[0] ?? '');
      if (actual === undefined || wanted === undefined) return false;
      return req.op === 'gt' ? actual > wanted : actual < wanted;
    }
  }
}

/**
 * Parses a `labelSelector` query value. An empty (or blank) selector matches everything.
 * Throws the apiserver's 400 BadRequest on bad syntax, keys or values.
 */
export function parseLabelSelector(text: string): LabelSelector {
  let requirements: Requirement[];
  try {
    requirements = new LabelParser(lex(text)).parse();
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw badRequest(err.message);
    throw err;
  }
  return (labels) => requirements.every((req) => requirementMatches(req, labels ?? {}));
}

/** A metav1.LabelSelector (matchLabels / matchExpressions) as a structured object. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * metav1.LabelSelectorAsSelector: `{}` matches everything, a missing selector nothing. An
 * expression with an unknown operator or the wrong number of values makes the selector match
 * nothing (the apiserver would have rejected such an object at validation).
 */
export function labelSelectorFromSpec(spec: LabelSelectorSpec | null | undefined): LabelSelector {
  if (!spec) return () => false;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(spec.matchLabels ?? {})) requirements.push({ key, op: '=', values: [value] });
  for (const expr of spec.matchExpressions ?? []) {
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In': if (values.length === 0) return () => false; requirements.push({ key: expr.key, op: 'in', values }); break;
      case 'NotIn': if (values.length === 0) return () => false; requirements.push({ key: expr.key, op: 'notin', values }); break;
      case 'Exists': if (values.length > 0) return () => false; requirements.push({ key: expr.key, op: 'exists', values: [] }); break;
      case 'DoesNotExist': if (values.length > 0) return () => false; requirements.push({ key: expr.key, op: '!', values: [] }); break;
      default: return () => false;
    }
  }
  return (labels) => requirements.every((req) => requirementMatches(req, labels ?? {}));
}

/* ----------------------------------------------------------------------------------------------
 * Field selectors
 * -------------------------------------------------------------------------------------------- */

export interface FieldRequirement { field: string; operator: '=' | '==' | '!='; value: string }

/** Cuts on commas not escaped by a backslash; the backslashes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: FieldRequirement['operator']; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(text: string): string {
  if (!/[\\,=]/.test(text)) return text;
  let out = '';
  let inSlash = false;
  for (const c of text) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the rune with %v, i.e. as its number.
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The terms of a `fieldSelector` query value, sorted as the apiserver sorts them, values unescaped.
 * Throws the apiserver's 400 BadRequest on bad syntax. Does not check which fields are supported.
 */
export function parseFieldSelectorRequirements(text: string): FieldRequirement[] {
  const parts = splitTerms(text).sort(byteCompare);
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    requirements.push({ field: split.lhs, operator: split.op, value: unescapeValue(split.rhs) });
  }
  return requirements;
}

/** The string a field selector compares against: scalars as text, anything missing as "". */
export function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return '';
    current = (current as Record<string, unknown>)[segment];
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'number' || typeof current === 'boolean' || typeof current === 'bigint') return String(current);
  return '';
}

/**
 * Parses a `fieldSelector` query value; `supported(field)` says which fields this resource can be
 * selected by (for custom resources: metadata.name, metadata.namespace when namespaced, and the
 * CRD's selectableFields). An empty selector matches everything. Throws the apiserver's 400
 * BadRequest on bad syntax or `field label not supported: <field>`.
 */
export function parseFieldSelector(text: string, supported: (field: string) => boolean): FieldSelector {
  const requirements = parseFieldSelectorRequirements(text);
  for (const req of requirements) {
    if (!supported(req.field)) throw badRequest(`field label not supported: ${req.field}`);
  }
  return (object) =>
    requirements.every((req) => {
      const actual = fieldValue(object, req.field);
      return req.operator === '!=' ? actual !== req.value : actual === req.value;
    });
}
