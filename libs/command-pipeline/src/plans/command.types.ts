import { isMonitoringCommand, type MonitoringCommand, type StudyCommand, type StudyCommandType, type SubjectCommand } from '@trial-ledger/domain';

/**
 * Every command the ledger accepts: subject commands (clinical data), study commands (set-up, lock)
 * and monitoring commands (queries, source data verification).
 */
export type Command = SubjectCommand | StudyCommand | MonitoringCommand;

const STUDY_COMMAND_TYPES: ReadonlySet<string> = new Set<StudyCommandType>(['RegisterStudy', 'AmendProtocol', 'LockStudy', 'UnlockStudy']);

export const isStudyCommand = (command: Command): command is StudyCommand => STUDY_COMMAND_TYPES.has(command.type);
export const isSubjectCommand = (command: Command): command is SubjectCommand => !isStudyCommand(command) && !isMonitoringCommand(command);
export { isMonitoringCommand };
