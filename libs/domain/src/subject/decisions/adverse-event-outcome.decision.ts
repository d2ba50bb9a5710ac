import type { RecordAdverseEventOutcomePayload } from '../../commands/command.types';
import { invalid, notFound, refuse } from '../../shared/domain-error';
import { compareDates, type IsoDate } from '../../shared/iso-date';
import { AE_OUTCOMES, AE_OUTCOMES_WITH_END_DATE, oneOf, pastDate, PAYLOAD_FIELDS, requirePayload, text } from '../payload.validate';
import { notAfterDeath, notAfterWithdrawal, requireScreened } from './guards';
import type { ClinicalDecision } from './decision.types';

/**
 * `RecordAdverseEventOutcome`: the outcome of a reported adverse event (CDISC SDTM AEOUT) and its end date
 * (AEENDTC). An AE that ended (recovered/resolved, with sequelae, fatal) carries its end date, on or after its
 * onset; one still ongoing (recovering, not recovered) or of unknown outcome carries none. A fatal outcome
 * agrees with the death on record (ICH E2A: the AE resulted in death): the death is recorded first, the AE is
 * serious, and it ends on the date of death. A later outcome supersedes an earlier one (a recovering AE later recovered).
 */
export const decideRecordAdverseEventOutcome: ClinicalDecision<RecordAdverseEventOutcomePayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordAdverseEventOutcome);
  const adverseEventId = text(p, 'adverseEventId');
  const outcome = oneOf(p, 'outcome', AE_OUTCOMES);
  const endDate: IsoDate | null = p.endDate === undefined || p.endDate === null ? null : pastDate(p, 'endDate', ctx.today);
  if (AE_OUTCOMES_WITH_END_DATE.includes(outcome) && endDate === null) {
    invalid('AE.END_DATE_REQUIRED', `An adverse event with outcome ${outcome} has ended: its endDate is required`, { field: 'endDate', outcome });
  }
  if (!AE_OUTCOMES_WITH_END_DATE.includes(outcome) && endDate !== null) {
    invalid('AE.END_DATE_NOT_ALLOWED', `An adverse event with outcome ${outcome} has not ended (or its end is not known): give no endDate`, { field: 'endDate', outcome, endDate });
  }
  requireScreened(facts, ctx.subjectId);
  const adverseEvent = facts.adverseEvents.find((ae) => ae.eventId === adverseEventId);
  if (!adverseEvent) {
    if (facts.voidedAdverseEvents.includes(adverseEventId)) {
      refuse('AE.VOIDED', `Adverse event ${adverseEventId} was voided (entered in error): it has no outcome`, { adverseEventId });
    }
    notFound('AE.NOT_FOUND', `No adverse event ${adverseEventId} in subject ${ctx.subjectId}'s casebook`, { adverseEventId });
  }
  const onsetDate = adverseEvent!.date;
  if (endDate !== null) {
    if (compareDates(endDate, onsetDate) < 0) {
      refuse('AE.END_BEFORE_ONSET', `endDate ${endDate} lies before the adverse event's onset (${onsetDate})`, { adverseEventId, endDate, onsetDate });
    }
    notAfterDeath(facts, endDate, 'endDate');
    notAfterWithdrawal(facts, endDate, 'endDate');
  }
  if (outcome === 'fatal') {
    if (!facts.death) {
      refuse('AE.FATAL_WITHOUT_DEATH', `A fatal outcome needs the subject's death on record: record the death first`, { adverseEventId });
    }
    if (endDate !== facts.death!.date) {
      refuse('AE.FATAL_END_NOT_DEATH_DATE', `A fatal adverse event ends on the date of death (${facts.death!.date}), not ${endDate ?? 'no date'}`, {
        adverseEventId,
        endDate,
        deathDate: facts.death!.date,
      });
    }
    if (!adverseEvent!.serious) {
      refuse('AE.FATAL_NOT_SERIOUS', `Adverse event ${adverseEventId} is recorded as not serious: an AE that results in death is serious (ICH E2A); correct it to serious first`, { adverseEventId });
    }
  }
  // Not re-checked for an outcome already on record (a correction of another entry): only a new outcome must say something new.
  const current = facts.adverseEventOutcomes.filter((o) => o.adverseEventId === adverseEventId).at(-1);
  if (ctx.precision !== 'recorded' && current && current.outcome === outcome && current.endDate === endDate) {
    refuse('AE.OUTCOME_UNCHANGED', `Adverse event ${adverseEventId} already has outcome ${outcome}${endDate ? ` ended ${endDate}` : ''}`, { adverseEventId, outcome, endDate });
  }
  return [{ type: 'AdverseEventOutcomeRecorded', data: { adverseEventId, outcome, endDate } }];
};
