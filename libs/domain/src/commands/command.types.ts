import type { Role } from '../shared/actor';
import type { IsoDate } from '../shared/iso-date';
import type { ProtocolDocument } from '../protocol/protocol.types';
import type { NonTargetStatus } from '../subject/recist/recist.types';

/**
 * Commands and their payloads exactly as SPEC appendix A names them; API bodies and import lines
 * use the same names. A command is a request that may be refused; events are what was decided.
 */
export type Sex = 'F' | 'M' | 'U';
export type DiseaseStatus = 'metastatic' | 'recurrent' | 'locally-advanced';
export type Modality = 'CT' | 'MRI';
export type DeviationSeverity = 'major' | 'minor';
export type WithdrawalReason = 'consent-withdrawn' | 'lost-to-follow-up' | 'investigator-decision' | 'other';
/**
 * Outcome of an adverse event, one code per term of the CDISC SDTM AEOUT codelist ("Outcome of Event"):
 * RECOVERED/RESOLVED, RECOVERING/RESOLVING, NOT RECOVERED/NOT RESOLVED, RECOVERED/RESOLVED WITH SEQUELAE,
 * FATAL, UNKNOWN.
 */
export type AdverseEventOutcome = 'recovered' | 'recovering' | 'not-recovered' | 'recovered-with-sequelae' | 'fatal' | 'unknown';

export interface ScreenSubjectPayload { screeningDate: IsoDate; consentDate: IsoDate; sex: Sex; birthYear: number }
export interface AssessEligibilityPayload {
  assessmentDate: IsoDate; age: number; primarySite: string; whoGrade: number; ki67Percent: number;
  diseaseStatus: DiseaseStatus; measurableDisease: boolean; priorSystemicTherapy: boolean; ecog: number;
}
export interface EnrollSubjectPayload { enrollmentDate: IsoDate }
export interface RecordDosePayload {
  cycle: number; administeredOn: IsoDate; doseMg: number; route: string; lotNumber: string; injectionSite: string;
}
export interface RecordMissedDosePayload { cycle: number; dueOn: IsoDate; reason: string }
export interface TargetLesionInput { lesionId: string; organ: string; diameterMm: number | null; nodal: boolean }
export interface RecordTumorAssessmentPayload {
  assessmentDate: IsoDate; modality: Modality; baseline: boolean; targetLesions: TargetLesionInput[];
  nonTargetStatus: NonTargetStatus; newLesions: boolean;
}
export interface RecordClinicalProgressionPayload { progressionDate: IsoDate; basis: string }
export interface RecordNewAnticancerTherapyPayload { startDate: IsoDate; therapy: string }
export interface ReportAdverseEventPayload { term: string; onsetDate: IsoDate; ctcaeGrade: number; serious: boolean; relatedness: string }
/**
 * The outcome of a reported adverse event (SDTM AEOUT) and, when the event has ended, its end date (AEENDTC).
 * `adverseEventId` is the event id of the `AdverseEventReported` entry, or `adverseEventIdempotencyKey` the
 * idempotency key of the command that reported it (resolved by the pipeline to its id); a later outcome
 * supersedes an earlier one.
 */
export interface RecordAdverseEventOutcomePayload {
  adverseEventId?: string; adverseEventIdempotencyKey?: string; outcome: AdverseEventOutcome; endDate?: IsoDate | null;
}
export interface RecordDeviationPayload { deviationDate: IsoDate; category: string; description: string; severity: DeviationSeverity }
export interface DiscontinueTreatmentPayload { discontinuationDate: IsoDate; reason: string }
export interface WithdrawSubjectPayload { withdrawalDate: IsoDate; reason: WithdrawalReason }
export interface RecordDeathPayload { deathDate: IsoDate; cause: string }
/** Names its target by event id or by the idempotency key of the command that wrote it (resolved by the pipeline). */
export interface CorrectEntryPayload { targetEventId?: string; targetIdempotencyKey?: string; changes: Record<string, unknown>; reason: string }
export interface VoidEntryPayload { targetEventId?: string; targetIdempotencyKey?: string; reason: string }

export interface SubjectPayloads {
  ScreenSubject: ScreenSubjectPayload;
  AssessEligibility: AssessEligibilityPayload;
  EnrollSubject: EnrollSubjectPayload;
  RecordDose: RecordDosePayload;
  RecordMissedDose: RecordMissedDosePayload;
  RecordTumorAssessment: RecordTumorAssessmentPayload;
  RecordClinicalProgression: RecordClinicalProgressionPayload;
  RecordNewAnticancerTherapy: RecordNewAnticancerTherapyPayload;
  ReportAdverseEvent: ReportAdverseEventPayload;
  RecordAdverseEventOutcome: RecordAdverseEventOutcomePayload;
  RecordDeviation: RecordDeviationPayload;
  DiscontinueTreatment: DiscontinueTreatmentPayload;
  WithdrawSubject: WithdrawSubjectPayload;
  RecordDeath: RecordDeathPayload;
  CorrectEntry: CorrectEntryPayload;
  VoidEntry: VoidEntryPayload;
}
export type SubjectCommandType = keyof SubjectPayloads;

/** A command addressed to one subject's stream (`subject-{studyId}-{subjectId}`). */
export type SubjectCommand = {
  [K in SubjectCommandType]: { readonly type: K; readonly studyId: string; readonly subjectId: string; readonly payload: SubjectPayloads[K] };
}[SubjectCommandType];

export interface StudyPayloads {
  RegisterStudy: { protocol: ProtocolDocument };
  AmendProtocol: { protocol: ProtocolDocument; reason: string };
  LockStudy: { reason: string };
  UnlockStudy: { reason: string };
}
export type StudyCommandType = keyof StudyPayloads;
export type StudyCommand = {
  [K in StudyCommandType]: { readonly type: K; readonly studyId: string; readonly payload: StudyPayloads[K] };
}[StudyCommandType];

export type ClinicalCommandType = Exclude<SubjectCommandType, 'CorrectEntry' | 'VoidEntry'>;

/**
 * Who may issue what (SPEC §2, §5). `CorrectEntry` and `VoidEntry` are checked against the roles of the
 * command that wrote the target entry. Monitors and regulators issue no commands; admins never touch
 * clinical data.
 */
export const COMMAND_ROLES: { readonly [K in SubjectCommandType | StudyCommandType]: readonly Role[] } = {
  RegisterStudy: ['admin'],
  AmendProtocol: ['admin'],
  LockStudy: ['admin'],
  UnlockStudy: ['admin'],
  ScreenSubject: ['coordinator', 'investigator'],
  AssessEligibility: ['investigator'],
  EnrollSubject: ['investigator'],
  RecordDose: ['coordinator', 'investigator'],
  RecordMissedDose: ['coordinator', 'investigator'],
  RecordTumorAssessment: ['coordinator', 'investigator'],
  RecordClinicalProgression: ['investigator'],
  RecordNewAnticancerTherapy: ['coordinator', 'investigator'],
  ReportAdverseEvent: ['coordinator', 'investigator'],
  RecordAdverseEventOutcome: ['coordinator', 'investigator'],
  RecordDeviation: ['coordinator', 'investigator'],
  DiscontinueTreatment: ['investigator'],
  WithdrawSubject: ['coordinator', 'investigator'],
  RecordDeath: ['coordinator', 'investigator'],
  CorrectEntry: ['coordinator', 'investigator'],
  VoidEntry: ['coordinator', 'investigator'],
};

/** Who reads clinical data: site staff for their subjects, monitors and regulators for review. Admins never see it. */
const CLINICAL_READERS: readonly Role[] = ['coordinator', 'investigator', 'monitor', 'regulator'];
/**
 * Whether a role reads clinical data: subject ids, enrollment dates, casebooks, endpoints. The
 * administrator does not (SPEC §5); a read that serves set-up and clinical data together (the study, its
 * stream's history) gives the administrator the set-up part only.
 */
export const readsClinicalData = (role: Role): boolean => CLINICAL_READERS.includes(role);
/** Who reads the whole ledger (audit trail, verification, exports): monitors (auditors) and regulators. */
const AUDIT_READERS: readonly Role[] = ['monitor', 'regulator'];

/**
 * Who may read what (SPEC §5), beside `COMMAND_ROLES`: one table for every query of the API and
 * the CLI, so a read rule is written once.
 */
export const QUERY_ROLES = {
  /** The administrator gets the set-up view: protocol, amendments, lock state; no roster (`studySetupView`). */
  GetStudy: ['coordinator', 'investigator', 'monitor', 'regulator', 'admin'],
  /** The administrator gets the set-up events only (`STUDY_SETUP_EVENT_TYPES`); no roster entries. */
  GetStudyEvents: ['coordinator', 'investigator', 'monitor', 'regulator', 'admin'],
  GetSubject: CLINICAL_READERS,
  GetSubjectEvents: CLINICAL_READERS,
  GetCasebook: CLINICAL_READERS,
  GetStudyOverview: CLINICAL_READERS,
  GetPfs: CLINICAL_READERS,
  GetPfsPlot: CLINICAL_READERS,
  /** Endpoint provenance: what moved the PFS analysis between two knowledge times or data cuts. */
  GetPfsDiff: CLINICAL_READERS,
  ListSignatures: CLINICAL_READERS,
  /** Monitor queries (status, age, thread) and per-subject SDV progress. */
  ListQueries: CLINICAL_READERS,
  GetQuery: CLINICAL_READERS,
  GetSourceVerifications: CLINICAL_READERS,
  GetAuditTrail: AUDIT_READERS,
  ExportAuditTrail: AUDIT_READERS,
  ExportOdm: AUDIT_READERS,
  VerifyLedger: AUDIT_READERS,
  /** Risk-based audit-trail review (EMA 2023 §6.2.2). */
  ReviewAuditTrail: AUDIT_READERS,
  /** An inclusion proof carries the event itself (clinical data): auditors only. */
  GetInclusionProof: AUDIT_READERS,
  /**
   * Hashes only, no clinical data: sites keep signed tree heads too and may check that the ledger still
   * extends them. Admins run the system and are the very insiders a consistency proof guards against.
   */
  GetConsistencyProof: ['investigator', 'coordinator', 'monitor', 'regulator'],
  /** Administrators, and auditors reviewing who had access (Part 11 §11.10(d), (g)). */
  ListUsers: ['admin', 'monitor', 'regulator'],
  GetUser: ['admin', 'monitor', 'regulator'],
  /**
   * The history of user management (the identity stream, secrets redacted): administrators, and
   * auditors reviewing it (SPEC §5: user management is itself audited; Part 11 §11.10(d), (e), (g)).
   */
  GetUserHistory: ['admin', 'monitor', 'regulator'],
} as const satisfies Readonly<Record<string, readonly Role[]>>;

export type QueryType = keyof typeof QUERY_ROLES;

export const subjectStreamId = (studyId: string, subjectId: string): string => `subject-${studyId}-${subjectId}`;
export const studyStreamId = (studyId: string): string => `study-${studyId}`;
export const IDENTITY_STREAM_ID = 'identity';
