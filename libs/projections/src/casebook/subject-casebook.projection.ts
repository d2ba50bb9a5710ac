import { evolveSubject, initialSubjectState, type RecordedSubjectEvent, type SubjectState } from '@trial-ledger/domain';
import type { ProjectedEvent } from '../projected-event';

/**
 * The casebook read model of one subject: the domain's own subject state, folded by the domain's own
 * `evolveSubject` (one rule for corrections, voids, RECIST re-derivation and signatures), plus where in
 * the log it stands. What a reader sees is `casebookView` of it.
 */
export interface SubjectCasebookState {
  readonly studyId: string;
  readonly subjectId: string;
  readonly streamId: string;
  /** Last global position folded in: evolve ignores anything at or before it (idempotent). */
  readonly lastPosition: number;
  readonly lastRecordedAt: string | null;
  readonly subject: SubjectState;
}

export const initialCasebookState = (studyId: string, subjectId: string, streamId: string): SubjectCasebookState => ({
  studyId,
  subjectId,
  streamId,
  lastPosition: 0,
  lastRecordedAt: null,
  subject: initialSubjectState(),
});

/**
 * Folds one event of the subject's stream. Idempotent: an event at or before the last folded position
 * changes nothing, so a replayed batch after a restart is harmless.
 */
export const evolveCasebookState = (casebook: SubjectCasebookState, event: ProjectedEvent): SubjectCasebookState => {
  if (event.globalPosition <= casebook.lastPosition) return casebook;
  return {
    ...casebook,
    lastPosition: event.globalPosition,
    lastRecordedAt: event.recordedAt,
    subject: evolveSubject(casebook.subject, event as unknown as RecordedSubjectEvent),
  };
};
