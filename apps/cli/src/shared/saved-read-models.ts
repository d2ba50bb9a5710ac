import { existsSync } from 'node:fs';
import { sqlitePath, storeScheme } from '@trial-ledger/event-store';
import { SqliteProjectionStore, type ProjectionStore } from '@trial-ledger/projections';

/**
 * The read models a server keeps beside a SQLite ledger (`LEDGER.sqlite.read-models`), opened for a
 * one-shot reader (report, replay and pfs at the head): only the events after their checkpoint are
 * folded. Null when there are none (other stores, or no server has run): the log is folded once.
 */
export const withSavedReadModels = async <T>(storeUrl: string, work: (saved: ProjectionStore | null) => Promise<T>): Promise<T> => {
  const file = storeScheme(storeUrl) === 'sqlite' ? sqlitePath(storeUrl) : ':memory:';
  const path = `${file}.read-models`;
  if (file === ':memory:' || !existsSync(path)) return work(null);
  const saved = new SqliteProjectionStore(path);
  try {
    return await work(saved);
  } finally {
    await saved.close();
  }
};
