import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SessionEndReason, SessionStore, StoredSession } from './sessions/session-store';

export type { SessionEndReason } from './sessions/session-store';
export type Session = StoredSession;

/**
 * Bearer sessions. The client holds an opaque random token; the session store keeps only its
 * SHA-256, so a copy of the store cannot be replayed. Where the store is persistent (a file beside a
 * SQLite ledger, the PostgreSQL database) sessions survive a restart and are shared by every server
 * on the store; revocations are written there before they are answered, so they hold everywhere at
 * the next request.
 */
export interface SessionLimits {
  readonly inactivityMs: number;
  readonly absoluteMs: number;
}

/** 32 random bytes, base64url: 256 bits an attacker would have to guess. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** How often, at most, a session's last use is written: each request costs one indexed read, not a write. */
const MAX_TOUCH_INTERVAL_MS = 30_000;
/** How often, at most, sessions past their lifetime are deleted (on a login). */
const PURGE_INTERVAL_MS = 10 * 60_000;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export type SessionLookup =
  | { readonly status: 'active'; readonly session: Session; readonly tokenHash: string }
  | { readonly status: 'unknown' }
  | { readonly status: 'expired'; readonly session: Session; readonly why: 'inactivity' | 'lifetime' }
  | { readonly status: 'ended'; readonly session: Session; readonly why: SessionEndReason };

export class SessionRegistry {
  /**
   * A use within this long of the last one written is not written: the stored last use lags by less
   * than this, so a session can end up to this much *early* for inactivity, never late.
   */
  readonly touchEveryMs: number;
  private lastPurgeMs = 0;

  constructor(
    private readonly limits: SessionLimits,
    readonly store: SessionStore,
  ) {
    this.touchEveryMs = Math.min(MAX_TOUCH_INTERVAL_MS, Math.floor(limits.inactivityMs / 20));
  }

  async open(userId: string, nowMs: number, sessionId: string = randomUUID()): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const session = await this.store.insert({ tokenHash: hashToken(token), sessionId, userId, createdAtMs: nowMs });
    if (nowMs - this.lastPurgeMs >= PURGE_INTERVAL_MS) {
      this.lastPurgeMs = nowMs;
      await this.store.purge(this.limits.absoluteMs, nowMs);
    }
    return { token, session };
  }

  /** When the session ends if unused from now on: the earlier of its inactivity and lifetime limits. */
  expiresAt(session: Session): string {
    return new Date(Math.min(session.lastSeenAtMs + this.limits.inactivityMs, session.createdAtMs + this.limits.absoluteMs)).toISOString();
  }

  /**
   * Finds the session and, if it is still alive, marks it used. Times are the store's when it has a
   * clock of its own (a database shared by several servers), else `nowMs`.
   */
  async touch(token: unknown, nowMs: number): Promise<SessionLookup> {
    if (typeof token !== 'string' || !TOKEN.test(token)) return { status: 'unknown' };
    const tokenHash = hashToken(token);
    const found = await this.store.find(tokenHash);
    if (!found) return { status: 'unknown' };
    const { session } = found;
    const now = found.storeNowMs ?? nowMs;
    if (session.endedBy !== null) return { status: 'ended', session, why: session.endedBy };
    if (now - session.createdAtMs >= this.limits.absoluteMs) return { status: 'expired', session, why: 'lifetime' };
    if (now - session.lastSeenAtMs >= this.limits.inactivityMs) return { status: 'expired', session, why: 'inactivity' };
    if (now - session.lastSeenAtMs >= this.touchEveryMs) await this.store.touch(tokenHash, found.storeNowMs === null ? nowMs : null);
    return { status: 'active', session, tokenHash };
  }

  async peek(token: unknown): Promise<Session | null> {
    if (typeof token !== 'string' || !TOKEN.test(token)) return null;
    return (await this.store.find(hashToken(token)))?.session ?? null;
  }

  /** Ends one session (logout, or a refusal found on use); answers it when this call ended it. */
  end(token: string, why: SessionEndReason, nowMs: number): Promise<Session | null> {
    return this.store.end(hashToken(token), why, nowMs);
  }

  /**
   * Ends every session of a user (deactivation, password change, lockout): their tokens stop working
   * at once, on every server on the store. The rows stay until past their lifetime, so a refusal can say why.
   */
  endUserSessions(userId: string, why: SessionEndReason, nowMs: number): Promise<number> {
    return this.store.endUser(userId, why, nowMs);
  }
}
