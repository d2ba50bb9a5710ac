import { canonicalize } from 'json-canonicalize';
import type { StoredEvent } from '../event-envelope';
import type { AppendRequest, LogHead } from '../event-store.port';
import { canonicalJsonFromRaw, chainHash, type RawEventRecord } from '../hash-chain';
import { nextRecordedAt } from '../recorded-at';

/** The events an append adds, positioned and chained, with the exact texts that were hashed. */
export interface ChainExtension {
  /** The stored events, in global order. */
  readonly events: readonly StoredEvent[];
  /** The same events as the rows to write: canonical JSON texts of data and metadata, and their hashes. */
  readonly rows: readonly RawEventRecord[];
  /** Each written stream's version after the append. */
  readonly streamVersions: Readonly<Record<string, number>>;
  readonly lastPosition: number;
  readonly recordedAt: string;
}

/**
 * Extends the chain from `head` (SPEC §2, §4): gapless global positions, stream versions numbered
 * on from `startVersions`, one server `recordedAt` for the whole append (never before the head's),
 * the idempotency key and request fingerprint stamped on each event's metadata, and
 * `hash = SHA-256(prevHash ‖ JCS(envelope))` computed over the very texts the adapter stores.
 * `dataJson` may hold canonical data texts computed earlier (outside a lock), by event id.
 */
export const extendChain = (
  request: AppendRequest,
  head: LogHead,
  clockNow: string,
  startVersions: Readonly<Record<string, number>>,
  dataJson?: ReadonlyMap<string, string>,
): ChainExtension => {
  const key = request.idempotencyKey ?? null;
  // The key and the request fingerprint ride in the hashed metadata: the idempotency record is then
  // derivable from the chain alone, and no side table can answer for it.
  const idempotency = key === null ? {} : { idempotencyKey: key, requestHash: request.requestHash ?? null };
  const versions = { ...startVersions };
  const recordedAt = nextRecordedAt(clockNow, head.recordedAt);
  let position = head.position;
  let prevHash = head.hash;
  const events: StoredEvent[] = [];
  const rows: RawEventRecord[] = [];
  for (const write of request.writes) {
    for (const event of write.events) {
      position += 1;
      versions[write.streamId] += 1;
      const metadata = { ...event.metadata, ...idempotency, recordedAt };
      const unhashed: RawEventRecord = {
        globalPosition: position,
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        streamId: write.streamId,
        streamVersion: versions[write.streamId],
        dataJson: dataJson?.get(event.eventId) ?? canonicalize(event.data),
        metadataJson: canonicalize(metadata),
        recordedAt,
        prevHash,
        hash: '',
      };
      // Hash the bytes that are stored, assembled once (no second canonicalisation).
      const hash = chainHash(prevHash, canonicalJsonFromRaw(unhashed));
      rows.push({ ...unhashed, hash });
      events.push({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        streamId: write.streamId,
        streamVersion: unhashed.streamVersion,
        globalPosition: position,
        data: event.data,
        metadata,
        prevHash,
        hash,
      });
      prevHash = hash;
    }
  }
  return { events, rows, streamVersions: versions, lastPosition: position, recordedAt };
};
