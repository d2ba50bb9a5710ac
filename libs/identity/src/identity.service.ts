import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import {
  DomainError,
  IDENTITY_STREAM_ID,
  SIGNATURE_ROLES,
  SYSTEM_ACTOR,
  decideIdentity,
  decideSignature,
  evolveIdentity,
  findUser,
  findUserById,
  hasActiveAdmin,
  identityRefusal,
  initialIdentityState,
  invalid,
  isLockedOut,
  isRole,
  isSignatureMeaning,
  listUserAccounts,
  normaliseUsername,
  notFound,
  passwordExpiresAt,
  refuse,
  signatureCommandType,
  signatureStatus,
  subjectStreamId,
  validateUsername,
  type Actor,
  type IdentityCommand,
  type IdentityEvent,
  type IdentityRules,
  type IdentityState,
  type Role,
  type SignatureMeaning,
  type SignatureScope,
  type SignatureState,
  type UserAccount,
} from '@trial-ledger/domain';
import { handleCommand, toRecorded, type CommandPlan } from '@trial-ledger/command-pipeline';
import type { Clock, EventSource, EventStore, StoredEvent } from '@trial-ledger/event-store';
import { identityPolicy, type IdentityPolicy } from './identity-policy';
import { checkPasswordStrength, hashPassword, verifyPassword as verifyPasswordHash } from './password-hasher';
import { requireRole } from './require-role';
import { SessionRegistry } from './session-registry';
import { signedHashOf, verifySignature, type SignatureVerification } from './signature-hash';

/** Where security events are reported as they happen (§11.300(d)); defaults to Nest's `Logger`. */
export interface SecurityLogger {
  warn(message: string): void;
}

/**
 * For command-line runs: Nest's `Logger` writes warnings to stdout, which would corrupt `--json`
 * output; this one writes the security log to stderr.
 */
export const stderrSecurityLogger: SecurityLogger = { warn: (message) => process.stderr.write(`trial-ledger [security] ${message}\n`) };

export interface IdentityServiceOptions {
  readonly logger?: SecurityLogger;
}

/** The caller's channel, recorded with every attempt (time comes from the server clock). */
export interface RequestOrigin {
  readonly source: EventSource;
  readonly ip?: string | null;
}

/** A user as the outside world may see it: never the password hash. */
export interface UserView {
  readonly userId: string;
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
  readonly status: 'active' | 'deactivated';
  readonly createdAt: string;
  readonly passwordChangedAt: string;
  /** When the current password stops being accepted for login (null: never). */
  readonly passwordExpiresAt: string | null;
  readonly mustChangePassword: boolean;
  readonly lockedUntil: string | null;
  readonly lastLoginAt: string | null;
}

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

export interface NewUserInput {
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
  readonly password: string;
  readonly reason?: string | null;
}

export interface SignRecordRequest {
  /** The signer re-enters both components at every signing (§11.200(a)(1)). */
  readonly username: string;
  readonly password: string;
  readonly meaning: SignatureMeaning;
  readonly studyId: string;
  readonly subjectId: string;
  readonly scope: SignatureScope;
  /** The subject stream version the signer reviewed (the `ETag` they saw); refused if it moved. */
  readonly expectedVersion?: number;
}

export interface SignatureResult {
  readonly signatureEventId: string;
  readonly type: 'CasebookSigned' | 'RecordSigned';
  readonly studyId: string;
  readonly subjectId: string;
  readonly signerUserId: string;
  readonly signerUsername: string;
  readonly signerFullName: string;
  readonly signedAt: string;
  readonly meaning: SignatureMeaning;
  readonly signedThroughVersion: number;
  readonly signedHash: string;
  readonly targetEventId: string | null;
  /** The subject stream's version after the signature (the new `ETag`). */
  readonly streamVersion: number;
}

export const actorOf = (user: UserAccount): Actor => ({ userId: user.userId, username: user.username, fullName: user.fullName, role: user.role });

const unauthenticated = (code: string, message: string): DomainError => new DomainError(code, message, 'unauthenticated');

/** Roles that may see the user list: administrators, and auditors reviewing who had access. */
const USER_LIST_ROLES: readonly Role[] = ['admin', 'monitor', 'regulator'];

/**
 * Identity and electronic signatures (SPEC §5; 21 CFR Part 11 §11.10(d), (g), §11.50, §11.70,
 * §11.100, §11.200, §11.300). Decisions are the pure identity decider's; this service hashes and
 * verifies passwords, keeps the sessions, and runs every change through the one command pipeline.
 */
export class IdentityService {
  readonly policy: IdentityPolicy;
  private readonly rules: IdentityRules;
  private readonly sessions: SessionRegistry;
  private readonly logger: SecurityLogger;
  private cache: { version: number; state: IdentityState } = { version: 0, state: initialIdentityState() };
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    policy: Partial<IdentityPolicy> = {},
    options: IdentityServiceOptions = {},
  ) {
    this.policy = identityPolicy(policy);
    this.rules = { maxFailedAttempts: this.policy.maxFailedAttempts, lockoutMinutes: this.policy.lockoutMinutes, passwordMaxAgeDays: this.policy.passwordMaxAgeDays };
    this.sessions = new SessionRegistry({ inactivityMs: this.policy.sessionInactivityMinutes * 60_000, absoluteMs: this.policy.sessionAbsoluteMinutes * 60_000 });
    this.logger = options.logger ?? new Logger('Security');
  }

  // ---- user management ---------------------------------------------------------------------------

  /** The first administrator, from the CLI; refused once an administrator exists (`IDENTITY.ADMIN_EXISTS`). */
  async createFirstAdmin(input: { username: string; fullName: string; password: string }, source: EventSource = 'cli'): Promise<UserView> {
    if (hasActiveAdmin(await this.state())) refuse('IDENTITY.ADMIN_EXISTS', 'An administrator already exists; further users are added by an administrator');
    validateUsername(input.username);
    const password = checkPasswordStrength(input.password, this.policy);
    const passwordHash = await hashPassword(password, this.policy.scrypt);
    const events = await this.execute(
      { type: 'CreateFirstAdmin', data: { userId: uuidv7(), username: input.username, fullName: input.fullName, passwordHash } },
      SYSTEM_ACTOR, source, 'first administrator created from the CLI',
    );
    return this.viewOfEvents(events);
  }

  async addUser(actor: Actor, input: NewUserInput, source: EventSource = 'api'): Promise<UserView> {
    await this.authorize(actor, ['admin'], 'add users', source);
    const username = validateUsername(input.username);
    if (!isRole(input.role)) invalid('IDENTITY.ROLE_INVALID', `Unknown role ${JSON.stringify(input.role)}`, { role: input.role });
    if (findUser(await this.state(), username)) {
      refuse('IDENTITY.USERNAME_TAKEN', `The username ${JSON.stringify(username)} is taken; usernames are never reused, even after deactivation`, { username });
    }
    const password = checkPasswordStrength(input.password, this.policy);
    const passwordHash = await hashPassword(password, this.policy.scrypt);
    const events = await this.execute(
      { type: 'CreateUser', data: { userId: uuidv7(), username, fullName: input.fullName, role: input.role, passwordHash } },
      actor, source, input.reason ?? null,
    );
    return this.viewOfEvents(events);
  }

  async changeRole(actor: Actor, input: { username: string; role: Role; reason?: string | null }, source: EventSource = 'api'): Promise<UserView> {
    await this.authorize(actor, ['admin'], 'change roles', source);
    await this.execute({ type: 'ChangeUserRole', data: { username: input.username, role: input.role } }, actor, source, input.reason ?? null);
    return this.view(input.username);
  }

  /** Access withdrawn at once: the user's sessions end with the event (§11.10(d)). */
  async deactivateUser(actor: Actor, input: { username: string; reason?: string | null }, source: EventSource = 'api'): Promise<UserView> {
    await this.authorize(actor, ['admin'], 'deactivate users', source);
    await this.execute({ type: 'DeactivateUser', data: { username: input.username } }, actor, source, input.reason ?? null);
    const user = findUser(await this.state(), input.username);
    if (user) this.sessions.endUserSessions(user.userId, 'user-deactivated');
    return this.view(input.username);
  }

  async reactivateUser(actor: Actor, input: { username: string; reason?: string | null }, source: EventSource = 'api'): Promise<UserView> {
    await this.authorize(actor, ['admin'], 'reactivate users', source);
    await this.execute({ type: 'ReactivateUser', data: { username: input.username } }, actor, source, input.reason ?? null);
    return this.view(input.username);
  }

  /** An administrator sets a temporary password; the user must change it before the next login. */
  async resetPassword(actor: Actor, input: { username: string; newPassword: string; reason?: string | null }, source: EventSource = 'api'): Promise<UserView> {
    await this.authorize(actor, ['admin'], 'reset passwords', source);
    const user = findUser(await this.state(), input.username);
    if (!user) return notFound('IDENTITY.USER_NOT_FOUND', `No user ${JSON.stringify(normaliseUsername(input.username))}`);
    const password = checkPasswordStrength(input.newPassword, this.policy);
    const [reusesRecentPassword, passwordHash] = await Promise.all([this.reusesRecentPassword(password, user), hashPassword(password, this.policy.scrypt)]);
    await this.execute({ type: 'ResetPassword', data: { username: user.username, passwordHash, reusesRecentPassword } }, actor, source, input.reason ?? null);
    this.sessions.endUserSessions(user.userId, 'password-changed');
    return this.view(user.username);
  }

  async listUsers(actor: Actor, source: EventSource = 'api'): Promise<UserView[]> {
    await this.authorize(actor, USER_LIST_ROLES, 'list users', source);
    return listUserAccounts(await this.state()).map((u) => this.toView(u));
  }

  async getUser(actor: Actor, username: string, source: EventSource = 'api'): Promise<UserView> {
    await this.authorize(actor, USER_LIST_ROLES, 'view users', source);
    return this.view(username);
  }

  // ---- authentication ------------------------------------------------------------------------------

  /** Opens a session. Every attempt, successful or not, is recorded with its time and source. */
  async login(username: string, password: string, origin: RequestOrigin): Promise<LoginResult> {
    const sessionId = randomUUID();
    const user = await this.authenticatePassword(username, password, 'login', sessionId, origin);
    const nowMs = Date.parse(this.clock.now());
    const { token, session } = this.sessions.open(user.userId, nowMs, sessionId);
    return {
      token,
      expiresAt: this.sessions.expiresAt(session),
      actor: actorOf(user),
      sessionId,
      passwordExpiresAt: passwordExpiresAt(user, this.rules),
      passwordExpired: false,
    };
  }

  /**
   * The actor behind a bearer token, from the current identity state (a role change applies at
   * once; a deactivated user is refused at once). Refusals: `AUTH.TOKEN_INVALID`,
   * `AUTH.SESSION_EXPIRED`, `AUTH.USER_DEACTIVATED` (kind `unauthenticated`).
   */
  async authenticate(token: unknown): Promise<Actor> {
    const lookup = this.sessions.touch(token, Date.parse(this.clock.now()));
    if (lookup.status === 'unknown') throw unauthenticated('AUTH.TOKEN_INVALID', 'The bearer token is not valid; log in again');
    if (lookup.status === 'expired') {
      throw unauthenticated('AUTH.SESSION_EXPIRED', lookup.why === 'inactivity' ? 'The session expired after inactivity; log in again' : 'The session reached its maximum lifetime; log in again');
    }
    if (lookup.status === 'ended') {
      if (lookup.why === 'user-deactivated') throw unauthenticated('AUTH.USER_DEACTIVATED', 'The account is deactivated');
      throw unauthenticated('AUTH.TOKEN_INVALID', 'The session was ended by a change of password; log in again');
    }
    const { session } = lookup;
    const user = findUserById(await this.state(), session.userId);
    // The state also covers changes made by another process on the same ledger (e.g. the CLI).
    const deactivatedSince = user?.deactivatedAt != null && Date.parse(user.deactivatedAt) >= session.createdAtMs;
    if (!user || !user.active || deactivatedSince) {
      this.sessions.revoke(token as string);
      throw unauthenticated('AUTH.USER_DEACTIVATED', 'The account is deactivated');
    }
    if (Date.parse(user.passwordChangedAt) > session.createdAtMs) {
      this.sessions.revoke(token as string);
      throw unauthenticated('AUTH.TOKEN_INVALID', 'The session was ended by a change of password; log in again');
    }
    return actorOf(user);
  }

  async logout(token: string, source: EventSource = 'api'): Promise<void> {
    const session = this.sessions.peek(token);
    if (!session) throw unauthenticated('AUTH.TOKEN_INVALID', 'The bearer token is not valid');
    this.sessions.revoke(token);
    const user = findUserById(await this.state(), session.userId);
    if (user) await this.execute({ type: 'Logout', data: { sessionId: session.sessionId } }, actorOf(user), source, null);
  }

  /** One-off authentication without a session: the CLI's `--as USER` with `TRIAL_LEDGER_PASSWORD`. */
  async verifyPassword(username: string, password: string, source: EventSource = 'cli'): Promise<Actor> {
    return actorOf(await this.authenticatePassword(username, password, 'cli', null, { source }));
  }

  /**
   * The change-password flow: authenticated by the current password (it works with an expired
   * one, which is how an expired password gets changed). Ends the user's open sessions.
   */
  async changePassword(input: { username: string; currentPassword: string; newPassword: string }, origin: RequestOrigin): Promise<UserView> {
    const newPassword = checkPasswordStrength(input.newPassword, this.policy);
    if (typeof input.currentPassword !== 'string' || typeof input.username !== 'string') invalid('AUTH.LOGIN_MALFORMED', 'username and currentPassword are required');
    const user = findUser(await this.state(), input.username);
    const currentPasswordMatches = await this.passwordMatches(user, input.currentPassword);
    const reusesRecentPassword = user && currentPasswordMatches ? await this.reusesRecentPassword(newPassword, user) : false;
    const passwordHash = currentPasswordMatches && !reusesRecentPassword ? await hashPassword(newPassword, this.policy.scrypt) : '';
    const events = await this.execute(
      { type: 'ChangeOwnPassword', data: { username: input.username, currentPasswordMatches, passwordHash, reusesRecentPassword, ip: origin.ip ?? null } },
      user && currentPasswordMatches ? actorOf(user) : SYSTEM_ACTOR, origin.source, null,
    );
    this.throwOnRefusal(events);
    if (user) this.sessions.endUserSessions(user.userId, 'password-changed');
    return this.view(input.username);
  }

  /**
   * `requireRole`, with the refusal recorded as an `AuthorizationRefused` event and reported in the
   * security log (SPEC §5: every refusal is logged).
   */
  async authorize(actor: Actor, roles: readonly Role[], action: string, source: EventSource = 'api'): Promise<void> {
    try {
      requireRole(actor, roles, action);
    } catch (refusal) {
      await this.recordAuthorizationRefused(actor, action, roles, source);
      throw refusal;
    }
  }

  async recordAuthorizationRefused(actor: Actor, action: string, allowedRoles: readonly Role[], source: EventSource = 'api'): Promise<void> {
    this.logger.warn(`authorization refused: ${actor.username} (${actor.role}) may not ${action}; allowed: ${allowedRoles.join(', ')}`);
    await this.execute({ type: 'RecordAuthorizationRefused', data: { action, allowedRoles } }, actor, source, null);
  }

  // ---- electronic signatures -----------------------------------------------------------------------

  /**
   * Executes an electronic signature (§11.50, §11.200): the session's user re-enters username and
   * password in the signing request itself; the signature event, written to the subject stream
   * through the command pipeline, binds the printed name, UTC date-time, meaning and the hash of
   * exactly the content signed. A failed attempt writes nothing there; it is recorded in the
   * identity stream, counted towards lockout and reported in the security log at once.
   */
  async signRecord(actor: Actor, request: SignRecordRequest, origin: RequestOrigin = { source: 'api' }): Promise<SignatureResult> {
    const studyId = typeof request.studyId === 'string' ? request.studyId : invalid('SIGNATURE.REQUEST_INVALID', 'studyId is required');
    const subjectId = typeof request.subjectId === 'string' ? request.subjectId : invalid('SIGNATURE.REQUEST_INVALID', 'subjectId is required');
    if (!isSignatureMeaning(request.meaning)) invalid('SIGNATURE.MEANING_INVALID', 'The meaning is one of authorship, review, approval, responsibility', { meaning: request.meaning });
    const scope = request.scope;
    if (scope !== 'casebook' && !(scope && typeof scope === 'object' && typeof scope.eventId === 'string')) {
      invalid('SIGNATURE.SCOPE_INVALID', 'The scope is "casebook" or { "eventId": … }');
    }
    const type = signatureCommandType(scope);
    await this.authorize(actor, SIGNATURE_ROLES[type], type, origin.source);

    const user = findUserById(await this.state(), actor.userId);
    const sameSigner = typeof request.username === 'string' && user !== null && normaliseUsername(request.username) === user.username;
    const passwordMatches = sameSigner ? await this.passwordMatches(user, request.password) : false;
    const verdict = await this.execute(
      {
        type: 'VerifySigner',
        data: { attemptedSigner: typeof request.username === 'string' ? request.username : '', passwordMatches, studyId, subjectId, ip: origin.ip ?? null },
      },
      actor, origin.source, null,
    );
    this.throwOnRefusal(verdict);
    const signer = user as UserAccount;

    const streamId = subjectStreamId(studyId, subjectId);
    const plan: CommandPlan = {
      primaryStream: streamId,
      readStreams: [],
      decide: (streams, metadata) => {
        const stored = streams.get(streamId) ?? [];
        const last = stored.at(-1);
        if (!last) return notFound('SUBJECT.NOT_FOUND', `No subject ${subjectId} in study ${studyId}`, { studyId, subjectId });
        const events = decideSignature(
          {
            studyId, subjectId, meaning: request.meaning, scope,
            signer: { userId: signer.userId, username: signer.username, fullName: signer.fullName },
            signedThroughVersion: last.streamVersion,
            signedEventHash: last.hash,
            signedHash: signedHashOf(streamId, last.streamVersion, last.hash),
          },
          stored.map((e) => toRecorded(e)),
          metadata,
        );
        return { writes: [{ streamId, events }], protocolVersion: last.metadata.protocolVersion };
      },
    };
    const outcome = await handleCommand(this.store, plan, { actor: actorOf(signer), source: origin.source, expectedVersion: request.expectedVersion }, { clock: this.clock });
    const written = outcome.events[0];
    const data = written.data as Record<string, unknown>;
    return {
      signatureEventId: written.eventId,
      type: written.type as SignatureResult['type'],
      studyId,
      subjectId,
      signerUserId: String(data.signerUserId),
      signerUsername: String(data.signerUsername),
      signerFullName: String(data.signerFullName),
      signedAt: String(data.signedAt),
      meaning: data.meaning as SignatureMeaning,
      signedThroughVersion: Number(data.signedThroughVersion),
      signedHash: String(data.signedHash),
      targetEventId: typeof data.targetEventId === 'string' ? data.targetEventId : null,
      streamVersion: outcome.primaryVersion,
    };
  }

  /** Every signature of a subject with its status (`valid` or `superseded`). */
  async signatures(studyId: string, subjectId: string): Promise<SignatureState[]> {
    const events = await this.store.readStream(subjectStreamId(studyId, subjectId));
    return signatureStatus(events.map((e) => toRecorded(e)));
  }

  /** Recomputes a signature's binding from the store (see `verifySignature`). */
  verifySignature(signatureEventId: string): Promise<SignatureVerification> {
    return verifySignature(this.store, signatureEventId);
  }

  // ---- internals ------------------------------------------------------------------------------------

  private async authenticatePassword(
    username: string,
    password: string,
    purpose: 'login' | 'cli',
    sessionId: string | null,
    origin: RequestOrigin,
  ): Promise<UserAccount> {
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > 256) {
      invalid('AUTH.LOGIN_MALFORMED', 'A login needs a username and a password');
    }
    const user = findUser(await this.state(), username);
    const passwordMatches = await this.passwordMatches(user, password);
    const events = await this.execute(
      { type: 'AuthenticateWithPassword', data: { username, passwordMatches, purpose, sessionId, ip: origin.ip ?? null } },
      user && passwordMatches ? actorOf(user) : SYSTEM_ACTOR, origin.source, null,
    );
    this.throwOnRefusal(events);
    return findUser(await this.state(), username) as UserAccount;
  }

  /**
   * False without hashing work for a locked account; for an unknown user a dummy hash is checked so
   * that response times do not reveal which usernames exist.
   */
  private async passwordMatches(user: UserAccount | null, password: unknown): Promise<boolean> {
    if (typeof password !== 'string' || [...password].length > this.policy.passwordMaxLength) return false;
    if (!user) {
      this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.policy.scrypt);
      await verifyPasswordHash(password, await this.dummyHash);
      return false;
    }
    if (isLockedOut(user, this.clock.now())) return false;
    return verifyPasswordHash(password, user.passwordHash);
  }

  private async reusesRecentPassword(password: string, user: UserAccount): Promise<boolean> {
    const recent = [user.passwordHash, ...user.previousPasswordHashes].slice(0, Math.max(1, this.policy.passwordHistory));
    return (await Promise.all(recent.map((hash) => verifyPasswordHash(password, hash)))).some(Boolean);
  }

  private throwOnRefusal(events: readonly IdentityEvent[]): void {
    for (const event of events) {
      if (event.type === 'AccountLockedOut') {
        this.logger.warn(`account locked: ${event.data.username} after ${event.data.consecutiveFailures} consecutive failures, until ${event.data.lockedUntil}`);
      }
      if (event.type === 'SignatureFailed') {
        const d = event.data;
        this.logger.warn(
          `signature failure (${d.reason}): session user ${d.username}, signer named ${JSON.stringify(d.attemptedSigner)}, ` +
            `study ${d.studyId} subject ${d.subjectId}, ${d.consecutiveFailures} consecutive failure(s)`,
        );
      }
    }
    const refusal = identityRefusal(events);
    if (refusal) throw refusal;
  }

  /** Runs an identity command through the pipeline; returns the events it recorded. */
  private async execute(command: IdentityCommand, actor: Actor, source: EventSource, reason: string | null): Promise<IdentityEvent[]> {
    const plan: CommandPlan = {
      primaryStream: IDENTITY_STREAM_ID,
      readStreams: [],
      decide: (streams, metadata) => ({
        writes: [{ streamId: IDENTITY_STREAM_ID, events: decideIdentity(command, this.fold(streams.get(IDENTITY_STREAM_ID) ?? []), { ...metadata, rules: this.rules }) }],
        protocolVersion: null,
      }),
    };
    const outcome = await handleCommand(this.store, plan, { actor, source, reason }, { clock: this.clock });
    return outcome.events.map((e) => toRecorded<IdentityEvent>(e));
  }

  /** The identity state: re-read only when the stream moved (another process may have changed it). */
  private async state(): Promise<IdentityState> {
    const version = await this.store.streamVersion(IDENTITY_STREAM_ID);
    if (version === this.cache.version) return this.cache.state;
    return this.fold(await this.store.readStream(IDENTITY_STREAM_ID));
  }

  /** Folds the stream, reusing the cached prefix (the stream is append-only). */
  private fold(events: readonly StoredEvent[]): IdentityState {
    const base = events.length >= this.cache.version ? this.cache : { version: 0, state: initialIdentityState() };
    if (events.length === base.version) return base.state;
    const state = events.slice(base.version).reduce((s, e) => evolveIdentity(s, toRecorded<IdentityEvent>(e)), base.state);
    this.cache = { version: events.length, state };
    return state;
  }

  private async view(username: string): Promise<UserView> {
    const user = findUser(await this.state(), username);
    if (!user) return notFound('IDENTITY.USER_NOT_FOUND', `No user ${JSON.stringify(normaliseUsername(username))}`);
    return this.toView(user);
  }

  private async viewOfEvents(events: readonly IdentityEvent[]): Promise<UserView> {
    const created = events.find((e) => e.type === 'UserCreated');
    if (!created || created.type !== 'UserCreated') throw new Error('UserCreated expected');
    return this.view(created.data.username);
  }

  private toView(user: UserAccount): UserView {
    return {
      userId: user.userId,
      username: user.username,
      fullName: user.fullName,
      role: user.role,
      status: user.active ? 'active' : 'deactivated',
      createdAt: user.createdAt,
      passwordChangedAt: user.passwordChangedAt,
      passwordExpiresAt: passwordExpiresAt(user, this.rules),
      mustChangePassword: user.mustChangePassword,
      lockedUntil: user.lockedUntil !== null && isLockedOut(user, this.clock.now()) ? user.lockedUntil : null,
      lastLoginAt: user.lastLoginAt,
    };
  }
}
