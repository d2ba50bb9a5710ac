import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewAuditTrail } from '@trial-ledger/audit';
import { executeCommand } from '@trial-ledger/command-pipeline';
import { FixedClock, SqliteEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import { screening, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';
import { buildReviewScenario, DATA_CUT, STUDY_ID as STUDY } from './support/review-scenario';

/**
 * A critical-data edit is judged by what it does to the primary endpoint, not only by the field it names:
 * voiding or re-dating a new anticancer therapy moves PFS (FDA 2018 censoring rule) as surely as
 * re-dating a progression does.
 */
describe('risk-based review: critical-data edits that move PFS through a censoring fact', () => {
  let dir: string;
  let store: SqliteEventStore;
  let clock: FixedClock;
  let scenario: Awaited<ReturnType<typeof buildReviewScenario>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-review-critical-'));
    clock = new FixedClock('2026-01-01T00:00:00.000Z');
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    scenario = await buildReviewScenario(store, clock, dir, false);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (command: Parameters<typeof executeCommand>[1], actor = scenario.actors.ivan): Promise<StoredEvent> => {
    clock.advance(120_000);
    return (await executeCommand(store, command, { actor, source: 'api' }, { clock })).events[0];
  };

  it('given a new anticancer therapy before the week-12 scan, voided later, then the void is a critical-data edit saying how PFS moved', async () => {
    clock.set('2026-02-01T10:00:00.000Z');
    const therapy = await run(subjectCommand('RecordNewAnticancerTherapy', { startDate: '2026-02-01', therapy: 'everolimus' }, 'S002'));
    clock.set('2026-04-01T10:00:00.000Z');
    const voided = await run(subjectCommand('VoidEntry', { targetEventId: therapy.eventId, reason: 'entered for the wrong subject, belongs to S009' }, 'S002'));

    const review = await reviewAuditTrail(store, {});
    const critical = review.indicators.find((i) => i.id === 'critical-data-edit')?.findings ?? [];
    expect(critical).toEqual([
      expect.objectContaining({
        subjectId: 'S002',
        eventIds: [voided.eventId, therapy.eventId],
        summary: expect.stringContaining('censoring later by 84 days'),
      }),
    ]);
  });

  it('given an entry moved inside a data cut before the analysis and out of it after, then the second correction is a change after the data cut', async () => {
    // The cut: data dated on or before 2026-04-12, read by the analysis at 2026-04-13T12:00Z.
    clock.set('2026-04-13T09:00:00.000Z');
    const ae = await run(subjectCommand('ReportAdverseEvent', { term: 'headache', onsetDate: '2026-04-13', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, 'S001'));
    clock.set('2026-04-13T10:00:00.000Z');
    await run(subjectCommand('CorrectEntry', { targetEventId: ae.eventId, changes: { onsetDate: '2026-04-10' }, reason: 'onset per the patient diary: 10 April' }, 'S001'));
    clock.set('2026-04-14T10:00:00.000Z');
    const back = await run(subjectCommand('CorrectEntry', { targetEventId: ae.eventId, changes: { onsetDate: '2026-04-13' }, reason: 'diary entry belonged to another episode' }, 'S001'));

    const review = await reviewAuditTrail(store, { dataCuts: [DATA_CUT] });
    const afterCut = review.indicators.find((i) => i.id === 'change-after-data-cut')?.findings ?? [];
    expect(afterCut.filter((f) => f.eventIds.includes(back.eventId))).toEqual([
      expect.objectContaining({ subjectId: 'S001', summary: expect.stringContaining('data dated 2026-04-10') }),
    ]);
  });

  it('given a second study whose id extends this one\'s (LANR-HGNET-01-B), then its subjects are not reviewed as subjects of LANR-HGNET-01', async () => {
    clock.set('2026-04-20T10:00:00.000Z');
    const other = `${STUDY}-B`;
    await run({ type: 'RegisterStudy', studyId: other, payload: { protocol: { ...loadDefaultProtocol(), studyId: other } } }, scenario.actors.ada);
    await run({ ...subjectCommand('ScreenSubject', screening({ screeningDate: '2026-04-20', consentDate: '2026-04-20' }), 'S001'), studyId: other } as Parameters<typeof executeCommand>[1], scenario.actors.cora);

    const review = await reviewAuditTrail(store, { studyId: STUDY });
    expect(review.subjects.map((s) => s.subjectId)).toEqual(['S001', 'S002']);
    expect(review.users.find((u) => u.username === 'cora')?.entries).toBe((await reviewAuditTrail(store, { studyId: STUDY, to: '2026-04-19' })).users.find((u) => u.username === 'cora')?.entries);
  });
});
