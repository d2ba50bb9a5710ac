import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { appendOne, seedAuditLedger, STUDY_ID, USERS } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexer, ReadModelsAlteredError, SqliteAuditTrailIndex, SqliteProjectionStore, type AuditTrailIndexStore } from '@trial-ledger/projections';

/** Saved read models are trusted only while their keyed seal matches: an insider who can write the file cannot change what they say. */
describe('sealed read models (keyed digest over the saved rows and checkpoint)', () => {
  let dir: string;
  const key = randomBytes(32);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-seal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes to the file as another process would (its own connection). */
  const tamper = (file: string, sql: string, ...params: unknown[]): void => {
    const db = new Database(file);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  };

  describe('the clinical read models (projection documents)', () => {
    const saveTwice = async (file: string, sealKey: Buffer | null = key): Promise<void> => {
      const store = new SqliteProjectionStore(file, sealKey === null ? {} : { sealKey });
      await store.load('clinical');
      await store.save('clinical', 3, 10, { 'subject:S001': { status: 'enrolled' }, 'subject:S002': { status: 'screened' }, 'study:X': { enrolled: 1 } });
      // A later save replaces one row: the digest follows by difference.
      await store.save('clinical', 3, 12, { 'subject:S002': { status: 'enrolled' }, 'study:X': { enrolled: 2 } });
      await store.close();
    };

    it('loads what it saved across saves that replace rows', async () => {
      const file = join(dir, 'l.sqlite.read-models');
      await saveTwice(file);
      const loaded = await new SqliteProjectionStore(file, { sealKey: key }).load('clinical');
      expect(loaded).toEqual({ checkpoint: 12, version: 3, anchor: null, documents: { 'subject:S001': { status: 'enrolled' }, 'subject:S002': { status: 'enrolled' }, 'study:X': { enrolled: 2 } } });
    });

    it('a large save lets other work run between its slices, and still writes one sealed state', async () => {
      const file = join(dir, 'l.sqlite.read-models');
      const store = new SqliteProjectionStore(file, { sealKey: key });
      await store.load('clinical');
      const entries = Array.from({ length: 300 }, (_, i) => ({ eventId: `e${i}`, note: 'x'.repeat(80) }));
      const changed = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`casebook:S${i}`, { entries }]));
      let ranDuringSave = false;
      setImmediate(() => (ranDuringSave = true));
      await store.save('clinical', 3, 7, changed);
      expect(ranDuringSave).toBe(true);
      await store.close();
      const loaded = await new SqliteProjectionStore(file, { sealKey: key }).load('clinical');
      expect([loaded.altered, loaded.checkpoint, Object.keys(loaded.documents).length]).toEqual([undefined, 7, 400]);
      expect(loaded.documents['casebook:S399']).toEqual({ entries });
    });

    it.each([
      ['a row altered', "UPDATE projection_documents SET state = '{\"status\":\"withdrawn\"}' WHERE doc_key = 'subject:S001'"],
      ['a row removed', "DELETE FROM projection_documents WHERE doc_key = 'subject:S002'"],
      ['a row added', "INSERT INTO projection_documents (projection, doc_key, state) VALUES ('clinical', 'subject:S003', '{}')"],
      ['the checkpoint moved ahead (events skipped)', 'UPDATE projection_checkpoints SET position = 400'],
      ['the seal removed', 'UPDATE projection_checkpoints SET seal = NULL'],
      ['the checkpoint removed, rows kept', 'DELETE FROM projection_checkpoints'],
    ])('with %s outside the server, loads as never run and flags it', async (_what, sql) => {
      const file = join(dir, 'l.sqlite.read-models');
      await saveTwice(file);
      tamper(file, sql);
      expect(await new SqliteProjectionStore(file, { sealKey: key }).load('clinical')).toEqual({ checkpoint: 0, version: null, documents: {}, altered: true });
    });

    it('refuses rows sealed under another key, and rows saved without a seal', async () => {
      const sealed = join(dir, 'a.read-models');
      await saveTwice(sealed);
      expect((await new SqliteProjectionStore(sealed, { sealKey: randomBytes(32) }).load('clinical')).altered).toBe(true);
      const unsealed = join(dir, 'b.read-models');
      await saveTwice(unsealed, null);
      expect((await new SqliteProjectionStore(unsealed).load('clinical')).checkpoint).toBe(12);
      expect((await new SqliteProjectionStore(unsealed, { sealKey: key }).load('clinical')).altered).toBe(true);
    });

    it('after a reset, saves and loads sealed again (a rebuild)', async () => {
      const file = join(dir, 'l.sqlite.read-models');
      await saveTwice(file);
      tamper(file, 'UPDATE projection_checkpoints SET position = 400');
      const store = new SqliteProjectionStore(file, { sealKey: key });
      expect((await store.load('clinical')).altered).toBe(true);
      await store.reset('clinical');
      await store.save('clinical', 3, 5, { 'subject:S001': { status: 'screened' } });
      await store.close();
      expect(await new SqliteProjectionStore(file, { sealKey: key }).load('clinical')).toEqual({ checkpoint: 5, version: 3, anchor: null, documents: { 'subject:S001': { status: 'screened' } } });
    });
  });

  describe('the audit-trail index', () => {
    let events: SqliteEventStore;
    beforeEach(async () => {
      events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20 });
      await seedAuditLedger(events);
    });
    afterEach(() => events.close());

    const build = async (index: AuditTrailIndexStore, onAltered?: () => void): Promise<AuditTrailIndexer> => {
      const indexer = new AuditTrailIndexer(events, index, { flushEvery: 3, onAltered });
      await indexer.start();
      await indexer.catchUp();
      return indexer;
    };
    const all = (index: AuditTrailIndexStore) => index.find({}, 1_000_000, 'oldest-first');

    it('a row hidden by another connection while the server reads is refused at the next read; a restart rebuilds the same rows', async () => {
      const file = join(dir, 'ledger.sqlite.audit-index');
      const index = new SqliteAuditTrailIndex(file, { sealKey: key });
      const indexer = await build(index);
      const rows = await all(index);
      const s001 = rows.filter((r) => r.subjectId === 'S001');
      expect(s001.length).toBeGreaterThan(2);
      // Hide one of S001's events from a subject filter, as an insider with the file would.
      tamper(file, "UPDATE audit_trail_index SET subject_id = 'S999' WHERE position = ?", s001[1].position);
      await expect(index.find({ subjectId: 'S001' }, 100, 'oldest-first')).rejects.toBeInstanceOf(ReadModelsAlteredError);
      await expect(index.assertIntact()).rejects.toThrow(/altered outside the server/);
      await indexer.stop();
      let altered = 0;
      const restarted = await build(index, () => (altered += 1));
      expect(altered).toBe(1);
      expect(await all(index)).toEqual(rows);
      await restarted.stop();
      await index.close();
    });

    it('its own appends keep the seal; a reopened index resumes from its checkpoint without a rebuild', async () => {
      const file = join(dir, 'ledger.sqlite.audit-index');
      const index = new SqliteAuditTrailIndex(file, { sealKey: key });
      const indexer = await build(index);
      await appendOne(events, `sdv-${STUDY_ID}-S001`, 'RecordSourceVerified', { targetEventId: 'x' }, USERS.monitor);
      await indexer.catchUp();
      await indexer.stop();
      const before = await all(index);
      await index.close();
      const reopened = new SqliteAuditTrailIndex(file, { sealKey: key });
      expect(await reopened.checkpoint()).toEqual({ position: before.at(-1)!.position, version: expect.any(Number) });
      let altered = 0;
      await (await build(reopened, () => (altered += 1))).stop();
      expect(altered).toBe(0);
      expect(await all(reopened)).toEqual(before);
      await reopened.close();
    });

    it('a file altered while no server ran reports altered at open; removed rows and a moved checkpoint alike', async () => {
      const file = join(dir, 'ledger.sqlite.audit-index');
      const index = new SqliteAuditTrailIndex(file, { sealKey: key });
      await (await build(index)).stop();
      await index.close();
      for (const sql of ['DELETE FROM audit_trail_index WHERE position = 3', 'UPDATE audit_trail_index_checkpoint SET position = position + 5']) {
        const copy = join(dir, `copy-${sql.length}.audit-index`);
        await new Database(file).backup(copy);
        tamper(copy, sql);
        const opened = new SqliteAuditTrailIndex(copy, { sealKey: key });
        expect(await opened.checkpoint()).toMatchObject({ altered: true });
        await opened.close();
      }
    });
  });
});
