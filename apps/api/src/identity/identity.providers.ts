import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { AuthenticationService, AuthorizationLog, Identity, SignatureService, UserAdministrationService, identityPolicyFromEnv, type SecurityLogger } from '@trial-ledger/identity';
import { API_OPTIONS, CLOCK, EVENT_STORE, type ApiModuleOptions } from '../shared/tokens';

/** The identity lib's security-log port, written to Nest's logger under the `Security` context. */
const nestSecurityLogger = (): SecurityLogger => {
  const logger = new Logger('Security');
  return { warn: (message, code = 'SECURITY.WARNING') => logger.warn({ code }, message) };
};

/**
 * The one `Identity` of the API process: the one given in the options (the CLI's `serve`, tests),
 * else one over the app's store and clock with the policy from `TRIAL_LEDGER_*` variables. Sessions
 * live in it, so there must be exactly one per process; its services are provided from it.
 */
export const identityProvider: Provider = {
  provide: Identity,
  inject: [API_OPTIONS, EVENT_STORE, CLOCK],
  useFactory: (options: ApiModuleOptions, store: EventStore, clock: Clock): Identity =>
    options.identity ?? new Identity(store, clock, identityPolicyFromEnv(), { logger: nestSecurityLogger(), sessionSealKey: options.sessionSealKey }),
};

export const identityServiceProviders: Provider[] = [
  { provide: UserAdministrationService, inject: [Identity], useFactory: (identity: Identity) => identity.users },
  { provide: AuthenticationService, inject: [Identity], useFactory: (identity: Identity) => identity.auth },
  { provide: AuthorizationLog, inject: [Identity], useFactory: (identity: Identity) => identity.authorization },
  { provide: SignatureService, inject: [Identity], useFactory: (identity: Identity) => identity.signatures },
];

/**
 * Closes the sessions file of an `Identity` this module made (the one given in the options is its
 * owner's to close). Sessions themselves stay: that is what lets them survive the restart.
 */
@Injectable()
export class IdentityShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
    private readonly identity: Identity,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.options.identity === undefined) await this.identity.close();
  }
}
