import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { appendOne, seedAuditLedger, subjectStream, USERS } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { SqliteEventStore } from '@trial-ledger/event-store';
import {
  AuditTrailIndexer,
  clinicalReadModels,
  clinicalReadModelsAt,
  ProjectionRunner,
  ReadModelsAlteredError,
  RowSeal,
  SqliteAuditTrailIndex,
  SqliteProjectionStore,
  type AuditTrailIndexStore,
} from '@trial-ledger/projections';

/**
 * A seal proves that the server wrote a state, not that the state belongs to this log now: an insider
 * who can write the files but not read the key can still put back an older sealed copy, or a sealed
 * copy from another ledger whose server used the same key (two ledgers named alike share the default
 * key directory's files). These states must either be harmless (the log is folded on from them) or refused.
 */
describe('sealed read models replayed by an insider (older copies, other ledgers)', () => {
  let dir: string;
  const key = randomBytes(32);
  const stores: SqliteEventStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-replay-'));
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Two ledgers with different histories, `other` shorter than `ledger`. */
  const twoLedgers = async (): Promise<{ ledger: SqliteEventStore; other: SqliteEventStore }> => {
    const ledger = new SqliteEventStore(join(dir, 'a', 'ledger.sqlite'), { pollMs: 20 });
    const other = new SqliteEventStore(join(dir, 'b', 'ledger.sqlite'), { pollMs: 20 });
    stores.push(ledger, other);
    await seedAuditLedger(ledger);
    await appendOne(ledger, subjectStream('S002'), 'AdverseEventReported', { term: 'Headache', onsetDate: '2026-02-01', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
    await seedAuditLedger(other, { identity: false });
    await appendOne(other, subjectStream('S001'), 'SubjectWithdrawn', { withdrawalDate: '2026-02-02', reason: 'consent withdrawn' }, USERS.investigator);
    return { ledger, other };
  };

  const indexOf = async (events: SqliteEventStore, file: string, onAltered?: () => void): Promise<{ index: SqliteAuditTrailIndex; indexer: AuditTrailIndexer }> => {
    const index = new SqliteAuditTrailIndex(file, { sealKey: key });
    const indexer = new AuditTrailIndexer(events, index, { flushEvery: 3, onAltered });
    await indexer.start();
    await indexer.catchUp();
    return { index, indexer };
  };
  const hashAt = async (events: SqliteEventStore, position: number): Promise<string> => {
    for await (const e of events.readAll({ afterPosition: position - 1, toPosition: position })) return e.hash;
    throw new Error(`no event at ${position}`);
  };
  const rows = (index: AuditTrailIndexStore) => index.find({}, 1_000_000, 'oldest-first');
  const freshRows = async (events: SqliteEventStore): Promise<unknown[]> => {
    const { index, indexer } = await indexOf(events, ':memory:');
    const all = await rows(index);
    await indexer.stop();
    await index.close();
    return all;
  };

  describe('the audit-trail index', () => {
    it('an older sealed state written back while the server runs is refused at the next read, not used with a gap', async () => {
      const { ledger } = await twoLedgers();
      const file = join(dir, 'a', 'ledger.sqlite.audit-index');
      const { index, indexer } = await indexOf(ledger, file);
      const older = await new Database(file).prepare('SELECT position, seal FROM audit_trail_index_checkpoint').get() as { position: number; seal: string };
      for (const term of ['Nausea', 'Fatigue']) {
        await appendOne(ledger, subjectStream('S001'), 'AdverseEventReported', { term, onsetDate: '2026-02-03', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
      }
      await indexer.catchUp();
      // The insider puts back the state the server sealed before those two events (rows and sealed checkpoint).
      const db = new Database(file);
      db.prepare('DELETE FROM audit_trail_index WHERE position > ?').run(older.position);
      db.prepare('UPDATE audit_trail_index_checkpoint SET position = ?, seal = ?').run(older.position, older.seal);
      db.close();
      await expect(index.find({ subjectId: 'S001' }, 100, 'newest-first')).rejects.toBeInstanceOf(ReadModelsAlteredError);
      await indexer.stop();
      await index.close();
    });

    it('an older sealed copy put in place of the file while no server runs: the restart indexes on from it to the same rows', async () => {
      const { ledger } = await twoLedgers();
      const file = join(dir, 'a', 'ledger.sqlite.audit-index');
      const first = await indexOf(ledger, file);
      await first.indexer.stop();
      await first.index.close();
      copyFileSync(file, `${file}.older`);
      await appendOne(ledger, subjectStream('S001'), 'AdverseEventReported', { term: 'Nausea', onsetDate: '2026-02-03', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
      const second = await indexOf(ledger, file);
      await second.indexer.stop();
      await second.index.close();
      copyFileSync(`${file}.older`, file);
      let altered = 0;
      const restarted = await indexOf(ledger, file, () => (altered += 1));
      expect(altered).toBe(0);
      expect(await rows(restarted.index)).toEqual(await freshRows(ledger));
      await restarted.indexer.stop();
      await restarted.index.close();
    });

    it("another ledger's sealed index (same key) put in place of the file is discarded and rebuilt from this log", async () => {
      const { ledger, other } = await twoLedgers();
      const theirs = await indexOf(other, join(dir, 'b', 'ledger.sqlite.audit-index'));
      await theirs.indexer.stop();
      await theirs.index.close();
      copyFileSync(join(dir, 'b', 'ledger.sqlite.audit-index'), join(dir, 'a', 'ledger.sqlite.audit-index'));
      let altered = 0;
      const ours = await indexOf(ledger, join(dir, 'a', 'ledger.sqlite.audit-index'), () => (altered += 1));
      expect(await rows(ours.index)).toEqual(await freshRows(ledger));
      expect(altered).toBe(1);
      await ours.indexer.stop();
      await ours.index.close();
    });
  });

  describe('the clinical read models', () => {
    const runOn = async (events: SqliteEventStore, file: string, onAltered?: () => void): Promise<{ runner: ProjectionRunner<unknown>; saved: SqliteProjectionStore }> => {
      const saved = new SqliteProjectionStore(file, { sealKey: key });
      const runner = new ProjectionRunner(events, saved, clinicalReadModels, { onAltered });
      await runner.start();
      await runner.catchUp();
      return { runner: runner as ProjectionRunner<unknown>, saved };
    };
    const fresh = async (events: SqliteEventStore) => (await clinicalReadModelsAt(events)).state;

    /** Runs the read models once on `ledger` and stops: the sealed file a server leaves behind. */
    const savedOnce = async (ledger: Parameters<typeof runOn>[0]): Promise<string> => {
      const file = join(dir, 'a', 'ledger.sqlite.read-models');
      const first = await runOn(ledger, file);
      await first.runner.stop();
      await first.saved.close();
      return file;
    };

    /** A restart on `file` reports no alteration and folds the same documents as a fresh fold. */
    const expectRebuiltWithoutAlarm = async (ledger: Parameters<typeof runOn>[0], file: string): Promise<void> => {
      let altered = 0;
      const restarted = await runOn(ledger, file, () => (altered += 1));
      expect(altered).toBe(0);
      expect(restarted.runner.documents).toEqual(await fresh(ledger));
      await restarted.runner.stop();
      await restarted.saved.close();
    };

    it('an older sealed copy put in place of the file: serve and the CLI fold on from it to the same documents', async () => {
      const { ledger } = await twoLedgers();
      const file = join(dir, 'a', 'ledger.sqlite.read-models');
      const first = await runOn(ledger, file);
      await first.runner.stop();
      await first.saved.close();
      copyFileSync(file, `${file}.older`);
      await appendOne(ledger, subjectStream('S001'), 'SubjectWithdrawn', { withdrawalDate: '2026-02-02', reason: 'consent withdrawn' }, USERS.investigator);
      const second = await runOn(ledger, file);
      await second.runner.stop();
      await second.saved.close();
      copyFileSync(`${file}.older`, file);
      const cli = new SqliteProjectionStore(file, { sealKey: key });
      const atHead = await clinicalReadModelsAt(ledger, { saved: cli });
      expect(atHead.folded).toBe(1);
      expect(atHead.state).toEqual(await fresh(ledger));
      await cli.close();
      await expectRebuiltWithoutAlarm(ledger, file);
    });

    it('rows sealed before checkpoints named their event are rebuilt once, without a report of alteration, and not used by the CLI', async () => {
      const { ledger } = await twoLedgers();
      const file = await savedOnce(ledger);
      // What an earlier version wrote: the checkpoint sealed without the event it stands on.
      const db = new Database(file);
      const head = db.prepare('SELECT projection, version, position, seal FROM projection_checkpoints').get() as { projection: string; version: number; position: number; seal: string };
      const seal = new RowSeal(key);
      const digest = RowSeal.remove(BigInt(`0x${head.seal.replace(/^v2:/, '')}`), seal.macOf(['checkpoint', head.projection, head.version, head.position, await hashAt(ledger, head.position)]));
      db.prepare('UPDATE projection_checkpoints SET anchor = NULL, seal = ?').run(RowSeal.rowsText(RowSeal.add(digest, seal.macOf(['checkpoint', head.projection, head.version, head.position]))));
      db.close();
      const cli = new SqliteProjectionStore(file, { sealKey: key });
      const loaded = await cli.load(clinicalReadModels.name);
      expect([loaded.altered, loaded.anchor, loaded.checkpoint]).toEqual([undefined, null, head.position]);
      expect((await clinicalReadModelsAt(ledger, { saved: cli })).folded).toBe(head.position);
      await cli.close();
      await expectRebuiltWithoutAlarm(ledger, file);
      expect((await new SqliteProjectionStore(file, { sealKey: key }).load(clinicalReadModels.name)).anchor).toBe(await hashAt(ledger, head.position));
    });

    it('rows sealed by the earlier row format (each row quoted inside a JSON array) are rebuilt once, without a report of alteration', async () => {
      const { ledger } = await twoLedgers();
      const file = await savedOnce(ledger);
      // What the earlier format wrote: bare hex, each row's MAC over JSON.stringify([projection, key, state]).
      const db = new Database(file);
      const head = db.prepare('SELECT projection, version, position, anchor FROM projection_checkpoints').get() as { projection: string; version: number; position: number; anchor: string };
      const rows = db.prepare('SELECT doc_key, state FROM projection_documents WHERE projection = ?').all(head.projection) as Array<{ doc_key: string; state: string }>;
      const seal = new RowSeal(key);
      const digest = rows.reduce((sum, row) => RowSeal.add(sum, seal.macOf([head.projection, row.doc_key, row.state])), 0n);
      const earlier = RowSeal.text(RowSeal.add(digest, seal.macOf(['checkpoint', head.projection, head.version, head.position, head.anchor])));
      db.prepare('UPDATE projection_checkpoints SET seal = ?').run(earlier);
      db.close();
      const cli = new SqliteProjectionStore(file, { sealKey: key });
      const loaded = await cli.load(clinicalReadModels.name);
      expect([loaded.altered, loaded.anchor, Object.keys(loaded.documents).length]).toEqual([undefined, null, 0]);
      expect((await clinicalReadModelsAt(ledger, { saved: cli })).folded).toBe(head.position);
      await cli.close();
      await expectRebuiltWithoutAlarm(ledger, file);
      const resealed = new Database(file);
      expect((resealed.prepare('SELECT seal FROM projection_checkpoints').get() as { seal: string }).seal).toMatch(/^v2:[0-9a-f]{64}$/);
      resealed.close();
    });

    it("another ledger's sealed read models (same key) are not used by the CLI and are rebuilt by serve", async () => {
      const { ledger, other } = await twoLedgers();
      const theirs = await runOn(other, join(dir, 'b', 'ledger.sqlite.read-models'));
      await theirs.runner.stop();
      await theirs.saved.close();
      const file = join(dir, 'a', 'ledger.sqlite.read-models');
      copyFileSync(join(dir, 'b', 'ledger.sqlite.read-models'), file);
      const cli = new SqliteProjectionStore(file, { sealKey: key });
      expect((await clinicalReadModelsAt(ledger, { saved: cli })).state).toEqual(await fresh(ledger));
      await cli.close();
      let altered = 0;
      const ours = await runOn(ledger, file, () => (altered += 1));
      expect(ours.runner.documents).toEqual(await fresh(ledger));
      expect(altered).toBe(1);
      await ours.runner.stop();
      await ours.saved.close();
    });
  });
});
