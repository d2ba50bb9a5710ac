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
  readonly code: string = 'STORE.UNAVAILABLE';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Why a store cannot write although it may still answer reads: the disk is full, the file system
 * or database is read-only, the storage reports I/O errors, or the SQLite file under the server was
 * replaced or its WAL deleted (every write is refused until a restart, since writing on would
 * extend a file nobody is checking), or (PostgreSQL) another session has held the append lock for
 * longer than an append waits for it. All answer 503 with `Retry-After`; nothing was written.
 */
export type StoreWriteFault = 'STORE.DISK_FULL' | 'STORE.READ_ONLY' | 'STORE.IO_ERROR' | 'STORE.FILE_REPLACED' | 'STORE.LOCKED';

export class StoreWriteError extends StoreUnavailableError {
  override readonly code: StoreWriteFault;
  constructor(code: StoreWriteFault, message: string, cause?: unknown) {
    super(message, cause);
    this.code = code;
    this.name = 'StoreWriteError';
  }
}

export class InvalidAppendError extends Error {
  readonly code = 'STORE.INVALID_APPEND';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

/** A read the port cannot answer: a position that is not a whole number from 0, a batch size that is not one from 1. */
export class InvalidReadError extends Error {
  readonly code = 'STORE.INVALID_READ';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReadError';
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

/**
 * A PostgreSQL database in an encoding that cannot hold every character a ledger records (LATIN1,
 * WIN1252, …): it would take the first events and refuse a later one carrying "腫瘍" or an en dash,
 * which SQLite records. Refused at connect, before any table is created.
 */
export class UnsupportedEncodingError extends Error {
  readonly code = 'STORE.UNSUPPORTED_ENCODING';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedEncodingError';
  }
}

/**
 * A `--store` / `LEDGER_STORE` value whose scheme names no adapter (a configuration error, not an append):
 * wrong whatever the ledger holds, so the CLI exits 2, as for any other malformed option or variable.
 */
export class InvalidStoreUrlError extends Error {
  readonly code = 'STORE.INVALID_URL';
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStoreUrlError';
  }
}

/** The ledger file cannot be read as a database any more (damaged pages, a truncated or overwritten file). */
export class StoreCorruptError extends Error {
  readonly code = 'STORE.CORRUPT';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StoreCorruptError';
  }
}

/**
 * An error from the storage engine told in words. SQLite's corruption errors (also when they cross a
 * worker thread and arrive as plain objects) become `STORE.CORRUPT` with what to do; others pass through.
 */
export const explainStoreError = (error: unknown): unknown => {
  if (error === null || typeof error !== 'object' || error instanceof StoreCorruptError) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return error;
  const said = typeof message === 'string' && message !== '' ? message : 'the file is not a valid database';
  return new StoreCorruptError(
    `The ledger file is damaged and cannot be read: SQLite says "${said}" (${code}). Nothing was changed; restore the file from a backup and verify the copy`,
    error,
  );
};
