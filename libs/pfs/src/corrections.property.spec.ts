import fc from 'fast-check';
import { addDays, loadDefaultProtocol, type ProtocolDocument } from '@trial-ledger/domain';
import { apply, changeOf, derivedState, ENROLLED_ON, otherProtocol, record, subjectHistory, withChange, type Recording, type Step } from './testing/subject-history';

/**
 * What a careful data manager expects of corrections and voids (SPEC §2, §3: "corrected values are
 * used; voided entries are not"), for generated subject histories — consent, eligibility, enrollment,
 * doses on and off window, missed and skipped cycles, scans with lesions, clinical progression, new
 * therapy, adverse events, death or withdrawal — under the seed protocol and under one with other
 * numbers (21 ± 2-day doses, 42 ± 4-day scans, a 200-day horizon, CT only), scans on and off their windows,
 * by another method than the baseline's, or left out at a visit:
 * - a correction from X to Y leaves the derived state of a history where Y was entered in the first
 *   place (deviations and the entries they concern — and so the system queries —, windows, RECIST
 *   responses, best overall response, the PFS row); only the trail differs;
 * - a correction refused is refused for a reason entering Y would have met: the same code at the entry,
 *   or a later entry that Y makes impossible (`ENTRY.INVALIDATES_LATER_ENTRY`, its cause the code that
 *   entry would have met);
 * - a void leaves the derived state of a history without the entry;
 * - chains: a corrected entry corrected again, or corrected then voided, ends where entering the last
 *   value, or nothing, would have.
 */

const PROTOCOLS: ReadonlyArray<[string, ProtocolDocument]> = [
  ['the seed protocol (28 ± 3-day doses, 84 ± 7-day scans)', loadDefaultProtocol()],
  ['another protocol (21 ± 2-day doses, 42 ± 4-day scans, 200-day horizon, CT only)', otherProtocol(loadDefaultProtocol())],
];

/** 40 generated histories per property keep the file near 10 s; CORRECTION_PROPERTY_RUNS=600 hunts further. */
const RUNS = Number(process.env.CORRECTION_PROPERTY_RUNS ?? 40);

/** The history where the steps kept were entered so, numbered as the original's steps. */
const entered = (protocol: ProtocolDocument, steps: readonly Step[], kept: readonly number[], replace: (i: number) => Step | null = (i) => steps[i]) => {
  const labels = kept.filter((i) => replace(i) !== null);
  return record(protocol, labels.map((i) => replace(i)!), true, labels);
};

/**
 * A refusal of the change is one entering the history so would also meet. One by design goes further: a
 * change that would turn the investigator's confirmed eligibility into a screen failure (consent moved after
 * the assessment) is refused, `ELIGIBILITY.OUTCOME_CHANGED`, rather than overturning the outcome by the
 * correction of another entry; entered so, the assessment is a screen failure and what rests on it is refused.
 */
const expectSameRefusal = (refusal: { code: string; cause: unknown }, so: Recording, target: number, protocol: ProtocolDocument) => {
  if (refusal.cause === 'ELIGIBILITY.OUTCOME_CHANGED') {
    expect(so.refusal === null ? { confirmed: derivedState(so, protocol)?.eligibility?.confirmed } : { code: so.refusal.code }).toEqual(so.refusal === null ? { confirmed: false } : { code: 'SUBJECT.NOT_ELIGIBLE' });
    return;
  }
  expect(so.refusal).not.toBeNull();
  if (refusal.code === 'ENTRY.INVALIDATES_LATER_ENTRY') {
    expect({ later: so.refusal!.step > target, code: so.refusal!.code }).toEqual({ later: true, code: refusal.cause });
  } else {
    expect(so.refusal).toEqual({ step: target, code: refusal.code });
  }
};

const REASON = 'transcription error against the source';


describe.each(PROTOCOLS)('corrections and voids under %s', (_name, protocol) => {
  const history = subjectHistory(protocol);
  const choice = fc.record({ which: fc.nat(), pick: fc.nat(), amount: fc.integer({ min: -30, max: 30 }) });

  it('the generated histories hold the assessment schedule deviations (method changed, out of window, missed visit), so the properties judge them too', () => {
    const found = new Set(fc.sample(history, { numRuns: 150, seed: 7 }).flatMap((steps) => derivedState(record(protocol, steps), protocol)?.deviations.map((d) => d.category) ?? []));
    expect(['assessment-method-changed', 'assessment-out-of-window', 'missed-assessment'].filter((c) => !found.has(c))).toEqual([]);
  });

  it('a correction from X to Y gives the state of a history where Y was entered in the first place, or a refusal entering Y would meet', () => {
    fc.assert(
      fc.property(history, choice, (steps, { which, pick, amount }) => {
        const recorded = record(protocol, steps);
        const target = recorded.accepted[which % recorded.accepted.length];
        const change = changeOf(steps[target], pick, amount);
        fc.pre(change !== null);
        const refusal = apply(recorded, 'CorrectEntry', { targetEventId: recorded.entryOf.get(target), changes: change, reason: REASON });
        const so = entered(protocol, steps, recorded.accepted, (i) => (i === target ? withChange(steps[i], change!) : steps[i]));
        if (refusal === null) {
          expect(so.refusal).toBeNull();
          expect(derivedState(recorded, protocol)).toEqual(derivedState(so, protocol));
        } else {
          expectSameRefusal(refusal, so, target, protocol);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a void gives the state of a history without the entry, or a refusal because a later entry rests on it', () => {
    fc.assert(
      fc.property(history, fc.nat(), (steps, which) => {
        const recorded = record(protocol, steps);
        const target = recorded.accepted[which % recorded.accepted.length];
        fc.pre(steps[target].type !== 'EnrollSubject'); // subject numbers are never reused: an enrollment is not voided (ITT)
        const refusal = apply(recorded, 'VoidEntry', { targetEventId: recorded.entryOf.get(target), reason: REASON });
        const without = entered(protocol, steps, recorded.accepted, (i) => (i === target ? null : steps[i]));
        if (refusal === null) {
          expect(without.refusal).toBeNull();
          expect(derivedState(recorded, protocol)).toEqual(derivedState(without, protocol));
        } else {
          expect(refusal.code).toBe('ENTRY.INVALIDATES_LATER_ENTRY');
          expectSameRefusal(refusal, without, target, protocol);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a corrected entry corrected again, or voided, ends where entering the last value, or nothing, would have', () => {
    const second = fc.option(choice, { freq: 3 }); // none: the corrected entry is voided
    fc.assert(
      fc.property(history, choice, second, (steps, first, then) => {
        const recorded = record(protocol, steps);
        const target = recorded.accepted[first.which % recorded.accepted.length];
        const change = changeOf(steps[target], first.pick, first.amount);
        fc.pre(change !== null);
        fc.pre(apply(recorded, 'CorrectEntry', { targetEventId: recorded.entryOf.get(target), changes: change, reason: REASON }) === null);
        const corrected = withChange(steps[target], change!);
        if (then === null) {
          fc.pre(corrected.type !== 'EnrollSubject');
          const refusal = apply(recorded, 'VoidEntry', { targetEventId: recorded.entryOf.get(target), reason: REASON });
          const without = entered(protocol, steps, recorded.accepted, (i) => (i === target ? null : steps[i]));
          if (refusal === null) {
            expect(without.refusal).toBeNull();
            expect(derivedState(recorded, protocol)).toEqual(derivedState(without, protocol));
          } else {
            expectSameRefusal(refusal, without, target, protocol);
          }
          return;
        }
        const again = changeOf(corrected, then.pick, then.amount);
        fc.pre(again !== null);
        const refusal = apply(recorded, 'CorrectEntry', { targetEventId: recorded.entryOf.get(target), changes: again, reason: REASON });
        const so = entered(protocol, steps, recorded.accepted, (i) => (i === target ? withChange(corrected, again!) : steps[i]));
        if (refusal === null) {
          expect(so.refusal).toBeNull();
          expect(derivedState(recorded, protocol)).toEqual(derivedState(so, protocol));
        } else {
          expectSameRefusal(refusal, so, target, protocol);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe.each(PROTOCOLS)('the generated histories under %s', (_name, protocol) => {
  it('exercise doses after progression and after a new therapy, found both with the dose and when the progression, therapy or scan is keyed in after it', () => {
    const seen = new Map<string, number>();
    for (const steps of fc.sample(subjectHistory(protocol), { seed: 20261203, numRuns: 120 })) {
      const recorded = record(protocol, steps);
      const found = recorded.ledger.events.filter((e) => e.type === 'ProtocolDeviationDetected' && ['dose-after-progression', 'dose-after-new-therapy'].includes((e.data as { category: string }).category));
      for (const e of found) {
        const { category, relatedEventId } = e.data as { category: string; relatedEventId?: string };
        const how = `${category} ${relatedEventId === undefined ? 'with the dose' : 'afterwards'}`;
        seen.set(how, (seen.get(how) ?? 0) + 1);
      }
    }
    for (const how of ['dose-after-progression with the dose', 'dose-after-progression afterwards', 'dose-after-new-therapy with the dose', 'dose-after-new-therapy afterwards']) {
      expect([how, (seen.get(how) ?? 0) >= 5]).toEqual([how, true]);
    }
  });
});

describe('corrections spelled out', () => {
  const protocol = otherProtocol(loadDefaultProtocol());
  const day = (n: number) => addDays(ENROLLED_ON, n);
  const scan = (onDay: number, baseline: boolean, t1: number, t2: number): Step => ({
    type: 'RecordTumorAssessment',
    payload: {
      assessmentDate: day(onDay),
      modality: 'CT',
      baseline,
      targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: t1, nodal: false }, { lesionId: 'T2', organ: 'lung', diameterMm: t2, nodal: false }],
      nonTargetStatus: 'present',
      newLesions: false,
    },
  });
  const dose = (cycle: number, onDay: number): Step => ({ type: 'RecordDose', payload: { cycle, administeredOn: day(onDay), doseMg: 120, route: 'deep-sc', lotNumber: `LOT-${cycle}`, injectionSite: 'left buttock' } });
  const setup: Step[] = [
    { type: 'ScreenSubject', payload: { screeningDate: day(-14), consentDate: day(-14), sex: 'F', birthYear: 1960 } },
    { type: 'AssessEligibility', payload: { assessmentDate: day(-13), age: 65, primarySite: 'rectum', whoGrade: 2, ki67Percent: 5, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1 } },
    scan(-7, true, 30, 20),
    { type: 'EnrollSubject', payload: { enrollmentDate: ENROLLED_ON } },
  ];

  it('a scan corrected to become the new nadir makes the next one PD, and the PFS event, as if measured so', () => {
    // 50 mm at baseline, 40 mm at day 42 (SD), 45 mm at day 84: SD from a 40 mm nadir (+12.5 %).
    const steps = [...setup, scan(42, false, 24, 16), scan(84, false, 27, 18)];
    const recorded = record(protocol, steps);
    expect(derivedState(recorded, protocol)?.pfs?.cnsr).not.toBe(0);
    // Day 42 re-read as 21 + 15 = 36 mm (−28 %, SD): the nadir; 45 mm is +25 % and +9 mm above it.
    const change = { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 21, nodal: false }, { lesionId: 'T2', organ: 'lung', diameterMm: 15, nodal: false }] };
    expect(apply(recorded, 'CorrectEntry', { targetEventId: recorded.entryOf.get(4), changes: change, reason: 'measured on the wrong series' })).toBeNull();
    const so = record(protocol, steps.map((s, i) => (i === 4 ? withChange(s, change) : s)), true);
    const state = derivedState(recorded, protocol)!;
    expect(state.assessments.slice(1).map((a) => [a.sod, a.overall])).toEqual([[36, 'SD'], [45, 'PD']]);
    expect(state.pfs).toMatchObject({ adt: day(84), aval: 85, cnsr: 0 });
    expect(state).toEqual(derivedState(so, protocol));
  });

  it('a dose date corrected past the next cycle\'s is refused as entering it so would be (DOSE.OUT_OF_ORDER on the later cycle)', () => {
    const steps = [...setup, dose(1, 0), dose(2, 21), dose(3, 42)];
    const recorded = record(protocol, steps);
    const refusal = apply(recorded, 'CorrectEntry', { targetEventId: recorded.entryOf.get(5), changes: { administeredOn: day(45) }, reason: 'date typo' });
    expect(refusal).toEqual({ code: 'ENTRY.INVALIDATES_LATER_ENTRY', cause: 'DOSE.OUT_OF_ORDER' });
    expect(record(protocol, steps.map((s, i) => (i === 5 ? withChange(s, { administeredOn: day(45) }) : s)), true).refusal).toEqual({ step: 6, code: 'DOSE.OUT_OF_ORDER' });
  });

  it('an enrollment date corrected moves cycle 1\'s window, the baseline\'s and the PFS start, and the study roster with it', () => {
    const steps = [...setup, dose(1, 2), scan(42, false, 30, 20)];
    const recorded = record(protocol, steps);
    // Enrolled on day 0 in truth typed as day -10: the baseline of day -7 was after it, cycle 1 twelve days late,
    // the scan of day 42 (day 52 after the typed date) ten days past its 42 ± 4-day window.
    const typo = record(protocol, steps.map((s, i) => (i === 3 ? withChange(s, { enrollmentDate: day(-10) }) : s)));
    expect(derivedState(typo, protocol)?.deviations.map((d) => d.category).sort()).toEqual(['assessment-out-of-window', 'baseline-out-of-window', 'dose-off-window']);
    expect(apply(typo, 'CorrectEntry', { targetEventId: typo.entryOf.get(3), changes: { enrollmentDate: ENROLLED_ON }, reason: 'date typo' })).toBeNull();
    expect(derivedState(typo, protocol)).toEqual(derivedState(recorded, protocol));
    expect(typo.ledger.events.filter((e) => e.type === 'RosterEnrollmentDateCorrected').map((e) => e.data)).toEqual([{ subjectId: 'S001', subjectNumber: 1, enrollmentDate: ENROLLED_ON }]);
  });
});
