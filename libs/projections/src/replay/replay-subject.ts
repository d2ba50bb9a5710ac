import { notFound, studyStreamId, subjectStreamId } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { clinicalReadModels, getCasebook, getStudyOverview, type ClinicalDocument } from '../clinical-read-models.projection';
import { applyChanges, foldProjection } from '../projection';
import { toProjected } from '../projected-event';
import type { SubjectCasebook } from '../casebook/subject-casebook.types';
import type { StudyOverview } from '../study/study-overview.projection';
import { asOfInWords, resolveAsOf, type AsOfOptions, type ResolvedAsOf } from './as-of';

export interface ReplayedCasebook {
  readonly asOf: ResolvedAsOf;
  readonly casebook: SubjectCasebook;
}

/**
 * "What did the ledger say about subject S at T" in one call: the study stream and the subject's
 * stream, cut at the same log position, folded by the very projection that keeps the live casebook.
 */
export const replaySubject = async (
  store: EventStore,
  studyId: string,
  subjectId: string,
  options: AsOfOptions = {},
): Promise<ReplayedCasebook> => {
  const asOf = await resolveAsOf(store, options);
  const [study, subject] = await Promise.all([
    store.readStream(studyStreamId(studyId), { toPosition: asOf.position }),
    store.readStream(subjectStreamId(studyId, subjectId), { toPosition: asOf.position }),
  ]);
  const events = [...study, ...subject].sort((a, b) => a.globalPosition - b.globalPosition).map(toProjected);
  const casebook = getCasebook(foldProjection(clinicalReadModels, events), studyId, subjectId);
  if (casebook === null) {
    return notFound('SUBJECT.NOT_FOUND', `No subject ${subjectId} in study ${studyId} ${asOfInWords(asOf)}`, {
      studyId,
      subjectId,
      position: asOf.position,
    });
  }
  return { asOf, casebook };
};

/**
 * The study overview as known at an instant or position: the study's streams folded up to it, each
 * event as it is read (the log prefix is never held in memory).
 */
export const replayStudyOverview = async (store: EventStore, studyId: string, options: AsOfOptions = {}): Promise<{ asOf: ResolvedAsOf; overview: StudyOverview }> => {
  const asOf = await resolveAsOf(store, options);
  const studyStream = studyStreamId(studyId);
  const subjectPrefix = `subject-${studyId}-`;
  // The query streams too: the overview counts the open queries.
  const queryPrefix = `query-${studyId}-`;
  const state: Record<string, ClinicalDocument> = {};
  for await (const event of store.readAll({ toPosition: asOf.position, batchSize: 1000 })) {
    if (event.streamId === studyStream || event.streamId.startsWith(subjectPrefix) || event.streamId.startsWith(queryPrefix)) applyChanges(state, clinicalReadModels.evolve(state, toProjected(event)));
  }
  const overview = getStudyOverview(state, studyId);
  if (overview === null) return notFound('STUDY.NOT_FOUND', `No study ${studyId} ${asOfInWords(asOf)}`, { studyId });
  return { asOf, overview };
};
