import { studyStreamId } from '@trial-ledger/domain';
import type { ProjectedEvent } from './projected-event';
import type { Projection, ProjectionState } from './projection';
import { evolveCasebookState, initialCasebookState, type SubjectCasebookState } from './casebook/subject-casebook.projection';
import { casebookView } from './casebook/subject-casebook.view';
import type { SubjectCasebook } from './casebook/subject-casebook.types';
import { deriveStudyOverview, evolveStudyContext, initialStudyContext, type StudyContext, type StudyOverview } from './study/study-overview.projection';

/** The documents of the clinical read models: the study context per study, the casebook state per subject. */
export type ClinicalDocument = StudyContext | SubjectCasebookState;
export type ClinicalState = ProjectionState<ClinicalDocument>;

export const studyKey = (studyId: string): string => `study/${studyId}`;
export const casebookKey = (studyId: string, subjectId: string): string => `casebook/${studyId}/${subjectId}`;

const STUDY_PREFIX = 'study/';
const STUDY_STREAM_PREFIX = studyStreamId('');
const SUBJECT_STREAM_PREFIX = 'subject-';

export const getStudyContext = (state: ClinicalState, studyId: string): StudyContext | null =>
  (state[studyKey(studyId)] as StudyContext | undefined) ?? null;

export const getCasebookState = (state: ClinicalState, studyId: string, subjectId: string): SubjectCasebookState | null =>
  (state[casebookKey(studyId, subjectId)] as SubjectCasebookState | undefined) ?? null;

const casebookStatesOf = (state: ClinicalState, studyId: string): SubjectCasebookState[] => {
  const prefix = `casebook/${studyId}/`;
  return Object.keys(state)
    .filter((key) => key.startsWith(prefix))
    .map((key) => state[key] as SubjectCasebookState);
};

/** The subject's casebook view, with the protocol in force in its study. */
export const getCasebook = (state: ClinicalState, studyId: string, subjectId: string): SubjectCasebook | null => {
  const casebook = getCasebookState(state, studyId, subjectId);
  return casebook === null ? null : casebookView(casebook, getStudyContext(state, studyId)?.protocol ?? null);
};

export const casebooksOf = (state: ClinicalState, studyId: string): SubjectCasebook[] => {
  const protocol = getStudyContext(state, studyId)?.protocol ?? null;
  return casebookStatesOf(state, studyId).map((casebook) => casebookView(casebook, protocol));
};

export const getStudyOverview = (state: ClinicalState, studyId: string): StudyOverview | null => {
  const context = getStudyContext(state, studyId);
  return context === null ? null : deriveStudyOverview(context, casebooksOf(state, studyId));
};

/**
 * Which subject a subject-stream event belongs to. `SubjectScreened` names it; later events are matched
 * to an existing casebook by stream id (`subject-{studyId}-{subjectId}`; study ids may hold hyphens,
 * so the known studies are tried rather than the id split).
 */
const resolveSubject = (state: ClinicalState, event: ProjectedEvent): { studyId: string; subjectId: string } | null => {
  const data = event.data as { studyId?: unknown; subjectId?: unknown };
  if (event.type === 'SubjectScreened' && typeof data.studyId === 'string' && typeof data.subjectId === 'string') {
    return { studyId: data.studyId, subjectId: data.subjectId };
  }
  const candidates = Object.keys(state)
    .filter((key) => key.startsWith(STUDY_PREFIX))
    .map((key) => key.slice(STUDY_PREFIX.length))
    .filter((studyId) => event.streamId.startsWith(`${SUBJECT_STREAM_PREFIX}${studyId}-`))
    .map((studyId) => ({ studyId, subjectId: event.streamId.slice(`${SUBJECT_STREAM_PREFIX}${studyId}-`.length) }));
  return candidates.find((c) => getCasebookState(state, c.studyId, c.subjectId) !== null) ?? candidates[0] ?? null;
};

/**
 * The study contexts and subject casebooks, kept by one fold of the whole log: each study-stream event
 * changes its study's document, each subject-stream event its subject's casebook (folded by the
 * domain's `evolveSubject`). Views and the overview are derived on reading.
 */
export const clinicalReadModels: Projection<ClinicalDocument> = {
  name: 'clinical-read-models',
  version: 2,
  evolve(state, event) {
    if (event.streamId.startsWith(STUDY_STREAM_PREFIX)) {
      const studyId = event.streamId.slice(STUDY_STREAM_PREFIX.length);
      const before = getStudyContext(state, studyId) ?? initialStudyContext(studyId);
      const context = evolveStudyContext(before, event);
      return context === state[studyKey(studyId)] ? state : { ...state, [studyKey(studyId)]: context };
    }
    if (!event.streamId.startsWith(SUBJECT_STREAM_PREFIX)) return state;
    const subject = resolveSubject(state, event);
    if (subject === null) return state;
    const key = casebookKey(subject.studyId, subject.subjectId);
    const casebook = getCasebookState(state, subject.studyId, subject.subjectId) ?? initialCasebookState(subject.studyId, subject.subjectId, event.streamId);
    const evolved = evolveCasebookState(casebook, event);
    return evolved === state[key] ? state : { ...state, [key]: evolved };
  },
};
