import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAuditTrailIndex } from '../audit-trail/sqlite-audit-trail-index';
import { openSideDatabase } from './plain-side-file';
import { SqliteProjectionStore } from './sqlite-projection-store';

/** Someone plants a symlink where the API keeps its read models (`LEDGER.sqlite.read-models`) before it starts. */
describe.each([
  ['read-model store', (file: string) => new SqliteProjectionStore(file)],
  ['audit-trail index', (file: string) => new SqliteAuditTrailIndex(file)],
])('the %s beside the ledger is never a symlink', (_name, open) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-read-models-link-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['', '-wal', '-shm'])('a symlink at LEDGER.sqlite.read-models%s is refused and its target left as it was', (suffix) => {
    const file = join(dir, 'ledger.sqlite.read-models');
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'precious');
    symlinkSync(target, `${file}${suffix}`);
    expect(() => open(file)).toThrow(expect.objectContaining({ code: 'READ_MODELS.FILE_UNSAFE' }));
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(existsSync(`${target}-wal`)).toBe(false);
  });

  it('a plain file there opens as before', () => {
    const store = open(join(dir, 'ledger.sqlite.read-models'));
    expect(store).toBeDefined();
    return store.close();
  });
});

describe('a side file connection', () => {
  it('commits without waiting for the disk (synchronous NORMAL, WAL); a connection it is given keeps its own setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-side-sync-'));
    try {
      const { db } = openSideDatabase(join(dir, 'ledger.sqlite.read-models'));
      expect([db.pragma('journal_mode', { simple: true }), db.pragma('synchronous', { simple: true })]).toEqual(['wal', 1]);
      db.close();
      const shared = new Database(join(dir, 'ledger.sqlite'));
      shared.pragma('synchronous = FULL');
      openSideDatabase(shared);
      expect(shared.pragma('synchronous', { simple: true })).toBe(2);
      shared.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
