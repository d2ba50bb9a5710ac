import type { Role } from '../shared/actor';
import type { CommandMetadata, Decider } from '../shared/decider';
import { assertNever, forbidden, notFound, refuse } from '../shared/domain-error';
import type {
  AuthenticationPurpose,
  IdentityEvent,
  LoginFailed,
  LoginFailureReason,
  PasswordHash,
  SignatureFailed,
  SignatureFailureReason,
} from './identity.events';
import { normaliseUsername, validateFullNameAmong, validateIdentityReason, validateRole, validateUsername } from './identity-input';
import { requireNameNotInUse, requireNotConfusable } from './account-uniqueness';

/**
 * The identity aggregate (one `identity` stream for the whole ledger). Pure: password hashing and
 * verification happen in the application layer, which passes in only their outcome
 * (`passwordMatches`) and the new hash, so a replay decides the same forever.
 */

/** The account policy knobs the decider needs; the application's `IdentityPolicy` provides them. */
export interface IdentityRules {
  /** Consecutive password failures that lock the account (§11.300(d)). */
  readonly maxFailedAttempts: number;
  readonly lockoutMinutes: number;
  /** Password age after which a change is forced; 0 = never expires. */
  readonly passwordMaxAgeDays: number;
  /** How long an administrator-chosen (temporary) password can be used to choose one's own. */
  readonly temporaryPasswordHours: number;
}

export interface IdentityContext extends CommandMetadata {
  readonly rules: IdentityRules;
}

export interface UserAccount {
  readonly userId: string;
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
  readonly active: boolean;
  readonly createdAt: string;
  /** The last deactivation: sessions opened before it stay dead even after a reactivation. */
  readonly deactivatedAt: string | null;
  readonly passwordHash: PasswordHash;
  readonly passwordChangedAt: string;
  readonly mustChangePassword: boolean;
  /** Earlier password hashes, newest first (the current one excluded), for the no-reuse rule. */
  readonly previousPasswordHashes: readonly PasswordHash[];
  readonly consecutiveFailures: number;
  readonly lockedUntil: string | null;
  readonly lastLoginAt: string | null;
}

export type IdentityState =
  | { readonly status: 'empty' }
  | {
      readonly status: 'initialised';
      /**
       * Keyed by the normalised username; deactivated users stay here, so names are never reused. A
       * `Map`, not an object: a username is user input, and `constructor` or `__proto__` must be an
       * ordinary (unknown or refused) name rather than a lookup that finds `Object.prototype`.
       */
      readonly users: ReadonlyMap<string, UserAccount>;
      readonly usernamesById: ReadonlyMap<string, string>;
    };

/** Earlier hashes the state keeps: the largest `TRIAL_LEDGER_PASSWORD_HISTORY` accepted, so no policy checks fewer than it says. */
export const PASSWORD_HISTORY_KEPT = 100;

export type IdentityCommand =
  | { readonly type: 'CreateFirstAdmin'; readonly data: { userId: string; username: string; fullName: string; passwordHash: PasswordHash } }
  | { readonly type: 'CreateUser'; readonly data: { userId: string; username: string; fullName: string; role: Role; passwordHash: PasswordHash } }
  | { readonly type: 'ChangeUserRole'; readonly data: { username: string; role: Role } }
  | { readonly type: 'DeactivateUser'; readonly data: { username: string } }
  | { readonly type: 'ReactivateUser'; readonly data: { username: string } }
  | {
      readonly type: 'ChangeOwnPassword';
      readonly data: {
        username: string; unknownUsernameDigest: string; currentPasswordMatches: boolean; passwordHash: PasswordHash; reusesRecentPassword: boolean; ip: string | null;
      };
    }
  /** An administrator sets a temporary password; the user must change it at the next login. */
  | { readonly type: 'ResetPassword'; readonly data: { username: string; passwordHash: PasswordHash; reusesRecentPassword: boolean } }
  | {
      readonly type: 'AuthenticateWithPassword';
      readonly data: {
        username: string;
        /**
         * What a failure records instead of a username that names nobody (a keyed hash made by the
         * application): a password typed into the username field must not enter the permanent record.
         */
        unknownUsernameDigest: string;
        passwordMatches: boolean;
        purpose: Exclude<AuthenticationPurpose, 'change-password'>;
        sessionId: string | null;
        ip: string | null;
      };
    }
  | { readonly type: 'Logout'; readonly data: { sessionId: string } }
  | { readonly type: 'RecordAuthorizationRefused'; readonly data: { action: string; allowedRoles: readonly Role[] } }
  /**
   * The signing ceremony's identity half (§11.200(a)(1)): the session user re-enters username and
   * password. Decides nothing when they match; otherwise the failure to record.
   */
  | {
      readonly type: 'VerifySigner';
      readonly data: { attemptedSigner: string; passwordMatches: boolean; studyId: string; subjectId: string; ip: string | null };
    };

export const initialIdentityState = (): IdentityState => ({ status: 'empty' });

export const findUser = (state: IdentityState, username: string): UserAccount | null =>
  state.status === 'initialised' ? (state.users.get(normaliseUsername(username)) ?? null) : null;

export const findUserById = (state: IdentityState, userId: string): UserAccount | null => {
  if (state.status !== 'initialised') return null;
  const username = state.usernamesById.get(userId);
  return username === undefined ? null : (state.users.get(username) ?? null);
};

export const listUserAccounts = (state: IdentityState): UserAccount[] =>
  state.status === 'initialised' ? [...state.users.values()].sort((a, b) => a.username.localeCompare(b.username)) : [];

export const hasActiveAdmin = (state: IdentityState): boolean => listUserAccounts(state).some((u) => u.active && u.role === 'admin');

export const isLockedOut = (user: UserAccount, now: string): boolean => user.lockedUntil !== null && Date.parse(user.lockedUntil) > Date.parse(now);

/** When the password stops being accepted for login (null: never, by policy). */
export const passwordExpiresAt = (user: UserAccount, rules: Pick<IdentityRules, 'passwordMaxAgeDays'>): string | null =>
  rules.passwordMaxAgeDays > 0 ? new Date(Date.parse(user.passwordChangedAt) + rules.passwordMaxAgeDays * 86_400_000).toISOString() : null;

export const isPasswordExpired = (user: UserAccount, now: string, rules: Pick<IdentityRules, 'passwordMaxAgeDays'>): boolean => {
  const expiresAt = passwordExpiresAt(user, rules);
  return expiresAt !== null && Date.parse(now) >= Date.parse(expiresAt);
};

/** A temporary password past its lifetime: not even a change of password is accepted with it. */
export const isTemporaryPasswordExpired = (user: UserAccount, now: string, rules: Pick<IdentityRules, 'temporaryPasswordHours'>): boolean =>
  user.mustChangePassword && Date.parse(now) >= Date.parse(user.passwordChangedAt) + rules.temporaryPasswordHours * 3_600_000;

const update = (state: IdentityState, username: string, change: (user: UserAccount) => UserAccount): IdentityState => {
  if (state.status !== 'initialised') return state;
  const user = state.users.get(username);
  if (!user) return state;
  return { ...state, users: new Map(state.users).set(username, change(user)) };
};

export const evolveIdentity = (state: IdentityState, event: IdentityEvent): IdentityState => {
  switch (event.type) {
    case 'UserCreated': {
      const d = event.data;
      const users = state.status === 'initialised' ? state.users : new Map<string, UserAccount>();
      const usernamesById = state.status === 'initialised' ? state.usernamesById : new Map<string, string>();
      const account: UserAccount = {
        userId: d.userId, username: d.username, fullName: d.fullName, role: d.role, active: true, createdAt: d.createdAt, deactivatedAt: null,
        passwordHash: d.passwordHash, passwordChangedAt: d.createdAt, mustChangePassword: d.mustChange === true, previousPasswordHashes: [],
        consecutiveFailures: 0, lockedUntil: null, lastLoginAt: null,
      };
      return { status: 'initialised', users: new Map(users).set(d.username, account), usernamesById: new Map(usernamesById).set(d.userId, d.username) };
    }
    case 'UserRoleChanged':
      return update(state, event.data.username, (u) => ({ ...u, role: event.data.to }));
    case 'UserDeactivated':
      return update(state, event.data.username, (u) => ({ ...u, active: false, deactivatedAt: event.data.at }));
    case 'UserReactivated':
      // A reactivated account starts with a clean failure count; its password rules still apply.
      return update(state, event.data.username, (u) => ({ ...u, active: true, consecutiveFailures: 0, lockedUntil: null }));
    case 'PasswordChanged':
      return update(state, event.data.username, (u) => ({
        ...u,
        passwordHash: event.data.passwordHash,
        passwordChangedAt: event.data.changedAt,
        mustChangePassword: event.data.mustChange,
        previousPasswordHashes: [u.passwordHash, ...u.previousPasswordHashes].slice(0, PASSWORD_HISTORY_KEPT),
        consecutiveFailures: 0,
        lockedUntil: null,
      }));
    case 'LoginSucceeded':
      return update(state, event.data.username, (u) => ({ ...u, consecutiveFailures: 0, lastLoginAt: event.data.at }));
    case 'LoginFailed': {
      const username = event.data.userId === null || state.status !== 'initialised' ? undefined : state.usernamesById.get(event.data.userId);
      return username === undefined ? state : update(state, username, (u) => ({ ...u, consecutiveFailures: event.data.consecutiveFailures }));
    }
    case 'SignatureFailed':
      return update(state, event.data.username, (u) => ({ ...u, consecutiveFailures: event.data.consecutiveFailures }));
    case 'AccountLockedOut':
      // The lock starts a fresh count: after it ends the user again has the full number of attempts.
      return update(state, event.data.username, (u) => ({ ...u, lockedUntil: event.data.lockedUntil, consecutiveFailures: 0 }));
    case 'LoggedOut':
    case 'AuthorizationRefused':
      return state;
    default:
      return assertNever(event, 'identity event');
  }
};

const requireAdminActor = (state: IdentityState, context: IdentityContext, action: string): UserAccount => {
  const actor = findUserById(state, context.actor.userId);
  if (!actor || !actor.active || actor.role !== 'admin' || context.actor.role !== 'admin') {
    forbidden('AUTH.ROLE_NOT_ALLOWED', `Only an administrator may ${action}`, { action, allowedRoles: ['admin'] });
  }
  return actor as UserAccount;
};

const requireUser = (state: IdentityState, username: string): UserAccount => {
  const user = findUser(state, username);
  if (!user) notFound('IDENTITY.USER_NOT_FOUND', `No user ${JSON.stringify(normaliseUsername(username))}`, { username });
  return user as UserAccount;
};

const requireNewUsername = (state: IdentityState, username: string): void => {
  if (findUser(state, username)) {
    refuse('IDENTITY.USERNAME_TAKEN', `The username ${JSON.stringify(username)} is taken; usernames are never reused, even after deactivation`, { username });
  }
};

const activeAdminsOtherThan = (state: IdentityState, userId: string): number =>
  listUserAccounts(state).filter((u) => u.active && u.role === 'admin' && u.userId !== userId).length;

const refuseLastAdmin = (state: IdentityState, user: UserAccount, action: string): void => {
  if (user.role === 'admin' && user.active && activeAdminsOtherThan(state, user.userId) === 0) {
    refuse('IDENTITY.LAST_ADMIN', `Cannot ${action} the last active administrator: nobody could manage users any more`, { username: user.username });
  }
};

const lockoutUntil = (now: string, rules: IdentityRules): string => new Date(Date.parse(now) + rules.lockoutMinutes * 60_000).toISOString();

/** A password failure counted against the account, and the lockout it may trigger. */
const countFailure = (user: UserAccount, context: IdentityContext): { failures: number; lockout: IdentityEvent[] } => {
  const failures = user.consecutiveFailures + 1;
  const lockout: IdentityEvent[] =
    failures >= context.rules.maxFailedAttempts
      ? [{ type: 'AccountLockedOut', data: { userId: user.userId, username: user.username, consecutiveFailures: failures, lockedUntil: lockoutUntil(context.now, context.rules) } }]
      : [];
  return { failures, lockout };
};

const loginFailed = (
  attemptedUsername: string,
  user: UserAccount | null,
  purpose: AuthenticationPurpose,
  reason: LoginFailureReason,
  consecutiveFailures: number,
  ip: string | null,
  now: string,
): LoginFailed => ({ type: 'LoginFailed', data: { attemptedUsername, userId: user?.userId ?? null, purpose, reason, consecutiveFailures, ip, at: now } });

const decideAuthentication = (
  state: IdentityState,
  context: IdentityContext,
  attempt: { username: string; unknownUsernameDigest: string; passwordMatches: boolean; purpose: AuthenticationPurpose; ip: string | null },
  allowExpired: boolean,
): IdentityEvent[] | null => {
  const user = findUser(state, attempt.username);
  const attempted = user ? user.username : attempt.unknownUsernameDigest;
  const fail = (reason: LoginFailureReason, failures: number): LoginFailed =>
    loginFailed(attempted, user, attempt.purpose, reason, failures, attempt.ip, context.now);
  if (!user) return [fail('unknown-user', 0)];
  // A locked account is refused before the password is even looked at, so guessing gains nothing.
  if (isLockedOut(user, context.now)) return [fail('account-locked', user.consecutiveFailures)];
  if (!attempt.passwordMatches) {
    const { failures, lockout } = countFailure(user, context);
    return [fail('wrong-password', failures), ...lockout];
  }
  if (!user.active) return [fail('user-deactivated', user.consecutiveFailures)];
  if (isTemporaryPasswordExpired(user, context.now, context.rules)) return [fail('temporary-password-expired', user.consecutiveFailures)];
  // `allowExpired` is the change of password itself: the one thing a temporary or expired password allows.
  if (!allowExpired && user.mustChangePassword) return [fail('password-change-required', user.consecutiveFailures)];
  if (!allowExpired && isPasswordExpired(user, context.now, context.rules)) return [fail('password-expired', user.consecutiveFailures)];
  return null;
};

export const decideIdentity = (command: IdentityCommand, state: IdentityState, context: IdentityContext): IdentityEvent[] => {
  // The reason an administrator gives is recorded with the event, as every other reason is: the same rule.
  validateIdentityReason(context.reason);
  switch (command.type) {
    case 'CreateFirstAdmin': {
      if (hasActiveAdmin(state)) refuse('IDENTITY.ADMIN_EXISTS', 'An administrator already exists; further users are added by an administrator');
      const username = validateUsername(command.data.username);
      requireNewUsername(state, username);
      return [{
        type: 'UserCreated',
        data: {
          userId: command.data.userId, username, fullName: validateFullNameAmong(command.data.fullName, username, listUserAccounts(state)), role: 'admin',
          passwordHash: command.data.passwordHash, createdAt: context.now, bootstrap: true,
        },
      }];
    }
    case 'CreateUser': {
      requireAdminActor(state, context, 'add users');
      const username = validateUsername(command.data.username);
      const role = validateRole(command.data.role);
      requireNewUsername(state, username);
      const accounts = listUserAccounts(state);
      requireNotConfusable(accounts, username);
      const fullName = validateFullNameAmong(command.data.fullName, username, accounts);
      requireNameNotInUse(accounts, fullName, context.reason);
      const { userId, passwordHash } = command.data;
      return [{ type: 'UserCreated', data: { userId, username, fullName, role, passwordHash, createdAt: context.now, bootstrap: false, mustChange: true } }];
    }
    case 'ChangeUserRole': {
      const admin = requireAdminActor(state, context, 'change roles');
      const user = requireUser(state, command.data.username);
      const role = validateRole(command.data.role);
      if (user.role === role) return [];
      if (role !== 'admin') refuseLastAdmin(state, user, 'demote');
      // Separation of duties (Part 11 §11.10(g)): an administrator who could give themselves a clinical
      // role would enter and sign clinical data under the account that also manages every account.
      if (user.userId === admin.userId) {
        refuse('IDENTITY.OWN_ROLE', 'An administrator cannot change their own role; another administrator does', { username: user.username });
      }
      return [{ type: 'UserRoleChanged', data: { userId: user.userId, username: user.username, from: user.role, to: role } }];
    }
    case 'DeactivateUser': {
      requireAdminActor(state, context, 'deactivate users');
      const user = requireUser(state, command.data.username);
      if (!user.active) return [];
      refuseLastAdmin(state, user, 'deactivate');
      return [{ type: 'UserDeactivated', data: { userId: user.userId, username: user.username, at: context.now } }];
    }
    case 'ReactivateUser': {
      requireAdminActor(state, context, 'reactivate users');
      const user = requireUser(state, command.data.username);
      if (user.active) return [];
      return [{ type: 'UserReactivated', data: { userId: user.userId, username: user.username } }];
    }
    case 'ChangeOwnPassword': {
      const failure = decideAuthentication(
        state, context,
        {
          username: command.data.username, unknownUsernameDigest: command.data.unknownUsernameDigest,
          passwordMatches: command.data.currentPasswordMatches, purpose: 'change-password', ip: command.data.ip,
        },
        true,
      );
      if (failure) return failure;
      const user = requireUser(state, command.data.username);
      if (command.data.reusesRecentPassword) refuse('PASSWORD.REUSED', 'The new password was used recently; choose another one');
      return [{ type: 'PasswordChanged', data: { userId: user.userId, username: user.username, passwordHash: command.data.passwordHash, changedAt: context.now, mustChange: false } }];
    }
    case 'ResetPassword': {
      const admin = requireAdminActor(state, context, 'reset passwords');
      const user = requireUser(state, command.data.username);
      // A reset asks for no current password: on one's own account, an administrator's session alone would keep the account (§11.300(d)).
      if (user.userId === admin.userId) refuse('IDENTITY.OWN_PASSWORD_RESET', 'An administrator changes their own password with the current one; another administrator resets it', { username: user.username });
      if (command.data.reusesRecentPassword) refuse('PASSWORD.REUSED', 'The new password was used recently; choose another one');
      return [{ type: 'PasswordChanged', data: { userId: user.userId, username: user.username, passwordHash: command.data.passwordHash, changedAt: context.now, mustChange: true } }];
    }
    case 'AuthenticateWithPassword': {
      const d = command.data;
      const failure = decideAuthentication(state, context, d, false);
      if (failure) return failure;
      const user = requireUser(state, d.username);
      return [{ type: 'LoginSucceeded', data: { userId: user.userId, username: user.username, purpose: d.purpose, sessionId: d.sessionId, ip: d.ip, at: context.now } }];
    }
    case 'Logout': {
      const user = findUserById(state, context.actor.userId);
      if (!user) return [];
      return [{ type: 'LoggedOut', data: { userId: user.userId, username: user.username, sessionId: command.data.sessionId, at: context.now } }];
    }
    case 'RecordAuthorizationRefused': {
      const a = context.actor;
      return [{ type: 'AuthorizationRefused', data: { userId: a.userId, username: a.username, role: a.role, action: command.data.action, allowedRoles: [...command.data.allowedRoles], at: context.now } }];
    }
    case 'VerifySigner': {
      const d = command.data;
      const user = findUserById(state, context.actor.userId);
      if (!user) notFound('IDENTITY.USER_NOT_FOUND', 'The session user no longer exists');
      const account = user as UserAccount;
      const fail = (reason: SignatureFailureReason, failures: number): SignatureFailed => ({
        type: 'SignatureFailed',
        data: {
          userId: account.userId, username: account.username, attemptedSigner: normaliseUsername(d.attemptedSigner), studyId: d.studyId, subjectId: d.subjectId,
          reason, consecutiveFailures: failures, ip: d.ip, at: context.now,
        },
      });
      // §11.200(a)(1)(i): the signer identifies again with both components; one may not sign for another.
      if (normaliseUsername(d.attemptedSigner) !== account.username) return [fail('signer-mismatch', account.consecutiveFailures)];
      if (!account.active) return [fail('user-deactivated', account.consecutiveFailures)];
      if (isLockedOut(account, context.now)) return [fail('account-locked', account.consecutiveFailures)];
      if (!d.passwordMatches) {
        const { failures, lockout } = countFailure(account, context);
        return [fail('wrong-password', failures), ...lockout];
      }
      if (account.mustChangePassword) return [fail('password-change-required', account.consecutiveFailures)];
      if (isPasswordExpired(account, context.now, context.rules)) return [fail('password-expired', account.consecutiveFailures)];
      return [];
    }
    default:
      return assertNever(command, 'identity command');
  }
};

export const identityDecider: Decider<IdentityCommand, IdentityState, IdentityEvent, IdentityContext> = {
  decide: decideIdentity,
  evolve: evolveIdentity,
  initialState: initialIdentityState,
};
