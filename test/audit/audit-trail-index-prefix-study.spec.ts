import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditTrailPage, indexedTrailPage, type AuditTrailFilter } from '@trial-ledger/audit';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexer, SqliteAuditTrailIndex } from '@trial-ledger/projections';
import { appendOne, seedAuditLedger, STUDY_ID, USERS } from '../../libs/audit/src/testing/audit-ledger.fixture';

/**
 * Study ids contain dashes, so one study's id can begin another's (`LANR-HGNET-01` and its extension
 * `LANR-HGNET-01-EXT`). The trail read from the index and the trail read from the log must agree on
 * which study a subject's events belong to: a study's trail never holds the other study's subjects.
 */
describe('the audit trail of a study whose id begins another study id', () => {
  const EXT = `${STUDY_ID}-EXT`;
  let dir: string;
  let events: SqliteEventStore;
  let index: SqliteAuditTrailIndex;
  let indexer: AuditTrailIndexer;
  let afterExtension: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-prefix-'));
    events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20 });
    await seedAuditLedger(events);
    await appendOne(events, `study-${EXT}`, 'StudyRegistered', { studyId: EXT, protocol: loadDefaultProtocol() }, USERS.admin);
    await new Promise((resolve) => setTimeout(resolve, 5));
    afterExtension = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await appendOne(events, `study-${STUDY_ID}`, 'StudyAmended', { note: 'after from, before the longer study subject' }, USERS.admin);
    await appendOne(events, `subject-${EXT}-S009`, 'SubjectScreened', { studyId: EXT, subjectId: 'S009', screeningDate: '2026-04-01', consentDate: '2026-04-01', sex: 'M', birthYear: 1970 }, USERS.coordinator);
    await appendOne(events, `sdv-${EXT}-S009`, 'RecordSourceVerified', { targetEventId: 'x' }, USERS.monitor);
    index = new SqliteAuditTrailIndex(':memory:');
    indexer = new AuditTrailIndexer(events, index);
    await indexer.start();
    await indexer.catchUp();
  });
  afterAll(async () => {
    await indexer.stop();
    await index.close();
    events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const both = async (filter: AuditTrailFilter) => {
    const head = (await events.head()).position;
    return { log: await auditTrailPage(events, filter, 1, 1000), indexed: await indexedTrailPage(index, events, filter, 1, 1000, head) };
  };

  it.each<[string, AuditTrailFilter]>([
    ['the shorter study', { studyId: STUDY_ID }],
    ['the longer study', { studyId: EXT }],
    ['the shorter study after the longer one was registered', { studyId: STUDY_ID, from: 'AFTER' }],
    ['every study after the longer one was registered', { from: 'AFTER' }],
    ['a subject of the longer study', { subjectId: 'S009' }],
  ])('%s: the index and the log give the same rows, none of the other study', async (_name, filter) => {
    const resolved = filter.from === 'AFTER' ? { ...filter, from: afterExtension } : filter;
    const { log, indexed } = await both(resolved);
    expect(indexed).toEqual(log);
    if (resolved.studyId === STUDY_ID) expect(log.items.filter((r) => r.streamId.includes('S009'))).toEqual([]);
    const s009 = log.items.filter((r) => r.streamId.endsWith('S009'));
    for (const row of s009) expect([row.studyId, row.subjectId]).toEqual([EXT, 'S009']);
  });
});
