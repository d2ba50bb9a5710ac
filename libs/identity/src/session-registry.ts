import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Bearer sessions, in the server's memory. The client holds an opaque random token; the server
 * keeps only its SHA-256, so a dump of the registry cannot be replayed. A restart ends every
 * session (users log in again), which is the safe direction for a Part 11 system.
 */
export interface Session {
  readonly sessionId: string;
  readonly userId: string;
  readonly createdAtMs: number;
  lastSeenAtMs: number;
  /** Set when the server ended the session before its time (the token then fails with this reason). */
  endedBy?: SessionEndReason;
}

export type SessionEndReason = 'user-deactivated' | 'password-changed';

export interface SessionLimits {
  readonly inactivityMs: number;
  readonly absoluteMs: number;
}

/** 32 random bytes, base64url: 256 bits an attacker would have to guess. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export type SessionLookup =
  | { readonly status: 'active'; readonly session: Session }
  | { readonly status: 'unknown' }
  | { readonly status: 'expired'; readonly session: Session; readonly why: 'inactivity' | 'lifetime' }
  | { readonly status: 'ended'; readonly session: Session; readonly why: SessionEndReason };

export class SessionRegistry {
  private readonly byTokenHash = new Map<string, Session>();

  constructor(private readonly limits: SessionLimits) {}

  open(userId: string, nowMs: number, sessionId: string = randomUUID()): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { sessionId, userId, createdAtMs: nowMs, lastSeenAtMs: nowMs };
    this.byTokenHash.set(hashToken(token), session);
    return { token, session };
  }

  /** When the session ends if unused from now on: the earlier of its inactivity and lifetime limits. */
  expiresAt(session: Session): string {
    return new Date(Math.min(session.lastSeenAtMs + this.limits.inactivityMs, session.createdAtMs + this.limits.absoluteMs)).toISOString();
  }

  /** Finds the session and, if it is still alive, marks it used; an expired one is removed. */
  touch(token: unknown, nowMs: number): SessionLookup {
    if (typeof token !== 'string' || !TOKEN.test(token)) return { status: 'unknown' };
    const key = hashToken(token);
    const session = this.byTokenHash.get(key);
    if (!session) return { status: 'unknown' };
    if (session.endedBy) {
      this.byTokenHash.delete(key);
      return { status: 'ended', session, why: session.endedBy };
    }
    if (nowMs - session.createdAtMs >= this.limits.absoluteMs) {
      this.byTokenHash.delete(key);
      return { status: 'expired', session, why: 'lifetime' };
    }
    if (nowMs - session.lastSeenAtMs >= this.limits.inactivityMs) {
      this.byTokenHash.delete(key);
      return { status: 'expired', session, why: 'inactivity' };
    }
    session.lastSeenAtMs = nowMs;
    return { status: 'active', session };
  }

  peek(token: unknown): Session | null {
    if (typeof token !== 'string' || !TOKEN.test(token)) return null;
    return this.byTokenHash.get(hashToken(token)) ?? null;
  }

  revoke(token: string): Session | null {
    const key = hashToken(token);
    const session = this.byTokenHash.get(key) ?? null;
    this.byTokenHash.delete(key);
    return session;
  }

  /**
   * Ends every session of a user (deactivation, password change): their tokens stop working at once.
   * The entries stay until next presented, so the refusal can say why.
   */
  endUserSessions(userId: string, why: SessionEndReason): number {
    let count = 0;
    for (const session of this.byTokenHash.values()) {
      if (session.userId === userId && !session.endedBy) {
        session.endedBy = why;
        count += 1;
      }
    }
    return count;
  }

  get size(): number {
    return this.byTokenHash.size;
  }
}
