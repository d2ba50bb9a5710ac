import { canonicalize } from 'json-canonicalize';
import type { Pool } from 'pg';
import type { StoredEvent } from '../event-envelope';
import { checkImportBatch, checkImportNames } from '../ledger-importer';
import { inAppendTransaction } from './postgres-connection';
import { insertRows } from './postgres-append';
import { readHead } from './postgres-reads';
import type { PostgresMerkleNodes } from '../merkle/postgres-merkle-nodes';

/**
 * `LedgerImporter` (ledger migration): stores events recorded elsewhere with their ids, positions,
 * `recordedAt` and hashes unchanged, under the append lock, after checking that they extend this
 * log's chain exactly.
 */
export const importPostgresEvents = async (pool: Pool, events: readonly StoredEvent[], tree: PostgresMerkleNodes, lockWaitMs: number): Promise<void> => {
  // Before the stream ids are sent: U+0000 in one would fail the query with a bare encoding error.
  checkImportNames(events);
  return inAppendTransaction(pool, lockWaitMs, async (client) => {
    const head = await readHead(client);
    const ids = [...new Set(events.map((e) => e.streamId))];
    const current = await client.query<{ stream_id: string; v: number }>(
      'SELECT stream_id, MAX(stream_version) AS v FROM events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id',
      [ids],
    );
    const versions = new Map(current.rows.map((r) => [r.stream_id, r.v]));
    checkImportBatch(head, events, (streamId) => versions.get(streamId) ?? 0);
    await insertRows(
      client,
      events.map((e) => ({
        globalPosition: e.globalPosition,
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        streamId: e.streamId,
        streamVersion: e.streamVersion,
        dataJson: canonicalize(e.data),
        metadataJson: canonicalize(e.metadata),
        recordedAt: e.metadata.recordedAt,
        prevHash: e.prevHash,
        hash: e.hash,
      })),
      events.map((e) => e.metadata.idempotencyKey ?? null),
      tree,
    );
  });
};
