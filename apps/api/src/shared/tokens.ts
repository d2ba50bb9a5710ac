import type { Actor } from '@trial-ledger/domain';
import type { Clock, EventStore } from '@trial-ledger/event-store';

/** The event store port (`LEDGER_STORE`, SPEC §4): the one source of truth every slice writes to and reads from. */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** The server clock: the only source of `recordedAt` and of the decider's `now` (never the client). */
export const CLOCK = Symbol('CLOCK');
/** The options `AppModule.forRoot` was given, for modules that need more than the store and the clock. */
export const API_OPTIONS = Symbol('API_OPTIONS');

/** Anything that turns a bearer token into the acting user (the identity engineer's `IdentityService` fits). */
export interface TokenAuthenticator {
  authenticate(token: string): Actor | Promise<Actor>;
}

export interface ApiModuleOptions {
  readonly store: EventStore;
  /** Defaults to the system clock; tests pass a `FixedClock` so `recordedAt` is deterministic. */
  readonly clock?: Clock;
  /** Turns bearer tokens into actors; defaults to the identity module's service over the same store. */
  readonly identity?: TokenAuthenticator;
  /**
   * Attempts of a command that did not pin a version (no If-Match) when it keeps losing the append race
   * to concurrent writers; then 409. Default: the pipeline's.
   */
  readonly maxCommandAttempts?: number;
  /** Largest accepted JSON body (express `limit` syntax); larger bodies get `REQUEST.TOO_LARGE`. */
  readonly bodyLimit?: string;
}
