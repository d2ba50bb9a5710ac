import type { PoolClient } from 'pg';
import { backfillPostgresMerkleNodes, POSTGRES_MERKLE_SCHEMA } from '../merkle/postgres-merkle-nodes';
import { POSTGRES_APPEND_FUNCTION } from './postgres-append-function';
/**
 * Versioned schema migrations for the PostgreSQL ledger, applied in order, each recorded in
 * `schema_migrations`. Never edit a released migration: add a new one.
 *
 * `data` and `metadata` hold RFC 8785 canonical JSON text in `json` columns, not `jsonb`: `json` keeps
 * its input verbatim (and still validates it), so the verifier can hash the stored bytes, and what an
 * auditor reads with `psql` is byte for byte what was hashed. (`jsonb` would re-render numbers such as
 * 1e21 and drop the exact text.) `metadata` includes `recordedAt`; the `recorded_at` column is its
 * indexed copy for as-known-at queries and must agree with it.
 * `recorded_at` is the ISO 8601 text with milliseconds that went into the hash, not a `timestamptz`
 * whose rendering depends on the session's time zone and DateStyle.
 *
 * The triggers make the database itself refuse UPDATE, DELETE and TRUNCATE on the ledger (SPEC §4,
 * Part 11 §11.10(e): audit trails must not obscure previously recorded information). Triggers can be
 * dropped by the table owner, so production also connects as a role granted only SELECT and INSERT
 * (`grant-append-only-role.sql`).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Data work done in the migration's transaction after its SQL (e.g. deriving a new table from the events). */
  readonly after?: (client: PoolClient) => Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, idempotency keys, append-only triggers',
    sql: String.raw`
      CREATE TABLE events (
        global_position bigint  PRIMARY KEY CHECK (global_position >= 1),
        event_id        text    NOT NULL UNIQUE,
        stream_id       text    NOT NULL,
        stream_version  integer NOT NULL CHECK (stream_version >= 1),
        type            text    NOT NULL,
        schema_version  integer NOT NULL,
        data            json    NOT NULL,
        metadata        json    NOT NULL,
        recorded_at     text    NOT NULL CHECK (recorded_at ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$'),
        idempotency_key text,
        prev_hash       text    NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash            text    NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        UNIQUE (stream_id, stream_version)
      );
      CREATE INDEX events_recorded_at ON events (recorded_at);

      CREATE TABLE idempotency_keys (
        idempotency_key text   PRIMARY KEY,
        request_hash    text,
        event_ids       json   NOT NULL,
        stream_versions json   NOT NULL,
        last_position   bigint NOT NULL,
        recorded_at     text   NOT NULL
      );

      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'integrity_constraint_violation';
      END;
      $$;

      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER idempotency_keys_append_only BEFORE UPDATE OR DELETE ON idempotency_keys
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER idempotency_keys_no_truncate BEFORE TRUNCATE ON idempotency_keys
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
    `,
  },
  {
    version: 2,
    name: 'index of the events that carry an idempotency key',
    // Idempotent repeats are derived from the events that carry the key (their hashed metadata); this
    // index finds them. `idempotency_keys` is no longer written: older rows are checked by `verify`.
    sql: 'CREATE INDEX events_idempotency_key ON events (idempotency_key) WHERE idempotency_key IS NOT NULL',
  },
  {
    version: 3,
    name: 'RFC 9162 Merkle tree nodes, built from the events',
    sql: POSTGRES_MERKLE_SCHEMA,
    after: backfillPostgresMerkleNodes,
  },
  {
    version: 4,
    name: 'ledger_append: the append checked and written in one round trip',
    sql: POSTGRES_APPEND_FUNCTION,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
