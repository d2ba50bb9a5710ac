import { randomUUID } from 'node:crypto';
import {
  DomainError,
  SYSTEM_ACTOR,
  findUser,
  findUserById,
  invalid,
  isLockedOut,
  normaliseUsername,
  notFound,
  passwordExpiresAt,
  type Actor,
  type UserAccount,
} from '@trial-ledger/domain';
import { answerRecorded, type CommandOutcome } from '@trial-ledger/command-pipeline';
import type { EventSource } from '@trial-ledger/event-store';
import type { IdentityLedger } from './identity-ledger';
import { hashPassword } from './password-hasher';
import { checkPasswordStrength } from './password-strength';
import type { Session, SessionEndReason, SessionRegistry } from './session-registry';
import { actorOf, userView, type RequestOrigin, type UserView } from './user-view';

export interface LoginResult {
  /** Opaque bearer token; the server keeps only its SHA-256. */
  readonly token: string;
  /** When the session ends if left unused (inactivity limit, capped by the absolute lifetime). */
  readonly expiresAt: string;
  readonly actor: Actor;
  readonly sessionId: string;
  readonly passwordExpiresAt: string | null;
  /**
   * Always false: a login with an expired password is refused (`AUTH.PASSWORD_EXPIRED`) until the
   * password is changed through the change-password flow. Kept so clients can rely on the field.
   */
  readonly passwordExpired: false;
}

const unauthenticated = (code: string, message: string): DomainError => new DomainError(code, message, 'unauthenticated');

/**
 * Why a session or a CLI run's sign-in ended before its time, as its refusal: `session` for a token
 * presented again, `run` for a CLI run's next step after something recorded since its sign-in.
 */
const ENDED: { readonly [W in SessionEndReason]: { readonly session: readonly [string, string]; readonly run: readonly [string, string] } } = {
  'user-deactivated': {
    session: ['AUTH.USER_DEACTIVATED', 'The account is deactivated'],
    run: ['AUTH.USER_DEACTIVATED', 'The account was deactivated after this run signed in; nothing more is recorded in its name'],
  },
  'account-locked': {
    session: ['AUTH.ACCOUNT_LOCKED', 'The account was locked after repeated failed attempts; its sessions are ended'],
    run: ['AUTH.ACCOUNT_LOCKED', 'The account was locked after repeated failed attempts since this run signed in; nothing more is recorded in its name'],
  },
  'password-changed': {
    session: ['AUTH.TOKEN_INVALID', 'The session was ended by a change of password; log in again'],
    run: ['AUTH.PASSWORD_CHANGED', 'The password was changed or reset after this run signed in; run it again with the current password'],
  },
  'logged-out': {
    session: ['AUTH.TOKEN_INVALID', 'The session was ended by a logout; log in again'],
    run: ['AUTH.TOKEN_INVALID', 'The sign-in of this run was ended; run it again'],
  },
};

const endedRefusal = (why: SessionEndReason): DomainError => unauthenticated(...ENDED[why].session);

const runEndedRefusal = (why: SessionEndReason): DomainError => unauthenticated(...ENDED[why].run);

/**
 * Why the identity state says a live session must end: the user deactivated (since it opened), a
 * lockout that began after it opened (no session can be opened while one lasts, so "before its end"
 * is enough), or a password changed since. Null when it may go on.
 */
const staleSessionReason = (user: UserAccount | null, session: Pick<Session, 'createdAtMs'>): SessionEndReason | null => {
  if (!user || !user.active || (user.deactivatedAt !== null && Date.parse(user.deactivatedAt) >= session.createdAtMs)) return 'user-deactivated';
  if (user.lockedUntil !== null && session.createdAtMs < Date.parse(user.lockedUntil)) return 'account-locked';
  if (Date.parse(user.passwordChangedAt) > session.createdAtMs) return 'password-changed';
  return null;
};

/** A CLI run's sign-in: who, and when the password was verified (the `LoginSucceeded` instant). */
export interface RunSignIn {
  readonly actor: Actor;
  readonly authenticatedAt: string;
}

/**
 * Why a session just opened must end at once: the account changed since the login that opened it was
 * decided (`decided`: the account as the login saw it) — deactivated, its password changed or reset, or
 * locked. Null when nothing of that happened in between.
 */
const revokedSinceLogin = (decided: UserAccount, now: UserAccount | null, nowIso: string): SessionEndReason | null => {
  if (!now || !now.active) return 'user-deactivated';
  if (now.passwordChangedAt !== decided.passwordChangedAt) return 'password-changed';
  if (isLockedOut(now, nowIso)) return 'account-locked';
  return null;
};

/** Longest username a login attempt may name; longer is malformed, not a failed attempt. */
const MAX_LOGIN_USERNAME = 256;

/**
 * Authentication and sessions (Part 11 §11.10(d), §11.300): logins, bearer sessions with inactivity
 * and absolute limits, the CLI's one-off password check, logout and the change-password flow. Every
 * attempt, successful or not, is an event decided by the identity decider; this service checks the
 * password hashes and keeps the sessions.
 */
export class AuthenticationService {
  constructor(
    private readonly ledger: IdentityLedger,
    private readonly sessions: SessionRegistry,
  ) {}

  private nowMs(): number {
    return Date.parse(this.ledger.clock.now());
  }

  /** Opens a session. Every attempt, successful or not, is recorded with its time and source. */
  async login(username: string, password: string, origin: RequestOrigin): Promise<LoginResult> {
    const sessionId = randomUUID();
    const { user } = await this.authenticatePassword(username, password, 'login', sessionId, origin);
    // `LoginSucceeded` is recorded (the password was verified, which is a fact), but a login's answer is
    // its session: a session store that cannot open one (its file locked by another process, a database
    // gone) fails the login with its own problem (503 STORE.LOCKED / STORE.UNAVAILABLE, to retry), never
    // a "recorded" answer without a token.
    const { token, session } = await this.sessions.open(user.userId, this.nowMs(), sessionId);
    // A reset, deactivation or lockout recorded after the password was verified ended every session of
    // the account before this one was written (and a store that stamps the start with its own clock, as
    // PostgreSQL's does, dates it after the change): judged against the account the login was decided on.
    const revoked = revokedSinceLogin(user, findUserById(await this.ledger.state(), user.userId), this.ledger.clock.now());
    if (revoked !== null) {
      await this.sessions.end(token, revoked, this.nowMs());
      throw endedRefusal(revoked);
    }
    return {
      token,
      expiresAt: this.sessions.expiresAt(session),
      actor: actorOf(user),
      sessionId,
      passwordExpiresAt: passwordExpiresAt(user, this.ledger.rules),
      passwordExpired: false,
    };
  }

  /**
   * The actor behind a bearer token, from the current identity state (a role change applies at
   * once; a deactivated user is refused at once). Refusals: `AUTH.TOKEN_INVALID`,
   * `AUTH.SESSION_EXPIRED`, `AUTH.USER_DEACTIVATED` (kind `unauthenticated`).
   */
  async authenticate(token: unknown): Promise<Actor> {
    const lookup = await this.sessions.touch(token, this.nowMs());
    if (lookup.status === 'unknown') throw unauthenticated('AUTH.TOKEN_INVALID', 'The bearer token is not valid; log in again');
    if (lookup.status === 'expired') {
      throw unauthenticated('AUTH.SESSION_EXPIRED', lookup.why === 'inactivity' ? 'The session expired after inactivity; log in again' : 'The session reached its maximum lifetime; log in again');
    }
    if (lookup.status === 'ended') throw endedRefusal(lookup.why);
    const { session } = lookup;
    const user = findUserById(await this.ledger.state(), session.userId);
    // The state also covers changes made by another process on the same ledger (e.g. the CLI), and
    // anything whose direct revocation was lost; the session is ended in the store so all servers agree.
    const refusal = staleSessionReason(user, session);
    if (refusal !== null) {
      await this.sessions.end(token as string, refusal, this.nowMs());
      throw endedRefusal(refusal);
    }
    return actorOf(user as UserAccount);
  }

  async logout(token: string, source: EventSource = 'api'): Promise<void> {
    const session = await this.sessions.peek(token);
    if (!session || session.endedBy !== null) throw unauthenticated('AUTH.TOKEN_INVALID', 'The bearer token is not valid');
    // Only the call that ended the session records the logout: two racing logouts record one.
    if (!(await this.sessions.end(token, 'logged-out', this.nowMs()))) throw unauthenticated('AUTH.TOKEN_INVALID', 'The bearer token is not valid');
    const user = findUserById(await this.ledger.state(), session.userId);
    if (user) await this.ledger.execute({ type: 'Logout', data: { sessionId: session.sessionId } }, actorOf(user), source, null);
  }

  /** One-off authentication without a session: the CLI's `--as USER` with `TRIAL_LEDGER_PASSWORD`. */
  async verifyPassword(username: string, password: string, source: EventSource = 'cli'): Promise<Actor> {
    return (await this.signInForRun(username, password, source)).actor;
  }

  /**
   * `verifyPassword` for a CLI run that lasts (an import of many lines), with the time of the recorded
   * sign-in, from which `confirmRunActor` judges what changed since.
   */
  async signInForRun(username: string, password: string, source: EventSource = 'cli'): Promise<RunSignIn> {
    const { user } = await this.authenticatePassword(username, password, 'cli', null, { source });
    return { actor: actorOf(user), authenticatedAt: user.lastLoginAt ?? this.ledger.clock.now() };
  }

  /**
   * The acting user of a CLI run, again from the current identity state before each thing it records,
   * as a bearer session's user is on every request (§11.10(d), (g)): a role changed since the sign-in
   * applies from then on, and a deactivation, a lockout or a change of password recorded since ends the
   * run (`AUTH.USER_DEACTIVATED`, `AUTH.ACCOUNT_LOCKED`, `AUTH.PASSWORD_CHANGED`), as it ends a session.
   */
  async confirmRunActor(actor: Actor, authenticatedAt: string): Promise<Actor> {
    const user = findUserById(await this.ledger.state(), actor.userId);
    const refusal = staleSessionReason(user, { createdAtMs: Date.parse(authenticatedAt) });
    if (refusal !== null) {
      const ended = runEndedRefusal(refusal);
      this.ledger.logger.warn(`CLI run of ${actor.username} ended: ${refusal} since its sign-in at ${authenticatedAt}`, ended.code);
      throw ended;
    }
    return actorOf(user as UserAccount);
  }

  /**
   * The change-password flow: authenticated by the current password (it works with an expired
   * one, which is how an expired password gets changed). Ends the user's open sessions.
   */
  async changePassword(input: { username: string; currentPassword: string; newPassword: string }, origin: RequestOrigin): Promise<UserView> {
    if (typeof input.currentPassword !== 'string' || typeof input.username !== 'string') invalid('AUTH.LOGIN_MALFORMED', 'username and currentPassword are required');
    // The password is checked against the state before the command: the attempt is recorded as the
    // user's own only when they proved who they are, and the envelope's actor is fixed before the pipeline reads.
    const user = findUser(await this.ledger.state(), input.username);
    // Checked against what the caller sent only: a rule that read the account (its printed name) would
    // answer an unauthenticated caller whether the username exists and what its owner is called, and —
    // once the password is verified — whether a guessed current password is right, unrecorded.
    const newPassword = checkPasswordStrength(input.newPassword, this.ledger.policy, { username: input.username, currentPassword: input.currentPassword });
    const currentPasswordMatches = await this.ledger.passwordMatches(user, input.currentPassword);
    // The owner, proved by the current password, meets the rules that read the account.
    if (user && currentPasswordMatches) {
      checkPasswordStrength(newPassword, this.ledger.policy, { username: input.username, fullName: user.fullName, currentPassword: input.currentPassword });
    }
    const reusesRecentPassword = user && currentPasswordMatches ? await this.ledger.reusesRecentPassword(newPassword, user) : false;
    const passwordHash = currentPasswordMatches && !reusesRecentPassword ? await hashPassword(newPassword, this.ledger.policy.scrypt) : '';
    const result = await this.ledger.execute(
      // The current password is judged against the account the change is decided on: one reset by an
      // administrator while it was being checked (credentials reported stolen) can no longer choose the next.
      async (state) => {
        const account = findUser(state, input.username);
        const samePassword = (account?.passwordHash ?? null) === (user?.passwordHash ?? null);
        const matches = await this.ledger.passwordStillMatches(account, input.currentPassword, { user, matches: currentPasswordMatches });
        const reuses = samePassword ? reusesRecentPassword : account !== null && matches && (await this.ledger.reusesRecentPassword(newPassword, account));
        const hash = samePassword ? passwordHash : matches && !reuses ? await hashPassword(newPassword, this.ledger.policy.scrypt) : '';
        return {
          type: 'ChangeOwnPassword',
          data: {
            username: input.username, unknownUsernameDigest: this.ledger.unknownUsernameDigest(input.username), currentPasswordMatches: matches,
            passwordHash: hash, reusesRecentPassword: reuses, ip: origin.ip ?? null,
          },
        };
      },
      user && currentPasswordMatches ? actorOf(user) : SYSTEM_ACTOR, origin.source, null,
    );
    await this.ledger.throwOnRefusal(result.events);
    return answerRecorded(result.outcome, async () => {
      for (const event of result.events) if (event.type === 'PasswordChanged') await this.sessions.endUserSessions(event.data.userId, 'password-changed', this.nowMs());
      const user = findUser(result.state, input.username);
      if (!user) return notFound('IDENTITY.USER_NOT_FOUND', `No user ${JSON.stringify(normaliseUsername(input.username))}`);
      return userView(user, this.ledger.rules, this.ledger.clock.now());
    });
  }

  private async authenticatePassword(
    username: string,
    password: string,
    purpose: 'login' | 'cli',
    sessionId: string | null,
    origin: RequestOrigin,
  ): Promise<{ user: UserAccount; outcome: CommandOutcome }> {
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > MAX_LOGIN_USERNAME) {
      invalid('AUTH.LOGIN_MALFORMED', 'A login needs a username and a password');
    }
    const user = findUser(await this.ledger.state(), username);
    const passwordMatches = await this.ledger.passwordMatches(user, password);
    const result = await this.ledger.execute(
      // Judged against the account the decision is made on: a reset recorded while the password was
      // being checked makes the old one wrong (§11.300(c)), whatever the first check said.
      async (state) => ({
        type: 'AuthenticateWithPassword',
        data: {
          username, unknownUsernameDigest: this.ledger.unknownUsernameDigest(username),
          passwordMatches: await this.ledger.passwordStillMatches(findUser(state, username), password, { user, matches: passwordMatches }),
          purpose, sessionId, ip: origin.ip ?? null,
        },
      }),
      user && passwordMatches ? actorOf(user) : SYSTEM_ACTOR, origin.source, null,
    );
    await this.ledger.throwOnRefusal(result.events);
    const authenticated = await answerRecorded(result.outcome, () => findUser(result.state, username) ?? notFound('IDENTITY.USER_NOT_FOUND', 'The user authenticated is gone'));
    return { user: authenticated, outcome: result.outcome };
  }
}
