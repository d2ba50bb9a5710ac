import { lstatSync } from 'node:fs';

/**
 * The first of a SQLite file beside the ledger and its WAL and shared-memory files (`FILE`,
 * `FILE-wal`, `FILE-shm`) that exists but is a symlink or anything else than a regular file, or null.
 * SQLite follows a symlink planted at those paths and would write wherever it points, so the owners
 * of the side files (sessions, read models) refuse to open them instead.
 */
export const unsafeSqliteSidePath = (file: string): string | null => {
  if (file === ':memory:') return null;
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats && !stats.isFile()) return path;
  }
  return null;
};
