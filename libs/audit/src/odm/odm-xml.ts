import { XmlStreamWriter } from './xml-stream-writer';

export type X = XmlStreamWriter;

/** An element with its attributes and whatever `body` writes inside it (`<A/>` when nothing). */
export const el = (x: X, name: string, attributes: Readonly<Record<string, string>> = {}, body?: () => void): void => {
  x.ele(name, attributes);
  body?.();
  x.up();
};
export const textEl = (x: X, name: string, text: string, attributes: Readonly<Record<string, string>> = {}): void => {
  x.ele(name, attributes).txt(text).up();
};
