import { createHmac, randomBytes } from 'node:crypto';
import {
  IDENTITY_STREAM_ID,
  evolveIdentity,
  identityRefusal,
  initialIdentityState,
  isLockedOut,
  normaliseUsername,
  type Actor,
  type IdentityEvent,
  type IdentityRules,
  type IdentityState,
  type UserAccount,
} from '@trial-ledger/domain';
import { executeIdentityCommand, toRecorded, type IdentityCommandResult, type IdentityCommandSource } from '@trial-ledger/command-pipeline';
import type { Clock, EventSource, EventStore, StoredEvent } from '@trial-ledger/event-store';
import type { IdentityPolicy } from './identity-policy';
import { hashPassword, verifyPassword as verifyPasswordHash } from './password-hasher';
import type { SecurityLogger } from './security-logger';
import type { SessionRegistry } from './session-registry';

/** The idempotency key a command arrives under and the fingerprint of its request (see `requestFingerprint`). */
export interface IdentityCommandKeys {
  readonly idempotencyKey?: string | null;
  readonly requestHash?: string | null;
}

/**
 * What the identity services share: the store and clock, the policy, the security log, and one
 * cached fold of the identity stream. Commands go through the pipeline's identity plan (one read of
 * the stream per command); queries re-read the stream only when it moved (another process, e.g. the
 * CLI, may have changed it).
 */
export class IdentityLedger {
  readonly rules: IdentityRules;
  private cache: { version: number; state: IdentityState } = { version: 0, state: initialIdentityState() };
  /** Checked for an unknown user, so that a missing account costs the same hashing work as a real one. */
  private readonly dummyHash: Promise<string>;

  constructor(
    readonly store: EventStore,
    readonly clock: Clock,
    readonly policy: IdentityPolicy,
    readonly logger: SecurityLogger,
    private readonly unknownUsernameKey: Buffer,
    readonly sessions: SessionRegistry,
  ) {
    this.rules = {
      maxFailedAttempts: policy.maxFailedAttempts,
      lockoutMinutes: policy.lockoutMinutes,
      passwordMaxAgeDays: policy.passwordMaxAgeDays,
      temporaryPasswordHours: policy.temporaryPasswordHours,
    };
    this.dummyHash = hashPassword(randomBytes(16).toString('hex'), policy.scrypt);
  }

  /**
   * What a failed attempt records for a username that names nobody: HMAC-SHA256 under a key that is
   * never written to the ledger (`unknownUsernameKey`), so the record cannot be reversed by guessing.
   */
  unknownUsernameDigest(username: unknown): string {
    const typed = typeof username === 'string' ? normaliseUsername(username) : '';
    return `hmac-sha256:${createHmac('sha256', this.unknownUsernameKey).update(typed, 'utf8').digest('hex')}`;
  }

  /** The current identity state, for queries (authentication of a session, user lists). */
  async state(): Promise<IdentityState> {
    const version = await this.store.streamVersion(IDENTITY_STREAM_ID);
    if (version === this.cache.version) return this.cache.state;
    return this.fold(await this.store.readStream(IDENTITY_STREAM_ID));
  }

  /**
   * Runs an identity command through the pipeline; returns what it recorded and the state after it.
   * Under an idempotency key (`keyed`) a repeat by the same user answers the first outcome and writes nothing.
   */
  async execute(source: IdentityCommandSource, actor: Actor, origin: EventSource, reason: string | null, keyed: IdentityCommandKeys = {}): Promise<IdentityCommandResult> {
    return executeIdentityCommand(
      this.store, source,
      { actor, source: origin, reason, idempotencyKey: keyed.idempotencyKey ?? null, requestHash: keyed.requestHash ?? null },
      { clock: this.clock, rules: this.rules, fold: (events) => this.fold(events) },
    );
  }

  /**
   * Reports lockouts and failed signatures in the security log, ends a locked account's sessions (in
   * the session store, so on every server at once), then throws the refusal the events record.
   */
  async throwOnRefusal(events: readonly IdentityEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type === 'AccountLockedOut') {
        this.logger.warn(`account locked: ${event.data.username} after ${event.data.consecutiveFailures} consecutive failures, until ${event.data.lockedUntil}`, 'AUTH.ACCOUNT_LOCKED');
        await this.sessions.endUserSessions(event.data.userId, 'account-locked', Date.parse(this.clock.now()));
      }
      if (event.type === 'SignatureFailed') {
        const d = event.data;
        this.logger.warn(
          `signature failure (${d.reason}): session user ${d.username}, signer named ${JSON.stringify(d.attemptedSigner)}, ` +
            `study ${d.studyId} subject ${d.subjectId}, ${d.consecutiveFailures} consecutive failure(s)`,
          'SIGNATURE.FAILED',
        );
      }
    }
    const refusal = identityRefusal(events);
    if (refusal) throw refusal;
  }

  /**
   * The same hashing work whatever the account: an unknown user is checked against a dummy hash, and a
   * locked account's password is checked but never accepted, so response times do not tell which
   * usernames exist or which accounts are locked.
   */
  async passwordMatches(user: UserAccount | null, password: unknown): Promise<boolean> {
    if (typeof password !== 'string' || [...password].length > this.policy.passwordMaxLength) return false;
    const matches = await verifyPasswordHash(password, user ? user.passwordHash : await this.dummyHash);
    return user !== null && matches && !isLockedOut(user, this.clock.now());
  }

  /**
   * `passwordMatches` against `user` as the state a command is decided on holds it, given the check
   * already made against the account read before the command (`earlier`): the same answer while the
   * password is the one checked, a new check once it was changed or reset in between — else a password
   * that stopped being the account's while it was being checked would still count as right.
   */
  async passwordStillMatches(user: UserAccount | null, password: unknown, earlier: { readonly user: UserAccount | null; readonly matches: boolean }): Promise<boolean> {
    if ((user?.passwordHash ?? null) === (earlier.user?.passwordHash ?? null)) return earlier.matches;
    return this.passwordMatches(user, password);
  }

  /** The no-reuse rule: the new password against the current and the policy's number of earlier ones. */
  async reusesRecentPassword(password: string, user: UserAccount): Promise<boolean> {
    const recent = [user.passwordHash, ...user.previousPasswordHashes].slice(0, Math.max(1, this.policy.passwordHistory));
    return (await Promise.all(recent.map((hash) => verifyPasswordHash(password, hash)))).some(Boolean);
  }

  /** Folds the stream, reusing the cached prefix (the stream is append-only). */
  private fold(events: readonly StoredEvent[]): IdentityState {
    const base = events.length >= this.cache.version ? this.cache : { version: 0, state: initialIdentityState() };
    if (events.length === base.version) return base.state;
    const state = events.slice(base.version).reduce((s, e) => evolveIdentity(s, toRecorded<IdentityEvent>(e)), base.state);
    this.cache = { version: events.length, state };
    return state;
  }
}
