import { compareDates, DomainError, invalid, isIsoDate } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { normaliseInstant, resolveAsOf } from '@trial-ledger/projections';
import { loadStudyPfs, summarisePfs, type PfsAnalysis, type StudyPfs } from '../analyse-pfs';
import { pfsRowBasis, type SubjectPfs } from '../pfs.types';
import { curveEndsAtZero } from '../pfs-figures.text';
import { survivalAt } from '@trial-ledger/survival';
import { firstSideDataEnd, studyPfsCauses, subjectPfsCauses } from './pfs-diff-causes';
import {
  PFS_CAUSE_WORDS,
  type PfsCause,
  type PfsCauseKind,
  type PfsDiff,
  type PfsDiffField,
  type PfsDiffOptions,
  type PfsDiffSide,
  type PfsFigures,
  type PfsRowSnapshot,
  type SubjectPfsChange,
} from './pfs-diff.types';

const refuse = (message: string, details: Record<string, unknown>): never => invalid('PFS_DIFF.INVALID_OPTIONS', message, details);

const checkPosition = (name: string, value: number | null | undefined): void => {
  if (value !== null && value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) refuse(`${name} must be a whole number ≥ 0`, { [name]: value });
};

/** The two sides as asked for; refuses a comparison that names no first side, or mixes one cutoff with two. */
const sideOptions = (o: PfsDiffOptions) => {
  const given = (v: unknown) => v !== null && v !== undefined;
  if (given(o.cutoff) && (given(o.fromCutoff) || given(o.toCutoff))) {
    refuse('give either one cutoff for both sides (cutoff) or one per side (fromCutoff, toCutoff), not both', { cutoff: o.cutoff, fromCutoff: o.fromCutoff, toCutoff: o.toCutoff });
  }
  if (!given(o.fromKnownAt) && !given(o.fromPosition) && !given(o.fromCutoff)) {
    refuse('name the first side: fromKnownAt, fromPosition or fromCutoff', {});
  }
  for (const [name, value] of [['cutoff', o.cutoff], ['fromCutoff', o.fromCutoff], ['toCutoff', o.toCutoff]] as const) {
    if (given(value) && !isIsoDate(value)) refuse(`${name} must be a date YYYY-MM-DD`, { [name]: value });
  }
  checkPosition('fromPosition', o.fromPosition);
  checkPosition('toPosition', o.toPosition);
  const fromCutoff = o.fromCutoff ?? o.cutoff ?? null;
  const toCutoff = o.toCutoff ?? o.cutoff ?? null;
  if (fromCutoff !== null && toCutoff !== null && compareDates(fromCutoff, toCutoff) > 0) refuse('the first cutoff lies after the second', { fromCutoff, toCutoff });
  // Two sides named the same way are in order as given, whatever the ledger holds: reversed, two instants both
  // before or both after every event would resolve to one position and compare nothing, read as "no change".
  if (given(o.fromPosition) && given(o.toPosition) && !given(o.fromKnownAt) && o.fromPosition! > o.toPosition!) {
    refuse('fromPosition lies after toPosition: the first side comes first', { fromPosition: o.fromPosition, toPosition: o.toPosition });
  }
  if (given(o.fromKnownAt) && given(o.toKnownAt) && !given(o.fromPosition) && normaliseInstant(o.fromKnownAt!)! > normaliseInstant(o.toKnownAt!)!) {
    refuse('fromKnownAt lies after toKnownAt: the first side comes first', { fromKnownAt: o.fromKnownAt, toKnownAt: o.toKnownAt });
  }
  return {
    from: { cutoff: fromCutoff, asKnownAt: o.fromKnownAt ?? null, toPosition: o.fromPosition ?? null },
    to: { cutoff: toCutoff, asKnownAt: o.toKnownAt ?? null, toPosition: o.toPosition ?? null },
  };
};

const snapshot = (row: SubjectPfs): PfsRowSnapshot => ({
  startDate: row.startDate,
  adt: row.adt,
  aval: row.aval,
  cnsr: row.cnsr,
  rule: row.rule,
  evntdesc: row.evntdesc,
  cnsdtdsc: row.cnsdtdsc,
  sourceEventId: row.source.eventId,
  sourceEventType: row.source.eventType,
  restsOn: pfsRowBasis(row),
});

const changedFields = (a: SubjectPfs, b: SubjectPfs): PfsDiffField[] => {
  const fields: PfsDiffField[] = [];
  if (a.aval !== b.aval) fields.push('AVAL');
  if (a.cnsr !== b.cnsr) fields.push('CNSR');
  if (a.adt !== b.adt) fields.push('ADT');
  if (a.evntdesc !== b.evntdesc) fields.push('EVNTDESC');
  if (a.cnsdtdsc !== b.cnsdtdsc) fields.push('CNSDTDSC');
  return fields;
};

/**
 * A side's headline figures, its landmark rates at `rateDays`: the days either side's protocol names, so that
 * after an amendment of `endpoint.rateDays` both sides are read at the same days, each on its own curve
 * (a day a side's protocol did not name is not "not estimable" there).
 */
const figures = (a: PfsAnalysis, rateDays: readonly number[]): PfsFigures => ({
  n: a.summary.n,
  events: a.summary.events,
  censored: a.summary.censored,
  median: a.median,
  curveEndsAtZero: curveEndsAtZero(a.km),
  rates: rateDays.map((day) => a.rates.find((r) => r.day === day) ?? survivalAt(a.km, day)),
});

const plural = (n: number, [one, many]: readonly [string, string]): string => `${n} ${n === 1 ? one : many}`;

/**
 * "3 subjects changed: 2 corrections, 1 late entry": per changed subject, the kinds of its decisive
 * causes, counted once per subject and kind. When none is decisive, a protocol amendment between the sides
 * moved the row (its events touch nothing the row rests on; the amendment's horizon or interval moves every
 * row), else all its causes are counted.
 */
export const pfsDiffVerdict = (subjects: readonly SubjectPfsChange[], studyCauses: readonly PfsCause[], rowRulesAmended = studyCauses.length > 0): string => {
  if (subjects.length === 0) return studyCauses.length > 0 ? `No subject changed (${plural(studyCauses.length, PFS_CAUSE_WORDS['protocol-amendment'])} recorded).` : 'No subject changed.';
  const counts = new Map<PfsCauseKind, number>();
  let unexplained = 0;
  for (const s of subjects) {
    const decisive = s.causes.filter((c) => c.decisive);
    const kinds = new Set<PfsCauseKind>(
      decisive.length > 0
        ? decisive.map((c) => c.kind)
        : rowRulesAmended && studyCauses.length > 0
          ? ['protocol-amendment']
          : s.causes.length > 0
            ? s.causes.map((c) => c.kind)
            : studyCauses.length > 0
              ? ['protocol-amendment']
              : [],
    );
    if (kinds.size === 0) unexplained += 1;
    for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = [...counts.entries()].map(([k, n]) => plural(n, PFS_CAUSE_WORDS[k]));
  if (unexplained > 0) parts.push(`${unexplained} without a recorded cause`);
  const entered = subjects.filter((s) => s.change === 'entered').length;
  const left = subjects.filter((s) => s.change === 'left').length;
  const moves = [entered > 0 ? `${entered} entered` : '', left > 0 ? `${left} left` : ''].filter(Boolean).join(', ');
  return `${plural(subjects.length, ['subject', 'subjects'])} changed${moves ? ` (${moves} the analysis)` : ''}: ${parts.join(', ')}.`;
};

/** The instant of the first side: its `asKnownAt`, else the recording time of the event at its position. */
const sideInstant = async (store: EventStore, pfs: StudyPfs): Promise<string | null> => {
  if (pfs.asOf.asKnownAt !== null) return pfs.asOf.asKnownAt;
  if (pfs.asOf.position === 0) return null;
  for await (const e of store.readAll({ afterPosition: pfs.asOf.position - 1, toPosition: pfs.asOf.position, batchSize: 1 })) return e.metadata.recordedAt;
  return null;
};

const sideOf = (pfs: StudyPfs, studyRegistered = true): PfsDiffSide => ({ asKnownAt: pfs.asOf.asKnownAt, position: pfs.asOf.position, cutoff: pfs.cutoff, studyRegistered });

/** What the verdict says of a first side before the study's registration. */
export const NOT_YET_REGISTERED = 'the study was not yet registered';

/**
 * The first side: the study's analysis there, or — when the study is registered at the second side
 * but not yet at the first — an empty analysis (no subjects) under the second side's protocol.
 */
const loadFirstSide = async (store: EventStore, studyId: string, side: { cutoff: string | null; asKnownAt: string | null; toPosition: number | null }, second: StudyPfs): Promise<{ pfs: StudyPfs; registered: boolean }> => {
  try {
    return { pfs: await loadStudyPfs(store, studyId, side), registered: true };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'STUDY.NOT_FOUND') throw error;
    const asOf = await resolveAsOf(store, { asKnownAt: side.asKnownAt, toPosition: side.toPosition });
    return { pfs: { studyId, protocol: second.protocol, cutoff: side.cutoff, asOf, subjects: [] }, registered: false };
  }
};

/**
 * Compares two PFS analyses of a study and explains every subject whose AVAL, CNSR, ADT or censoring
 * reason moved by the recorded events behind it. Both sides are derived by the same code as
 * `trial-ledger pfs` (`loadStudyPfs`), so the diff can never disagree with either analysis.
 */
export const diffPfs = async (store: EventStore, studyId: string, options: PfsDiffOptions): Promise<PfsDiff> => {
  const sides = sideOptions(options);
  // Sides named two ways are ordered on the ledger, before the study is looked up: a first side after a second
  // that precedes the study's registration is a reversed comparison, not an unknown study.
  const [toAt, fromAt] = [await resolveAsOf(store, sides.to), await resolveAsOf(store, sides.from)];
  if (fromAt.position > toAt.position) {
    refuse('the first side lies after the second in the log', { fromPosition: fromAt.position, toPosition: toAt.position });
  }
  // The second side must know the study (else 404 STUDY.NOT_FOUND); the first may precede its registration.
  const second = await loadStudyPfs(store, studyId, sides.to);
  const { pfs: first, registered } = await loadFirstSide(store, studyId, sides.from, second);
  const from = sideOf(first, registered);
  const to = sideOf(second);
  const fromDataEnd = firstSideDataEnd(from, await sideInstant(store, first));
  const beforeRows = new Map(first.subjects.map((r) => [r.subjectId, r]));
  const afterRows = new Map(second.subjects.map((r) => [r.subjectId, r]));
  const ids = [...new Set([...beforeRows.keys(), ...afterRows.keys()])];
  const subjects: SubjectPfsChange[] = [];
  for (const subjectId of ids) {
    const a = beforeRows.get(subjectId) ?? null;
    const b = afterRows.get(subjectId) ?? null;
    const fields = a && b ? changedFields(a, b) : (['AVAL', 'CNSR', 'ADT', 'EVNTDESC', 'CNSDTDSC'] as PfsDiffField[]);
    if (fields.length === 0) continue;
    const rows = { before: a ? snapshot(a) : null, after: b ? snapshot(b) : null };
    subjects.push({
      subjectId,
      subjectNumber: (b ?? a)?.subjectNumber ?? null,
      change: a === null ? 'entered' : b === null ? 'left' : 'changed',
      changedFields: fields,
      ...rows,
      causes: await subjectPfsCauses(store, studyId, subjectId, { from, to, fromDataEnd }, rows),
    });
  }
  subjects.sort((x, y) => (x.subjectNumber ?? 0) - (y.subjectNumber ?? 0) || x.subjectId.localeCompare(y.subjectId));
  const studyCauses = await studyPfsCauses(store, studyId, from, to);
  const rowRules = (p: StudyPfs['protocol']) => JSON.stringify([p.assessments.intervalDays, p.assessments.windowDays, p.endpoint.missedAssessmentsForCensoring, p.endpoint.horizonDays]);
  const rowRulesAmended = studyCauses.length > 0 && rowRules(first.protocol) !== rowRules(second.protocol);
  const rateDays = [...new Set([...first.protocol.endpoint.rateDays, ...second.protocol.endpoint.rateDays])].sort((x, y) => x - y);
  const [before, after] = [figures(summarisePfs(first), rateDays), figures(summarisePfs(second), rateDays)];
  const median = before.median.estimate !== null && after.median.estimate !== null ? after.median.estimate - before.median.estimate : null;
  return {
    studyId,
    from,
    to,
    verdict: registered ? pfsDiffVerdict(subjects, studyCauses, rowRulesAmended) : `At the first side ${NOT_YET_REGISTERED}. ${pfsDiffVerdict(subjects, studyCauses, rowRulesAmended)}`,
    subjects,
    studyCauses,
    rowRulesAmended,
    before,
    after,
    delta: {
      n: after.n - before.n,
      events: after.events - before.events,
      censored: after.censored - before.censored,
      median,
      rates: after.rates.map((r) => {
        const old = before.rates.find((x) => x.day === r.day);
        return { day: r.day, survival: r.survival !== null && old?.survival != null ? r.survival - old.survival : null };
      }),
    },
  };
};
