import { COMMAND_ROLES, type StudyCommandType, type SubjectCommandType } from '../commands/command.types';
import type { Actor } from '../shared/actor';
import { forbidden } from '../shared/domain-error';
import { roleRefusalInWords } from '../commands/refusal-words';

/**
 * Part 11 §11.10(g) authority checks, in the domain itself so the API, the CLI and the import all
 * refuse the same way: the actor's role must be one allowed to issue the command (SPEC §2, §5). `inWords` names
 * what was asked when it is not the command itself (a correction of an entry the command records).
 */
export const requireRole = (commandType: SubjectCommandType | StudyCommandType, actor: Actor, inWords: string = commandType): void => {
  const allowed = COMMAND_ROLES[commandType];
  if (!allowed.includes(actor.role)) {
    forbidden('AUTH.ROLE_NOT_ALLOWED', roleRefusalInWords(actor.role, inWords, allowed), {
      command: commandType,
      role: actor.role,
      allowed: [...allowed],
    });
  }
};
