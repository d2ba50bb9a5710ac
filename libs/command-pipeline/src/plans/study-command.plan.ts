import { decideStudy, requireRole, studyStreamId, type StudyCommand } from '@trial-ledger/domain';
import type { CommandPlan } from '../handle-command';
import { foldStudyStream } from './stream-fold';

/** `RegisterStudy`, `AmendProtocol`, `LockStudy`, `UnlockStudy`: read and write the study stream. */
export const studyCommandPlan = (command: StudyCommand): CommandPlan => {
  const streamId = studyStreamId(command.studyId);
  return {
    authorize: (actor) => requireRole(command.type, actor),
    primaryStream: streamId,
    readStreams: [streamId],
    decide: (streams, metadata) => {
      const study = foldStudyStream(streams.get(streamId));
      const events = decideStudy(command, study, metadata);
      const protocolVersion = events.reduce<number | null>(
        (version, e) => (e.type === 'StudyRegistered' || e.type === 'ProtocolAmended' ? e.data.protocol.version : version),
        study.status === 'unregistered' ? null : study.protocol.version,
      );
      return { writes: [{ streamId, events }], protocolVersion };
    },
  };
};
