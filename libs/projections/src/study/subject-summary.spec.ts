import { clinicalReadModels, getCasebook, getCasebookState, getStudyContext, getStudyOverview, overviewKey, type ClinicalDocument } from '../clinical-read-models.projection';
import { applyChanges, foldProjection } from '../projection';
import { LedgerScenario, seedProtocol } from '../testing';
import { emptyCounters, replaceSummary, summariseSubject, type StudyCounters } from './study-overview.projection';

const STUDY = 'LANR-HGNET-01';

/** A subject whose adverse events are reported, corrected, voided and signed, between doses and assessments. */
const eventfulSubject = (): LedgerScenario => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  s.enrol('2026-01-05');
  s.baseline('2026-01-05');
  s.dose(1, '2026-01-05');
  const mild = s.adverseEvent('2026-01-10', 1);
  s.sign();
  const severe = s.adverseEvent('2026-01-20', 3, true);
  s.dose(2, '2026-02-02');
  s.adverseEvent('2026-02-05', 2);
  s.correct(mild, { ctcaeGrade: 3 }, 'grade re-assessed from the source notes');
  s.signRecord(severe);
  s.void(severe, 'entered in the wrong subject');
  s.dose(3, '2026-03-02');
  s.adverseEvent('2026-03-04', 4, true);
  s.followUp('2026-03-30');
  s.adverseEvent('2026-04-01', 1);
  return ledger;
};

/** A subject whose doses arrive in and out of window, out of cycle order, missed, corrected and voided, with deviations detected and recorded. */
const unevenlyDosedSubject = (): LedgerScenario => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  s.enrol('2026-01-05');
  s.baseline('2026-01-05');
  s.dose(1, '2026-01-05');
  s.dose(2, '2026-02-02');
  const late = s.dose(3, '2026-03-20');
  s.dose(5, '2026-04-10');
  s.dose(4, '2026-04-01');
  s.deviationRecorded('2026-04-02', 'visit-out-of-window', 'minor');
  const recorded = s.deviationRecorded('2026-04-03', 'consent-version', 'major');
  s.missDose(6, '2026-05-08', 'patient unwell');
  s.dose(7, '2026-06-05', { doseMg: 90 });
  s.correct(late, { administeredOn: '2026-03-02' }, 'date transcribed from the wrong visit');
  s.dose(8, '2026-07-03');
  const wrong = s.dose(9, '2026-07-04');
  s.correct(recorded, { severity: 'minor' }, 'severity re-assessed by the investigator');
  s.void(wrong, 'entered in the wrong subject');
  s.dose(9, '2026-07-31');
  s.adverseEvent('2026-08-01', 2);
  s.dose(10, '2026-08-28');
  return ledger;
};

/**
 * A subject whose doses for cycles 2 and 4 are keyed in after the cycles above them: each late dose
 * moves the window of the cycle above it (cycle 3 back into its window, cycle 5 out of it).
 */
const lateDosedSubject = (): LedgerScenario => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  s.enrol('2026-01-05');
  s.baseline('2026-01-05');
  s.dose(1, '2026-01-05');
  s.dose(3, '2026-03-07'); // from cycle 1: due 03-02 ± 3, off window
  s.dose(2, '2026-02-05'); // cycle 3 now due 03-05 ± 3: in window
  s.dose(5, '2026-05-01'); // from cycle 3: due 05-02 ± 3, in window
  s.dose(4, '2026-04-07'); // cycle 5 now due 05-05 ± 3: off window
  return ledger;
};

/**
 * A subject dosed on time every 28 ± 3 days (protocol v1) for cycles 1–3, then the schedule amended to
 * every 21 ± 2 days (v2): cycle 4 is recorded under v2, and cycle 2's date is corrected afterwards, which
 * moves cycle 3's window under v1's schedule (cycle 3 was recorded under v1).
 */
const amendedScheduleSubject = (): LedgerScenario => {
  const ledger = new LedgerScenario(STUDY);
  const v1 = seedProtocol();
  ledger.registerStudy(v1);
  const s = ledger.subject('S001');
  s.enrol('2026-01-05');
  s.baseline('2026-01-05');
  s.dose(1, '2026-01-06');
  const second = s.dose(2, '2026-02-03');
  s.dose(3, '2026-03-03');
  ledger.amendProtocol({ ...v1, version: 2, treatment: { ...v1.treatment, intervalDays: 21, windowDays: 2 } }, 'Amendment 1: every 21 days');
  s.dose(4, '2026-03-24');
  s.correct(second, { administeredOn: '2026-02-05' }, 'date mistyped');
  return ledger;
};

/** Folds the scenario event by event and checks the kept summary against a recount after each; answers the last summary. */
const foldChecked = (ledger: LedgerScenario, minimumChecks: number) => {
  const state: Record<string, ClinicalDocument> = {};
  let checked = 0;
  for (const event of ledger.projected()) {
    applyChanges(state, clinicalReadModels.evolve(state, event));
    const row = getCasebookState(state, STUDY, 'S001');
    if (row === null) continue;
    expect(row.summary).toEqual(summariseSubject(row, getStudyContext(state, STUDY)));
    checked += 1;
  }
  expect(checked).toBeGreaterThan(minimumChecks);
  return { state, summary: getCasebookState(state, STUDY, 'S001')!.summary };
};

describe('a subject summary kept by difference', () => {
  it('equals a recount after every event of doses in and out of window and order, missed, corrected and voided, and of deviations detected, recorded and corrected', () => {
    const { summary } = foldChecked(unevenlyDosedSubject(), 20);
    // Nine doses stand (cycle 9's first record voided); the detected deviations include the off-window doses and the wrong dose.
    expect(summary.dosing.administered).toBe(9);
    expect(summary.dosing.missed).toBe(1);
    expect(summary.dosing.outsideWindow).toBeGreaterThan(0);
    expect(summary.deviations.detected).toBeGreaterThan(2);
    expect(summary.deviations.recorded).toBe(2);
    expect(summary.deviations.detected + summary.deviations.recorded).toBe(summary.deviations.total);
    expect(summary.deviations.byCategory.find((t) => t.category === 'consent-version')).toEqual({ category: 'consent-version', major: 0, minor: 1 });
  });

  it('equals a recount after every event when doses of lower cycles are entered late, and counts the higher cycles in the windows that run from them', () => {
    const { state, summary } = foldChecked(lateDosedSubject(), 8);
    expect(summary.dosing).toEqual({ administered: 5, withinWindow: 4, outsideWindow: 1, missed: 0 });
    expect(summary.deviations.byCategory).toEqual([{ category: 'dose-off-window', major: 0, minor: 1 }]);
    // Cycle 3's deviation, detected from cycle 1, was withdrawn by the late cycle 2; cycle 5's detected by the late cycle 4.
    expect(getCasebookState(state, STUDY, 'S001')!.subject.facts.deviations.map((d) => [d.category, d.cycle])).toEqual([['dose-off-window', 5]]);
    expect(state[overviewKey(STUDY)] as StudyCounters).toMatchObject({ dosing: summary.dosing });
  });

  it('equals a recount from the subject state after every event: reports, corrections, voids and signatures', () => {
    const { state, summary } = foldChecked(eventfulSubject(), 15);
    // Reported: grades 1→3 (corrected), 3 serious (voided), 2, 4 serious, 1.
    expect(summary.adverseEvents).toEqual({ total: 4, serious: 1, grade3OrHigher: 2 });
    expect(state[overviewKey(STUDY)] as StudyCounters).toMatchObject({ adverseEvents: summary.adverseEvents });
    expect(replaceSummary(emptyCounters(), null, summary).adverseEvents).toEqual(summary.adverseEvents);
  });
});

describe('dose windows across a protocol amendment of the dosing schedule', () => {
  it('given cycles 1–3 under v1, the schedule amended and cycle 4 under v2, then the summary kept by difference equals a recount, every dose is within its own version\'s window, and a fold from zero gives the same read models', () => {
    const ledger = amendedScheduleSubject();
    const { state, summary } = foldChecked(ledger, 8);
    expect(summary.dosing).toEqual({ administered: 4, withinWindow: 4, outsideWindow: 0, missed: 0 });
    expect(getCasebook(state, STUDY, 'S001')!.doses.map((d) => [d.cycle, d.window])).toEqual([
      [1, { dueOn: '2026-01-05', from: '2026-01-05', to: '2026-01-12' }],
      [2, { dueOn: '2026-02-03', from: '2026-01-31', to: '2026-02-06' }],
      [3, { dueOn: '2026-03-05', from: '2026-03-02', to: '2026-03-08' }],
      [4, { dueOn: '2026-03-24', from: '2026-03-22', to: '2026-03-26' }],
    ]);
    // The next dose due is the protocol in force's: 21 days after cycle 4.
    expect(getStudyOverview(state, STUDY)!.subjects[0].nextDoseDueOn).toBe('2026-04-14');
    expect(getCasebook(state, STUDY, 'S001')!.deviations).toEqual([]);
    expect(JSON.stringify(foldProjection(clinicalReadModels, ledger.projected()))).toEqual(JSON.stringify(state));
  });
});

describe('deviation categories in the study overview', () => {
  it('given categories that read alike (case, spacing, invisible characters), then they are one category, named as first recorded', () => {
    const ledger = new LedgerScenario(STUDY);
    ledger.registerStudy();
    const first = ledger.subject('S001');
    first.enrol('2026-01-05');
    first.deviationRecorded('2026-01-06', 'Visit out of window', 'minor');
    first.deviationRecorded('2026-01-07', 'visit  out of window', 'major');
    const second = ledger.subject('S002');
    second.enrol('2026-01-05');
    second.deviationRecorded('2026-01-08', 'VISIT OUT\u200b OF WINDOW', 'minor');
    second.deviationRecorded('2026-01-09', 'Consent version', 'major');
    const state: Record<string, ClinicalDocument> = {};
    for (const event of ledger.projected()) applyChanges(state, clinicalReadModels.evolve(state, event));
    const counters = state[overviewKey(STUDY)] as StudyCounters;
    expect(counters.deviations.byCategory).toEqual([
      { category: 'Visit out of window', major: 1, minor: 2 },
      { category: 'Consent version', major: 1, minor: 0 },
    ]);
    expect(getCasebookState(state, STUDY, 'S001')!.summary.deviations.byCategory).toEqual([{ category: 'Visit out of window', major: 1, minor: 1 }]);
  });
});
