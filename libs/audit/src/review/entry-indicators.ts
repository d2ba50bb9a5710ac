import { addDays, clinicalDateOf, CLINICAL_DATE_FIELD, compareDates, daysBetween, type IsoDate } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { currentEntries, finding, inWindow, isClinicalWrite, reasonOf, subjectOf, targetOf, type ReviewLedger } from './review-ledger';
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

/** An entry's lag: its clinical date as corrected so far, the days to the UTC day it was recorded, and the corrections that set that date. */
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
  return { date, days: daysBetween(date, e.metadata.recordedAt.slice(0, 10)), corrections };
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

/** Scheduled assessment visit k (k ≥ 1) of a subject enrolled on `start`, and whether `date` lies inside its window. */
const assessmentVisit = (ledger: ReviewLedger, start: IsoDate, date: IsoDate): { visit: number; inside: boolean } => {
  const interval = ledger.protocol?.assessments.intervalDays ?? 84;
  const window = ledger.protocol?.assessments.windowDays ?? 7;
  const visit = Math.max(1, Math.round(daysBetween(start, date) / interval));
  const due = addDays(start, visit * interval);
  return { visit, inside: Math.abs(daysBetween(due, date)) <= window };
};

const enrollmentDate = (ledger: ReviewLedger, streamId: string): IsoDate | null => {
  const enrolled = ledger.byStream.get(streamId)?.find((e) => e.type === 'SubjectEnrolled');
  return enrolled && typeof enrolled.data.enrollmentDate === 'string' ? enrolled.data.enrollmentDate : null;
};

/** Whether a corrected dose or assessment date moved across a protocol window boundary (into or out of its window, or into another visit's). */
const crossesWindow = (ledger: ReviewLedger, target: StoredEvent, before: IsoDate, after: IsoDate): string | null => {
  if (target.type === 'DoseAdministered') {
    const w = target.data.window as { from?: string; to?: string } | undefined;
    if (!w?.from || !w.to) return null;
    const inside = (d: IsoDate) => compareDates(d, w.from as string) >= 0 && compareDates(d, w.to as string) <= 0;
    return inside(before) !== inside(after) ? `dose window ${w.from}–${w.to}: ${inside(before) ? 'inside → outside' : 'outside → inside'}` : null;
  }
  if (target.type === 'TumorAssessmentRecorded' && target.data.baseline !== true) {
    const start = enrollmentDate(ledger, target.streamId);
    if (start === null) return null;
    const [b, a] = [assessmentVisit(ledger, start, before), assessmentVisit(ledger, start, after)];
    if (b.inside === a.inside && b.visit === a.visit) return null;
    return `assessment window: visit ${b.visit} ${b.inside ? 'inside' : 'outside'} → visit ${a.visit} ${a.inside ? 'inside' : 'outside'}`;
  }
  return null;
};

/** Back-dating: a correction that moves a clinical date earlier, or a dose/assessment date across a window boundary. */
export const backDatingFindings = (ledger: ReviewLedger): ReviewFinding[] => {
  const found: ReviewFinding[] = [];
  for (const e of ledger.events) {
    if (e.type !== 'EntryCorrected' || !inWindow(ledger, e) || subjectOf(ledger, e) === null) continue;
    const target = targetOf(ledger, e);
    const field = target ? CLINICAL_DATE_FIELD.get(target.type) : undefined;
    const before = (e.data.before as Record<string, unknown> | undefined)?.[field ?? ''];
    const after = (e.data.after as Record<string, unknown> | undefined)?.[field ?? ''];
    if (!target || field === undefined || typeof before !== 'string' || typeof after !== 'string') continue;
    const notes: string[] = [];
    if (compareDates(after, before) < 0) notes.push(`${field} moved ${daysBetween(after, before)} days earlier (${before} → ${after})`);
    const crossing = crossesWindow(ledger, target, before, after);
    if (crossing) notes.push(crossing);
    if (notes.length === 0) continue;
    const reason = reasonOf(e);
    found.push(finding('back-dating', [e, target], `${target.type}: ${notes.join('; ')} by ${who(e)}${reason ? ` — "${reason}"` : ''}`, { subjectId: subjectOf(ledger, e), username: who(e) }));
  }
  return found;
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
