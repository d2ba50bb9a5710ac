import type { RecordTumorAssessmentPayload } from '../commands/command.types';
import { DomainError, assertNever, refuse } from '../shared/domain-error';
import { compareDates, type IsoDate } from '../shared/iso-date';
import { commandOfEntry, decideClinical } from './decisions/clinical.decision';
import type { ClinicalCommand, DecisionContext } from './decisions/decision.types';
import { evaluateAssessment, withRecistFigures } from './decisions/record-tumor-assessment.decision';
import { emptyFacts, type EntryEvent, type SubjectEntry, type SubjectFacts } from './subject.state';

const later = (a: IsoDate | null, b: IsoDate): IsoDate => (a === null || compareDates(b, a) > 0 ? b : a);

/**
 * Folds one current entry into the facts. Tumour assessments are re-evaluated against the RECIST
 * history folded so far, so a corrected baseline or an earlier corrected measurement re-derives the
 * SOD and responses of every later assessment. (If the history no longer supports an evaluation the
 * recorded figures are kept: folding never fails.)
 */
export const applyEntry = (facts: SubjectFacts, entry: SubjectEntry): { facts: SubjectFacts; entry: SubjectEntry } => {
  const event = entry.current;
  const eventId = entry.eventId;
  switch (event.type) {
    case 'SubjectScreened':
      return { entry, facts: { ...facts, screening: { ...event.data } } };
    case 'EligibilityConfirmed':
      return { entry, facts: { ...facts, eligibility: { ...event.data, eventId, failedCriteria: [] } } };
    case 'SubjectScreenFailed':
      return { entry, facts: { ...facts, eligibility: { ...event.data, eventId } } };
    case 'SubjectEnrolled':
      return { entry, facts: { ...facts, enrollment: { eventId, ...event.data } } };
    case 'DoseAdministered':
      return {
        entry,
        facts: {
          ...facts,
          doses: [...facts.doses, { eventId, cycle: event.data.cycle, administeredOn: event.data.administeredOn, protocolVersion: entry.protocolVersion ?? null }],
          latestClinicalDate: later(facts.latestClinicalDate, event.data.administeredOn),
        },
      };
    case 'DoseMissed':
      return {
        entry,
        facts: {
          ...facts,
          missedDoses: [...facts.missedDoses, { eventId, cycle: event.data.cycle, dueOn: event.data.dueOn }],
          latestClinicalDate: later(facts.latestClinicalDate, event.data.dueOn),
        },
      };
    case 'ProtocolDeviationDetected':
    case 'ProtocolDeviationRecorded':
      return {
        entry,
        facts: {
          ...facts,
          deviations: [
            ...facts.deviations,
            {
              eventId,
              date: event.data.deviationDate,
              category: event.data.category,
              severity: event.data.severity,
              cycle: event.type === 'ProtocolDeviationDetected' ? (event.data.cycle ?? null) : null,
              detected: event.type === 'ProtocolDeviationDetected',
            },
          ],
          latestClinicalDate: later(facts.latestClinicalDate, event.data.deviationDate),
        },
      };
    case 'TumorAssessmentRecorded': {
      const { sumOfDiametersMm: _sod, targetResponse: _target, overallResponse: _overall, ...input } = event.data;
      let current = entry;
      let recist = facts.recist;
      try {
        const step = evaluateAssessment(facts.recist, input as RecordTumorAssessmentPayload);
        recist = step.track;
        current = { ...entry, current: { type: 'TumorAssessmentRecorded', data: withRecistFigures(input as RecordTumorAssessmentPayload, step.evaluation) } };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
      const data = (current.current as typeof event).data;
      return {
        entry: current,
        facts: {
          ...facts,
          recist,
          assessments: [...facts.assessments, { eventId, assessmentDate: data.assessmentDate, baseline: data.baseline, overallResponse: data.overallResponse as never, targetLesions: data.targetLesions, modality: data.modality, protocolVersion: entry.protocolVersion ?? null }],
          latestClinicalDate: later(facts.latestClinicalDate, data.assessmentDate),
        },
      };
    }
    case 'ClinicalProgressionRecorded':
      return {
        entry,
        facts: {
          ...facts,
          clinicalProgressions: [...facts.clinicalProgressions, { eventId, date: event.data.progressionDate }],
          latestClinicalDate: later(facts.latestClinicalDate, event.data.progressionDate),
        },
      };
    case 'NewAnticancerTherapyStarted':
      return {
        entry,
        facts: {
          ...facts,
          newTherapies: [...facts.newTherapies, { eventId, date: event.data.startDate }],
          latestClinicalDate: later(facts.latestClinicalDate, event.data.startDate),
        },
      };
    case 'AdverseEventReported':
      return {
        entry,
        facts: {
          ...facts,
          adverseEvents: [...facts.adverseEvents, { eventId, date: event.data.onsetDate, serious: event.data.serious }],
          latestClinicalDate: later(facts.latestClinicalDate, event.data.onsetDate),
        },
      };
    case 'AdverseEventOutcomeRecorded': {
      const { adverseEventId, outcome, endDate } = event.data;
      return {
        entry,
        facts: {
          ...facts,
          adverseEventOutcomes: [...facts.adverseEventOutcomes, { eventId, adverseEventId, outcome, endDate: endDate ?? null }],
          latestClinicalDate: endDate ? later(facts.latestClinicalDate, endDate) : facts.latestClinicalDate,
        },
      };
    }
    case 'TreatmentDiscontinued':
      return {
        entry,
        facts: {
          ...facts,
          discontinuation: { eventId, date: event.data.discontinuationDate, reason: event.data.reason },
          latestClinicalDate: later(facts.latestClinicalDate, event.data.discontinuationDate),
        },
      };
    case 'SubjectWithdrawn':
      return { entry, facts: { ...facts, withdrawal: { eventId, date: event.data.withdrawalDate, reason: event.data.reason } } };
    case 'SubjectDied':
      return { entry, facts: { ...facts, death: { eventId, date: event.data.deathDate, cause: event.data.cause } } };
    default:
      return assertNever(event, 'subject entry');
  }
};

/** A voided entry adds no fact, but a voided adverse event is remembered, so an outcome for it is refused as voided. */
const withVoided = (facts: SubjectFacts, entry: SubjectEntry): SubjectFacts =>
  entry.current.type === 'AdverseEventReported' ? { ...facts, voidedAdverseEvents: [...facts.voidedAdverseEvents, entry.eventId] } : facts;

/** Re-folds the facts from the entries (after a correction or a void), re-deriving RECIST figures. */
export const rebuildFacts = (entries: readonly SubjectEntry[]): { facts: SubjectFacts; entries: SubjectEntry[] } => {
  let facts = emptyFacts();
  const rebuilt: SubjectEntry[] = [];
  for (const entry of entries) {
    if (entry.voided) {
      facts = withVoided(facts, entry);
      rebuilt.push(entry);
      continue;
    }
    const step = applyEntry(facts, entry);
    facts = step.facts;
    rebuilt.push(step.entry);
  }
  return { facts, entries: rebuilt };
};

/** What a correction or a void does to one entry, to be re-validated. */
export type RefoldChange =
  | { readonly kind: 'correct'; readonly eventId: string; readonly command: ClinicalCommand }
  | { readonly kind: 'void'; readonly eventId: string };

export interface RefoldOutcome {
  /** Events the target's own command decides now (the corrected entry first); empty for a void. */
  readonly targetEvents: readonly EntryEvent[];
  /** Facts as they were just before the target, for deduplicating re-detected deviations. */
  readonly factsBeforeTarget: SubjectFacts;
}

/**
 * Re-validates the casebook with one entry corrected or removed: the target is re-decided by its
 * original command's rules against the facts of the entries recorded before it, and every later entry
 * is re-decided in turn against the changed history, so a correction cannot leave an inconsistent
 * record behind (e.g. an enrollment date moved after the first dose, or a voided baseline under
 * follow-ups). A later entry that no longer holds refuses the change with
 * `ENTRY.INVALIDATES_LATER_ENTRY`, naming that entry and the rule it would break.
 */
export const refoldWithChange = (entries: readonly SubjectEntry[], change: RefoldChange, ctx: DecisionContext): RefoldOutcome => {
  let facts = emptyFacts();
  let targetEvents: EntryEvent[] = [];
  let factsBeforeTarget: SubjectFacts | null = null;
  for (const entry of entries) {
    if (entry.voided) {
      facts = withVoided(facts, entry);
      continue;
    }
    if (entry.eventId === change.eventId) {
      factsBeforeTarget = facts;
      if (change.kind === 'void') {
        facts = withVoided(facts, entry);
        continue;
      }
      const number = entry.current.type === 'SubjectEnrolled' ? entry.current.data.subjectNumber : ctx.subjectNumber;
      // The corrected entry keeps the protocol version it was recorded under (its dose window's schedule).
      targetEvents = decideClinical(change.command, facts, { ...ctx, subjectNumber: number, recordedUnder: entry.protocolVersion ?? null });
      facts = applyEntry(facts, { ...entry, current: targetEvents[0] }).facts;
      continue;
    }
    if (factsBeforeTarget !== null) {
      const command = commandOfEntry(entry.current);
      if (command) {
        const number = entry.current.type === 'SubjectEnrolled' ? entry.current.data.subjectNumber : ctx.subjectNumber;
        let redecided: EntryEvent;
        try {
          // Clinical consistency only: the entry's format was ruled on when it was recorded.
          redecided = decideClinical(command, facts, { ...ctx, subjectNumber: number, precision: 'recorded', recordedUnder: entry.protocolVersion ?? null })[0];
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          return refuse('ENTRY.INVALIDATES_LATER_ENTRY', `The change would make a later entry (${entry.current.type}, ${entry.eventId}) invalid: ${error.message}`, {
            laterEventId: entry.eventId,
            laterType: entry.current.type,
            cause: error.code,
            causeMessage: error.message,
          });
        }
        if (entry.current.type === 'EligibilityConfirmed' && redecided.type === 'SubjectScreenFailed') {
          // The confirmation the enrollment rests on would no longer hold (consent moved after the assessment,
          // ICH E6 4.8.8): the investigator's outcome is not overturned by the correction of another entry.
          const why = `eligibility would fail on ${redecided.data.failedCriteria.join(', ')}`;
          refuse('ENTRY.INVALIDATES_LATER_ENTRY', `The change would make a later entry (${entry.current.type}, ${entry.eventId}) invalid: ${why}`, {
            laterEventId: entry.eventId,
            laterType: entry.current.type,
            cause: 'ELIGIBILITY.OUTCOME_CHANGED',
            causeMessage: why,
            failedCriteria: [...redecided.data.failedCriteria],
          });
        }
      }
    }
    facts = applyEntry(facts, entry).facts;
  }
  return { targetEvents, factsBeforeTarget: factsBeforeTarget ?? facts };
};
