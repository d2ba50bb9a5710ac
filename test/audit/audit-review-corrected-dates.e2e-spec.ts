import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewAuditTrail, type AuditTrailReview } from '@trial-ledger/audit';
import { executeCommand, type Command } from '@trial-ledger/command-pipeline';
import { FixedClock, SqliteEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import { dose, followUp, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';
import { buildReviewScenario, REVIEW_POLICY, STUDY_ID, type ReviewScenario } from './support/review-scenario';

const findingsOf = (review: AuditTrailReview, id: string) => review.indicators.find((i) => i.id === id)?.findings ?? [];
const ae = (onsetDate: string, term: string) => subjectCommand('ReportAdverseEvent', { term, onsetDate, ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, 'S002');

describe('audit-trail review: clinical dates and windows as corrected at the time of the check', () => {
  let dir: string;
  let store: SqliteEventStore;
  let clock: FixedClock;
  let scenario: ReviewScenario;
  const run = async (command: Command, who: 'ivan' | 'cora' = 'cora'): Promise<StoredEvent> => {
    clock.advance(120_000);
    return (await executeCommand(store, command, { actor: scenario.actors[who], source: 'api' }, { clock })).events[0];
  };
  const correct = (target: StoredEvent, changes: Record<string, unknown>, reason: string) =>
    run(subjectCommand('CorrectEntry', { targetEventId: target.eventId, changes, reason }, 'S002'));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-review-dates-'));
    clock = new FixedClock('2026-01-01T00:00:00.000Z');
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    scenario = await buildReviewScenario(store, clock, dir, false);
    clock.set('2026-04-01T10:00:00.000Z');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('entry-lag', () => {
    it('given an entry whose mistyped date is corrected to the day before, then it is not late', async () => {
      const typo = await run(ae('2026-01-06', 'headache'));
      await correct(typo, { onsetDate: '2026-03-31' }, 'onset date mistyped: 31 March per the patient diary');

      expect(findingsOf(await reviewAuditTrail(store), 'entry-lag').filter((f) => f.eventIds.includes(typo.eventId))).toEqual([]);
    });

    it('given a timely-looking date corrected to months earlier, then the entry is late, by its corrected date, naming the correction', async () => {
      const entry = await run(ae('2026-03-30', 'rash'));
      const correction = await correct(entry, { onsetDate: '2026-01-15' }, 'onset per the GP letter: 15 January');

      const [found, ...more] = findingsOf(await reviewAuditTrail(store), 'entry-lag').filter((f) => f.eventIds.includes(entry.eventId));
      expect(more).toEqual([]);
      expect(found).toMatchObject({ subjectId: 'S002', username: 'cora', eventIds: [entry.eventId, correction.eventId] });
      expect(found.summary).toContain('dated 2026-01-15 (as corrected) recorded 76 days later');
    });

    it('given a late entry that was voided, then it is left out of the findings and of the per-user lags', async () => {
      const late = await run(ae('2026-01-07', 'cough'));
      await run(subjectCommand('VoidEntry', { targetEventId: late.eventId, reason: 'entered for the wrong subject' }, 'S002'));

      const review = await reviewAuditTrail(store);
      expect(findingsOf(review, 'entry-lag').filter((f) => f.eventIds.includes(late.eventId))).toEqual([]);
      expect(review.users.find((u) => u.username === 'cora')?.lagMaxDays).toBe(0);
    });
  });

  describe('back-dating', () => {
    it('given a dose window moved by a later correction of the dose below it, then a correction into the moved window is judged against it', async () => {
      const [cycle1] = (await store.readStream(`subject-${STUDY_ID}-S002`)).filter((e) => e.type === 'DoseAdministered');
      // Cycle 2 on 3 February: inside the window 31 Jan – 6 Feb that cycle 1 on 6 January gives it.
      const cycle2 = await run(subjectCommand('RecordDose', dose(2, '2026-02-03'), 'S002'));
      // Cycle 1 was on 12 January: cycle 2's window moves to 6 – 12 February (its stored window does not).
      await correct(cycle1, { administeredOn: '2026-01-12' }, 'injection date per the pharmacy log: 12 January');
      const moved = await correct(cycle2, { administeredOn: '2026-02-06' }, 'injection date per the pharmacy log: 6 February');

      const found = findingsOf(await reviewAuditTrail(store), 'back-dating').filter((f) => f.eventIds.includes(moved.eventId));
      expect(found.map((f) => f.summary)).toEqual([expect.stringContaining('dose window 2026-02-06–2026-02-12: outside → inside')]);
    });

    it('given cycle 2 recorded under protocol v1 (28 ± 3) and the interval then amended to 21 ± 2, when cycle 2 is corrected out of its v1 window, then the crossing is judged against its v1 window, not the amended one', async () => {
      // Cycle 1 on 6 January; cycle 2 on 3 February, inside 31 Jan – 6 Feb (v1).
      const cycle2 = await run(subjectCommand('RecordDose', dose(2, '2026-02-03'), 'S002'));
      const v1 = loadDefaultProtocol();
      clock.advance(120_000);
      const amendment = { type: 'AmendProtocol', studyId: STUDY_ID, payload: { protocol: { ...v1, review: REVIEW_POLICY, version: 2, treatment: { ...v1.treatment, intervalDays: 21, windowDays: 2 } }, reason: 'Amendment 1: every 21 days' } };
      await executeCommand(store, amendment as Command, { actor: scenario.actors.ada, source: 'api' }, { clock });
      const moved = await correct(cycle2, { administeredOn: '2026-02-07' }, 'injection date per the pharmacy log: 7 February');

      const found = findingsOf(await reviewAuditTrail(store), 'back-dating').filter((f) => f.eventIds.includes(moved.eventId));
      expect(found.map((f) => f.summary)).toEqual([expect.stringContaining('dose window 2026-01-31–2026-02-06: inside → outside')]);
    });

    it('given an enrollment date corrected in a ledger an earlier version wrote, then assessment visits count from the corrected date', async () => {
      const s002 = await store.readStream(`subject-${STUDY_ID}-S002`);
      const enrolled = s002.find((e) => e.type === 'SubjectEnrolled')!;
      const scan = s002.filter((e) => e.type === 'TumorAssessmentRecorded').at(-1)!;
      // As written before the enrollment date became uncorrectable: 5 → 19 January, so visit 1 is due 13 April ± 7.
      clock.advance(60_000);
      await store.append({
        writes: [{
          streamId: enrolled.streamId,
          expectedVersion: s002.at(-1)!.streamVersion,
          events: [{
            eventId: '0190a3f0-0000-7000-8000-0000000e0001',
            type: 'EntryCorrected',
            schemaVersion: 1,
            data: { studyId: STUDY_ID, subjectId: 'S002', targetEventId: enrolled.eventId, targetType: 'SubjectEnrolled', before: { enrollmentDate: '2026-01-05' }, after: { enrollmentDate: '2026-01-19' }, reason: 'enrollment date per the randomisation log' },
            metadata: { actor: scenario.actors.ivan, reason: 'enrollment date per the randomisation log', correlationId: 'enrollment-fix', causationId: null, idempotencyKey: null, source: 'api', protocolVersion: 1 },
          }],
        }],
      });
      clock.set('2026-04-10T10:00:00.000Z');
      const moved = await correct(scan, { assessmentDate: '2026-04-08' }, 'scan date per the radiology report: 8 April');

      const found = findingsOf(await reviewAuditTrail(store), 'back-dating').filter((f) => f.eventIds.includes(moved.eventId));
      expect(found.map((f) => f.summary)).toEqual([expect.stringContaining('assessment window: visit 1 outside → visit 1 inside')]);
    });

    it('given the month-12 scan on day 364 (the end-of-follow-up visit, due day 365 ± 7), when it is corrected to day 374, then it leaves that visit\'s window', async () => {
      clock.set('2027-01-20T10:00:00.000Z');
      const scan = await run(subjectCommand('RecordTumorAssessment', followUp('2027-01-04', 30, 20), 'S002'));
      const moved = await correct(scan, { assessmentDate: '2027-01-14' }, 'scan date per the radiology report: 14 January');

      const found = findingsOf(await reviewAuditTrail(store), 'back-dating').filter((f) => f.eventIds.includes(moved.eventId));
      expect(found.map((f) => f.summary)).toEqual([expect.stringContaining('assessment window: visit 5 inside → visit 5 outside')]);
    });
  });
});
