import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FoundSession, SessionEndReason, SessionStore, StoredSession } from './sessions/session-store';

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

/**
 * A token is two parts of 32 bytes each, base64url: 256 random bits an attacker would have to guess,
 * a dot, and the session's seal (below). The store finds a session by the SHA-256 of the random part.
 */
const TOKEN = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;
/** What the seal's HMAC is for, so the key can never yield it for another purpose. */
const SEAL_PURPOSE = 'trial-ledger session seal v1';

/** How often, at most, a session's last use is written: each request costs one indexed read, not a write. */
const MAX_TOUCH_INTERVAL_MS = 30_000;
/** How often, at most, sessions past their lifetime are deleted (on a login). */
const PURGE_INTERVAL_MS = 10 * 60_000;

/** The store's key of a token: the SHA-256 (hex) of its random part. */
export const hashToken = (token: string): string => createHash('sha256').update(token.split('.')[0], 'utf8').digest('hex');

/**
 * The seal: HMAC-SHA256, keyed by a secret the session store does not hold, of what the server
 * trusts a row for — whose session it is and when it began. Whoever can write the sessions file or
 * table (and holds a token of their own) cannot make a row name another user, another session or a
 * later start without the token's seal no longer matching; such a token is refused as unknown.
 */
const sealedText = (session: Pick<Session, 'tokenHash' | 'sessionId' | 'userId' | 'createdAtMs'>): string =>
  JSON.stringify([SEAL_PURPOSE, session.tokenHash, session.sessionId, session.userId, session.createdAtMs]);
const sealOf = (key: Buffer, session: Pick<Session, 'tokenHash' | 'sessionId' | 'userId' | 'createdAtMs'>): Buffer => createHmac('sha256', key).update(sealedText(session)).digest();

/** How many checked seals a registry remembers (it forgets them all when full). */
const CHECKED_SEALS = 10_000;

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
  /**
   * Seals already checked, each with the text it was checked against: a token used again whose row
   * still says the same needs no second HMAC. The row is still read and compared on every use, so a
   * row altered since makes the seal be checked again (and fail). Keyed by the seal, never the secret.
   */
  private readonly checkedSeals = new Map<string, string>();

  /**
   * `sealKey` must be the same for every server on the store and across restarts (`serve` keeps it in
   * the key directory); by default a random key per registry, whose sessions end with it.
   */
  constructor(
    private readonly limits: SessionLimits,
    readonly store: SessionStore,
    private readonly sealKey: Buffer = randomBytes(32),
  ) {
    this.touchEveryMs = Math.min(MAX_TOUCH_INTERVAL_MS, Math.floor(limits.inactivityMs / 20));
  }

  async open(userId: string, nowMs: number, sessionId: string = randomUUID()): Promise<{ token: string; session: Session }> {
    const secret = randomBytes(32).toString('base64url');
    const session = await this.store.insert({ tokenHash: hashToken(secret), sessionId, userId, createdAtMs: nowMs });
    const token = `${secret}.${sealOf(this.sealKey, session).toString('base64url')}`;
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
    const found = await this.findSealed(token);
    if (!found) return { status: 'unknown' };
    const tokenHash = found.session.tokenHash;
    const { session } = found;
    const now = found.storeNowMs ?? nowMs;
    if (session.endedBy !== null) return { status: 'ended', session, why: session.endedBy };
    if (now - session.createdAtMs >= this.limits.absoluteMs) return { status: 'expired', session, why: 'lifetime' };
    if (now - session.lastSeenAtMs >= this.limits.inactivityMs) return { status: 'expired', session, why: 'inactivity' };
    if (now - session.lastSeenAtMs >= this.touchEveryMs) await this.store.touch(tokenHash, found.storeNowMs === null ? nowMs : null);
    return { status: 'active', session, tokenHash };
  }

  async peek(token: unknown): Promise<Session | null> {
    return (await this.findSealed(token))?.session ?? null;
  }

  /** The row of a well-formed token whose seal matches it; null for any other token. */
  private async findSealed(token: unknown): Promise<FoundSession | null> {
    const parts = typeof token === 'string' ? TOKEN.exec(token) : null;
    if (!parts) return null;
    const found = await this.store.find(hashToken(parts[1]));
    if (!found) return null;
    const sealed = sealedText(found.session);
    if (this.checkedSeals.get(parts[2]) === sealed) return found;
    const expected = createHmac('sha256', this.sealKey).update(sealed).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (this.checkedSeals.size >= CHECKED_SEALS) this.checkedSeals.clear();
    this.checkedSeals.set(parts[2], sealed);
    return found;
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
