import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditTrail, type AuditTrailFilter } from '@trial-ledger/audit';
import { appendOne, seedAuditLedger, STUDY_ID, USERS } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexer, InMemoryAuditTrailIndex, SqliteAuditTrailIndex, type AuditIndexQuery, type AuditTrailIndexStore } from '@trial-ledger/projections';

/** Every row of an index, oldest first. */
const allRows = (index: AuditTrailIndexStore) => index.find({}, 1_000_000, 'oldest-first');

const positionsOf = async (rows: AsyncIterable<{ position: number }>): Promise<number[]> => {
  const out: number[] = [];
  for await (const row of rows) out.push(row.position);
  return out;
};

describe('the audit-trail index read model', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-audit-index-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20 });
    await seedAuditLedger(store);
    // A monitor's query about S002 (its subject is named only by QueryOpened), the site's answer, an SDV, an export record.
    const query = `query-${STUDY_ID}-Q1`;
    await appendOne(store, query, 'QueryOpened', { queryId: 'Q1', target: { subjectId: 'S002', eventId: 'e' }, text: 'Check' }, USERS.monitor);
    await appendOne(store, query, 'QueryResponded', { queryId: 'Q1', text: 'Checked' }, USERS.investigator);
    await appendOne(store, `sdv-${STUDY_ID}-S001`, 'RecordSourceVerified', { targetEventId: 'x' }, USERS.monitor);
    await appendOne(store, `exports-${STUDY_ID}`, 'DataExported', { kind: 'audit-trail', format: 'csv', studyId: STUDY_ID, filter: {} }, USERS.monitor);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const build = async (index: AuditTrailIndexStore): Promise<AuditTrailIndexer> => {
    const indexer = new AuditTrailIndexer(store, index, { flushEvery: 3 });
    await indexer.start();
    await indexer.catchUp();
    return indexer;
  };

  it('filters exactly as the audit trail read from the log does, in SQLite and in memory', async () => {
    const sqlite = new SqliteAuditTrailIndex(join(dir, 'ledger.sqlite.read-models'));
    const memory = new InMemoryAuditTrailIndex();
    const indexers = [await build(sqlite), await build(memory)];
    const cases: Array<[AuditTrailFilter, AuditIndexQuery]> = [
      [{ studyId: STUDY_ID }, { studyId: STUDY_ID }],
      [{ studyId: STUDY_ID, subjectId: 'S001' }, { studyId: STUDY_ID, subjectId: 'S001' }],
      [{ studyId: STUDY_ID, subjectId: 'S002' }, { studyId: STUDY_ID, subjectId: 'S002' }],
      [{ studyId: STUDY_ID, user: 'iinv' }, { studyId: STUDY_ID, user: 'iinv' }],
      [{ studyId: STUDY_ID, user: USERS.coordinator.userId }, { studyId: STUDY_ID, user: USERS.coordinator.userId }],
      [{ studyId: STUDY_ID, type: 'EntryCorrected,EntryVoided' }, { studyId: STUDY_ID, changesOnly: true }],
      [{ studyId: STUDY_ID, type: ['DoseAdministered'] }, { studyId: STUDY_ID, types: ['DoseAdministered'] }],
      [{ studyId: STUDY_ID, subjectId: '__proto__', user: 'constructor' }, { studyId: STUDY_ID, subjectId: '__proto__', user: 'constructor' }],
      [{ studyId: 'S\u202eX' }, { studyId: 'S\u202eX' }],
      [{}, {}],
    ];
    for (const [filter, query] of cases) {
      const expected = await positionsOf(auditTrail(store, filter));
      for (const index of [sqlite, memory]) {
        expect({ query, found: (await index.find(query, 1000, 'oldest-first')).map((r) => r.position) }).toEqual({ query, found: expected });
        expect((await index.find(query, 2, 'newest-first')).map((r) => r.position)).toEqual(expected.slice(-2).reverse());
      }
    }
    const [opened, answered] = await sqlite.find({ studyId: STUDY_ID, types: ['QueryOpened', 'QueryResponded'] }, 10, 'oldest-first');
    expect([opened.subjectId, answered.subjectId]).toEqual(['S002', 'S002']);
    expect((await sqlite.find({ studyId: STUDY_ID, role: 'monitor' }, 10, 'oldest-first')).map((r) => r.eventType)).toEqual(['QueryOpened', 'RecordSourceVerified', 'DataExported']);
    for (const indexer of indexers) await indexer.stop();
    await sqlite.close();
  });

  it('turns time bounds into position bounds and pages newest first with a before position', async () => {
    const index = new InMemoryAuditTrailIndex();
    const sqlite = new SqliteAuditTrailIndex(':memory:');
    await (await build(index)).stop();
    await (await build(sqlite)).stop();
    const rows = await allRows(index);
    const middle = rows[Math.floor(rows.length / 2)];
    for (const store of [index, sqlite]) {
      const from = await store.find({ from: middle.recordedAt }, 1000, 'oldest-first');
      expect(from.every((r) => r.recordedAt >= middle.recordedAt)).toBe(true);
      expect(from.length).toBe(rows.filter((r) => r.recordedAt >= middle.recordedAt).length);
      const to = await store.find({ to: middle.recordedAt, beforePosition: middle.position }, 3, 'newest-first');
      expect(to.map((r) => r.position)).toEqual(rows.filter((r) => r.recordedAt <= middle.recordedAt && r.position < middle.position).map((r) => r.position).slice(-3).reverse());
      expect(await store.find({ from: '9999-12-31T23:59:59.999Z' }, 10, 'newest-first')).toEqual([]);
      expect(await store.find({ types: [] }, 10, 'newest-first')).toEqual([]);
    }
    await sqlite.close();
  });

  it('rebuilt from zero, and resumed from a checkpoint after a restart, gives the same rows', async () => {
    const file = join(dir, 'ledger.sqlite.read-models');
    const first = new SqliteAuditTrailIndex(file);
    const indexer = await build(first);
    const before = await allRows(first);
    await indexer.stop();
    await first.close();
    // Written while the server was down: the restarted indexer resumes after its checkpoint.
    await appendOne(store, `query-${STUDY_ID}-Q1`, 'QueryClosed', { queryId: 'Q1', text: 'ok' }, USERS.monitor);
    const reopened = new SqliteAuditTrailIndex(file);
    expect((await reopened.checkpoint())?.position).toBe(before[before.length - 1].position);
    const resumed = await build(reopened);
    const afterRestart = await allRows(reopened);
    expect(afterRestart.slice(0, before.length)).toEqual(before);
    expect(afterRestart[afterRestart.length - 1]).toMatchObject({ eventType: 'QueryClosed', subjectId: 'S002', studyId: STUDY_ID });
    await resumed.rebuild();
    expect(await allRows(reopened)).toEqual(afterRestart);
    const fresh = new InMemoryAuditTrailIndex();
    await (await build(fresh)).stop();
    expect(await allRows(fresh)).toEqual(afterRestart);
    expect(afterRestart.map((r) => r.position)).toEqual(Array.from({ length: afterRestart.length }, (_, i) => i + 1));
    await resumed.stop();
    await reopened.close();
  });
});
