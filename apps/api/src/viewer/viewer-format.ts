import { eventTypeInWords } from '@trial-ledger/audit';
import { aeOutcomeInWords, counted, personInWords } from '@trial-ledger/domain';

/**
 * Human labels for recorded fields (an auditor reads "Dose (mg)", not `doseMg`). A `Map`, so a field
 * named `__proto__` or `constructor` in some payload finds no inherited label.
 */
const FIELD_LABELS: ReadonlyMap<string, string> = new Map([
  ['administeredOn', 'Administration date'],
  ['doseMg', 'Dose (mg)'],
  ['route', 'Route'],
  ['lotNumber', 'Lot number'],
  ['injectionSite', 'Injection site'],
  ['cycle', 'Cycle'],
  ['dueOn', 'Due date'],
  ['reason', 'Reason'],
  ['assessmentDate', 'Assessment date'],
  ['modality', 'Imaging modality'],
  ['baseline', 'Baseline assessment'],
  ['targetLesions', 'Target lesions'],
  ['nonTargetStatus', 'Non-target lesions'],
  ['newLesions', 'New lesions'],
  ['sumOfDiametersMm', 'Sum of diameters (mm)'],
  ['targetResponse', 'Target response'],
  ['overallResponse', 'Overall response (RECIST 1.1)'],
  ['progressionDate', 'Progression date'],
  ['basis', 'Basis'],
  ['startDate', 'Start date'],
  ['therapy', 'Therapy'],
  ['term', 'Adverse event term'],
  ['onsetDate', 'Onset date'],
  ['ctcaeGrade', 'CTCAE grade'],
  ['serious', 'Serious'],
  ['relatedness', 'Relatedness to study drug'],
  ['adverseEventId', 'Adverse event (entry)'],
  ['outcome', 'Outcome'],
  ['endDate', 'End date'],
  ['deviationDate', 'Deviation date'],
  ['category', 'Category'],
  ['description', 'Description'],
  ['severity', 'Severity'],
  ['screeningDate', 'Screening date'],
  ['consentDate', 'Informed consent date'],
  ['sex', 'Sex'],
  ['birthYear', 'Year of birth'],
  ['enrollmentDate', 'Enrollment date'],
  ['subjectNumber', 'Subject number'],
  ['discontinuationDate', 'Discontinuation date'],
  ['withdrawalDate', 'Withdrawal date'],
  ['deathDate', 'Date of death'],
  ['cause', 'Cause'],
  ['subjectId', 'Subject'],
  ['studyId', 'Study'],
]);

/** `sumOfDiametersMm` → "Sum of diameters mm" for a field without a label of its own. */
export const fieldLabel = (field: string): string => {
  const known = FIELD_LABELS.get(field);
  if (known !== undefined) return known;
  const words = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.length > 0 ? words[0].toUpperCase() + words.slice(1) : field;
};

export const eventLabel = (type: string): string => eventTypeInWords(type);

/** A recording instant as UTC with its offset spelled out: `2026-03-01 12:00:00.000 +00:00`. */
export const utc = (instant: string | null | undefined): string => {
  if (!instant) return '—';
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return instant;
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} +00:00`;
};

/** A value as a reader sees it: clinical dates stay dates, lists and objects in compact JSON. */
export const shown = (value: unknown): string => {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
};

/** A person as every view names them: full name with the unique username beside it (full names are not unique). */
export const person = personInWords;

export { counted };

/** An adverse event's outcome as the CDISC term in words ("recovered/resolved"); "—" while none is recorded. */
const aeOutcome = (outcome: string | null): string => (outcome === null ? '—' : aeOutcomeInWords(outcome));

export const viewerHelpers = { fieldLabel, eventLabel, utc, shown, person, counted, aeOutcome };
export type ViewerHelpers = typeof viewerHelpers;
