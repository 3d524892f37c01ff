/** Just enough XML writing for awsQuery answers: escaped text and nested elements. */

/** A value that becomes XML: objects become child elements, arrays become `<member>` lists, undefined is left out. */
export type XmlValue = string | number | boolean | undefined | readonly XmlValue[] | { readonly [name: string]: XmlValue };

/** A carriage return is written as a reference because XML parsers turn a literal one into a line feed. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** XML 1.0's `Char` production: anything else cannot be written, not even as a reference. */
function isXmlChar(codePoint: number): boolean {
  return codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd || (codePoint >= 0x20 && codePoint <= 0xd7ff) || (codePoint >= 0xe000 && codePoint <= 0xfffd) || codePoint >= 0x10000;
}

/** Escapes text for an element; characters XML cannot carry (echoed input may hold them) become U+FFFD. */
export function xmlEscape(text: string): string {
  let out = '';
  for (const char of text) out += isXmlChar(char.codePointAt(0)!) ? (ESCAPES[char] ?? char) : '\uFFFD';
  return out;
}

export function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  return `<${name}>${content(value)}</${name}>`;
}

function content(value: Exclude<XmlValue, undefined>): string {
  if (typeof value === 'string') return xmlEscape(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isList(value)) return value.map((item) => element('member', item)).join('');
  return Object.entries(value)
    .map(([name, child]) => element(name, child))
    .join('');
}

function isList(value: object): value is readonly XmlValue[] {
  return Array.isArray(value);
}
