import { DomainError } from '@trial-ledger/domain';
import { clinicalReadModels, getCasebook, getStudyOverview } from '../clinical-read-models.projection';
import { foldProjection } from '../projection';
import { LedgerScenario, seedProtocol } from '../testing';

const STUDY = 'LANR-HGNET-01';

const fold = (ledger: LedgerScenario) => foldProjection(clinicalReadModels, ledger.projected());
const casebookOf = (ledger: LedgerScenario, subjectId = 'S001') => {
  const casebook = getCasebook(fold(ledger), STUDY, subjectId);
  if (!casebook) throw new Error('no casebook');
  return casebook;
};
const refusal = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
};

/** Screened and baseline CT (SOD 50 mm) on 2 January, eligible the same day, enrolled on 5 January. */
const enrolledSubject = (): { ledger: LedgerScenario; s: ReturnType<LedgerScenario['subject']> } => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  s.baseline('2026-01-02', { diameters: [50] });
  s.enrol('2026-01-05');
  return { ledger, s };
};

describe('subject casebook view over the domain fold', () => {
  it('given an enrolled subject without doses, then cycle 1 is due on day 0–7 after enrollment', () => {
    const { ledger } = enrolledSubject();
    const casebook = casebookOf(ledger);
    expect(casebook.status).toBe('enrolled');
    expect(casebook.enrollment).toMatchObject({ subjectNumber: 1, enrollmentDate: '2026-01-05' });
    expect(casebook.nextDose).toEqual({ cycle: 1, dueOn: '2026-01-05', windowFrom: '2026-01-05', windowTo: '2026-01-12' });
  });

  it('given a dose, then the next cycle is due 28 days later ± 3 days and the dose is within its window', () => {
    const { ledger, s } = enrolledSubject();
    s.dose(1, '2026-01-06');
    const casebook = casebookOf(ledger);
    expect(casebook.doses).toHaveLength(1);
    expect(casebook.doses[0]).toMatchObject({ cycle: 1, administeredOn: '2026-01-06', withinWindow: true, corrected: false });
    expect(casebook.nextDose).toEqual({ cycle: 2, dueOn: '2026-02-03', windowFrom: '2026-01-31', windowTo: '2026-02-06' });
  });

  it('given a missed cycle, then it is listed with the deviation the domain detected and the schedule carries on', () => {
    const { ledger, s } = enrolledSubject();
    s.dose(1, '2026-01-06');
    s.missDose(2, '2026-02-03', 'subject hospitalised');
    const casebook = casebookOf(ledger);
    expect(casebook.missedDoses).toEqual([expect.objectContaining({ cycle: 2, dueOn: '2026-02-03', reason: 'subject hospitalised' })]);
    expect(casebook.deviations).toEqual([expect.objectContaining({ source: 'detected', category: 'missed-dose', cycle: 2 })]);
    expect(casebook.nextDose?.cycle).toBe(3);
    expect(casebook.nextDose?.dueOn).toBe('2026-03-03');
  });

  it('given a protocol amendment of the dosing interval, then the next dose due follows the amended schedule', () => {
    const { ledger, s } = enrolledSubject();
    s.dose(1, '2026-01-06');
    const amended = seedProtocol();
    ledger.amendProtocol({ ...amended, version: 2, treatment: { ...amended.treatment, intervalDays: 21, windowDays: 2 } }, 'interval shortened');
    const casebook = casebookOf(ledger);
    expect(casebook.schedule?.protocolVersion).toBe(2);
    expect(casebook.nextDose).toEqual({ cycle: 2, dueOn: '2026-01-27', windowFrom: '2026-01-25', windowTo: '2026-01-29' });
  });

  it('given a correction, then the latest values are shown and the correction is listed with reason, before and after', () => {
    const { ledger, s } = enrolledSubject();
    const dose = s.dose(1, '2026-01-06');
    const correction = s.correct(dose, { lotNumber: 'L-002' }, 'transcription error');
    const casebook = casebookOf(ledger);
    expect(casebook.doses[0]).toMatchObject({ lotNumber: 'L-002', corrected: true });
    expect(casebook.corrections).toEqual([
      expect.objectContaining({ eventId: correction, targetEventId: dose, targetType: 'DoseAdministered', before: { lotNumber: 'L-001' }, after: { lotNumber: 'L-002' }, reason: 'transcription error' }),
    ]);
    const entry = casebook.entries.find((e) => e.eventId === dose);
    expect(entry?.recorded).toMatchObject({ type: 'DoseAdministered', data: { lotNumber: 'L-001' } });
    expect(entry?.current).toMatchObject({ type: 'DoseAdministered', data: { lotNumber: 'L-002' } });
    expect(entry?.correctionIds).toEqual([correction]);
  });

  it("given cycle 2 corrected 6 days later, then cycle 3's window is re-derived from the corrected date and cycle 2 is off window", () => {
    const { ledger, s } = enrolledSubject();
    s.dose(1, '2026-01-06');
    const dose2 = s.dose(2, '2026-02-03');
    s.dose(3, '2026-03-10');
    expect(casebookOf(ledger).doses.map((d) => d.withinWindow)).toEqual([true, true, false]);
    s.correct(dose2, { administeredOn: '2026-02-09' }, 'date mistyped');
    const doses = casebookOf(ledger).doses;
    expect(doses[2]).toMatchObject({ cycle: 3, window: { dueOn: '2026-03-09', from: '2026-03-06', to: '2026-03-12' }, withinWindow: true });
    expect(doses[1]).toMatchObject({ cycle: 2, window: { dueOn: '2026-02-03', from: '2026-01-31', to: '2026-02-06' }, withinWindow: false });
  });

  it('given two corrections of one entry, then they apply in order; a correction cannot be voided (the entry is corrected again)', () => {
    const { ledger, s } = enrolledSubject();
    const ae = s.adverseEvent('2026-01-20', 1);
    s.correct(ae, { ctcaeGrade: 2 }, 'worse than first noted');
    const second = s.correct(ae, { ctcaeGrade: 3 }, 'lab result');
    expect(casebookOf(ledger).adverseEvents[0].ctcaeGrade).toBe(3);
    expect(refusal(() => s.void(second, 'correction entered on the wrong subject'))).toBe('ENTRY.NOT_VOIDABLE');
    s.correct(ae, { ctcaeGrade: 2 }, 'lab result belonged to another subject');
    const casebook = casebookOf(ledger);
    expect(casebook.adverseEvents[0].ctcaeGrade).toBe(2);
    expect(casebook.corrections.map((c) => c.after)).toEqual([{ ctcaeGrade: 2 }, { ctcaeGrade: 3 }, { ctcaeGrade: 2 }]);
  });

  it('given an AE recorded recovering, then recovered, then its later outcome corrected and voided, then the casebook shows the current outcome and end date at each step', () => {
    const { ledger, s } = enrolledSubject();
    const ae = s.adverseEvent('2026-01-20', 2);
    const other = s.adverseEvent('2026-01-22', 1);
    expect(casebookOf(ledger).adverseEvents.map((a) => [a.outcome, a.endDate, a.outcomeRecord])).toEqual([[null, null, null], [null, null, null]]);
    s.adverseEventOutcome(ae, 'recovering');
    expect(casebookOf(ledger).adverseEvents[0]).toMatchObject({ eventId: ae, outcome: 'recovering', endDate: null });
    const recovered = s.adverseEventOutcome(ae, 'recovered', '2026-02-03');
    let casebook = casebookOf(ledger);
    expect(casebook.adverseEvents[0]).toMatchObject({ outcome: 'recovered', endDate: '2026-02-03', outcomeRecord: { eventId: recovered, corrected: false } });
    expect(casebook.adverseEvents[1]).toMatchObject({ eventId: other, outcome: null, endDate: null });
    s.correct(recovered, { endDate: '2026-02-05' }, 'end date per the clinic letter');
    expect(casebookOf(ledger).adverseEvents[0]).toMatchObject({ outcome: 'recovered', endDate: '2026-02-05', outcomeRecord: { eventId: recovered, corrected: true } });
    s.void(recovered, 'entered on the wrong AE');
    casebook = casebookOf(ledger);
    expect(casebook.adverseEvents[0]).toMatchObject({ outcome: 'recovering', endDate: null });
    expect(casebook.entries.find((e) => e.eventId === recovered)).toMatchObject({ type: 'AdverseEventOutcomeRecorded', voidedBy: expect.any(String) });
  });

  it('given a voided off-window dose, then it and the deviation detected from it leave the views but stay listed as voided', () => {
    const { ledger, s } = enrolledSubject();
    const dose = s.dose(1, '2026-01-20');
    expect(casebookOf(ledger).deviations).toEqual([expect.objectContaining({ category: 'dose-off-window', cycle: 1, source: 'detected' })]);
    s.void(dose, 'entered on the wrong subject');
    const casebook = casebookOf(ledger);
    expect(casebook.doses).toEqual([]);
    expect(casebook.deviations).toEqual([]);
    expect(casebook.voids).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ targetEventId: dose, targetType: 'DoseAdministered', reason: 'entered on the wrong subject', voidedData: expect.objectContaining({ administeredOn: '2026-01-20' }) }),
      ]),
    );
    expect(casebook.entries.find((e) => e.eventId === dose)?.voidedBy).toBe(casebook.voids.find((v) => v.targetEventId === dose)?.eventId);
    expect(casebook.nextDose?.cycle).toBe(1);
  });

  it('given a follow-up 22 % above the nadir, then RECIST gives PD; after a correction of the diameter it is re-derived as SD', () => {
    const { ledger, s } = enrolledSubject();
    const scan = s.followUp('2026-03-30', { diameters: [61] });
    expect(casebookOf(ledger).assessments.map((a) => a.overallResponse)).toEqual([null, 'PD']);
    s.correct(scan, { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 52, nodal: false }] }, 'wrong slice measured');
    const [baseline, followUp] = casebookOf(ledger).assessments;
    expect(baseline).toMatchObject({ baseline: true, sumOfDiametersMm: 50 });
    expect(followUp).toMatchObject({ overallResponse: 'SD', sumOfDiametersMm: 52, responseSource: 'derived', corrected: true });
  });

  it('given the baseline voided under a follow-up and a new one dated after it, then that follow-up alone is NE and the later ones are derived against the new baseline', () => {
    const ledger = new LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    const first = s.baseline('2026-01-02', { diameters: [50] });
    s.enrol('2026-01-05');
    s.followUp('2026-02-01', { diameters: [45] });
    s.followUp('2026-03-30', { diameters: [40] });
    s.followUp('2026-06-22', { diameters: [48] });
    s.void(first, 'scan of another subject');
    s.baseline('2026-02-15', { diameters: [50] });
    const casebook = casebookOf(ledger);
    expect(casebook.assessments.map((a) => [a.assessmentDate, a.sumOfDiametersMm, a.overallResponse, a.responseSource])).toEqual([
      ['2026-02-01', null, 'NE', 'derived'],
      ['2026-02-15', 50, null, 'derived'],
      ['2026-03-30', 40, 'SD', 'derived'],
      ['2026-06-22', 48, 'PD', 'derived'],
    ]);
    expect(casebook.recistIssue).toBe('RECIST.ASSESSMENT_BEFORE_BASELINE');
  });

  it('given a voided shrinkage scan, then the nadir moves back and a later scan is re-derived against it', () => {
    const { ledger, s } = enrolledSubject();
    const shrink = s.followUp('2026-03-30', { diameters: [30] });
    s.followUp('2026-06-22', { diameters: [40] });
    // Nadir 30 → 40 is +33 % and +10 mm: PD.
    expect(casebookOf(ledger).assessments.map((a) => a.overallResponse)).toEqual([null, 'PR', 'PD']);
    s.void(shrink, 'scan belongs to another subject');
    // Nadir back at the baseline 50 → 40 is −20 %: SD.
    expect(casebookOf(ledger).assessments.map((a) => a.overallResponse)).toEqual([null, 'SD']);
  });

  it('given an enrolled subject without a baseline, then a follow-up is recorded, not evaluable, with a missing-baseline-assessment deviation', () => {
    const ledger = new LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.enrol('2026-01-05');
    s.followUp('2026-03-30', { diameters: [40] });
    const casebook = casebookOf(ledger);
    expect(casebook.assessments.map((a) => [a.assessmentDate, a.overallResponse])).toEqual([['2026-03-30', 'NE']]);
    expect(casebook.deviations.map((d) => d.category)).toEqual(['missing-baseline-assessment']);
    expect(casebook.bestOverallResponse).toBeNull();
  });

  it("given discontinuation, withdrawal and death, then the status follows the domain's words: enrolled, withdrawn, dead", () => {
    const { ledger, s } = enrolledSubject();
    s.clinicalProgression('2026-04-01');
    s.newTherapy('2026-04-10');
    s.discontinue('2026-04-02');
    expect(casebookOf(ledger)).toMatchObject({ status: 'enrolled', nextDose: null, treatmentDiscontinuation: { discontinuationDate: '2026-04-02', reason: 'progression' } });
    s.withdraw('2026-05-01');
    expect(casebookOf(ledger).status).toBe('withdrawn');
    s.die('2026-06-01');
    const casebook = casebookOf(ledger);
    expect(casebook.status).toBe('dead');
    expect(casebook.death).toMatchObject({ deathDate: '2026-06-01' });
    expect(casebook.clinicalProgressions[0].progressionDate).toBe('2026-04-01');
    expect(casebook.newAnticancerTherapies[0].therapy).toBe('everolimus');
  });

  it('given a signature, then a later correction marks it superseded (never silently carried over)', () => {
    const { ledger, s } = enrolledSubject();
    const ae = s.adverseEvent('2026-01-20', 1);
    s.sign('approval');
    expect(casebookOf(ledger).signatures[0]).toMatchObject({ meaning: 'approval', status: 'valid', supersededBy: [] });
    const correction = s.correct(ae, { ctcaeGrade: 2 }, 'lab result');
    expect(casebookOf(ledger).signatures[0]).toMatchObject({ status: 'superseded', supersededBy: [correction] });
  });

  it('given a record signature, then only a change to that record supersedes it, and it is no casebook entry', () => {
    const { ledger, s } = enrolledSubject();
    const first = s.adverseEvent('2026-01-20', 1);
    const second = s.adverseEvent('2026-01-22', 1);
    const signature = s.signRecord(first);
    expect(casebookOf(ledger).entries.map((e) => e.eventId)).not.toContain(signature);
    s.correct(second, { ctcaeGrade: 2 }, 'lab result');
    expect(casebookOf(ledger).signatures[0]).toMatchObject({ scope: { eventId: first }, status: 'valid' });
    const correction = s.correct(first, { ctcaeGrade: 3 }, 'hospitalised');
    expect(casebookOf(ledger).signatures[0]).toMatchObject({ status: 'superseded', supersededBy: [correction] });
  });

  it('given a casebook signature, then a correction of an entry recorded after it leaves it valid', () => {
    const { ledger, s } = enrolledSubject();
    s.sign('approval');
    const later = s.adverseEvent('2026-02-20', 1);
    s.correct(later, { ctcaeGrade: 2 }, 'lab result');
    expect(casebookOf(ledger).signatures[0]).toMatchObject({ scope: 'casebook', status: 'valid' });
  });

  it('given the same event twice, then the second fold changes nothing (idempotent)', () => {
    const { ledger, s } = enrolledSubject();
    s.dose(1, '2026-01-06');
    const events = ledger.projected();
    const once = foldProjection(clinicalReadModels, events);
    const twice = foldProjection(clinicalReadModels, events, once);
    expect(twice).toBe(once);
    expect(JSON.parse(JSON.stringify(foldProjection(clinicalReadModels, [...events, ...events])))).toEqual(JSON.parse(JSON.stringify(once)));
  });
});

describe('study overview projection', () => {
  it('given subjects in several states, then it counts enrollment against target, statuses, compliance and deviations', () => {
    const ledger = new LedgerScenario(STUDY);
    ledger.registerStudy();
    const a = ledger.subject('S001');
    a.enrol('2026-01-05');
    a.dose(1, '2026-01-06');
    a.dose(2, '2026-02-10');
    a.missDose(3, '2026-03-10', 'travel');
    const b = ledger.subject('S002');
    b.enrol('2026-01-12');
    b.deviationRecorded('2026-01-15', 'informed-consent', 'major');
    b.adverseEvent('2026-01-20', 3, true);
    b.die('2026-02-01');
    const c = ledger.subject('S003');
    c.screen('2026-01-10');
    c.failScreening('2026-01-11', { primarySite: 'caecum' });
    const d = ledger.subject('S004');
    d.screen('2026-01-10');
    d.confirmEligibility('2026-01-10');
    d.withdraw('2026-01-14', 'consent-withdrawn');

    const overview = getStudyOverview(fold(ledger), STUDY);
    expect(overview).not.toBeNull();
    expect(overview?.enrollment).toEqual({ target: 28, enrolled: 2, remaining: 26, percentOfTarget: 7.1 });
    expect(overview?.screened).toBe(4);
    expect(overview?.statusCounts).toEqual({ new: 0, screened: 0, 'screen-failed': 1, eligible: 0, 'withdrawn-before-enrollment': 1, enrolled: 1, withdrawn: 0, dead: 1 });
    expect(getCasebook(fold(ledger), STUDY, 'S004')).toMatchObject({ status: 'withdrawn-before-enrollment', enrollment: null, withdrawal: { withdrawalDate: '2026-01-14', reason: 'consent-withdrawn' } });
    expect(overview?.roster.map((r) => r.subjectId)).toEqual(['S001', 'S002']);
    expect(overview?.dosing).toEqual({ administered: 2, withinWindow: 1, outsideWindow: 1, missed: 1, compliancePercent: 33.3 });
    expect(overview?.deviations).toMatchObject({ total: 3, detected: 2, recorded: 1 });
    expect(overview?.deviations.byCategory.map((d) => [d.category, d.total])).toEqual([
      ['dose-off-window', 1],
      ['informed-consent', 1],
      ['missed-dose', 1],
    ]);
    expect(overview?.adverseEvents).toEqual({ total: 1, serious: 1, grade3OrHigher: 1 });
  });
});
