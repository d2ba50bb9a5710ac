import type { IsoDate } from '../shared/iso-date';
import type { AssessmentRuleHistory, DosingRuleHistory, EligibilityRuleHistory } from '../protocol/dosing-rules';
import type { ProtocolDocument } from '../protocol/protocol.types';

/** One line of the enrollment roster: the ordered list that makes the enrollment cap hold. */
export interface RosterEntry {
  readonly subjectId: string;
  /** 1-based, gapless, never reused: the subject's number in the study. */
  readonly subjectNumber: number;
  readonly enrollmentDate: IsoDate;
}

export interface ProtocolVersionEntry {
  readonly version: number;
  readonly reason: string | null;
}

interface RegisteredStudy {
  readonly studyId: string;
  /** The protocol document in force (the latest `ProtocolAmended`, else the registered one). */
  readonly protocol: ProtocolDocument;
  readonly protocolHistory: readonly ProtocolVersionEntry[];
  /** The dosing schedule of every protocol version: a dose's window follows the version it was recorded under. */
  readonly dosingRules: DosingRuleHistory;
  /** The eligibility criteria of every protocol version: an assessment is re-judged by the version it was recorded under. */
  readonly eligibilityRules: EligibilityRuleHistory;
  /** The tumour assessment schedule of every protocol version: a scan is judged by the version it was recorded under (absent: folded before it was kept). */
  readonly assessmentRules?: AssessmentRuleHistory;
  readonly roster: readonly RosterEntry[];
}

/**
 * The study aggregate (`study-{studyId}` stream). `locked` is the database lock before analysis:
 * every clinical command is refused while it holds.
 */
export type StudyState =
  | { readonly status: 'unregistered' }
  | (RegisteredStudy & { readonly status: 'active' })
  | (RegisteredStudy & { readonly status: 'locked'; readonly lockReason: string });

export type RegisteredStudyState = Exclude<StudyState, { status: 'unregistered' }>;

export const initialStudyState = (): StudyState => ({ status: 'unregistered' });
