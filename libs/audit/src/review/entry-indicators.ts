import { assessmentRuleOf, clinicalDateOf, CLINICAL_DATE_FIELD, compareDates, currentDoseWindows, daysBetween, type IsoDate, type ProtocolDocument, type RuleOf, scheduledVisitOf, type SubjectState } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { currentEntries, finding, foldSubjectStream, inWindow, isClinicalWrite, reasonOf, studyAt, subjectOf, targetOf, type ReviewLedger } from './review-ledger';
import type { ReviewFinding } from './review.types';

const who = (e: StoredEvent): string => e.metadata.actor.username;

/** Clinical writes in the window, one per command (its first event): what a person typed. */
export const commandsInWindow = (ledger: ReviewLedger): StoredEvent[] => {
  const seen = new Set<string>();
  const commands: StoredEvent[] = [];
  for (const e of ledger.events) {
    if (!isClinicalWrite(ledger, e) || !inWindow(ledger, e)) continue;
    const key = e.metadata.correlationId || e.eventId;
    if (seen.has(key)) continue;
    seen.add(key);
    commands.push(e);
  }
  return commands;
};

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day an instant falls on at the sites (`siteHours.timeZone`): a clinical date is a site's
 * day, so an entry made at 01:00 in Tokyo on day 31 is 31 days late though it is still day 30 in UTC.
 */
const siteDay = (ledger: ReviewLedger, instant: string): IsoDate => {
  const { timeZone } = ledger.thresholds.siteHours;
  let format = dayFormats.get(timeZone);
  if (!format) dayFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = format.formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
};

/** An entry's lag: its clinical date as corrected so far, the days to the sites' day (siteHours.timeZone) it was recorded, and the corrections that set that date. */
export interface EntryLag {
  readonly date: IsoDate;
  readonly days: number;
  readonly corrections: readonly StoredEvent[];
}

/**
 * The lag of an entry as the review's snapshot leaves it: the clinical date with every correction
 * applied (a mistyped date put right is not a late entry; a date corrected months earlier is); null for
 * an entry without a clinical date, and for a voided one — it is no longer data (its void is reviewed as
 * a change: reason, rate, sign-off).
 */
export const entryLagOf = (ledger: ReviewLedger, e: StoredEvent): EntryLag | null => {
  const entry = currentEntries(ledger).get(e.eventId);
  if (entry?.voided) return null;
  const field = CLINICAL_DATE_FIELD.get(entry?.current.type ?? e.type);
  const date = entry ? clinicalDateOf(entry.current.type, entry.current.data as unknown as Record<string, unknown>) : clinicalDateOf(e.type, e.data);
  if (date === null) return null;
  const corrections = (entry?.corrections ?? [])
    .filter((c) => field !== undefined && Object.hasOwn(c.after, field))
    .flatMap((c) => ledger.byId.get(c.eventId) ?? []);
  return { date, days: daysBetween(date, siteDay(ledger, e.metadata.recordedAt)), corrections };
};

/** Entry lag: recorded more than `entryLagDays` after the clinical date as corrected (ALCOA+ contemporaneous). */
export const entryLagFindings = (ledger: ReviewLedger): ReviewFinding[] =>
  ledger.events
    .filter((e) => isClinicalWrite(ledger, e) && inWindow(ledger, e))
    .flatMap((e) => {
      const lag = entryLagOf(ledger, e);
      if (lag === null || lag.days <= ledger.thresholds.entryLagDays) return [];
      const dated = `dated ${lag.date}${lag.corrections.length > 0 ? ' (as corrected)' : ''}`;
      return [finding('entry-lag', [e, ...lag.corrections], `${e.type} ${dated} recorded ${lag.days} days later by ${who(e)} (threshold ${ledger.thresholds.entryLagDays})`, { subjectId: subjectOf(ledger, e), username: who(e) })];
    });

/**
 * The scheduled assessment visit a scan dated `date` of a subject enrolled on `start` is nearest to, and whether
 * `date` lies inside its window, as the casebook's schedule deviations judge it (the end-of-follow-up visit
 * included); null after the end of follow-up.
 */
const assessmentVisit = (protocol: ProtocolDocument | null, start: IsoDate, date: IsoDate): { visit: number; inside: boolean } | null =>
  scheduledVisitOf(protocol ? assessmentRuleOf(protocol) : { intervalDays: 84, windowDays: 7 }, start, date);

/**
 * A dose's window as the casebook derives it from a subject's state (SPEC §1: from the enrollment date
 * and the last live dose of the cycles below it), not the one stored in its event: a dose entered late
 * for a lower cycle, or a lower cycle corrected or voided, moves it without an event of its own.
 */
const doseWindowIn = (state: SubjectState, rules: RuleOf | null, doseEventId: string, stored: unknown): { from: IsoDate; to: IsoDate } | null => {
  const enrollment = state.facts.enrollment;
  if (rules && enrollment) {
    // The live doses with their corrected dates, in recording order (the facts are re-folded after each correction or void),
    // each under the schedule of the protocol version it was recorded under.
    const derived = currentDoseWindows(rules, enrollment.enrollmentDate, state.facts.doses).get(doseEventId);
    if (derived) return derived;
  }
  const w = stored as { from?: unknown; to?: unknown } | undefined;
  return typeof w?.from === 'string' && typeof w.to === 'string' ? { from: w.from, to: w.to } : null;
};

/**
 * Whether a corrected dose or assessment date moved across a protocol window boundary (into or out of
 * its window, or into another visit's), judged with the subject as the ledger stood just before the
 * correction (`before`) and just after it (`after`): windows and enrollment date as corrected by then.
 */
const crossesWindow = (
  study: { readonly protocol: ProtocolDocument | null; readonly rules: RuleOf | null },
  target: StoredEvent,
  states: { before: SubjectState; after: SubjectState },
  dates: { before: IsoDate; after: IsoDate },
): string | null => {
  const { protocol, rules } = study;
  if (target.type === 'DoseAdministered') {
    const stored = states.before.entries.find((e) => e.eventId === target.eventId)?.current.data as { window?: unknown } | undefined;
    const [wb, wa] = [doseWindowIn(states.before, rules, target.eventId, stored?.window ?? target.data.window), doseWindowIn(states.after, rules, target.eventId, stored?.window ?? target.data.window)];
    if (wb === null || wa === null) return null;
    const inside = (d: IsoDate, w: { from: IsoDate; to: IsoDate }) => compareDates(d, w.from) >= 0 && compareDates(d, w.to) <= 0;
    const [b, a] = [inside(dates.before, wb), inside(dates.after, wa)];
    if (b === a) return null;
    const span = (w: { from: IsoDate; to: IsoDate }) => `${w.from}–${w.to}`;
    return `dose window ${span(wa)}${span(wb) === span(wa) ? '' : ` (was ${span(wb)})`}: ${b ? 'inside → outside' : 'outside → inside'}`;
  }
  if (target.type === 'TumorAssessmentRecorded' && target.data.baseline !== true) {
    const [sb, sa] = [states.before.facts.enrollment?.enrollmentDate, states.after.facts.enrollment?.enrollmentDate];
    if (sb === undefined || sa === undefined) return null;
    const [b, a] = [assessmentVisit(protocol, sb, dates.before), assessmentVisit(protocol, sa, dates.after)];
    if (b?.inside === a?.inside && b?.visit === a?.visit) return null;
    const where = (v: { visit: number; inside: boolean } | null) => (v === null ? 'after the end of follow-up' : `visit ${v.visit} ${v.inside ? 'inside' : 'outside'}`);
    return `assessment window: ${where(b)} → ${where(a)}`;
  }
  return null;
};

/**
 * Back-dating: a correction that moves a clinical date earlier, or a dose/assessment date across a window
 * boundary — the windows and the enrollment date as corrected at the time of the correction.
 */
export const backDatingFindings = (ledger: ReviewLedger): ReviewFinding[] => {
  const found: { position: number; finding: ReviewFinding }[] = [];
  for (const [streamId, events] of ledger.byStream) {
    if (events.length === 0 || subjectOf(ledger, events[0]) === null || !events.some((e) => e.type === 'EntryCorrected' && inWindow(ledger, e))) continue;
    foldSubjectStream(ledger, streamId, (e, stateBefore, stateAfter) => {
      if (e.type !== 'EntryCorrected' || !inWindow(ledger, e)) return;
      const target = targetOf(ledger, e);
      const field = target ? CLINICAL_DATE_FIELD.get(target.type) : undefined;
      const before = (e.data.before as Record<string, unknown> | undefined)?.[field ?? ''];
      const after = (e.data.after as Record<string, unknown> | undefined)?.[field ?? ''];
      if (!target || field === undefined || typeof before !== 'string' || typeof after !== 'string') return;
      const notes: string[] = [];
      if (compareDates(after, before) < 0) notes.push(`${field} moved ${daysBetween(after, before)} days earlier (${before} → ${after})`);
      const inForce = studyAt(ledger, e.globalPosition);
      const study = { protocol: inForce.protocol ?? ledger.protocol, rules: inForce.rules };
      const crossing = crossesWindow(study, target, { before: stateBefore, after: stateAfter }, { before, after });
      if (crossing) notes.push(crossing);
      if (notes.length === 0) return;
      const reason = reasonOf(e);
      found.push({
        position: e.globalPosition,
        finding: finding('back-dating', [e, target], `${target.type}: ${notes.join('; ')} by ${who(e)}${reason ? ` — "${reason}"` : ''}`, { subjectId: subjectOf(ledger, e), username: who(e) }),
      });
    });
  }
  return found.sort((a, b) => a.position - b.position).map((f) => f.finding);
};

const localTime = (format: Intl.DateTimeFormat, instant: string): { hhmm: string; weekday: string } => {
  const parts = format.formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { hhmm: `${part('hour')}:${part('minute')}`, weekday: part('weekday') };
};

/** Entries outside the sites' working hours (in their time zone) or on a weekend (unless weekends are allowed). */
export const offHoursFindings = (ledger: ReviewLedger, commands: readonly StoredEvent[]): ReviewFinding[] => {
  const { timeZone, start, end, weekends } = ledger.thresholds.siteHours;
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
  return commands.flatMap((e) => {
    const { hhmm, weekday } = localTime(format, e.metadata.recordedAt);
    const weekend = !weekends && (weekday === 'Sat' || weekday === 'Sun');
    const outside = hhmm < start || hhmm >= end;
    if (!weekend && !outside) return [];
    const when = `${weekday} ${hhmm} ${timeZone}`;
    return [finding('off-hours', [e], `${e.type} recorded ${when} by ${who(e)} (${outside ? `outside ${start}–${end}` : 'weekend'})`, { subjectId: subjectOf(ledger, e), username: who(e) })];
  });
};

/** Bursts: more than `writes` commands by one user within `minutes`; one finding per maximal run. */
export const burstFindings = (ledger: ReviewLedger, commands: readonly StoredEvent[]): ReviewFinding[] => {
  const { writes, minutes } = ledger.thresholds.burst;
  const span = minutes * 60_000;
  const byUser = new Map<string, StoredEvent[]>();
  for (const e of commands) {
    const list = byUser.get(who(e));
    if (list) list.push(e);
    else byUser.set(who(e), [e]);
  }
  const found: ReviewFinding[] = [];
  for (const [username, list] of byUser) {
    const times = list.map((e) => Date.parse(e.metadata.recordedAt));
    const marked = new Array<boolean>(list.length).fill(false);
    // Mark every command inside some span holding more than `writes`; each index is marked once (linear).
    for (let j = 0, i = 0, markedTo = -1; j < list.length; j += 1) {
      while (times[j] - times[i] > span) i += 1;
      if (j - i + 1 <= writes) continue;
      for (let k = Math.max(i, markedTo + 1); k <= j; k += 1) marked[k] = true;
      markedTo = j;
    }
    for (let k = 0; k < list.length; ) {
      if (!marked[k]) {
        k += 1;
        continue;
      }
      const run: StoredEvent[] = [];
      while (k < list.length && marked[k]) run.push(list[k++]);
      const first = run[0].metadata.recordedAt;
      const last = run[run.length - 1].metadata.recordedAt;
      found.push(finding('burst', run, `${run.length} writes by ${username} from ${first} to ${last} (more than ${writes} in ${minutes} minutes)`, { username }));
    }
  }
  return found;
};
