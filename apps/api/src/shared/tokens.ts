import type { Clock, EventStore } from '@trial-ledger/event-store';
import type { Identity } from '@trial-ledger/identity';
import type { CopyAnchor, LedgerIntegrityWatch } from '@trial-ledger/audit';

/** The event store port (`LEDGER_STORE`, SPEC §4): the one source of truth every slice writes to and reads from. */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** The server clock: the only source of `recordedAt` and of the decider's `now` (never the client). */
export const CLOCK = Symbol('CLOCK');
/** The options `AppModule.forRoot` was given, for modules that need more than the store and the clock. */
export const API_OPTIONS = Symbol('API_OPTIONS');

export interface ApiModuleOptions {
  readonly store: EventStore;
  /** Defaults to the system clock; tests pass a `FixedClock` so `recordedAt` is deterministic. */
  readonly clock?: Clock;
  /**
   * The process's identity services (sessions live there: the CLI's `serve` and tests log users in
   * before the app starts); defaults to one over the app's store and clock.
   */
  readonly identity?: Identity;
  /** The key of the sessions' seals when the identity is made here (see `IdentityOptions.sessionSealKey`). */
  readonly sessionSealKey?: Buffer;
  /**
   * Attempts of a command that did not pin a version (no If-Match) when it keeps losing the append race
   * to concurrent writers; then 409. Default: the pipeline's.
   */
  readonly maxCommandAttempts?: number;
  /**
   * Where the server that runs the API reports damage it finds in the ledger while it runs (`serve`'s
   * checkpoint verifier); readiness is 503 `LEDGER.TAMPERED` once it holds any. None: nothing is watched.
   */
  readonly ledgerIntegrity?: LedgerIntegrityWatch;
  /**
   * The server's signed checkpoint file and the public key of its signing key: the exports compare the log with
   * them after the chain (a tail deleted behind a checkpoint). None: the exports check the chain alone.
   */
  readonly signedCheckpoints?: CopyAnchor;
  /** Largest accepted JSON body (body-parser `limit` syntax, e.g. `256kb`); larger bodies get `REQUEST.TOO_LARGE`. */
  readonly bodyLimit?: string;
}
