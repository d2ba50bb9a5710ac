import type { DomainEvent } from '../shared/decider';
import type { IsoDate } from '../shared/iso-date';
import type { ProtocolDocument } from '../protocol/protocol.types';
import type {
  AssessEligibilityPayload,
  DeviationSeverity,
  Modality,
  Sex,
  TargetLesionInput,
  WithdrawalReason,
} from '../commands/command.types';
import type { NonTargetStatus } from '../subject/recist/recist.types';

/**
 * Every event type of the ledger. The `type` strings are a permanent storage contract: past tense,
 * PascalCase, never renamed. A change of a data shape bumps the type's schema version and adds an
 * upcaster (see `upcasters.ts`).
 */

// ---- study stream: study-{studyId} -------------------------------------------------------------
export type StudyRegistered = DomainEvent<'StudyRegistered', { studyId: string; protocol: ProtocolDocument }>;
export type ProtocolAmended = DomainEvent<'ProtocolAmended', { studyId: string; version: number; protocol: ProtocolDocument; reason: string }>;
/** The roster entry that makes the enrollment cap hold: written atomically with `SubjectEnrolled`. */
export type SubjectAddedToRoster = DomainEvent<'SubjectAddedToRoster', { subjectId: string; subjectNumber: number; enrollmentDate: IsoDate }>;
export type StudyLocked = DomainEvent<'StudyLocked', { studyId: string; reason: string }>;
export type StudyUnlocked = DomainEvent<'StudyUnlocked', { studyId: string; reason: string }>;
export type StudyEvent = StudyRegistered | ProtocolAmended | SubjectAddedToRoster | StudyLocked | StudyUnlocked;

// ---- subject stream: subject-{studyId}-{subjectId} ---------------------------------------------
export type SubjectScreened = DomainEvent<'SubjectScreened', { studyId: string; subjectId: string; screeningDate: IsoDate; consentDate: IsoDate; sex: Sex; birthYear: number }>;
export type EligibilityConfirmed = DomainEvent<'EligibilityConfirmed', AssessEligibilityPayload>;
/** A screen failure names every criterion that failed (e.g. `ki67-above-max`, `ecog-above-max`). */
export type SubjectScreenFailed = DomainEvent<'SubjectScreenFailed', AssessEligibilityPayload & { failedCriteria: string[] }>;
export type SubjectEnrolled = DomainEvent<'SubjectEnrolled', { subjectNumber: number; enrollmentDate: IsoDate }>;
export type DoseAdministered = DomainEvent<'DoseAdministered', {
  cycle: number; administeredOn: IsoDate; doseMg: number; route: string; lotNumber: string; injectionSite: string;
  /** The protocol window the dose was due in (derived at recording time, for the casebook). */
  window: { dueOn: IsoDate; from: IsoDate; to: IsoDate };
}>;
export type DoseMissed = DomainEvent<'DoseMissed', { cycle: number; dueOn: IsoDate; reason: string }>;
/** Detected by the system from a recorded fact (off-window, wrong dose/route, skipped or missed cycle). */
export type ProtocolDeviationDetected = DomainEvent<'ProtocolDeviationDetected', {
  deviationDate: IsoDate; category: string; description: string; severity: DeviationSeverity;
  cycle?: number; relatedEventId?: string;
}>;
export type TumorAssessmentRecorded = DomainEvent<'TumorAssessmentRecorded', {
  assessmentDate: IsoDate; modality: Modality; baseline: boolean; targetLesions: TargetLesionInput[];
  nonTargetStatus: NonTargetStatus; newLesions: boolean;
  /** Derived by RECIST 1.1 at recording time (projections re-derive after corrections). */
  sumOfDiametersMm: number | null; targetResponse: string | null; overallResponse: string | null;
}>;
export type ClinicalProgressionRecorded = DomainEvent<'ClinicalProgressionRecorded', { progressionDate: IsoDate; basis: string }>;
export type NewAnticancerTherapyStarted = DomainEvent<'NewAnticancerTherapyStarted', { startDate: IsoDate; therapy: string }>;
export type AdverseEventReported = DomainEvent<'AdverseEventReported', { term: string; onsetDate: IsoDate; ctcaeGrade: number; serious: boolean; relatedness: string }>;
export type ProtocolDeviationRecorded = DomainEvent<'ProtocolDeviationRecorded', { deviationDate: IsoDate; category: string; description: string; severity: DeviationSeverity }>;
export type TreatmentDiscontinued = DomainEvent<'TreatmentDiscontinued', { discontinuationDate: IsoDate; reason: string }>;
export type SubjectWithdrawn = DomainEvent<'SubjectWithdrawn', { withdrawalDate: IsoDate; reason: WithdrawalReason }>;
export type SubjectDied = DomainEvent<'SubjectDied', { deathDate: IsoDate; cause: string }>;
/** A correction: the original event stays untouched; `before`/`after` hold the changed top-level fields. */
export type EntryCorrected = DomainEvent<'EntryCorrected', {
  targetEventId: string; targetType: string; before: Record<string, unknown>; after: Record<string, unknown>; reason: string;
}>;
/** Entered in error: projections ignore the target from here on. */
export type EntryVoided = DomainEvent<'EntryVoided', { targetEventId: string; targetType: string; reason: string }>;

export type SubjectEvent =
  | SubjectScreened | EligibilityConfirmed | SubjectScreenFailed | SubjectEnrolled | DoseAdministered | DoseMissed
  | ProtocolDeviationDetected | TumorAssessmentRecorded | ClinicalProgressionRecorded | NewAnticancerTherapyStarted
  | AdverseEventReported | ProtocolDeviationRecorded | TreatmentDiscontinued | SubjectWithdrawn | SubjectDied
  | EntryCorrected | EntryVoided;

export type SubjectEventType = SubjectEvent['type'];
export type StudyEventType = StudyEvent['type'];
