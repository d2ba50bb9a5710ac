/**
 * Something the store met and recovered from by itself, that an operator should still see in the log:
 * e.g. `STORE.CONNECTION_LOST`, an idle PostgreSQL connection dropped by the server or the network (a
 * restart, `pg_terminate_backend`, an idle timeout of a proxy). The message names no password.
 */
export interface StoreWarning {
  readonly code: 'STORE.CONNECTION_LOST';
  readonly message: string;
}

/** Where a store reports its warnings: `serve` logs them as JSON lines, the CLI as one line on stderr. */
export type StoreWarningListener = (warning: StoreWarning) => void;
