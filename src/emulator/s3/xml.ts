/** Just enough XML for S3: building responses and reading the one-level request documents it takes. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const unescapeXml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (entity: string, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return Object.entries(ESCAPES).find(([, e]) => e === entity)![0];
  });

export type XmlChildren = Array<string | undefined>;

/** An element; an undefined child is left out, so optional members read naturally at the call site. */
export function element(name: string, ...children: XmlChildren): string {
  return `<${name}>${children.filter((c) => c !== undefined).join('')}</${name}>`;
}

export const textElement = (name: string, text: string | number | boolean) => `<${name}>${escapeXml(String(text))}</${name}>`;

export const optionalTextElement = (name: string, text: string | number | undefined) => (text === undefined ? undefined : textElement(name, text));

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function xmlDocument(root: string, ...children: XmlChildren): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${children.filter((c) => c !== undefined).join('')}</${root}>`;
}

/** Whether the body is a document with this root element (any namespace, any attributes). */
export function hasRoot(xml: string, root: string): boolean {
  return new RegExp(`^(<\\?xml[^>]*\\?>)?\\s*<${root}(\\s[^>]*)?>[\\s\\S]*</${root}>\\s*$`).test(xml.trim());
}

/** The text of the first element with this name, or undefined when there is none. */
export function childText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>|<${name}(?:\\s[^>]*)?/>`).exec(xml);
  if (!match) return undefined;
  return unescapeXml(match[1] ?? '');
}
