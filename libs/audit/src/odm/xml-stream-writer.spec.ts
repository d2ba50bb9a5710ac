import { XmlStreamWriter } from './xml-stream-writer';

const write = (build: (x: XmlStreamWriter) => void, prettyPrint = true): string => {
  let out = '';
  const x = new XmlStreamWriter((chunk) => (out += chunk), prettyPrint);
  build(x);
  return out;
};

describe('XmlStreamWriter: the ODM export\'s serializer', () => {
  it('indents two spaces per level, closes empty elements with />, keeps text inline and ends without a newline', () => {
    const xml = write((x) => {
      x.dec({ version: '1.0', encoding: 'UTF-8' });
      x.ele('ODM', { FileOID: 'F1' }, 'http://www.cdisc.org/ns/odm/v1.3');
      x.ele('Study', { OID: 'S' }).ele('Empty').up().ele('Name').txt('LANR').up().up();
      x.ele('Blank').txt('').up();
      x.end();
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="F1">\n  <Study OID="S">\n    <Empty/>\n    <Name>LANR</Name>\n  </Study>\n  <Blank></Blank>\n</ODM>',
    );
  });

  it('escapes every & (a typed "&lt;" stays four characters), and tab, CR and LF in attributes, as XML 1.0 requires for a parser to read back the original values', () => {
    const hostile = 'a &lt; b & "c" <d>\te\r\nf';
    const xml = write((x) => x.ele('Root', { Value: hostile }).ele('Comment').txt(hostile).up().up());
    expect(xml).toContain('a &amp;lt; b &amp; &quot;c&quot; &lt;d&gt;&#9;e&#13;&#10;f');
    expect(xml).toContain('<Comment>a &amp;lt; b &amp; "c" &lt;d&gt;\te&#13;\nf</Comment>');
  });

  it('replaces characters XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFF) by U+FFFD', () => {
    const xml = write((x) => x.ele('Root', { Term: 'x\u0001y' }).txt('\uD800z\uFFFF').up(), false);
    expect(xml).toBe('<Root Term="x\uFFFDy">\uFFFDz\uFFFD</Root>');
  });

  it('refuses text outside an element and a close without an open element (a bug in the exporter, not bad data)', () => {
    expect(() => write((x) => x.txt('loose'))).toThrow(/open element/);
    expect(() => write((x) => x.up())).toThrow(/No open element/);
  });
});
