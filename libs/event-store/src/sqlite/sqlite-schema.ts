import type Database from 'better-sqlite3';
import { migrateSqliteMerkleNodes, SQLITE_MERKLE_SCHEMA } from '../merkle/sqlite-merkle-nodes';

/**
 * Schema migrations, applied in order inside one transaction each; `PRAGMA user_version` records the
 * last one applied. The triggers make the database itself refuse UPDATE and DELETE on the ledger
 * (SPEC §4): no code path, and no SQL console user who keeps the triggers, can rewrite history.
 */
export const MIGRATIONS: readonly (string | ((db: Database.Database) => void))[] = [
  `CREATE TABLE events (
     global_position INTEGER PRIMARY KEY,
     event_id        TEXT    NOT NULL UNIQUE,
     stream_id       TEXT    NOT NULL,
     stream_version  INTEGER NOT NULL CHECK (stream_version >= 1),
     type            TEXT    NOT NULL,
     schema_version  INTEGER NOT NULL,
     data            TEXT    NOT NULL,
     metadata        TEXT    NOT NULL,
     recorded_at     TEXT    NOT NULL,
     idempotency_key TEXT,
     prev_hash       TEXT    NOT NULL,
     hash            TEXT    NOT NULL,
     UNIQUE (stream_id, stream_version)
   );
   CREATE INDEX events_recorded_at ON events (recorded_at);
   CREATE TABLE idempotency_keys (
     idempotency_key TEXT PRIMARY KEY,
     request_hash    TEXT,
     event_ids       TEXT NOT NULL,
     stream_versions TEXT NOT NULL,
     last_position   INTEGER NOT NULL,
     recorded_at     TEXT NOT NULL
   );
   CREATE TRIGGER events_no_update BEFORE UPDATE ON events
     BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: UPDATE refused'); END;
   CREATE TRIGGER events_no_delete BEFORE DELETE ON events
     BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: DELETE refused'); END;
   CREATE TRIGGER idempotency_no_update BEFORE UPDATE ON idempotency_keys
     BEGIN SELECT RAISE(ABORT, 'idempotency records are append-only: UPDATE refused'); END;
   CREATE TRIGGER idempotency_no_delete BEFORE DELETE ON idempotency_keys
     BEGIN SELECT RAISE(ABORT, 'idempotency records are append-only: DELETE refused'); END;`,
  // Idempotent repeats are derived from the events that carry the key (their hashed metadata); this
  // index finds them. `idempotency_keys` is no longer written: older rows are checked by `verify`.
  `CREATE INDEX events_idempotency_key ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;`,
  migrateSqliteMerkleNodes,
];

/** The append-only triggers as the migrations create them (events, idempotency records, Merkle nodes): `inspectStorage` reports any missing or altered. */
export const SQLITE_TRIGGERS: ReadonlyMap<string, string> = new Map(
  [...`${MIGRATIONS[0] as string}\n${SQLITE_MERKLE_SCHEMA}`.matchAll(/CREATE TRIGGER (\w+)[\s\S]*?END;/g)].map((m) => [m[1], m[0].replace(/;$/, '')] as const),
);
