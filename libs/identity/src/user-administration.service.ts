import { v7 as uuidv7 } from 'uuid';
import {
  ACCOUNT_POLICY_STREAM_ID,
  IDENTITY_STREAM_ID,
  QUERY_ROLES,
  SYSTEM_ACTOR,
  findUser,
  listUserAccounts,
  normaliseUsername,
  notFound,
  type Actor,
  type IdentityState,
  type Role,
} from '@trial-ledger/domain';
import { answerRecorded, requestFingerprint, type IdentityCommandResult } from '@trial-ledger/command-pipeline';
import { IdempotencyKeyReusedError, type EventSource, type StoredEvent } from '@trial-ledger/event-store';
import type { AuthorizationLog } from './authorization-log';
import type { IdentityLedger } from './identity-ledger';
import { hashPassword, verifyPassword } from './password-hasher';
import { checkPasswordStrength } from './password-strength';
import type { SessionRegistry } from './session-registry';
import { userView, type UserView } from './user-view';

/** The streams of user management, in the order the history names them: the identity stream and the account policy's (`AccountPolicyChanged`). */
export const USER_MANAGEMENT_STREAM_IDS: readonly string[] = [IDENTITY_STREAM_ID, ACCOUNT_POLICY_STREAM_ID];

export interface NewUserInput {
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
  readonly password: string;
  readonly reason?: string | null;
}

/**
 * The idempotency key a user-management request arrives under (SPEC §4; keys are per user), and who
 * to tell that the answer is an idempotent repeat (the API's `Idempotent-Replayed`).
 */
export interface UserChangeKey {
  readonly idempotencyKey?: string | null;
  readonly onRepeat?: () => void;
}

/**
 * User administration (SPEC §5; Part 11 §11.10(d), (g), §11.300(b)): the first administrator, then
 * users added, re-roled, deactivated and reset by an administrator, every change an event with actor
 * and reason. The identity decider makes every decision (username rules and uniqueness, roles, the
 * last administrator); this service hashes passwords, records refused role checks and ends the
 * sessions a change revokes.
 */
export class UserAdministrationService {
  constructor(
    private readonly ledger: IdentityLedger,
    private readonly authorization: AuthorizationLog,
    private readonly sessions: SessionRegistry,
  ) {}

  /** The first administrator, from the CLI; refused once an administrator exists (`IDENTITY.ADMIN_EXISTS`). */
  async createFirstAdmin(input: { username: string; fullName: string; password: string }, source: EventSource = 'cli'): Promise<UserView> {
    const password = checkPasswordStrength(input.password, this.ledger.policy, { username: input.username, fullName: input.fullName });
    const passwordHash = await hashPassword(password, this.ledger.policy.scrypt);
    const result = await this.ledger.execute(
      { type: 'CreateFirstAdmin', data: { userId: uuidv7(), username: input.username, fullName: input.fullName, passwordHash } },
      SYSTEM_ACTOR, source, 'first administrator created from the CLI',
    );
    return this.created(result);
  }

  async addUser(actor: Actor, input: NewUserInput, source: EventSource = 'api', keyed: UserChangeKey = {}): Promise<UserView> {
    await this.authorization.authorize(actor, ['admin'], 'add users', source);
    const password = checkPasswordStrength(input.password, this.ledger.policy, { username: input.username, fullName: input.fullName });
    const passwordHash = await hashPassword(password, this.ledger.policy.scrypt);
    const result = await this.ledger.execute(
      { type: 'CreateUser', data: { userId: uuidv7(), username: input.username, fullName: input.fullName, role: input.role, passwordHash } },
      actor, source, input.reason ?? null,
      this.keys(keyed, { type: 'CreateUser', username: input.username, fullName: input.fullName, role: input.role, reason: input.reason ?? null }),
    );
    await this.samePasswordOnRepeat(result, keyed, password);
    return this.created(result, keyed);
  }

  async changeRole(actor: Actor, input: { username: string; role: Role; reason?: string | null }, source: EventSource = 'api', keyed: UserChangeKey = {}): Promise<UserView> {
    await this.authorization.authorize(actor, ['admin'], 'change roles', source);
    const result = await this.ledger.execute(
      { type: 'ChangeUserRole', data: { username: input.username, role: input.role } }, actor, source, input.reason ?? null,
      this.keys(keyed, { type: 'ChangeUserRole', username: input.username, role: input.role, reason: input.reason ?? null }),
    );
    return this.answer(result, input.username, keyed);
  }

  /** Access withdrawn at once: the user's sessions end with the event (§11.10(d)). */
  async deactivateUser(actor: Actor, input: { username: string; reason?: string | null }, source: EventSource = 'api', keyed: UserChangeKey = {}): Promise<UserView> {
    await this.authorization.authorize(actor, ['admin'], 'deactivate users', source);
    const result = await this.ledger.execute(
      { type: 'DeactivateUser', data: { username: input.username } }, actor, source, input.reason ?? null,
      this.keys(keyed, { type: 'DeactivateUser', username: input.username, reason: input.reason ?? null }),
    );
    return this.answer(result, input.username, keyed, async () => {
      for (const event of result.events) if (event.type === 'UserDeactivated') await this.sessions.endUserSessions(event.data.userId, 'user-deactivated', Date.parse(this.ledger.clock.now()));
    });
  }

  async reactivateUser(actor: Actor, input: { username: string; reason?: string | null }, source: EventSource = 'api', keyed: UserChangeKey = {}): Promise<UserView> {
    await this.authorization.authorize(actor, ['admin'], 'reactivate users', source);
    const result = await this.ledger.execute(
      { type: 'ReactivateUser', data: { username: input.username } }, actor, source, input.reason ?? null,
      this.keys(keyed, { type: 'ReactivateUser', username: input.username, reason: input.reason ?? null }),
    );
    return this.answer(result, input.username, keyed);
  }

  /** An administrator sets a temporary password; the user must change it before the next login. */
  async resetPassword(actor: Actor, input: { username: string; newPassword: string; reason?: string | null }, source: EventSource = 'api', keyed: UserChangeKey = {}): Promise<UserView> {
    await this.authorization.authorize(actor, ['admin'], 'reset passwords', source);
    const owner = findUser(await this.ledger.state(), input.username);
    const password = checkPasswordStrength(input.newPassword, this.ledger.policy, { username: input.username, fullName: owner?.fullName });
    const passwordHash = await hashPassword(password, this.ledger.policy.scrypt);
    const result = await this.ledger.execute(
      async (state) => {
        const user = findUser(state, input.username);
        const reusesRecentPassword = user ? await this.ledger.reusesRecentPassword(password, user) : false;
        return { type: 'ResetPassword', data: { username: input.username, passwordHash, reusesRecentPassword } };
      },
      actor, source, input.reason ?? null,
      this.keys(keyed, { type: 'ResetPassword', username: input.username, reason: input.reason ?? null }),
    );
    await this.samePasswordOnRepeat(result, keyed, password);
    return this.answer(result, input.username, keyed, async () => {
      for (const event of result.events) if (event.type === 'PasswordChanged') await this.sessions.endUserSessions(event.data.userId, 'password-changed', Date.parse(this.ledger.clock.now()));
    });
  }

  async listUsers(actor: Actor, source: EventSource = 'api'): Promise<UserView[]> {
    await this.authorization.authorize(actor, QUERY_ROLES.ListUsers, 'list users', source);
    const state = await this.ledger.state();
    return listUserAccounts(state).map((u) => userView(u, this.ledger.rules, this.ledger.clock.now()));
  }

  async getUser(actor: Actor, username: string, source: EventSource = 'api'): Promise<UserView> {
    await this.authorization.authorize(actor, QUERY_ROLES.GetUser, 'view users', source);
    return this.view(await this.ledger.state(), username);
  }

  /**
   * The streams of user management as stored (`USER_MANAGEMENT_STREAM_IDS`), merged in log order, for
   * its history (SPEC §5: user management is itself audited). Both are read up to the same log
   * position, so a page never holds an event of one stream while missing an earlier one of the other.
   * The identity events hold password hashes: callers present them through the audit trail's
   * redaction (`userHistoryPage`), never as they are.
   */
  async userManagementEvents(actor: Actor, source: EventSource = 'api'): Promise<StoredEvent[]> {
    await this.authorization.authorize(actor, QUERY_ROLES.GetUserHistory, 'view the user-management history', source);
    const { position } = await this.ledger.store.head();
    const streams = await Promise.all(USER_MANAGEMENT_STREAM_IDS.map((streamId) => this.ledger.store.readStream(streamId, { toPosition: position })));
    return streams.flat().sort((a, b) => a.globalPosition - b.globalPosition);
  }

  private view(state: IdentityState, username: string, now: string = this.ledger.clock.now()): UserView {
    const user = findUser(state, username);
    if (!user) return notFound('IDENTITY.USER_NOT_FOUND', `No user ${JSON.stringify(normaliseUsername(username))}`, { username });
    return userView(user, this.ledger.rules, now);
  }

  /**
   * The key and the fingerprint a user-management request is bound to: its body without the password.
   * The fingerprint is kept in the hashed metadata, and an unsalted SHA-256 over a password would let
   * anyone who reads the ledger test guesses at it; the password is matched instead against the
   * salted hash the first request recorded (`samePasswordOnRepeat`).
   */
  private keys(keyed: UserChangeKey, bodyWithoutPassword: Record<string, unknown>): { idempotencyKey: string | null; requestHash: string | null } {
    const idempotencyKey = keyed.idempotencyKey ?? null;
    return { idempotencyKey, requestHash: idempotencyKey === null ? null : requestFingerprint(bodyWithoutPassword) };
  }

  /**
   * An idempotent repeat of a request that set a password (a new user's, a reset) answers the first
   * outcome only when it carries the same password: checked against the salted hash the first request
   * recorded, so neither a second password is set nor the first one disclosed; another password is
   * another body (`IDEMPOTENCY.KEY_REUSED`).
   */
  private async samePasswordOnRepeat(result: IdentityCommandResult, keyed: UserChangeKey, password: string): Promise<void> {
    if (!result.outcome.repeated) return;
    const recorded = result.events.find((e) => e.type === 'UserCreated' || e.type === 'PasswordChanged');
    const hash = recorded?.type === 'UserCreated' || recorded?.type === 'PasswordChanged' ? recorded.data.passwordHash : null;
    if (hash === null || !(await verifyPassword(password, hash))) throw new IdempotencyKeyReusedError(keyed.idempotencyKey ?? '');
  }

  /**
   * The user after the command, from the state it led to (no second read of the stream), after the
   * command's effects outside the ledger (ending sessions); a failure in either still says what was recorded.
   */
  private answer(result: IdentityCommandResult, username: string, keyed: UserChangeKey, effects: () => Promise<void> = async () => undefined): Promise<UserView> {
    return answerRecorded(result.outcome, async () => {
      // An idempotent repeat had its effects the first time: ending sessions again would end those opened since.
      if (result.outcome.repeated) keyed.onRepeat?.();
      else await effects();
      return this.view(result.state, username, result.answeredAt);
    });
  }

  private created(result: IdentityCommandResult, keyed: UserChangeKey = {}): Promise<UserView> {
    return answerRecorded(result.outcome, () => {
      const created = result.events.find((e) => e.type === 'UserCreated');
      if (created?.type !== 'UserCreated') throw new Error('UserCreated expected');
      if (result.outcome.repeated) keyed.onRepeat?.();
      return this.view(result.state, created.data.username, result.answeredAt);
    });
  }
}
