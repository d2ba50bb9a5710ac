import type { ServerStateSql } from '@trial-ledger/event-store';
import { DB_NOW_MS, serverStateTables } from './postgres-server-state';
import type { FoundSession, NewSession, SessionEndReason, SessionStore, StoredSession } from './session-store';
import { toStoredSession } from './sqlite-session-store';

type Row = Parameters<typeof toStoredSession>[0] & { now_ms?: string };

/**
 * Sessions in the ledger's PostgreSQL database (`auth_sessions`), shared by every API instance on it:
 * a token issued by one is accepted by the others, a logout or lockout on one is refused by all at
 * the next request. Every time is the database's (`statement_timestamp()`), so instances with skewed
 * clocks still agree on inactivity and lifetime; each call is one statement on the primary key or
 * the user index.
 */
export class PostgresSessionStore implements SessionStore {
  readonly description = 'the ledger database (table auth_sessions)';

  constructor(private readonly sql: ServerStateSql) {}

  private async run(text: string, values: readonly unknown[], name?: string): Promise<Row[]> {
    await serverStateTables(this.sql);
    return this.sql.query<Row>(text, values, name);
  }

  async insert(session: NewSession): Promise<StoredSession> {
    const [row] = await this.run(
      `INSERT INTO auth_sessions (token_hash, session_id, user_id, created_at_ms, last_seen_at_ms)
       VALUES ($1, $2, $3, ${DB_NOW_MS}, ${DB_NOW_MS}) RETURNING *`,
      [session.tokenHash, session.sessionId, session.userId],
    );
    return toStoredSession(row);
  }

  async find(tokenHash: string): Promise<FoundSession | null> {
    // Every authenticated request: a statement prepared once per pooled connection.
    const [row] = await this.run(`SELECT s.*, ${DB_NOW_MS} AS now_ms FROM auth_sessions s WHERE token_hash = $1`, [tokenHash], 'trial-ledger.session-find');
    return row ? { session: toStoredSession(row), storeNowMs: Number(row.now_ms) } : null;
  }

  async touch(tokenHash: string): Promise<void> {
    await this.run(
      `UPDATE auth_sessions SET last_seen_at_ms = ${DB_NOW_MS} WHERE token_hash = $1 AND ended_by IS NULL AND last_seen_at_ms < ${DB_NOW_MS}`,
      [tokenHash],
    );
  }

  async end(tokenHash: string, why: SessionEndReason): Promise<StoredSession | null> {
    const [row] = await this.run(`UPDATE auth_sessions SET ended_at_ms = ${DB_NOW_MS}, ended_by = $2 WHERE token_hash = $1 AND ended_by IS NULL RETURNING *`, [tokenHash, why]);
    return row ? toStoredSession(row) : null;
  }

  async endUser(userId: string, why: SessionEndReason): Promise<number> {
    return (await this.run(`UPDATE auth_sessions SET ended_at_ms = ${DB_NOW_MS}, ended_by = $2 WHERE user_id = $1 AND ended_by IS NULL RETURNING 1`, [userId, why])).length;
  }

  async purge(lifetimeMs: number): Promise<number> {
    return (await this.run(`DELETE FROM auth_sessions WHERE created_at_ms < ${DB_NOW_MS} - $1 RETURNING 1`, [lifetimeMs])).length;
  }

  async close(): Promise<void> {
    // The connection pool is the event store's: closed with it.
  }
}
