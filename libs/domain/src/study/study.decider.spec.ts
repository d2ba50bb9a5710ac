import type { StudyCommand } from '../commands/command.types';
import type { StudyEvent } from '../events/event.types';
import { loadDefaultProtocol } from '../protocol/protocol.validate';
import { deciderSpec } from '../subject/testing/decider-spec';
import { ADMIN, INVESTIGATOR, meta, registerStudy, STUDY_ID } from '../subject/testing/subject.fixtures';
import { foldStudy, studyDecider } from './study.decider';

const spec = deciderSpec(studyDecider);
const protocol = loadDefaultProtocol();
const registered: StudyEvent = { type: 'StudyRegistered', data: { studyId: STUDY_ID, protocol } };
const locked: StudyEvent = { type: 'StudyLocked', data: { studyId: STUDY_ID, reason: 'interim analysis' } };
const amend = (over: Record<string, unknown> = {}, reason = 'Amendment 1: cap raised'): StudyCommand => ({
  type: 'AmendProtocol',
  studyId: STUDY_ID,
  payload: { protocol: { ...protocol, version: 2, targetEnrollment: 30, ...over } as typeof protocol, reason },
});
const rostered = (n: number): StudyEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'SubjectAddedToRoster', data: { subjectId: `S${i + 1}`, subjectNumber: i + 1, enrollmentDate: '2026-01-05' } }));

describe('study decider', () => {
  describe('RegisterStudy', () => {
    it('given nothing, when an admin registers the study with the seed protocol, then StudyRegistered carries it', () =>
      spec.given([]).when(registerStudy(), meta(ADMIN)).then([registered]));
    it('given a registered study, when registered again, then STUDY.ALREADY_REGISTERED', () =>
      spec.given([registered]).when(registerStudy(), meta(ADMIN)).thenError('STUDY.ALREADY_REGISTERED', 'conflict'));
    it('given nothing, when an investigator registers a study, then AUTH.ROLE_NOT_ALLOWED (forbidden)', () =>
      spec.given([]).when(registerStudy(), meta(INVESTIGATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
    it('given nothing, when the protocol is malformed, then PROTOCOL.INVALID lists the problems', () => {
      spec
        .given([])
        .when({ type: 'RegisterStudy', studyId: STUDY_ID, payload: { protocol: { ...protocol, targetEnrollment: 0 } } }, meta(ADMIN))
        .thenErrorWith('PROTOCOL.INVALID', { problems: [expect.stringMatching(/^targetEnrollment/)] });
    });
    it('given nothing, when the protocol names another study, then PROTOCOL.STUDY_MISMATCH', () =>
      spec.given([]).when({ type: 'RegisterStudy', studyId: 'OTHER-01', payload: { protocol } }, meta(ADMIN)).thenError('PROTOCOL.STUDY_MISMATCH'));
  });

  describe('AmendProtocol', () => {
    it('given version 1, when amended to version 2 with a reason, then ProtocolAmended and the new protocol is in force', () => {
      spec.given([registered]).when(amend(), meta(ADMIN)).thenMatches([{ type: 'ProtocolAmended', data: { version: 2, reason: 'Amendment 1: cap raised', protocol: { targetEnrollment: 30 } } }]);
      const [event] = studyDecider.decide(amend(), foldStudy([registered]), meta(ADMIN));
      const state = foldStudy([registered, event]);
      expect(state.status === 'active' && state.protocol.targetEnrollment).toBe(30);
    });
    it('given version 1, when the amendment is version 3, then PROTOCOL.VERSION_NOT_NEXT', () =>
      spec.given([registered]).when(amend({ version: 3 }), meta(ADMIN)).thenError('PROTOCOL.VERSION_NOT_NEXT'));
    it('given version 1, when the amendment has no reason, then VALIDATION.REASON_REQUIRED', () =>
      spec.given([registered]).when(amend({}, ' '), meta(ADMIN)).thenError('VALIDATION.REASON_REQUIRED', 'validation'));
    it('given an unregistered study, when amended, then STUDY.NOT_REGISTERED (not found)', () =>
      spec.given([]).when(amend(), meta(ADMIN)).thenError('STUDY.NOT_REGISTERED', 'not-found'));
    it('given a locked study, when amended, then STUDY.LOCKED', () => spec.given([registered, locked]).when(amend(), meta(ADMIN)).thenError('STUDY.LOCKED'));
    it('given 28 enrolled, when the cap is lowered to 27, then PROTOCOL.CAP_BELOW_ROSTER', () =>
      spec.given([registered, ...rostered(28)]).when(amend({ targetEnrollment: 27 }), meta(ADMIN)).thenError('PROTOCOL.CAP_BELOW_ROSTER'));
    it('given version 1, when the amendment names another study, then PROTOCOL.STUDY_MISMATCH', () =>
      spec.given([registered]).when(amend({ studyId: 'OTHER-01' }), meta(ADMIN)).thenError('PROTOCOL.STUDY_MISMATCH'));
    it('given version 1, when an investigator amends, then AUTH.ROLE_NOT_ALLOWED', () =>
      spec.given([registered]).when(amend(), meta(INVESTIGATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  });

  describe('LockStudy / UnlockStudy', () => {
    const lock: StudyCommand = { type: 'LockStudy', studyId: STUDY_ID, payload: { reason: 'interim analysis' } };
    const unlock: StudyCommand = { type: 'UnlockStudy', studyId: STUDY_ID, payload: { reason: 'query resolution' } };
    it('given an active study, when locked with a reason, then StudyLocked', () => spec.given([registered]).when(lock, meta(ADMIN)).then([locked]));
    it('given a locked study, when locked again, then nothing is recorded (idempotent no-op)', () =>
      spec.given([registered, locked]).when(lock, meta(ADMIN)).thenNothing());
    it('given a locked study, when unlocked with a reason, then StudyUnlocked and the study is active again', () => {
      spec.given([registered, locked]).when(unlock, meta(ADMIN)).then([{ type: 'StudyUnlocked', data: { studyId: STUDY_ID, reason: 'query resolution' } }]);
      expect(foldStudy([registered, locked, { type: 'StudyUnlocked', data: { studyId: STUDY_ID, reason: 'x' } }]).status).toBe('active');
    });
    it('given an active study, when unlocked, then nothing is recorded (idempotent no-op)', () => spec.given([registered]).when(unlock, meta(ADMIN)).thenNothing());
    it('given an active study, when locked without a reason, then VALIDATION.REASON_REQUIRED', () =>
      spec.given([registered]).when({ ...lock, payload: { reason: '' } }, meta(ADMIN)).thenError('VALIDATION.REASON_REQUIRED'));
    it('given an active study, when locked, unlocked or amended with a reason over 2,000 characters (the API bodies\' bound), then VALIDATION.TOO_LONG', () => {
      const long = 'r'.repeat(2001);
      spec.given([registered]).when({ ...lock, payload: { reason: long } }, meta(ADMIN)).thenError('VALIDATION.TOO_LONG', 'validation');
      spec.given([registered, locked]).when({ ...unlock, payload: { reason: long } }, meta(ADMIN)).thenError('VALIDATION.TOO_LONG', 'validation');
      spec.given([registered]).when(amend({}, long), meta(ADMIN)).thenError('VALIDATION.TOO_LONG', 'validation');
      spec.given([registered]).when({ ...lock, payload: { reason: 'r'.repeat(2000) } }, meta(ADMIN)).then([{ type: 'StudyLocked', data: { studyId: STUDY_ID, reason: 'r'.repeat(2000) } }]);
    });
    it('given no study, when locked, then STUDY.NOT_REGISTERED', () => spec.given([]).when(lock, meta(ADMIN)).thenError('STUDY.NOT_REGISTERED'));
    it('given an active study, when an investigator locks it, then AUTH.ROLE_NOT_ALLOWED', () =>
      spec.given([registered]).when(lock, meta(INVESTIGATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  });

  it('given roster events, when folded, then the roster lists the subjects in order', () => {
    const state = foldStudy([registered, ...rostered(3)]);
    expect(state.status === 'active' && state.roster.map((r) => r.subjectNumber)).toEqual([1, 2, 3]);
  });
});
