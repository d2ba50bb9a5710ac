import { invalid } from './domain-error';

/**
 * Characters free text (reasons, terms, lot numbers, descriptions, causes, …) may not contain: C0
 * controls other than tab and line feed (a carriage return only as part of CRLF), DEL, C1 controls,
 * the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), a lone
 * surrogate (half of a UTF-16 pair, which JSON's `\uD800` escape can carry) and the non-characters
 * U+FFFE and U+FFFF. The ledger is an ALCOA+ record read by people: an escape sequence can rewrite a
 * terminal line and an override (CVE-2021-42574, "Trojan Source") can make a reason display as
 * different words in every view, while a NUL, a lone surrogate or U+FFFE cannot be written to XML
 * (ODM) or UTF-8 (CSV, HTML) at all — each would reach a regulator's copy as U+FFFD, not as recorded.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this rule
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF\uFFFE\uFFFF]|\r(?!\n)/u;

/** The code of every such refusal, whether the API, the CLI or an import line met it. */
export const UNPRINTABLE_TEXT_CODE = 'VALIDATION.UNPRINTABLE_CHARACTER';

/** `U+202E` for the first forbidden character of `value`, or `null` when it has none. */
export const firstUnprintable = (value: string): string | null => {
  const match = FORBIDDEN.exec(value);
  if (!match) return null;
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
};

/** Refuses (kind `validation`) free text holding a forbidden character; returns the text unchanged. */
export const requirePrintable = (field: string, value: string): string => {
  const character = firstUnprintable(value);
  if (character !== null) {
    invalid(UNPRINTABLE_TEXT_CODE, `${field} contains the control or bidirectional-override character ${character}; only printable text, tabs and line breaks are recorded`, { field, character });
  }
  return value;
};

/**
 * Characters that show nothing and take no space: the format characters (zero-width space and joiners,
 * word joiner, soft hyphen, byte-order mark, the bidirectional marks), Unicode's other default-ignorable
 * code points (the combining grapheme joiner, variation selectors, Khmer inherent vowels, Mongolian free
 * variation selectors — rendered as nothing when nothing precedes them) and the "filler" letters that
 * render as blanks (Hangul fillers, the blank Braille pattern).
 */
const HIDDEN = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/** Whether `value` holds a character that shows nothing (`B\u200b` prints as `B`): one a name may not hold. */
export const hasHiddenCharacter = (value: string): boolean => value.search(HIDDEN) !== -1;

/** A text as a reader sees it: its hidden characters left out, its spacing kept. */
export const withoutHiddenCharacters = (value: string): string => value.replace(HIDDEN, '');

/**
 * A name as a reader sees it: hidden characters left out, runs of white space read as one, trimmed, and
 * in Unicode's composed form (NFC). Two names that print alike (`liver`, `liver\u200b`, ` liver `, and
 * `Côlon` typed with U+00F4 or with `o` + U+0302, as a macOS file or another keyboard may give it) have
 * one reading form.
 */
export const asRead = (value: string): string => withoutHiddenCharacters(value).normalize('NFC').trim().replace(/\s+/g, ' ');

/** `asRead` without case: the form two names take when they compare as a reader would (`Deep-SC`, `deep-sc`). */
export const asReadCaseless = (value: string): string => asRead(value).toLowerCase();

/** Whether two names read alike: the same but for case, runs of spaces and hidden characters. */
export const readAlike = (a: string, b: string): boolean => a === b || asReadCaseless(a) === asReadCaseless(b);

/**
 * Whether a text shows nothing to its reader. A required text — a reason for a change (Part 11
 * §11.10(e)), an adverse event's term, a query — made only of such characters would be recorded, and
 * shown everywhere, as blank: it is refused like an empty one.
 */
export const isBlankText = (value: string): boolean => withoutHiddenCharacters(value).trim() === '';

/** The number of characters a reader sees (code points, white space and hidden ones left out): what a reason's length is judged by. */
export const visibleLength = (value: string): number => [...withoutHiddenCharacters(value).replace(/\s/g, '')].length;
