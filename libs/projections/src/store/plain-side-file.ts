import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DomainError } from '@trial-ledger/domain';
import { explainUnwritableFile, unsafeSqliteSidePath } from '@trial-ledger/event-store';

/** Refuses a read-model file (or its WAL or shared-memory file) that is a symlink or not a regular file, rather than writing through it. */
export const assertPlainSideFile = (file: string): void => {
  const path = unsafeSqliteSidePath(file);
  if (path !== null) {
    throw new DomainError('READ_MODELS.FILE_UNSAFE', `${path} is not a regular file (a symlink or other): read models are not kept there; remove it and start again`, 'conflict', { path });
  }
};

/** SQLite's answer for a file that is not a database, or one whose pages are damaged. */
export const isUnreadableSideFile = (error: unknown): boolean => ['SQLITE_NOTADB', 'SQLITE_CORRUPT'].includes(String((error as { code?: unknown }).code));

/**
 * Adds the columns a file written by an earlier version lacks (`ALTER TABLE … ADD COLUMN`, in the order
 * given), so one schema serves files old and new. `table` is one of ours, never user input.
 */
export const addMissingColumns = (db: Database.Database, table: string, columns: Readonly<Record<string, string>>): void => {
  const present = new Set(db.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)').all(table).map((c) => c.name));
  for (const [name, type] of Object.entries(columns)) if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
};

export interface SideDatabaseOptions {
  /** Creates or upgrades the tables; run as part of opening, so a file that is no database fails here. */
  readonly setup?: (db: Database.Database) => void;
  /**
   * Read models can be rebuilt from the log: a side file that is not a SQLite database (damaged, or
   * written over) is then deleted with its WAL and created afresh, after this is told. Without it, the
   * error is thrown (a reader that must not change the server's files).
   */
  readonly onUnreadable?: (file: string, error: Error) => void;
  /**
   * How long a statement after opening may wait (blocking the event loop) for a lock another process
   * holds; default 10 s. A server passes `SIDE_FILE_BUSY_MS`: its saves run in the background and are
   * retried later (`SQLITE_BUSY`), never holding up the requests it serves meanwhile.
   */
  readonly lockWaitMs?: number;
}

/**
 * The connection a read-model table set lives on: a side file (WAL, synchronous NORMAL, a writer waits up to 10 s for
 * another), `:memory:`, or an open connection shared with the SQLite event store (not closed by us).
 */
export const openSideDatabase = (target: string | Database.Database, options: SideDatabaseOptions = {}): { readonly db: Database.Database; readonly ownsConnection: boolean } => {
  if (typeof target !== 'string') {
    options.setup?.(target);
    return { db: target, ownsConnection: false };
  }
  if (target !== ':memory:') mkdirSync(dirname(target), { recursive: true });
  assertPlainSideFile(target);
  const open = (): Database.Database => {
    const db = new Database(target);
    try {
      db.pragma('journal_mode = WAL');
      // A side file is rebuilt from the log, never the only copy of a fact: its commits need not wait for
      // the disk (WAL with NORMAL stays consistent, and a power cut only loses the last saves, which the
      // log folds again). The event store keeps FULL.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 10000');
      options.setup?.(db);
      if (options.lockWaitMs !== undefined) db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.lockWaitMs))}`);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  };
  try {
    return { db: open(), ownsConnection: true };
  } catch (error) {
    if (target !== ':memory:') {
      const unwritable = explainUnwritableFile(target, error, `The file ${target} beside the ledger cannot be written: it, its -wal and -shm or its directory are read-only`);
      if (unwritable !== error) throw unwritable;
    }
    if (options.onUnreadable === undefined || target === ':memory:' || !isUnreadableSideFile(error)) throw error;
    options.onUnreadable(target, error as Error);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    return { db: open(), ownsConnection: true };
  }
};
