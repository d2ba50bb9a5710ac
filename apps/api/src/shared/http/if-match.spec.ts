import { ApiProblemException } from '../problem-details/api-problem.exception';
import { etagFor, parseIfMatch } from './if-match';
import { resolveIdempotencyKey } from './idempotency-key';

describe('If-Match → expected stream version', () => {
  it.each([
    ['"0"', 0],
    ['"7"', 7],
    [' "12" ', 12],
  ])('given If-Match %s, then the client pinned version %d', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('given no If-Match or "*", then the command is not pinned', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });

  it.each(['W/"3"', '3', '"3", "4"', '"-1"', '"03"', '"abc"', '""'])('given If-Match %s, then it is refused as REQUEST.INVALID_IF_MATCH', (header) => {
    expect(() => parseIfMatch(header)).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID_IF_MATCH', status: 400 }));
  });

  it('the ETag of version n is the strong tag "n", which parses back to n', () => {
    expect(etagFor(5)).toBe('"5"');
    expect(parseIfMatch(etagFor(5))).toBe(5);
  });
});

describe('Idempotency-Key from header or body', () => {
  it('takes either one, or both when they agree; none → null', () => {
    expect(resolveIdempotencyKey('k-1', undefined)).toBe('k-1');
    expect(resolveIdempotencyKey(undefined, 'k-2')).toBe('k-2');
    expect(resolveIdempotencyKey('k-3', 'k-3')).toBe('k-3');
    expect(resolveIdempotencyKey(undefined, undefined)).toBeNull();
  });

  it('refuses a header and a body key that disagree, and a key with spaces or over 255 characters', () => {
    expect(() => resolveIdempotencyKey('a', 'b')).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY.KEY_MISMATCH' }));
    expect(() => resolveIdempotencyKey('has space', undefined)).toThrow(ApiProblemException);
    expect(() => resolveIdempotencyKey('x'.repeat(256), undefined)).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID_IDEMPOTENCY_KEY' }));
  });
});
