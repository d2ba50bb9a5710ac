import type { StudyCommand, StudyCommandType, SubjectCommand } from '@trial-ledger/domain';

/** Every command the ledger accepts: subject commands (clinical data) and study commands (set-up, lock). */
export type Command = SubjectCommand | StudyCommand;

const STUDY_COMMAND_TYPES: ReadonlySet<string> = new Set<StudyCommandType>(['RegisterStudy', 'AmendProtocol', 'LockStudy', 'UnlockStudy']);

export const isStudyCommand = (command: Command): command is StudyCommand => STUDY_COMMAND_TYPES.has(command.type);
export const isSubjectCommand = (command: Command): command is SubjectCommand => !isStudyCommand(command);
