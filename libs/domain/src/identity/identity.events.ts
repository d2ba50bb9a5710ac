import type { Role } from '../shared/actor';
import type { DomainEvent } from '../shared/decider';

/**
 * Events of the `identity` stream. User management is itself event-sourced (SPEC §5, Part 11
 * §11.10(d), (e), (g)): who could do what, since when, and every attempt to get in is a permanent,
 * chained fact. The acting administrator and the reason are in each event's metadata.
 */

/**
 * A PHC-style password hash (`$scrypt$ln=15,r=8,p=1$salt$hash`). It stays in the event data so
 * that the identity state can be rebuilt, and must never leave the server: exporters and API
 * responses pass identity events through `redactIdentityEvent`.
 */
export type PasswordHash = string;

export type UserCreated = DomainEvent<'UserCreated', {
  userId: string;
  /** Unique for the life of the ledger: never reused or reassigned, even after deactivation. */
  username: string;
  /** The printed name shown in every signature manifestation (Part 11 §11.50(a)(1)). */
  fullName: string;
  role: Role;
  passwordHash: PasswordHash;
  createdAt: string;
  /** True for the first administrator, created from the CLI when no administrator existed. */
  bootstrap: boolean;
  /**
   * True when an administrator chose the password (`users add`): it is temporary and must be
   * changed before anything else. Absent on events recorded before temporary passwords existed.
   */
  mustChange?: boolean;
}>;
export type UserRoleChanged = DomainEvent<'UserRoleChanged', { userId: string; username: string; from: Role; to: Role }>;
/** Access withdrawn (Part 11 §11.10(d)); the username stays taken forever. */
export type UserDeactivated = DomainEvent<'UserDeactivated', { userId: string; username: string; at: string }>;
export type UserReactivated = DomainEvent<'UserReactivated', { userId: string; username: string }>;
export type PasswordChanged = DomainEvent<'PasswordChanged', {
  userId: string;
  username: string;
  passwordHash: PasswordHash;
  changedAt: string;
  /** Set by an administrator's reset: the user must choose a new password before logging in. */
  mustChange: boolean;
}>;

/** Why an authentication attempt failed. `unknown-user` and `wrong-password` look the same to the client. */
export type LoginFailureReason =
  | 'unknown-user' | 'wrong-password' | 'account-locked' | 'user-deactivated' | 'password-expired'
  /** The right temporary password: only a change of password is allowed with it. */
  | 'password-change-required'
  /** A temporary password older than the policy's lifetime: an administrator must issue another. */
  | 'temporary-password-expired';
/** What the password was entered for: a session (API), a CLI run (`--as`), or a change of password. */
export type AuthenticationPurpose = 'login' | 'cli' | 'change-password';

/** Every login attempt is recorded with its time (metadata) and source (metadata and `ip`). */
export type LoginSucceeded = DomainEvent<'LoginSucceeded', {
  userId: string;
  username: string;
  purpose: AuthenticationPurpose;
  /** Opaque id of the session opened (not the bearer token); null for a CLI run. */
  sessionId: string | null;
  ip: string | null;
  at: string;
}>;
export type LoginFailed = DomainEvent<'LoginFailed', {
  /**
   * The username (normalised) when it names an existing user; otherwise a keyed hash of what was
   * typed (`hmac-sha256:…`), so that a password typed into the username field is never recorded.
   */
  attemptedUsername: string;
  userId: string | null;
  purpose: AuthenticationPurpose;
  reason: LoginFailureReason;
  /** Consecutive password failures of this account so far (logins and signatures together). */
  consecutiveFailures: number;
  ip: string | null;
  at: string;
}>;
/**
 * Part 11 §11.300(d): repeated failures lock the account for a while and are reported at once.
 * Schema version 2 (v1 named the count `failures`; see `upcasters.ts`).
 */
export type AccountLockedOut = DomainEvent<'AccountLockedOut', { userId: string; username: string; consecutiveFailures: number; lockedUntil: string }>;
export type LoggedOut = DomainEvent<'LoggedOut', { userId: string; username: string; sessionId: string; at: string }>;
/** A request refused because the actor's role may not do it (SPEC §5: every refusal is logged). */
export type AuthorizationRefused = DomainEvent<'AuthorizationRefused', {
  userId: string;
  username: string;
  role: Role;
  /** What was attempted, e.g. `POST /api/v1/users` or `SignCasebook`. */
  action: string;
  allowedRoles: Role[];
  at: string;
}>;
export type SignatureFailureReason = 'wrong-password' | 'signer-mismatch' | 'account-locked' | 'user-deactivated' | 'password-expired' | 'password-change-required';
/** A refused electronic signature (Part 11 §11.200(a), §11.300(d)); nothing was signed. */
export type SignatureFailed = DomainEvent<'SignatureFailed', {
  userId: string;
  username: string;
  /** The signer named in the request (differs from `username` on a signer mismatch). */
  attemptedSigner: string;
  studyId: string;
  subjectId: string;
  reason: SignatureFailureReason;
  consecutiveFailures: number;
  ip: string | null;
  at: string;
}>;

export type IdentityEvent =
  | UserCreated | UserRoleChanged | UserDeactivated | UserReactivated | PasswordChanged
  | LoginSucceeded | LoginFailed | AccountLockedOut | LoggedOut | AuthorizationRefused | SignatureFailed;
export type IdentityEventType = IdentityEvent['type'];

export const IDENTITY_EVENT_TYPES: readonly IdentityEventType[] = [
  'UserCreated', 'UserRoleChanged', 'UserDeactivated', 'UserReactivated', 'PasswordChanged',
  'LoginSucceeded', 'LoginFailed', 'AccountLockedOut', 'LoggedOut', 'AuthorizationRefused', 'SignatureFailed',
];

export const isIdentityEvent = (event: { type: string }): event is IdentityEvent =>
  (IDENTITY_EVENT_TYPES as readonly string[]).includes(event.type);

const REDACTED = '[redacted]';

/**
 * The event as it may leave the server (exports, audit-trail views, API responses): password
 * hashes replaced. Any other event is returned unchanged. Works on stored events too, since only
 * `type` and `data` are read.
 */
export const redactIdentityEvent = <E extends { readonly type: string; readonly data: object }>(event: E): E => {
  if (event.type !== 'UserCreated' && event.type !== 'PasswordChanged') return event;
  if (!('passwordHash' in event.data)) return event;
  return { ...event, data: { ...event.data, passwordHash: REDACTED } };
};
