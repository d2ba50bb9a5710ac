import { loadDefaultProtocol } from '../protocol/protocol.validate';
import { currentSubjectEntries } from './subject.decider';
import { eligibleHistory, enrolledHistory, History, screenedHistory, subjectSpec } from './testing/decider-spec';
import { baselineAssessment, COORDINATOR, dose, eligibility, followUp, INVESTIGATOR, meta, MONITOR, subjectCommand } from './testing/subject.fixtures';

const correct = (target: { targetEventId?: string; targetIdempotencyKey?: string }, changes: Record<string, unknown>, reason = 'transcription error') =>
  subjectCommand('CorrectEntry', { ...target, changes, reason });
const voidEntry = (target: { targetEventId?: string; targetIdempotencyKey?: string }, reason = 'entered in error') => subjectCommand('VoidEntry', { ...target, reason });

/** Enrolled 2026-01-05, cycle 1 on 2026-01-06 (key dose-1), cycle 2 on 2026-02-03. */
const dosed = (): History =>
  enrolledHistory()
    .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR), { idempotencyKey: 'dose-1' })
    .run(subjectCommand('RecordDose', dose(2, '2026-02-03')), meta(COORDINATOR));

describe('CorrectEntry', () => {
  it('given cycle 2 on 2026-02-03, when its date is corrected to 2026-02-04, then EntryCorrected with before/after of the changed fields (window unchanged)', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-02-04' }), meta(COORDINATOR)).then({
      subject: [{
        type: 'EntryCorrected',
        data: { targetEventId: h.idOf('DoseAdministered', 2), targetType: 'DoseAdministered', before: { administeredOn: '2026-02-03' }, after: { administeredOn: '2026-02-04' }, reason: 'transcription error' },
      }],
      study: [],
    });
  });
  it.each([
    ['a correction', (target: { targetEventId: string; targetIdempotencyKey: string }) => correct(target, { lotNumber: 'LOT-9' })],
    ['a void', (target: { targetEventId: string; targetIdempotencyKey: string }) => voidEntry(target)],
  ])('given %s naming cycle 2 by its event id and cycle 1 by its key, then VALIDATION.FAILED (alternatives, as the API says), not the event id silently', (_what, command) => {
    const h = dosed();
    subjectSpec.given(h.all()).when(command({ targetEventId: h.idOf('DoseAdministered', 2), targetIdempotencyKey: 'dose-1' }), meta(COORDINATOR)).thenErrorWith('VALIDATION.FAILED', { fields: ['targetEventId', 'targetIdempotencyKey'] });
  });
  it('given cycle 1 written with idempotency key dose-1, when corrected by that key, then the dose (not its deviation) is the target', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetIdempotencyKey: 'dose-1' }, { lotNumber: 'LOT-9' })).thenMatches({
      subject: [{ data: { targetEventId: h.idOf('DoseAdministered', 1), before: { lotNumber: 'LOT-1' }, after: { lotNumber: 'LOT-9' } } }],
    });
  });
  it('given cycle 2 in window, when its date is corrected out of window, then the revealed deviation is recorded with the correction', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-02-10' })).thenMatches({
      subject: [{ type: 'EntryCorrected' }, { type: 'ProtocolDeviationDetected', data: { category: 'dose-off-window', cycle: 2, relatedEventId: h.idOf('DoseAdministered', 2) } }],
    });
  });
  it('given a correction of cycle 2, when it is corrected again through the correction\'s id, then the latest values win', () => {
    const h = dosed();
    const target = h.idOf('DoseAdministered', 2);
    h.run(correct({ targetEventId: target }, { administeredOn: '2026-02-04' }));
    const correctionId = h.idOf('EntryCorrected');
    subjectSpec.given(h.all()).when(correct({ targetEventId: correctionId }, { administeredOn: '2026-02-05' })).thenMatches({
      subject: [{ data: { targetEventId: target, before: { administeredOn: '2026-02-04' }, after: { administeredOn: '2026-02-05' } } }],
    });
    h.run(correct({ targetEventId: correctionId }, { administeredOn: '2026-02-05' }));
    const entry = currentSubjectEntries(h.state().subject).find((e) => e.eventId === target)!;
    expect(entry.current.data).toMatchObject({ administeredOn: '2026-02-05' });
    expect(entry.recorded.data).toMatchObject({ administeredOn: '2026-02-03' });
    expect(entry.corrections.map((c) => c.after)).toEqual([{ administeredOn: '2026-02-04' }, { administeredOn: '2026-02-05' }]);
  });
  it('given baseline 30 + 20 mm and a follow-up of 21 + 14 mm (PR), when the baseline L1 is corrected to 40 mm, then its SOD is re-derived and the follow-up is re-evaluated', () => {
    const h = enrolledHistory().run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)));
    const baselineId = h.idOf('TumorAssessmentRecorded', 1);
    const lesions = [{ lesionId: 'L1', organ: 'liver', diameterMm: 40, nodal: false }, { lesionId: 'L2', organ: 'liver', diameterMm: 20, nodal: false }];
    subjectSpec.given(h.all()).when(correct({ targetEventId: baselineId }, { targetLesions: lesions })).thenMatches({
      subject: [{ data: { before: { sumOfDiametersMm: 50 }, after: { targetLesions: lesions, sumOfDiametersMm: 60 } } }],
    });
    h.run(correct({ targetEventId: baselineId }, { targetLesions: lesions }));
    const followUpEntry = currentSubjectEntries(h.state().subject).find((e) => e.eventId === h.idOf('TumorAssessmentRecorded', 2))!;
    // 35 mm is now 41.7 % below the corrected baseline of 60 mm: still PR.
    expect(followUpEntry.current.data).toMatchObject({ sumOfDiametersMm: 35, targetResponse: 'PR' });
  });
  it('given a follow-up of 21 + 14 mm (PR), when L1 is corrected to 31 mm, then SOD 45 mm and SD are re-derived', () => {
    const h = enrolledHistory().run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)));
    const id = h.idOf('TumorAssessmentRecorded', 2);
    subjectSpec.given(h.all()).when(correct({ targetEventId: id }, { targetLesions: followUp('2026-03-30', 31, 14).targetLesions })).thenMatches({
      subject: [{ data: { before: { sumOfDiametersMm: 35, targetResponse: 'PR', overallResponse: 'PR' }, after: { sumOfDiametersMm: 45, targetResponse: 'SD', overallResponse: 'SD' } } }],
    });
  });
  it('given S001 screen-failed on age 17, when the age is corrected to 71, then the outcome becomes EligibilityConfirmed', () => {
    const h = screenedHistory().run(subjectCommand('AssessEligibility', eligibility({ age: 17 })));
    const id = h.idOf('SubjectScreenFailed');
    subjectSpec.given(h.all()).when(correct({ targetEventId: id }, { age: 71 })).thenMatches({
      subject: [{ data: { before: { age: 17, failedCriteria: ['age-below-minimum'] }, after: { age: 71, failedCriteria: [] }, resultingType: 'EligibilityConfirmed' } }],
    });
    h.run(correct({ targetEventId: id }, { age: 71 }));
    expect(h.state().subject.status).toBe('eligible');
  });
  it('given S001 enrolled, when the eligibility age is corrected to 17, then ENTRY.INVALIDATES_LATER_ENTRY (the baseline and enrollment would no longer hold)', () => {
    const h = enrolledHistory();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('EligibilityConfirmed') }, { age: 17 })).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'SUBJECT.NOT_ELIGIBLE' });
  });
  it('given S001 enrolled, when the birth year is corrected to 2010, then ENTRY.INVALIDATES_LATER_ENTRY (the confirmed eligibility would fail on age-below-minimum)', () => {
    const h = enrolledHistory();
    subjectSpec
      .given(h.all())
      .when(correct({ targetEventId: h.idOf('SubjectScreened') }, { birthYear: 2010 }), meta(COORDINATOR))
      .thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'ELIGIBILITY.OUTCOME_CHANGED', failedCriteria: ['age-below-minimum'] });
  });
  it('given S001 enrolled on 2026-01-05, when the screening date is corrected to 2026-01-06, then ENTRY.INVALIDATES_LATER_ENTRY (the enrollment would precede screening)', () => {
    const h = enrolledHistory();
    subjectSpec
      .given(h.all())
      .when(correct({ targetEventId: h.idOf('SubjectScreened') }, { screeningDate: '2026-01-06' }), meta(COORDINATOR))
      .thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'ENROLLMENT.BEFORE_SCREENING' });
  });
  it('given doses from 2026-01-06, when the enrollment date is corrected to 2026-01-10, then ENTRY.INVALIDATES_LATER_ENTRY (cycle 1 would precede the enrollment), as entering that date would refuse the dose', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('SubjectEnrolled') }, { enrollmentDate: '2026-01-10' })).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'DOSE.BEFORE_ENROLLMENT' });
  });
  it('given S001 enrolled without doses, when the enrollment date is corrected one day earlier, then EntryCorrected and the study roster\'s line corrected in the same append (it used to be refused, ENROLLMENT.DATE_NOT_CORRECTABLE)', () => {
    const h = enrolledHistory();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('SubjectEnrolled') }, { enrollmentDate: '2026-01-04' })).then({
      subject: [{ type: 'EntryCorrected', data: { targetEventId: h.idOf('SubjectEnrolled'), targetType: 'SubjectEnrolled', before: { enrollmentDate: '2026-01-05' }, after: { enrollmentDate: '2026-01-04' }, reason: 'transcription error' } }],
      study: [{ type: 'RosterEnrollmentDateCorrected', data: { subjectId: 'S001', subjectNumber: 1, enrollmentDate: '2026-01-04' } }],
    });
  });
  it('given S001 enrolled on 2026-01-05, when the enrollment date is "corrected" to 2026-01-05, then ENTRY.NO_CHANGE (not a roster change)', () => {
    const h = enrolledHistory();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('SubjectEnrolled') }, { enrollmentDate: '2026-01-05' })).thenError('ENTRY.NO_CHANGE');
  });
  it('given S001 screened, when the consent date is corrected after the screening date, then the original rule refuses it (SCREENING.CONSENT_AFTER_SCREENING)', () => {
    const h = screenedHistory();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('SubjectScreened') }, { consentDate: '2026-01-03' })).thenError('SCREENING.CONSENT_AFTER_SCREENING');
  });
  it('given a dose, when the correction has no reason, then VALIDATION.REASON_REQUIRED', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered') }, { lotNumber: 'X' }, '')).thenError('VALIDATION.REASON_REQUIRED', 'validation');
  });
  it('given a dose, when the reason for the change is made only of invisible characters (zero-width spaces, a word joiner), then VALIDATION.REASON_REQUIRED', () => {
    const h = dosed();
    for (const reason of ['\u200b'.repeat(12), '\u2060\u200c\u200d\u00ad\ufeff\u3164\u2800']) {
      subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered') }, { lotNumber: 'X' }, reason)).thenError('VALIDATION.REASON_REQUIRED', 'validation');
      subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('DoseAdministered') }, reason)).thenError('VALIDATION.REASON_REQUIRED', 'validation');
    }
  });
  it('given a dose, when the correction names an unknown event, then ENTRY.NOT_FOUND', () =>
    subjectSpec.given(dosed().all()).when(correct({ targetEventId: 'no-such-event' }, { lotNumber: 'X' })).thenError('ENTRY.NOT_FOUND', 'not-found'));
  it('given a voided dose, when it is corrected, then ENTRY.VOIDED', () => {
    const h = dosed();
    h.run(voidEntry({ targetEventId: h.idOf('DoseAdministered', 2) }));
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { lotNumber: 'X' })).thenError('ENTRY.VOIDED');
  });
  it('given a detected deviation, when it is corrected, then ENTRY.NOT_CORRECTABLE (void it instead)', () => {
    const h = enrolledHistory().run(subjectCommand('RecordDose', dose(1, '2026-01-20')));
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('ProtocolDeviationDetected') }, { severity: 'major' })).thenError('ENTRY.NOT_CORRECTABLE');
  });
  it('given a dose, when a derived field (window) is corrected, then ENTRY.FIELD_NOT_CORRECTABLE', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered') }, { window: {} })).thenError('ENTRY.FIELD_NOT_CORRECTABLE', 'validation');
  });
  it('given a dose with lot LOT-1, when corrected to LOT-1, then ENTRY.NO_CHANGE', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered') }, { lotNumber: 'LOT-1' })).thenError('ENTRY.NO_CHANGE');
  });
  it('given an eligibility assessment (investigator only), when a coordinator corrects it, then AUTH.ROLE_NOT_ALLOWED', () => {
    const h = eligibleHistory();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('EligibilityConfirmed') }, { ecog: 0 }), meta(COORDINATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden');
  });
  it('given S001 enrolled, when a coordinator corrects the enrollment date or voids the eligibility assessment, then the refusal reads as a correction or a void of that entry, not as the entry itself', () => {
    const words = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    const h = enrolledHistory();
    expect(words(() => subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('SubjectEnrolled') }, { enrollmentDate: '2026-01-04' }), meta(COORDINATOR)).result())).toBe(
      'A coordinator may not correct an enrollment (allowed: investigator)',
    );
    const e = eligibleHistory();
    expect(words(() => subjectSpec.given(e.all()).when(voidEntry({ targetEventId: e.idOf('EligibilityConfirmed') }), meta(COORDINATOR)).result())).toBe(
      'A coordinator may not void an eligibility assessment (allowed: investigator)',
    );
  });
  it('given a dose, when a monitor corrects it, then AUTH.ROLE_NOT_ALLOWED', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered') }, { lotNumber: 'X' }), meta(MONITOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden');
  });
  it('given a dose, when the correction names no target, then VALIDATION.REQUIRED', () =>
    subjectSpec.given(dosed().all()).when(correct({}, { lotNumber: 'X' })).thenError('VALIDATION.REQUIRED'));
});

describe('VoidEntry', () => {
  it('given cycle 2, when voided, then EntryVoided and the cycle can be recorded again', () => {
    const h = dosed();
    const id = h.idOf('DoseAdministered', 2);
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: id })).then({ subject: [{ type: 'EntryVoided', data: { targetEventId: id, targetType: 'DoseAdministered', reason: 'entered in error' } }], study: [] });
    h.run(voidEntry({ targetEventId: id }));
    subjectSpec.given(h.all()).when(subjectCommand('RecordDose', dose(2, '2026-02-04'))).thenMatches({ subject: [{ type: 'DoseAdministered', data: { cycle: 2 } }] });
    expect(currentSubjectEntries(h.state().subject).map((e) => e.eventId)).not.toContain(id);
  });
  it('given a voided entry, when voided again, then ENTRY.VOIDED', () => {
    const h = dosed();
    h.run(voidEntry({ targetEventId: h.idOf('DoseAdministered', 2) }));
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('DoseAdministered', 2) })).thenError('ENTRY.VOIDED');
  });
  it('given an enrollment, when voided, then ENTRY.NOT_VOIDABLE (subject numbers are never reused)', () => {
    const h = enrolledHistory();
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('SubjectEnrolled') })).thenError('ENTRY.NOT_VOIDABLE');
  });
  it('given a correction, when the correction itself is voided, then ENTRY.NOT_VOIDABLE', () => {
    const h = dosed();
    h.run(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { lotNumber: 'LOT-2' }));
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('EntryCorrected') })).thenError('ENTRY.NOT_VOIDABLE');
  });
  it('given a baseline with a follow-up, when the baseline is voided, then the follow-up stays on record, no longer evaluable', () => {
    const h = enrolledHistory().run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)));
    h.run(voidEntry({ targetEventId: h.idOf('TumorAssessmentRecorded', 1) }));
    expect(h.state().subject.facts.recist).toBeNull();
    expect(h.state().subject.facts.assessments).toEqual([expect.objectContaining({ assessmentDate: '2026-03-30', baseline: false, overallResponse: 'NE' })]);
  });
  it('given a death, when voided, then the subject is enrolled again', () => {
    const h = enrolledHistory().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'x' }));
    h.run(voidEntry({ targetEventId: h.idOf('SubjectDied') }, 'wrong subject'));
    expect(h.state().subject.status).toBe('enrolled');
  });
  it('given a dose, when the void has no reason, then VALIDATION.REASON_REQUIRED', () => {
    const h = dosed();
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('DoseAdministered') }, ' ')).thenError('VALIDATION.REASON_REQUIRED');
  });
  it('given an eligibility assessment, when a coordinator voids it, then AUTH.ROLE_NOT_ALLOWED', () => {
    const h = eligibleHistory();
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('EligibilityConfirmed') }), meta(COORDINATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden');
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('EligibilityConfirmed') }), meta(INVESTIGATOR)).thenMatches({ subject: [{ type: 'EntryVoided' }] });
  });
});

/**
 * Detected deviations follow corrections and voids of doses. Enrolled 2026-01-05; cycle 1 on 2026-01-06,
 * so cycle 2 is due 2026-02-03 (window 01-31–02-06) and cycle n+1 is due at cycle n's date + 28 ± 3.
 */
describe('detected deviations after a correction or a void', () => {
  const offWindowCycle2 = (): History =>
    enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-10')), meta(COORDINATOR));
  const deviationIds = (h: History): string[] => h.state().subject.facts.deviations.map((d) => d.eventId);

  it('given cycle 2 off window with its deviation, when its date is corrected into the window, then the deviation is voided in the same decision', () => {
    const h = offWindowCycle2();
    const doseId = h.idOf('DoseAdministered', 2);
    const deviationId = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(correct({ targetEventId: doseId }, { administeredOn: '2026-02-04' })).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['EntryCorrected', 'EntryVoided']);
    expect(decision.subject[1].data).toEqual({
      targetEventId: deviationId,
      targetType: 'ProtocolDeviationDetected',
      reason: `No longer a deviation after the correction of DoseAdministered ${doseId} (transcription error)`,
    });
    h.run(correct({ targetEventId: doseId }, { administeredOn: '2026-02-04' }));
    expect(deviationIds(h)).toEqual([]);
    expect(currentSubjectEntries(h.state().subject).map((e) => e.eventId)).not.toContain(deviationId);
  });
  it('given cycle 3 off window only because cycle 2 was early, when cycle 2 is corrected later (now off window itself), then cycle 3\'s deviation is voided and cycle 2\'s is detected', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-03')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-10')), meta(COORDINATOR));
    const cycle3Deviation = h.idOf('ProtocolDeviationDetected');
    const dose2 = h.idOf('DoseAdministered', 2);
    subjectSpec.given(h.all()).when(correct({ targetEventId: dose2 }, { administeredOn: '2026-02-09' })).thenMatches({
      subject: [
        { type: 'EntryCorrected', data: { targetEventId: dose2 } },
        { type: 'EntryVoided', data: { targetEventId: cycle3Deviation, targetType: 'ProtocolDeviationDetected' } },
        { type: 'ProtocolDeviationDetected', data: { category: 'dose-off-window', cycle: 2, relatedEventId: dose2, deviationDate: '2026-02-09' } },
      ],
    });
    h.run(correct({ targetEventId: dose2 }, { administeredOn: '2026-02-09' }));
    expect(h.state().subject.facts.deviations.map((d) => [d.category, d.cycle])).toEqual([['dose-off-window', 2]]);
  });
  it('given cycle 3 in window at cycle 2 + 31 days, when cycle 2 is corrected 3 days earlier, then cycle 3 is now off window and its deviation is detected, related to cycle 3', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-03')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-06')), meta(COORDINATOR));
    expect(deviationIds(h)).toEqual([]);
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-01-31' })).thenMatches({
      subject: [
        { type: 'EntryCorrected' },
        { type: 'ProtocolDeviationDetected', data: { category: 'dose-off-window', cycle: 3, relatedEventId: h.idOf('DoseAdministered', 3), description: expect.stringContaining('2026-02-25–2026-03-03') } },
      ],
    });
  });
  it('given cycle 2 off window, when its lot number is corrected, then only EntryCorrected (the deviation still holds)', () => {
    const h = offWindowCycle2();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { lotNumber: 'LOT-7' })).thenMatches({ subject: [{ type: 'EntryCorrected' }] });
    expect(subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { lotNumber: 'LOT-7' })).result().subject).toHaveLength(1);
  });
  it('given cycle 2 off window by 4 days, when corrected to 5 days off, then the deviation is restated as the dose now reads (it used to stay on record saying 4 days)', () => {
    const h = offWindowCycle2();
    const stale = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-02-11' })).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['EntryCorrected', 'EntryVoided', 'ProtocolDeviationDetected']);
    expect(decision.subject[1].data).toMatchObject({ targetEventId: stale, reason: expect.stringMatching(/^Restated as the entry now reads after the correction of DoseAdministered/) });
    expect(decision.subject[2].data).toMatchObject({ category: 'dose-off-window', cycle: 2, deviationDate: '2026-02-11' });
  });
  it('given the off-window deviation voided by hand, when the dose is corrected into the window and out again, then it is neither voided twice nor re-detected unasked', () => {
    const h = offWindowCycle2();
    h.run(voidEntry({ targetEventId: h.idOf('ProtocolDeviationDetected') }, 'site judged it acceptable'));
    expect(subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-02-04' })).result().subject.map((e) => e.type)).toEqual(['EntryCorrected']);
  });
  it('given cycle 2 in window, when its dose is corrected to 60 mg, then a wrong-dose deviation is detected; when corrected back to 120 mg, then it is voided', () => {
    const h = dosed();
    const dose2 = h.idOf('DoseAdministered', 2);
    h.run(correct({ targetEventId: dose2 }, { doseMg: 60 }));
    const wrongDose = h.idOf('ProtocolDeviationDetected');
    expect(h.state().subject.facts.deviations).toMatchObject([{ eventId: wrongDose, category: 'wrong-dose', cycle: 2 }]);
    subjectSpec.given(h.all()).when(correct({ targetEventId: dose2 }, { doseMg: 120 })).thenMatches({ subject: [{ type: 'EntryCorrected' }, { type: 'EntryVoided', data: { targetEventId: wrongDose } }] });
  });
  it('given cycle 2 off window, when the dose is voided, then its deviation is voided with it', () => {
    const h = offWindowCycle2();
    const doseId = h.idOf('DoseAdministered', 2);
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: doseId })).then({
      subject: [
        { type: 'EntryVoided', data: { targetEventId: doseId, targetType: 'DoseAdministered', reason: 'entered in error' } },
        { type: 'EntryVoided', data: { targetEventId: h.idOf('ProtocolDeviationDetected'), targetType: 'ProtocolDeviationDetected', reason: `No longer a deviation after the void of DoseAdministered ${doseId} (entered in error)` } },
      ],
      study: [],
    });
  });
  it('given cycles 1–3, when cycle 2 is voided, then cycle 3 is detected as skipping cycle 2 and off its window (due cycle 1 + 56 days)', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-10')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-10')), meta(COORDINATOR));
    const decision = subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('DoseAdministered', 2) })).result();
    expect(decision.subject.map((e) => [e.type, (e.data as { category?: string }).category ?? null])).toEqual([
      ['EntryVoided', null],
      ['EntryVoided', null],
      ['ProtocolDeviationDetected', 'dose-off-window'],
      ['ProtocolDeviationDetected', 'skipped-cycle'],
    ]);
    expect(decision.subject.slice(2).map((e) => (e.data as { relatedEventId?: string }).relatedEventId)).toEqual([h.idOf('DoseAdministered', 3), h.idOf('DoseAdministered', 3)]);
  });
  it('given a missed cycle 2, when the missed-dose record is voided, then its missed-dose deviation is voided with it', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordMissedDose', { cycle: 2, dueOn: '2026-02-03', reason: 'hospitalised' }), meta(COORDINATOR));
    subjectSpec.given(h.all()).when(voidEntry({ targetEventId: h.idOf('DoseMissed') })).thenMatches({
      subject: [{ type: 'EntryVoided', data: { targetType: 'DoseMissed' } }, { type: 'EntryVoided', data: { targetEventId: h.idOf('ProtocolDeviationDetected'), targetType: 'ProtocolDeviationDetected' } }],
    });
  });
  it('given a missed cycle 2, when its cycle is corrected to 3, then the cycle-2 missed-dose deviation is voided and cycle 3\'s missed-dose and skipped-cycle deviations are detected', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordMissedDose', { cycle: 2, dueOn: '2026-02-03', reason: 'hospitalised' }), meta(COORDINATOR));
    const missed = h.idOf('DoseMissed');
    const decision = subjectSpec.given(h.all()).when(correct({ targetEventId: missed }, { cycle: 3 })).result();
    expect(decision.subject.map((e) => [e.type, (e.data as { category?: string }).category ?? (e.data as { targetEventId?: string }).targetEventId])).toEqual([
      ['EntryCorrected', missed],
      ['EntryVoided', h.idOf('ProtocolDeviationDetected')],
      ['ProtocolDeviationDetected', 'missed-dose'],
      ['ProtocolDeviationDetected', 'skipped-cycle'],
    ]);
  });
  it('given cycle 2 off window, when a correction would break a later entry, then it is refused and no deviation is touched', () => {
    const h = offWindowCycle2().run(subjectCommand('RecordDose', dose(3, '2026-03-10')), meta(COORDINATOR));
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-03-12' })).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'DOSE.OUT_OF_ORDER' });
  });
});

describe('a detected deviation that still holds after a correction says what the corrected entry says', () => {
  const live = (h: History) => currentSubjectEntries(h.state().subject).flatMap((e) => (e.current.type === 'ProtocolDeviationDetected' ? [e.current.data] : []));

  it('given cycle 2 given 7 days late (due 2026-02-03 ± 3), when its date is corrected to 2026-02-11 (still late), then the deviation is recorded again with the corrected date, the old one withdrawn', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-10')), meta(COORDINATOR));
    const doseId = h.idOf('DoseAdministered', 2);
    const stale = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(correct({ targetEventId: doseId }, { administeredOn: '2026-02-11' }), meta(COORDINATOR)).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['EntryCorrected', 'EntryVoided', 'ProtocolDeviationDetected']);
    expect(decision.subject[1].data).toMatchObject({ targetEventId: stale });
    h.run(correct({ targetEventId: doseId }, { administeredOn: '2026-02-11' }), meta(COORDINATOR));
    expect(live(h)).toEqual([expect.objectContaining({ category: 'dose-off-window', cycle: 2, deviationDate: '2026-02-11', relatedEventId: doseId })]);
    // As if 2026-02-11 had been entered in the first place.
    const so = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-11')), meta(COORDINATOR));
    expect(live(h).map(({ relatedEventId: _, ...d }) => d)).toEqual(live(so));
  });

  it('given cycle 3 recorded with cycle 2 skipped, when cycle 3\'s date is corrected, then the skipped-cycle deviation carries the corrected date', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-03')), meta(COORDINATOR));
    h.run(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-03-04' }), meta(COORDINATOR));
    expect(live(h).filter((d) => d.category === 'skipped-cycle').map((d) => d.deviationDate)).toEqual(['2026-03-04']);
  });

  it('given a follow-up scan without a baseline before it, when its date is corrected (still none before it), then missing-baseline-assessment carries the corrected date', () => {
    const h = eligibleHistory()
      .run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' }))
      .run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)), meta(COORDINATOR));
    h.run(correct({ targetEventId: h.idOf('TumorAssessmentRecorded', 1) }, { assessmentDate: '2026-04-01' }), meta(COORDINATOR));
    expect(live(h).map((d) => [d.category, d.deviationDate])).toEqual([['missing-baseline-assessment', '2026-04-01']]);
  });
});

describe('baseline-out-of-window reads the same however it was found', () => {
  const deviationOf = (h: History) => currentSubjectEntries(h.state().subject).flatMap((e) => (e.current.type === 'ProtocolDeviationDetected' ? [e.current.data] : []));

  it('given a baseline 35 days before the enrollment of 2026-01-05, then its deviation is dated at the enrollment and names the scan, as when a correction of an in-window baseline to that date reveals it', () => {
    const late = eligibleHistory()
      .run(subjectCommand('RecordTumorAssessment', baselineAssessment({ assessmentDate: '2025-12-01' })), meta(COORDINATOR))
      .run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' }));
    const corrected = enrolledHistory();
    corrected.run(correct({ targetEventId: corrected.idOf('TumorAssessmentRecorded', 1) }, { assessmentDate: '2025-12-01' }), meta(COORDINATOR));
    const expected = { category: 'baseline-out-of-window', deviationDate: '2026-01-05', description: 'Baseline tumour assessment of 2025-12-01 lies 35 days before enrollment (2026-01-05), beyond the 28-day window' };
    expect(deviationOf(late)).toEqual([expect.objectContaining({ ...expected, relatedEventId: late.idOf('TumorAssessmentRecorded', 1) })]);
    expect(deviationOf(corrected)).toEqual([expect.objectContaining({ ...expected, relatedEventId: corrected.idOf('TumorAssessmentRecorded', 1) })]);
  });
});

describe('current dose windows after a correction', () => {
  const threeCycles = (): History =>
    enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-03')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-03')), meta(COORDINATOR));
  const windowOf = (h: History, cycle: number, protocol = loadDefaultProtocol()) =>
    (currentSubjectEntries(h.state().subject, protocol.treatment).find((e) => e.eventId === h.idOf('DoseAdministered', cycle))!.current.data as { window: unknown }).window;

  it('given cycles 1–3 uncorrected, when read with the protocol, then every window equals the one stored at recording', () => {
    const h = threeCycles();
    const stored = currentSubjectEntries(h.state().subject).filter((e) => e.current.type === 'DoseAdministered').map((e) => (e.current.data as { window: unknown }).window);
    expect([1, 2, 3].map((c) => windowOf(h, c))).toEqual(stored);
  });
  it('given cycle 2 corrected from 2026-02-03 to 2026-02-05, when read with the protocol, then cycle 3 is due 2026-03-05 (window 03-02–03-08) while its recorded window stays 03-03', () => {
    const h = threeCycles();
    h.run(correct({ targetEventId: h.idOf('DoseAdministered', 2) }, { administeredOn: '2026-02-05' }));
    expect(windowOf(h, 3)).toEqual({ dueOn: '2026-03-05', from: '2026-03-02', to: '2026-03-08' });
    const entry = currentSubjectEntries(h.state().subject).find((e) => e.eventId === h.idOf('DoseAdministered', 3))!;
    expect((entry.recorded.data as { window: unknown }).window).toEqual({ dueOn: '2026-03-03', from: '2026-02-28', to: '2026-03-06' });
    expect((entry.current.data as { window: unknown }).window).toEqual({ dueOn: '2026-03-03', from: '2026-02-28', to: '2026-03-06' });
  });
  it('given cycle 2 voided, when read with the protocol, then cycle 3 is due two intervals after cycle 1 (2026-03-03)', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(2, '2026-02-10')), meta(COORDINATOR))
      .run(subjectCommand('RecordDose', dose(3, '2026-03-10')), meta(COORDINATOR));
    h.run(voidEntry({ targetEventId: h.idOf('DoseAdministered', 2) }));
    expect(windowOf(h, 3)).toEqual({ dueOn: '2026-03-03', from: '2026-02-28', to: '2026-03-06' });
  });
});

describe('CorrectEntry of a withdrawal before enrollment', () => {
  const withdrawn = (): History => eligibleHistory().run(subjectCommand('WithdrawSubject', { withdrawalDate: '2026-01-04', reason: 'consent-withdrawn' }));
  it('given a withdrawal before enrollment, when its date is corrected to before the screening, then WITHDRAWAL.BEFORE_SCREENING and nothing is written', () => {
    const h = withdrawn();
    subjectSpec.given(h.all()).when(correct({ targetEventId: h.idOf('SubjectWithdrawn') }, { withdrawalDate: '2026-01-01' })).thenError('WITHDRAWAL.BEFORE_SCREENING');
  });
  it('given a withdrawal before enrollment, when it is voided, then the subject is eligible again and may be enrolled', () => {
    const h = withdrawn();
    const voided = h.run(subjectCommand('VoidEntry', { targetEventId: h.idOf('SubjectWithdrawn'), reason: 'entered for the wrong subject' }));
    expect(voided.state().subject.status).toBe('eligible');
    expect(voided.run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).state().subject.status).toBe('enrolled');
  });
});
