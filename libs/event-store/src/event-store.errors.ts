/** Errors every adapter raises in the same way, so the edge maps them to the same problem codes. */
export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY.VERSION_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number | 'any',
    readonly actualVersion: number,
  ) {
    super(`Stream ${streamId} is at version ${actualVersion}, not the expected ${String(expectedVersion)}`);
    this.name = 'ConcurrencyError';
  }
}

export class IdempotencyKeyReusedError extends Error {
  readonly code = 'IDEMPOTENCY.KEY_REUSED';
  constructor(readonly idempotencyKey: string) {
    super(`Idempotency key ${idempotencyKey} was already used for a different request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

export class StoreUnavailableError extends Error {
  readonly code = 'STORE.UNAVAILABLE';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

export class InvalidAppendError extends Error {
  readonly code = 'STORE.INVALID_APPEND';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

/** The store URL names a database that is not a trial-ledger ledger (someone else's SQLite file). */
export class NotALedgerError extends Error {
  readonly code = 'STORE.NOT_A_LEDGER';
  constructor(message: string) {
    super(message);
    this.name = 'NotALedgerError';
  }
}

/** A `--store` / `LEDGER_STORE` value whose scheme names no adapter (a configuration error, not an append). */
export class InvalidStoreUrlError extends Error {
  readonly code = 'STORE.INVALID_URL';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStoreUrlError';
  }
}
