import type { XMLBuilderCB } from 'xmlbuilder2/lib/interfaces';

export type X = XMLBuilderCB;

/**
 * Characters XML 1.0 cannot carry at all, not even as character references (C0 controls other than
 * tab, CR and LF; lone surrogates; U+FFFE/U+FFFF). Free text in the ledger (an adverse-event term, a
 * reason) may hold them, and xmlbuilder2's callback writer passes them through, which made the whole
 * export not well-formed. The ledger keeps the original bytes; the export shows U+FFFD in their place.
 */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
export const xmlSafe = (text: string): string => text.replace(XML_ILLEGAL, '\uFFFD');
export const xmlSafeAttributes = (attributes: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, xmlSafe(value)]));

export const el = (x: X, name: string, attributes: Record<string, string> = {}, body?: () => void): void => {
  x.ele(name, xmlSafeAttributes(attributes));
  body?.();
  x.up();
};
export const textEl = (x: X, name: string, text: string, attributes: Record<string, string> = {}): void => {
  x.ele(name, xmlSafeAttributes(attributes)).txt(xmlSafe(text)).up();
};
