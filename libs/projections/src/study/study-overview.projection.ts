import { currentDoseWindows, currentWindowOfLastDose, readAlike, type DeviationFact, type IsoDate, type SubjectEntry, type SubjectStatus } from '@trial-ledger/domain';
import type { RosterLine, StudyContext } from './study-context';
import type { SubjectCasebookState } from '../casebook/subject-casebook.projection';
import { dosingRulesOf, isWithinWindow, nextDoseDue, type StudySchedules } from '../casebook/subject-casebook.view';

export * from './study-context';

export interface DeviationTally {
  readonly category: string;
  readonly major: number;
  readonly minor: number;
  readonly total: number;
}

/** The sponsor's and monitor's dashboard for one study. */
export interface StudyOverview extends Omit<StudyContext, 'dosingRules'> {
  /** The enrollment roster, in the order of the study stream. */
  readonly roster: readonly RosterLine[];
  readonly title: string | null;
  readonly protocolVersion: number | null;
  readonly enrollment: {
    readonly target: number | null;
    readonly enrolled: number;
    readonly remaining: number | null;
    /** enrolled / target × 100, one decimal. */
    readonly percentOfTarget: number | null;
  };
  readonly screened: number;
  readonly statusCounts: Readonly<Record<SubjectStatus, number>>;
  /**
   * Dosing compliance: a dose given inside its window counts as compliant; a missed dose and a dose
   * outside its window do not. `compliancePercent` = within window / (administered + missed).
   */
  readonly dosing: {
    readonly administered: number;
    readonly withinWindow: number;
    readonly outsideWindow: number;
    readonly missed: number;
    readonly compliancePercent: number | null;
  };
  /** Protocol deviations by category and severity (ICH E3 §10.2; GCP deviation log), live ones only. */
  readonly deviations: {
    readonly total: number;
    readonly detected: number;
    readonly recorded: number;
    readonly bySeverity: { readonly major: number; readonly minor: number };
    readonly byCategory: readonly DeviationTally[];
  };
  readonly adverseEvents: { readonly total: number; readonly serious: number; readonly grade3OrHigher: number };
  /** Queries (discrepancy notes) awaiting resolution: opened or reopened, not yet closed or cancelled (answered ones included). */
  readonly openQueries: number;
  readonly subjects: ReadonlyArray<{
    subjectId: string;
    subjectNumber: number | null;
    status: SubjectStatus;
    enrollmentDate: IsoDate | null;
    dosesAdministered: number;
    nextDoseDueOn: IsoDate | null;
    deviations: number;
    /** The subject's queries awaiting resolution. */
    openQueries: number;
  }>;
}

/** The open-query counts of a study and of its subjects, as the read models keep them. */
export interface OpenQueryCounts { readonly study: number; ofSubject(subjectId: string): number }

const NO_QUERIES: OpenQueryCounts = { study: 0, ofSubject: () => 0 };

/** The domain's statuses, in the order a subject passes through them. */
const STATUSES: readonly SubjectStatus[] = ['new', 'screened', 'screen-failed', 'eligible', 'withdrawn-before-enrollment', 'enrolled', 'withdrawn', 'dead'];

/**
 * Category names are free text from the sites: kept as a list, never as object keys, and compared as a
 * reader sees them (case, runs of spaces and invisible characters ignored), so "Visit out of window" and
 * "visit out of window" are one category, named as it was first recorded.
 */
type CategoryTally = ReadonlyArray<{ readonly category: string; readonly major: number; readonly minor: number }>;

/** What one subject adds to its study's overview; the overview keeps the sums, updated by difference. */
export interface SubjectSummary {
  readonly subjectId: string;
  readonly subjectNumber: number | null;
  readonly status: SubjectStatus;
  readonly enrollmentDate: IsoDate | null;
  readonly nextDoseDueOn: IsoDate | null;
  readonly screened: number;
  readonly enrolled: number;
  readonly dosing: { readonly administered: number; readonly withinWindow: number; readonly outsideWindow: number; readonly missed: number };
  readonly deviations: { readonly total: number; readonly detected: number; readonly recorded: number; readonly byCategory: CategoryTally };
  readonly adverseEvents: { readonly total: number; readonly serious: number; readonly grade3OrHigher: number };
}

/** The study's sums over its subjects' summaries: one row per study, whatever the number of subjects. */
export interface StudyCounters {
  readonly screened: number;
  readonly enrolled: number;
  readonly statusCounts: ReadonlyArray<readonly [SubjectStatus, number]>;
  readonly dosing: SubjectSummary['dosing'];
  readonly deviations: SubjectSummary['deviations'];
  readonly adverseEvents: SubjectSummary['adverseEvents'];
}

export const emptyCounters = (): StudyCounters => ({
  screened: 0,
  enrolled: 0,
  statusCounts: STATUSES.map((s) => [s, 0] as const),
  dosing: { administered: 0, withinWindow: 0, outsideWindow: 0, missed: 0 },
  deviations: { total: 0, detected: 0, recorded: 0, byCategory: [] },
  adverseEvents: { total: 0, serious: 0, grade3OrHigher: 0 },
});

/** Events that can move a dose window, the dose count or the next dose due (the rest keep them). */
const SCHEDULE_EVENTS = new Set([
  'SubjectScreened',
  'EligibilityConfirmed',
  'SubjectScreenFailed',
  'SubjectEnrolled',
  'DoseAdministered',
  'DoseMissed',
  'TreatmentDiscontinued',
  'SubjectWithdrawn',
  'SubjectDied',
  'EntryCorrected',
  'EntryVoided',
]);

type AdverseEventCounts = SubjectSummary['adverseEvents'];
type DeviationCounts = SubjectSummary['deviations'];

/** What one live entry adds to the adverse-event counts (nothing if it is not an adverse event). */
const withEntry = (counts: AdverseEventCounts, entry: SubjectEntry): AdverseEventCounts => {
  const event = entry.current;
  if (entry.voided || event.type !== 'AdverseEventReported') return counts;
  return {
    total: counts.total + 1,
    serious: counts.serious + (event.data.serious ? 1 : 0),
    grade3OrHigher: counts.grade3OrHigher + (event.data.ctcaeGrade >= 3 ? 1 : 0),
  };
};

/**
 * The one item an event appended to a list it left otherwise as it was (the very objects: the fold
 * shares what it did not change), `undefined` if it appended none, null if the list changed otherwise.
 */
const appendedItem = <T>(before: readonly T[], after: readonly T[]): T | null | undefined => {
  if (after === before) return undefined;
  if (after.length !== before.length + 1 || (before.length > 0 && after[before.length - 1] !== before[before.length - 1])) return null;
  return after[before.length];
};

/** The adverse-event counts after an event that appended at most one entry; null when the entries changed otherwise. */
const countsAfterAppend = (counts: AdverseEventCounts, before: readonly SubjectEntry[], after: readonly SubjectEntry[]): AdverseEventCounts | null => {
  const added = appendedItem(before, after);
  return added === undefined ? counts : added === null ? null : withEntry(counts, added);
};

/** What one deviation adds to the deviation counts; the categories stay in the order they first appeared. */
const withDeviation = (counts: DeviationCounts, d: DeviationFact): DeviationCounts => ({
  total: counts.total + 1,
  detected: counts.detected + (d.detected ? 1 : 0),
  recorded: counts.recorded + (d.detected ? 0 : 1),
  byCategory: addCategories(counts.byCategory, [{ category: d.category, major: d.severity === 'major' ? 1 : 0, minor: d.severity === 'minor' ? 1 : 0 }], 1),
});

const countDeviations = (deviations: readonly DeviationFact[]): DeviationCounts =>
  deviations.reduce(withDeviation, { total: 0, detected: 0, recorded: 0, byCategory: [] });

/** The dosing figures of a subject's facts, given how many of its doses were within their windows. */
const dosingOf = (facts: SubjectCasebookState['subject']['facts'], withinWindow: number): SubjectSummary['dosing'] => ({
  administered: facts.doses.length,
  withinWindow,
  outsideWindow: facts.doses.length - withinWindow,
  missed: facts.missedDoses.length,
});

/** The subject's state and summary before the event being folded, so the summary can be updated rather than recounted. */
export interface PreviousSummary {
  readonly summary: SubjectSummary;
  readonly eventType: string;
  readonly state?: SubjectCasebookState['subject'];
}

/**
 * The dosing figures after an event that appended one dose above every cycle on record and left
 * everything else the schedule depends on as it was (enrollment, protocol, the doses before it): the
 * new dose's window is derived from the doses before it, as `currentDoseWindows` derives it, and the
 * earlier doses keep theirs. Null when the dose cannot be added this way — a dose entered late for a
 * lower cycle moves the windows of the cycles above it — and the doses are counted again.
 */
const dosingAfterDose = (
  previous: PreviousSummary,
  state: SubjectCasebookState['subject'],
  study: StudySchedules | null,
): SubjectSummary['dosing'] | null => {
  const before = previous.state;
  if (previous.eventType !== 'DoseAdministered' || before === undefined) return null;
  const { facts } = state;
  if (facts.enrollment !== before.facts.enrollment || facts.missedDoses !== before.facts.missedDoses) return null;
  const entry = appendedItem(before.entries, state.entries);
  const dose = appendedItem(before.facts.doses, facts.doses);
  if (!entry || !dose || entry.voided || entry.current.type !== 'DoseAdministered' || entry.eventId !== dose.eventId) return null;
  if (before.facts.doses.some((d) => d.cycle > dose.cycle)) return null;
  const rules = dosingRulesOf(study);
  const window = rules && facts.enrollment ? currentWindowOfLastDose(rules, facts.enrollment.enrollmentDate, facts.doses)! : entry.current.data.window;
  return dosingOf(facts, previous.summary.dosing.withinWindow + (isWithinWindow(dose.administeredOn, window) ? 1 : 0));
};

/**
 * The subject's contribution, from its folded state: the same dose windows (the domain's
 * `currentDoseWindows` over the current doses), compliance rule and next dose due as its casebook
 * view, read from the facts without building the view. With the summary and state before the event,
 * an event costs about the same whatever the subject's history: one that cannot move the schedule and
 * only appended an entry (an adverse event, an assessment, a signature) adds that entry; a dose
 * appended above every cycle on record adds its own window; a deviation appended adds its tally. Anything else (a
 * correction, a void, a new enrollment date) counts the subject's entries again.
 */
export const summariseSubject = (
  casebook: SubjectCasebookState,
  /** The study's protocol in force and every version's dosing schedule (its context). */
  study: StudySchedules | null,
  /** The summary and state before `eventType`: an event that cannot move the schedule keeps its dosing figures. */
  previous: PreviousSummary | null = null,
): SubjectSummary => {
  const state = casebook.subject;
  const { facts } = state;
  const enrollment = facts.enrollment;
  const before = previous?.state;
  const keep = previous !== null && !SCHEDULE_EVENTS.has(previous.eventType) ? previous.summary : null;
  const protocol = study?.protocol ?? null;
  const doseAdded = previous !== null ? dosingAfterDose(previous, state, study) : null;
  let dosing = keep?.dosing ?? doseAdded;
  // Where the dosing figures carry over or took the one dose, the adverse-event counts take the entry appended, if any.
  let adverseEvents = dosing !== null && before !== undefined ? countsAfterAppend(previous!.summary.adverseEvents, before.entries, state.entries) : null;
  if (dosing === null || adverseEvents === null) {
    const rules = dosing === null && enrollment ? dosingRulesOf(study) : null;
    const windows = rules && enrollment ? currentDoseWindows(rules, enrollment.enrollmentDate, facts.doses) : null;
    let withinWindow = 0;
    adverseEvents = { total: 0, serious: 0, grade3OrHigher: 0 };
    for (const entry of state.entries) {
      if (entry.voided) continue;
      const event = entry.current;
      if (dosing === null && event.type === 'DoseAdministered' && isWithinWindow(event.data.administeredOn, windows?.get(entry.eventId) ?? event.data.window)) withinWindow += 1;
      adverseEvents = withEntry(adverseEvents, entry);
    }
    dosing ??= dosingOf(facts, withinWindow);
  }
  const addedDeviation = previous !== null && before !== undefined ? appendedItem(before.facts.deviations, facts.deviations) : null;
  const deviations =
    addedDeviation === undefined ? previous!.summary.deviations : addedDeviation ? withDeviation(previous!.summary.deviations, addedDeviation) : countDeviations(facts.deviations);
  return {
    subjectId: casebook.subjectId,
    subjectNumber: enrollment?.subjectNumber ?? null,
    status: state.status,
    enrollmentDate: enrollment?.enrollmentDate ?? null,
    nextDoseDueOn: keep ? keep.nextDoseDueOn : (nextDoseDue(state, protocol, facts.doses)?.dueOn ?? null),
    screened: facts.screening !== null ? 1 : 0,
    enrolled: enrollment !== null ? 1 : 0,
    dosing,
    deviations,
    adverseEvents,
  };
};

const addCategories = (into: CategoryTally, from: CategoryTally, sign: number): CategoryTally => {
  const out = into.map((t) => ({ ...t }));
  for (const t of from) {
    let tally = out.find((o) => readAlike(o.category, t.category));
    if (!tally) out.push((tally = { category: t.category, major: 0, minor: 0 }));
    tally.major += sign * t.major;
    tally.minor += sign * t.minor;
  }
  return out.filter((t) => t.major !== 0 || t.minor !== 0);
};

/** The counters with one subject's old contribution taken out and its new one added (O(1) in the study size). */
export const replaceSummary = (counters: StudyCounters, before: SubjectSummary | null, after: SubjectSummary | null): StudyCounters => {
  let next = counters;
  for (const [summary, sign] of [[before, -1], [after, 1]] as const) {
    if (summary === null) continue;
    next = {
      screened: next.screened + sign * summary.screened,
      enrolled: next.enrolled + sign * summary.enrolled,
      statusCounts: next.statusCounts.map(([s, n]) => [s, s === summary.status ? n + sign : n] as const),
      dosing: {
        administered: next.dosing.administered + sign * summary.dosing.administered,
        withinWindow: next.dosing.withinWindow + sign * summary.dosing.withinWindow,
        outsideWindow: next.dosing.outsideWindow + sign * summary.dosing.outsideWindow,
        missed: next.dosing.missed + sign * summary.dosing.missed,
      },
      deviations: {
        total: next.deviations.total + sign * summary.deviations.total,
        detected: next.deviations.detected + sign * summary.deviations.detected,
        recorded: next.deviations.recorded + sign * summary.deviations.recorded,
        byCategory: addCategories(next.deviations.byCategory, summary.deviations.byCategory, sign),
      },
      adverseEvents: {
        total: next.adverseEvents.total + sign * summary.adverseEvents.total,
        serious: next.adverseEvents.serious + sign * summary.adverseEvents.serious,
        grade3OrHigher: next.adverseEvents.grade3OrHigher + sign * summary.adverseEvents.grade3OrHigher,
      },
    };
  }
  return next;
};

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part * 1000) / whole) / 10);

/** The overview from the study context, its roster, its counters and its subjects' summaries (listed, not summed). */
export const deriveStudyOverview = (
  context: StudyContext,
  roster: readonly RosterLine[],
  counters: StudyCounters,
  summaries: readonly SubjectSummary[],
  openQueries: OpenQueryCounts = NO_QUERIES,
): StudyOverview => {
  const target = context.protocol?.targetEnrollment ?? null;
  const { dosing, deviations } = counters;
  const tallies = deviations.byCategory.map((t) => ({ category: t.category, major: t.major, minor: t.minor, total: t.major + t.minor }));
  return {
    studyId: context.studyId,
    protocol: context.protocol,
    locked: context.locked,
    roster,
    lastPosition: context.lastPosition,
    title: context.protocol?.title ?? null,
    protocolVersion: context.protocol?.version ?? null,
    enrollment: {
      target,
      enrolled: counters.enrolled,
      remaining: target === null ? null : Math.max(0, target - counters.enrolled),
      percentOfTarget: target === null ? null : percent(counters.enrolled, target),
    },
    screened: counters.screened,
    statusCounts: Object.fromEntries(counters.statusCounts) as Record<SubjectStatus, number>,
    dosing: { ...dosing, compliancePercent: percent(dosing.withinWindow, dosing.administered + dosing.missed) },
    deviations: {
      total: deviations.total,
      detected: deviations.detected,
      recorded: deviations.recorded,
      bySeverity: { major: tallies.reduce((n, t) => n + t.major, 0), minor: tallies.reduce((n, t) => n + t.minor, 0) },
      byCategory: tallies.sort((a, b) => b.total - a.total || a.category.localeCompare(b.category)),
    },
    adverseEvents: counters.adverseEvents,
    openQueries: openQueries.study,
    subjects: [...summaries]
      .sort((a, b) => a.subjectId.localeCompare(b.subjectId))
      .map((s) => ({
        subjectId: s.subjectId,
        subjectNumber: s.subjectNumber,
        status: s.status,
        enrollmentDate: s.enrollmentDate,
        dosesAdministered: s.dosing.administered,
        nextDoseDueOn: s.nextDoseDueOn,
        deviations: s.deviations.total,
        openQueries: openQueries.ofSubject(s.subjectId),
      })),
  };
};
