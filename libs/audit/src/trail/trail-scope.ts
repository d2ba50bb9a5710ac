import { notFound, studyStreamId, subjectStreamId } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';

/** The study and subject an audit-trail export is limited to, as given. */
export interface TrailScope {
  readonly studyId?: string;
  readonly subjectId?: string;
}

/** Whether some registered study of the ledger has this subject (a subject filter without a study spans them all). */
const subjectInAnyStudy = async (store: EventStore, subjectId: string): Promise<boolean> => {
  for await (const event of store.readAll({ batchSize: 500 })) {
    if (event.type !== 'StudyRegistered' || !event.streamId.startsWith('study-')) continue;
    if ((await store.streamVersion(subjectStreamId(event.streamId.slice('study-'.length), subjectId))) > 0) return true;
  }
  return false;
};

/**
 * An export is a copy handed on as "the audit trail of subject S001" (and recorded as `DataExported`): a
 * mistyped study or subject must not yield an empty file that reads as a subject without a history, and a
 * record of an export of nobody. So, as `report --subject` does, an unknown study is `STUDY.NOT_FOUND` and a
 * subject never screened in the study (or, without `study`, in any study of the ledger) `SUBJECT.NOT_FOUND`,
 * checked before anything is recorded. The audit-trail query (`GET /audit-trail`, `audit-trail`) records
 * nothing and keeps answering a search that finds nothing with an empty page.
 */
export const assertTrailScopeKnown = async (store: EventStore, scope: TrailScope): Promise<void> => {
  const { studyId, subjectId } = scope;
  if (studyId !== undefined && (await store.streamVersion(studyStreamId(studyId))) === 0) notFound('STUDY.NOT_FOUND', `No study ${studyId} in the ledger`, { studyId });
  if (subjectId === undefined) return;
  const known = studyId !== undefined ? (await store.streamVersion(subjectStreamId(studyId, subjectId))) > 0 : await subjectInAnyStudy(store, subjectId);
  if (!known) {
    notFound('SUBJECT.NOT_FOUND', studyId !== undefined ? `No subject ${subjectId} in study ${studyId}` : `No subject ${subjectId} in any study of the ledger`, {
      ...(studyId !== undefined ? { studyId } : {}),
      subjectId,
    });
  }
};
