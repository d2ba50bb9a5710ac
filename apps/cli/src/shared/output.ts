/**
 * Characters a terminal acts on or reorders rather than shows: C0 controls but tab (line feed too where
 * a value must stay on its line, and so the Unicode line and paragraph separators U+2028/U+2029, which the
 * free-text rule records as line breaks and which some viewers and editors break a line on), DEL, C1 controls and the bidirectional embeddings, overrides and
 * isolates. The ledger refuses them in new free text, but a record written before that rule (or by
 * another tool) still holds them, and printed raw an escape sequence rewrites what the reader sees
 * (CVE-2021-42574 for the overrides). They are shown as `\u001b`-style escapes instead.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_LINE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;
// eslint-disable-next-line no-control-regex -- the same, line feeds kept
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/gu;

const escaped = (c: string): string => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`;

/** `text` with every such character escaped; with `keepLineBreaks`, line feeds stay (multi-line human output). */
export const terminalSafe = (text: string, keepLineBreaks = false): string => text.replace(keepLineBreaks ? UNSAFE_IN_TEXT : UNSAFE_IN_LINE, escaped);

/** Writes one line to stdout: a JSON document with `--json`, else the human text (terminal-safe). */
export const printResult = (json: boolean | undefined, value: unknown, human: () => string): void => {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${terminalSafe(human(), true)}\n`);
};

/** A table cell on one line: a line feed in a quoted reason is shown escaped, so it cannot start a forged row. */
const cell = (value: unknown): string => (value === null || value === undefined ? '—' : terminalSafe(String(value)));

/** A plain-text table as the CLI prints its lists: the heading, a rule, then the rows, each column as wide as its widest cell. */
export const textTable = (header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string[] => {
  const text = rows.map((r) => r.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)];
};
