import Database from 'better-sqlite3';
import { explainUnwritableFile } from '@trial-ledger/event-store';
import { assertPlainSideFile } from './plain-side-file';

/** The file whose lock makes a server the one writer of a side file (`FILE.writer`, empty). */
export const sideFileWriterLockOf = (sideFile: string): string => `${sideFile}.writer`;

/** Held while a server writes a side file; `release` lets the next server take it. */
export interface SideFileWriter {
  release(): void;
}

/**
 * Makes this process the one writer of a side file beside a SQLite ledger (read models, audit-trail
 * index), or answers null when another process already is. Two `serve` processes on one ledger must not
 * both write one sealed file: each keeps the seal of what it last wrote, so the other's saves look like
 * an alteration outside the server, and each would discard and rebuild the file again and again. The
 * claim is an exclusive SQLite lock on an empty file of its own, held by a connection kept open: the
 * operating system drops it when the process ends, however it ends, so a crashed server never leaves
 * the files unwritable; a connection of this process asking again is refused like another process.
 */
export const claimSideFileWriter = (sideFile: string): SideFileWriter | null => {
  const lockFile = sideFileWriterLockOf(sideFile);
  assertPlainSideFile(lockFile);
  let db: Database.Database;
  try {
    db = new Database(lockFile);
  } catch (error) {
    throw explainUnwritableFile(lockFile, error, `The lock file ${lockFile} beside the ledger cannot be written: it or its directory is read-only`);
  }
  try {
    db.pragma('busy_timeout = 0');
    // No journal file beside it: the lock is all the file is for, and a crash would leave one behind.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return null;
    throw explainUnwritableFile(lockFile, error, `The lock file ${lockFile} beside the ledger cannot be written: it or its directory is read-only`);
  }
  return {
    release: () => {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
};
