import type { EventMetadata, StoredEvent } from '../event-envelope';
import type { IdempotencyRecord } from '../event-store.port';

export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

export interface IdempotencyRow {
  idempotency_key: string;
  request_hash: string | null;
  event_ids: string;
  stream_versions: string;
  last_position: number;
  recorded_at: string;
}

export const EVENT_COLUMNS =
  'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash';

/**
 * `data` and `metadata` are stored as canonical JSON (RFC 8785), so the verifier can hash the stored
 * bytes directly. `recordedAt` is taken from its indexed column, so altering the column breaks the hash.
 */
export const toStoredEvent = (row: EventRow): StoredEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  globalPosition: row.global_position,
  data: JSON.parse(row.data) as Record<string, unknown>,
  metadata: { ...(JSON.parse(row.metadata) as EventMetadata), recordedAt: row.recorded_at },
  prevHash: row.prev_hash,
  hash: row.hash,
});

export const toIdempotencyRecord = (row: IdempotencyRow): IdempotencyRecord => ({
  key: row.idempotency_key,
  requestHash: row.request_hash,
  eventIds: JSON.parse(row.event_ids) as string[],
  streamVersions: JSON.parse(row.stream_versions) as Record<string, number>,
  lastPosition: row.last_position,
  recordedAt: row.recorded_at,
});
