import type { SubjectPayloads } from '../commands/command.types';
import { invalid } from '../shared/domain-error';
import { requirePrintable } from '../shared/free-text';
import { compareDates, isIsoDate, type IsoDate } from '../shared/iso-date';

/**
 * Payload checks in the domain itself (kind `validation`): the HTTP DTOs check first, but the import
 * and the CLI reach the deciders directly, and a malformed fact must never reach the ledger.
 * Unknown fields are refused too, so a misspelt field (`doseMG`) is not silently dropped.
 */

type Payload = Record<string, unknown>;

export const SEXES = ['F', 'M', 'U'] as const;
export const DISEASE_STATUSES = ['metastatic', 'recurrent', 'locally-advanced'] as const;
export const MODALITIES = ['CT', 'MRI'] as const;
export const NON_TARGET_STATUSES = ['absent', 'present', 'unequivocal-progression', 'not-evaluated'] as const;
export const DEVIATION_SEVERITIES = ['major', 'minor'] as const;
export const WITHDRAWAL_REASONS = ['consent-withdrawn', 'lost-to-follow-up', 'investigator-decision', 'other'] as const;

const MAX_TEXT = 2000;

export const requirePayload = (payload: unknown, allowed: readonly string[]): Payload => {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    invalid('VALIDATION.INVALID_PAYLOAD', 'The command payload must be an object');
  }
  const p = payload as Payload;
  const unknown = Object.keys(p).filter((k) => p[k] !== undefined && !allowed.includes(k));
  if (unknown.length > 0) invalid('VALIDATION.UNKNOWN_FIELD', `Unknown field(s): ${unknown.join(', ')}`, { fields: unknown });
  return p;
};

/** A real calendar date, not after `today` (clinical facts cannot lie in the future of their recording). */
export const pastDate = (p: Payload, field: string, today: IsoDate): IsoDate => {
  const value = p[field];
  if (!isIsoDate(value)) invalid('VALIDATION.INVALID_DATE', `${field} must be a calendar date YYYY-MM-DD (got ${JSON.stringify(value)})`, { field, value });
  if (compareDates(value as IsoDate, today) > 0) {
    invalid('VALIDATION.FUTURE_DATE', `${field} ${value as string} lies after the recording date ${today}`, { field, value, today });
  }
  return value as IsoDate;
};

export const integer = (p: Payload, field: string, min: number, max: number): number => {
  const value = p[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid('VALIDATION.OUT_OF_RANGE', `${field} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`, { field, value, min, max });
  }
  return value as number;
};

export const decimal = (p: Payload, field: string, min: number, max: number, minExclusive = false): number => {
  const value = p[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value > max || (minExclusive ? value <= min : value < min)) {
    invalid('VALIDATION.OUT_OF_RANGE', `${field} must be a number ${minExclusive ? 'above' : 'from'} ${min} ${minExclusive ? 'and at most' : 'to'} ${max} (got ${JSON.stringify(value)})`, {
      field,
      value,
      min,
      max,
    });
  }
  return value as number;
};

export const flag = (p: Payload, field: string): boolean => {
  const value = p[field];
  if (typeof value !== 'boolean') invalid('VALIDATION.INVALID_TYPE', `${field} must be true or false (got ${JSON.stringify(value)})`, { field, value });
  return value as boolean;
};

export const text = (p: Payload, field: string): string => {
  const value = p[field];
  if (typeof value !== 'string' || value.trim() === '') invalid('VALIDATION.REQUIRED', `${field} is required (a non-empty text)`, { field });
  if ((value as string).length > MAX_TEXT) invalid('VALIDATION.TOO_LONG', `${field} is longer than ${MAX_TEXT} characters`, { field });
  return requirePrintable(field, (value as string).trim());
};

export const oneOf = <T extends string>(p: Payload, field: string, values: readonly T[]): T => {
  const value = p[field];
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    invalid('VALIDATION.INVALID_ENUM', `${field} must be one of ${values.join(', ')} (got ${JSON.stringify(value)})`, { field, value, allowed: [...values] });
  }
  return value as T;
};

/** The payload fields of each clinical command: what a correction may change. */
export const PAYLOAD_FIELDS: { readonly [K in keyof SubjectPayloads]: readonly string[] } = {
  ScreenSubject: ['screeningDate', 'consentDate', 'sex', 'birthYear'],
  AssessEligibility: ['assessmentDate', 'age', 'primarySite', 'whoGrade', 'ki67Percent', 'diseaseStatus', 'measurableDisease', 'priorSystemicTherapy', 'ecog'],
  EnrollSubject: ['enrollmentDate'],
  RecordDose: ['cycle', 'administeredOn', 'doseMg', 'route', 'lotNumber', 'injectionSite'],
  RecordMissedDose: ['cycle', 'dueOn', 'reason'],
  RecordTumorAssessment: ['assessmentDate', 'modality', 'baseline', 'targetLesions', 'nonTargetStatus', 'newLesions'],
  RecordClinicalProgression: ['progressionDate', 'basis'],
  RecordNewAnticancerTherapy: ['startDate', 'therapy'],
  ReportAdverseEvent: ['term', 'onsetDate', 'ctcaeGrade', 'serious', 'relatedness'],
  RecordDeviation: ['deviationDate', 'category', 'description', 'severity'],
  DiscontinueTreatment: ['discontinuationDate', 'reason'],
  WithdrawSubject: ['withdrawalDate', 'reason'],
  RecordDeath: ['deathDate', 'cause'],
  CorrectEntry: ['targetEventId', 'targetIdempotencyKey', 'changes', 'reason'],
  VoidEntry: ['targetEventId', 'targetIdempotencyKey', 'reason'],
};
