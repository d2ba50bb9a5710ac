import type Database from 'better-sqlite3';
import { plantedTreeNodeFault, TREE_NODE_BEYOND_HEAD, type DefenceWarning, type SideRecordFault, type StorageInspection } from '../inspect-store';

/** At most this many index faults are named one by one; the count says how many there are. */
const MAX_NAMED = 100;

const normalised = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

/**
 * What lies outside the hash chain in a SQLite ledger: the `events.idempotency_key` index column
 * (must equal the key in each event's hashed metadata), `merkle_nodes` rows beyond the log and `events`
 * rows before its first position (planted),
 * and the append-only triggers (each must be
 * present with the text its migration created). `idempotency_keys` rows are checked by `inspectStore`.
 */
export const inspectSqliteStorage = (db: Database.Database, expectedTriggers: ReadonlyMap<string, string>): StorageInspection => {
  const mismatched = db
    .prepare<[], { global_position: number; event_id: string; idempotency_key: string | null }>(
      `SELECT global_position, event_id, idempotency_key FROM events
        WHERE idempotency_key IS NOT json_extract(metadata, '$.idempotencyKey') ORDER BY global_position LIMIT ${MAX_NAMED}`,
    )
    .all();
  const faults: SideRecordFault[] = mismatched.map((row) => ({
    table: 'events.idempotency_key',
    record: String(row.global_position),
    problem: 'index-altered',
    message: `the indexed idempotency key of the event at position ${row.global_position} (${row.event_id}) is ${row.idempotency_key ?? 'empty'}, not the key in its hashed metadata`,
  }));
  const beyond = db
    .prepare<[], { level: number; idx: number; head: number }>(
      `WITH h(head) AS (SELECT coalesce(max(global_position), 0) FROM events)
       SELECT level, idx, head FROM merkle_nodes, h WHERE ${TREE_NODE_BEYOND_HEAD} ORDER BY level, idx LIMIT ${MAX_NAMED}`,
    )
    .all();
  faults.push(...beyond.map((row) => plantedTreeNodeFault(row.level, row.idx, row.head)));
  // The chain is positions 1 to the head, and only those are verified; an INTEGER PRIMARY KEY also takes 0
  // and negative numbers (PostgreSQL's column has CHECK (global_position >= 1)). Such a row is an INSERT the
  // triggers allow, yet stream reads and look-ups by id or idempotency key find it.
  const outside = db
    .prepare<[], { global_position: number; event_id: string; stream_id: string; stream_version: number }>(
      `SELECT global_position, event_id, stream_id, stream_version FROM events WHERE global_position < 1 ORDER BY global_position LIMIT ${MAX_NAMED}`,
    )
    .all();
  faults.push(
    ...outside.map((row): SideRecordFault => ({
      table: 'events',
      record: String(row.global_position),
      problem: 'planted',
      message:
        `an event is stored at position ${row.global_position} (${row.event_id}, stream ${row.stream_id} version ${row.stream_version}), outside the chain, ` +
        'which starts at position 1: planted; stream reads and look-ups by id would find it',
    })),
  );
  const present = new Map(
    db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all().map((t) => [t.name, t.sql] as const),
  );
  const warnings: DefenceWarning[] = [];
  for (const [name, sql] of expectedTriggers) {
    const found = present.get(name);
    if (found === undefined) {
      warnings.push({ code: 'STORE.TRIGGER_MISSING', message: `append-only trigger ${name} is missing: the database no longer refuses UPDATE or DELETE on its table` });
    } else if (normalised(found) !== normalised(sql)) {
      warnings.push({ code: 'STORE.TRIGGER_ALTERED', message: `append-only trigger ${name} differs from the one the ledger created` });
    }
  }
  return { sideTables: ['idempotency_keys', 'events.idempotency_key', 'merkle_nodes'], faults, warnings };
};
