import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DomainError } from '@trial-ledger/domain';
import { explainUnwritableFile, isSqliteBusy, SIDE_FILE_BUSY_MS, StoreWriteError, unsafeSqliteSidePath } from '@trial-ledger/event-store';
import type { FoundSession, NewSession, SessionEndReason, SessionStore, StoredSession } from './session-store';

/**
 * Sessions are not clinical facts: an ordinary, updatable table, in a file of its own beside the
 * ledger (`LEDGER.sqlite.sessions`, like `LEDGER.sqlite.read-models`) so that touching a session never
 * competes with appends for the ledger's write lock. `synchronous = FULL`: a logout acknowledged is a
 * logout that survives a power cut.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (
    token_hash      TEXT    PRIMARY KEY,
    session_id      TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    last_seen_at_ms INTEGER NOT NULL,
    ended_at_ms     INTEGER,
    ended_by        TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id) WHERE ended_by IS NULL;`;

interface SessionRow {
  token_hash: string;
  session_id: string;
  user_id: string;
  created_at_ms: number;
  last_seen_at_ms: number;
  ended_at_ms: number | null;
  ended_by: SessionEndReason | null;
}

export const toStoredSession = (row: SessionRow): StoredSession => ({
  tokenHash: row.token_hash,
  sessionId: row.session_id,
  userId: row.user_id,
  createdAtMs: Number(row.created_at_ms),
  lastSeenAtMs: Number(row.last_seen_at_ms),
  endedAtMs: row.ended_at_ms === null ? null : Number(row.ended_at_ms),
  endedBy: row.ended_by,
});

/** Refuses a sessions file (or its WAL or shared-memory file) that is a symlink or not a regular file. */
const assertPlainFiles = (file: string): void => {
  const path = unsafeSqliteSidePath(file);
  if (path !== null) {
    throw new DomainError('SESSIONS.FILE_UNSAFE', `${path} is not a regular file (a symlink or other): sessions are not kept there; remove it and start again`, 'conflict', { path });
  }
};

/**
 * A session write that met the file's write lock held by another process (a CLI command ending a
 * user's sessions) for longer than `SIDE_FILE_BUSY_MS`: refused as 503 `STORE.LOCKED` (Retry-After)
 * rather than blocking the event loop, and so every other request, while it waits.
 */
const written = <T>(write: () => T): T => {
  try {
    return write();
  } catch (error) {
    if (isSqliteBusy(error)) throw new StoreWriteError('STORE.LOCKED', 'Another process holds the sessions file\'s write lock; nothing was written, retry shortly', error);
    throw error;
  }
};

/** How long ending a user's sessions waits for another process's write lock. */
const END_USER_BUSY_MS = 10_000;

export class SqliteSessionStore implements SessionStore {
  readonly description: string;
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    assertPlainFiles(file);
    // Created 0600 whatever the process's umask (SQLite gives its WAL and shared-memory files the
    // same mode): who is signed in, and since when, is for the service account only. An existing file
    // is kept as it is; O_NOFOLLOW: a symlink planted since the check above is not followed either.
    this.description = `the file beside the ledger (${file})`;
    try {
      closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
    } catch (error) {
      // A sessions file the server may not write (an immutable file, another owner's, a read-only mount) is said so, with what to fix.
      throw explainUnwritableFile(file, error, `The sessions file ${file} beside the ledger cannot be written: it, its -wal and -shm or its directory are read-only`);
    }
    this.db.pragma('synchronous = FULL');
    // The schema may wait as long as the ledger's own opening does; every statement after it, on the
    // request path, only for a moment (set once here: no per-request pragma).
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
    this.db.pragma(`busy_timeout = ${SIDE_FILE_BUSY_MS}`);
    this.statements = {
      insert: this.db.prepare<[string, string, string, number, number]>(
        'INSERT INTO sessions (token_hash, session_id, user_id, created_at_ms, last_seen_at_ms) VALUES (?, ?, ?, ?, ?)',
      ),
      find: this.db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?'),
      touch: this.db.prepare<[number, string, number]>('UPDATE sessions SET last_seen_at_ms = ? WHERE token_hash = ? AND ended_by IS NULL AND last_seen_at_ms < ?'),
      end: this.db.prepare<[number, string, string], SessionRow>(
        'UPDATE sessions SET ended_at_ms = ?, ended_by = ? WHERE token_hash = ? AND ended_by IS NULL RETURNING *',
      ),
      endUser: this.db.prepare<[number, string, string]>('UPDATE sessions SET ended_at_ms = ?, ended_by = ? WHERE user_id = ? AND ended_by IS NULL'),
      purge: this.db.prepare<[number]>('DELETE FROM sessions WHERE created_at_ms < ?'),
    };
  }

  async insert(session: NewSession): Promise<StoredSession> {
    written(() => this.statements.insert.run(session.tokenHash, session.sessionId, session.userId, session.createdAtMs, session.createdAtMs));
    return { ...session, lastSeenAtMs: session.createdAtMs, endedAtMs: null, endedBy: null };
  }

  async find(tokenHash: string): Promise<FoundSession | null> {
    const row = this.statements.find.get(tokenHash);
    return row ? { session: toStoredSession(row), storeNowMs: null } : null;
  }

  async touch(tokenHash: string, atMs: number | null): Promise<void> {
    if (atMs === null) return;
    try {
      this.statements.touch.run(atMs, tokenHash, atMs);
    } catch (error) {
      // The request goes on with its last-seen time unmoved (the session can only expire sooner, never
      // later), rather than every request being refused while another process holds the file's lock.
      if (!isSqliteBusy(error)) throw error;
    }
  }

  async end(tokenHash: string, why: SessionEndReason, atMs: number): Promise<StoredSession | null> {
    const row = written(() => this.statements.end.get(atMs, why, tokenHash));
    return row ? toStoredSession(row) : null;
  }

  async endUser(userId: string, why: SessionEndReason, atMs: number): Promise<number> {
    // Ending every session of a user deactivated, locked out or with a new password follows a recorded
    // event and must not be skipped (a CLI command and a server both do it, each briefly holding the lock
    // the other needs): this rare write waits as long as the ledger's own writes may.
    this.db.pragma(`busy_timeout = ${END_USER_BUSY_MS}`);
    try {
      return written(() => this.statements.endUser.run(atMs, why, userId).changes);
    } finally {
      this.db.pragma(`busy_timeout = ${SIDE_FILE_BUSY_MS}`);
    }
  }

  async purge(lifetimeMs: number, nowMs: number): Promise<number> {
    return written(() => this.statements.purge.run(nowMs - lifetimeMs).changes);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
