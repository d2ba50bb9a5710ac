import {
  decideQuery,
  decideSourceVerification,
  evolveSourceVerification,
  foldQuery,
  requireMonitoringRole,
  initialSourceVerificationState,
  QUERY_ID,
  queryStreamId,
  sourceVerificationStreamId,
  studyStreamId,
  subjectStreamId,
  type DomainEvent,
  type MonitoringCommand,
  type QueryEvent,
  type RecordSourceVerified,
} from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import type { CommandPlan } from '../handle-command';
import { toRecorded } from '../to-recorded';
import { foldStudyStream, foldSubjectStream } from './stream-fold';

/**
 * A malformed query id never names a stream: the decision refuses it (`QUERY.INVALID_ID`) after the
 * role check, and this placeholder keeps the read harmless meanwhile.
 */
const queryStreamOf = (command: MonitoringCommand): string => {
  const queryId = (command.payload as { queryId?: unknown } | undefined)?.queryId;
  return queryStreamId(command.studyId, typeof queryId === 'string' && QUERY_ID.test(queryId) ? queryId : 'invalid');
};

/**
 * Query commands write their query's stream and read the target subject's stream (the entry and its
 * current value) and the study's (registered, not locked); `VerifySource` writes the subject's SDV
 * stream. The subject stream is only checked at append time, so a correction that lands while a query
 * is being opened makes the command decide again on the corrected value.
 */
export const monitoringCommandPlan = (command: MonitoringCommand): CommandPlan => {
  const subjectStream = subjectStreamId(command.studyId, command.subjectId);
  const studyStream = studyStreamId(command.studyId);
  const primaryStream = command.type === 'VerifySource' ? sourceVerificationStreamId(command.studyId, command.subjectId) : queryStreamOf(command);
  return {
    primaryStream,
    readStreams: [primaryStream, subjectStream, studyStream],
    authorize: (actor) => requireMonitoringRole(command.type, actor),
    decide: (streams, metadata) => {
      const study = foldStudyStream(streams.get(studyStream));
      const subject = foldSubjectStream(streams.get(subjectStream));
      const own = streams.get(primaryStream) ?? [];
      const events: DomainEvent[] =
        command.type === 'VerifySource'
          ? decideSourceVerification(
              command,
              {
                verification: own.map((e) => toRecorded<RecordSourceVerified>(e)).reduce(evolveSourceVerification, initialSourceVerificationState()),
                subject,
                study,
              },
              metadata,
            )
          : decideQuery(command, { query: foldQuery(own.map((e) => toRecorded<QueryEvent>(e))), subject, study }, metadata);
      return { writes: [{ streamId: primaryStream, events }], protocolVersion: study.status === 'unregistered' ? null : study.protocol.version };
    },
  };
};

/**
 * Answering, closing, reopening or cancelling names only the query; the subject it concerns (whose
 * stream the decision reads) is the one its `QueryOpened` names. A command that names a subject keeps
 * it, and the decision refuses a query of another subject as not found.
 */
export const resolveQuerySubject = async (store: EventStore, command: MonitoringCommand): Promise<MonitoringCommand> => {
  if (command.type === 'OpenQuery' || command.type === 'VerifySource' || command.subjectId) return command;
  const stream = queryStreamOf(command);
  const opened = (await store.readStream(stream)).find((e) => e.type === 'QueryOpened');
  const subjectId = (opened?.data as { target?: { subjectId?: unknown } } | undefined)?.target?.subjectId;
  return typeof subjectId === 'string' ? { ...command, subjectId } : command;
};
