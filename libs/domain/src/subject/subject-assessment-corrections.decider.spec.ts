import { eligibleHistory, enrolledHistory, History, subjectSpec } from './testing/decider-spec';
import { baselineAssessment, COORDINATOR, dose, followUp, meta, subjectCommand } from './testing/subject.fixtures';

const correct = (targetEventId: string, changes: Record<string, unknown>, reason = 'transcription error') => subjectCommand('CorrectEntry', { targetEventId, changes, reason });
const voidEntry = (targetEventId: string, reason = 'entered in error') => subjectCommand('VoidEntry', { targetEventId, reason });
const assess = (payload: ReturnType<typeof followUp>) => subjectCommand('RecordTumorAssessment', payload);

/** Enrolled on 2026-01-05 without baseline imaging on record. */
const enrolledWithoutBaseline = (): History => eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' }));

const missingBaseline = (events: readonly { type: string; data: unknown }[]): Array<[string, string | null]> =>
  events
    .filter((e) => e.type === 'ProtocolDeviationDetected' && (e.data as { category: string }).category === 'missing-baseline-assessment')
    .map((e) => [(e.data as { deviationDate: string }).deviationDate, (e.data as { relatedEventId?: string }).relatedEventId ?? null]);

const withdrawnIds = (events: readonly { type: string; data: unknown }[]): string[] =>
  events.filter((e) => e.type === 'EntryVoided').map((e) => (e.data as { targetEventId: string }).targetEventId);

/** The live missing-baseline deviations of a subject, as the casebook holds them. */
const standing = (h: History): string[] =>
  h.state().subject.facts.deviations.filter((d) => d.category === 'missing-baseline-assessment').map((d) => d.date);

describe('missing-baseline-assessment after a correction of a tumour assessment', () => {
  it('given a baseline dated 2026-01-06 and a follow-up of 2026-03-30, when the baseline flag is corrected to false, then both scans get their missing-baseline deviation in the same append, each related to its scan', () => {
    const h = enrolledWithoutBaseline().run(assess(baselineAssessment({ assessmentDate: '2026-01-06' })), meta(COORDINATOR)).run(assess(followUp('2026-03-30', 21, 14)));
    const baselineId = h.idOf('TumorAssessmentRecorded', 1);
    const followUpId = h.idOf('TumorAssessmentRecorded', 2);
    const decision = subjectSpec.given(h.all()).when(correct(baselineId, { baseline: false })).result();
    expect(decision.subject[0]).toMatchObject({ type: 'EntryCorrected', data: { before: { baseline: true }, after: { baseline: false } } });
    expect(missingBaseline(decision.subject)).toEqual([
      ['2026-01-06', baselineId],
      ['2026-03-30', followUpId],
    ]);
    h.run(correct(baselineId, { baseline: false }));
    expect(standing(h)).toEqual(['2026-01-06', '2026-03-30']);
  });
  it('given a follow-up recorded without a baseline and the baseline entered late (its deviation withdrawn), when the baseline flag is corrected to false, then the follow-up gets its deviation back, related to it', () => {
    const h = enrolledWithoutBaseline().run(assess(followUp('2026-03-30', 21, 14)));
    const followUpId = h.idOf('TumorAssessmentRecorded');
    h.run(assess(baselineAssessment({ assessmentDate: '2026-01-06' })), meta(COORDINATOR));
    expect(standing(h)).toEqual([]);
    const baselineId = h.idOf('TumorAssessmentRecorded', 2);
    const decision = subjectSpec.given(h.all()).when(correct(baselineId, { baseline: false })).result();
    // In recording order: the follow-up, then the scan that was the baseline.
    expect(missingBaseline(decision.subject)).toEqual([
      ['2026-03-30', followUpId],
      ['2026-01-06', baselineId],
    ]);
  });
  it('given a follow-up recorded without a baseline (deviation on record), when its baseline flag is corrected to true, then its deviation is withdrawn in the same append', () => {
    const h = enrolledWithoutBaseline().run(assess(followUp('2026-01-20', 30, 20)));
    const deviationId = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('TumorAssessmentRecorded'), { baseline: true })).result();
    expect(withdrawnIds(decision.subject)).toContain(deviationId);
    expect(missingBaseline(decision.subject)).toEqual([]);
  });
  it('given a follow-up recorded without a baseline, when that follow-up is voided, then its missing-baseline deviation is withdrawn with it', () => {
    const h = enrolledWithoutBaseline().run(assess(followUp('2026-03-30', 21, 14)));
    const deviationId = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(voidEntry(h.idOf('TumorAssessmentRecorded'))).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('TumorAssessmentRecorded'), deviationId]);
  });
});

describe('missing-baseline deviations are matched to the follow-up they concern, not by date', () => {
  /** A follow-up recorded on 2026-02-10 without a baseline, its date then corrected to 2026-02-20 (the deviation is restated, dated 02-20). */
  const correctedFollowUp = (): History => {
    const h = enrolledWithoutBaseline().run(assess(followUp('2026-02-10', 30, 20)));
    return h.run(correct(h.idOf('TumorAssessmentRecorded'), { assessmentDate: '2026-02-20' }));
  };
  it('given that follow-up, when a baseline dated 2026-02-15 is entered late, then the follow-up (now after it) has its deviation withdrawn', () => {
    const h = correctedFollowUp();
    // The restated missing-baseline deviation (the follow-up, on day 46, is off the assessment schedule too).
    const deviationId = h.state().subject.entries.filter((e) => e.current.type === 'ProtocolDeviationDetected' && e.current.data.category === 'missing-baseline-assessment').at(-1)!.eventId;
    const decision = subjectSpec.given(h.all()).when(assess(baselineAssessment({ assessmentDate: '2026-02-15' }))).result();
    expect(withdrawnIds(decision.subject)).toEqual([deviationId]);
  });
  it('given a follow-up dated 2026-03-30 recorded without a baseline, corrected to 2026-01-20, when a baseline dated 2026-02-01 is entered late, then its deviation stands (the follow-up is still before any baseline)', () => {
    const h = enrolledWithoutBaseline().run(assess(followUp('2026-03-30', 30, 20)));
    h.run(correct(h.idOf('TumorAssessmentRecorded'), { assessmentDate: '2026-01-20' }));
    const decision = subjectSpec.given(h.all()).when(assess(baselineAssessment({ assessmentDate: '2026-02-01' }))).result();
    expect(withdrawnIds(decision.subject)).toEqual([]);
  });
  it('given the corrected follow-up, a baseline of 2026-01-06 entered late and a follow-up of 2026-03-30, when the baseline is voided, then only the 03-30 follow-up gets a deviation (the corrected one keeps its own)', () => {
    const h = enrolledWithoutBaseline().run(assess(followUp('2026-02-10', 30, 20)));
    const first = h.idOf('TumorAssessmentRecorded');
    h.run(assess(baselineAssessment({ assessmentDate: '2026-01-06' })));
    // The late baseline withdrew the first follow-up's deviation; its date is then corrected.
    h.run(correct(first, { assessmentDate: '2026-02-20' })).run(assess(followUp('2026-03-30', 21, 14)));
    const baselineId = h.idOf('TumorAssessmentRecorded', 2);
    const decision = subjectSpec.given(h.all()).when(voidEntry(baselineId)).result();
    expect(missingBaseline(decision.subject)).toEqual([
      ['2026-02-20', first],
      ['2026-03-30', h.idOf('TumorAssessmentRecorded', 3)],
    ]);
  });
  it('given a follow-up of 2026-03-30 without a baseline corrected to 01-20 (its deviation restated, dated 01-20), a baseline of 02-01 entered late and a follow-up of 03-30, when the baseline is voided, then the 03-30 follow-up gets a deviation and the 01-20 one no second one', () => {
    const h = enrolledWithoutBaseline().run(assess(followUp('2026-03-30', 30, 20)));
    h.run(correct(h.idOf('TumorAssessmentRecorded'), { assessmentDate: '2026-01-20' }));
    h.run(assess(baselineAssessment({ assessmentDate: '2026-02-01' }))).run(assess(followUp('2026-03-30', 21, 14)));
    const decision = subjectSpec.given(h.all()).when(voidEntry(h.idOf('TumorAssessmentRecorded', 2))).result();
    expect(missingBaseline(decision.subject)).toEqual([['2026-03-30', h.idOf('TumorAssessmentRecorded', 3)]]);
    h.run(voidEntry(h.idOf('TumorAssessmentRecorded', 2)));
    expect(standing(h)).toEqual(['2026-01-20', '2026-03-30']);
  });
});

describe('the dose window stored in a correction is the window as it stands', () => {
  it('given cycles 1–3 and cycle 2 corrected from 2026-02-03 to 02-05, when cycle 3\'s lot number is corrected, then before/after hold the lot number only (the window as it stands does not change)', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-03')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-03')), meta(COORDINATOR));
    h.run(correct(h.idOf('DoseAdministered', 2), { administeredOn: '2026-02-05' }));
    subjectSpec.given(h.all()).when(correct(h.idOf('DoseAdministered', 3), { lotNumber: 'LOT-9' })).thenMatches({
      subject: [{ type: 'EntryCorrected', data: { before: { lotNumber: 'LOT-1' }, after: { lotNumber: 'LOT-9' } } }],
    });
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('DoseAdministered', 3), { lotNumber: 'LOT-9' })).result();
    expect(Object.keys((decision.subject[0].data as { after: object }).after)).toEqual(['lotNumber']);
  });
  it('given cycles 1 and 3, then cycle 2 entered late on 2026-02-05, when cycle 3 is corrected to cycle 4, then before is cycle 3\'s window from cycle 2 and after cycle 4\'s from cycle 2', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-05')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-05')), meta(COORDINATOR));
    const [correction, ...deviations] = subjectSpec.given(h.all()).when(correct(h.idOf('DoseAdministered', 2), { cycle: 4 })).result().subject;
    expect(correction.data).toMatchObject({
      before: { cycle: 3, window: { dueOn: '2026-03-05', from: '2026-03-02', to: '2026-03-08' } },
      after: { cycle: 4, window: { dueOn: '2026-04-02', from: '2026-03-30', to: '2026-04-05' } },
    });
    // The off-window deviation the same correction detects is judged against that very window.
    expect(deviations[0].data).toMatchObject({ category: 'dose-off-window', description: expect.stringContaining('due 2026-04-02') });
  });
});

describe('baseline-out-of-window after a correction or void of the baseline', () => {
  const outOfWindow = (events: readonly { type: string; data: unknown }[]): Array<[string, string | null]> =>
    events
      .filter((e) => e.type === 'ProtocolDeviationDetected' && (e.data as { category: string }).category === 'baseline-out-of-window')
      .map((e) => [(e.data as { deviationDate: string }).deviationDate, (e.data as { relatedEventId?: string }).relatedEventId ?? null]);
  /** Enrolled on 2026-01-05, baseline imaging dated the day after (out of window, deviation on record). */
  const baselineAfterEnrollment = (): History => enrolledWithoutBaseline().run(assess(baselineAssessment({ assessmentDate: '2026-01-06' })), meta(COORDINATOR));

  it('given a baseline out of window, when its date is corrected into the window, then its deviation is withdrawn in the same append', () => {
    const h = baselineAfterEnrollment();
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('TumorAssessmentRecorded'), { assessmentDate: '2026-01-04' })).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('ProtocolDeviationDetected')]);
  });
  it('given a baseline out of window, when it is voided, then its deviation is withdrawn with it', () => {
    const h = baselineAfterEnrollment();
    const decision = subjectSpec.given(h.all()).when(voidEntry(h.idOf('TumorAssessmentRecorded'))).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('TumorAssessmentRecorded'), h.idOf('ProtocolDeviationDetected')]);
  });
  it('given a baseline out of window recorded before enrollment (its deviation recorded with the enrollment), when its date is corrected into the window, then that deviation is withdrawn', () => {
    const h = eligibleHistory().run(assess(baselineAssessment({ assessmentDate: '2025-11-20' })), meta(COORDINATOR)).run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' }));
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('TumorAssessmentRecorded'), { assessmentDate: '2026-01-02' })).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('ProtocolDeviationDetected')]);
  });
  it('given a baseline in window, when its date is corrected to 2025-11-01 (65 days before enrollment), then baseline-out-of-window is detected, related to the baseline', () => {
    const h = enrolledHistory();
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('TumorAssessmentRecorded'), { assessmentDate: '2025-11-01' })).result();
    expect(outOfWindow(decision.subject)).toEqual([['2026-01-05', h.idOf('TumorAssessmentRecorded')]]);
  });
  it('given a baseline out of window, when its flag is corrected to a follow-up, then the window deviation is withdrawn and missing-baseline detected', () => {
    const h = baselineAfterEnrollment();
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('TumorAssessmentRecorded'), { baseline: false })).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('ProtocolDeviationDetected')]);
    expect(missingBaseline(decision.subject)).toEqual([['2026-01-06', h.idOf('TumorAssessmentRecorded')]]);
  });
  it('given a baseline out of window, when its lot of lesions is corrected (date unchanged), then its deviation is untouched', () => {
    const h = baselineAfterEnrollment();
    const lesions = [{ lesionId: 'L1', organ: 'liver', diameterMm: 31, nodal: false }, { lesionId: 'L2', organ: 'liver', diameterMm: 20, nodal: false }];
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('TumorAssessmentRecorded'), { targetLesions: lesions })).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['EntryCorrected']);
  });
});

describe('a correction that would turn a later eligibility confirmation into a screen failure', () => {
  it('given S001 enrolled, eligibility confirmed on 2026-01-03, when screening and consent are corrected to 2026-01-04, then ENTRY.INVALIDATES_LATER_ENTRY naming the eligibility (consent would follow the assessment) and nothing is written', () => {
    const h = enrolledHistory();
    subjectSpec
      .given(h.all())
      .when(correct(h.idOf('SubjectScreened'), { screeningDate: '2026-01-04', consentDate: '2026-01-04' }), meta(COORDINATOR))
      .thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { laterEventId: h.idOf('EligibilityConfirmed'), laterType: 'EligibilityConfirmed', cause: 'ELIGIBILITY.OUTCOME_CHANGED', failedCriteria: ['consent-after-assessment'] });
  });
  it('given S001 eligible (not enrolled), when the consent is corrected after the eligibility assessment, then the same refusal', () => {
    const h = eligibleHistory();
    subjectSpec
      .given(h.all())
      .when(correct(h.idOf('SubjectScreened'), { screeningDate: '2026-01-04', consentDate: '2026-01-04' }), meta(COORDINATOR))
      .thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { laterType: 'EligibilityConfirmed', cause: 'ELIGIBILITY.OUTCOME_CHANGED' });
  });
  it('given S001 eligible, when the consent is corrected one day earlier, then the correction is recorded (the confirmation still holds)', () => {
    const h = eligibleHistory();
    subjectSpec.given(h.all()).when(correct(h.idOf('SubjectScreened'), { consentDate: '2026-01-01' }), meta(COORDINATOR)).thenMatches({ subject: [{ type: 'EntryCorrected' }] });
  });
});
