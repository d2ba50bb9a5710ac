/**
 * Leading characters that make a spreadsheet read a CSV cell as a formula (CSV/formula injection,
 * CWE-1236): `=`, `+`, `-`, `@`, and tab or carriage return, which some programs skip before looking.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell as OWASP's CSV-injection guidance neutralises it: prefixed with a single quote when it
 * would start a formula, so a reason typed as `=HYPERLINK(…)` opens as the text the user typed, never
 * as a live formula on a monitor's or a statistician's machine. Numbers are not text and are never
 * touched (a negative AVAL stays a number).
 */
export const spreadsheetSafe = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);
