import { terminalSafe } from './output';

describe('terminalSafe', () => {
  it('escapes a line feed, the Unicode line and paragraph separators and a bidi override where a value stays on its line', () => {
    expect(terminalSafe('reason a\nb\u2028c\u2029d\u202Ee')).toBe('reason a\\u000ab\\u2028c\\u2029d\\u202ee');
  });

  it('keeps line feeds and the separators in multi-line text and still escapes an escape sequence', () => {
    expect(terminalSafe('a\nb\u2028c\u001b[2J', true)).toBe('a\nb\u2028c\\u001b[2J');
  });
});
