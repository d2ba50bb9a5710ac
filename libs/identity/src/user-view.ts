import { isLockedOut, passwordExpiresAt, type Actor, type IdentityRules, type Role, type UserAccount } from '@trial-ledger/domain';
import type { EventSource } from '@trial-ledger/event-store';

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

export const actorOf = (user: UserAccount): Actor => ({ userId: user.userId, username: user.username, fullName: user.fullName, role: user.role });

export const userView = (user: UserAccount, rules: IdentityRules, now: string): UserView => ({
  userId: user.userId,
  username: user.username,
  fullName: user.fullName,
  role: user.role,
  status: user.active ? 'active' : 'deactivated',
  createdAt: user.createdAt,
  passwordChangedAt: user.passwordChangedAt,
  passwordExpiresAt: passwordExpiresAt(user, rules),
  mustChangePassword: user.mustChangePassword,
  lockedUntil: user.lockedUntil !== null && isLockedOut(user, now) ? user.lockedUntil : null,
  lastLoginAt: user.lastLoginAt,
});
