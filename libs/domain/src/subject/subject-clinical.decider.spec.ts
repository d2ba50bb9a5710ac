import { eligibleHistory, enrolledHistory, screenedHistory, subjectSpec } from './testing/decider-spec';
import { baselineAssessment, COORDINATOR, dose, eligibility, followUp, meta, subjectCommand } from './testing/subject.fixtures';

const assess = (payload: Parameters<typeof followUp>[3] & object) => subjectCommand('RecordTumorAssessment', payload as never);
const withFollowUp = () => enrolledHistory().run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)), meta(COORDINATOR));

describe('RecordTumorAssessment', () => {
  it('given S001 eligible but not yet enrolled, when the baseline CT is recorded, then it is stored with its SOD (baseline may precede enrollment)', () =>
    subjectSpec.given(eligibleHistory().all()).when(assess(baselineAssessment())).then({
      subject: [{ type: 'TumorAssessmentRecorded', data: { ...baselineAssessment(), sumOfDiametersMm: 50, targetResponse: null, overallResponse: null } }],
      study: [],
    }));
  it('given S001 enrolled on 2026-01-05 without a baseline, when a baseline dated 2025-12-08 (28 days before) is recorded, then accepted', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).all())
      .when(assess(baselineAssessment({ assessmentDate: '2025-12-08' })))
      .thenMatches({ subject: [{ type: 'TumorAssessmentRecorded', data: { baseline: true } }] }));
  it('given S001 enrolled on 2026-01-05 without a baseline, when a baseline dated 2025-12-07 is recorded, then it is recorded with a baseline-out-of-window deviation, dated at the enrollment on imaging too old', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).all())
      .when(assess(baselineAssessment({ assessmentDate: '2025-12-07' })))
      .thenMatches({ subject: [{ type: 'TumorAssessmentRecorded', data: { baseline: true } }, { type: 'ProtocolDeviationDetected', data: { category: 'baseline-out-of-window', deviationDate: '2026-01-05', severity: 'minor' } }] }));
  it('given a baseline, when a second baseline is recorded, then ASSESSMENT.BASELINE_EXISTS', () =>
    subjectSpec.given(enrolledHistory().all()).when(assess(baselineAssessment({ assessmentDate: '2026-01-05' }))).thenError('ASSESSMENT.BASELINE_EXISTS'));
  it('given S001 screen-failed, when a baseline is recorded, then SUBJECT.NOT_ELIGIBLE', () =>
    subjectSpec
      .given(screenedHistory().run(subjectCommand('AssessEligibility', eligibility({ age: 17 }))).all())
      .when(assess(baselineAssessment()))
      .thenError('SUBJECT.NOT_ELIGIBLE'));
  it('given a baseline SOD of 50 mm, when the follow-up measures 21 + 14 = 35 mm (−30 %), then PR is derived and stored', () =>
    subjectSpec.given(enrolledHistory().all()).when(assess(followUp('2026-03-30', 21, 14))).then({
      subject: [{ type: 'TumorAssessmentRecorded', data: { ...followUp('2026-03-30', 21, 14), sumOfDiametersMm: 35, targetResponse: 'PR', overallResponse: 'PR' } }],
      study: [],
    }));
  it('given a nadir of 35 mm, when the next follow-up measures 42 mm (+20 %, +7 mm), then PD', () =>
    subjectSpec.given(withFollowUp().all()).when(assess(followUp('2026-06-22', 26, 16))).thenMatches({ subject: [{ data: { sumOfDiametersMm: 42, targetResponse: 'PD', overallResponse: 'PD' } }] }));
  it('given a baseline, when a follow-up reports a new lesion, then overall PD whatever the targets', () =>
    subjectSpec.given(enrolledHistory().all()).when(assess(followUp('2026-03-30', 30, 20, { newLesions: true }))).thenMatches({ subject: [{ data: { targetResponse: 'SD', overallResponse: 'PD' } }] }));
  it('given S001 enrolled without a baseline, when a follow-up is recorded, then it is recorded not evaluable with a missing-baseline-assessment deviation', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).all())
      .when(assess(followUp('2026-03-30', 21, 14)))
      .thenMatches({
        subject: [
          { type: 'TumorAssessmentRecorded', data: { assessmentDate: '2026-03-30', sumOfDiametersMm: null, targetResponse: null, overallResponse: 'NE' } },
          { type: 'ProtocolDeviationDetected', data: { deviationDate: '2026-03-30', category: 'missing-baseline-assessment', severity: 'major' } },
        ],
      }));
  it('given a follow-up recorded without a baseline (missing-baseline-assessment), when the baseline imaging is entered late, then that deviation is withdrawn in the same append', () => {
    const history = eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14))).all();
    const deviation = history.find((e) => e.type === 'ProtocolDeviationDetected')!;
    const result = subjectSpec.given(history).when(assess(baselineAssessment())).result();
    expect(result.subject.map((e) => [e.type, 'targetEventId' in e.data ? e.data.targetEventId : null])).toEqual([
      ['TumorAssessmentRecorded', null],
      ['EntryVoided', deviation.eventId],
    ]);
  });
  it('given a follow-up of lesions L1 and L2 recorded without a baseline, when the baseline entered late names other lesions, then RECIST.LESION_SET_MISMATCH (the follow-up could not be judged against it)', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14))).all())
      .when(assess(baselineAssessment({ targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 30, nodal: false }, { lesionId: 'L3', organ: 'lung', diameterMm: 20, nodal: false }] })))
      .thenError('RECIST.LESION_SET_MISMATCH'));
  it('given a follow-up recorded without a baseline, when the baseline entered late is dated after it, then the baseline is still recorded (that scan alone stays not evaluable)', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14, { targetLesions: [{ lesionId: 'X9', organ: 'bone', diameterMm: 12, nodal: false }] }))).all())
      .when(assess(baselineAssessment({ assessmentDate: '2026-04-02' })))
      .thenMatches({ subject: [{ type: 'TumorAssessmentRecorded', data: { baseline: true } }, { type: 'ProtocolDeviationDetected', data: { category: 'baseline-out-of-window' } }] }));
  it('given a follow-up recorded without a baseline, when another is dated the same day, then RECIST.DUPLICATE_ASSESSMENT_DATE', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14))).all())
      .when(assess(followUp('2026-03-30', 21, 14)))
      .thenError('RECIST.DUPLICATE_ASSESSMENT_DATE'));
  it('given S001 enrolled without a baseline, when a follow-up precedes enrollment, then DATE.BEFORE_ENROLLMENT still refuses it', () =>
    subjectSpec.given(eligibleHistory().run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).all()).when(assess(followUp('2026-01-01', 21, 14))).thenError('DATE.BEFORE_ENROLLMENT'));
  it('given a baseline on 2026-01-04, when a follow-up is dated the same day, then ASSESSMENT.BEFORE_BASELINE', () =>
    subjectSpec.given(enrolledHistory().all()).when(assess(followUp('2026-01-04', 21, 14))).thenError('ASSESSMENT.BEFORE_BASELINE'));
  it('given a baseline on 2025-12-20 and enrollment on 2026-01-05, when a follow-up is dated 2026-01-02, then DATE.BEFORE_ENROLLMENT', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('RecordTumorAssessment', baselineAssessment({ assessmentDate: '2025-12-20' }))).run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).all())
      .when(assess(followUp('2026-01-02', 21, 14)))
      .thenError('DATE.BEFORE_ENROLLMENT'));
  it('given baseline lesions L1 and L2, when a follow-up reports only L1, then RECIST.LESION_SET_MISMATCH', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(assess({ ...followUp('2026-03-30', 21, 14), targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 21, nodal: false }] }))
      .thenErrorWith('RECIST.LESION_SET_MISMATCH', { missing: ['L2'] }));
  it('given a follow-up on 2026-03-30 (SOD 35), when a scan of 2026-03-01 is entered late (SOD 44), then it is recorded, judged against the history before its date: SD, not PD from the later nadir (and, on day 55, off the schedule)', () =>
    subjectSpec.given(withFollowUp().all()).when(assess(followUp('2026-03-01', 26, 18))).then({
      subject: [
        { type: 'TumorAssessmentRecorded', data: { ...followUp('2026-03-01', 26, 18), sumOfDiametersMm: 44, targetResponse: 'SD', overallResponse: 'SD' } },
        {
          type: 'ProtocolDeviationDetected',
          data: {
            deviationDate: '2026-03-01',
            category: 'assessment-out-of-window',
            description: 'Follow-up tumour assessment of 2026-03-01 (day 55 after enrollment on 2026-01-05) lies outside every scheduled window: nearest is visit 1, due 2026-03-30 (window 2026-03-23–2026-04-06), -29 days',
            severity: 'minor',
          },
        },
      ],
      study: [],
    }));
  it('given a follow-up on 2026-03-30, when another is dated 2026-03-30, then RECIST.DUPLICATE_ASSESSMENT_DATE (one time point, one record)', () =>
    subjectSpec.given(withFollowUp().all()).when(assess(followUp('2026-03-30', 21, 14))).thenError('RECIST.DUPLICATE_ASSESSMENT_DATE'));
  it('given a baseline, when a follow-up lesion leaves out diameterMm (instead of null for not measured), then RECIST.INVALID_DIAMETER, not a not-evaluable assessment', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(assess({ ...followUp('2026-03-30', 21, 14), targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 21, nodal: false }, { lesionId: 'L2', organ: 'liver', nodal: false } as never] }))
      .thenErrorWith('RECIST.INVALID_DIAMETER', { field: 'targetLesions[1].diameterMm' }));
  it('given a baseline, when a follow-up lesion carries a field RECIST does not know (longAxisMm), then VALIDATION.UNKNOWN_FIELD, not dropped unseen', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(assess({ ...followUp('2026-03-30', 21, 14), targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 21, nodal: false, longAxisMm: 30 } as never, { lesionId: 'L2', organ: 'liver', diameterMm: 14, nodal: false }] }))
      .thenErrorWith('VALIDATION.UNKNOWN_FIELD', { fields: ['targetLesions[0].longAxisMm'] }));
  it('given a death on 2026-02-01, when a follow-up is dated 2026-03-30, then SUBJECT.DEAD', () =>
    subjectSpec.given(enrolledHistory().run(subjectCommand('RecordDeath', { deathDate: '2026-02-01', cause: 'sepsis' })).all()).when(assess(followUp('2026-03-30', 21, 14))).thenError('SUBJECT.DEAD'));
  it('given the protocol allows CT and MRI, when PET is given, then VALIDATION.INVALID_ENUM', () =>
    subjectSpec.given(enrolledHistory().all()).when(assess({ ...followUp('2026-03-30', 21, 14), modality: 'PET' as never })).thenError('VALIDATION.INVALID_ENUM'));
  it('given nobody screened, when a baseline is recorded, then SUBJECT.NOT_FOUND', () =>
    subjectSpec.given(screenedHistory().all().slice(0, 1)).when(assess(baselineAssessment())).thenError('SUBJECT.NOT_FOUND'));
});

describe('RecordClinicalProgression', () => {
  const progression = (progressionDate: string) => subjectCommand('RecordClinicalProgression', { progressionDate, basis: 'carcinoid syndrome worsening' });
  it('given S001 enrolled, when an investigator records clinical progression, then ClinicalProgressionRecorded', () =>
    subjectSpec.given(enrolledHistory().all()).when(progression('2026-04-01')).then({ subject: [{ type: 'ClinicalProgressionRecorded', data: { progressionDate: '2026-04-01', basis: 'carcinoid syndrome worsening' } }], study: [] }));
  it('given S001 enrolled, when a coordinator records it, then AUTH.ROLE_NOT_ALLOWED', () =>
    subjectSpec.given(enrolledHistory().all()).when(progression('2026-04-01'), meta(COORDINATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  it('given enrollment on 2026-01-05, when progression is dated 2026-01-01, then DATE.BEFORE_ENROLLMENT', () =>
    subjectSpec.given(enrolledHistory().all()).when(progression('2026-01-01')).thenError('DATE.BEFORE_ENROLLMENT'));
  it('given S001 not enrolled, when progression is recorded, then SUBJECT.NOT_ENROLLED', () =>
    subjectSpec.given(eligibleHistory().all()).when(progression('2026-04-01')).thenError('SUBJECT.NOT_ENROLLED'));
});

describe('RecordNewAnticancerTherapy', () => {
  const therapy = (startDate: string) => subjectCommand('RecordNewAnticancerTherapy', { startDate, therapy: 'everolimus' });
  it('given S001 enrolled, when a new therapy starts, then NewAnticancerTherapyStarted', () =>
    subjectSpec.given(enrolledHistory().all()).when(therapy('2026-05-01'), meta(COORDINATOR)).then({ subject: [{ type: 'NewAnticancerTherapyStarted', data: { startDate: '2026-05-01', therapy: 'everolimus' } }], study: [] }));
  it('given a withdrawal on 2026-04-01, when a therapy starting 2026-05-01 is recorded, then SUBJECT.WITHDRAWN', () =>
    subjectSpec.given(enrolledHistory().run(subjectCommand('WithdrawSubject', { withdrawalDate: '2026-04-01', reason: 'lost-to-follow-up' })).all()).when(therapy('2026-05-01')).thenError('SUBJECT.WITHDRAWN'));
  it('given enrollment on 2026-01-05, when a therapy started 2025-12-01 (prior therapy), then DATE.BEFORE_ENROLLMENT', () =>
    subjectSpec.given(enrolledHistory().all()).when(therapy('2025-12-01')).thenError('DATE.BEFORE_ENROLLMENT'));
});

describe('ReportAdverseEvent', () => {
  const ae = (over: Record<string, unknown> = {}) => subjectCommand('ReportAdverseEvent', { term: 'diarrhoea', onsetDate: '2026-01-20', ctcaeGrade: 2, serious: false, relatedness: 'probably related', ...over } as never);
  it('given S001 enrolled, when a grade 2 AE is reported, then AdverseEventReported', () =>
    subjectSpec.given(enrolledHistory().all()).when(ae(), meta(COORDINATOR)).then({ subject: [{ type: 'AdverseEventReported', data: { term: 'diarrhoea', onsetDate: '2026-01-20', ctcaeGrade: 2, serious: false, relatedness: 'probably related' } }], study: [] }));
  it('given S001 only screened (consent 2026-01-02), when an AE with onset 2026-01-02 is reported, then accepted (AEs are collected from consent)', () =>
    subjectSpec.given(screenedHistory().all()).when(ae({ onsetDate: '2026-01-02' })).thenMatches({ subject: [{ type: 'AdverseEventReported' }] }));
  it('given consent on 2026-01-02, when an AE onset is 2026-01-01, then DATE.BEFORE_CONSENT', () =>
    subjectSpec.given(screenedHistory().all()).when(ae({ onsetDate: '2026-01-01' })).thenError('DATE.BEFORE_CONSENT'));
  it.each([[0], [6], [2.5]])('given S001 enrolled, when CTCAE grade %s is reported, then VALIDATION.OUT_OF_RANGE', (grade) =>
    subjectSpec.given(enrolledHistory().all()).when(ae({ ctcaeGrade: grade })).thenError('VALIDATION.OUT_OF_RANGE', 'validation'));
  it('given a death on 2026-03-01, when an AE with onset 2026-02-15 is entered late, then accepted', () =>
    subjectSpec.given(enrolledHistory().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'NET' })).all()).when(ae({ onsetDate: '2026-02-15', ctcaeGrade: 5, serious: true })).thenMatches({ subject: [{ type: 'AdverseEventReported' }] }));
  it('given S001 enrolled, when a grade 5 (fatal) AE is reported as not serious, then AE.FATAL_NOT_SERIOUS: an AE that results in death is serious (ICH E2A)', () =>
    subjectSpec.given(enrolledHistory().all()).when(ae({ ctcaeGrade: 5, serious: false })).thenError('AE.FATAL_NOT_SERIOUS', 'validation'));
  it('given a grade 3 non-serious AE, when it is corrected to grade 5 alone, then AE.FATAL_NOT_SERIOUS; corrected to grade 5 and serious together, then recorded', () => {
    const h = enrolledHistory().run(ae({ ctcaeGrade: 3 }), meta(COORDINATOR));
    const target = h.idOf('AdverseEventReported');
    const correct = (changes: Record<string, unknown>) => subjectCommand('CorrectEntry', { targetEventId: target, changes, reason: 'fatal outcome per the hospital record' });
    subjectSpec.given(h.all()).when(correct({ ctcaeGrade: 5 }), meta(COORDINATOR)).thenError('AE.FATAL_NOT_SERIOUS');
    subjectSpec.given(h.all()).when(correct({ ctcaeGrade: 5, serious: true }), meta(COORDINATOR)).thenMatches({ subject: [{ type: 'EntryCorrected', data: { after: { ctcaeGrade: 5, serious: true } } }] });
  });
  it('given a death on 2026-03-01, when an AE with onset 2026-03-02 is reported, then SUBJECT.DEAD', () =>
    subjectSpec.given(enrolledHistory().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'NET' })).all()).when(ae({ onsetDate: '2026-03-02' })).thenError('SUBJECT.DEAD'));
});

describe('RecordDeviation', () => {
  const deviation = (over: Record<string, unknown> = {}) => subjectCommand('RecordDeviation', { deviationDate: '2026-02-01', category: 'visit-window', description: 'CT done outside window', severity: 'minor', ...over } as never);
  it('given S001 enrolled, when a deviation is recorded, then ProtocolDeviationRecorded', () =>
    subjectSpec.given(enrolledHistory().all()).when(deviation()).then({ subject: [{ type: 'ProtocolDeviationRecorded', data: { deviationDate: '2026-02-01', category: 'visit-window', description: 'CT done outside window', severity: 'minor' } }], study: [] }));
  it('given S001 enrolled, when the severity is "critical", then VALIDATION.INVALID_ENUM', () =>
    subjectSpec.given(enrolledHistory().all()).when(deviation({ severity: 'critical' })).thenError('VALIDATION.INVALID_ENUM'));
  it('given nobody screened, when a deviation is recorded, then SUBJECT.NOT_FOUND', () =>
    subjectSpec.given(screenedHistory().all().slice(0, 1)).when(deviation()).thenError('SUBJECT.NOT_FOUND'));
});

describe('DiscontinueTreatment', () => {
  const discontinue = (discontinuationDate: string) => subjectCommand('DiscontinueTreatment', { discontinuationDate, reason: 'toxicity' });
  const dosed = () => enrolledHistory().run(subjectCommand('RecordDose', dose(1, '2026-01-06')));
  it('given a dose on 2026-01-06, when treatment is discontinued on 2026-01-20, then TreatmentDiscontinued', () =>
    subjectSpec.given(dosed().all()).when(discontinue('2026-01-20')).then({ subject: [{ type: 'TreatmentDiscontinued', data: { discontinuationDate: '2026-01-20', reason: 'toxicity' } }], study: [] }));
  it('given treatment discontinued, when discontinued again, then TREATMENT.ALREADY_DISCONTINUED', () =>
    subjectSpec.given(dosed().run(discontinue('2026-01-20')).all()).when(discontinue('2026-01-21')).thenError('TREATMENT.ALREADY_DISCONTINUED'));
  it('given a dose on 2026-01-06, when discontinued on 2026-01-05, then TREATMENT.BEFORE_RECORDED_DOSE', () =>
    subjectSpec.given(dosed().all()).when(discontinue('2026-01-05')).thenError('TREATMENT.BEFORE_RECORDED_DOSE'));
  it('given S001 enrolled, when a coordinator discontinues, then AUTH.ROLE_NOT_ALLOWED', () =>
    subjectSpec.given(dosed().all()).when(discontinue('2026-01-20'), meta(COORDINATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
});

describe('WithdrawSubject', () => {
  const withdraw = (withdrawalDate: string, reason = 'consent-withdrawn') => subjectCommand('WithdrawSubject', { withdrawalDate, reason } as never);
  it('given S001 enrolled, when withdrawn, then SubjectWithdrawn and the status is withdrawn', () => {
    subjectSpec.given(enrolledHistory().all()).when(withdraw('2026-02-01')).then({ subject: [{ type: 'SubjectWithdrawn', data: { withdrawalDate: '2026-02-01', reason: 'consent-withdrawn' } }], study: [] });
    expect(enrolledHistory().run(withdraw('2026-02-01')).state().subject.status).toBe('withdrawn');
  });
  it('given S001 withdrawn, when withdrawn again, then SUBJECT.WITHDRAWN', () =>
    subjectSpec.given(enrolledHistory().run(withdraw('2026-02-01')).all()).when(withdraw('2026-02-02')).thenError('SUBJECT.WITHDRAWN'));
  it('given a dose on 2026-01-06, when withdrawn as of 2026-01-05, then WITHDRAWAL.BEFORE_RECORDED_FACT', () =>
    subjectSpec.given(enrolledHistory().run(subjectCommand('RecordDose', dose(1, '2026-01-06'))).all()).when(withdraw('2026-01-05')).thenError('WITHDRAWAL.BEFORE_RECORDED_FACT'));
  it('given S001 enrolled, when the reason is not one of the four, then VALIDATION.INVALID_ENUM', () =>
    subjectSpec.given(enrolledHistory().all()).when(withdraw('2026-02-01', 'moved away')).thenError('VALIDATION.INVALID_ENUM'));
  it('given S001 dead, when withdrawn, then SUBJECT.DEAD', () =>
    subjectSpec.given(enrolledHistory().run(subjectCommand('RecordDeath', { deathDate: '2026-02-01', cause: 'x' })).all()).when(withdraw('2026-02-01')).thenError('SUBJECT.DEAD'));
  it('given S001 eligible, not enrolled, when consent is withdrawn, then SubjectWithdrawn and the status is withdrawn-before-enrollment', () => {
    subjectSpec.given(eligibleHistory().all()).when(withdraw('2026-01-04')).then({ subject: [{ type: 'SubjectWithdrawn', data: { withdrawalDate: '2026-01-04', reason: 'consent-withdrawn' } }], study: [] });
    expect(eligibleHistory().run(withdraw('2026-01-04')).state().subject.status).toBe('withdrawn-before-enrollment');
  });
  it('given S001 screened, eligibility not yet assessed, when consent is withdrawn, then the status is withdrawn-before-enrollment', () =>
    expect(screenedHistory().run(withdraw('2026-01-02')).state().subject.status).toBe('withdrawn-before-enrollment'));
  it('given S001 withdrawn before enrollment, when enrolled, then SUBJECT.WITHDRAWN', () =>
    subjectSpec.given(eligibleHistory().run(withdraw('2026-01-04')).all()).when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' })).thenError('SUBJECT.WITHDRAWN'));
  it('given S001 withdrawn before enrollment, when withdrawn again, then SUBJECT.WITHDRAWN', () =>
    subjectSpec.given(eligibleHistory().run(withdraw('2026-01-04')).all()).when(withdraw('2026-01-05')).thenError('SUBJECT.WITHDRAWN'));
  it('given S001 screened on 2026-01-02, when withdrawn as of 2026-01-01, then WITHDRAWAL.BEFORE_SCREENING', () =>
    subjectSpec.given(eligibleHistory().all()).when(withdraw('2026-01-01')).thenError('WITHDRAWAL.BEFORE_SCREENING'));
  it('given eligibility assessed on 2026-01-03, when withdrawn before enrollment as of 2026-01-02, then WITHDRAWAL.BEFORE_RECORDED_FACT', () =>
    subjectSpec.given(eligibleHistory().all()).when(withdraw('2026-01-02')).thenError('WITHDRAWAL.BEFORE_RECORDED_FACT'));
  it('given S001 never screened, when withdrawn, then SUBJECT.NOT_FOUND', () =>
    subjectSpec.given(screenedHistory().all().slice(0, 1)).when(withdraw('2026-01-04')).thenError('SUBJECT.NOT_FOUND'));
  it('given S001 a screen failure, when withdrawn, then SUBJECT.SCREEN_FAILED', () =>
    subjectSpec.given(screenedHistory().run(subjectCommand('AssessEligibility', eligibility({ age: 17 }))).all()).when(withdraw('2026-01-04')).thenError('SUBJECT.SCREEN_FAILED'));
  it('given S001 withdrawn before enrollment on 2026-01-02, when eligibility is assessed on 2026-01-03, then SUBJECT.WITHDRAWN', () =>
    subjectSpec.given(screenedHistory().run(withdraw('2026-01-02')).all()).when(subjectCommand('AssessEligibility', eligibility())).thenError('SUBJECT.WITHDRAWN'));
});

describe('RecordDeath', () => {
  const death = (deathDate: string) => subjectCommand('RecordDeath', { deathDate, cause: 'disease progression' });
  it('given S001 enrolled, when the death is recorded, then SubjectDied and the status is dead', () => {
    subjectSpec.given(enrolledHistory().all()).when(death('2026-03-01')).then({ subject: [{ type: 'SubjectDied', data: { deathDate: '2026-03-01', cause: 'disease progression' } }], study: [] });
    expect(enrolledHistory().run(death('2026-03-01')).state().subject.status).toBe('dead');
  });
  it('given S001 withdrawn (lost to follow-up) on 2026-02-01, when a death on 2026-04-01 is recorded, then accepted (vital status)', () =>
    subjectSpec.given(enrolledHistory().run(subjectCommand('WithdrawSubject', { withdrawalDate: '2026-02-01', reason: 'lost-to-follow-up' })).all()).when(death('2026-04-01')).thenMatches({ subject: [{ type: 'SubjectDied' }] }));
  it('given S001 dead, when the death is recorded again, then SUBJECT.DEAD', () =>
    subjectSpec.given(enrolledHistory().run(death('2026-03-01')).all()).when(death('2026-03-01')).thenError('SUBJECT.DEAD'));
  it('given a follow-up CT on 2026-03-30, when a death on 2026-03-01 is recorded, then DEATH.BEFORE_RECORDED_FACT', () =>
    subjectSpec.given(withFollowUp().all()).when(death('2026-03-01')).thenError('DEATH.BEFORE_RECORDED_FACT'));
  it('given S001 not enrolled, when a death is recorded, then SUBJECT.NOT_ENROLLED', () =>
    subjectSpec.given(eligibleHistory().all()).when(death('2026-03-01')).thenError('SUBJECT.NOT_ENROLLED'));
  describe('after a withdrawal before enrollment (vital-status follow-up)', () => {
    const withdrawnBeforeEnrollment = () => eligibleHistory().run(subjectCommand('WithdrawSubject', { withdrawalDate: '2026-01-04', reason: 'consent-withdrawn' }));
    it('given S001 withdrew consent before enrollment on 2026-01-04, when a death on 2026-03-01 is recorded, then SubjectDied, and the subject stays withdrawn-before-enrollment (never enrolled)', () => {
      subjectSpec.given(withdrawnBeforeEnrollment().all()).when(death('2026-03-01')).then({ subject: [{ type: 'SubjectDied', data: { deathDate: '2026-03-01', cause: 'disease progression' } }], study: [] });
      const state = withdrawnBeforeEnrollment().run(death('2026-03-01')).state().subject;
      expect([state.status, state.facts.death?.date, state.facts.enrollment]).toEqual(['withdrawn-before-enrollment', '2026-03-01', null]);
    });
    it('given S001 withdrew before enrollment on 2026-01-04, when a death on 2026-01-03 is recorded, then DEATH.BEFORE_RECORDED_FACT', () =>
      subjectSpec.given(withdrawnBeforeEnrollment().all()).when(death('2026-01-03')).thenErrorWith('DEATH.BEFORE_RECORDED_FACT', { latestClinicalDate: '2026-01-04' }));
    it('given S001 withdrew before enrollment and its death is recorded, when the death is recorded again, then SUBJECT.DEAD', () =>
      subjectSpec.given(withdrawnBeforeEnrollment().run(death('2026-03-01')).all()).when(death('2026-03-02')).thenError('SUBJECT.DEAD'));
    it('given S001 withdrew before enrollment and died, when the withdrawal is voided, then ENTRY.INVALIDATES_LATER_ENTRY (a death is recorded only for an enrolled or withdrawn subject)', () => {
      const h = withdrawnBeforeEnrollment().run(death('2026-03-01'));
      subjectSpec
        .given(h.all())
        .when(subjectCommand('VoidEntry', { targetEventId: h.idOf('SubjectWithdrawn'), reason: 'entered in error' }))
        .thenError('ENTRY.INVALIDATES_LATER_ENTRY');
    });
  });
});
