import { studyStreamId } from '@trial-ledger/domain';
import type { ProjectedEvent } from './projected-event';
import type { Projection, ProjectionState } from './projection';
import { evolveCasebook, initialCasebook, withProtocol } from './casebook/subject-casebook.projection';
import type { SubjectCasebook } from './casebook/subject-casebook.types';
import {
  deriveStudyOverview,
  evolveStudyContext,
  initialStudyContext,
  type StudyContext,
  type StudyOverview,
} from './study/study-overview.projection';

/** The documents of the clinical read models: one overview per study, one casebook per subject. */
export type ClinicalDocument = StudyOverview | SubjectCasebook;
export type ClinicalState = ProjectionState<ClinicalDocument>;

export const studyKey = (studyId: string): string => `study/${studyId}`;
export const casebookKey = (studyId: string, subjectId: string): string => `casebook/${studyId}/${subjectId}`;

const STUDY_PREFIX = 'study/';
const STUDY_STREAM_PREFIX = studyStreamId('');
const SUBJECT_STREAM_PREFIX = 'subject-';

export const getStudyOverview = (state: ClinicalState, studyId: string): StudyOverview | null =>
  (state[studyKey(studyId)] as StudyOverview | undefined) ?? null;

export const getCasebook = (state: ClinicalState, studyId: string, subjectId: string): SubjectCasebook | null =>
  (state[casebookKey(studyId, subjectId)] as SubjectCasebook | undefined) ?? null;

export const casebooksOf = (state: ClinicalState, studyId: string): SubjectCasebook[] => {
  const prefix = `casebook/${studyId}/`;
  return Object.keys(state)
    .filter((key) => key.startsWith(prefix))
    .map((key) => state[key] as SubjectCasebook);
};

const contextOf = (state: ClinicalState, studyId: string): StudyContext => getStudyOverview(state, studyId) ?? initialStudyContext(studyId);

const refreshOverview = (state: Record<string, ClinicalDocument>, context: StudyContext): void => {
  state[studyKey(context.studyId)] = deriveStudyOverview(context, casebooksOf(state, context.studyId));
};

/**
 * Which subject a subject-stream event belongs to. `SubjectScreened` names it; later events are matched
 * to an existing casebook by stream id (`subject-{studyId}-{subjectId}`; study ids may hold hyphens,
 * so the known studies are tried rather than the id split).
 */
const resolveSubject = (state: ClinicalState, event: ProjectedEvent): { studyId: string; subjectId: string } | null => {
  const data = event.data as Record<string, unknown>;
  if (event.type === 'SubjectScreened' && typeof data.studyId === 'string' && typeof data.subjectId === 'string') {
    return { studyId: data.studyId, subjectId: data.subjectId };
  }
  const candidates = Object.keys(state)
    .filter((key) => key.startsWith(STUDY_PREFIX))
    .map((key) => key.slice(STUDY_PREFIX.length))
    .filter((studyId) => event.streamId.startsWith(`${SUBJECT_STREAM_PREFIX}${studyId}-`))
    .map((studyId) => ({ studyId, subjectId: event.streamId.slice(`${SUBJECT_STREAM_PREFIX}${studyId}-`.length) }));
  return candidates.find((c) => getCasebook(state, c.studyId, c.subjectId) !== null) ?? candidates[0] ?? null;
};

/**
 * The subject casebooks and study overviews, kept by one fold of the whole log: a protocol amendment
 * on the study stream re-derives every casebook of the study (the dosing schedule changes), and every
 * subject event re-derives its study's overview.
 */
export const clinicalReadModels: Projection<ClinicalDocument> = {
  name: 'clinical-read-models',
  version: 1,
  evolve(state, event) {
    if (event.streamId.startsWith(STUDY_STREAM_PREFIX)) {
      const studyId = event.streamId.slice(STUDY_STREAM_PREFIX.length);
      const before = contextOf(state, studyId);
      const context = evolveStudyContext(before, event);
      if (context === before) return state;
      const next: Record<string, ClinicalDocument> = { ...state };
      if (context.protocol !== before.protocol && context.protocol !== null) {
        for (const casebook of casebooksOf(state, studyId)) {
          next[casebookKey(studyId, casebook.subjectId)] = withProtocol(casebook, context.protocol);
        }
      }
      refreshOverview(next, context);
      return next;
    }
    if (!event.streamId.startsWith(SUBJECT_STREAM_PREFIX)) return state;
    const subject = resolveSubject(state, event);
    if (subject === null) return state;
    const key = casebookKey(subject.studyId, subject.subjectId);
    const context = contextOf(state, subject.studyId);
    let casebook = getCasebook(state, subject.studyId, subject.subjectId);
    if (casebook === null) {
      casebook = initialCasebook(subject.studyId, subject.subjectId, event.streamId);
      if (context.protocol) casebook = withProtocol(casebook, context.protocol);
    }
    const evolved = evolveCasebook(casebook, event);
    if (evolved === state[key]) return state;
    const next: Record<string, ClinicalDocument> = { ...state, [key]: evolved };
    refreshOverview(next, context);
    return next;
  },
};
