import { DomainError } from '../shared/domain-error';
import type { IdentityEvent, LoginFailureReason, SignatureFailureReason } from './identity.events';

/** What a refused login or signature answers: the code and message per recorded failure reason. */
const LOGIN_REFUSALS: Readonly<Record<LoginFailureReason, readonly [string, string]>> = {
  'unknown-user': ['AUTH.INVALID_CREDENTIALS', 'Unknown username or wrong password'],
  'wrong-password': ['AUTH.INVALID_CREDENTIALS', 'Unknown username or wrong password'],
  'account-locked': ['AUTH.ACCOUNT_LOCKED', 'The account is locked after repeated failed attempts; try again later or ask an administrator'],
  'user-deactivated': ['AUTH.USER_DEACTIVATED', 'The account is deactivated'],
  'password-expired': ['AUTH.PASSWORD_EXPIRED', 'The password has expired; change it (POST /api/v1/auth/password or `trial-ledger users change-password`)'],
};

const SIGNATURE_REFUSALS: Readonly<Record<SignatureFailureReason, readonly [string, string]>> = {
  'wrong-password': ['SIGNATURE.PASSWORD_INVALID', 'The password entered for the signature is wrong; nothing was signed'],
  'signer-mismatch': ['SIGNATURE.SIGNER_MISMATCH', 'A signature may only be executed by the logged-in user, with their own username and password'],
  'account-locked': ['AUTH.ACCOUNT_LOCKED', 'The account is locked after repeated failed attempts; nothing was signed'],
  'user-deactivated': ['AUTH.USER_DEACTIVATED', 'The account is deactivated; nothing was signed'],
  'password-expired': ['AUTH.PASSWORD_EXPIRED', 'The password has expired; change it before signing'],
};

/**
 * The error a refused authentication or signature answers with, read from the events that record
 * it (they are appended first, then the refusal is thrown). Null when the events record a success.
 */
export const identityRefusal = (events: readonly IdentityEvent[]): DomainError | null => {
  const lockedOut = events.find((e) => e.type === 'AccountLockedOut');
  for (const event of events) {
    if (event.type === 'LoginFailed') {
      const reason = lockedOut ? 'account-locked' : event.data.reason;
      const [code, message] = LOGIN_REFUSALS[reason];
      return new DomainError(code, message, 'unauthenticated', { reason });
    }
    if (event.type === 'SignatureFailed') {
      const [code, message] = SIGNATURE_REFUSALS[event.data.reason];
      // 403, not 401: the session itself is valid; only this signing attempt is refused.
      return new DomainError(code, message, 'forbidden', { reason: event.data.reason, accountLocked: lockedOut !== undefined });
    }
  }
  return null;
};
