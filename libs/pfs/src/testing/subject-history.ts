import fc from 'fast-check';
import { addDays, DomainError, type ProtocolDocument, type SubjectCommand, type SubjectPayloads } from '@trial-ledger/domain';
import { clinicalReadModels, foldProjection, getCasebook, testing, type ClinicalState } from '@trial-ledger/projections';
import { deriveSubjectPfs } from '../derive-subject-pfs';

/**
 * Test support for the correction and void properties: a subject history written as plain commands,
 * recorded through the domain's deciders (`testing.LedgerScenario`), and the state a data manager reads
 * from it — deviations with the entry each concerns, doses and their windows, RECIST responses, best
 * overall response, the PFS row — with every event id replaced by the number of the command that wrote
 * the entry, so two histories that hold the same facts compare equal whatever their ids and trail.
 */

export const STUDY = 'LANR-HGNET-01';
export const SUBJECT = 'S001';
export const ENROLLED_ON = '2026-03-02';

export type Step = { readonly [K in keyof SubjectPayloads]: { readonly type: K; readonly payload: SubjectPayloads[K] } }[keyof SubjectPayloads];

/** A recorded history: the ledger, the command each entry's event came from, and the first refusal when asked to stop there. */
export interface Recording {
  readonly ledger: testing.LedgerScenario;
  /** Event id → index of the step whose command wrote it (every event of that append). */
  readonly stepOf: Map<string, number>;
  /** Index of the step → the event id of the entry it wrote. */
  readonly entryOf: Map<number, string>;
  /** The steps accepted, in order. */
  readonly accepted: number[];
  /** The first refused step and its code (`stopAtRefusal`), else null. */
  readonly refusal: { readonly step: number; readonly code: string } | null;
}

const command = (step: Step): SubjectCommand => ({ type: step.type, studyId: STUDY, subjectId: SUBJECT, payload: step.payload }) as SubjectCommand;

/**
 * Runs the steps in order; a refused step records nothing and is skipped, or ends the run with `stopAtRefusal`.
 * `labels` numbers the steps (by default their index), so a history made from another's accepted steps
 * names its entries as that one does.
 */
export const record = (protocol: ProtocolDocument, steps: readonly Step[], stopAtRefusal = false, labels: readonly number[] = steps.map((_, i) => i)): Recording => {
  const ledger = new testing.LedgerScenario(STUDY, { now: '2028-01-01T00:00:00.000Z' });
  ledger.registerStudy(protocol);
  const stepOf = new Map<string, number>();
  const entryOf = new Map<number, string>();
  const accepted: number[] = [];
  for (const [at, step] of steps.entries()) {
    const i = labels[at];
    const from = ledger.events.length;
    try {
      const id = ledger.runSubject(command(step), testing.INVESTIGATOR);
      entryOf.set(i, id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (stopAtRefusal) return { ledger, stepOf, entryOf, accepted, refusal: { step: i, code: error.code } };
      continue;
    }
    accepted.push(i);
    for (const event of ledger.events.slice(from)) stepOf.set(event.eventId, i);
  }
  return { ledger, stepOf, entryOf, accepted, refusal: null };
};

/** Runs one command on a recording (a correction or a void); its code when refused, else null. */
export const apply = (recording: Recording, type: 'CorrectEntry' | 'VoidEntry', payload: Record<string, unknown>): { code: string; cause: unknown } | null => {
  try {
    recording.ledger.runSubject({ type, studyId: STUDY, subjectId: SUBJECT, payload } as unknown as SubjectCommand, testing.INVESTIGATOR, String(payload.reason));
    return null;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, cause: error.details?.cause ?? null };
  }
};

/**
 * What a careful data manager compares: everything derived from the facts, nothing of the trail.
 * Open system queries are one per live detected deviation of a monitored category, on the entry it
 * concerns, so the deviations with their entries stand for them too.
 */
export const derivedState = (recording: Recording, protocol: ProtocolDocument) => {
  const casebook = getCasebook(foldProjection(clinicalReadModels, recording.ledger.projected()) as ClinicalState, STUDY, SUBJECT);
  if (casebook === null) return null;
  const step = (eventId: string | null | undefined): number | string => (eventId == null ? '-' : (recording.stepOf.get(eventId) ?? `unknown ${eventId}`));
  const pfs = deriveSubjectPfs(casebook, protocol);
  return {
    status: casebook.status,
    enrollment: casebook.enrollment?.enrollmentDate ?? null,
    eligibility: casebook.eligibility && { confirmed: casebook.eligibility.confirmed, failedCriteria: casebook.eligibility.failedCriteria },
    deviations: casebook.deviations
      .map((d) => ({ source: d.source, category: d.category, severity: d.severity, cycle: d.cycle, date: d.deviationDate, description: d.description, concerns: step(d.relatedEventId ?? d.eventId) }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    doses: casebook.doses.map((d) => ({ step: step(d.eventId), cycle: d.cycle, on: d.administeredOn, window: d.window, withinWindow: d.withinWindow })),
    missedDoses: casebook.missedDoses.map((d) => ({ step: step(d.eventId), cycle: d.cycle, dueOn: d.dueOn })),
    nextDose: casebook.nextDose,
    assessments: casebook.assessments.map((a) => ({
      step: step(a.eventId),
      date: a.assessmentDate,
      baseline: a.baseline,
      sod: a.sumOfDiametersMm,
      nadirBefore: a.nadirBeforeMm,
      target: a.targetResponse,
      overall: a.overallResponse,
      source: a.responseSource,
    })),
    bestOverallResponse: casebook.bestOverallResponse,
    recistIssue: casebook.recistIssue,
    pfs: pfs && { adt: pfs.adt, aval: pfs.aval, cnsr: pfs.cnsr, evntdesc: pfs.evntdesc, cnsdtdsc: pfs.cnsdtdsc, source: step(pfs.source?.eventId) },
  };
};

// --- generated histories -------------------------------------------------------------------------

const day = (n: number): string => addDays(ENROLLED_ON, n);

const lesions = (diameters: ReadonlyArray<number | null>) =>
  diameters.map((d, i) => ({ lesionId: `T${i + 1}`, organ: i === 0 ? 'liver' : 'lung', diameterMm: d, nodal: false }));

const scanPayload = (onDay: number, baseline: boolean, diameters: ReadonlyArray<number | null>, extra: { newLesions?: boolean; nonTargetStatus?: string; modality?: string } = {}): Step => ({
  type: 'RecordTumorAssessment',
  payload: {
    assessmentDate: day(onDay),
    modality: (extra.modality ?? 'CT') as 'CT',
    baseline,
    targetLesions: lesions(diameters),
    nonTargetStatus: (extra.nonTargetStatus ?? 'present') as 'present',
    newLesions: extra.newLesions ?? false,
  },
});

/**
 * One generated subject (treatment discontinued too, so a dose after it is a deviation; doses after
 * progression or a new therapy too): what happened, on which study day, in roughly the order a site keys
 * it in — with the clinical progression, the new therapy or the last scan now and then keyed in last.
 */
export const subjectHistory = (protocol: ProtocolDocument): fc.Arbitrary<Step[]> => {
  const t = protocol.treatment;
  const a = protocol.assessments;
  const dose = fc.record({
    kind: fc.constantFrom('given', 'given', 'given', 'given', 'given', 'missed', 'skipped'),
    delta: fc.integer({ min: -t.windowDays - 3, max: t.windowDays + 3 }),
    wrongDose: fc.constantFrom(false, false, false, false, false, false, false, true),
    wrongRoute: fc.constantFrom(false, false, false, false, false, false, false, true),
  });
  const scan = fc.record({
    delta: fc.integer({ min: -a.windowDays - 4, max: a.windowDays + 4 }),
    factors: fc.tuple(fc.integer({ min: 30, max: 160 }), fc.integer({ min: 30, max: 160 })),
    unmeasured: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
    newLesions: fc.constantFrom(false, false, false, false, false, false, false, true),
    nonTargetStatus: fc.constantFrom('present', 'present', 'present', 'absent', 'unequivocal-progression', 'not-evaluated'),
    modality: fc.constantFrom('CT', 'CT', 'CT', 'MRI'),
    /** A scheduled visit left without a scan (the next scan reveals it missed). */
    skipped: fc.constantFrom(false, false, false, false, false, true),
  });
  return fc
    .record({
      screenDay: fc.integer({ min: -24, max: -8 }),
      consentEarlier: fc.integer({ min: 0, max: 3 }),
      eligibilityAfter: fc.integer({ min: 0, max: 5 }),
      baseline: fc.option(fc.record({ onDay: fc.integer({ min: -a.baselineWindowDays - 6, max: 1 }), diameters: fc.tuple(fc.integer({ min: 10, max: 60 }), fc.integer({ min: 10, max: 60 })) }), { freq: 6 }),
      doses: fc.array(dose, { maxLength: 7 }),
      scans: fc.array(scan, { maxLength: 4 }),
      clinicalProgression: fc.option(fc.integer({ min: 1, max: 220 }), { freq: 3 }),
      newTherapy: fc.option(fc.integer({ min: 1, max: 220 }), { freq: 3 }),
      discontinuation: fc.option(fc.integer({ min: 1, max: 200 }), { freq: 3 }),
      adverseEvents: fc.array(fc.record({ onDay: fc.integer({ min: 0, max: 200 }), grade: fc.integer({ min: 1, max: 4 }) }), { maxLength: 2 }),
      ending: fc.option(fc.record({ kind: fc.constantFrom('death', 'withdrawal'), onDay: fc.integer({ min: 1, max: 240 }) }), { freq: 2 }),
      swaps: fc.array(fc.nat(), { maxLength: 2 }),
      // The progression, the new therapy, the last scan keyed in last, after doses dated later than them (a scan read late, a chart reviewed).
      progressionKeyedLate: fc.constantFrom(false, false, true),
      therapyKeyedLate: fc.constantFrom(false, false, true),
      lastScanKeyedLate: fc.constantFrom(false, false, false, true),
    })
    .map((h) => {
      const dated: Array<{ onDay: number; step: Step }> = [];
      const screenDay = h.screenDay;
      const setup: Step[] = [
        { type: 'ScreenSubject', payload: { screeningDate: day(screenDay), consentDate: day(screenDay - h.consentEarlier), sex: 'F', birthYear: 1960 } },
        {
          type: 'AssessEligibility',
          payload: { assessmentDate: day(screenDay + h.eligibilityAfter), age: 65, primarySite: 'rectum', whoGrade: 2, ki67Percent: 5, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1 },
        },
      ];
      const base = h.baseline?.diameters ?? [30, 20];
      if (h.baseline) dated.push({ onDay: h.baseline.onDay, step: scanPayload(h.baseline.onDay, true, base) });
      dated.push({ onDay: 0, step: { type: 'EnrollSubject', payload: { enrollmentDate: ENROLLED_ON } } });
      // Doses: cycle 1 from the first-dose window, each next one due an interval after the previous dose given.
      let dueDay = t.firstDose.fromDay;
      let cycle = 1;
      for (const d of h.doses) {
        const onDay = Math.max(0, dueDay + d.delta);
        if (d.kind === 'given') {
          dated.push({
            onDay,
            step: {
              type: 'RecordDose',
              payload: { cycle, administeredOn: day(onDay), doseMg: d.wrongDose ? t.doseMg / 2 : t.doseMg, route: d.wrongRoute ? 'iv' : t.route, lotNumber: `LOT-${cycle}`, injectionSite: 'left buttock' },
            },
          });
          dueDay = onDay + t.intervalDays;
        } else {
          if (d.kind === 'missed') dated.push({ onDay: dueDay, step: { type: 'RecordMissedDose', payload: { cycle, dueOn: day(dueDay), reason: 'patient did not attend' } } });
          dueDay += t.intervalDays;
        }
        cycle += 1;
      }
      const late: Step[] = [];
      for (const [k, s] of h.scans.entries()) {
        if (s.skipped) continue;
        const onDay = Math.max(1, (k + 1) * a.intervalDays + s.delta);
        const diameters = base.map((b, i) => (s.unmeasured && i === 1 ? null : Math.max(0, Math.round((b * s.factors[i]) / 100))));
        if (h.lastScanKeyedLate && k === h.scans.length - 1) late.push(scanPayload(onDay, false, diameters, s));
        else dated.push({ onDay, step: scanPayload(onDay, false, diameters, s) });
      }
      if (h.clinicalProgression !== null) {
        const step: Step = { type: 'RecordClinicalProgression', payload: { progressionDate: day(h.clinicalProgression), basis: 'symptomatic deterioration' } };
        if (h.progressionKeyedLate) late.push(step);
        else dated.push({ onDay: h.clinicalProgression, step });
      }
      if (h.newTherapy !== null) {
        const step: Step = { type: 'RecordNewAnticancerTherapy', payload: { startDate: day(h.newTherapy), therapy: 'everolimus' } };
        if (h.therapyKeyedLate) late.push(step);
        else dated.push({ onDay: h.newTherapy, step });
      }
      if (h.discontinuation !== null) {
        dated.push({ onDay: h.discontinuation, step: { type: 'DiscontinueTreatment', payload: { discontinuationDate: day(h.discontinuation), reason: 'toxicity' } } });
      }
      for (const ae of h.adverseEvents) {
        dated.push({ onDay: ae.onDay, step: { type: 'ReportAdverseEvent', payload: { term: 'diarrhoea', onsetDate: day(ae.onDay), ctcaeGrade: ae.grade, serious: ae.grade >= 3, relatedness: 'possibly related' } } });
      }
      if (h.ending) {
        const step: Step =
          h.ending.kind === 'death'
            ? { type: 'RecordDeath', payload: { deathDate: day(h.ending.onDay), cause: 'disease progression' } }
            : { type: 'WithdrawSubject', payload: { withdrawalDate: day(h.ending.onDay), reason: 'consent-withdrawn' } };
        dated.push({ onDay: h.ending.onDay, step });
      }
      // Keyed in by date (the enrollment first on its day), with a pair now and then entered late.
      const ordered = dated
        .map((d, i) => ({ ...d, i }))
        .sort((x, y) => x.onDay - y.onDay || Number(y.step.type === 'EnrollSubject') - Number(x.step.type === 'EnrollSubject') || x.i - y.i)
        .map((d) => d.step);
      for (const s of h.swaps) {
        if (ordered.length < 2) break;
        const at = s % (ordered.length - 1);
        [ordered[at], ordered[at + 1]] = [ordered[at + 1], ordered[at]];
      }
      return [...setup, ...ordered, ...late];
    });
};

/**
 * A change of one recorded field, as a data manager would key it: a date moved by some days, a cycle,
 * dose or route fixed, a lesion re-measured, a scan's flags or method, a grade. `pick` and `amount`
 * choose which and by how much; null when the step's command has nothing of that kind to change.
 */
export const changeOf = (step: Step, pick: number, amount: number): Record<string, unknown> | null => {
  const moved = (date: string): string => addDays(date, amount === 0 ? 1 : amount);
  const p = step.payload as unknown as Record<string, unknown>;
  const options: Array<() => Record<string, unknown>> = [];
  switch (step.type) {
    case 'ScreenSubject':
      options.push(() => ({ screeningDate: moved(step.payload.screeningDate) }), () => ({ consentDate: moved(step.payload.consentDate) }));
      break;
    case 'AssessEligibility':
      options.push(() => ({ assessmentDate: moved(step.payload.assessmentDate) }), () => ({ ki67Percent: Math.abs(amount) }), () => ({ ecog: Math.abs(amount) % 5 }));
      break;
    case 'EnrollSubject':
      options.push(() => ({ enrollmentDate: moved(step.payload.enrollmentDate) }));
      break;
    case 'RecordDose':
      options.push(
        () => ({ administeredOn: moved(step.payload.administeredOn) }),
        () => ({ cycle: Math.max(1, step.payload.cycle + (amount >= 0 ? 1 : -1)) }),
        () => ({ doseMg: step.payload.doseMg === 120 ? 60 : 120 }),
        () => ({ route: step.payload.route === 'deep-sc' ? 'iv' : 'deep-sc' }),
      );
      break;
    case 'RecordMissedDose':
      options.push(() => ({ dueOn: moved(step.payload.dueOn) }), () => ({ cycle: Math.max(1, step.payload.cycle + (amount >= 0 ? 1 : -1)) }));
      break;
    case 'RecordTumorAssessment': {
      const s = step.payload;
      options.push(
        () => ({ assessmentDate: moved(s.assessmentDate) }),
        () => ({ targetLesions: s.targetLesions.map((l, i) => (i === Math.abs(amount) % s.targetLesions.length ? { ...l, diameterMm: Math.max(0, (l.diameterMm ?? 20) + amount) } : l)) }),
        () => ({ baseline: !s.baseline }),
        () => ({ newLesions: !s.newLesions }),
        () => ({ nonTargetStatus: ['absent', 'present', 'unequivocal-progression', 'not-evaluated'][Math.abs(amount) % 4] }),
        () => ({ modality: s.modality === 'CT' ? 'MRI' : 'CT' }),
      );
      break;
    }
    case 'RecordClinicalProgression':
      options.push(() => ({ progressionDate: moved(step.payload.progressionDate) }));
      break;
    case 'RecordNewAnticancerTherapy':
      options.push(() => ({ startDate: moved(step.payload.startDate) }));
      break;
    case 'ReportAdverseEvent':
      options.push(() => ({ onsetDate: moved(step.payload.onsetDate) }), () => ({ ctcaeGrade: 1 + (Math.abs(amount) % 4), serious: Math.abs(amount) % 4 >= 2 }));
      break;
    case 'DiscontinueTreatment':
      options.push(() => ({ discontinuationDate: moved(step.payload.discontinuationDate) }));
      break;
    case 'WithdrawSubject':
      options.push(() => ({ withdrawalDate: moved(step.payload.withdrawalDate) }));
      break;
    case 'RecordDeath':
      options.push(() => ({ deathDate: moved(step.payload.deathDate) }));
      break;
    default:
      return null;
  }
  const change = options[pick % options.length]();
  return Object.keys(change).every((k) => JSON.stringify(change[k]) === JSON.stringify(p[k])) ? null : change;
};

/** The step with the change applied, as if it had been entered so. */
export const withChange = (step: Step, change: Record<string, unknown>): Step => ({ ...step, payload: { ...step.payload, ...change } }) as Step;

/** A protocol unlike the seed's: 21 ± 2-day doses, 42 ± 4-day scans, a 200-day horizon, CT only. */
export const otherProtocol = (seed: ProtocolDocument): ProtocolDocument => ({
  ...seed,
  treatment: { ...seed.treatment, intervalDays: 21, windowDays: 2, firstDose: { fromDay: 0, toDay: 5 } },
  assessments: { ...seed.assessments, modalities: ['CT'], baselineWindowDays: 21, intervalDays: 42, windowDays: 4 },
  endpoint: { ...seed.endpoint, horizonDays: 200, rateDays: [100, 200] },
  monitoring: { systemQueryDeviations: [...(seed.monitoring?.systemQueryDeviations ?? []), 'modality-not-in-protocol'] },
});
