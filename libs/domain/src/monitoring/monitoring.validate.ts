import { invalid } from '../shared/domain-error';
import { isBlankText, requirePrintable, UNPRINTABLE_TEXT_CODE } from '../shared/free-text';
import { QUERY_ID } from './monitoring.types';

/**
 * Query texts are free text from people at a site and a monitor, shown in the casebook, the report and
 * the ODM export: they follow the one free-text rule (`requirePrintable`: controls, bidirectional
 * overrides and isolates, lone surrogates, non-characters), refused with its code and the character
 * named, as a reason or a term is. A thread also refuses the directional marks U+200E/U+200F, which
 * reorder the neutral characters around them (a date or a number in the question can read reversed).
 */
const DIRECTIONAL_MARKS = /[\u200e\u200f]/u;

/** Query texts are bounded like the longest free text of a payload. */
const MAX_QUERY_TEXT = 2000;

export const queryText = (p: Record<string, unknown>, field: string): string => {
  const value = p[field];
  if (typeof value !== 'string' || isBlankText(value)) return invalid('VALIDATION.REQUIRED', `${field} is required (a non-empty text)`, { field });
  if (value.length > MAX_QUERY_TEXT) invalid('VALIDATION.TOO_LONG', `${field} is longer than ${MAX_QUERY_TEXT} characters`, { field, maxLength: MAX_QUERY_TEXT });
  requirePrintable(field, value);
  const mark = DIRECTIONAL_MARKS.exec(value);
  if (mark) {
    const character = `U+${mark[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    invalid(UNPRINTABLE_TEXT_CODE, `${field} contains the directional mark ${character}; only printable text, tabs and line breaks are recorded`, { field, character });
  }
  return value.trim();
};

export const optionalQueryText = (p: Record<string, unknown>, field: string): string | null =>
  p[field] === undefined || p[field] === null ? null : queryText(p, field);

export const queryIdOf = (p: Record<string, unknown>): string => {
  const value = p.queryId;
  if (typeof value !== 'string' || !QUERY_ID.test(value)) invalid('QUERY.INVALID_ID', 'queryId must be 32 lower-case hexadecimal digits', { field: 'queryId' });
  return value as string;
};
