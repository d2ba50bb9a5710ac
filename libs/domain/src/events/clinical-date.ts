import type { IsoDate } from '../shared/iso-date';

/**
 * The clinical date of each subject entry type: the date the fact happened (as entered by the site),
 * as opposed to `recordedAt`, the instant the ledger learnt it. Entry lag, back-dating and the
 * "late entry" of endpoint provenance all compare the two.
 */
export const CLINICAL_DATE_FIELD: ReadonlyMap<string, string> = new Map([
  ['SubjectScreened', 'screeningDate'],
  ['EligibilityConfirmed', 'assessmentDate'],
  ['SubjectScreenFailed', 'assessmentDate'],
  ['SubjectEnrolled', 'enrollmentDate'],
  ['DoseAdministered', 'administeredOn'],
  ['DoseMissed', 'dueOn'],
  ['TumorAssessmentRecorded', 'assessmentDate'],
  ['ClinicalProgressionRecorded', 'progressionDate'],
  ['NewAnticancerTherapyStarted', 'startDate'],
  ['AdverseEventReported', 'onsetDate'],
  /** The end date when the AE ended; an ongoing one has none (null). */
  ['AdverseEventOutcomeRecorded', 'endDate'],
  ['ProtocolDeviationRecorded', 'deviationDate'],
  ['TreatmentDiscontinued', 'discontinuationDate'],
  ['SubjectWithdrawn', 'withdrawalDate'],
  ['SubjectDied', 'deathDate'],
]);

/** The entry's clinical date from its (current) data, or null for types without one (signatures, corrections). */
export const clinicalDateOf = (type: string, data: Readonly<Record<string, unknown>>): IsoDate | null => {
  const field = CLINICAL_DATE_FIELD.get(type);
  const value = field === undefined || !Object.hasOwn(data, field) ? undefined : data[field];
  return typeof value === 'string' ? value : null;
};
