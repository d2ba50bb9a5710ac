import type { EntryVoided, ProtocolDeviationDetected } from '../../events/event.types';
import { assessmentRuleOf, type AssessmentRule, type AssessmentRuleOf } from '../../protocol/dosing-rules';
import { addDays, compareDates, daysBetween, type IsoDate } from '../../shared/iso-date';
import type { AssessmentFact, SubjectEntry, SubjectFacts } from '../subject.state';
import { SCHEDULE_DEVIATIONS } from './assessment-schedule.categories';
import type { DecisionContext } from './decision.types';
import { reconcileKeyed, restates } from './detected-deviations.decision';

/**
 * The tumour assessment schedule (SPEC §1, RECIST 1.1 §3.2): follow-up scans are due at enrollment +
 * k × `intervalDays` (visit k, k ≥ 1) ± `windowDays`, and at the end of follow-up (enrollment + the PFS
 * horizon `horizonDays` ± `windowDays`, the last visit, into which a visit whose window overlaps its own is
 * merged), made by the method of the baseline. Three kinds of
 * departure are detected, each a `ProtocolDeviationDetected` derived from the whole casebook as it stands:
 * - `assessment-method-changed` (minor), of a follow-up whose modality differs from the baseline's;
 * - `assessment-out-of-window` (minor), of a follow-up dated outside every window, naming the visit it
 *   is nearest to (the earlier one on a tie) and the days off its due date;
 * - `missed-assessment` (major, one per visit), of a visit whose window closed before a later follow-up
 *   and before progression, with no follow-up in it or nearest to it (a scan 10 days late is that visit
 *   done late, not the visit missed).
 * The schedule ends at progression (the first follow-up with overall response PD, or a clinical
 * progression, whichever is earlier): a scan dated after it is not judged, and a window closing on or
 * after it is not missed. It ends too at the end of follow-up: a scan more than half an interval after the
 * end-of-follow-up visit's due date is not judged (it still reveals visits missed). A scan before it off every window — unscheduled imaging for symptoms included —
 * is flagged: the protocol provides for no unscheduled scans, and an early scan moves the PFS event date.
 *
 * A scan is judged by the schedule of the protocol version it was recorded under; a visit's miss by that
 * of the first follow-up recorded after its window closed (the scan that revealed it, which the deviation
 * names, so its system query points at it). Deviations of a scan carry its event id (`relatedEventId`, or
 * they follow it in its append); a missed visit is identified by its number, whichever scan revealed it.
 * Any change — a scan recorded, corrected or voided, an enrollment date or a progression changed — is
 * reconciled by the difference of the set before and after, as for the other scan deviations.
 */

const { assessmentMethodChanged, assessmentOutOfWindow, missedAssessment } = SCHEDULE_DEVIATIONS;
const CATEGORIES: ReadonlySet<string> = new Set(Object.values(SCHEDULE_DEVIATIONS));

/** What the schedule deviations are derived from (`scheduleFactsOf`). */
export interface ScheduleFacts {
  readonly enrollmentDate: IsoDate | null;
  /** The live scans, baseline included. */
  readonly assessments: readonly AssessmentFact[];
  /** The earliest progression (radiological PD or clinical), after which no scan is scheduled; null: none. */
  readonly progressionDate: IsoDate | null;
}

const earliest = (dates: readonly IsoDate[]): IsoDate | null => dates.reduce<IsoDate | null>((a, d) => (a === null || compareDates(d, a) < 0 ? d : a), null);

export const scheduleFactsOf = (facts: SubjectFacts): ScheduleFacts => ({
  enrollmentDate: facts.enrollment?.enrollmentDate ?? null,
  assessments: facts.assessments,
  progressionDate: earliest([
    ...facts.assessments.filter((a) => !a.baseline && a.overallResponse === 'PD').map((a) => a.assessmentDate),
    ...facts.clinicalProgressions.map((p) => p.date),
  ]),
});

interface Visit {
  readonly visit: number;
  readonly dueOn: IsoDate;
  readonly from: IsoDate;
  readonly to: IsoDate;
  /** The end-of-follow-up visit's due day (study day `horizonDays`); absent for the others. */
  readonly endOfFollowUp?: number;
}

/** A visit of the schedule in study days (days after enrollment). */
interface VisitDays {
  readonly visit: number;
  readonly due: number;
  readonly from: number;
  readonly to: number;
  readonly endOfFollowUp: boolean;
}

/**
 * The visits of a schedule whose windows open on or before study day `untilDay`, in order: visit k due on
 * k × `intervalDays`, then the end-of-follow-up visit due on `horizonDays`, the last. A visit due on or before
 * the end whose window overlaps the end's is the end-of-follow-up visit itself (one visit, keeping its number,
 * due on `horizonDays`, its window the union of both); visits due after the end are none.
 */
const visitDaysOf = (rule: AssessmentRule, untilDay: number): VisitDays[] => {
  const { intervalDays: interval, windowDays: window, horizonDays: horizon } = rule;
  const visits: VisitDays[] = [];
  for (let k = 1; ; k += 1) {
    const due = k * interval;
    if (horizon !== undefined && due + window >= horizon - window) {
      visits.push({ visit: k, due: horizon, from: Math.min(due, horizon) - window, to: horizon + window, endOfFollowUp: true });
      return visits;
    }
    if (due - window > untilDay) return visits;
    visits.push({ visit: k, due, from: due - window, to: due + window, endOfFollowUp: false });
  }
};

const visitOf = (enrollmentDate: IsoDate, v: VisitDays): Visit => ({
  visit: v.visit,
  dueOn: addDays(enrollmentDate, v.due),
  from: addDays(enrollmentDate, v.from),
  to: addDays(enrollmentDate, v.to),
  ...(v.endOfFollowUp ? { endOfFollowUp: v.due } : {}),
});

const nameOf = (visit: Visit): string => (visit.endOfFollowUp === undefined ? `visit ${visit.visit}` : `visit ${visit.visit}, the end-of-follow-up visit (day ${visit.endOfFollowUp})`);

/**
 * The scheduled visit a scan on study day `day` is nearest to: the one whose window it is in, else whose window
 * edge is nearest (of two as near, the earlier). Null for a scan after the end of follow-up: more than half an
 * interval after the end-of-follow-up visit's due day (the reach a visit has between two others).
 */
const nearestVisit = (rule: AssessmentRule, day: number): VisitDays | null => {
  const visits = visitDaysOf(rule, day + rule.intervalDays);
  const last = visits.at(-1);
  if (last?.endOfFollowUp && day > last.due + rule.intervalDays / 2) return null;
  const distance = (v: VisitDays): number => (day < v.from ? v.from - day : day > v.to ? day - v.to : 0);
  return visits.reduce<VisitDays | null>((best, v) => (best === null || distance(v) < distance(best) ? v : best), null);
};

/**
 * The scheduled visit a scan dated `date` of a subject enrolled on `enrollmentDate` is nearest to under `rule`, and
 * whether it lies in that visit's window; null for a scan after the end of follow-up (not judged).
 */
export const scheduledVisitOf = (rule: AssessmentRule, enrollmentDate: IsoDate, date: IsoDate): { visit: number; inside: boolean } | null => {
  const day = daysBetween(enrollmentDate, date);
  const nearest = nearestVisit(rule, day);
  return nearest === null ? null : { visit: nearest.visit, inside: day >= nearest.from && day <= nearest.to };
};

const keyOf = (category: string, id: string | number): string => `${category}#${id}`;

/**
 * The schedule deviations that hold, by `category#scan id` (`missed-assessment#visit`), each as it would be
 * recorded, with `relatedEventId` naming its scan (for a missed visit, the scan that revealed it).
 */
export const scheduleDeviations = (facts: ScheduleFacts, ruleOf: AssessmentRuleOf): Map<string, ProtocolDeviationDetected> => {
  const holding = new Map<string, ProtocolDeviationDetected>();
  const { enrollmentDate, progressionDate } = facts;
  const baseline = facts.assessments.find((a) => a.baseline);
  const followUps = facts.assessments.filter((a) => !a.baseline).sort((a, b) => compareDates(a.assessmentDate, b.assessmentDate));
  const judged = (date: IsoDate): boolean => progressionDate === null || compareDates(date, progressionDate) <= 0;
  const record = (key: string, deviationDate: IsoDate, category: string, description: string, severity: 'major' | 'minor', relatedEventId?: string): void => {
    holding.set(key, { type: 'ProtocolDeviationDetected', data: { deviationDate, category, description, severity, ...(relatedEventId === undefined ? {} : { relatedEventId }) } });
  };
  for (const scan of followUps) {
    if (!judged(scan.assessmentDate)) continue;
    const date = scan.assessmentDate;
    if (baseline && baseline.modality !== undefined && scan.modality !== undefined && baseline.modality !== scan.modality && compareDates(baseline.assessmentDate, date) < 0) {
      record(
        keyOf(assessmentMethodChanged, scan.eventId),
        date,
        assessmentMethodChanged,
        `Follow-up tumour assessment of ${date} made by ${scan.modality}, the baseline of ${baseline.assessmentDate} by ${baseline.modality}: RECIST 1.1 §3.2 asks for the same method at baseline and follow-up`,
        'minor',
        scan.eventId,
      );
    }
    if (enrollmentDate === null) continue;
    const day = daysBetween(enrollmentDate, date);
    const nearest = nearestVisit(ruleOf(scan.protocolVersion), day);
    // After the end of follow-up: not judged.
    if (nearest === null) continue;
    const visit = visitOf(enrollmentDate, nearest);
    const off = daysBetween(visit.dueOn, date);
    if (day < nearest.from || day > nearest.to) {
      record(
        keyOf(assessmentOutOfWindow, scan.eventId),
        date,
        assessmentOutOfWindow,
        `Follow-up tumour assessment of ${date} (day ${day} after enrollment on ${enrollmentDate}) lies outside every scheduled window: nearest is ${nameOf(visit)}, due ${visit.dueOn} (window ${visit.from}–${visit.to}), ${off > 0 ? '+' : ''}${off} days`,
        'minor',
        scan.eventId,
      );
    }
  }
  if (enrollmentDate === null) return holding;
  // Visits each follow-up covers: the one it is nearest to, under its own version's schedule.
  const covered = new Set(followUps.map((s) => nearestVisit(ruleOf(s.protocolVersion), daysBetween(enrollmentDate, s.assessmentDate))?.visit));
  const decided = new Set<number>();
  // In recording order: a visit is revealed missed by the first scan recorded after its window closed.
  for (const scan of facts.assessments.filter((a) => !a.baseline)) {
    for (const days of visitDaysOf(ruleOf(scan.protocolVersion), daysBetween(enrollmentDate, scan.assessmentDate))) {
      const visit = visitOf(enrollmentDate, days);
      const k = visit.visit;
      if (compareDates(visit.to, scan.assessmentDate) >= 0) break;
      if (decided.has(k)) continue;
      decided.add(k);
      if (covered.has(k) || (progressionDate !== null && compareDates(visit.to, progressionDate) >= 0)) continue;
      record(
        keyOf(missedAssessment, k),
        visit.dueOn,
        missedAssessment,
        `Scheduled tumour assessment ${nameOf(visit)} (due ${visit.dueOn}, window ${visit.from}–${visit.to}) missed: no scan on record in or near its window`,
        'major',
        scan.eventId,
      );
    }
  }
  return holding;
};

/**
 * The live schedule deviations on record, by the key `scheduleDeviations` gives them: a scan's by the scan
 * it names or follows in its append; a missed visit's by the visit whose due date it carries (looked up in
 * `known`, the deviations derived before or after the change).
 */
const onRecordByKey = (entries: readonly SubjectEntry[], known: ReadonlyArray<Map<string, ProtocolDeviationDetected>>): Map<string, SubjectEntry[]> => {
  const missedByDate = new Map<string, string>();
  for (const map of [...known].reverse()) {
    for (const [key, d] of map) if (d.data.category === missedAssessment) missedByDate.set(d.data.deviationDate, key);
  }
  const owned = new Map<string, SubjectEntry[]>();
  let lastScan: string | null = null;
  for (const entry of entries) {
    if (entry.recorded.type === 'TumorAssessmentRecorded') lastScan = entry.eventId;
    const event = entry.current;
    if (entry.voided || event.type !== 'ProtocolDeviationDetected' || !CATEGORIES.has(event.data.category)) continue;
    const scan = event.data.relatedEventId ?? lastScan;
    const key =
      event.data.category === missedAssessment ? (missedByDate.get(event.data.deviationDate) ?? keyOf(missedAssessment, `due ${event.data.deviationDate}`)) : scan === null ? null : keyOf(event.data.category, scan);
    if (key === null) continue;
    // Read with the scan it concerns named, as `scheduleDeviations` gives it.
    owned.set(key, [...(owned.get(key) ?? []), scan === null || event.data.relatedEventId !== undefined ? entry : { ...entry, current: { ...event, data: { ...event.data, relatedEventId: scan } } }]);
  }
  return owned;
};

/** The assessment schedule by protocol version (the protocol in force's for a context without the history). */
export const assessmentRulesOf = (ctx: DecisionContext): AssessmentRuleOf => ctx.assessmentsOf ?? (() => assessmentRuleOf(ctx.protocol));

/** The event id a scan recorded by the same append is given until it is appended: its deviations follow it without naming it. */
export const NEW_SCAN = '(being recorded)';

/**
 * The withdrawals and detections of schedule deviations when the casebook goes from `before` to `after`.
 * Only the difference acts: a deviation that held before and still holds keeps whatever is on record (one
 * voided by hand is not re-detected), unless it no longer reads true (a date corrected: restated).
 * `why` ends the withdrawal's reason.
 */
export const reconcileScheduleDeviations = (
  entries: readonly SubjectEntry[],
  before: ScheduleFacts,
  after: ScheduleFacts,
  ruleOf: AssessmentRuleOf,
  why: string,
): { withdrawn: EntryVoided[]; detected: ProtocolDeviationDetected[] } => {
  const was = scheduleDeviations(before, ruleOf);
  const now = scheduleDeviations(after, ruleOf);
  const onRecord = onRecordByKey(entries, [was, now]);
  // Still a deviation but no longer true as recorded (a date corrected, or a missed visit's revealing scan voided):
  // recorded again as it now reads.
  const differs = (a: ProtocolDeviationDetected, b: ProtocolDeviationDetected): boolean => restates(a, b) || a.data.relatedEventId !== b.data.relatedEventId;
  const { withdrawn, detected } = reconcileKeyed(was, now, onRecord, why, differs);
  return {
    withdrawn,
    detected: detected.map((deviation) => {
      // The scan being recorded has no id yet: its deviations follow it in the append.
      if (deviation.data.relatedEventId !== NEW_SCAN) return deviation;
      const { relatedEventId: _new, ...data } = deviation.data;
      return { ...deviation, data };
    }),
  };
};
