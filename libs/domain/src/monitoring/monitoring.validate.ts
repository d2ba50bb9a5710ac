import { invalid } from '../shared/domain-error';
import { isBlankText, requirePrintable } from '../shared/free-text';
import { QUERY_ID } from './monitoring.types';

/**
 * Query texts are free text from people at a site and a monitor: they are shown in the casebook, the
 * report and the ODM export, so control characters (other than tab, newline and carriage return) and the Unicode
 * bidirectional overrides that can make a text read differently from what it says are refused.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Query texts are bounded like the longest free text of a payload. */
const MAX_QUERY_TEXT = 2000;

export const queryText = (p: Record<string, unknown>, field: string): string => {
  const value = p[field];
  if (typeof value !== 'string' || isBlankText(value)) return invalid('VALIDATION.REQUIRED', `${field} is required (a non-empty text)`, { field });
  if (value.length > MAX_QUERY_TEXT) invalid('VALIDATION.TOO_LONG', `${field} is longer than ${MAX_QUERY_TEXT} characters`, { field, maxLength: MAX_QUERY_TEXT });
  if (UNSAFE_CHARACTERS.test(value)) invalid('VALIDATION.CONTROL_CHARACTERS', `${field} contains control or bidirectional-override characters`, { field });
  return requirePrintable(field, value.trim());
};

export const optionalQueryText = (p: Record<string, unknown>, field: string): string | null =>
  p[field] === undefined || p[field] === null ? null : queryText(p, field);

export const queryIdOf = (p: Record<string, unknown>): string => {
  const value = p.queryId;
  if (typeof value !== 'string' || !QUERY_ID.test(value)) invalid('QUERY.INVALID_ID', 'queryId must be 32 lower-case hexadecimal digits', { field: 'queryId' });
  return value as string;
};
