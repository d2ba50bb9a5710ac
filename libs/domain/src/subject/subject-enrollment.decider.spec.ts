import type { StudyEvent } from '../events/event.types';
import { loadDefaultProtocol } from '../protocol/protocol.validate';
import { eligibleHistory, enrolledHistory, History, screenedHistory, studyRegistered, subjectSpec } from './testing/decider-spec';
import { ADMIN, COORDINATOR, eligibility, ENROLLMENT_DATE, meta, MONITOR, screening, STUDY_ID, subjectCommand } from './testing/subject.fixtures';

const locked: StudyEvent = { type: 'StudyLocked', data: { studyId: STUDY_ID, reason: 'database lock' } };
const rostered = (n: number): StudyEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'SubjectAddedToRoster', data: { subjectId: `X${i + 1}`, subjectNumber: i + 1, enrollmentDate: '2026-01-05' } }));

describe('subject decider — common refusals', () => {
  const screen = subjectCommand('ScreenSubject', screening());
  it('given no registered study, when a subject is screened, then STUDY.NOT_REGISTERED', () =>
    subjectSpec.given([]).when(screen, meta(COORDINATOR)).thenError('STUDY.NOT_REGISTERED', 'not-found'));
  it('given a locked study, when a subject is screened, then STUDY.LOCKED', () =>
    subjectSpec.given([studyRegistered(), locked]).when(screen, meta(COORDINATOR)).thenError('STUDY.LOCKED', 'conflict'));
  it.each([['monitor', MONITOR], ['admin', ADMIN]])('given a study, when a %s screens a subject, then AUTH.ROLE_NOT_ALLOWED (forbidden)', (_r, who) =>
    subjectSpec.given([studyRegistered()]).when(screen, meta(who)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  it('given a study, when the subject id has a dash (which would let two studies share a stream), then VALIDATION.INVALID_SUBJECT_ID', () =>
    // subject-LANR-HGNET-01-S-001 would also be subject "001" of a study "LANR-HGNET-01-S".
    subjectSpec.given([studyRegistered()]).when({ ...screen, subjectId: 'S-001' }, meta(COORDINATOR)).thenError('VALIDATION.INVALID_SUBJECT_ID', 'validation'));
  it.each(['__proto__', '_S1', '.S1'])('given a study, when the subject id is %p (underscores and dots, but not first), then the refusal states the rule it breaks', (subjectId) =>
    expect(() => subjectSpec.given([studyRegistered()]).when({ ...screen, subjectId }, meta(COORDINATOR)).result()).toThrow(
      expect.objectContaining({ code: 'VALIDATION.INVALID_SUBJECT_ID', message: expect.stringContaining('starting with a letter or digit') }),
    ));
  it('given a study, when the subject id has a slash, then VALIDATION.INVALID_SUBJECT_ID', () =>
    subjectSpec.given([studyRegistered()]).when({ ...screen, subjectId: 'S/1' }, meta(COORDINATOR)).thenError('VALIDATION.INVALID_SUBJECT_ID', 'validation'));
  it('given a locked study with an enrolled subject, when a dose is recorded, then STUDY.LOCKED', () =>
    subjectSpec.given([...enrolledHistory().all(), locked]).when(subjectCommand('RecordDose', { cycle: 1, administeredOn: '2026-01-06', doseMg: 120, route: 'deep-sc', lotNumber: 'L', injectionSite: 'buttock' })).thenError('STUDY.LOCKED'));
});

describe('ScreenSubject', () => {
  const given = [studyRegistered()];
  it('given a study, when a coordinator screens S001, then SubjectScreened', () =>
    subjectSpec.given(given).when(subjectCommand('ScreenSubject', screening()), meta(COORDINATOR)).then({
      subject: [{ type: 'SubjectScreened', data: { studyId: STUDY_ID, subjectId: 'S001', screeningDate: '2026-01-02', consentDate: '2026-01-02', sex: 'F', birthYear: 1960 } }],
      study: [],
    }));
  it('given S001 screened, when screened again, then SUBJECT.ALREADY_SCREENED', () =>
    subjectSpec.given(screenedHistory().all()).when(subjectCommand('ScreenSubject', screening()), meta(COORDINATOR)).thenError('SUBJECT.ALREADY_SCREENED'));
  it('given a study, when consent is dated after screening, then SCREENING.CONSENT_AFTER_SCREENING', () =>
    subjectSpec.given(given).when(subjectCommand('ScreenSubject', screening({ consentDate: '2026-01-03' })), meta(COORDINATOR)).thenError('SCREENING.CONSENT_AFTER_SCREENING', 'validation'));
  it.each([
    ['an impossible date', { screeningDate: '2026-02-30' }, 'VALIDATION.INVALID_DATE'],
    ['a date after the recording date', { screeningDate: '2026-07-02' }, 'VALIDATION.FUTURE_DATE'],
    ['an unknown sex', { sex: 'X' }, 'VALIDATION.INVALID_ENUM'],
    ['a birth year in the future', { birthYear: 2027 }, 'VALIDATION.OUT_OF_RANGE'],
    ['a birth year after the screening year (born 2026, screened 2025)', { screeningDate: '2025-12-30', consentDate: '2025-12-30', birthYear: 2026 }, 'VALIDATION.OUT_OF_RANGE'],
    ['an unknown field', { height: 170 }, 'VALIDATION.UNKNOWN_FIELD'],
  ])('given a study, when screened with %s, then %s', (_name, over, code) =>
    subjectSpec.given(given).when(subjectCommand('ScreenSubject', { ...screening(), ...over } as never), meta(COORDINATOR)).thenError(code as string, 'validation'));
});

describe('AssessEligibility', () => {
  it('given S001 screened, when every criterion holds, then EligibilityConfirmed', () =>
    subjectSpec.given(screenedHistory().all()).when(subjectCommand('AssessEligibility', eligibility())).then({ subject: [{ type: 'EligibilityConfirmed', data: eligibility() }], study: [] }));

  it.each([
    ['age-below-minimum', { age: 17 }],
    ['consent-after-assessment', { assessmentDate: '2026-01-01' }],
    ['primary-site-not-allowed', { primarySite: 'ileum' }],
    ['who-grade-not-allowed', { whoGrade: 3 }],
    ['ki67-above-maximum', { ki67Percent: 20.5 }],
    ['disease-status-not-allowed', { diseaseStatus: 'locally-advanced' }],
    ['no-measurable-disease', { measurableDisease: false }],
    ['prior-systemic-therapy', { priorSystemicTherapy: true }],
    ['ecog-above-maximum', { ecog: 3 }],
  ])('given S001 screened, when %s, then SubjectScreenFailed names exactly that criterion', (criterion, over) =>
    subjectSpec
      .given(screenedHistory().all())
      .when(subjectCommand('AssessEligibility', eligibility(over as never)))
      .then({ subject: [{ type: 'SubjectScreenFailed', data: { ...eligibility(over as never), failedCriteria: [criterion] } }], study: [] }));

  describe('under a protocol for pancreatic and ileal primaries (not the seed protocol)', () => {
    const seed = loadDefaultProtocol();
    const pancreasOrIleum = { ...seed, eligibility: { ...seed.eligibility, primarySites: ['pancreas', 'ileum'] } };
    const screened = (): History => new History([studyRegistered(pancreasOrIleum)]).run(subjectCommand('ScreenSubject', screening()), meta(COORDINATOR));
    it('given S001 screened, when the primary site is the rectum, then SubjectScreenFailed names primary-site-not-allowed (the protocol says nothing of the hindgut)', () =>
      subjectSpec.given(screened().all()).when(subjectCommand('AssessEligibility', eligibility({ primarySite: 'rectum' }))).then({
        subject: [{ type: 'SubjectScreenFailed', data: { ...eligibility({ primarySite: 'rectum' }), failedCriteria: ['primary-site-not-allowed'] } }],
        study: [],
      }));
    it('given S001 screened, when the primary site is the ileum, then EligibilityConfirmed', () =>
      subjectSpec.given(screened().all()).when(subjectCommand('AssessEligibility', eligibility({ primarySite: 'ileum' }))).then({
        subject: [{ type: 'EligibilityConfirmed', data: eligibility({ primarySite: 'ileum' }) }],
        study: [],
      }));
  });

  it.each([['Rectum'], ['rectum\u200b'], ['\u2060Sigmoid-Colon']])('given S001 screened, when the primary site %j reads as a listed hindgut site, then EligibilityConfirmed (compared as read: case and invisible characters ignored)', (primarySite) =>
    subjectSpec
      .given(screenedHistory().all())
      .when(subjectCommand('AssessEligibility', eligibility({ primarySite })))
      .thenMatches({ subject: [{ type: 'EligibilityConfirmed' }] }));

  it('given S001 screened, when several criteria fail, then every failed criterion is named', () =>
    subjectSpec
      .given(screenedHistory().all())
      .when(subjectCommand('AssessEligibility', eligibility({ age: 16, ki67Percent: 40, ecog: 4 })))
      .thenMatches({ subject: [{ type: 'SubjectScreenFailed', data: { failedCriteria: ['age-below-minimum', 'ki67-above-maximum', 'ecog-above-maximum'] } }] }));
  it('given S001 screened as born in 2009, when assessed in 2026 with a typed age of 65, then SubjectScreenFailed on age-below-minimum (the birth year shows at most 17 years)', () =>
    subjectSpec
      .given(screenedHistory().all().map((e) => (e.type === 'SubjectScreened' ? { ...e, data: { ...e.data, birthYear: 2009 } } : e)))
      .when(subjectCommand('AssessEligibility', eligibility({ age: 65 })))
      .thenMatches({ subject: [{ type: 'SubjectScreenFailed', data: { age: 65, failedCriteria: ['age-below-minimum'] } }] }));
  it('given S001 screened as born in 2008, when assessed in 2026 aged 18, then eligible (the birth year allows 17 or 18 years: the typed age decides)', () =>
    subjectSpec
      .given(screenedHistory().all().map((e) => (e.type === 'SubjectScreened' ? { ...e, data: { ...e.data, birthYear: 2008 } } : e)))
      .when(subjectCommand('AssessEligibility', eligibility({ age: 18 })))
      .thenMatches({ subject: [{ type: 'EligibilityConfirmed' }] }));
  it('given the boundaries (age 18, Ki-67 20 %, ECOG 2), when assessed, then eligible', () =>
    subjectSpec.given(screenedHistory().all()).when(subjectCommand('AssessEligibility', eligibility({ age: 18, ki67Percent: 20, ecog: 2 }))).thenMatches({ subject: [{ type: 'EligibilityConfirmed' }] }));
  it('given nobody screened, when assessed, then SUBJECT.NOT_FOUND', () =>
    subjectSpec.given([studyRegistered()]).when(subjectCommand('AssessEligibility', eligibility())).thenError('SUBJECT.NOT_FOUND', 'not-found'));
  it('given S001 assessed, when assessed again, then SUBJECT.ALREADY_ASSESSED', () =>
    subjectSpec.given(eligibleHistory().all()).when(subjectCommand('AssessEligibility', eligibility())).thenError('SUBJECT.ALREADY_ASSESSED'));
  it('given S001 screened, when a coordinator assesses eligibility, then AUTH.ROLE_NOT_ALLOWED', () =>
    subjectSpec.given(screenedHistory().all()).when(subjectCommand('AssessEligibility', eligibility()), meta(COORDINATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  it.each([[0], [2.35], [7.5]])('given S001 screened, when assessed with a Ki-67 of %p % (to 0.01 % at most), then it is recorded as given', (ki67Percent) =>
    subjectSpec.given(screenedHistory().all()).when(subjectCommand('AssessEligibility', eligibility({ ki67Percent }))).thenMatches({ subject: [{ type: 'EligibilityConfirmed', data: { ki67Percent } }] }));
  it.each([
    ['WHO grade 4', { whoGrade: 4 }, 'VALIDATION.OUT_OF_RANGE'],
    ['ECOG 5', { ecog: 5 }, 'VALIDATION.OUT_OF_RANGE'],
    ['Ki-67 of 120 %', { ki67Percent: 120 }, 'VALIDATION.OUT_OF_RANGE'],
    ['a subnormal Ki-67 (1e-310 %)', { ki67Percent: 1e-310 }, 'VALIDATION.PRECISION'],
    ['Ki-67 to 0.001 %', { ki67Percent: 7.125 }, 'VALIDATION.PRECISION'],
    ['an unknown disease status', { diseaseStatus: 'cured' }, 'VALIDATION.INVALID_ENUM'],
    ['a non-boolean measurable disease', { measurableDisease: 'yes' }, 'VALIDATION.INVALID_TYPE'],
    ['an empty primary site', { primarySite: ' ' }, 'VALIDATION.REQUIRED'],
  ])('given S001 screened, when assessed with %s, then %s', (_name, over, code) =>
    subjectSpec.given(screenedHistory().all()).when(subjectCommand('AssessEligibility', eligibility(over as never))).thenError(code as string, 'validation'));
});

describe('EnrollSubject', () => {
  const enroll = subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE });
  it('given S001 eligible and 3 already enrolled, when enrolled, then SubjectEnrolled #4 and the roster entry in the study stream', () =>
    subjectSpec.given([...eligibleHistory().all(), ...rostered(3)]).when(enroll).then({
      subject: [{ type: 'SubjectEnrolled', data: { subjectNumber: 4, enrollmentDate: ENROLLMENT_DATE } }],
      study: [{ type: 'SubjectAddedToRoster', data: { subjectId: 'S001', subjectNumber: 4, enrollmentDate: ENROLLMENT_DATE } }],
    }));
  it('given 28 enrolled (the cap), when a 29th eligible subject is enrolled, then ENROLLMENT.CAP_REACHED', () =>
    subjectSpec.given([...eligibleHistory().all(), ...rostered(28)]).when(enroll).thenErrorWith('ENROLLMENT.CAP_REACHED', { enrolled: 28, targetEnrollment: 28 }));
  it('given the cap amended to 29, when a 29th subject is enrolled, then the protocol in force decides', () => {
    const amended = { ...loadDefaultProtocol(), version: 2, targetEnrollment: 29 };
    subjectSpec
      .given([...eligibleHistory().all(), ...rostered(28), { type: 'ProtocolAmended', data: { studyId: STUDY_ID, version: 2, protocol: amended, reason: 'cap' } }])
      .when(enroll)
      .thenMatches({ subject: [{ data: { subjectNumber: 29 } }] });
  });
  it('given S001 screen-failed, when enrolled, then SUBJECT.NOT_ELIGIBLE with the failed criteria', () =>
    subjectSpec
      .given(screenedHistory().run(subjectCommand('AssessEligibility', eligibility({ ecog: 3 }))).all())
      .when(enroll)
      .thenErrorWith('SUBJECT.NOT_ELIGIBLE', { failedCriteria: ['ecog-above-maximum'] }));
  it('given S001 only screened, when enrolled, then SUBJECT.NOT_ELIGIBLE', () => subjectSpec.given(screenedHistory().all()).when(enroll).thenError('SUBJECT.NOT_ELIGIBLE'));
  it('given nobody, when enrolled, then SUBJECT.NOT_FOUND', () => subjectSpec.given([studyRegistered()]).when(enroll).thenError('SUBJECT.NOT_FOUND'));
  it('given S001 enrolled, when enrolled again, then SUBJECT.ALREADY_ENROLLED', () => subjectSpec.given(enrolledHistory().all()).when(enroll).thenError('SUBJECT.ALREADY_ENROLLED'));
  it('given S001 screened on 2026-01-10 (consent 2026-01-01) and assessed eligible on 2026-01-03, when enrolled on 2026-01-05, then ENROLLMENT.BEFORE_SCREENING (a subject is enrolled from screening, never before it)', () =>
    subjectSpec
      .given(
        new History([studyRegistered()])
          .run(subjectCommand('ScreenSubject', screening({ screeningDate: '2026-01-10', consentDate: '2026-01-01' })), meta(COORDINATOR))
          .run(subjectCommand('AssessEligibility', eligibility()))
          .all(),
      )
      .when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' }))
      .thenErrorWith('ENROLLMENT.BEFORE_SCREENING', { enrollmentDate: '2026-01-05', screeningDate: '2026-01-10' }));
  it('given S001 screened on 2026-01-10 (consent 2026-01-01) and assessed eligible on 2026-01-03, when enrolled on the screening day, then SubjectEnrolled', () =>
    subjectSpec
      .given(
        new History([studyRegistered()])
          .run(subjectCommand('ScreenSubject', screening({ screeningDate: '2026-01-10', consentDate: '2026-01-01' })), meta(COORDINATOR))
          .run(subjectCommand('AssessEligibility', eligibility()))
          .all(),
      )
      .when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-10' }))
      .thenMatches({ subject: [{ type: 'SubjectEnrolled', data: { enrollmentDate: '2026-01-10' } }] }));
  it('given eligibility assessed on 2026-01-03, when enrolled on 2026-01-02, then ENROLLMENT.BEFORE_ELIGIBILITY', () =>
    subjectSpec.given(eligibleHistory().all()).when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-02' })).thenError('ENROLLMENT.BEFORE_ELIGIBILITY'));
  it('given a baseline on 2026-01-04, when enrolled 29 days later, then enrolled with a baseline-out-of-window deviation', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('RecordTumorAssessment', { ...baseline(), assessmentDate: '2026-01-04' }), meta(COORDINATOR)).all())
      .when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-02-02' }))
      .thenMatches({
        subject: [{ type: 'SubjectEnrolled' }, { type: 'ProtocolDeviationDetected', data: { category: 'baseline-out-of-window', deviationDate: '2026-02-02', description: expect.stringContaining('29 days before enrollment') } }],
        study: [{ type: 'SubjectAddedToRoster' }],
      }));
  it('given a baseline on 2026-01-04, when enrolled 28 days later, then enrolled (the window is inclusive)', () =>
    subjectSpec
      .given(eligibleHistory().run(subjectCommand('RecordTumorAssessment', baseline()), meta(COORDINATOR)).all())
      .when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-02-01' }))
      .thenMatches({ subject: [{ type: 'SubjectEnrolled' }] }));
  it('given S001 eligible, when a coordinator enrolls, then AUTH.ROLE_NOT_ALLOWED', () =>
    subjectSpec.given(eligibleHistory().all()).when(enroll, meta(COORDINATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  it('given S001 eligible, when the enrollment date is 2026-13-01, then VALIDATION.INVALID_DATE', () =>
    subjectSpec.given(eligibleHistory().all()).when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-13-01' })).thenError('VALIDATION.INVALID_DATE'));
  it('given an enrolled subject, when folded, then its status is enrolled with number 1', () => {
    const state = enrolledHistory().state().subject;
    expect(state.status).toBe('enrolled');
    expect(state.status === 'enrolled' && state.enrollment.subjectNumber).toBe(1);
  });
});

function baseline() {
  return {
    assessmentDate: '2026-01-04',
    modality: 'CT' as const,
    baseline: true,
    targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 30, nodal: false }],
    nonTargetStatus: 'absent' as const,
    newLesions: false,
  };
}
