import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { systemClock } from '@trial-ledger/event-store';
import { API_OPTIONS, CLOCK, EVENT_STORE, type ApiModuleOptions } from './tokens';

/**
 * The store, the clock and the options, visible to every feature module without each importing
 * them: the store is given from outside (the CLI opens it; tests pass a temp-file SQLite store) and
 * its lifetime belongs to whoever opened it, so the API never closes it.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: API_OPTIONS, useValue: options },
      { provide: EVENT_STORE, useValue: options.store },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
    ];
    return { module: InfrastructureModule, providers, exports: providers };
  }
}
