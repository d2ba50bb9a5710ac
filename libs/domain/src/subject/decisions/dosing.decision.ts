import type { RecordDosePayload, RecordMissedDosePayload } from '../../commands/command.types';
import type { DoseAdministered, ProtocolDeviationDetected } from '../../events/event.types';
import { asRuleOf, type DosingRule, type DosingRules } from '../../protocol/dosing-rules';
import { refuse } from '../../shared/domain-error';
import { readAlike } from '../../shared/free-text';
import { addDays, compareDates, daysBetween, type IsoDate } from '../../shared/iso-date';
import { boundedNumber, pastDate, PAYLOAD_FIELDS, requirePayload, text } from '../payload.validate';
import type { DoseFact, EnrollmentFact, SubjectFacts } from '../subject.state';
import { notAfterDeath, notAfterWithdrawal, notBeforeEnrollment, requireEnrolled } from './guards';
import type { ClinicalDecision, DecisionContext } from './decision.types';
import { SCHEDULE_DEVIATIONS } from './assessment-schedule.categories';

/** Categories of deviations the system detects from a recorded dose (stable ids for reports). */
export const DETECTED_DEVIATIONS = {
  doseOffWindow: 'dose-off-window',
  wrongDose: 'wrong-dose',
  wrongRoute: 'wrong-route',
  skippedCycle: 'skipped-cycle',
  missedDose: 'missed-dose',
  /** A follow-up tumour assessment recorded while the subject has no baseline one (RECIST cannot evaluate it). */
  missingBaselineAssessment: 'missing-baseline-assessment',
  /** Baseline imaging older than the protocol's window before enrollment, or dated after enrollment. */
  baselineOutOfWindow: 'baseline-out-of-window',
  /** A dose given after treatment was discontinued. */
  doseAfterDiscontinuation: 'dose-after-discontinuation',
  /** A tumour assessment made with a RECIST 1.1 method (CT, MRI) the protocol's `assessments.modalities` does not list. */
  modalityNotInProtocol: 'modality-not-in-protocol',
  /** A dose dated after documented progression (the earliest RECIST 1.1 PD or clinical progression): treatment runs until progression. */
  doseAfterProgression: 'dose-after-progression',
  /** A dose dated on or after the start of a new anticancer therapy, which the protocol prohibits while on study treatment. */
  doseAfterNewTherapy: 'dose-after-new-therapy',
  /** The tumour assessment schedule: method changed from baseline, scan out of window, visit missed. */
  ...SCHEDULE_DEVIATIONS,
} as const;

/** Every category the system detects itself, each a possible trigger of a system query. */
export const DETECTED_DEVIATION_CATEGORIES: readonly string[] = Object.values(DETECTED_DEVIATIONS);

export type DoseWindow = DoseAdministered['data']['window'];

/** A dose on record as the window derivations read it; without a stamped version it is judged by the registered protocol. */
type WindowedDose = { readonly eventId: string; readonly cycle: number; readonly administeredOn: IsoDate; readonly protocolVersion?: number | null };

type ScheduledDose = Pick<DoseFact, 'cycle' | 'administeredOn'>;

/**
 * The dose a cycle's window runs from: among the first `count` doses, the one of the highest cycle
 * below `cycle` (of equal cycles, the one recorded last). A scan, not a filtered and sorted copy: it
 * runs for every dose of every subject a read model folds.
 */
const previousDose = <D extends ScheduledDose>(doses: readonly D[], count: number, cycle: number): D | undefined => {
  let previous: D | undefined;
  for (let i = 0; i < count; i += 1) {
    const dose = doses[i];
    if (dose.cycle < cycle && (previous === undefined || dose.cycle >= previous.cycle)) previous = dose;
  }
  return previous;
};

/** Cycle 1 runs from enrollment; cycle n from the previous dose given (or, with none, from enrollment). */
const windowAfter = (t: DosingRule, enrollmentDate: IsoDate, previous: ScheduledDose | undefined, cycle: number): DoseWindow => {
  if (cycle === 1) {
    return { dueOn: addDays(enrollmentDate, t.firstDose.fromDay), from: addDays(enrollmentDate, t.firstDose.fromDay), to: addDays(enrollmentDate, t.firstDose.toDay) };
  }
  const dueOn = previous
    ? addDays(previous.administeredOn, t.intervalDays * (cycle - previous.cycle))
    : addDays(enrollmentDate, t.firstDose.fromDay + t.intervalDays * (cycle - 1));
  return { dueOn, from: addDays(dueOn, -t.windowDays), to: addDays(dueOn, t.windowDays) };
};

/**
 * The protocol window of a cycle (SPEC §1): cycle 1 on day `firstDose.fromDay`–`toDay` after
 * enrollment; cycle n is due `intervalDays` after the previous administered dose (per cycle in between
 * when cycles were missed), ± `windowDays`. With no earlier dose the schedule runs from enrollment.
 */
export const scheduledWindow = (t: DosingRule, enrollmentDate: IsoDate, doses: readonly ScheduledDose[], cycle: number): DoseWindow =>
  windowAfter(t, enrollmentDate, previousDose(doses, doses.length, cycle), cycle);

/**
 * The windows of the doses as they stand now. The window stored in each `DoseAdministered` is what was
 * known when it was recorded; after an enrollment date or an earlier dose is corrected or voided, or a
 * dose of a lower cycle is entered late, cycle n+1 is due at the *current* previous dose + interval.
 * Each dose's window is re-derived from the current enrollment date and the dose of the highest cycle
 * below it, whenever that one was recorded (of equal cycles, the one recorded last), so a casebook
 * recorded in cycle order and never corrected keeps its stored windows exactly. The schedule is the one
 * of the protocol version the dose itself was recorded under (`rules` by its `protocolVersion`): a
 * protocol amendment does not re-judge the doses given before it.
 */
export const currentDoseWindows = (rules: DosingRules, enrollmentDate: IsoDate, dosesInRecordingOrder: readonly WindowedDose[]): Map<string, DoseWindow> => {
  const ruleOf = asRuleOf(rules);
  // By cycle (a stable sort keeps equal cycles in recording order): each dose's window runs from the
  // last dose of the cycles below it.
  const byCycle = [...dosesInRecordingOrder].sort((a, b) => a.cycle - b.cycle);
  const derived = new Map<string, DoseWindow>();
  let below: (typeof dosesInRecordingOrder)[number] | undefined;
  byCycle.forEach((d, i) => {
    if (i > 0 && byCycle[i - 1].cycle < d.cycle) below = byCycle[i - 1];
    derived.set(d.eventId, windowAfter(ruleOf(d.protocolVersion), enrollmentDate, below, d.cycle));
  });
  return new Map(dosesInRecordingOrder.map((d) => [d.eventId, derived.get(d.eventId)!]));
};

/**
 * The current window of the dose recorded last, as `currentDoseWindows` gives it: what a read model
 * needs when a dose is appended above every cycle on record, so that the windows of the doses before it
 * stay as they were (a dose entered late for a lower cycle moves the windows of the cycles above it).
 */
export const currentWindowOfLastDose = (
  rules: DosingRules,
  enrollmentDate: IsoDate,
  dosesInRecordingOrder: ReadonlyArray<Omit<WindowedDose, 'eventId'>>,
): DoseWindow | null => {
  const last = dosesInRecordingOrder.at(-1);
  if (last === undefined) return null;
  return windowAfter(asRuleOf(rules)(last.protocolVersion), enrollmentDate, previousDose(dosesInRecordingOrder, dosesInRecordingOrder.length - 1, last.cycle), last.cycle);
};

const highestRecordedCycle = (facts: SubjectFacts): number =>
  Math.max(0, ...facts.doses.map((d) => d.cycle), ...facts.missedDoses.map((d) => d.cycle));

/** A cycle number that jumps past the next expected one means the cycles in between were skipped. */
const skippedCycleDeviation = (facts: SubjectFacts, cycle: number, date: IsoDate): ProtocolDeviationDetected[] => {
  const highest = highestRecordedCycle(facts);
  if (cycle <= highest + 1) return [];
  const skipped = Array.from({ length: cycle - highest - 1 }, (_, i) => highest + 1 + i);
  return [{
    type: 'ProtocolDeviationDetected',
    data: {
      deviationDate: date,
      category: DETECTED_DEVIATIONS.skippedCycle,
      description: `Cycle ${cycle} recorded after cycle ${highest}: cycle(s) ${skipped.join(', ')} skipped without a record`,
      severity: 'major',
      cycle,
    },
  }];
};

const requireCycleFree = (facts: SubjectFacts, cycle: number): void => {
  if (facts.doses.some((d) => d.cycle === cycle) || facts.missedDoses.some((d) => d.cycle === cycle)) {
    refuse('DOSE.CYCLE_ALREADY_RECORDED', `Cycle ${cycle} already has a dose or a missed-dose record`, { cycle });
  }
};

/**
 * Cycles follow one another in time: a cycle's date — the day it was given, or for a missed cycle the day
 * it fell due — lies after the date of the cycle on record below it and before that of the cycle above it.
 * A missed cycle 11 "due" months before cycle 10 was given, or a cycle 3 given by the day the missed
 * cycle 2 fell due, contradicts the record (and would put the next due date before the last one).
 */
const requireCycleInOrder = (facts: SubjectFacts, cycle: number, date: IsoDate, field: 'administeredOn' | 'dueOn'): void => {
  const cycles = [
    ...facts.doses.map((d) => ({ cycle: d.cycle, date: d.administeredOn, missed: false })),
    ...facts.missedDoses.map((d) => ({ cycle: d.cycle, date: d.dueOn, missed: true })),
  ].sort((a, b) => a.cycle - b.cycle);
  const before = cycles.filter((c) => c.cycle < cycle).at(-1);
  const after = cycles.find((c) => c.cycle > cycle);
  if ((before && compareDates(date, before.date) <= 0) || (after && compareDates(date, after.date) >= 0)) {
    const describe = (c: (typeof cycles)[number] | undefined): string => (c ? `cycle ${c.cycle} (${c.missed ? 'due' : 'given'} ${c.date})` : '-');
    refuse('DOSE.OUT_OF_ORDER', `Cycle ${cycle} ${field === 'dueOn' ? 'due' : 'on'} ${date} must fall after ${describe(before)} and before ${describe(after)}`, {
      cycle,
      [field]: date,
      previous: before ?? null,
      next: after ?? null,
    });
  }
};

/**
 * Treatment facts: enrolled, not before enrollment, not after death or withdrawal. After a
 * discontinuation no dose is due (a missed dose is refused), but a dose that was given all the same is
 * recorded, with a detected deviation (`dose-after-discontinuation`).
 */
const requireOnTreatment = (facts: SubjectFacts, ctx: DecisionContext, date: IsoDate, field: string, givenAfterDiscontinuation = false): EnrollmentFact => {
  const enrollment = requireEnrolled(facts, ctx.subjectId);
  notBeforeEnrollment(enrollment, date, field, 'DOSE.BEFORE_ENROLLMENT');
  notAfterDeath(facts, date, field);
  notAfterWithdrawal(facts, date, field);
  if (!givenAfterDiscontinuation && facts.discontinuation && compareDates(date, facts.discontinuation.date) > 0) {
    refuse('TREATMENT.DISCONTINUED', `${field} ${date} lies after treatment was discontinued (${facts.discontinuation.date})`, {
      field,
      date,
      discontinuationDate: facts.discontinuation.date,
    });
  }
  return enrollment;
};

/**
 * `RecordDose`: the dose is recorded as given; what departs from the protocol (window, dose, route,
 * skipped cycles) is recorded alongside as `ProtocolDeviationDetected` — a deviation is a fact to
 * report (ICH E3 10.2), not a reason to refuse the truth.
 */
export const decideRecordDose: ClinicalDecision<RecordDosePayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordDose);
  const cycle = boundedNumber(p, 'cycle', ctx);
  const administeredOn = pastDate(p, 'administeredOn', ctx.today);
  const doseMg = boundedNumber(p, 'doseMg', ctx);
  const route = text(p, 'route');
  const lotNumber = text(p, 'lotNumber');
  const injectionSite = text(p, 'injectionSite');
  const enrollment = requireOnTreatment(facts, ctx, administeredOn, 'administeredOn', true);
  requireCycleFree(facts, cycle);
  requireCycleInOrder(facts, cycle, administeredOn, 'administeredOn');
  // A new dose is judged by the protocol in force; a dose re-decided after a correction by its own
  // version's rule (schedule, dose and route).
  const t = ctx.recordedUnder === undefined ? ctx.protocol.treatment : ctx.ruleOf(ctx.recordedUnder);
  const window = scheduledWindow(t, enrollment.enrollmentDate, facts.doses, cycle);
  const deviations: ProtocolDeviationDetected[] = [];
  const deviation = (category: string, description: string, severity: 'major' | 'minor'): void => {
    deviations.push({ type: 'ProtocolDeviationDetected', data: { deviationDate: administeredOn, category, description, severity, cycle } });
  };
  if (compareDates(administeredOn, window.from) < 0 || compareDates(administeredOn, window.to) > 0) {
    const offset = daysBetween(window.dueOn, administeredOn);
    deviation(
      DETECTED_DEVIATIONS.doseOffWindow,
      `Cycle ${cycle} given on ${administeredOn}, outside its window ${window.from}–${window.to} (due ${window.dueOn}, ${offset > 0 ? '+' : ''}${offset} days)`,
      'minor',
    );
  }
  if (facts.discontinuation && compareDates(administeredOn, facts.discontinuation.date) > 0) {
    deviation(DETECTED_DEVIATIONS.doseAfterDiscontinuation, `Cycle ${cycle} given on ${administeredOn}, after treatment was discontinued (${facts.discontinuation.date})`, 'major');
  }
  if (doseMg !== t.doseMg) deviation(DETECTED_DEVIATIONS.wrongDose, `Cycle ${cycle}: ${doseMg} mg given, the protocol dose is ${t.doseMg} mg`, 'major');
  // Compared as read and case-insensitively: `Deep-SC` or `deep-sc` with a zero-width space is the protocol's route.
  if (!readAlike(route, t.route)) deviation(DETECTED_DEVIATIONS.wrongRoute, `Cycle ${cycle}: route ${route}, the protocol route is ${t.route}`, 'major');
  return [
    { type: 'DoseAdministered', data: { cycle, administeredOn, doseMg, route, lotNumber, injectionSite, window } },
    ...deviations,
    ...skippedCycleDeviation(facts, cycle, administeredOn),
  ];
};

/** `RecordMissedDose`: a missed depot injection is always a protocol deviation. */
export const decideRecordMissedDose: ClinicalDecision<RecordMissedDosePayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordMissedDose);
  const cycle = boundedNumber(p, 'cycle', ctx);
  const dueOn = pastDate(p, 'dueOn', ctx.today);
  const reason = text(p, 'reason');
  requireOnTreatment(facts, ctx, dueOn, 'dueOn');
  requireCycleFree(facts, cycle);
  requireCycleInOrder(facts, cycle, dueOn, 'dueOn');
  return [
    { type: 'DoseMissed', data: { cycle, dueOn, reason } },
    {
      type: 'ProtocolDeviationDetected',
      data: { deviationDate: dueOn, category: DETECTED_DEVIATIONS.missedDose, description: `Cycle ${cycle} due ${dueOn} not given: ${reason}`, severity: 'major', cycle },
    },
    ...skippedCycleDeviation(facts, cycle, dueOn),
  ];
};
