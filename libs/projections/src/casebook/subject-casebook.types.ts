import type {
  AdverseEventOutcome,
  Actor,
  AssessEligibilityPayload,
  AssessmentEvaluation,
  BestOverallResponseResult,
  DeviationSeverity,
  EntryEvent,
  EntryEventType,
  IsoDate,
  Modality,
  Sex,
  SignatureMeaning,
  SignatureScope,
  SignatureValidity,
  SubjectStatus,
  TargetLesionInput,
  WithdrawalReason,
} from '@trial-ledger/domain';

/**
 * The subject casebook: the read model a coordinator, monitor or regulator reads for one subject
 * (the electronic CRF view). It is a pure function of the study's protocol events and the subject's
 * stream; every figure in it can be traced back to the event ids it lists.
 */

/**
 * Where the subject is in the trial: the domain's own status (`new`, `screened`, `screen-failed`,
 * `eligible`, `withdrawn-before-enrollment`, `enrolled`, `withdrawn`, `dead`). A discontinued treatment leaves the subject enrolled
 * (in follow-up, ITT); the casebook shows it as `treatmentDiscontinuation`.
 */
export type { SubjectStatus };

/** Who entered a value and when (Part 11 §11.10(e): the audit trail names the operator and time). */
export interface EntryProvenance {
  readonly eventId: string;
  readonly recordedAt: string;
  readonly recordedBy: Actor;
  /** True when at least one correction changed the values shown (the latest values are shown). */
  readonly corrected: boolean;
}

/**
 * One clinical entry of the subject stream as recorded, with its corrections folded in by the domain
 * (`SubjectEntry`): the casebook lists voided entries too, flagged.
 */
export interface CasebookEntry {
  readonly eventId: string;
  /** The entry's current type (a corrected eligibility assessment may change outcome and so type). */
  readonly type: EntryEventType;
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly recordedAt: string;
  readonly recordedBy: Actor;
  /** The event exactly as first recorded (the original event stays untouched). */
  readonly recorded: EntryEvent;
  /** The event with every correction applied (RECIST figures re-derived by the domain). */
  readonly current: EntryEvent;
  /** Ids of the `EntryCorrected` events applied to `current`, oldest first. */
  readonly correctionIds: readonly string[];
  /** Set once an `EntryVoided` names this entry: it is then hidden from every clinical view. */
  readonly voidedBy: string | null;
}

/** A correction with its reason, before and after (21 CFR 11.10(e): changes must not obscure prior values). */
export interface CorrectionRecord {
  readonly eventId: string;
  readonly globalPosition: number;
  readonly targetEventId: string;
  readonly targetType: EntryEventType;
  readonly before: Readonly<Record<string, unknown>>;
  readonly after: Readonly<Record<string, unknown>>;
  readonly reason: string;
  readonly recordedAt: string;
  readonly recordedBy: Actor;
}

/** A void: the target was entered in error; projections ignore it from then on, but list it here. */
export interface VoidRecord {
  readonly eventId: string;
  readonly globalPosition: number;
  readonly targetEventId: string;
  readonly targetType: EntryEventType;
  readonly reason: string;
  readonly recordedAt: string;
  readonly recordedBy: Actor;
  /** The voided entry's data as it stood when voided, so the casebook still shows what was withdrawn. */
  readonly voidedData: EntryEvent['data'];
}

export interface DoseWindow {
  readonly dueOn: IsoDate;
  readonly from: IsoDate;
  readonly to: IsoDate;
}

export interface DoseView extends EntryProvenance {
  readonly cycle: number;
  readonly administeredOn: IsoDate;
  readonly doseMg: number;
  readonly route: string;
  readonly lotNumber: string;
  readonly injectionSite: string;
  readonly window: DoseWindow | null;
  /** Administered inside its protocol window (± windowDays around the due date). */
  readonly withinWindow: boolean | null;
}

export interface MissedDoseView extends EntryProvenance {
  readonly cycle: number;
  readonly dueOn: IsoDate;
  readonly reason: string;
}

/** The next dose the protocol expects: cycle 1 at day 0–7, then previous dose + interval ± window. */
export interface NextDoseDue {
  readonly cycle: number;
  readonly dueOn: IsoDate;
  readonly windowFrom: IsoDate;
  readonly windowTo: IsoDate;
}

export interface DeviationView extends EntryProvenance {
  /** `detected` by the system from a recorded fact, or `recorded` by site staff (GCP E6 deviation log). */
  readonly source: 'detected' | 'recorded';
  readonly deviationDate: IsoDate;
  readonly category: string;
  readonly description: string;
  readonly severity: DeviationSeverity;
  readonly cycle: number | null;
  readonly relatedEventId: string | null;
}

/** A tumour assessment with its RECIST 1.1 response re-derived from the current (corrected) lesions. */
export interface AssessmentView extends EntryProvenance {
  readonly assessmentDate: IsoDate;
  readonly modality: Modality;
  readonly baseline: boolean;
  readonly targetLesions: readonly TargetLesionInput[];
  readonly nonTargetStatus: string;
  readonly newLesions: boolean;
  readonly sumOfDiametersMm: number | null;
  readonly nadirBeforeMm: number | null;
  readonly percentFromBaseline: number | null;
  readonly percentFromNadir: number | null;
  readonly targetResponse: string | null;
  readonly overallResponse: string | null;
  /** `derived` = re-computed by RECIST 1.1 from the current lesions; `recorded` = as stamped at entry. */
  readonly responseSource: 'derived' | 'recorded';
}

export interface ClinicalProgressionView extends EntryProvenance {
  readonly progressionDate: IsoDate;
  readonly basis: string;
}

export interface NewTherapyView extends EntryProvenance {
  readonly startDate: IsoDate;
  readonly therapy: string;
}

export interface AdverseEventView extends EntryProvenance {
  readonly term: string;
  readonly onsetDate: IsoDate;
  readonly ctcaeGrade: number;
  readonly serious: boolean;
  readonly relatedness: string;
  /**
   * The current outcome (CDISC SDTM AEOUT): the latest outcome recorded for this AE and not voided, with its
   * corrections folded in; null while none is recorded. A later outcome supersedes an earlier one.
   */
  readonly outcome: AdverseEventOutcome | null;
  /** The end date (AEENDTC) of the current outcome; null while the AE is ongoing, of unknown outcome, or without outcome. */
  readonly endDate: IsoDate | null;
  /** Who recorded the current outcome and when (its `AdverseEventOutcomeRecorded` entry); null without outcome. */
  readonly outcomeRecord: EntryProvenance | null;
}

/**
 * An electronic signature (Part 11 §11.50): signer, meaning, time, and its status by the domain's one
 * rule (`subjectSignatures`): superseded by any later correction or void of what it covered.
 */
export interface SignatureView {
  readonly eventId: string;
  readonly globalPosition: number;
  readonly signedBy: Actor;
  readonly signedAt: string;
  readonly meaning: SignatureMeaning;
  /** What the signature binds: the whole casebook as it stood, or one record (RecordSigned). */
  readonly scope: SignatureScope;
  /** The type of the one record a `RecordSigned` covers (null for a casebook signature). */
  readonly targetType: string | null;
  readonly signedThroughVersion: number;
  readonly signedHash: string;
  readonly status: SignatureValidity;
  /** The corrections and voids, recorded after the signature, that touch what it covered. */
  readonly supersededBy: readonly string[];
}

/** The treatment schedule the casebook needs from the protocol document (for the next dose due). */
export interface DosingSchedule {
  readonly protocolVersion: number;
  readonly intervalDays: number;
  readonly windowDays: number;
  readonly firstDoseFromDay: number;
  readonly firstDoseToDay: number;
}

export interface SubjectCasebook {
  readonly studyId: string;
  readonly subjectId: string;
  readonly streamId: string;
  /** Last global position folded in. */
  readonly lastPosition: number;
  readonly streamVersion: number;
  readonly lastRecordedAt: string | null;
  readonly schedule: DosingSchedule | null;
  readonly status: SubjectStatus;
  readonly screening: { screeningDate: IsoDate; consentDate: IsoDate; sex: Sex; birthYear: number; eventId: string } | null;
  readonly eligibility: {
    confirmed: boolean;
    assessmentDate: IsoDate;
    failedCriteria: readonly string[];
    inputs: AssessEligibilityPayload;
    eventId: string;
  } | null;
  readonly enrollment: { subjectNumber: number; enrollmentDate: IsoDate; eventId: string } | null;
  readonly doses: readonly DoseView[];
  readonly missedDoses: readonly MissedDoseView[];
  readonly nextDose: NextDoseDue | null;
  readonly deviations: readonly DeviationView[];
  readonly assessments: readonly AssessmentView[];
  /** Best overall response with confirmation (RECIST 1.1 §4.4), a secondary output; null without baseline. */
  readonly bestOverallResponse: BestOverallResponseResult | null;
  /** Why RECIST could not be re-derived (a stable RECIST.* code), when the recorded responses are shown. */
  readonly recistIssue: string | null;
  readonly clinicalProgressions: readonly ClinicalProgressionView[];
  readonly newAnticancerTherapies: readonly NewTherapyView[];
  readonly adverseEvents: readonly AdverseEventView[];
  readonly treatmentDiscontinuation: { discontinuationDate: IsoDate; reason: string; eventId: string } | null;
  readonly withdrawal: { withdrawalDate: IsoDate; reason: WithdrawalReason; eventId: string } | null;
  readonly death: { deathDate: IsoDate; cause: string; eventId: string } | null;
  readonly corrections: readonly CorrectionRecord[];
  readonly voids: readonly VoidRecord[];
  readonly signatures: readonly SignatureView[];
  /** The entries behind every view, in stream order (voided ones included, flagged). */
  readonly entries: readonly CasebookEntry[];
}

export type { AssessmentEvaluation };
