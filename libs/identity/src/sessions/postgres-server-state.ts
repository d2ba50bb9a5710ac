import type { ServerStateSql } from '@trial-ledger/event-store';

/**
 * The tables where API instances on one PostgreSQL database share what is not ledger data: bearer
 * sessions and rate-limit counters. Ordinary, updatable tables (sessions end, counters reset), kept
 * out of the ledger's migrations and its append-only grants: `grant-append-only-role.sql` gives the
 * application role SELECT, INSERT, UPDATE and DELETE on them and nothing more.
 */
const TABLES = ['auth_sessions', 'rate_limits'] as const;

/** The database's own clock in milliseconds: instances compare times on one clock, whatever their own skew. */
export const DB_NOW_MS = `(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;

/**
 * One DO block: an implicit transaction under an advisory lock, so instances starting together do not
 * race on the catalogue. Token hashes only (SHA-256 hex): a copy of the table gives no usable token.
 */
const CREATE_TABLES = `DO $$ BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('trial-ledger.server-state', 0));
  CREATE TABLE IF NOT EXISTS auth_sessions (
    token_hash      text   PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    session_id      text   NOT NULL,
    user_id         text   NOT NULL,
    created_at_ms   bigint NOT NULL,
    last_seen_at_ms bigint NOT NULL,
    ended_at_ms     bigint,
    ended_by        text
  );
  CREATE INDEX IF NOT EXISTS auth_sessions_open_by_user ON auth_sessions (user_id) WHERE ended_by IS NULL;
  CREATE INDEX IF NOT EXISTS auth_sessions_by_created ON auth_sessions (created_at_ms);
  CREATE TABLE IF NOT EXISTS rate_limits (
    bucket           text   PRIMARY KEY,
    hits             integer NOT NULL,
    window_ends_ms   bigint NOT NULL,
    blocked_until_ms bigint NOT NULL
  );
END $$`;

const ready = new WeakMap<ServerStateSql, Promise<void>>();

/**
 * Creates the tables when they are missing, once per database handle. Looked up first, so a role
 * without CREATE (the least-privilege application role) starts once the owner has created them.
 */
export const serverStateTables = (sql: ServerStateSql): Promise<void> => {
  let pending = ready.get(sql);
  if (!pending) {
    pending = (async () => {
      const present = await sql.query<{ n: number }>(`SELECT count(to_regclass(name)) AS n FROM unnest($1::text[]) AS name`, [TABLES]);
      if (Number(present[0]?.n) !== TABLES.length) await sql.query(CREATE_TABLES);
    })();
    // A failed attempt (database down at start) is tried again by the next caller.
    pending.catch(() => ready.delete(sql));
    ready.set(sql, pending);
  }
  return pending;
};

/**
 * At a server's start: the shared tables exist before the first request (the owner's first start
 * creates them, as it runs the ledger's migrations), so a least-privilege role granted on them later
 * never needs CREATE. Nothing to do for stores without a shared database.
 */
export const prepareServerState = async (store: { readonly serverState?: ServerStateSql }): Promise<void> => {
  if (store.serverState) await serverStateTables(store.serverState);
};
