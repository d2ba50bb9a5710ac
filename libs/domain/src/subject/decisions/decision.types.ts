import type { ClinicalCommandType, SubjectPayloads } from '../../commands/command.types';
import type { AssessmentRuleOf, EligibilityRuleOf, RuleOf } from '../../protocol/dosing-rules';
import type { ProtocolDocument } from '../../protocol/protocol.types';
import type { IsoDate } from '../../shared/iso-date';
import type { PrecisionRules } from '../payload.validate';
import type { EntryEvent, SubjectFacts } from '../subject.state';

/** A clinical command as a decision sees it: the subject and study are given by the context. */
export type ClinicalCommand = {
  [K in ClinicalCommandType]: { readonly type: K; readonly payload: SubjectPayloads[K] };
}[ClinicalCommandType];

export interface DecisionContext {
  readonly studyId: string;
  readonly subjectId: string;
  /** The protocol document in force: every window, dose and eligibility threshold comes from it. */
  readonly protocol: ProtocolDocument;
  /** The dosing schedule of every protocol version of the study, by version (the dose windows of doses recorded under earlier versions). */
  readonly ruleOf: RuleOf;
  /** The eligibility criteria of every protocol version, by version (an assessment re-judged keeps its version's criteria). */
  readonly eligibilityOf?: EligibilityRuleOf;
  /** The tumour assessment schedule of every protocol version, by version (a scan keeps its version's windows). */
  readonly assessmentsOf?: AssessmentRuleOf;
  /**
   * The protocol version an entry being re-decided was recorded under (its event's `protocolVersion`):
   * its dose window keeps that version's schedule, an eligibility assessment that version's criteria. Absent for a new recording, judged by `protocol`.
   */
  readonly recordedUnder?: number | null;
  /** The calendar date (UTC) of the recording instant: no clinical date may lie after it. */
  readonly today: IsoDate;
  /** The number an enrollment takes: roster size + 1 when deciding, the recorded one when re-validating. */
  readonly subjectNumber: number;
  /**
   * `recorded` when the decision re-checks an entry already in the ledger (after a correction of an
   * earlier one): the precision rules are skipped, the clinical rules apply (see `PrecisionRules`).
   * Absent (`new`) for every new recording and a corrected entry's new value.
   */
  readonly precision?: PrecisionRules;
}

/**
 * One clinical command's rules: given the subject's facts, the payload and the context, the events to
 * record (the entry first, then any deviation it reveals) — or a thrown `DomainError`. The same
 * function decides a new command and re-validates a corrected entry.
 */
export type ClinicalDecision<P> = (facts: SubjectFacts, payload: P, ctx: DecisionContext) => EntryEvent[];
