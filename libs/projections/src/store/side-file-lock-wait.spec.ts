import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SIDE_FILE_BUSY_MS } from '@trial-ledger/event-store';
import { SqliteAuditTrailIndex } from '../audit-trail/sqlite-audit-trail-index';
import { SqliteProjectionStore } from './sqlite-projection-store';

const row = (position: number) => ({
  position,
  eventId: `e-${position}`,
  streamId: 'subject-1',
  eventType: 'SubjectEnrolled',
  recordedAt: '2026-03-02T09:00:00.000Z',
  userId: 'u-1',
  username: 'alice',
  role: 'investigator',
  studyId: 'ST-1',
  subjectId: 'S-1',
  isChange: false,
});

describe('side files of a server: a write lock held by another process', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-side-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Holds the file's write lock from another connection while `work` runs; the time `work` took. */
  const whileLocked = async (file: string, work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    try {
      await work();
      return { ms: performance.now() - started, error: null };
    } catch (error) {
      return { ms: performance.now() - started, error };
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  };

  it('given read models opened with a short lock wait, when a save meets the lock, then it fails fast (SQLITE_BUSY) and succeeds once the lock is gone', async () => {
    const file = join(dir, 'ledger.sqlite.read-models');
    const store = new SqliteProjectionStore(file, { lockWaitMs: SIDE_FILE_BUSY_MS });
    try {
      const { ms, error } = await whileLocked(file, () => store.save('p', 1, 1, { a: { n: 1 } }));
      expect(String((error as { code?: unknown }).code)).toMatch(/^SQLITE_BUSY/);
      expect(ms).toBeLessThan(1000);
      await store.save('p', 1, 1, { a: { n: 1 } });
      expect((await store.load('p')).checkpoint).toBe(1);
    } finally {
      await store.close();
    }
  }, 15_000);

  it('given an audit-trail index opened with a short lock wait, when an append meets the lock, then it fails fast and succeeds once the lock is gone', async () => {
    const file = join(dir, 'ledger.sqlite.audit-index');
    const index = new SqliteAuditTrailIndex(file, { lockWaitMs: SIDE_FILE_BUSY_MS, sealKey: Buffer.alloc(32, 7) });
    try {
      await index.checkpoint();
      const { ms, error } = await whileLocked(file, () => index.append([row(1)], 1, 1));
      expect(String((error as { code?: unknown }).code)).toMatch(/^SQLITE_BUSY/);
      expect(ms).toBeLessThan(1000);
      await index.append([row(1)], 1, 1);
      expect(await index.checkpoint()).toEqual({ position: 1, version: 1 });
    } finally {
      await index.close();
    }
  }, 15_000);
});
