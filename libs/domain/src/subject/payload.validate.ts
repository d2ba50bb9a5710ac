import type { SubjectPayloads } from '../commands/command.types';
import { invalid } from '../shared/domain-error';
import { isBlankText, requirePrintable } from '../shared/free-text';
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
/** The CDISC SDTM AEOUT codelist, one code per term (see `AdverseEventOutcome`). */
export const AE_OUTCOMES = ['recovered', 'recovering', 'not-recovered', 'recovered-with-sequelae', 'fatal', 'unknown'] as const;
/** Outcomes that say the adverse event has ended: they carry its end date (AEENDTC); the others carry none. */
export const AE_OUTCOMES_WITH_END_DATE: readonly string[] = ['recovered', 'recovered-with-sequelae', 'fatal'];

/** The longest free text a payload field may hold unless `PAYLOAD_TEXT_MAX_LENGTH` names a shorter bound. */
export const MAX_TEXT = 2000;

/** An inclusive range, or one open at `min` (a dose is more than 0 mg). */
export interface NumberBounds {
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  /**
   * A decimal field's finest recorded step, in decimal places of its unit: a value written with more
   * (`120.0000001` mg, or a subnormal float such as `1e-320`) claims a precision no instrument or
   * pharmacy record has, and is refused (`VALIDATION.PRECISION`) rather than rounded.
   */
  readonly decimals?: number;
  /** The unit the field is recorded in, for messages (`mg`, `%`). */
  readonly unit?: string;
}

/**
 * The bounds of every numeric payload field: the one source the deciders enforce (so the API, the
 * CLI and `import` refuse the same values with `VALIDATION.OUT_OF_RANGE`) and the API's DTOs
 * document in their OpenAPI schema.
 */
export const PAYLOAD_NUMBER_BOUNDS = {
  /** Also refused when after the recording year (a person is not born in the future). */
  birthYear: { integer: true, min: 1900, max: 2100 },
  age: { integer: true, min: 0, max: 130 },
  whoGrade: { integer: true, min: 1, max: 3 },
  /** A labelling index counted over ≥ 500 cells (WHO 2019): reported to 0.1 %; 0.01 % leaves room for a computed ratio. */
  ki67Percent: { integer: false, min: 0, max: 100, decimals: 2, unit: '%' },
  /** ECOG performance status 0 (fully active) – 4 (completely disabled); 5 (dead) is not an assessment. */
  ecog: { integer: true, min: 0, max: 4 },
  cycle: { integer: true, min: 1, max: 1000 },
  /**
   * mg actually given. Positive, and at most 10 g: no single administration of a drug in a trial is
   * larger (lanreotide Autogel is 120 mg), so more is a unit or typing error (µg entered as mg).
   */
  doseMg: { integer: false, min: 0, max: 10_000, minExclusive: true, decimals: 3, unit: 'mg' },
  /** CTCAE v5 grades 1 (mild) – 5 (death related to the AE). */
  ctcaeGrade: { integer: true, min: 1, max: 5 },
} as const satisfies Readonly<Record<string, NumberBounds>>;

export type BoundedNumberField = keyof typeof PAYLOAD_NUMBER_BOUNDS;

/**
 * Shorter bounds for coded or short text fields; narrative fields (reasons, descriptions, causes)
 * keep `MAX_TEXT`. One source for the deciders and the API's DTOs.
 */
export const PAYLOAD_TEXT_MAX_LENGTH = {
  route: 50,
  lotNumber: 100,
  injectionSite: 100,
  primarySite: 100,
  relatedness: 100,
  /** An event id (UUID v7, 36 characters); the bound leaves room for ids of other stores. */
  adverseEventId: 100,
  category: 100,
  term: 500,
  therapy: 500,
  basis: MAX_TEXT,
  cause: MAX_TEXT,
  description: MAX_TEXT,
  reason: MAX_TEXT,
} as const satisfies Readonly<Record<string, number>>;

export type BoundedTextField = keyof typeof PAYLOAD_TEXT_MAX_LENGTH;

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

/** The smallest positive normal double: anything closer to 0 is a subnormal, an artefact of floating point. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Decimal places of a number as written in its shortest round-trip form (`12.34` → 2, `1e-7` → 7,
 * `1e-320` → 320): the digits a JSON number carried, which is what the sender claimed to know.
 */
export const decimalPlaces = (value: number): number => {
  const [mantissa, exponent = '0'] = String(Math.abs(value)).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
};

const isSubnormal = (value: number): boolean => value !== 0 && Math.abs(value) < MIN_NORMAL;

/** A finite number on the grid of `decimals` places (0 included), and not a subnormal float. */
export const isPlausibleDecimal = (value: number, decimals: number): boolean => Number.isFinite(value) && !isSubnormal(value) && decimalPlaces(value) <= decimals;

/**
 * Which format rules a check applies. `new` (the default): every rule, for a value being recorded now
 * and for a corrected entry's new value. `recorded`: no precision rules (`VALIDATION.PRECISION`,
 * `RECIST.DIAMETER_PRECISION`), for re-checking an entry already in the ledger after a correction of an
 * earlier one. Such a re-check asks what the correction could invalidate (clinical consistency); a
 * value's format was ruled on when it was recorded, and a ledger written before a precision limit was
 * added may hold finer values that must not block an unrelated correction. (RECIST arithmetic is in
 * exact hundredths of a mm, so a recorded diameter off that grid by more than float noise still cannot
 * be evaluated.)
 */
export type PrecisionRules = 'new' | 'recorded';

/** The format options a payload check is given by its caller (a `DecisionContext` is one). */
export interface FormatOptions {
  readonly precision?: PrecisionRules;
}

/**
 * Refuses (`VALIDATION.PRECISION`) a value that is not a plausible decimal quantity of its unit: a
 * subnormal float, or more decimal places than `decimals`. 0 and every value on the unit's step pass.
 * Nothing is refused with `precision: 'recorded'` (see `PrecisionRules`).
 */
export const requirePrecision = (field: string, value: number, decimals: number, unit: string, format: FormatOptions, code = 'VALIDATION.PRECISION'): void => {
  if (format.precision === 'recorded' || isPlausibleDecimal(value, decimals)) return;
  const subnormal = isSubnormal(value);
  const step = decimals === 0 ? `1 ${unit}` : `${(10 ** -decimals).toFixed(decimals)} ${unit}`;
  invalid(code, `${field} must be a decimal quantity to at most ${decimals} decimal place${decimals === 1 ? '' : 's'} (${step})${subnormal ? ', not a subnormal floating-point number' : ''} (got ${String(value)})`, {
    field,
    value,
    decimals,
  });
};

export const decimal = (
  p: Payload,
  field: string,
  min: number,
  max: number,
  minExclusive = false,
  precision?: { readonly decimals: number; readonly unit: string; readonly format: FormatOptions },
): number => {
  const value = p[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value > max || (minExclusive ? value <= min : value < min)) {
    invalid('VALIDATION.OUT_OF_RANGE', `${field} must be a number ${minExclusive ? 'above' : 'from'} ${min} ${minExclusive ? 'and at most' : 'to'} ${max} (got ${JSON.stringify(value)})`, {
      field,
      value,
      min,
      max,
    });
  }
  if (precision) requirePrecision(field, value as number, precision.decimals, precision.unit, precision.format);
  return value as number;
};

export const flag = (p: Payload, field: string): boolean => {
  const value = p[field];
  if (typeof value !== 'boolean') invalid('VALIDATION.INVALID_TYPE', `${field} must be true or false (got ${JSON.stringify(value)})`, { field, value });
  return value as boolean;
};

/**
 * A payload field's bounded number, by `PAYLOAD_NUMBER_BOUNDS`; `max` may only tighten the table's
 * bound. `format` (the decision's context) says whether the precision rule applies.
 */
export const boundedNumber = (p: Payload, field: BoundedNumberField, format: FormatOptions, max?: number): number => {
  const bounds: NumberBounds = PAYLOAD_NUMBER_BOUNDS[field];
  const upper = Math.min(bounds.max, max ?? bounds.max);
  if (bounds.integer) return integer(p, field, bounds.min, upper);
  const precision = bounds.decimals === undefined ? undefined : { decimals: bounds.decimals, unit: bounds.unit ?? '', format };
  return decimal(p, field, bounds.min, upper, bounds.minExclusive ?? false, precision);
};

export const text = (p: Payload, field: BoundedTextField): string => {
  const value = p[field];
  const maxLength: number = PAYLOAD_TEXT_MAX_LENGTH[field];
  if (typeof value !== 'string' || isBlankText(value)) invalid('VALIDATION.REQUIRED', `${field} is required (a non-empty text)`, { field });
  if ((value as string).length > maxLength) invalid('VALIDATION.TOO_LONG', `${field} is longer than ${maxLength} characters`, { field, maxLength });
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
  RecordAdverseEventOutcome: ['adverseEventId', 'outcome', 'endDate'],
  RecordDeviation: ['deviationDate', 'category', 'description', 'severity'],
  DiscontinueTreatment: ['discontinuationDate', 'reason'],
  WithdrawSubject: ['withdrawalDate', 'reason'],
  RecordDeath: ['deathDate', 'cause'],
  CorrectEntry: ['targetEventId', 'targetIdempotencyKey', 'changes', 'reason'],
  VoidEntry: ['targetEventId', 'targetIdempotencyKey', 'reason'],
};
