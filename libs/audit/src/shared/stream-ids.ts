import { splitStudyAndSubject } from '@trial-ledger/projections';

/**
 * Which study and subject a stream belongs to (`subject-{studyId}-{subjectId}`, `study-{studyId}`,
 * `identity`). Study ids contain hyphens and subject ids none, so a subject stream is split at its
 * last hyphen (`splitStudyAndSubject`).
 */
export interface StreamOwner {
  readonly studyId: string | null;
  readonly subjectId: string | null;
}

export const streamOwner = (streamId: string): StreamOwner => {
  if (streamId.startsWith('study-')) return { studyId: streamId.slice('study-'.length), subjectId: null };
  // The record of a study's exports (`exports-{studyId}`; `exports` alone for whole-ledger exports).
  if (streamId.startsWith('exports-')) return { studyId: streamId.slice('exports-'.length), subjectId: null };
  // A query stream (`query-{studyId}-{queryId}`) belongs to its study; the subject is named in its `QueryOpened`.
  if (streamId.startsWith('query-')) {
    const cut = streamId.lastIndexOf('-');
    return { studyId: cut > 'query-'.length ? streamId.slice('query-'.length, cut) : null, subjectId: null };
  }
  // A subject's SDV stream (`sdv-{studyId}-{subjectId}`) splits like its subject stream.
  const prefix = streamId.startsWith('sdv-') ? 'sdv-' : 'subject-';
  if (!streamId.startsWith(prefix)) return { studyId: null, subjectId: null };
  return splitStudyAndSubject(streamId.slice(prefix.length));
};
