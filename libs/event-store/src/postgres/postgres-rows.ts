import type { EventMetadata, StoredEvent } from '../event-envelope';
import type { IdempotencyRecord } from '../event-store.port';
import type { RawEventRecord } from '../hash-chain';

export const EVENT_COLUMNS =
  'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash';

export interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

/** A row in array mode (`rowMode: 'array'`), JSON columns as their stored text, in `EVENT_COLUMNS` order. */
export type RawRow = [string, string, string, number, string, number, string, string, string, string, string];

export interface IdempotencyRow {
  idempotency_key: string;
  request_hash: string | null;
  event_ids: string[];
  stream_versions: Record<string, number>;
  last_position: string;
  recorded_at: string;
}

/** The stored columns are the truth: `recordedAt` comes from its own column so altering it breaks the hash. */
export const toStoredEvent = (row: EventRow): StoredEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  globalPosition: Number(row.global_position),
  data: row.data,
  metadata: { ...row.metadata, recordedAt: row.recorded_at },
  prevHash: row.prev_hash,
  hash: row.hash,
});

export const toRawRecord = (r: RawRow): RawEventRecord => ({
  globalPosition: Number(r[0]),
  eventId: r[1],
  streamId: r[2],
  streamVersion: r[3],
  type: r[4],
  schemaVersion: r[5],
  dataJson: r[6],
  metadataJson: r[7],
  recordedAt: r[8],
  prevHash: r[9],
  hash: r[10],
});

/** A raw row parsed into an event (one at a time, as a long read consumes them). */
export const storedEventFromRaw = (r: RawRow): StoredEvent => ({
  eventId: r[1],
  type: r[4],
  schemaVersion: r[5],
  streamId: r[2],
  streamVersion: r[3],
  globalPosition: Number(r[0]),
  data: JSON.parse(r[6]) as Record<string, unknown>,
  metadata: { ...(JSON.parse(r[7]) as EventMetadata), recordedAt: r[8] },
  prevHash: r[9],
  hash: r[10],
});

export const toIdempotencyRecord = (row: IdempotencyRow): IdempotencyRecord => ({
  key: row.idempotency_key,
  requestHash: row.request_hash,
  eventIds: row.event_ids,
  streamVersions: row.stream_versions,
  lastPosition: Number(row.last_position),
  recordedAt: row.recorded_at,
});

/** The columns of the rows, in the order `ledger_append` (and the locked INSERT) take them. */
export const rowColumns = (rows: readonly RawEventRecord[]): unknown[] => {
  const column = <T>(pick: (r: RawEventRecord) => T): T[] => rows.map(pick);
  return [
    column((r) => r.globalPosition),
    column((r) => r.eventId),
    column((r) => r.streamId),
    column((r) => r.streamVersion),
    column((r) => r.type),
    column((r) => r.schemaVersion),
    column((r) => r.dataJson),
    column((r) => r.metadataJson),
    column((r) => r.recordedAt),
    column((r) => r.prevHash),
    column((r) => r.hash),
  ];
};
