import type { AdverseEventOutcome, AssessEligibilityPayload, DeviationSeverity, Sex, WithdrawalReason } from '../commands/command.types';
import type { CasebookSigned, EntryCorrected, EntryVoided, RecordSigned, SubjectEvent } from '../events/event.types';
import type { Actor } from '../shared/actor';
import type { Recorded } from '../shared/recorded';
import type { IsoDate } from '../shared/iso-date';
import type { OverallResponse, RecistTrack, TargetLesion } from './recist';

/**
 * A clinical entry of the casebook: every subject event except the corrections and voids about
 * entries and the electronic signatures over them.
 */
export type EntryEvent = Exclude<SubjectEvent, EntryCorrected | EntryVoided | CasebookSigned | RecordSigned>;

/** A subject event with the facts of its recording (`Recorded<SubjectEvent>`, spelt out for interface-typed data). */
export type RecordedSubjectEvent = SubjectEvent & Omit<Recorded, 'type' | 'data'>;
export type EntryEventType = EntryEvent['type'];

/**
 * An electronic signature as recorded on the subject stream (Part 11 §11.50): it changes no clinical
 * fact, but the state keeps it so that its validity can be judged against the later corrections and
 * voids (`subjectSignatures`).
 */
export type RecordedSignature = (CasebookSigned | RecordSigned) & Omit<Recorded, 'type' | 'data'>;

/** One correction of an entry (Part 11 §11.10(e): who changed what, when, and why; the original stays). */
export interface EntryCorrection {
  readonly eventId: string;
  /** Where the correction stands in the subject stream and the log (a signature covers what precedes it). */
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly idempotencyKey: string | null;
  readonly reason: string;
  readonly before: Readonly<Record<string, unknown>>;
  readonly after: Readonly<Record<string, unknown>>;
  readonly recordedAt: string;
  readonly actor: Actor;
}

export interface EntryVoid {
  readonly eventId: string;
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly idempotencyKey: string | null;
  readonly reason: string;
  readonly recordedAt: string;
  readonly actor: Actor;
}

/**
 * An entry as the ledger knows it now: `recorded` is the event exactly as first written (never
 * changed), `current` the value after every correction — with RECIST figures re-derived — and `voided`
 * says whether it was entered in error. Voided entries stay in the list (the audit trail keeps them)
 * but no rule or projection counts them.
 */
export interface SubjectEntry {
  readonly eventId: string;
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly idempotencyKey: string | null;
  /**
   * The protocol version in force when the entry was recorded (its event's `metadata.protocolVersion`;
   * null when none was stamped). Corrections keep it: a dose stays judged by its own version's schedule.
   */
  readonly protocolVersion: number | null;
  readonly recorded: EntryEvent;
  readonly current: EntryEvent;
  readonly corrections: readonly EntryCorrection[];
  readonly voided: EntryVoid | null;
}

export interface ScreeningFact {
  readonly studyId: string;
  readonly subjectId: string;
  readonly screeningDate: IsoDate;
  /** Written informed consent (ICH E6 4.8): nothing may be assessed before it. */
  readonly consentDate: IsoDate;
  readonly sex: Sex;
  readonly birthYear: number;
}

export interface EligibilityFact extends AssessEligibilityPayload {
  readonly eventId: string;
  /** Empty when every criterion held (`EligibilityConfirmed`). */
  readonly failedCriteria: readonly string[];
}

export interface EnrollmentFact {
  readonly eventId: string;
  readonly subjectNumber: number;
  /** Study day 1 and the PFS start date. */
  readonly enrollmentDate: IsoDate;
}

export interface DoseFact {
  readonly eventId: string;
  readonly cycle: number;
  readonly administeredOn: IsoDate;
  /** The protocol version the dose was recorded under: its window follows that version's schedule (null: the registered one's). */
  readonly protocolVersion: number | null;
}

export interface MissedDoseFact {
  readonly eventId: string;
  readonly cycle: number;
  readonly dueOn: IsoDate;
}

export interface AssessmentFact {
  readonly eventId: string;
  readonly assessmentDate: IsoDate;
  readonly baseline: boolean;
  readonly overallResponse: OverallResponse | null;
  /** The target lesions it reports (absent from a state folded before the field existed). */
  readonly targetLesions?: ReadonlyArray<Pick<TargetLesion, 'lesionId' | 'organ' | 'nodal'>>;
  /** CT or MRI (absent from a state folded before the field existed). */
  readonly modality?: string;
  /** The protocol version the scan was recorded under: its window follows that version's schedule (null: the registered one's). */
  readonly protocolVersion?: number | null;
}

export interface DatedFact {
  readonly eventId: string;
  readonly date: IsoDate;
}

/** One recorded outcome of an adverse event (SDTM AEOUT, AEENDTC); the AE's last one is its current outcome. */
export interface AdverseEventOutcomeFact {
  readonly eventId: string;
  /** The `AdverseEventReported` entry it is the outcome of. */
  readonly adverseEventId: string;
  readonly outcome: AdverseEventOutcome;
  readonly endDate: IsoDate | null;
}

export interface DeviationFact extends DatedFact {
  readonly category: string;
  readonly severity: DeviationSeverity;
  readonly cycle: number | null;
  /** True when the system detected it from a recorded fact (`ProtocolDeviationDetected`). */
  readonly detected: boolean;
}

/**
 * Everything the rules need to know about a subject, folded from the current (corrected, non-voided)
 * entries in recording order.
 */
export interface SubjectFacts {
  readonly screening: ScreeningFact | null;
  readonly eligibility: EligibilityFact | null;
  readonly enrollment: EnrollmentFact | null;
  readonly doses: readonly DoseFact[];
  readonly missedDoses: readonly MissedDoseFact[];
  readonly assessments: readonly AssessmentFact[];
  /** RECIST 1.1 history (baseline lesions, baseline SOD, nadir); null before the baseline. */
  readonly recist: RecistTrack | null;
  readonly clinicalProgressions: readonly DatedFact[];
  readonly newTherapies: readonly DatedFact[];
  /** Each AE on record, with its seriousness (a fatal outcome needs a serious AE). */
  readonly adverseEvents: readonly (DatedFact & { readonly serious: boolean })[];
  /** Outcomes of the adverse events above, in recording order. */
  readonly adverseEventOutcomes: readonly AdverseEventOutcomeFact[];
  /** Event ids of adverse events voided (entered in error): an outcome of one is refused as such, not as unknown. */
  readonly voidedAdverseEvents: readonly string[];
  readonly deviations: readonly DeviationFact[];
  readonly discontinuation: (DatedFact & { readonly reason: string }) | null;
  readonly withdrawal: (DatedFact & { readonly reason: WithdrawalReason }) | null;
  readonly death: (DatedFact & { readonly cause: string }) | null;
  /** Latest clinical date of any entry other than screening, eligibility and death. */
  readonly latestClinicalDate: IsoDate | null;
}

export const emptyFacts = (): SubjectFacts => ({
  screening: null,
  eligibility: null,
  enrollment: null,
  doses: [],
  missedDoses: [],
  assessments: [],
  recist: null,
  clinicalProgressions: [],
  newTherapies: [],
  adverseEvents: [],
  adverseEventOutcomes: [],
  voidedAdverseEvents: [],
  deviations: [],
  discontinuation: null,
  withdrawal: null,
  death: null,
  latestClinicalDate: null,
});

interface SubjectBase {
  /** Every entry in recording order, voided ones included. */
  readonly entries: readonly SubjectEntry[];
  readonly facts: SubjectFacts;
  /** Every signature in recording order (valid or superseded). */
  readonly signatures: readonly RecordedSignature[];
  /** The subject stream's version this state was folded to. */
  readonly version: number;
}

/**
 * The subject's place in the study. `new` = nothing recorded (the subject does not exist yet);
 * `withdrawn` and `dead` keep the enrollment: ITT analyses count every enrolled subject;
 * `withdrawn-before-enrollment` is a screened subject who withdrew before being enrolled.
 */
export type SubjectState =
  | (SubjectBase & { readonly status: 'new' })
  | (SubjectBase & { readonly status: 'screened'; readonly screening: ScreeningFact })
  | (SubjectBase & { readonly status: 'eligible'; readonly screening: ScreeningFact; readonly eligibility: EligibilityFact })
  | (SubjectBase & { readonly status: 'screen-failed'; readonly screening: ScreeningFact; readonly eligibility: EligibilityFact })
  | (SubjectBase & {
      /** Withdrew (e.g. consent withdrawn) after screening, before enrollment: terminal, never enrolled, not in the PFS set. */
      readonly status: 'withdrawn-before-enrollment';
      readonly screening: ScreeningFact;
      readonly eligibility: EligibilityFact | null;
      readonly withdrawal: NonNullable<SubjectFacts['withdrawal']>;
    })
  | (SubjectBase & { readonly status: 'enrolled'; readonly screening: ScreeningFact; readonly eligibility: EligibilityFact; readonly enrollment: EnrollmentFact })
  | (SubjectBase & {
      readonly status: 'withdrawn';
      readonly screening: ScreeningFact;
      readonly eligibility: EligibilityFact;
      readonly enrollment: EnrollmentFact;
      readonly withdrawal: NonNullable<SubjectFacts['withdrawal']>;
    })
  | (SubjectBase & {
      readonly status: 'dead';
      readonly screening: ScreeningFact;
      readonly eligibility: EligibilityFact;
      readonly enrollment: EnrollmentFact;
      readonly death: NonNullable<SubjectFacts['death']>;
    });

export type SubjectStatus = SubjectState['status'];

export const initialSubjectState = (): SubjectState => ({ status: 'new', entries: [], facts: emptyFacts(), signatures: [], version: 0 });

/** The status that follows from the facts. */
export const subjectStateOf = (
  facts: SubjectFacts,
  entries: readonly SubjectEntry[],
  version: number,
  signatures: readonly RecordedSignature[] = [],
): SubjectState => {
  const base = { facts, entries, signatures, version };
  const { screening, eligibility, enrollment, withdrawal, death } = facts;
  if (!screening) return { ...base, status: 'new' };
  if (!enrollment && withdrawal) return { ...base, status: 'withdrawn-before-enrollment', screening, eligibility, withdrawal };
  if (!eligibility) return { ...base, status: 'screened', screening };
  if (!enrollment) {
    return eligibility.failedCriteria.length > 0
      ? { ...base, status: 'screen-failed', screening, eligibility }
      : { ...base, status: 'eligible', screening, eligibility };
  }
  if (death) return { ...base, status: 'dead', screening, eligibility, enrollment, death };
  if (withdrawal) return { ...base, status: 'withdrawn', screening, eligibility, enrollment, withdrawal };
  return { ...base, status: 'enrolled', screening, eligibility, enrollment };
};
