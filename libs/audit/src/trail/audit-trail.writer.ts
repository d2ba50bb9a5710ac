import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { spreadsheetSafe } from '@trial-ledger/domain';
import type { AuditTrailRow } from './audit-trail.query';

export type AuditTrailFormat = 'csv' | 'json';

/** CSV columns, in order: who, when, what, then the change and its reason, then provenance. */
export const AUDIT_TRAIL_CSV_COLUMNS = [
  { key: 'position', header: 'position' },
  { key: 'recordedAt', header: 'recorded_at_utc' },
  { key: 'userId', header: 'user_id' },
  { key: 'username', header: 'username' },
  { key: 'fullName', header: 'full_name' },
  { key: 'role', header: 'role' },
  { key: 'eventType', header: 'event_type' },
  { key: 'action', header: 'action' },
  { key: 'studyId', header: 'study_id' },
  { key: 'subjectId', header: 'subject_id' },
  { key: 'streamId', header: 'stream_id' },
  { key: 'eventId', header: 'event_id' },
  { key: 'targetEventId', header: 'target_event_id' },
  { key: 'targetType', header: 'target_type' },
  { key: 'before', header: 'before' },
  { key: 'after', header: 'after' },
  { key: 'reason', header: 'reason' },
  { key: 'fields', header: 'fields' },
  { key: 'source', header: 'source' },
  { key: 'correlationId', header: 'correlation_id' },
  { key: 'hash', header: 'hash' },
] as const;

const cell = (value: unknown): string | number => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return typeof value === 'number' ? value : String(value);
};

const flatten = (row: AuditTrailRow): Record<string, string | number> =>
  Object.fromEntries(AUDIT_TRAIL_CSV_COLUMNS.map(({ key }) => [key, cell(row[key])]));

async function* counted<T>(rows: AsyncIterable<T>, onRow?: (count: number) => void): AsyncIterable<T> {
  let n = 0;
  for await (const row of rows) {
    yield row;
    n += 1;
    onRow?.(n);
  }
}

/** A JSON array written one element at a time: `[`, rows separated by commas, `]`. */
async function* jsonArray(rows: AsyncIterable<unknown>): AsyncIterable<string> {
  let first = true;
  yield '[';
  for await (const row of rows) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

/**
 * Streams the trail to `out` as CSV (RFC 4180, header row, nested values as JSON in their cell) or as
 * a JSON array. Back-pressure flows from `out` to the reader of the log, so memory stays bounded
 * whatever the number of rows. Resolves with the number of rows written.
 */
export const writeAuditTrail = async (
  rows: AsyncIterable<AuditTrailRow>,
  out: Writable,
  format: AuditTrailFormat,
  onRow?: (count: number) => void,
  /** False for `process.stdout`, which must stay open. */
  endOutput = true,
): Promise<number> => {
  let count = 0;
  const tally = (n: number): void => {
    count = n;
    onRow?.(n);
  };
  const source = counted(rows, tally);
  if (format === 'csv') {
    // Reasons, names and terms are typed by users: a cell that would start a formula is neutralised.
    const csv = stringify({ header: true, columns: AUDIT_TRAIL_CSV_COLUMNS.map(({ key, header }) => ({ key, header })), bom: false, cast: { string: spreadsheetSafe } });
    await pipeline(Readable.from(mapRows(source)), csv, out, { end: endOutput });
  } else {
    await pipeline(Readable.from(jsonArray(source), { objectMode: false }), out, { end: endOutput });
  }
  return count;
};

async function* mapRows(rows: AsyncIterable<AuditTrailRow>): AsyncIterable<Record<string, string | number>> {
  for await (const row of rows) yield flatten(row);
}
