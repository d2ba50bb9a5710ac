import { deciderSpec, enrolledHistory, subjectSpecDecider, type GivenEvent } from '../subject/testing/decider-spec';
import { COORDINATOR, dose, meta, MONITOR, INVESTIGATOR, STUDY_ID, subjectCommand } from '../subject/testing/subject.fixtures';
import type { MonitoringCommand, RecordSourceVerified } from './monitoring.types';
import {
  decideSourceVerification,
  evolveSourceVerification,
  initialSourceVerificationState,
  type SourceVerificationDecisionInput,
} from './source-verification.decider';
import { valueHash } from './target-entry';

type Verified = RecordSourceVerified & { eventId: string; globalPosition: number; recordedAt: string };
type Given = GivenEvent | Verified;

const spec = deciderSpec<Extract<MonitoringCommand, { type: 'VerifySource' }>, SourceVerificationDecisionInput, Given, RecordSourceVerified[]>({
  decide: decideSourceVerification,
  evolve: (state, event) =>
    event.type === 'RecordSourceVerified'
      ? { ...state, verification: evolveSourceVerification(state.verification, event as Verified) }
      : { ...state, ...subjectSpecDecider.evolve({ subject: state.subject, study: state.study }, event as GivenEvent) },
  initialState: () => ({ verification: initialSourceVerificationState(), ...subjectSpecDecider.initialState() }),
});

const history = () => enrolledHistory().run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR));
const doseId = history().idOf('DoseAdministered');
const verify = { type: 'VerifySource', studyId: STUDY_ID, subjectId: 'S001', payload: { targetEventId: doseId } } as const;
const doseData = history().state().subject.entries.find((e) => e.eventId === doseId)!.current.data;
const verified: Verified = {
  type: 'RecordSourceVerified',
  data: { studyId: STUDY_ID, subjectId: 'S001', targetEventId: doseId, targetType: 'DoseAdministered', verifiedValueHash: valueHash(doseData) },
  eventId: 'v1',
  globalPosition: history().all().length + 1,
  recordedAt: '2026-06-01T11:00:00.000Z',
};

describe('source verification decider', () => {
  it('given a dose, when a monitor verifies it, then RecordSourceVerified is bound to its value', () =>
    spec.given(history().all()).when(verify, meta(MONITOR)).then([{ type: 'RecordSourceVerified', data: verified.data }]));
  it('given a verified dose, when verified again, then nothing is recorded', () => spec.given([...history().all(), verified]).when(verify, meta(MONITOR)).thenNothing());
  it('given a verified dose corrected afterwards, when verified again, then a new verification is recorded', () => {
    const corrected: Given[] = [
      ...history().all(),
      verified,
      ...
        history()
          .run(subjectCommand('CorrectEntry', { targetEventId: doseId, changes: { lotNumber: 'LOT-2' }, reason: 'label' }), meta(COORDINATOR))
          .all()
          .filter((e) => e.type === 'EntryCorrected')
          .map((e) => ({ ...e, recordedAt: '2026-06-02T09:00:00.000Z' }) as GivenEvent),
    ];
    spec.given(corrected).when(verify, meta(MONITOR)).thenMatches([{ type: 'RecordSourceVerified', data: { targetEventId: doseId } }]);
  });
  it('given a verified dose corrected A → B → A in the millisecond of the verification, when verified again, then a new verification is recorded (judged by log position, not by recordedAt)', () => {
    const base = history().all();
    const twice = history()
      .run(subjectCommand('CorrectEntry', { targetEventId: doseId, changes: { lotNumber: 'LOT-2' }, reason: 'label misread' }), meta(COORDINATOR))
      .run(subjectCommand('CorrectEntry', { targetEventId: doseId, changes: { lotNumber: 'LOT-1' }, reason: 'label re-read' }), meta(COORDINATOR))
      .all()
      .filter((e) => e.type === 'EntryCorrected')
      // After the verification in the log, all three recorded in the same millisecond.
      .map((e) => ({ ...e, globalPosition: (e as { globalPosition: number }).globalPosition + 1, recordedAt: verified.recordedAt }) as GivenEvent);
    const sameInstant = { ...verified, globalPosition: base.length + 1 };
    spec.given([...base, sameInstant, ...twice]).when(verify, meta(MONITOR)).thenMatches([{ type: 'RecordSourceVerified', data: { targetEventId: doseId, verifiedValueHash: verified.data.verifiedValueHash } }]);
  });
  it('given a deviation the system detected from a dose, when a monitor verifies the deviation, then SDV.NOT_SOURCE_DATA and nothing is recorded', () => {
    const offDose = enrolledHistory().run(subjectCommand('RecordDose', dose(1, '2026-01-06', { doseMg: 60 })), meta(COORDINATOR));
    const deviationId = offDose.idOf('ProtocolDeviationDetected');
    spec.given(offDose.all()).when({ ...verify, payload: { targetEventId: deviationId } }, meta(MONITOR)).thenError('SDV.NOT_SOURCE_DATA', 'conflict');
    spec.given(offDose.all()).when({ ...verify, payload: { targetEventId: offDose.idOf('DoseAdministered') } }, meta(MONITOR)).thenMatches([{ type: 'RecordSourceVerified' }]);
  });
  it('given a dose its recorder entered before becoming a monitor, when they verify it, then SDV.OWN_ENTRY (source data are verified by someone else) and nothing is recorded', () => {
    const formerCoordinator = { ...COORDINATOR, role: 'monitor' as const };
    spec.given(history().all()).when(verify, meta(formerCoordinator)).thenError('SDV.OWN_ENTRY');
    const corrected = history().run(subjectCommand('CorrectEntry', { targetEventId: doseId, changes: { lotNumber: 'LOT-9' }, reason: 'pharmacy log' }), meta(INVESTIGATOR));
    spec.given(corrected.all()).when(verify, meta({ ...INVESTIGATOR, role: 'monitor' })).thenError('SDV.OWN_ENTRY');
  });
  it('given a voided dose, when a monitor verifies it, then ENTRY.VOIDED and nothing is recorded', () => {
    const voided = history().run(subjectCommand('VoidEntry', { targetEventId: doseId, reason: 'wrong subject' }), meta(COORDINATOR));
    spec.given(voided.all()).when(verify, meta(MONITOR)).thenError('ENTRY.VOIDED', 'conflict');
  });
  it('given a dose voided with a long reason, when a monitor verifies it, then ENTRY.VOIDED names the void, not its reason (which may run to 2,000 characters)', () => {
    const reason = `wrong subject ${'x'.repeat(1_900)}`;
    const voided = history().run(subjectCommand('VoidEntry', { targetEventId: doseId, reason }), meta(COORDINATOR));
    expect(() => spec.given(voided.all()).when(verify, meta(MONITOR)).result()).toThrow(
      expect.objectContaining({ code: 'ENTRY.VOIDED', message: expect.not.stringContaining('xxxx'), details: expect.objectContaining({ voidedBy: voided.idOf('EntryVoided') }) }),
    );
  });
  it('given a correction of a dose, when a monitor verifies the correction event itself, then it is not an entry to verify (nothing is recorded)', () => {
    const corrected = history().run(subjectCommand('CorrectEntry', { targetEventId: doseId, changes: { lotNumber: 'LOT-2' }, reason: 'label' }), meta(COORDINATOR));
    expect(() => spec.given(corrected.all()).when({ ...verify, payload: { targetEventId: corrected.idOf('EntryCorrected') } }, meta(MONITOR)).result()).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^(ENTRY\.NOT_FOUND|SDV\.NOT_SOURCE_DATA)$/) }),
    );
  });
  it('given a locked study, when a monitor verifies a dose, then STUDY.LOCKED', () =>
    spec.given([...history().all(), { type: 'StudyLocked', data: { studyId: STUDY_ID, reason: 'final analysis' } } as GivenEvent]).when(verify, meta(MONITOR)).thenError('STUDY.LOCKED'));
  it('given a dose, when an investigator verifies it, then AUTH.ROLE_NOT_ALLOWED', () =>
    spec.given(history().all()).when(verify, meta(INVESTIGATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  it('given a dose, when an unknown entry is verified, then ENTRY.NOT_FOUND', () =>
    spec.given(history().all()).when({ ...verify, payload: { targetEventId: 'e999' } }, meta(MONITOR)).thenError('ENTRY.NOT_FOUND', 'not-found'));
});
