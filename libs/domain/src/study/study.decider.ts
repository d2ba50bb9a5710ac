import type { StudyCommand } from '../commands/command.types';
import type { StudyEvent } from '../events/event.types';
import { validateProtocol } from '../protocol/protocol.validate';
import { withAssessmentRule, withDosingRule, withEligibilityRule } from '../protocol/dosing-rules';
import type { CommandMetadata, Decider } from '../shared/decider';
import { assertNever, invalid, notFound, refuse } from '../shared/domain-error';
import { isBlankText, requirePrintable } from '../shared/free-text';
import { MAX_TEXT } from '../subject/payload.validate';
import { requireRole } from './require-role';
import { initialStudyState, type RegisteredStudyState, type RosterEntry, type StudyState } from './study.state';

/**
 * The study aggregate: registration, protocol amendments, the enrollment roster and the database lock.
 *
 * Lock/unlock are idempotent: `LockStudy` on a locked study and `UnlockStudy` on an active one decide
 * nothing (no event, no error) — the desired state already holds, and a retried request must not fail
 * or write a second, meaningless audit line. Protocol amendments are refused while the study is locked:
 * a database lock freezes the protocol the locked data are analysed against.
 */

/** The bound of every reason the API takes for a study command (its request bodies say 2,000), held here for the CLI too. */
const STUDY_REASON_MAX = MAX_TEXT;

const requireReason = (reason: unknown): string => {
  if (typeof reason !== 'string' || isBlankText(reason)) invalid('VALIDATION.REASON_REQUIRED', 'A reason is required');
  const text = requirePrintable('reason', (reason as string).trim());
  if (text.length > STUDY_REASON_MAX) invalid('VALIDATION.TOO_LONG', `reason is longer than ${STUDY_REASON_MAX} characters`, { field: 'reason', maxLength: STUDY_REASON_MAX });
  return text;
};

const requireRegistered = (state: StudyState, studyId: string): RegisteredStudyState => {
  if (state.status === 'unregistered') return notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
  return state;
};

export const decideStudy = (command: StudyCommand, state: StudyState, metadata: CommandMetadata): StudyEvent[] => {
  requireRole(command.type, metadata.actor);
  switch (command.type) {
    case 'RegisterStudy': {
      if (state.status !== 'unregistered') refuse('STUDY.ALREADY_REGISTERED', `Study ${command.studyId} is already registered`, { studyId: command.studyId });
      const protocol = validateProtocol(command.payload?.protocol);
      if (protocol.studyId !== command.studyId) {
        invalid('PROTOCOL.STUDY_MISMATCH', `The protocol is for study ${protocol.studyId}, not ${command.studyId}`, { studyId: command.studyId, protocolStudyId: protocol.studyId });
      }
      return [{ type: 'StudyRegistered', data: { studyId: command.studyId, protocol } }];
    }
    case 'AmendProtocol': {
      const study = requireRegistered(state, command.studyId);
      const reason = requireReason(command.payload?.reason);
      if (study.status === 'locked') refuse('STUDY.LOCKED', `Study ${command.studyId} is locked: the protocol cannot be amended`, { studyId: command.studyId });
      const protocol = validateProtocol(command.payload?.protocol);
      if (protocol.studyId !== command.studyId) {
        invalid('PROTOCOL.STUDY_MISMATCH', `The protocol is for study ${protocol.studyId}, not ${command.studyId}`, { studyId: command.studyId, protocolStudyId: protocol.studyId });
      }
      if (protocol.version !== study.protocol.version + 1) {
        refuse('PROTOCOL.VERSION_NOT_NEXT', `An amendment must have version ${study.protocol.version + 1} (got ${protocol.version})`, {
          currentVersion: study.protocol.version,
          version: protocol.version,
        });
      }
      if (protocol.targetEnrollment < study.roster.length) {
        refuse('PROTOCOL.CAP_BELOW_ROSTER', `The enrollment target ${protocol.targetEnrollment} is below the ${study.roster.length} subjects already enrolled`, {
          targetEnrollment: protocol.targetEnrollment,
          enrolled: study.roster.length,
        });
      }
      return [{ type: 'ProtocolAmended', data: { studyId: command.studyId, version: protocol.version, protocol, reason } }];
    }
    case 'LockStudy': {
      const study = requireRegistered(state, command.studyId);
      const reason = requireReason(command.payload?.reason);
      if (study.status === 'locked') return [];
      return [{ type: 'StudyLocked', data: { studyId: command.studyId, reason } }];
    }
    case 'UnlockStudy': {
      const study = requireRegistered(state, command.studyId);
      const reason = requireReason(command.payload?.reason);
      if (study.status === 'active') return [];
      return [{ type: 'StudyUnlocked', data: { studyId: command.studyId, reason } }];
    }
    default:
      return assertNever(command, 'study command');
  }
};

/** Folds study events; events that make no sense in the current state leave it unchanged (total). */
export const evolveStudy = (state: StudyState, event: StudyEvent): StudyState => {
  switch (event.type) {
    case 'StudyRegistered':
      return {
        status: 'active',
        studyId: event.data.studyId,
        protocol: event.data.protocol,
        protocolHistory: [{ version: event.data.protocol.version, reason: null }],
        dosingRules: withDosingRule([], event.data.protocol),
        eligibilityRules: withEligibilityRule([], event.data.protocol),
        assessmentRules: withAssessmentRule([], event.data.protocol),
        roster: [],
      };
    case 'ProtocolAmended':
      if (state.status === 'unregistered') return state;
      return {
        ...state,
        protocol: event.data.protocol,
        protocolHistory: [...state.protocolHistory, { version: event.data.version, reason: event.data.reason }],
        dosingRules: withDosingRule(state.dosingRules, event.data.protocol),
        eligibilityRules: withEligibilityRule(state.eligibilityRules ?? [], event.data.protocol),
        assessmentRules: withAssessmentRule(state.assessmentRules ?? [], event.data.protocol),
      };
    case 'SubjectAddedToRoster':
      if (state.status === 'unregistered') return state;
      return { ...state, roster: [...state.roster, { ...event.data }] };
    case 'RosterEnrollmentDateCorrected':
      if (state.status === 'unregistered') return state;
      return { ...state, roster: state.roster.map((line) => (line.subjectId === event.data.subjectId ? { ...line, enrollmentDate: event.data.enrollmentDate } : line)) };
    case 'StudyLocked':
      if (state.status === 'unregistered') return state;
      return { ...state, status: 'locked', lockReason: event.data.reason };
    case 'StudyUnlocked': {
      if (state.status !== 'locked') return state;
      const { lockReason: _released, ...rest } = state;
      return { ...rest, status: 'active' };
    }
    default:
      return assertNever(event, 'study event');
  }
};

export const studyDecider: Decider<StudyCommand, StudyState, StudyEvent> = {
  decide: decideStudy,
  evolve: evolveStudy,
  initialState: initialStudyState,
};

/**
 * Folds a run of study events onto `state`: the same state as folding them one by one with
 * `evolveStudy`, but the roster lines of consecutive `SubjectAddedToRoster` events are gathered and
 * copied into the roster once, not once per line, so a study of n subjects folds in O(n), not O(n²)
 * (25,000 subjects: 3.4 s one by one).
 */
export const evolveStudyMany = (state: StudyState, events: Iterable<StudyEvent>): StudyState => {
  let current = state;
  let lines: RosterEntry[] = [];
  const addLines = (): void => {
    if (lines.length > 0 && current.status !== 'unregistered') current = { ...current, roster: [...current.roster, ...lines] };
    lines = [];
  };
  for (const event of events) {
    if (event.type === 'SubjectAddedToRoster') {
      if (current.status !== 'unregistered') lines.push({ ...event.data });
      continue;
    }
    addLines();
    current = evolveStudy(current, event);
  }
  addLines();
  return current;
};

export const foldStudy = (events: readonly StudyEvent[]): StudyState => evolveStudyMany(initialStudyState(), events);
