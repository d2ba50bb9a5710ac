import { studyStreamId, type SubjectEntry, type SubjectFacts } from '@trial-ledger/domain';
import type { ProjectedEvent } from './projected-event';
import type { Projection, ProjectionChanges, ProjectionState } from './projection';
import type { ListLayout } from './store/document-lists';
import { evolveCasebookState, initialCasebookState, type SubjectCasebookState } from './casebook/subject-casebook.projection';
import { casebookView } from './casebook/subject-casebook.view';
import { openQueryChanges, studyOpenQueries, subjectOpenQueries, type OpenQueryCount, type QueryLine } from './queries/open-query-counts';
import type { SubjectCasebook } from './casebook/subject-casebook.types';
import {
  deriveStudyOverview,
  emptyCounters,
  evolveStudyContext,
  initialStudyContext,
  replaceSummary,
  rosterLineOf,
  rosterDateCorrectionOf,
  summariseSubject,
  type RosterLine,
  type StudyContext,
  type StudyCounters,
  type StudyOverview,
  type SubjectSummary,
} from './study/study-overview.projection';

/** A subject's row: the domain's subject state and what it adds to the study overview. */
export type CasebookDocument = SubjectCasebookState & { readonly summary: SubjectSummary };

/**
 * The rows of the clinical read models: per study its context (`study/…`) and its overview counters
 * (`overview/…`), per roster line a row (`roster/…/{position}`), per subject its casebook
 * (`casebook/…/…`). An event replaces at most its subject's row and its study's counters, or its
 * study's context and one roster line (a protocol amendment: every row of its study). A query event
 * replaces its query's line (`query/…/…`) and, when it opens or resolves the query, the open-query
 * counts of its subject and study (`open-queries/…`, `open-queries/…/…`).
 */
export type ClinicalDocument = StudyContext | StudyCounters | RosterLine | CasebookDocument | QueryLine | OpenQueryCount;
export type ClinicalState = ProjectionState<ClinicalDocument>;

export const studyKey = (studyId: string): string => `study/${studyId}`;
export const overviewKey = (studyId: string): string => `overview/${studyId}`;
export const casebookKey = (studyId: string, subjectId: string): string => `casebook/${studyId}/${subjectId}`;
/** A roster line's row, named by the log position of its `SubjectAddedToRoster`: the roster's order. */
export const rosterKey = (studyId: string, position: number): string => `roster/${studyId}/${position}`;

/**
 * The lists of a casebook row that grow with the subject's history: its entries and signatures and the
 * facts folded from them. They are saved in chunk rows of their own, so saving the row after an event
 * writes its head and the chunks the event changed (the last one, or those a correction rewrote). An
 * entry's `current` value is its `recorded` event itself until a correction: saved once.
 */
const CASEBOOK_LISTS: readonly ListLayout[] = [
  { path: ['subject', 'entries'], chunk: 8, sameAs: ['current', 'recorded'] satisfies [keyof SubjectEntry, keyof SubjectEntry] },
  { path: ['subject', 'signatures'], chunk: 8 },
  // Facts are a few dozen bytes each: larger chunks, fewer rows.
  ...(['doses', 'missedDoses', 'assessments', 'clinicalProgressions', 'newTherapies', 'adverseEvents', 'adverseEventOutcomes', 'deviations'] as const satisfies ReadonlyArray<keyof SubjectFacts>).map((list) => ({
    path: ['subject', 'facts', list],
    chunk: 16,
  })),
];

const STUDY_STREAM_PREFIX = studyStreamId('');
const SUBJECT_STREAM_PREFIX = 'subject-';
const QUERY_STREAM_PREFIX = 'query-';

export const getStudyContext = (state: ClinicalState, studyId: string): StudyContext | null =>
  (state[studyKey(studyId)] as StudyContext | undefined) ?? null;

export const getCasebookState = (state: ClinicalState, studyId: string, subjectId: string): CasebookDocument | null =>
  (state[casebookKey(studyId, subjectId)] as CasebookDocument | undefined) ?? null;

const countersOf = (state: ClinicalState, studyId: string): StudyCounters => (state[overviewKey(studyId)] as StudyCounters | undefined) ?? emptyCounters();

/** Every subject row of a study (a scan: for amendments and listings, not per event). */
const casebookRowsOf = (state: ClinicalState, studyId: string): CasebookDocument[] => {
  const prefix = `casebook/${studyId}/`;
  return Object.keys(state)
    .filter((key) => key.startsWith(prefix))
    .map((key) => state[key] as CasebookDocument);
};

/** The study's roster in the order of its study stream (a scan, like the casebook rows: per query, not per event). */
export const rosterOf = (state: ClinicalState, studyId: string): RosterLine[] => {
  const prefix = `roster/${studyId}/`;
  return Object.keys(state)
    .filter((key) => key.startsWith(prefix))
    .map((key) => ({ position: Number(key.slice(prefix.length)), line: state[key] as RosterLine }))
    .filter((row) => Number.isSafeInteger(row.position))
    .sort((a, b) => a.position - b.position)
    .map((row) => row.line);
};

/** The subject's casebook view, with the protocol in force in its study. */
export const getCasebook = (state: ClinicalState, studyId: string, subjectId: string): SubjectCasebook | null => {
  const casebook = getCasebookState(state, studyId, subjectId);
  return casebook === null ? null : casebookView(casebook, getStudyContext(state, studyId));
};

export const casebooksOf = (state: ClinicalState, studyId: string): SubjectCasebook[] => {
  const study = getStudyContext(state, studyId);
  return casebookRowsOf(state, studyId).map((casebook) => casebookView(casebook, study));
};

export const getStudyOverview = (state: ClinicalState, studyId: string): StudyOverview | null => {
  const context = getStudyContext(state, studyId);
  if (context === null) return null;
  return deriveStudyOverview(context, rosterOf(state, studyId), countersOf(state, studyId), casebookRowsOf(state, studyId).map((c) => c.summary), {
    study: studyOpenQueries(state, studyId),
    ofSubject: (subjectId) => subjectOpenQueries(state, studyId, subjectId),
  });
};

/**
 * Which subject a subject-stream event belongs to. `SubjectScreened` names it; otherwise the stream id
 * `subject-{studyId}-{subjectId}` splits at its last dash (subject ids carry none). A ledger written
 * before that rule may hold dashed subject ids: then the known studies are tried (a scan, rare).
 */
const resolveSubject = (state: ClinicalState, event: ProjectedEvent): { studyId: string; subjectId: string } | null => {
  const data = event.data as { studyId?: unknown; subjectId?: unknown };
  if (event.type === 'SubjectScreened' && typeof data.studyId === 'string' && typeof data.subjectId === 'string') {
    return { studyId: data.studyId, subjectId: data.subjectId };
  }
  const rest = event.streamId.slice(SUBJECT_STREAM_PREFIX.length);
  const dash = rest.lastIndexOf('-');
  if (dash > 0 && getCasebookState(state, rest.slice(0, dash), rest.slice(dash + 1)) !== null) return { studyId: rest.slice(0, dash), subjectId: rest.slice(dash + 1) };
  const candidates = Object.keys(state)
    .filter((key) => key.startsWith('study/'))
    .map((key) => key.slice('study/'.length))
    .filter((studyId) => rest.startsWith(`${studyId}-`))
    .map((studyId) => ({ studyId, subjectId: rest.slice(studyId.length + 1) }));
  return candidates.find((c) => getCasebookState(state, c.studyId, c.subjectId) !== null) ?? candidates[0] ?? null;
};

/** A new protocol moves the dose windows and the next dose due of every subject: their rows are re-derived. */
const withProtocol = (state: ClinicalState, context: StudyContext): Record<string, ClinicalDocument> => {
  const changes: Record<string, ClinicalDocument> = { [studyKey(context.studyId)]: context };
  let counters = emptyCounters();
  for (const row of casebookRowsOf(state, context.studyId)) {
    const summary = summariseSubject(row, context);
    changes[casebookKey(row.studyId, row.subjectId)] = { ...row, summary };
    counters = replaceSummary(counters, null, summary);
  }
  changes[overviewKey(context.studyId)] = counters;
  return changes;
};

/**
 * The study contexts, subject casebooks (folded by the domain's `evolveSubject`) and study overview
 * counters, kept by one fold of the whole log. Each subject event replaces its subject's row and its
 * study's counters, by difference of the subject's old and new contribution, so the cost of an event
 * depends on its subject only, never on the size of the study.
 */
export const clinicalReadModels: Projection<ClinicalDocument> = {
  name: 'clinical-read-models',
  // 5: casebook rows saved as a head and chunk rows (rows saved whole by 4 are rebuilt once).
  // 6: deviation categories that read alike are one tally (tallies saved by 5 are rebuilt once).
  // 7: RECIST tracks carry the last evaluable response (a lesion reappearing after CR is PD) and the follow-ups
  //    (a scan entered late is judged in date order): rebuilt once.
  // 8: a dose entered late for a lower cycle moves the windows of the cycles above it (the subject summaries'
  //    doses within window, counted from the doses recorded before each, are rebuilt once).
  // 9: open-query counts per study and subject, kept from the query streams (read models saved by 8 have none: rebuilt once).
  // 10: each dose's window follows the protocol version it was recorded under (entries and dose facts carry it, the
  //     study context keeps every version's dosing schedule): rebuilt once.
  // 11: a subject withdrawn before enrollment has its own status count (counters saved by 10 lack it): rebuilt once.
  // 12: subject facts carry adverse-event outcomes and voided adverse events (casebook rows saved by 11 lack them): rebuilt once.
  version: 12,
  layout: (key) => (key.startsWith('casebook/') ? CASEBOOK_LISTS : []),
  evolve(state, event): ProjectionChanges<ClinicalDocument> {
    if (event.streamId.startsWith(STUDY_STREAM_PREFIX)) {
      const studyId = event.streamId.slice(STUDY_STREAM_PREFIX.length);
      const before = getStudyContext(state, studyId);
      const context = evolveStudyContext(before ?? initialStudyContext(studyId), event);
      if (context === before) return null;
      if (context.protocol !== (before?.protocol ?? null)) return withProtocol(state, context);
      const line = rosterLineOf(event);
      if (line !== null) return { [studyKey(studyId)]: context, [rosterKey(studyId, event.globalPosition)]: line };
      const corrected = rosterDateCorrectionOf(event);
      if (corrected === null) return { [studyKey(studyId)]: context };
      // The line keeps its row (named by its `SubjectAddedToRoster`'s position); only its date changes.
      const prefix = `roster/${studyId}/`;
      const row = Object.keys(state).find((key) => key.startsWith(prefix) && (state[key] as RosterLine).subjectId === corrected.subjectId);
      return row === undefined ? { [studyKey(studyId)]: context } : { [studyKey(studyId)]: context, [row]: { ...(state[row] as RosterLine), enrollmentDate: corrected.enrollmentDate } };
    }
    if (event.streamId.startsWith(QUERY_STREAM_PREFIX)) return openQueryChanges(state, event);
    if (!event.streamId.startsWith(SUBJECT_STREAM_PREFIX)) return null;
    const subject = resolveSubject(state, event);
    if (subject === null) return null;
    const row = getCasebookState(state, subject.studyId, subject.subjectId);
    const casebook = evolveCasebookState(row ?? initialCasebookState(subject.studyId, subject.subjectId, event.streamId), event);
    if (casebook === row) return null;
    const previous = row ? { summary: row.summary, eventType: event.type, state: row.subject } : null;
    const summary = summariseSubject(casebook, getStudyContext(state, subject.studyId), previous);
    return {
      [casebookKey(subject.studyId, subject.subjectId)]: { ...casebook, summary },
      [overviewKey(subject.studyId)]: replaceSummary(countersOf(state, subject.studyId), row?.summary ?? null, summary),
    };
  },
};
