import { evolveSubject, initialSubjectState, type AdverseEventOutcome, type IsoDate, type Recorded, type RecordedSubjectEvent, type SubjectFacts, type SubjectState } from '@trial-ledger/domain';

/** The derived items of an adverse event's form: its current outcome (SDTM AEOUT) and end date (AEENDTC). */
export const AE_OUTCOME_ITEMS = ['outcome', 'endDate'] as const;

export interface CurrentOutcome {
  readonly outcome: AdverseEventOutcome | null;
  readonly endDate: IsoDate | null;
}

/** An adverse event whose current outcome, as the casebook derives it now, is not the one the file last gave. */
export interface MovedOutcome {
  readonly adverseEventId: string;
  readonly current: CurrentOutcome;
}

const OUTCOME_MOVERS: ReadonlySet<string> = new Set(['AdverseEventOutcomeRecorded', 'EntryCorrected', 'EntryVoided']);

const currentOutcomes = (facts: SubjectFacts): Map<string, CurrentOutcome> => {
  const current = new Map<string, CurrentOutcome>(facts.adverseEvents.map((ae) => [ae.eventId, { outcome: null, endDate: null }]));
  for (const o of facts.adverseEventOutcomes) if (current.has(o.adverseEventId)) current.set(o.adverseEventId, { outcome: o.outcome, endDate: o.endDate });
  return current;
};

/**
 * An outcome is an entry of its own (`AdverseEventOutcomeRecorded`), and the adverse event it concerns shows
 * it: the AE's form carries its current outcome and end date as items, as the casebook derives them (the
 * latest live outcome, corrections folded in). This follows a subject's stream event by event and names,
 * after each, the live adverse events whose current outcome that event changed: an outcome recorded, or
 * one corrected or voided (the earlier outcome is current again, or none).
 */
export class AdverseEventOutcomeTracker {
  private state: SubjectState = initialSubjectState();

  next(event: Recorded): MovedOutcome[] {
    const before = currentOutcomes(this.state.facts);
    this.state = evolveSubject(this.state, event as unknown as RecordedSubjectEvent);
    if (!OUTCOME_MOVERS.has(event.type)) return [];
    const moved: MovedOutcome[] = [];
    for (const [adverseEventId, current] of currentOutcomes(this.state.facts)) {
      const previous = before.get(adverseEventId);
      if (previous === undefined || (previous.outcome === current.outcome && previous.endDate === current.endDate)) continue;
      moved.push({ adverseEventId, current });
    }
    return moved;
  }
}

/**
 * The CDISC SDTM AE variable each adverse-event item maps to, written as an `Alias` of its ItemDef so a data
 * manager mapping the file to SDTM finds AETERM … AEOUT, AEENDTC without a guide. By event type, then field.
 */
const SDTM_AE_VARIABLES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  [
    'AdverseEventReported',
    new Map([
      ['term', 'AETERM'],
      ['onsetDate', 'AESTDTC'],
      ['ctcaeGrade', 'AETOXGR'],
      ['serious', 'AESER'],
      ['relatedness', 'AEREL'],
      ['outcome', 'AEOUT'],
      ['endDate', 'AEENDTC'],
    ]),
  ],
  ['AdverseEventOutcomeRecorded', new Map([['outcome', 'AEOUT'], ['endDate', 'AEENDTC']])],
]);

/** The SDTM AE variable of a main-group item, or null. */
export const sdtmVariableOf = (eventType: string, field: string | null, path: string): string | null =>
  field === null ? (SDTM_AE_VARIABLES.get(eventType)?.get(path) ?? null) : null;

/** The code list of the outcome items: the ledger's codes, decoded to the CDISC SDTM AEOUT terms. */
export const AE_OUTCOME_CODE_LIST = { oid: 'CL.AEOUT', name: 'Outcome of adverse event (CDISC SDTM AEOUT)' } as const;
