import type { DomainEvent } from '../shared/decider';
import type { IsoDate } from '../shared/iso-date';
import type { ProtocolDocument } from '../protocol/protocol.types';
import type {
  AdverseEventOutcome,
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
/**
 * The roster line's enrollment date corrected, written atomically with the subject's `EntryCorrected` of its
 * `SubjectEnrolled` (a mistyped date is a fact to correct): the roster and the casebook keep one date.
 */
export type RosterEnrollmentDateCorrected = DomainEvent<'RosterEnrollmentDateCorrected', { subjectId: string; subjectNumber: number; enrollmentDate: IsoDate }>;
export type StudyLocked = DomainEvent<'StudyLocked', { studyId: string; reason: string }>;
export type StudyUnlocked = DomainEvent<'StudyUnlocked', { studyId: string; reason: string }>;
export type StudyEvent = StudyRegistered | ProtocolAmended | SubjectAddedToRoster | RosterEnrollmentDateCorrected | StudyLocked | StudyUnlocked;

// ---- subject stream: subject-{studyId}-{subjectId} ---------------------------------------------
export type SubjectScreened = DomainEvent<'SubjectScreened', { studyId: string; subjectId: string; screeningDate: IsoDate; consentDate: IsoDate; sex: Sex; birthYear: number }>;
export type EligibilityConfirmed = DomainEvent<'EligibilityConfirmed', AssessEligibilityPayload>;
/** A screen failure names every criterion that failed (e.g. `ki67-above-maximum`, `ecog-above-maximum`). */
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
/**
 * The outcome of the adverse event `adverseEventId` (the `AdverseEventReported` entry's event id), per the
 * CDISC SDTM AEOUT codelist, with its end date (AEENDTC) when it ended: recovered, with sequelae or fatal;
 * null while it is ongoing or its outcome unknown. The latest non-voided outcome of an AE is its current one.
 */
export type AdverseEventOutcomeRecorded = DomainEvent<'AdverseEventOutcomeRecorded', { adverseEventId: string; outcome: AdverseEventOutcome; endDate: IsoDate | null }>;
export type ProtocolDeviationRecorded = DomainEvent<'ProtocolDeviationRecorded', { deviationDate: IsoDate; category: string; description: string; severity: DeviationSeverity }>;
export type TreatmentDiscontinued = DomainEvent<'TreatmentDiscontinued', { discontinuationDate: IsoDate; reason: string }>;
export type SubjectWithdrawn = DomainEvent<'SubjectWithdrawn', { withdrawalDate: IsoDate; reason: WithdrawalReason }>;
export type SubjectDied = DomainEvent<'SubjectDied', { deathDate: IsoDate; cause: string }>;
/** A correction: the original event stays untouched; `before`/`after` hold the changed top-level fields. */
export type EntryCorrected = DomainEvent<'EntryCorrected', {
  targetEventId: string; targetType: string; before: Record<string, unknown>; after: Record<string, unknown>; reason: string;
  /**
   * Set only when the corrected values change the entry's outcome and so its type: an eligibility
   * assessment that now passes (`EligibilityConfirmed`) or fails (`SubjectScreenFailed`).
   */
  resultingType?: string;
}>;
/** Entered in error: projections ignore the target from here on. */
export type EntryVoided = DomainEvent<'EntryVoided', { targetEventId: string; targetType: string; reason: string }>;

// ---- electronic signatures, on the subject stream (21 CFR Part 11 §11.50, §11.70, §11.200) -------
/** The meaning of a signature (§11.50(a)(3)), shown with every manifestation of it. */
export type SignatureMeaning = 'authorship' | 'review' | 'approval' | 'responsibility';
export const SIGNATURE_MEANINGS: readonly SignatureMeaning[] = ['authorship', 'review', 'approval', 'responsibility'];
/**
 * What a signature binds (§11.50, §11.70): the signer's printed name, the UTC date-time, the meaning,
 * and `signedHash` = SHA-256 over the subject stream up to `signedThroughVersion` (built from the
 * stored chain hash of that event), so it cannot be cut out and moved onto other content.
 */
export type SignatureManifestation = {
  studyId: string; subjectId: string;
  signerUserId: string; signerUsername: string; signerFullName: string;
  /** Server UTC date-time of execution, ms precision. */
  signedAt: string;
  meaning: SignatureMeaning;
  signedThroughVersion: number; signedEventHash: string; signedHash: string; hashAlgorithm: 'SHA-256';
};
/** `SignCasebook` (investigator): the whole casebook as it stood at `signedThroughVersion`. */
export type CasebookSigned = DomainEvent<'CasebookSigned', SignatureManifestation>;
/** One record (and any corrections of it recorded before the signature). */
export type RecordSigned = DomainEvent<'RecordSigned', SignatureManifestation & { targetEventId: string; targetType: string }>;

export type SubjectEvent =
  | SubjectScreened | EligibilityConfirmed | SubjectScreenFailed | SubjectEnrolled | DoseAdministered | DoseMissed
  | ProtocolDeviationDetected | TumorAssessmentRecorded | ClinicalProgressionRecorded | NewAnticancerTherapyStarted
  | AdverseEventReported | AdverseEventOutcomeRecorded | ProtocolDeviationRecorded | TreatmentDiscontinued | SubjectWithdrawn | SubjectDied
  | EntryCorrected | EntryVoided | CasebookSigned | RecordSigned;

export type SubjectEventType = SubjectEvent['type'];
export type StudyEventType = StudyEvent['type'];
