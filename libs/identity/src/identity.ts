import type { Clock, EventStore } from '@trial-ledger/event-store';
import { AuthenticationService } from './authentication.service';
import { AuthorizationLog } from './authorization-log';
import { IdentityLedger } from './identity-ledger';
import { identityPolicy, type IdentityPolicy } from './identity-policy';
import { stderrSecurityLogger, type SecurityLogger } from './security-logger';
import { SessionRegistry } from './session-registry';
import { SignatureService } from './signature.service';
import { UserAdministrationService } from './user-administration.service';

export interface IdentityOptions {
  /** Where security events are reported as they happen (§11.300(d)); stderr by default. */
  readonly logger?: SecurityLogger;
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

  constructor(store: EventStore, clock: Clock, policy: Partial<IdentityPolicy> = {}, options: IdentityOptions = {}) {
    this.policy = identityPolicy(policy);
    const ledger = new IdentityLedger(store, clock, this.policy, options.logger ?? stderrSecurityLogger);
    const sessions = new SessionRegistry({ inactivityMs: this.policy.sessionInactivityMinutes * 60_000, absoluteMs: this.policy.sessionAbsoluteMinutes * 60_000 });
    this.authorization = new AuthorizationLog(ledger);
    this.users = new UserAdministrationService(ledger, this.authorization, sessions);
    this.auth = new AuthenticationService(ledger, sessions);
    this.signatures = new SignatureService(ledger, this.authorization);
  }
}
