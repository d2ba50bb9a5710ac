import { distance } from 'fastest-levenshtein';
import {
  IDEMPOTENCY_KEY_RULE,
  MAX_COMMAND_DEPTH,
  describeInexactNumber,
  isValidIdempotencyKey,
  nestsDeeperThan,
  scanJsonText,
} from '@trial-ledger/command-pipeline';
import { COMMAND_ROLES, invalid, type SubjectCommand, type SubjectCommandType } from '@trial-ledger/domain';

/**
 * One line of an import file (SPEC §6): the same names and fields as the API's command bodies.
 *
 * `idempotencyKey` is required on every line. It is what makes a re-run safe: after a fix, the lines
 * already in the ledger are recognised by their keys and skipped, and a line that was applied and then
 * edited is refused (`IDEMPOTENCY.KEY_REUSED`) instead of being recorded twice — a wrong value already
 * in the ledger is changed by a `CorrectEntry` line with a reason (Part 11 §11.10(e)), never by
 * editing history. A key derived from the line's content could not tell "edited" from "new".
 */
export interface ImportLine {
  readonly command: SubjectCommandType;
  readonly studyId: string;
  readonly subjectId: string;
  readonly payload: Record<string, unknown>;
  readonly idempotencyKey: string;
}

export const IMPORT_LINE_FIELDS = ['command', 'studyId', 'subjectId', 'payload', 'idempotencyKey'] as const;

/** Study set-up is an administrator's act through `trial-ledger study`, not a line of clinical data. */
const STUDY_COMMANDS: readonly string[] = ['RegisterStudy', 'AmendProtocol', 'LockStudy', 'UnlockStudy'];

/** Every command of SPEC appendix A, i.e. every subject-stream command. */
export const IMPORTABLE_COMMANDS: readonly SubjectCommandType[] = (Object.keys(COMMAND_ROLES) as SubjectCommandType[]).filter((c) => !STUDY_COMMANDS.includes(c));

/** The pipeline's nesting limit, the API's too (a tumour assessment's lesions are three levels). */
export const MAX_PAYLOAD_DEPTH = MAX_COMMAND_DEPTH;

const requiredText = (line: Record<string, unknown>, field: string, code = 'IMPORT.MISSING_FIELD'): string => {
  const value = line[field];
  if (value === undefined || value === null) return invalid(code, `"${field}" is required`, { field });
  if (typeof value !== 'string' || value.trim() === '') return invalid('IMPORT.INVALID_FIELD', `"${field}" must be a non-empty string`, { field });
  return value;
};

/** The importable command a misspelt name most likely means (case ignored, at most 2 edits), as `--type` hints an event type. */
const closestImportableCommand = (name: string): string | null => {
  let best: { command: string; distance: number } | null = null;
  for (const known of IMPORTABLE_COMMANDS) {
    const d = distance(name.toLowerCase(), known.toLowerCase());
    if (d <= 2 && (best === null || d < best.distance)) best = { command: known, distance: d };
  }
  return best?.command ?? null;
};

/** Parses and checks one line's envelope; the payload itself is validated by the domain, as for the API. */
export const parseImportLine = (text: string): ImportLine => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return invalid('IMPORT.INVALID_JSON', `Not valid JSON: ${(error as Error).message}`);
  }
  // JSON.parse would keep the last of two equal names and drop the first unseen (the API's rule too).
  const { duplicateKey: duplicate, inexactNumber: inexact } = scanJsonText(text);
  if (duplicate !== null) invalid('IMPORT.DUPLICATE_KEY', `The line names ${duplicate} twice: give each field once`, { pointer: duplicate });
  // JSON.parse would read 1e400 as Infinity and 120.00000000000000001 as 120: refused as written, never recorded as another number.
  if (inexact !== null) {
    const { code, message } = describeInexactNumber(inexact);
    invalid(code, message, { pointer: inexact.pointer, literal: inexact.literal });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('IMPORT.NOT_AN_OBJECT', 'Each line must be one JSON object {"command", "studyId", "subjectId", "payload", "idempotencyKey"}');
  }
  const line = parsed as Record<string, unknown>;
  const unknown = Object.keys(line).filter((k) => !(IMPORT_LINE_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) invalid('IMPORT.UNKNOWN_FIELD', `Unknown field(s): ${unknown.join(', ')} (allowed: ${IMPORT_LINE_FIELDS.join(', ')})`, { fields: unknown });

  const command = requiredText(line, 'command');
  if (STUDY_COMMANDS.includes(command)) invalid('IMPORT.COMMAND_NOT_IMPORTABLE', `${command} is a study set-up command: use "trial-ledger study"`, { command });
  if (!(IMPORTABLE_COMMANDS as readonly string[]).includes(command)) {
    const meant = closestImportableCommand(command);
    invalid('IMPORT.UNKNOWN_COMMAND', `Unknown command "${command}"${meant === null ? '' : ` (did you mean ${meant}?)`}; an import line takes one of: ${IMPORTABLE_COMMANDS.join(', ')}`, {
      command,
      allowed: [...IMPORTABLE_COMMANDS],
    });
  }
  const studyId = requiredText(line, 'studyId');
  const subjectId = requiredText(line, 'subjectId');
  if (line.payload === undefined || line.payload === null) invalid('IMPORT.MISSING_FIELD', '"payload" is required', { field: 'payload' });
  if (typeof line.payload !== 'object' || Array.isArray(line.payload)) invalid('IMPORT.INVALID_FIELD', '"payload" must be a JSON object', { field: 'payload' });
  if (nestsDeeperThan(line.payload, MAX_PAYLOAD_DEPTH)) {
    invalid('IMPORT.TOO_DEEP', `"payload" nests arrays and objects deeper than ${MAX_PAYLOAD_DEPTH} levels`, { field: 'payload', maxDepth: MAX_PAYLOAD_DEPTH });
  }
  const idempotencyKey = requiredText(line, 'idempotencyKey', 'IMPORT.IDEMPOTENCY_KEY_REQUIRED');
  // The pipeline's rule, the same as the API's Idempotency-Key header.
  if (!isValidIdempotencyKey(idempotencyKey)) invalid('IMPORT.INVALID_FIELD', `"idempotencyKey" must be ${IDEMPOTENCY_KEY_RULE}`, { field: 'idempotencyKey' });
  return { command: command as SubjectCommandType, studyId, subjectId, payload: line.payload as Record<string, unknown>, idempotencyKey };
};

/** The command the pipeline executes for a line. */
export const toSubjectCommand = (line: ImportLine): SubjectCommand =>
  ({ type: line.command, studyId: line.studyId, subjectId: line.subjectId, payload: line.payload }) as unknown as SubjectCommand;
