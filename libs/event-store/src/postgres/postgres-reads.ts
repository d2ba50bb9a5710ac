import type { Pool, PoolClient } from 'pg';
import { GENESIS_HASH, type StoredEvent } from '../event-envelope';
import type { LogHead, ReadAllOptions } from '../event-store.port';
import type { RawEventRecord } from '../hash-chain';
import { mapPostgresError, queryRows } from './postgres-connection';
import { storedEventFromRaw, toRawRecord, type RawRow } from './postgres-rows';

/**
 * One window of positions `($1, $2]`. Windows are at most a batch wide, never "everything after $1
 * LIMIT n": before ANALYZE has run (a fresh or just-migrated ledger) PostgreSQL guesses such an
 * open range at a fraction of the table, and chose to sort every remaining row for each batch — a
 * whole-log read became quadratic (18,000–39,000 events/s at 100,000 events). A window caps the
 * work of any plan at one batch.
 */
export const RAW_WINDOW_SQL = `SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data::text, metadata::text,
                               recorded_at, prev_hash, hash
                          FROM events WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position`;

/** The first stored position after a short window: the end of the log, or the far side of a gap. */
export const NEXT_POSITION_SQL = 'SELECT MIN(global_position) AS p FROM events WHERE global_position > $1 AND global_position <= $2';

export const readHead = async (client: PoolClient | Pool): Promise<LogHead> => {
  const result = await client.query<{ global_position: string; hash: string; recorded_at: string }>(
    'SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1',
  );
  const row = result.rows[0];
  return row ? { position: Number(row.global_position), hash: row.hash, recordedAt: row.recorded_at } : { position: 0, hash: GENESIS_HASH, recordedAt: null };
};

/**
 * The log in position order, one window of at most `batchSize` positions per round trip; while the
 * caller works through a full window the next one is already being fetched (a second pooled
 * connection), so reading and hashing overlap. A window that comes back short is the end of the
 * log or a gap (a ledger tampered with behind the triggers): the next stored position is looked up
 * and reading resumes there, so gaps reach the verifier rather than ending the read.
 */
export async function* rawWindows(pool: Pool, after: number, to: number, batchSize: number): AsyncIterable<RawRow[]> {
  const size = Math.max(1, Math.floor(batchSize));
  const fetch = (from: number): Promise<RawRow[]> => {
    const rows = pool
      .query<RawRow>({ text: RAW_WINDOW_SQL, values: [from, Math.min(to, from + size)], rowMode: 'array' })
      .then((result) => result.rows, (error: unknown) => Promise.reject(mapPostgresError(error)));
    // A prefetched window the caller never asks for (it stopped early) must not be an unhandled rejection.
    rows.catch(() => undefined);
    return rows;
  };
  let next: Promise<RawRow[]> | null = after < to ? fetch(after) : null;
  while (next) {
    const rows = await next;
    const upper = Math.min(to, after + size);
    next = null;
    if (upper < to && rows.length === upper - after) next = fetch(upper);
    if (rows.length > 0) yield rows;
    if (!next && upper < to) {
      const following = await queryRows<{ p: string | null }>(pool, NEXT_POSITION_SQL, [upper, to]);
      const position = following[0]?.p === null || following[0]?.p === undefined ? null : Number(following[0].p);
      if (position !== null) next = fetch(position - 1);
      after = position === null ? upper : position - 1;
    } else {
      after = upper;
    }
  }
}

/**
 * Batches of text rows, parsed one event at a time as they are consumed, so the parsed events die
 * young and a long read does not fill the old generation with a batch's worth of objects.
 */
export async function* readAllEvents(pool: Pool, options: ReadAllOptions): AsyncIterable<StoredEvent> {
  const windows = rawWindows(pool, options.afterPosition ?? 0, options.toPosition ?? Number.MAX_SAFE_INTEGER, options.batchSize ?? 1000);
  for await (const rows of windows) {
    for (let i = 0; i < rows.length; i += 1) yield storedEventFromRaw(rows[i]);
  }
}

/** The stored canonical JSON texts (`json` keeps its input verbatim), for verification without parsing. */
export async function* readAllRawRecords(pool: Pool, options: ReadAllOptions): AsyncIterable<RawEventRecord> {
  const windows = rawWindows(pool, options.afterPosition ?? 0, options.toPosition ?? Number.MAX_SAFE_INTEGER, options.batchSize ?? 5000);
  for await (const rows of windows) {
    for (let i = 0; i < rows.length; i += 1) yield toRawRecord(rows[i]);
  }
}
