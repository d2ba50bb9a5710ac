import { IDENTITY_STREAM_ID, notFound, studyStreamId, subjectStreamId, SYSTEM_ACTOR } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';

/** The study and subject an audit-trail export is limited to, as given. */
export interface TrailScope {
  readonly studyId?: string;
  readonly subjectId?: string;
  /** A user filter: the username or user id of whoever recorded the rows (`system` for the ledger itself). */
  readonly user?: string;
}

/** Whether some registered study of the ledger has this subject (a subject filter without a study spans them all). */
const subjectInAnyStudy = async (store: EventStore, subjectId: string): Promise<boolean> => {
  for await (const event of store.readAll({ batchSize: 500 })) {
    if (event.type !== 'StudyRegistered' || !event.streamId.startsWith('study-')) continue;
    if ((await store.streamVersion(subjectStreamId(event.streamId.slice('study-'.length), subjectId))) > 0) return true;
  }
  return false;
};

/** Whether an account with this username or user id was ever created in the ledger (the trail names it so for good). */
const userEverCreated = async (store: EventStore, user: string): Promise<boolean> => {
  if (user === SYSTEM_ACTOR.username || user === SYSTEM_ACTOR.userId) return true;
  const identity = await store.readStream(IDENTITY_STREAM_ID);
  return identity.some((e) => e.type === 'UserCreated' && (e.data.username === user || e.data.userId === user));
};

/**
 * An export is a copy handed on as "the audit trail of subject S001" (and recorded as `DataExported`): a
 * mistyped study or subject must not yield an empty file that reads as a subject without a history, and a
 * record of an export of nobody. So, as `report --subject` does, an unknown study is `STUDY.NOT_FOUND` and a
 * subject never screened in the study (or, without `study`, in any study of the ledger) `SUBJECT.NOT_FOUND`,
 * and a user no account was ever created for (nor the system) `IDENTITY.USER_NOT_FOUND`, checked before anything is recorded. The audit-trail query (`GET /audit-trail`, `audit-trail`) records
 * nothing and keeps answering a search that finds nothing with an empty page.
 */
export const assertTrailScopeKnown = async (store: EventStore, scope: TrailScope): Promise<void> => {
  const { studyId, subjectId, user } = scope;
  if (studyId !== undefined && (await store.streamVersion(studyStreamId(studyId))) === 0) notFound('STUDY.NOT_FOUND', `No study ${studyId} in the ledger`, { studyId });
  if (user !== undefined && !(await userEverCreated(store, user))) notFound('IDENTITY.USER_NOT_FOUND', `No user ${JSON.stringify(user)} was ever created in this ledger (usernames are lower case)`, { username: user });
  if (subjectId === undefined) return;
  const known = studyId !== undefined ? (await store.streamVersion(subjectStreamId(studyId, subjectId))) > 0 : await subjectInAnyStudy(store, subjectId);
  if (!known) {
    notFound('SUBJECT.NOT_FOUND', studyId !== undefined ? `No subject ${subjectId} in study ${studyId}` : `No subject ${subjectId} in any study of the ledger`, {
      ...(studyId !== undefined ? { studyId } : {}),
      subjectId,
    });
  }
};
