import type { ClinicalCommandType } from '../../commands/command.types';
import { assertNever } from '../../shared/domain-error';
import type { EntryEvent, EntryEventType, SubjectFacts } from '../subject.state';
import { PAYLOAD_FIELDS } from '../payload.validate';
import { decideRecordAdverseEventOutcome } from './adverse-event-outcome.decision';
import { decideAssessEligibility } from './assess-eligibility.decision';
import {
  decideDiscontinueTreatment,
  decideRecordClinicalProgression,
  decideRecordDeath,
  decideRecordDeviation,
  decideRecordNewAnticancerTherapy,
  decideReportAdverseEvent,
  decideWithdrawSubject,
} from './clinical-facts.decision';
import { decideRecordDose, decideRecordMissedDose } from './dosing.decision';
import { decideEnrollSubject } from './enroll-subject.decision';
import { decideRecordTumorAssessment } from './record-tumor-assessment.decision';
import { decideScreenSubject } from './screen-subject.decision';
import type { ClinicalCommand, DecisionContext } from './decision.types';

/** Dispatches a clinical command to its decision. */
export const decideClinical = (command: ClinicalCommand, facts: SubjectFacts, ctx: DecisionContext): EntryEvent[] => {
  switch (command.type) {
    case 'ScreenSubject':
      return decideScreenSubject(facts, command.payload, ctx);
    case 'AssessEligibility':
      return decideAssessEligibility(facts, command.payload, ctx);
    case 'EnrollSubject':
      return decideEnrollSubject(facts, command.payload, ctx);
    case 'RecordDose':
      return decideRecordDose(facts, command.payload, ctx);
    case 'RecordMissedDose':
      return decideRecordMissedDose(facts, command.payload, ctx);
    case 'RecordTumorAssessment':
      return decideRecordTumorAssessment(facts, command.payload, ctx);
    case 'RecordClinicalProgression':
      return decideRecordClinicalProgression(facts, command.payload, ctx);
    case 'RecordNewAnticancerTherapy':
      return decideRecordNewAnticancerTherapy(facts, command.payload, ctx);
    case 'ReportAdverseEvent':
      return decideReportAdverseEvent(facts, command.payload, ctx);
    case 'RecordAdverseEventOutcome':
      return decideRecordAdverseEventOutcome(facts, command.payload, ctx);
    case 'RecordDeviation':
      return decideRecordDeviation(facts, command.payload, ctx);
    case 'DiscontinueTreatment':
      return decideDiscontinueTreatment(facts, command.payload, ctx);
    case 'WithdrawSubject':
      return decideWithdrawSubject(facts, command.payload, ctx);
    case 'RecordDeath':
      return decideRecordDeath(facts, command.payload, ctx);
    default:
      return assertNever(command, 'clinical command');
  }
};

/**
 * The command that records each kind of entry: whose roles may correct or void it, and whose rules a
 * corrected value must still satisfy. System-detected deviations belong to `RecordDeviation` for roles
 * but are not re-decided (they are derived, not entered).
 */
export const COMMAND_OF_ENTRY: { readonly [K in EntryEventType]: ClinicalCommandType } = {
  SubjectScreened: 'ScreenSubject',
  EligibilityConfirmed: 'AssessEligibility',
  SubjectScreenFailed: 'AssessEligibility',
  SubjectEnrolled: 'EnrollSubject',
  DoseAdministered: 'RecordDose',
  DoseMissed: 'RecordMissedDose',
  ProtocolDeviationDetected: 'RecordDeviation',
  TumorAssessmentRecorded: 'RecordTumorAssessment',
  ClinicalProgressionRecorded: 'RecordClinicalProgression',
  NewAnticancerTherapyStarted: 'RecordNewAnticancerTherapy',
  AdverseEventReported: 'ReportAdverseEvent',
  AdverseEventOutcomeRecorded: 'RecordAdverseEventOutcome',
  ProtocolDeviationRecorded: 'RecordDeviation',
  TreatmentDiscontinued: 'DiscontinueTreatment',
  SubjectWithdrawn: 'WithdrawSubject',
  SubjectDied: 'RecordDeath',
};

/** The command payload an entry was recorded from (derived fields left out); null for derived entries. */
export const commandOfEntry = (event: EntryEvent): ClinicalCommand | null => {
  if (event.type === 'ProtocolDeviationDetected') return null;
  const type = COMMAND_OF_ENTRY[event.type];
  const data = event.data as unknown as Record<string, unknown>;
  const payload = Object.fromEntries(PAYLOAD_FIELDS[type].filter((f) => f in data).map((f) => [f, structuredClone(data[f])]));
  return { type, payload } as unknown as ClinicalCommand;
};
