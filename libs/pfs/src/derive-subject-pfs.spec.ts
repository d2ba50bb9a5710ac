import { addDays } from '@trial-ledger/domain';
import { testing } from '@trial-ledger/projections';
import { deriveSubjectPfsFromEvents, missedAssessmentGapDays } from './derive-subject-pfs';
import { PfsCnsr, type PfsOptions } from './pfs.types';

const STUDY = 'LANR-HGNET-01';
const START = '2026-01-05';
/** Study day n (day 1 = the start date, ADaM convention). */
const day = (n: number): string => addDays(START, n - 1);
const SD = { diameters: [50] };
const PD = { diameters: [61] };
const NE = { diameters: [null] };

const enrolled = (opts: { baseline?: boolean } = {}) => {
  const ledger = new testing.LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  if (opts.baseline !== false) s.baseline(addDays(START, -10), SD);
  s.enrol(START);
  return { ledger, s };
};

const derive = (ledger: testing.LedgerScenario, options: PfsOptions = {}, protocol = testing.seedProtocol()) =>
  deriveSubjectPfsFromEvents(ledger.projected(), STUDY, 'S001', protocol, options);

describe('PFS derivation per subject (SPEC §3, FDA 2018)', () => {
  it('reads the missed-assessment gap from the protocol: 2 × 84 + 7 = 175 days', () => {
    expect(missedAssessmentGapDays(testing.seedProtocol())).toBe(175);
  });

  it('rule 0 — no baseline assessment: censored at the start date, AVAL 1, CNSR 1, even with a later clinical progression', () => {
    const { ledger, s } = enrolled({ baseline: false });
    s.clinicalProgression(day(85));
    expect(derive(ledger)).toMatchObject({ adt: START, aval: 1, cnsr: PfsCnsr.noBaseline, rule: 'no-baseline', cnsdtdsc: expect.stringContaining('START DATE') });
  });

  it('rule 2 — RECIST PD: an event at the assessment date; AVAL = ADT − STARTDT + 1; traced to the assessment', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    const scan = s.followUp(day(169), PD);
    const pfs = derive(ledger);
    expect(pfs).toMatchObject({ startDate: START, adt: day(169), aval: 169, cnsr: 0, evntdesc: 'PROGRESSION (RECIST PD)', cnsdtdsc: null });
    expect(pfs?.source).toEqual({ eventId: scan, eventType: 'TumorAssessmentRecorded', domain: 'RS', variable: 'RSDTC', sequence: 6 });
  });

  it('rule 2 — clinical progression and death are events; on the same date a RECIST PD is named first', () => {
    const a = enrolled();
    a.s.followUp(day(85), SD);
    a.s.clinicalProgression(day(120));
    expect(derive(a.ledger)).toMatchObject({ adt: day(120), cnsr: 0, evntdesc: 'CLINICAL PROGRESSION', source: expect.objectContaining({ domain: 'CE' }) });

    const b = enrolled();
    b.s.followUp(day(85), PD);
    b.s.die(day(85));
    expect(derive(b.ledger)).toMatchObject({ adt: day(85), evntdesc: 'PROGRESSION (RECIST PD)' });
  });

  it('rule 2 — death before any post-baseline assessment is an event (within 175 days of the start)', () => {
    const { ledger, s } = enrolled();
    s.die(day(60));
    expect(derive(ledger)).toMatchObject({ adt: day(60), aval: 60, cnsr: 0, evntdesc: 'DEATH', source: expect.objectContaining({ domain: 'DS', eventType: 'SubjectDied' }) });
  });

  it('rule 2 — death more than 175 days after the start with no assessment in between: censored at the start date', () => {
    const { ledger, s } = enrolled();
    s.die(addDays(START, 176));
    expect(derive(ledger)).toMatchObject({ adt: START, aval: 1, cnsr: PfsCnsr.eventAfterMissedAssessments, disregardedEvent: expect.objectContaining({ description: 'DEATH' }) });
  });

  it('rule 2 boundary — PD exactly 175 days after the last adequate assessment is an event', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    s.followUp(addDays(day(85), 175), PD);
    expect(derive(ledger)).toMatchObject({ adt: day(260), aval: 260, cnsr: 0 });
  });

  it('rule 2 boundary — PD 176 days after the last adequate assessment: censored there (two missed assessments), CNSR 3', () => {
    const { ledger, s } = enrolled();
    const lastAdequate = s.followUp(day(85), SD);
    s.followUp(day(170), NE);
    s.followUp(addDays(day(85), 176), PD);
    expect(derive(ledger)).toMatchObject({
      adt: day(85),
      aval: 85,
      cnsr: PfsCnsr.eventAfterMissedAssessments,
      rule: 'event-after-missed-assessments',
      source: expect.objectContaining({ eventId: lastAdequate }),
      disregardedEvent: expect.objectContaining({ date: day(261) }),
    });
  });

  it('rule 1 — new anticancer therapy before progression: censored at the last adequate assessment on or before it, CNSR 2', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    s.newTherapy(day(100));
    s.followUp(day(169), PD);
    expect(derive(ledger)).toMatchObject({ adt: day(85), aval: 85, cnsr: PfsCnsr.newAnticancerTherapy, cnsdtdsc: expect.stringContaining('NEW ANTICANCER THERAPY') });
  });

  it('rule 1 — a scan on the day the therapy starts counts (on or before); none at all censors at the start date', () => {
    const a = enrolled();
    a.s.followUp(day(85), SD);
    a.s.newTherapy(day(85));
    expect(derive(a.ledger)).toMatchObject({ adt: day(85), cnsr: PfsCnsr.newAnticancerTherapy });

    const b = enrolled();
    b.s.newTherapy(day(30));
    expect(derive(b.ledger)).toMatchObject({ adt: START, aval: 1, cnsr: PfsCnsr.newAnticancerTherapy });
  });

  it('rule 1 boundary — therapy started on the day of progression is not before it: the progression is an event', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    s.followUp(day(169), PD);
    s.newTherapy(day(169));
    expect(derive(ledger)).toMatchObject({ adt: day(169), cnsr: 0 });
  });

  it('rule 3 — alive without progression: censored at the last adequate post-baseline assessment (an NE scan is not adequate)', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    s.followUp(day(169), NE);
    expect(derive(ledger)).toMatchObject({ adt: day(85), aval: 85, cnsr: PfsCnsr.noProgression, evntdesc: 'ALIVE WITHOUT DOCUMENTED PROGRESSION' });
  });

  it('rule 3 — withdrawn or lost to follow-up: censored at the last adequate assessment, CNSR 5; without one at the start', () => {
    const a = enrolled();
    a.s.followUp(day(85), SD);
    a.s.withdraw(day(100));
    expect(derive(a.ledger)).toMatchObject({ adt: day(85), cnsr: PfsCnsr.withdrawn });

    const b = enrolled();
    b.s.withdraw(day(20), 'consent-withdrawn');
    expect(derive(b.ledger)).toMatchObject({ adt: START, aval: 1, cnsr: PfsCnsr.withdrawn });
  });

  it('horizon — a PD on day 365 is an event; on day 366 it is disregarded and the subject is censored', () => {
    const a = enrolled();
    a.s.followUp(day(85), SD);
    a.s.followUp(day(253), SD);
    a.s.followUp(day(365), PD);
    expect(derive(a.ledger)).toMatchObject({ adt: day(365), aval: 365, cnsr: 0 });

    const b = enrolled();
    b.s.followUp(day(85), SD);
    b.s.followUp(day(253), SD);
    b.s.followUp(day(366), PD);
    expect(derive(b.ledger)).toMatchObject({ adt: day(253), aval: 253, cnsr: PfsCnsr.noProgression });
  });

  it('cutoff — events after the data cutoff are disregarded; on the cutoff date they count', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    s.followUp(day(169), PD);
    expect(derive(ledger, { cutoff: day(168) })).toMatchObject({ adt: day(85), cnsr: PfsCnsr.noProgression });
    expect(derive(ledger, { cutoff: day(169) })).toMatchObject({ adt: day(169), cnsr: 0 });
    expect(() => derive(ledger, { cutoff: '2026-13-01' })).toThrow(expect.objectContaining({ code: 'PFS.INVALID_CUTOFF' }));
  });

  it('cutoff — a subject enrolled after the data cutoff is not in the analysis at that cut (no row dated after the cutoff)', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), PD);
    expect(derive(ledger, { cutoff: addDays(START, -1) })).toBeNull();
    expect(derive(ledger, { cutoff: START })).toMatchObject({ adt: START, aval: 1, cnsr: PfsCnsr.noProgression });
  });

  it('late entry — a PD scan entered after a later SD scan is recorded and is the event, at its own date', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(169), SD);
    const scan = s.followUp(day(85), PD);
    expect(derive(ledger)).toMatchObject({ adt: day(85), aval: 85, cnsr: 0, evntdesc: 'PROGRESSION (RECIST PD)', source: expect.objectContaining({ eventId: scan }) });
  });

  it('corrections — a scan date corrected to before an earlier-entered scan re-judges both in date order (here the PD goes away)', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), { diameters: [30] });
    const scan = s.followUp(day(169), { diameters: [38] });
    expect(derive(ledger)).toMatchObject({ adt: day(169), cnsr: 0 });
    s.correct(scan, { assessmentDate: day(60) }, 'date mistyped');
    expect(derive(ledger)).toMatchObject({ adt: day(85), cnsr: PfsCnsr.noProgression });
    expect(() => s.correct(scan, { assessmentDate: day(85) }, 'date mistyped')).toThrow(expect.objectContaining({ code: 'RECIST.DUPLICATE_ASSESSMENT_DATE' }));
  });

  it('corrections — a progression that a later correction removes is no event', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    const scan = s.followUp(day(169), PD);
    expect(derive(ledger)?.cnsr).toBe(0);
    s.correct(scan, { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 51, nodal: false }] }, 'measurement error');
    expect(derive(ledger)).toMatchObject({ adt: day(169), cnsr: PfsCnsr.noProgression });
  });

  it('corrections — a corrected enrollment date is the start date: STARTDT and AVAL follow it (it used to be refused, ENROLLMENT.DATE_NOT_CORRECTABLE)', () => {
    const { ledger, s } = enrolled();
    const enrolment = ledger.events.find((e) => e.type === 'SubjectEnrolled')!.eventId;
    s.followUp(day(85), PD);
    s.correct(enrolment, { enrollmentDate: addDays(START, 2) }, 'date transposed');
    expect(derive(ledger)).toMatchObject({ startDate: addDays(START, 2), adt: day(85), aval: 83 });
  });

  it('late baseline — a baseline dated after an early scan still judges the scans dated after it: their PD is the event', () => {
    const { ledger, s } = enrolled({ baseline: false });
    s.followUp(day(30), SD);
    s.followUp(day(120), SD);
    const pd = s.followUp(day(169), PD);
    s.baseline(day(60), SD); // entered last, dated after the day-30 scan: that one alone is not evaluable
    expect(derive(ledger)).toMatchObject({ adt: day(169), cnsr: PfsCnsr.event, source: { eventId: pd }, gapMeasuredFrom: { date: day(120) } });
  });

  it('voids — a voided PD assessment is ignored', () => {
    const { ledger, s } = enrolled();
    s.followUp(day(85), SD);
    const scan = s.followUp(day(169), PD);
    s.void(scan, 'scan of another subject');
    expect(derive(ledger)).toMatchObject({ adt: day(85), cnsr: PfsCnsr.noProgression });
  });

  it('population — a subject never enrolled (screen failure) has no PFS row', () => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.screen('2026-01-01');
    s.failScreening('2026-01-02', { ki67Percent: 35 });
    expect(derive(ledger)).toBeNull();
  });

  it('population — a subject enrolled after the data cutoff is not in the analysis at that cut; enrolled on the cutoff date, it is', () => {
    const { ledger } = enrolled();
    expect(derive(ledger, { cutoff: addDays(START, -1) })).toBeNull();
    expect(derive(ledger, { cutoff: START })).toMatchObject({ startDate: START, adt: START, aval: 1, cnsr: PfsCnsr.noProgression });
  });

  it('thresholds come from the protocol document, not from code', () => {
    const protocol = testing.seedProtocol();
    const amended = { ...protocol, assessments: { ...protocol.assessments, intervalDays: 56 }, endpoint: { ...protocol.endpoint, horizonDays: 180 } };
    const { ledger, s } = enrolled();
    s.followUp(day(57), SD);
    s.followUp(addDays(day(57), 120), PD); // 2 × 56 + 7 = 119 < 120: two missed assessments
    expect(derive(ledger, {}, amended)).toMatchObject({ adt: day(57), cnsr: PfsCnsr.eventAfterMissedAssessments });
    const late = enrolled();
    late.s.followUp(day(57), SD);
    late.s.followUp(day(181), PD); // past the 180-day horizon
    expect(derive(late.ledger, {}, amended)).toMatchObject({ adt: day(57), cnsr: PfsCnsr.noProgression });
  });
});
