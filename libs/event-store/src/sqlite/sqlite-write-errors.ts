import { statfsSync, accessSync, constants } from 'node:fs';
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { StoreWriteError, type StoreWriteFault } from '../event-store.errors';
import type { StoreWriteHealthTracker } from '../store-write-health';
import type { SqliteFileGuard } from './sqlite-file-guard';

/**
 * SQLite's result codes for a write the storage refused (better-sqlite3 puts the extended code in
 * `code`, e.g. `SQLITE_IOERR_WRITE`): each becomes a 503 with a stable code instead of a 500.
 */
export const mapSqliteWriteError = (error: unknown): unknown => {
  if (error instanceof StoreWriteError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  const fault: StoreWriteFault | null = code.startsWith('SQLITE_FULL')
    ? 'STORE.DISK_FULL'
    : code.startsWith('SQLITE_BUSY')
      ? 'STORE.LOCKED'
    : code.startsWith('SQLITE_READONLY')
      ? 'STORE.READ_ONLY'
      : code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN'
        ? 'STORE.IO_ERROR'
        : null;
  if (fault === null) return error;
  const message = error instanceof Error ? error.message : code;
  // A read-only file says what to fix: it does not clear by itself as a full disk may.
  const remedy = fault === 'STORE.READ_ONLY' ? ': the file, its -wal and -shm or its directory are read-only (a read-only mount, an immutable file, no write permission for this user); make them writable, then try again' : '';
  return new StoreWriteError(fault, `The SQLite ledger could not be written (${code}: ${message}); nothing was written${remedy}`, error);
};

/** The guard's check, the write, the bookkeeping after it; a failure is mapped and remembered for readiness. */
export const guardedWrite = <T>(guard: SqliteFileGuard | null, health: StoreWriteHealthTracker, write: () => T): T => {
  try {
    guard?.check();
    const result = write();
    guard?.recordOwnWrite();
    health.succeeded();
    return result;
  } catch (error) {
    const mapped = mapSqliteWriteError(error);
    // A write lock held elsewhere is tried again; readiness hears of it only when the writer gives up.
    if (isSqliteLockWait(mapped)) throw mapped;
    throw health.seen(mapped);
  }
};

/** A write refused because another connection holds the write lock (SQLITE_BUSY, mapped). */
export const isSqliteLockWait = (error: unknown): boolean => error instanceof StoreWriteError && error.code === 'STORE.LOCKED';

/** Below this much free space a full disk is taken as still full (a WAL frame is a page plus 24 bytes). */
const MIN_FREE_BYTES = 1024 * 1024;

/**
 * How long an I/O error keeps the store out of rotation before the next write is let through to find out:
 * free space says nothing about a failing device or a file-size limit (EFBIG), so nothing cheap can tell.
 */
export const SQLITE_IO_ERROR_HOLD_MS = 10_000;

/**
 * Has the cause of a write fault gone? Side-effect free: free space on the file system of the
 * ledger, and whether the file and its folder may be written (a read-only mount answers EROFS).
 * An I/O error is never taken as cleared here: it is held for `SQLITE_IO_ERROR_HOLD_MS`, then the next
 * write tries again.
 */
export const sqliteWriteCleared = (filename: string, fault: StoreWriteFault): boolean => {
  if (fault === 'STORE.IO_ERROR' || fault === 'STORE.LOCKED') return false;
  try {
    accessSync(filename, constants.W_OK);
    accessSync(dirname(filename), constants.W_OK);
    if (fault === 'STORE.DISK_FULL') {
      const fs = statfsSync(dirname(filename));
      return fs.bavail * fs.bsize >= MIN_FREE_BYTES;
    }
    return true;
  } catch {
    return false;
  }
};

/** Reads, the schema at open and imports wait this long for a lock (blocking: they are not on the request path of a busy server). */
export const BUSY_TIMEOUT_MS = 10_000;
/** How long one attempt at the write lock may block the event loop (SQLite's busy handler sleeps inside the call). */
export const WRITE_ATTEMPT_BUSY_MS = 20;

/**
 * How long a connection to a server's side file (sessions, read models, audit-trail index) may block the
 * event loop waiting for a write lock held by another process (a CLI command, a backup): set once at open.
 * A write that cannot begin in this time is refused (`STORE.LOCKED`) or, in the background, retried later.
 */
export const SIDE_FILE_BUSY_MS = 50;

/** SQLite's answer for a lock another connection holds (`SQLITE_BUSY`, or an extended code of it). */
export const isSqliteBusy = (error: unknown): boolean => String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY');

const busyTimeoutStatements = new WeakMap<Database.Database, Map<number, Database.Statement>>();

/** `PRAGMA busy_timeout = ms` prepared once per connection and value: the group commit sets it twice per batch. */
const setBusyTimeout = (db: Database.Database, ms: number): void => {
  let statements = busyTimeoutStatements.get(db);
  if (statements === undefined) busyTimeoutStatements.set(db, (statements = new Map()));
  let statement = statements.get(ms);
  if (statement === undefined) statements.set(ms, (statement = db.prepare(`PRAGMA busy_timeout = ${Math.trunc(ms)}`)));
  statement.get();
};

/** Runs `work` with the connection's busy timeout at `ms`, then puts back `BUSY_TIMEOUT_MS`. */
export const withBusyTimeout = <T>(db: Database.Database, ms: number, work: () => T): T => {
  setBusyTimeout(db, ms);
  try {
    return work();
  } finally {
    setBusyTimeout(db, BUSY_TIMEOUT_MS);
  }
};

/** Could a write transaction begin now (readiness after `STORE.LOCKED`)? Asked without waiting, and ended at once without writing. */
export const sqliteWriteLockFree = (db: Database.Database): boolean => {
  if (!db.open || db.inTransaction) return false;
  return withBusyTimeout(db, 0, () => {
    try {
      db.exec('BEGIN IMMEDIATE');
      db.exec('ROLLBACK');
      return true;
    } catch {
      return false;
    }
  });
};

/**
 * Waits up to `ms` for the write lock of the SQLite file `file` to be free (another process in the middle of a
 * write, a `sqlite3` shell inside a transaction), asking without blocking every 50 ms; true once it was free.
 * Nothing is written, and the lock is not kept.
 */
export const sqliteWriteLockFreeWithin = async (file: string, ms: number): Promise<boolean> => {
  const db = new Database(file, { fileMustExist: true });
  try {
    for (const until = Date.now() + ms; ; ) {
      if (sqliteWriteLockFree(db)) return true;
      if (Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    db.close();
  }
};

/**
 * Whether another connection has the SQLite file open — a server idle between requests, a `sqlite3` shell reading
 * it — which holds no write lock but keeps the file, its WAL and shared memory in use: an exclusive lock on the
 * database (SQLite's EXCLUSIVE locking mode, which WAL grants only to the one connection) is refused while any other
 * is open. Taken and let go at once; nothing is written.
 */
export const sqliteOpenElsewhere = (file: string): boolean => {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    if (isSqliteBusy(error)) return true;
    throw error;
  } finally {
    db.close();
  }
};
