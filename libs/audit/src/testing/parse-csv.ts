import { parse } from 'csv-parse/sync';

/**
 * Reads a CSV export back with a real RFC 4180 parser (csv-parse: quoted fields, doubled quotes,
 * newlines inside quotes), so exports are checked as a spreadsheet or R would read them, not by
 * string matching. One record per row, keyed by the header row.
 */
export const parseCsv = (text: string): Array<Record<string, string>> => parse(text, { columns: true, bom: true, relax_column_count: false }) as Array<Record<string, string>>;
