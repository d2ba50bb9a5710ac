/**
 * Where bearer sessions are kept: the port, and the in-memory adapter. A row holds the SHA-256 of the
 * token (never the token), whose session it is, its times and, once ended before its time, why — so
 * a stolen copy of the table gives no usable token, and a refused token can still say why it was refused.
 */

/** Why a session was ended before its time; a token of an ended session is refused with this reason. */
export type SessionEndReason = 'logged-out' | 'user-deactivated' | 'password-changed' | 'account-locked';

export interface StoredSession {
  /** SHA-256 (hex) of the bearer token. */
  readonly tokenHash: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly createdAtMs: number;
  /** The last use written; at most `touchEveryMs` behind the real last use (see `SessionRegistry`). */
  readonly lastSeenAtMs: number;
  readonly endedAtMs: number | null;
  readonly endedBy: SessionEndReason | null;
}

export type NewSession = Pick<StoredSession, 'tokenHash' | 'sessionId' | 'userId' | 'createdAtMs'>;

/** A session as found, with the store's time when it has its own clock (a database shared by several servers). */
export interface FoundSession {
  readonly session: StoredSession;
  /** The database's time at the lookup, or null where the caller's clock is the only one. */
  readonly storeNowMs: number | null;
}

/**
 * The port. Every method is one statement on an indexed key, so sessions cost one lookup per request;
 * several servers on one database see each other's logins and revocations at once.
 */
export interface SessionStore {
  /** What the README and logs say about where sessions live. */
  readonly description: string;
  /** Stores a new session; answers it as stored (a database with its own clock stamps `createdAtMs`). */
  insert(session: NewSession): Promise<StoredSession>;
  find(tokenHash: string): Promise<FoundSession | null>;
  /** Moves `lastSeenAtMs` forward (never back) on a session not ended; `atMs` null means the store's own time. */
  touch(tokenHash: string, atMs: number | null): Promise<void>;
  /** Ends one session unless already ended; answers the session when this call ended it. */
  end(tokenHash: string, why: SessionEndReason, atMs: number): Promise<StoredSession | null>;
  /** Ends every open session of a user; answers how many. */
  endUser(userId: string, why: SessionEndReason, atMs: number): Promise<number>;
  /**
   * Forgets sessions older than `lifetimeMs` at `nowMs` (the store's own clock where it has one): past
   * any lifetime, their tokens would be refused anyway (as unknown from then on).
   */
  purge(lifetimeMs: number, nowMs: number): Promise<number>;
  close(): Promise<void>;
}

/** One process's memory: a restart ends every session (KurrentDB and in-memory ledgers). */
export class MemorySessionStore implements SessionStore {
  readonly description = 'memory (a restart ends every session)';
  private readonly rows = new Map<string, StoredSession>();

  async insert(session: NewSession): Promise<StoredSession> {
    const row: StoredSession = { ...session, lastSeenAtMs: session.createdAtMs, endedAtMs: null, endedBy: null };
    this.rows.set(session.tokenHash, row);
    return row;
  }

  async find(tokenHash: string): Promise<FoundSession | null> {
    const session = this.rows.get(tokenHash);
    return session ? { session, storeNowMs: null } : null;
  }

  async touch(tokenHash: string, atMs: number | null): Promise<void> {
    const row = this.rows.get(tokenHash);
    if (row && row.endedBy === null && atMs !== null && atMs > row.lastSeenAtMs) this.rows.set(tokenHash, { ...row, lastSeenAtMs: atMs });
  }

  async end(tokenHash: string, why: SessionEndReason, atMs: number): Promise<StoredSession | null> {
    const row = this.rows.get(tokenHash);
    if (!row || row.endedBy !== null) return null;
    this.rows.set(tokenHash, { ...row, endedAtMs: atMs, endedBy: why });
    return row;
  }

  async endUser(userId: string, why: SessionEndReason, atMs: number): Promise<number> {
    let count = 0;
    for (const [key, row] of this.rows) {
      if (row.userId === userId && row.endedBy === null) {
        this.rows.set(key, { ...row, endedAtMs: atMs, endedBy: why });
        count += 1;
      }
    }
    return count;
  }

  async purge(lifetimeMs: number, nowMs: number): Promise<number> {
    let count = 0;
    for (const [key, row] of this.rows) {
      if (row.createdAtMs < nowMs - lifetimeMs) {
        this.rows.delete(key);
        count += 1;
      }
    }
    return count;
  }

  async close(): Promise<void> {
    this.rows.clear();
  }
}
