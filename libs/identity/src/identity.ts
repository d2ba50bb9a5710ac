import { randomBytes } from 'node:crypto';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { AuthenticationService } from './authentication.service';
import { AuthorizationLog } from './authorization-log';
import { IdentityLedger } from './identity-ledger';
import { identityPolicy, type IdentityPolicy } from './identity-policy';
import { stderrSecurityLogger, type SecurityLogger } from './security-logger';
import { SessionRegistry } from './session-registry';
import { sessionStoreFor } from './sessions/open-session-store';
import type { SessionStore } from './sessions/session-store';
import { SignatureService } from './signature.service';
import { UserAdministrationService } from './user-administration.service';

export interface IdentityOptions {
  /** Where security events are reported as they happen (§11.300(d)); stderr by default. */
  readonly logger?: SecurityLogger;
  /**
   * The key of the hash recorded for a failed attempt that names no user. Kept outside the ledger;
   * by default a random key per process (documented choice: repeated attempts correlate within one
   * server's lifetime, and nothing recorded can be reversed later, even by whoever holds the ledger).
   */
  readonly unknownUsernameKey?: Buffer;
  /** Where sessions are kept; by default where the store says (`sessionStoreFor`). */
  readonly sessions?: SessionStore;
  /**
   * The key of the sessions' seals, kept outside the session store (`serve`: in the key directory).
   * Sessions outlive the process, or are shared by several servers, only with the same key; by
   * default a random key per process.
   */
  readonly sessionSealKey?: Buffer;
}

/**
 * Identity and electronic signatures (SPEC §5; 21 CFR Part 11) over one ledger: the services by
 * responsibility, wired to one shared fold of the identity stream and one session registry (a
 * deactivation or password reset must end the sessions that authentication checks, so there is
 * exactly one `Identity` per process).
 */
export class Identity {
  readonly policy: IdentityPolicy;
  readonly users: UserAdministrationService;
  readonly auth: AuthenticationService;
  readonly authorization: AuthorizationLog;
  readonly signatures: SignatureService;
  /** Where this identity's sessions live (closed by `close`). */
  readonly sessionStore: SessionStore;

  constructor(store: EventStore, clock: Clock, policy: Partial<IdentityPolicy> = {}, options: IdentityOptions = {}) {
    this.policy = identityPolicy(policy);
    this.sessionStore = options.sessions ?? sessionStoreFor(store);
    const sessions = new SessionRegistry({ inactivityMs: this.policy.sessionInactivityMinutes * 60_000, absoluteMs: this.policy.sessionAbsoluteMinutes * 60_000 }, this.sessionStore, options.sessionSealKey);
    const ledger = new IdentityLedger(store, clock, this.policy, options.logger ?? stderrSecurityLogger, options.unknownUsernameKey ?? randomBytes(32), sessions);
    this.authorization = new AuthorizationLog(ledger);
    this.users = new UserAdministrationService(ledger, this.authorization, sessions);
    this.auth = new AuthenticationService(ledger, sessions);
    this.signatures = new SignatureService(ledger, this.authorization);
  }

  /** Closes what the identity opened (the sessions file beside a SQLite ledger); the event store is its owner's. */
  close(): Promise<void> {
    return this.sessionStore.close();
  }
}
