import type { PoolClient } from 'pg';
import { GENESIS_HASH } from '../event-envelope';
import { InvalidAppendError } from '../event-store.errors';
import type { AppendRequest, AppendResult, LogHead } from '../event-store.port';
import type { RawEventRecord } from '../hash-chain';
import { streamsOf } from '../append/append-request';
import { planAppend } from '../append/plan-append';
import { APPEND_CHANNEL } from './postgres-append-notifier';
import type { PostgresMerkleNodes } from '../merkle/postgres-merkle-nodes';
import { EVENT_COLUMNS, rowColumns, toStoredEvent, type EventRow } from './postgres-rows';

/** An append's answer, and the log's head once it commits (the head it read, for a repeat). */
export interface LockedAppend {
  readonly result: AppendResult;
  readonly head: LogHead;
}

/** The head after a written chain extension. */
export const headAfter = (result: AppendResult): LogHead => {
  const last = result.events[result.events.length - 1];
  return { position: last.globalPosition, hash: last.hash, recordedAt: last.metadata.recordedAt };
};

/**
 * I/O only, inside the append transaction (which holds the append lock): reads what `planAppend`
 * needs in one statement, then writes what it decided. The fallback of the one-round-trip append
 * (`PostgresAppender`), and the way the first append of a process learns the head.
 */
export const appendLocked = async (
  client: PoolClient,
  request: AppendRequest,
  clockNow: string,
  dataJson: ReadonlyMap<string, string>,
  tree: PostgresMerkleNodes,
): Promise<LockedAppend> => {
  const key = request.idempotencyKey ?? null;
  // Everything the decision needs, read in one statement after the lock was taken by an earlier one
  // (a statement's snapshot predates any lock it takes itself, so the lock cannot share it).
  const state = await client.query<{ seen: EventRow[] | null; versions: Record<string, number> | null; position: string | null; hash: string | null; recorded_at: string | null }>({
    // Named: parsed and planned once per connection, not on every append.
    name: 'trial-ledger.append-state',
    text: `SELECT (SELECT json_agg(e ORDER BY e.global_position) FROM (SELECT ${EVENT_COLUMNS} FROM events WHERE idempotency_key = $1) e) AS seen,
            (SELECT json_object_agg(stream_id, v) FROM (SELECT stream_id, MAX(stream_version) AS v FROM events
                                                          WHERE stream_id = ANY($2::text[]) GROUP BY stream_id) s) AS versions,
            h.global_position AS position, h.hash, h.recorded_at
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1) AS h ON true`,
    values: [key, streamsOf(request)],
  });
  const read = state.rows[0];
  const versions = new Map(Object.entries(read.versions ?? {}));
  const head: LogHead = { position: read.position === null ? 0 : Number(read.position), hash: read.hash ?? GENESIS_HASH, recordedAt: read.recorded_at };
  const plan = planAppend(request, { head, versionOf: (streamId) => versions.get(streamId) ?? 0, keyCandidates: (read.seen ?? []).map(toStoredEvent) }, clockNow, dataJson);
  if (plan.kind === 'repeat') return { result: plan.result, head };
  await insertRows(client, plan.extension.rows, key, tree);
  return { result: plan.result, head: headAfter(plan.result) };
};

/**
 * One statement for the whole batch (arrays unnested server-side) and the NOTIFY: a batch of 100 is
 * one round trip. The notification is delivered to LISTENers only when the transaction commits.
 * `idempotencyKey` fills the indexed column that finds the events of a key; an imported batch passes
 * each event's own.
 */
export const insertRows = async (
  client: PoolClient,
  rows: readonly RawEventRecord[],
  idempotencyKey: string | null | readonly (string | null)[],
  tree: PostgresMerkleNodes,
): Promise<void> => {
  // The Merkle nodes these events complete go into the same statement: no extra round trip.
  const nodes = await tree.extend(client, rows);
  try {
    await client.query({
      name: 'trial-ledger.append-insert',
      text: `WITH appended AS (
         INSERT INTO events (${EVENT_COLUMNS}, idempotency_key)
         SELECT p, id, s, v, t, sv, d::json, m::json, r, ph, h, k
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::text[]) AS x(p, id, s, v, t, sv, d, m, r, ph, h, k)
         RETURNING 1
       ), nodes AS (
         INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest($15::smallint[], $16::bigint[], $17::bytea[])
         RETURNING 1
       )
       SELECT pg_notify($13, $14)`,
      values: [
        ...rowColumns(rows),
        Array.isArray(idempotencyKey) ? idempotencyKey : rows.map(() => idempotencyKey),
        APPEND_CHANNEL,
        String(rows[rows.length - 1].globalPosition),
        nodes.levels,
        nodes.indices,
        nodes.hashes,
      ],
    });
  } catch (error) {
    throw duplicateEventIdAsInvalid(error);
  }
};

/** A unique violation on `event_id` is the caller's mistake (an id reused), not a store failure. */
export const duplicateEventIdAsInvalid = (error: unknown): unknown => {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === 'events_event_id_key'
    ? new InvalidAppendError('An event with one of these event ids is already stored')
    : error;
};
