import { DomainError } from '../shared/domain-error';
import type { IdentityEvent, LoginFailureReason, SignatureFailureReason } from './identity.events';

/** What a refused login or signature answers: the code and message per recorded failure reason. */
const LOGIN_REFUSALS: Readonly<Record<LoginFailureReason, readonly [string, string]>> = {
  'unknown-user': ['AUTH.INVALID_CREDENTIALS', 'Unknown username or wrong password'],
  'wrong-password': ['AUTH.INVALID_CREDENTIALS', 'Unknown username or wrong password'],
  // A locked or deactivated account answers exactly as a wrong password does: the answer must not
  // tell an attacker which usernames exist or which accounts they have locked. The record says why.
  'account-locked': ['AUTH.INVALID_CREDENTIALS', 'Unknown username or wrong password'],
  'user-deactivated': ['AUTH.INVALID_CREDENTIALS', 'Unknown username or wrong password'],
  'password-expired': ['AUTH.PASSWORD_EXPIRED', 'The password has expired; change it (POST /api/v1/auth/password or `trial-ledger users change-password`)'],
  'password-change-required': [
    'AUTH.PASSWORD_CHANGE_REQUIRED',
    'The password was set by an administrator and is temporary; choose your own first (POST /api/v1/auth/password or `trial-ledger users change-password`)',
  ],
  'temporary-password-expired': ['AUTH.TEMPORARY_PASSWORD_EXPIRED', 'The temporary password has expired; ask an administrator for a new one'],
};

/** 403, not 401: the credentials are right, but the account may do nothing else until the password is changed. */
const FORBIDDEN_LOGIN_REASONS: ReadonlySet<LoginFailureReason> = new Set(['password-change-required']);

const SIGNATURE_REFUSALS: Readonly<Record<SignatureFailureReason, readonly [string, string]>> = {
  'wrong-password': ['SIGNATURE.PASSWORD_INVALID', 'The password entered for the signature is wrong; nothing was signed'],
  'signer-mismatch': ['SIGNATURE.SIGNER_MISMATCH', 'A signature may only be executed by the logged-in user, with their own username and password'],
  'account-locked': ['AUTH.ACCOUNT_LOCKED', 'The account is locked after repeated failed attempts; nothing was signed'],
  'user-deactivated': ['AUTH.USER_DEACTIVATED', 'The account is deactivated; nothing was signed'],
  'password-expired': ['AUTH.PASSWORD_EXPIRED', 'The password has expired; change it before signing'],
  'password-change-required': ['AUTH.PASSWORD_CHANGE_REQUIRED', 'The password is temporary; choose your own before signing'],
};

/**
 * The error a refused authentication or signature answers with, read from the events that record
 * it (they are appended first, then the refusal is thrown). Null when the events record a success.
 */
export const identityRefusal = (events: readonly IdentityEvent[]): DomainError | null => {
  const lockedOut = events.find((e) => e.type === 'AccountLockedOut');
  for (const event of events) {
    if (event.type === 'LoginFailed') {
      const [code, message] = LOGIN_REFUSALS[event.data.reason];
      // No details: the body of every failed login is the same whatever the reason recorded.
      return new DomainError(code, message, FORBIDDEN_LOGIN_REASONS.has(event.data.reason) ? 'forbidden' : 'unauthenticated');
    }
    if (event.type === 'SignatureFailed') {
      const [code, message] = SIGNATURE_REFUSALS[event.data.reason];
      // 403, not 401: the session itself is valid; only this signing attempt is refused.
      return new DomainError(code, message, 'forbidden', { reason: event.data.reason, accountLocked: lockedOut !== undefined });
    }
  }
  return null;
};
