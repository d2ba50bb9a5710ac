import type { Provider } from '@nestjs/common';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { IdentityService, identityPolicyFromEnv } from '@trial-ledger/identity';
import { API_OPTIONS, CLOCK, EVENT_STORE, type ApiModuleOptions } from '../shared/tokens';

/**
 * The one `IdentityService` of the API process: the one given in the options (the CLI's `serve`,
 * tests), else one over the app's store and clock with the policy from `TRIAL_LEDGER_*` variables.
 * Sessions live in it, so there must be exactly one per process.
 */
export const identityServiceProvider: Provider = {
  provide: IdentityService,
  inject: [API_OPTIONS, EVENT_STORE, CLOCK],
  useFactory: (options: ApiModuleOptions, store: EventStore, clock: Clock): IdentityService =>
    options.identity instanceof IdentityService ? options.identity : new IdentityService(store, clock, identityPolicyFromEnv()),
};
