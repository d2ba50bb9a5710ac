import {
  decideSubject,
  requireRole,
  studyStreamId,
  subjectStreamId,
  type DomainEvent,
  type SubjectCommand,
} from '@trial-ledger/domain';
import type { CommandPlan } from '../handle-command';
import { foldStudyStream, foldSubjectStream } from './stream-fold';

/**
 * A subject command reads its subject stream and its study stream (protocol, roster, lock). The study
 * stream is always checked at append time: an enrollment writes it (so the cap holds under concurrent
 * enrollments), every other command only checks it (so nothing is recorded into a study locked
 * meanwhile, or under a protocol amended meanwhile).
 */
export const subjectCommandPlan = (command: SubjectCommand): CommandPlan => {
  const subjectStream = subjectStreamId(command.studyId, command.subjectId);
  const studyStream = studyStreamId(command.studyId);
  return {
    authorize: (actor) => requireRole(command.type, actor),
    primaryStream: subjectStream,
    readStreams: [subjectStream, studyStream],
    decide: (streams, metadata) => {
      const study = foldStudyStream(streams.get(studyStream));
      const subject = foldSubjectStream(streams.get(subjectStream));
      const decision = decideSubject(command, { subject, study }, metadata);
      return {
        writes: [
          // Subject event data are interface-typed, which `Record<string, unknown>` does not admit structurally.
          { streamId: subjectStream, events: decision.subject as unknown as DomainEvent[] },
          { streamId: studyStream, events: decision.study },
        ],
        protocolVersion: study.status === 'unregistered' ? null : study.protocol.version,
      };
    },
  };
};
