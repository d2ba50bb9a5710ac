import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DomainError } from '@trial-ledger/domain';
import { unsafeSqliteSidePath } from '@trial-ledger/event-store';

/** Refuses a read-model file (or its WAL or shared-memory file) that is a symlink or not a regular file, rather than writing through it. */
export const assertPlainSideFile = (file: string): void => {
  const path = unsafeSqliteSidePath(file);
  if (path !== null) {
    throw new DomainError('READ_MODELS.FILE_UNSAFE', `${path} is not a regular file (a symlink or other): read models are not kept there; remove it and start again`, 'conflict', { path });
  }
};

/**
 * The connection a read-model table set lives on: a side file (WAL, a writer waits up to 10 s for
 * another), `:memory:`, or an open connection shared with the SQLite event store (not closed by us).
 */
export const openSideDatabase = (target: string | Database.Database): { readonly db: Database.Database; readonly ownsConnection: boolean } => {
  if (typeof target !== 'string') return { db: target, ownsConnection: false };
  if (target !== ':memory:') mkdirSync(dirname(target), { recursive: true });
  assertPlainSideFile(target);
  const db = new Database(target);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  return { db, ownsConnection: true };
};
