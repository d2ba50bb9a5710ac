import { foldStudy, decideStudy, requireRole, studyStreamId, type StudyCommand, type StudyEvent } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import type { CommandPlan } from '../handle-command';
import { toRecorded } from '../to-recorded';

export const studyEventsOf = (stored: readonly StoredEvent[] | undefined): StudyEvent[] =>
  (stored ?? []).map((e) => toRecorded(e) as unknown as StudyEvent);

/** `RegisterStudy`, `AmendProtocol`, `LockStudy`, `UnlockStudy`: read and write the study stream. */
export const studyCommandPlan = (command: StudyCommand): CommandPlan => {
  const streamId = studyStreamId(command.studyId);
  return {
    authorize: (actor) => requireRole(command.type, actor),
    primaryStream: streamId,
    readStreams: [streamId],
    decide: (streams, metadata) => {
      const study = foldStudy(studyEventsOf(streams.get(streamId)));
      const events = decideStudy(command, study, metadata);
      const protocolVersion = events.reduce<number | null>(
        (version, e) => (e.type === 'StudyRegistered' || e.type === 'ProtocolAmended' ? e.data.protocol.version : version),
        study.status === 'unregistered' ? null : study.protocol.version,
      );
      return { writes: [{ streamId, events }], protocolVersion };
    },
  };
};
