import { decideStudy, refuseConfusableStudyId, requireRole, studyStreamId, type StudyCommand } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import type { CommandPlan } from '../handle-command';
import { foldStudyStream } from './stream-fold';

const STUDY_STREAM_PREFIX = studyStreamId('');

/**
 * The ids of the studies registered in the ledger, from their `StudyRegistered` events. A scan of the
 * log, read only to register a study (a rare, administrative command), never for a clinical one.
 */
export const registeredStudyIds = async (store: EventStore): Promise<string[]> => {
  const ids: string[] = [];
  for await (const event of store.readAll({ batchSize: 1000 })) {
    if (event.type === 'StudyRegistered' && event.streamId.startsWith(STUDY_STREAM_PREFIX)) ids.push(event.streamId.slice(STUDY_STREAM_PREFIX.length));
  }
  return ids;
};

/**
 * `RegisterStudy`, `AmendProtocol`, `LockStudy`, `UnlockStudy`: read and write the study stream.
 * `registeredStudyIds` (for `RegisterStudy`) are the studies already in the ledger: an id equal to one
 * of them ignoring case is refused.
 */
export const studyCommandPlan = (command: StudyCommand, registeredStudyIds: readonly string[] = []): CommandPlan => {
  const streamId = studyStreamId(command.studyId);
  return {
    authorize: (actor) => requireRole(command.type, actor),
    primaryStream: streamId,
    readStreams: [streamId],
    decide: (streams, metadata) => {
      const study = foldStudyStream(streams.get(streamId));
      if (command.type === 'RegisterStudy' && study.status === 'unregistered') refuseConfusableStudyId(command.studyId, registeredStudyIds);
      const events = decideStudy(command, study, metadata);
      const protocolVersion = events.reduce<number | null>(
        (version, e) => (e.type === 'StudyRegistered' || e.type === 'ProtocolAmended' ? e.data.protocol.version : version),
        study.status === 'unregistered' ? null : study.protocol.version,
      );
      return { writes: [{ streamId, events }], protocolVersion };
    },
  };
};
