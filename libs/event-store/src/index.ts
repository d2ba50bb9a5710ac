export * from './append';
export * from './catch-up-subscription';
export * from './command-bound';
export * from './clock';
export * from './deep-freeze';
export * from './event-envelope';
export * from './event-store.errors';
export * from './event-store.port';
export * from './hash-chain';
export * from './inspect-store';
export * from './open-event-store';
export * from './recorded-at';
export * from './store-write-health';
export * from './store-warning';
export * from './sqlite/sqlite-event-store';
export * from './sqlite/sqlite-side-file';
export { isSqliteBusy, mapSqliteWriteError, SIDE_FILE_BUSY_MS, sqliteOpenElsewhere, sqliteWriteLockFreeWithin } from './sqlite/sqlite-write-errors';
export * from './verify-store';
export * from './ledger-importer';
export * from './migrate-ledger';
export * from './postgres/postgres-event-store';
// The KurrentDB adapter is opened through `openEventStore` and loaded only then (its gRPC client is
// heavy); its class is imported from `./kurrentdb/kurrentdb-event-store` where needed (tests).
export type { KurrentClientLike, KurrentDbEventStoreOptions } from './kurrentdb/kurrentdb-event-store';
