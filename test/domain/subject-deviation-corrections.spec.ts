import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand, toRecorded, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { foldStudy, foldSubject, currentSubjectEntries, studyStreamId, subjectStreamId, type RecordedSubjectEvent } from '@trial-ledger/domain';
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
 * Corrections and voids of doses keep the system-detected deviations in step, in the same atomic
 * append, through the one pipeline over a temp-file SQLite store.
 */
describe('detected deviations follow dose corrections through executeCommand (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR, extra: Partial<CommandEnvelope> = {}): CommandEnvelope => ({ actor, source: 'api', ...extra });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });
  const subjectEvents = async () => (await store.readStream(subjectStreamId(STUDY_ID, 'S001'))).map((e) => toRecorded(e) as unknown as RecordedSubjectEvent);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-deviation-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await run(registerStudy(), as(ADMIN, { source: 'cli' }));
    await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility()));
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
    await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given cycle 2 recorded off window (2026-02-10, due 02-03 ± 3), when its date is corrected to 2026-02-04, then the correction and the void of its deviation are one append and the deviation is gone from the current casebook', async () => {
    const dosed = await run(subjectCommand('RecordDose', dose(2, '2026-02-10')), as(COORDINATOR));
    const [doseEvent, deviation] = dosed.events;
    expect(deviation.type).toBe('ProtocolDeviationDetected');

    const corrected = await run(subjectCommand('CorrectEntry', { targetEventId: doseEvent.eventId, changes: { administeredOn: '2026-02-04' }, reason: 'date mistyped' }), as(COORDINATOR));

    expect(corrected.events.map((e) => [e.type, e.data.targetEventId])).toEqual([
      ['EntryCorrected', doseEvent.eventId],
      ['EntryVoided', deviation.eventId],
    ]);
    const [correction, withdrawal] = corrected.events;
    expect(withdrawal.streamVersion).toBe(correction.streamVersion + 1);
    expect(withdrawal.metadata.correlationId).toBe(correction.metadata.correlationId);
    expect(withdrawal.data.reason).toContain(`correction of DoseAdministered ${doseEvent.eventId}`);
    const state = foldSubject(await subjectEvents());
    expect(state.facts.deviations).toEqual([]);
    expect(currentSubjectEntries(state).map((e) => e.eventId)).not.toContain(deviation.eventId);
    expect((await store.getEvent(deviation.eventId))!.type).toBe('ProtocolDeviationDetected');
  });

  it('given cycles 2 and 3 in window, when cycle 2 is corrected 3 days earlier, then cycle 3 (due from the corrected date) is detected off window in the same append', async () => {
    const dose2 = (await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR))).events[0];
    const dose3 = (await run(subjectCommand('RecordDose', dose(3, '2026-03-06')), as(COORDINATOR))).events;
    expect(dose3.map((e) => e.type)).toEqual(['DoseAdministered']);

    const corrected = await run(subjectCommand('CorrectEntry', { targetEventId: dose2.eventId, changes: { administeredOn: '2026-01-31' }, reason: 'chart says 31 Jan' }), as(COORDINATOR));

    expect(corrected.events.map((e) => e.type)).toEqual(['EntryCorrected', 'ProtocolDeviationDetected']);
    expect(corrected.events[1].data).toMatchObject({ category: 'dose-off-window', cycle: 3, relatedEventId: dose3[0].eventId });
    expect(foldSubject(await subjectEvents()).facts.deviations.map((d) => [d.category, d.cycle])).toEqual([['dose-off-window', 3]]);
  });

  it('given cycle 3 recorded after cycle 1 (skipped-cycle: cycle 2 without a record), when cycle 2 is entered late, then the skipped-cycle deviation is withdrawn in the same append; voiding that dose brings it back', async () => {
    const dose3 = (await run(subjectCommand('RecordDose', dose(3, '2026-03-03')), as(COORDINATOR))).events;
    expect(dose3.map((e) => [e.type, e.data.category])).toEqual([['DoseAdministered', undefined], ['ProtocolDeviationDetected', 'skipped-cycle']]);

    const late = await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR));

    expect(late.events.map((e) => [e.type, e.data.targetEventId])).toEqual([
      ['DoseAdministered', undefined],
      ['EntryVoided', dose3[1].eventId],
    ]);
    expect(late.events[1].data.reason).toContain('late entry of cycle 2');
    expect(foldSubject(await subjectEvents()).facts.deviations).toEqual([]);

    const voided = await run(subjectCommand('VoidEntry', { targetEventId: late.events[0].eventId, reason: 'entered on the wrong subject' }), as(COORDINATOR));
    expect(voided.events.map((e) => e.type)).toEqual(['EntryVoided', 'ProtocolDeviationDetected']);
    expect(voided.events[1].data).toMatchObject({ category: 'skipped-cycle', cycle: 3, relatedEventId: dose3[0].eventId });
  });

  it('given cycle 3 recorded in its window counted from cycle 1 (2026-03-05, due 03-03 ± 3), when cycle 2 is entered late on 2026-01-31, then cycle 3, now due 02-28 ± 3, is detected off window in the same append; voiding the late dose withdraws that and brings the skipped cycle back', async () => {
    const dose3 = (await run(subjectCommand('RecordDose', dose(3, '2026-03-05')), as(COORDINATOR))).events;
    expect(dose3.map((e) => [e.type, e.data.category])).toEqual([['DoseAdministered', undefined], ['ProtocolDeviationDetected', 'skipped-cycle']]);

    const late = await run(subjectCommand('RecordDose', dose(2, '2026-01-31')), as(COORDINATOR));

    expect(late.events.map((e) => [e.type, e.data.targetEventId ?? e.data.category])).toEqual([
      ['DoseAdministered', undefined],
      ['EntryVoided', dose3[1].eventId],
      ['ProtocolDeviationDetected', 'dose-off-window'],
    ]);
    expect(late.events[2].data).toMatchObject({ cycle: 3, relatedEventId: dose3[0].eventId, deviationDate: '2026-03-05' });
    expect(late.events[2].data.description).toContain('2026-02-25–2026-03-03');
    expect(foldSubject(await subjectEvents()).facts.deviations.map((d) => [d.category, d.cycle])).toEqual([['dose-off-window', 3]]);

    const voided = await run(subjectCommand('VoidEntry', { targetEventId: late.events[0].eventId, reason: 'entered on the wrong subject' }), as(COORDINATOR));
    expect(voided.events.map((e) => [e.type, e.data.targetEventId ?? e.data.category])).toEqual([
      ['EntryVoided', late.events[0].eventId],
      ['EntryVoided', late.events[2].eventId],
      ['ProtocolDeviationDetected', 'skipped-cycle'],
    ]);
  });

  it('given cycle 3 recorded off its window counted from cycle 1 (2026-03-08, due 03-03 ± 3), when cycle 2 is entered late on 2026-02-06, then the off-window deviation of cycle 3, in its window due 03-06 ± 3, is withdrawn with the skipped cycle in the same append', async () => {
    const dose3 = (await run(subjectCommand('RecordDose', dose(3, '2026-03-08')), as(COORDINATOR))).events;
    expect(dose3.map((e) => e.data.category)).toEqual([undefined, 'dose-off-window', 'skipped-cycle']);

    const late = await run(subjectCommand('RecordDose', dose(2, '2026-02-06')), as(COORDINATOR));

    expect(late.events.map((e) => [e.type, e.data.targetEventId])).toEqual([
      ['DoseAdministered', undefined],
      ['EntryVoided', dose3[1].eventId],
      ['EntryVoided', dose3[2].eventId],
    ]);
    expect(late.events[1].data.reason).toContain('late entry of cycle 2');
    expect(foldSubject(await subjectEvents()).facts.deviations).toEqual([]);
  });

  it('given cycle 4 recorded after cycle 1 (cycles 2 and 3 skipped), when only cycle 3 is entered late (a missed dose), then the skipped-cycle deviation stays: cycle 2 still has no record', async () => {
    await run(subjectCommand('RecordDose', dose(4, '2026-03-31')), as(COORDINATOR));
    const late = await run(subjectCommand('RecordMissedDose', { cycle: 3, dueOn: '2026-03-03', reason: 'patient travelling' }), as(COORDINATOR));
    expect(late.events.map((e) => e.type)).toEqual(['DoseMissed', 'ProtocolDeviationDetected']);
    expect(foldSubject(await subjectEvents()).facts.deviations.map((d) => [d.category, d.cycle])).toEqual([['skipped-cycle', 4], ['missed-dose', 3]]);
  });

  it('given a baseline with two follow-ups, when the baseline is voided, then each follow-up gets its missing-baseline-assessment deviation in the same append; entering the baseline again withdraws both', async () => {
    const baselineId = (await subjectEvents()).find((e) => e.type === 'TumorAssessmentRecorded')!.eventId;
    const first = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)), as(COORDINATOR))).events;
    const second = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-06-22', 26, 16)), as(COORDINATOR))).events;
    expect([...first, ...second].map((e) => e.type)).toEqual(['TumorAssessmentRecorded', 'TumorAssessmentRecorded']);

    const voided = await run(subjectCommand('VoidEntry', { targetEventId: baselineId, reason: 'scan of another patient' }), as(COORDINATOR));

    expect(voided.events.map((e) => [e.type, e.data.targetEventId ?? e.data.category])).toEqual([
      ['EntryVoided', baselineId],
      ['ProtocolDeviationDetected', 'missing-baseline-assessment'],
      ['ProtocolDeviationDetected', 'missing-baseline-assessment'],
    ]);
    expect(voided.events.slice(1).map((e) => [e.data.deviationDate, e.data.relatedEventId, e.data.severity])).toEqual([
      ['2026-03-30', first[0].eventId, 'major'],
      ['2026-06-22', second[0].eventId, 'major'],
    ]);
    expect(new Set(voided.events.map((e) => e.metadata.correlationId)).size).toBe(1);

    const reentered = await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    expect(reentered.events.map((e) => [e.type, e.data.targetEventId])).toEqual([
      ['TumorAssessmentRecorded', undefined],
      ['EntryVoided', voided.events[1].eventId],
      ['EntryVoided', voided.events[2].eventId],
    ]);
    expect(foldSubject(await subjectEvents()).facts.deviations).toEqual([]);
  });

  it('given two follow-ups without a baseline and a baseline entered late between them (withdrawing the second one\'s deviation), when that baseline is voided, then the second follow-up gets its deviation back, the first keeps the one on record and the baseline\'s window deviation is withdrawn', async () => {
    const baselineId = (await subjectEvents()).find((e) => e.type === 'TumorAssessmentRecorded')!.eventId;
    await run(subjectCommand('VoidEntry', { targetEventId: baselineId, reason: 'scan of another patient' }), as(COORDINATOR));
    const early = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-01-20', 30, 20)), as(COORDINATOR))).events;
    const second = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)), as(COORDINATOR))).events;
    // The early follow-up, on day 15, is off the assessment schedule too (visit 1 is due on day 84 ± 7).
    expect([...early, ...second].map((e) => e.data.category)).toEqual([undefined, 'missing-baseline-assessment', 'assessment-out-of-window', undefined, 'missing-baseline-assessment']);
    const late = (await run(subjectCommand('RecordTumorAssessment', baselineAssessment({ assessmentDate: '2026-02-01' })), as(COORDINATOR))).events;
    expect(late.map((e) => [e.type, e.data.category ?? e.data.targetEventId])).toEqual([
      ['TumorAssessmentRecorded', undefined],
      ['ProtocolDeviationDetected', 'baseline-out-of-window'],
      ['EntryVoided', second[1].eventId],
    ]);

    const voided = await run(subjectCommand('VoidEntry', { targetEventId: late[0].eventId, reason: 'scan of another patient' }), as(COORDINATOR));

    // The voided scan takes its own baseline-out-of-window deviation with it.
    expect(voided.events.map((e) => [e.type, e.data.relatedEventId ?? e.data.targetEventId])).toEqual([
      ['EntryVoided', late[0].eventId],
      ['EntryVoided', late[1].eventId],
      ['ProtocolDeviationDetected', second[0].eventId],
    ]);
    expect(foldSubject(await subjectEvents()).facts.deviations.map((d) => [d.category, d.date])).toEqual([
      ['missing-baseline-assessment', '2026-01-20'],
      ['assessment-out-of-window', '2026-01-20'],
      ['missing-baseline-assessment', '2026-03-30'],
    ]);
  });

  it('given S001 enrolled on 2026-01-05, when the enrollment date is corrected, then the subject stream and the study roster are corrected in one append (it used to be refused, ENROLLMENT.DATE_NOT_CORRECTABLE)', async () => {
    const enrolledId = (await subjectEvents()).find((e) => e.type === 'SubjectEnrolled')!.eventId;
    const head = await store.head();
    await run(subjectCommand('CorrectEntry', { targetEventId: enrolledId, changes: { enrollmentDate: '2026-01-04' }, reason: 'typo' }));
    const written: string[][] = [];
    for await (const e of store.readAll({ afterPosition: head.position })) written.push([e.streamId, e.type]);
    expect(written).toEqual([
      [subjectStreamId(STUDY_ID, 'S001'), 'EntryCorrected'],
      [studyStreamId(STUDY_ID), 'RosterEnrollmentDateCorrected'],
    ]);
    const roster = foldStudy((await store.readStream(studyStreamId(STUDY_ID))).map((e) => ({ type: e.type, data: e.data })) as never);
    expect(roster.status !== 'unregistered' && roster.roster.map((line) => line.enrollmentDate)).toEqual(['2026-01-04']);
  });
});
