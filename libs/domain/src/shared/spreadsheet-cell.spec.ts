import { spreadsheetSafe } from './spreadsheet-cell';

describe('spreadsheetSafe (OWASP CSV injection)', () => {
  it.each(['=1+1', '+1+1', '-2+3', '@SUM(A1:A9)', '\t=cmd', '\r=cmd', '=HYPERLINK("http://x.test","open")'])('prefixes %j with a single quote', (value) => {
    expect(spreadsheetSafe(value)).toBe(`'${value}`);
  });
  it.each(['', 'rash', '2026-03-01', 'a=b', "'already quoted", ' =leading space'])('leaves %j as it is', (value) => {
    expect(spreadsheetSafe(value)).toBe(value);
  });
});
