import type { AdverseEventOutcome } from '../commands/command.types';

/**
 * Each outcome code as its CDISC SDTM controlled term (codelist AEOUT, "Outcome of Event"): the value an
 * SDTM AE.AEOUT or an ODM export carries.
 */
export const AE_OUTCOME_SDTM_TERMS: { readonly [K in AdverseEventOutcome]: string } = {
  recovered: 'RECOVERED/RESOLVED',
  recovering: 'RECOVERING/RESOLVING',
  'not-recovered': 'NOT RECOVERED/NOT RESOLVED',
  'recovered-with-sequelae': 'RECOVERED/RESOLVED WITH SEQUELAE',
  fatal: 'FATAL',
  unknown: 'UNKNOWN',
};

/** An outcome code in words, for views and reports ("recovered/resolved with sequelae"); an unknown code stays itself. */
export const aeOutcomeInWords = (outcome: string): string =>
  Object.hasOwn(AE_OUTCOME_SDTM_TERMS, outcome) ? AE_OUTCOME_SDTM_TERMS[outcome as AdverseEventOutcome].toLowerCase() : outcome;
