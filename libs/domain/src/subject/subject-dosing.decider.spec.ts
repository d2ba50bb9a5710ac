import { enrolledHistory, eligibleHistory, subjectSpec } from './testing/decider-spec';
import { COORDINATOR, dose, meta, MONITOR, subjectCommand } from './testing/subject.fixtures';

/** Enrolled 2026-01-05: cycle 1 window 2026-01-05…2026-01-12 (day 0–7). */
const recordDose = (...args: Parameters<typeof dose>) => subjectCommand('RecordDose', dose(...args));
const afterCycle1 = () => enrolledHistory().run(recordDose(1, '2026-01-06'), meta(COORDINATOR));

describe('RecordDose', () => {
  it('given S001 enrolled on 2026-01-05, when cycle 1 is given on day 1 at 120 mg deep-sc, then DoseAdministered with its window and no deviation', () =>
    subjectSpec.given(enrolledHistory().all()).when(recordDose(1, '2026-01-06'), meta(COORDINATOR)).then({
      subject: [{ type: 'DoseAdministered', data: { ...dose(1, '2026-01-06'), window: { dueOn: '2026-01-05', from: '2026-01-05', to: '2026-01-12' } } }],
      study: [],
    }));
  it('given cycle 1 on 2026-01-06, when cycle 2 is given 28 + 3 days later, then on schedule (the window edge is inclusive)', () =>
    subjectSpec.given(afterCycle1().all()).when(recordDose(2, '2026-02-06')).then({
      subject: [{ type: 'DoseAdministered', data: { ...dose(2, '2026-02-06'), window: { dueOn: '2026-02-03', from: '2026-01-31', to: '2026-02-06' } } }],
      study: [],
    }));
  it('given cycle 1 on 2026-01-06, when cycle 2 is given 28 + 4 days later, then ProtocolDeviationDetected dose-off-window', () =>
    subjectSpec.given(afterCycle1().all()).when(recordDose(2, '2026-02-07')).thenMatches({
      subject: [{ type: 'DoseAdministered' }, { type: 'ProtocolDeviationDetected', data: { category: 'dose-off-window', severity: 'minor', cycle: 2, deviationDate: '2026-02-07' } }],
    }));
  it('given S001 enrolled on 2026-01-05, when cycle 1 is given on day 8, then dose-off-window', () =>
    subjectSpec.given(enrolledHistory().all()).when(recordDose(1, '2026-01-13')).thenMatches({ subject: [{}, { data: { category: 'dose-off-window' } }] }));
  it('given S001 enrolled, when 90 mg is given, then a wrong-dose deviation', () =>
    subjectSpec.given(enrolledHistory().all()).when(recordDose(1, '2026-01-06', { doseMg: 90 })).thenMatches({ subject: [{ data: { doseMg: 90 } }, { data: { category: 'wrong-dose', severity: 'major' } }] }));
  it.each([['Deep-SC'], ['deep-sc\u200b'], [' deep-sc ']])('given S001 enrolled, when the route %j reads as the protocol route, then no wrong-route deviation (compared as read)', (route) =>
    subjectSpec.given(enrolledHistory().all()).when(recordDose(1, '2026-01-06', { route })).thenMatches({ subject: [{ type: 'DoseAdministered' }], study: [] }));
  it('given S001 enrolled, when given intramuscularly, then a wrong-route deviation', () =>
    subjectSpec.given(enrolledHistory().all()).when(recordDose(1, '2026-01-06', { route: 'im' })).thenMatches({ subject: [{}, { data: { category: 'wrong-route' } }] }));
  it('given cycle 1 recorded, when cycle 3 follows, then a skipped-cycle deviation naming cycle 2 (and the window counts two intervals)', () =>
    subjectSpec.given(afterCycle1().all()).when(recordDose(3, '2026-03-03')).then({
      subject: [
        { type: 'DoseAdministered', data: { ...dose(3, '2026-03-03'), window: { dueOn: '2026-03-03', from: '2026-02-28', to: '2026-03-06' } } },
        { type: 'ProtocolDeviationDetected', data: { deviationDate: '2026-03-03', category: 'skipped-cycle', description: 'Cycle 3 recorded after cycle 1: cycle(s) 2 skipped without a record', severity: 'major', cycle: 3 } },
      ],
      study: [],
    }));
  it('given S001 eligible but not enrolled, when dosed, then SUBJECT.NOT_ENROLLED', () =>
    subjectSpec.given(eligibleHistory().all()).when(recordDose(1, '2026-01-06')).thenError('SUBJECT.NOT_ENROLLED'));
  it('given enrollment on 2026-01-05, when dosed on 2026-01-04, then DOSE.BEFORE_ENROLLMENT', () =>
    subjectSpec.given(enrolledHistory().all()).when(recordDose(1, '2026-01-04')).thenError('DOSE.BEFORE_ENROLLMENT'));
  it('given cycle 1 recorded, when cycle 1 is recorded again, then DOSE.CYCLE_ALREADY_RECORDED', () =>
    subjectSpec.given(afterCycle1().all()).when(recordDose(1, '2026-01-07')).thenError('DOSE.CYCLE_ALREADY_RECORDED'));
  it('given cycle 1 on 2026-01-06, when cycle 2 is dated the same day, then DOSE.OUT_OF_ORDER', () =>
    subjectSpec.given(afterCycle1().all()).when(recordDose(2, '2026-01-06')).thenError('DOSE.OUT_OF_ORDER'));
  it('given a death on 2026-03-01, when a dose is dated 2026-03-02, then SUBJECT.DEAD', () =>
    subjectSpec
      .given(afterCycle1().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'NET progression' })).all())
      .when(recordDose(2, '2026-03-02'))
      .thenError('SUBJECT.DEAD'));
  it('given a withdrawal on 2026-02-01, when a dose is dated 2026-02-03, then SUBJECT.WITHDRAWN', () =>
    subjectSpec
      .given(afterCycle1().run(subjectCommand('WithdrawSubject', { withdrawalDate: '2026-02-01', reason: 'consent-withdrawn' })).all())
      .when(recordDose(2, '2026-02-03'))
      .thenError('SUBJECT.WITHDRAWN'));
  it('given treatment discontinued on 2026-02-01, when a dose is dated 2026-02-03, then it is recorded with a dose-after-discontinuation deviation', () =>
    subjectSpec
      .given(afterCycle1().run(subjectCommand('DiscontinueTreatment', { discontinuationDate: '2026-02-01', reason: 'toxicity' })).all())
      .when(recordDose(2, '2026-02-03'))
      .thenMatches({ subject: [{ type: 'DoseAdministered' }, { type: 'ProtocolDeviationDetected', data: { category: 'dose-after-discontinuation', severity: 'major', cycle: 2 } }] }));
  it('given treatment discontinued on 2026-02-01, when a missed dose is due 2026-02-03, then TREATMENT.DISCONTINUED (no dose is due any more)', () =>
    subjectSpec
      .given(afterCycle1().run(subjectCommand('DiscontinueTreatment', { discontinuationDate: '2026-02-01', reason: 'toxicity' })).all())
      .when(subjectCommand('RecordMissedDose', { cycle: 2, dueOn: '2026-02-03', reason: 'x' }))
      .thenError('TREATMENT.DISCONTINUED'));
  it('given S001 enrolled, when a monitor records a dose, then AUTH.ROLE_NOT_ALLOWED', () =>
    subjectSpec.given(enrolledHistory().all()).when(recordDose(1, '2026-01-06'), meta(MONITOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  it.each([
    ['cycle 0', { cycle: 0 }, 'VALIDATION.OUT_OF_RANGE'],
    ['a zero dose', { doseMg: 0 }, 'VALIDATION.OUT_OF_RANGE'],
    ['a subnormal dose (1e-320 mg)', { doseMg: 1e-320 }, 'VALIDATION.PRECISION'],
    ['the smallest double (5e-324 mg)', { doseMg: Number.MIN_VALUE }, 'VALIDATION.PRECISION'],
    ['a dose to 0.0001 mg', { doseMg: 119.9999 }, 'VALIDATION.PRECISION'],
    ['0.1 + 0.2 mg as a float computes it', { doseMg: 0.1 + 0.2 }, 'VALIDATION.PRECISION'],
    ['no lot number', { lotNumber: '' }, 'VALIDATION.REQUIRED'],
    ['2026-02-29 (not a leap year)', { administeredOn: '2026-02-29' }, 'VALIDATION.INVALID_DATE'],
    ['a date after the recording date', { administeredOn: '2026-07-02' }, 'VALIDATION.FUTURE_DATE'],
  ])('given S001 enrolled, when dosed with %s, then %s', (_name, over, code) =>
    subjectSpec.given(enrolledHistory().all()).when(subjectCommand('RecordDose', { ...dose(1, '2026-01-06'), ...over } as never)).thenError(code as string, 'validation'));
});

describe('RecordDose precision', () => {
  it.each([[0.001], [119.875], [120.5]])('given S001 enrolled, when dosed with %p mg (to the microgram at most), then the dose is recorded, with a wrong-dose deviation', (doseMg) =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(subjectCommand('RecordDose', { ...dose(1, '2026-01-06'), doseMg }))
      .thenMatches({ subject: [{ type: 'DoseAdministered', data: { doseMg } }, { type: 'ProtocolDeviationDetected', data: { category: 'wrong-dose' } }] }));
});

describe('clinical dates against the recording instant', () => {
  const cycle1On = (date: string) => subjectCommand('RecordDose', dose(1, date));
  it('given the server clock at 2026-06-30T12:00Z, when a dose is dated 2026-07-01, then accepted (already 2026-07-01 at UTC+14)', () =>
    subjectSpec.given(enrolledHistory().all()).when(cycle1On('2026-07-01'), meta(COORDINATOR, '2026-06-30T12:00:00.000Z')).thenMatches({ subject: [{ type: 'DoseAdministered', data: { administeredOn: '2026-07-01' } }, { data: { category: 'dose-off-window' } }] }));
  it('given the server clock at 2026-06-30T09:00Z, when a dose is dated 2026-07-01, then VALIDATION.FUTURE_DATE (no time zone has reached it)', () =>
    subjectSpec.given(enrolledHistory().all()).when(cycle1On('2026-07-01'), meta(COORDINATOR, '2026-06-30T09:00:00.000Z')).thenError('VALIDATION.FUTURE_DATE', 'validation'));
});

describe('RecordMissedDose', () => {
  const missed = (cycle: number, dueOn: string) => subjectCommand('RecordMissedDose', { cycle, dueOn, reason: 'hospitalised' });
  it('given cycle 1 given, when cycle 2 is missed, then DoseMissed and a missed-dose deviation', () =>
    subjectSpec.given(afterCycle1().all()).when(missed(2, '2026-02-03')).then({
      subject: [
        { type: 'DoseMissed', data: { cycle: 2, dueOn: '2026-02-03', reason: 'hospitalised' } },
        { type: 'ProtocolDeviationDetected', data: { deviationDate: '2026-02-03', category: 'missed-dose', description: 'Cycle 2 due 2026-02-03 not given: hospitalised', severity: 'major', cycle: 2 } },
      ],
      study: [],
    }));
  it('given cycle 2 missed, when cycle 3 is given, then no skipped-cycle deviation (the missed cycle is on record)', () =>
    subjectSpec
      .given(afterCycle1().run(missed(2, '2026-02-03')).all())
      .when(recordDose(3, '2026-03-03'))
      .then({ subject: [{ type: 'DoseAdministered', data: { ...dose(3, '2026-03-03'), window: { dueOn: '2026-03-03', from: '2026-02-28', to: '2026-03-06' } } }], study: [] }));
  it('given cycle 1 given on 2026-01-06, when cycle 2 is reported missed due 2026-01-06 or earlier, then DOSE.OUT_OF_ORDER (a cycle is due after the one below it)', () => {
    subjectSpec.given(afterCycle1().all()).when(missed(2, '2026-01-05')).thenErrorWith('DOSE.OUT_OF_ORDER', { cycle: 2, dueOn: '2026-01-05' });
    subjectSpec.given(afterCycle1().all()).when(missed(2, '2026-01-06')).thenError('DOSE.OUT_OF_ORDER');
  });
  it('given cycles 1 and 3 given (2026-01-06, 2026-03-03), when cycle 2 is reported missed due on or after 2026-03-03, then DOSE.OUT_OF_ORDER', () =>
    subjectSpec.given(afterCycle1().run(recordDose(3, '2026-03-03')).all()).when(missed(2, '2026-03-10')).thenError('DOSE.OUT_OF_ORDER'));
  it('given cycle 2 missed due 2026-02-03, when cycle 3 is reported missed due 2026-01-20, then DOSE.OUT_OF_ORDER', () =>
    subjectSpec.given(afterCycle1().run(missed(2, '2026-02-03')).all()).when(missed(3, '2026-01-20')).thenError('DOSE.OUT_OF_ORDER'));
  it('given cycle 2 missed due 2026-02-03, when cycle 3 is given on 2026-02-03, then DOSE.OUT_OF_ORDER (cycle 3 cannot be given by the day cycle 2 fell due)', () =>
    subjectSpec.given(afterCycle1().run(missed(2, '2026-02-03')).all()).when(recordDose(3, '2026-02-03')).thenError('DOSE.OUT_OF_ORDER'));
  it('given cycle 1 given, when cycle 1 is reported missed, then DOSE.CYCLE_ALREADY_RECORDED', () =>
    subjectSpec.given(afterCycle1().all()).when(missed(1, '2026-01-05')).thenError('DOSE.CYCLE_ALREADY_RECORDED'));
  it('given S001 not enrolled, when a dose is reported missed, then SUBJECT.NOT_ENROLLED', () =>
    subjectSpec.given(eligibleHistory().all()).when(missed(1, '2026-01-05')).thenError('SUBJECT.NOT_ENROLLED'));
  it('given S001 enrolled, when the reason is missing, then VALIDATION.REQUIRED', () =>
    subjectSpec.given(enrolledHistory().all()).when(subjectCommand('RecordMissedDose', { cycle: 1, dueOn: '2026-01-05', reason: '' })).thenError('VALIDATION.REQUIRED'));
});
