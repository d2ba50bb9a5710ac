import { counted } from '@trial-ledger/domain';
import { terminalSafe } from './output';

describe('terminalSafe', () => {
  it('escapes a line feed, the Unicode line and paragraph separators and a bidi override where a value stays on its line', () => {
    expect(terminalSafe('reason a\nb\u2028c\u2029d\u202Ee')).toBe('reason a\\u000ab\\u2028c\\u2029d\\u202ee');
  });

  it('keeps line feeds and the separators in multi-line text and still escapes an escape sequence', () => {
    expect(terminalSafe('a\nb\u2028c\u001b[2J', true)).toBe('a\nb\u2028c\\u001b[2J');
  });
});

describe('counted', () => {
  it('puts a count in the right number: 1 subject, 0 and 2 subjects, and an irregular plural', () => {
    expect([counted(1, 'subject'), counted(0, 'subject'), counted(2, 'subject'), counted(1, 'query', 'queries'), counted(3, 'query', 'queries')]).toEqual([
      '1 subject',
      '0 subjects',
      '2 subjects',
      '1 query',
      '3 queries',
    ]);
  });
});
