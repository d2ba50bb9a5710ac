import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { appendOne, seedAuditLedger, subjectStream, USERS } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexer, ReadModelsAlteredError, SqliteAuditTrailIndex } from '@trial-ledger/projections';

/**
 * The seal covers the index's rows, not the SQL that reads and writes them: an insider who can write
 * the file can add a trigger (that rewrites or drops the rows the server inserts, inside the server's
 * own transaction, where SQLite's `data_version` does not move) or redefine a column (a collation that
 * makes `subject_id = 'S001'` match other subjects). Either must stop the index from being used.
 */
describe('the audit-trail index file with its schema altered outside the server', () => {
  let dir: string;
  let events: SqliteEventStore;
  const key = randomBytes(32);
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-schema-'));
    events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20 });
    await seedAuditLedger(events);
  });
  afterEach(() => {
    events.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (): string => join(dir, 'ledger.sqlite.audit-index');
  const exec = (sql: string): void => {
    const db = new Database(file());
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };
  const ae = (term: string) => appendOne(events, subjectStream('S001'), 'AdverseEventReported', { term, onsetDate: '2026-02-03', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);

  it('a trigger added while the server runs, which hides the rows it then inserts, is refused at the next read', async () => {
    const index = new SqliteAuditTrailIndex(file(), { sealKey: key });
    const indexer = new AuditTrailIndexer(events, index);
    await indexer.start();
    await indexer.catchUp();
    const before = await index.find({ subjectId: 'S001' }, 1000, 'oldest-first');
    exec(`CREATE TRIGGER hide AFTER INSERT ON audit_trail_index WHEN NEW.subject_id = 'S001'
          BEGIN UPDATE audit_trail_index SET subject_id = 'S999' WHERE position = NEW.position; END;`);
    expect(before.length).toBeGreaterThan(0);
    await ae('Nausea');
    // The indexer's own append finds the file changed and refuses to write into it (it is rebuilt by the server's recovery).
    await expect(indexer.catchUp()).rejects.toBeInstanceOf(ReadModelsAlteredError);
    await expect(index.find({ subjectId: 'S001' }, 1000, 'oldest-first')).rejects.toBeInstanceOf(ReadModelsAlteredError);
    await expect(indexer.stop()).rejects.toBeInstanceOf(ReadModelsAlteredError);
    // The restart (the server's recovery) drops the trigger with the rows and indexes every event again.
    await indexer.start();
    await indexer.catchUp();
    expect((await index.find({ subjectId: 'S001' }, 1000, 'oldest-first')).length).toBe(before.length + 1);
    await indexer.stop();
    await index.close();
  });

  it('a commit by another connection between the seal check and the read is not served: check and read see one snapshot', async () => {
    const index = new SqliteAuditTrailIndex(file(), { sealKey: key });
    const indexer = new AuditTrailIndexer(events, index);
    await indexer.start();
    await indexer.catchUp();
    const rows = await index.find({ subjectId: 'S001' }, 1000, 'oldest-first');
    // The insider's commit lands just after the server read `data_version` (the worst moment for it).
    const prototype = SqliteAuditTrailIndex.prototype as unknown as { dataVersion(this: SqliteAuditTrailIndex): number };
    const dataVersion = prototype.dataVersion;
    const spy = jest.spyOn(prototype, 'dataVersion').mockImplementationOnce(function (this: SqliteAuditTrailIndex) {
      const version = dataVersion.call(this);
      exec(`UPDATE audit_trail_index SET subject_id = 'S999' WHERE position = ${rows[1].position}`);
      return version;
    });
    try {
      expect(await index.find({ subjectId: 'S001' }, 1000, 'oldest-first')).toEqual(rows);
    } finally {
      spy.mockRestore();
    }
    // The next read sees the commit, and refuses it.
    await expect(index.find({ subjectId: 'S001' }, 1000, 'oldest-first')).rejects.toBeInstanceOf(ReadModelsAlteredError);
    await indexer.stop().catch(() => undefined);
    await index.close();
  });

  it.each([
    ['its rows table dropped', 'DROP TABLE audit_trail_index'],
    ['its checkpoint table replaced by a view', 'DROP TABLE audit_trail_index_checkpoint; CREATE VIEW audit_trail_index_checkpoint AS SELECT 1 AS id, 1 AS version, 999 AS position, NULL AS seal'],
  ])('with %s while the server runs, reads are refused (not a SQL error) and a restart rebuilds it', async (_what, sql) => {
    const index = new SqliteAuditTrailIndex(file(), { sealKey: key });
    const indexer = new AuditTrailIndexer(events, index);
    await indexer.start();
    await indexer.catchUp();
    const rows = await index.find({}, 1000, 'oldest-first');
    await indexer.stop();
    exec(sql);
    await expect(index.find({}, 1000, 'oldest-first')).rejects.toBeInstanceOf(ReadModelsAlteredError);
    await indexer.start();
    await indexer.catchUp();
    expect(await index.find({}, 1000, 'oldest-first')).toEqual(rows);
    await indexer.stop();
    await index.close();
  });

  it('a column redefined while no server ran (a case-blind subject id) is found at open and the index rebuilt', async () => {
    const first = new SqliteAuditTrailIndex(file(), { sealKey: key });
    const indexer = new AuditTrailIndexer(events, first);
    await indexer.start();
    await indexer.catchUp();
    await indexer.stop();
    await first.close();
    const schema = (new Database(file()).prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_trail_index'").get() as { sql: string }).sql;
    exec(`ALTER TABLE audit_trail_index RENAME TO old_rows;
          ${schema.replace('subject_id  TEXT', 'subject_id  TEXT COLLATE NOCASE')};
          INSERT INTO audit_trail_index SELECT * FROM old_rows; DROP TABLE old_rows;`);
    const reopened = new SqliteAuditTrailIndex(file(), { sealKey: key });
    expect(await reopened.checkpoint()).toMatchObject({ altered: true });
    let altered = 0;
    const rebuilt = new AuditTrailIndexer(events, reopened, { onAltered: () => (altered += 1) });
    await rebuilt.start();
    await rebuilt.catchUp();
    expect(altered).toBe(1);
    expect(await reopened.find({ subjectId: 's001' }, 1000, 'oldest-first')).toEqual([]);
    expect((await reopened.find({ subjectId: 'S001' }, 1000, 'oldest-first')).length).toBeGreaterThan(0);
    await rebuilt.stop();
    await reopened.close();
  });
});
