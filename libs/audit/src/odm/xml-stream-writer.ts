/**
 * A streaming XML serializer for the ODM export: elements, attributes and text, written as strings to a
 * sink, with the indentation xmlbuilder2's pretty printer used (two spaces per level, `<A/>` for an empty
 * element, text inline), so exports made before and after the switch compare line by line.
 *
 * Why not xmlbuilder2's callback builder, which the export used before: it builds a DOM node (and a
 * document fragment for every text) per element before serializing it, which took ~85 % of the export's
 * CPU (`node --cpu-prof`, 10,000 events: 16 s of 19 s) and made a 1,000,000-event export take 21 min.
 * Names here are the exporter's own constants; values are escaped completely: `&` always (the library
 * left an `&lt;` typed by a user as it was, so a reader saw `<`), and tab, CR and LF in attribute values
 * as character references (attribute-value normalization would turn them into spaces otherwise).
 */
export class XmlStreamWriter {
  private readonly open: Array<{ name: string; hasText: boolean; hasChildren: boolean }> = [];
  /** The start tag of the innermost element is not finished yet: `>` or `/>` depends on what follows. */
  private tagPending = false;
  private written = false;

  constructor(
    private readonly sink: (chunk: string) => void,
    private readonly prettyPrint = true,
  ) {}

  dec(options: { version: string; encoding: string }): this {
    this.push(`${this.lineStart(0)}<?xml version="${options.version}" encoding="${options.encoding}"?>`);
    return this;
  }

  /** Opens an element; `namespace` writes it as the default namespace (the root element). */
  ele(name: string, attributes: Readonly<Record<string, string>> = {}, namespace?: string): this {
    this.finishStartTag(true);
    let tag = `${this.lineStart(this.open.length)}<${name}`;
    if (namespace !== undefined) tag += ` xmlns="${escapeAttribute(namespace)}"`;
    for (const key in attributes) tag += ` ${key}="${escapeAttribute(attributes[key])}"`;
    this.push(tag);
    this.open.push({ name, hasText: false, hasChildren: false });
    this.tagPending = true;
    return this;
  }

  txt(text: string): this {
    const top = this.open[this.open.length - 1];
    if (top === undefined) throw new Error('Text needs an open element');
    this.finishStartTag(false);
    top.hasText = true;
    this.push(escapeText(text));
    return this;
  }

  up(): this {
    const top = this.open.pop();
    if (top === undefined) throw new Error('No open element to close');
    if (this.tagPending) {
      this.tagPending = false;
      this.push('/>');
    } else {
      this.push(`${top.hasText && !top.hasChildren ? '' : this.lineStart(this.open.length)}</${top.name}>`);
    }
    return this;
  }

  /** Closes every element still open. */
  end(): void {
    while (this.open.length > 0) this.up();
  }

  private finishStartTag(childElement: boolean): void {
    const parent = this.open[this.open.length - 1];
    if (parent !== undefined && childElement) parent.hasChildren = true;
    if (!this.tagPending) return;
    this.tagPending = false;
    this.push('>');
  }

  private lineStart(level: number): string {
    if (!this.prettyPrint) return '';
    return `${this.written ? '\n' : ''}${'  '.repeat(level)}`;
  }

  private push(chunk: string): void {
    this.written = true;
    this.sink(chunk);
  }
}

/**
 * Characters XML 1.0 cannot carry at all, not even as character references (C0 controls other than
 * tab, CR and LF; lone surrogates; U+FFFE/U+FFFF). Free text in the ledger (an adverse-event term, a
 * reason) may hold them; the ledger keeps the original bytes, the export shows U+FFFD in their place.
 */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const XML_ILLEGAL_ALL = new RegExp(XML_ILLEGAL.source, 'gu');
export const xmlSafe = (text: string): string => (XML_ILLEGAL.test(text) ? text.replace(XML_ILLEGAL_ALL, '\uFFFD') : text);

const TEXT_SPECIAL = /[&<>\r]/;
const ATTRIBUTE_SPECIAL = /[&<>"\t\n\r]/;
const REFERENCES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
const reference = (c: string): string => REFERENCES[c];

/** Character data: `&`, `<`, `>` and CR (which a parser would turn into LF) as references. */
export const escapeText = (raw: string): string => {
  const text = xmlSafe(raw);
  return TEXT_SPECIAL.test(text) ? text.replace(/[&<>\r]/g, reference) : text;
};

/** An attribute value in double quotes: also `"`, tab and LF, which attribute-value normalization would lose. */
export const escapeAttribute = (raw: string): string => {
  const value = xmlSafe(raw);
  return ATTRIBUTE_SPECIAL.test(value) ? value.replace(/[&<>"\t\n\r]/g, reference) : value;
};
