/**
 * Identity and electronic signatures (SPEC §5; 21 CFR Part 11). The API's guard and controllers and
 * the CLI's `--as` and `users` commands use this public interface only.
 */
export * from './identity';
export * from './identity-policy';
export * from './authentication.service';
export * from './authorization-log';
export * from './signature.service';
export * from './user-administration.service';
export * from './security-logger';
export * from './user-view';
export { hashPassword, verifyPassword as verifyPasswordHash } from './password-hasher';
export { checkPasswordStrength, type PasswordOwner } from './password-strength';
export * from './require-role';
export { hashToken, type Session, type SessionLimits } from './session-registry';
export { MemorySessionStore, type SessionEndReason, type SessionStore, type StoredSession } from './sessions/session-store';
export { SqliteSessionStore } from './sessions/sqlite-session-store';
export { PostgresSessionStore } from './sessions/postgres-session-store';
export { PostgresRateLimits, type RateLimitCount } from './sessions/postgres-rate-limits';
export { prepareServerState } from './sessions/postgres-server-state';
export { SESSIONS_FILE_SUFFIX, sessionStoreFor } from './sessions/open-session-store';
export * from './signature-hash';
export {
  redactIdentityEvent,
  signatureStatus,
  isIdentityEvent,
  type SignatureMeaning,
  type SignatureScope,
  type SignatureState,
} from '@trial-ledger/domain';
export * from './account-policy-record';
