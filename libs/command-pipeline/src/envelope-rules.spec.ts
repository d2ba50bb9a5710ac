import { IDEMPOTENCY_KEY_MAX_LENGTH, MAX_COMMAND_DEPTH, firstDuplicateKey, firstInexactNumber, isValidIdempotencyKey, nestsDeeperThan, scanJsonText } from './envelope-rules';

describe('envelope rules (one rule for the API, the CLI and import)', () => {
  it.each([
    ['a UUID', '0192f3a4-7b1c-7def-8abc-1234567890ab', true],
    ['a file:line reference', 'site-3.jsonl:42', true],
    ['255 characters', 'k'.repeat(IDEMPOTENCY_KEY_MAX_LENGTH), true],
    ['256 characters', 'k'.repeat(IDEMPOTENCY_KEY_MAX_LENGTH + 1), false],
    ['the empty string', '', false],
    ['a space', 'two words', false],
    ['a NUL', 'k\u0000', false],
    ['a line break', 'k\nforged', false],
    ['a non-ASCII letter', 'clé', false],
    ['a number', 42, false],
  ])('an idempotency key of %s: valid = %s', (_what, key, valid) => {
    expect(isValidIdempotencyKey(key)).toBe(valid);
  });

  it('nesting: the limit itself passes, one level more does not, and a 100,000-deep value is refused without recursion', () => {
    const nested = (levels: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i += 1) value = [value];
      return value;
    };
    expect(nestsDeeperThan(nested(MAX_COMMAND_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nested(MAX_COMMAND_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan(nested(100_000))).toBe(true);
    expect(nestsDeeperThan({ targetLesions: [{ lesionId: 'T1' }] })).toBe(false);
  });

  it.each([
    ['a repeated top-level member', '{"subjectId":"S001","subjectId":"S002"}', '/subjectId'],
    ['a repeated member in a nested object', '{"changes":{"doseMg":120,"doseMg":90},"reason":"r"}', '/changes/doseMg'],
    ['a repeated member in an array element', '{"targetLesions":[{"lesionId":"T1"},{"lesionId":"T2","organ":"liver","organ":"lung"}]}', '/targetLesions/1/organ'],
    ['one name spelled with an escape', '{"reason":"a","\\u0072eason":"b"}', '/reason'],
    ['a name holding "/" and "~"', '{"a/~b":1,"a/~b":2}', '/a~1~0b'],
  ])('%s is found, with its JSON pointer', (_what, text, pointer) => {
    expect(firstDuplicateKey(text)).toBe(pointer);
  });

  it.each([
    ['distinct members', '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}'],
    ['the same name in sibling objects', '[{"a":1},{"a":2}]'],
    ['a value equal to a member name', '{"a":"a","b":"a"}'],
    ['quotes, braces and commas inside strings', '{"a":"x\\",\\"a\\":{","b":"}]"}'],
    ['text that is not JSON (the parser refuses it)', '{"a":1,"a'],
  ])('%s: no duplicate', (_what, text) => {
    expect(firstDuplicateKey(text)).toBeNull();
  });
});

describe('firstInexactNumber', () => {
  it.each([
    ['{"a":1,"b":[1.0,2.50e1,-0,0.0e5],"c":"1e400"}'],
    ['{"d":0.30000000000000004,"e":1e21,"f":1.5e-7,"g":1E+2,"h":-12.25}'],
    ['{"s":"a\\"1e999","t\\"":[120]}'],
  ])('reads %s as written', (text) => {
    expect(firstInexactNumber(text)).toBeNull();
  });

  it.each([
    ['{"doseMg":1e400}', '/doseMg', '1e400', 'overflow'],
    ['{"a":{"b":[0,-1e400]}}', '/a/b/1', '-1e400', 'overflow'],
    ['{"doseMg":120.00000000000000001}', '/doseMg', '120.00000000000000001', 'rounded'],
    ['{"targetLesions":[{"diameterMm":12},{"diameterMm":1e-400}]}', '/targetLesions/1/diameterMm', '1e-400', 'rounded'],
    ['{"c\\u0079cle":9007199254740993}', '/cycle', '9007199254740993', 'rounded'],
    ['[1,{"a/b":100000000000000000000001}]', '/1/a~1b', '100000000000000000000001', 'rounded'],
  ])('finds %s', (text, pointer, literal, kind) => {
    expect(firstInexactNumber(text)).toEqual({ pointer, literal, kind });
  });
});

describe('scanJsonText', () => {
  it('finds a repeated name and an inexact number in the same pass, each at its own pointer', () => {
    expect(scanJsonText('{"a":[{"b":1e400}],"c":{"d":1,"d":2}}')).toEqual({
      duplicateKey: '/c/d',
      inexactNumber: { pointer: '/a/0/b', literal: '1e400', kind: 'overflow' },
    });
    expect(scanJsonText('{"x":{"y":1,"y":2},"z":[3,120.00000000000000001]}')).toEqual({
      duplicateKey: '/x/y',
      inexactNumber: { pointer: '/z/1', literal: '120.00000000000000001', kind: 'rounded' },
    });
  });

  it('keeps the first of each kind', () => {
    expect(scanJsonText('{"a":1e400,"a":1e-400,"a":3}')).toEqual({
      duplicateKey: '/a',
      inexactNumber: { pointer: '/a', literal: '1e400', kind: 'overflow' },
    });
  });

  it('finds nothing in a command as clients send it', () => {
    expect(scanJsonText('{"cycle":3,"administeredOn":"2026-01-29","doseMg":120,"route":"deep-subcutaneous","weightKg":71.5,"idempotencyKey":"k-1"}')).toEqual({
      duplicateKey: null,
      inexactNumber: null,
    });
  });
});
