import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { queryStreamId } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import {
  ADMIN,
  baselineAssessment,
  COORDINATOR,
  dose,
  eligibility,
  ENROLLMENT_DATE,
  followUp,
  INVESTIGATOR,
  registerStudy,
  screening,
  STUDY_ID,
  subjectCommand,
} from '../../libs/domain/src/subject/testing/subject.fixtures';

/**
 * A progression scan keyed in after a dose dated later than it: the dose's `dose-after-progression` is
 * recorded in the scan's append, its system query points at the dose, and a correction of the scan that
 * undoes the PD withdraws the deviation and closes the query — through the one pipeline over SQLite.
 */
describe('dose-after-progression found by a late scan, through executeCommand (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR): CommandEnvelope => ({ actor, source: 'api' });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });
  const queryOpenedFor = async (deviationEventId: string) => {
    for await (const e of store.readAll()) if (e.type === 'QueryOpened' && (e.data as { deviationEventId?: string }).deviationEventId === deviationEventId) return e;
    return undefined;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-treatment-end-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await run(registerStudy(), { actor: ADMIN, source: 'cli' });
    await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility()));
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
    await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR));
    await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given cycle 2 given on 2026-02-03, when a PD scan of 2026-02-01 is keyed in, then one append holds the scan and the deviation naming cycle 2, with a system query on that dose; correcting the scan out of PD withdraws both', async () => {
    const cycle2 = (await store.readStream('subject-LANR-HGNET-01-S001')).find((e) => e.type === 'DoseAdministered' && (e.data as { cycle: number }).cycle === 2)!;
    const scanned = await run(subjectCommand('RecordTumorAssessment', followUp('2026-02-01', 40, 25)));
    // The scan falls between visits (study day 40): its own schedule deviation is not this test's concern.
    const isSchedule = (e: { data: unknown }) => ['assessment-out-of-window', 'missed-assessment', 'assessment-method-changed'].includes((e.data as { category?: string }).category ?? '');
    const subjectEvents = scanned.events.filter((e) => e.streamId.startsWith('subject-') && !isSchedule(e));
    expect(subjectEvents.map((e) => [e.type, (e.data as { category?: string }).category ?? null, (e.data as { relatedEventId?: string }).relatedEventId ?? null])).toEqual([
      ['TumorAssessmentRecorded', null, null],
      ['ProtocolDeviationDetected', 'dose-after-progression', cycle2.eventId],
    ]);
    const deviation = subjectEvents[1];
    const opened = await queryOpenedFor(deviation.eventId);
    expect(opened?.data).toMatchObject({ origin: 'system', deviationEventId: deviation.eventId, target: { eventId: cycle2.eventId } });

    const corrected = await run(subjectCommand('CorrectEntry', { targetEventId: subjectEvents[0].eventId, changes: { targetLesions: followUp('2026-02-01', 30, 20).targetLesions }, reason: 'measured on the wrong series' }));
    expect(corrected.events.filter((e) => e.streamId.startsWith('subject-') && !isSchedule(e)).map((e) => [e.type, (e.data as { targetEventId?: string }).targetEventId])).toEqual([
      ['EntryCorrected', subjectEvents[0].eventId],
      ['EntryVoided', deviation.eventId],
    ]);
    const query = await store.readStream(queryStreamId(STUDY_ID, (opened!.data as { queryId: string }).queryId));
    expect(query.map((e) => e.type)).toEqual(['QueryOpened', 'QueryClosed']);
  });
});
