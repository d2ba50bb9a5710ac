import { existsSync } from 'node:fs';
import { ledgerFiles } from '@trial-ledger/audit';
import { sqlitePath, storeScheme } from '@trial-ledger/event-store';
import { isUnreadableSideFile, readModelSealKey, SqliteProjectionStore, type ProjectionStore } from '@trial-ledger/projections';
import { readSessionSealKey, sessionSealKeyFile } from '../serve/session-seal-key';
import type { GlobalOptions } from './cli-context';

/**
 * The key `serve` sealed its saved read models with (derived from the session seal key in the key
 * directory), or null when there is none to read: then saved read models are not trusted.
 */
const savedReadModelsKey = (options: Pick<GlobalOptions, 'store' | 'keyDir'>): Buffer | null => {
  try {
    const key = readSessionSealKey(sessionSealKeyFile(ledgerFiles(options.store, { keyDir: options.keyDir }).keyFile));
    return key === null ? null : readModelSealKey(key);
  } catch {
    // Not a key `serve` would use (a symlink, another length) or not readable: nothing is trusted.
    return null;
  }
};

/**
 * The read models a server keeps beside a SQLite ledger (`LEDGER.sqlite.read-models`), opened for a
 * one-shot reader (report, replay and pfs at the head): only the events after their checkpoint are
 * folded. They are used only when their seal matches under the server's key from the key directory;
 * rows altered outside the server, or no key to check them with, load as "never run", and the log is
 * folded once instead. Null when there are none (other stores, or no server has run).
 */
export const withSavedReadModels = async <T>(options: Pick<GlobalOptions, 'store' | 'keyDir'>, work: (saved: ProjectionStore | null) => Promise<T>): Promise<T> => {
  const file = storeScheme(options.store) === 'sqlite' ? sqlitePath(options.store) : ':memory:';
  const path = `${file}.read-models`;
  if (file === ':memory:' || !existsSync(path)) return work(null);
  const key = savedReadModelsKey(options);
  if (key === null) return work(null);
  let saved: SqliteProjectionStore;
  try {
    saved = new SqliteProjectionStore(path, { sealKey: key });
  } catch (error) {
    // Not a database (damaged or written over): the server replaces it; this reader folds the log.
    if (isUnreadableSideFile(error)) return work(null);
    throw error;
  }
  try {
    return await work(saved);
  } finally {
    await saved.close();
  }
};
