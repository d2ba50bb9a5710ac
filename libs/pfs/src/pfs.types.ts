import type { IsoDate } from '@trial-ledger/domain';

/**
 * ADaM CNSR: 0 for an event, a positive code per censoring reason (ADaM BDS-TTE convention). The codes
 * are part of the ADTTE data dictionary and must not be renumbered.
 */
export const PfsCnsr = {
  event: 0,
  /** Rule 0: no baseline tumour assessment → censored at the start date. */
  noBaseline: 1,
  /** Rule 1: new anticancer therapy before progression or death → censored at the last adequate assessment on or before its start. */
  newAnticancerTherapy: 2,
  /** Rule 2: progression or death after two or more missed assessments → censored at the last adequate assessment before it. */
  eventAfterMissedAssessments: 3,
  /** Rule 3: alive without documented progression → censored at the last adequate assessment. */
  noProgression: 4,
  /** Rule 3 for a subject withdrawn or lost to follow-up → censored at the last adequate assessment. */
  withdrawn: 5,
} as const;
export type PfsCnsrCode = (typeof PfsCnsr)[keyof typeof PfsCnsr];

/** Which rule of SPEC §3 (FDA 2018 guidance, PFS) decided the subject's row. */
export type PfsRule = 'no-baseline' | 'new-anticancer-therapy' | 'event' | 'event-after-missed-assessments' | 'no-progression' | 'withdrawn';

/** ADaM traceability of ADT: the record (SDTM-like domain and variable) and the ledger event it came from. */
export interface PfsSource {
  readonly eventId: string;
  readonly eventType: string;
  /** SRCDOM: RS (tumour response), CE (clinical event), DS (disposition: enrollment, death). */
  readonly domain: 'RS' | 'CE' | 'DS';
  /** SRCVAR: the date variable of the source record. */
  readonly variable: 'RSDTC' | 'CESTDTC' | 'DSSTDTC';
  /** SRCSEQ: the source event's version in the subject's stream (the record's sequence number). */
  readonly sequence: number;
}

/** One subject's PFS (one ADTTE row, PARAMCD = PFS). */
export interface SubjectPfs {
  readonly studyId: string;
  readonly subjectId: string;
  readonly subjectNumber: number | null;
  /** STARTDT: the enrollment date (SPEC §3). */
  readonly startDate: IsoDate;
  /** ADT: the event or censoring date. */
  readonly adt: IsoDate;
  /** AVAL = ADT − STARTDT + 1, days. */
  readonly aval: number;
  readonly cnsr: PfsCnsrCode;
  readonly rule: PfsRule;
  /** EVNTDESC: what happened (event or censoring reason). */
  readonly evntdesc: string;
  /** CNSDTDSC: what the censoring date is; null for an event. */
  readonly cnsdtdsc: string | null;
  readonly source: PfsSource;
  /** For a censored progression/death (rules 1 and 2): the event that did not count, for review. */
  readonly disregardedEvent: { readonly date: IsoDate; readonly description: string; readonly eventId: string } | null;
  /**
   * The recorded fact a censoring reason rests on besides ADT's source: the new anticancer therapy
   * (CNSR 2), the withdrawal (CNSR 5); null otherwise. A correction or void of it moves the row.
   */
  readonly censoringFact: { readonly date: IsoDate; readonly eventId: string; readonly eventType: 'NewAnticancerTherapyStarted' | 'SubjectWithdrawn' } | null;
  /**
   * For an event (CNSR 0): the last adequate assessment before it, from which the missed-assessment gap
   * was measured (without it the event could be a CNSR 3); null for a censoring or a gap from the start date.
   */
  readonly gapMeasuredFrom: { readonly date: IsoDate; readonly eventId: string } | null;
  /** The baseline tumour assessment the row was derived against (every RECIST response rests on it); null for CNSR 1. */
  readonly baseline: { readonly date: IsoDate; readonly eventId: string } | null;
  /**
   * For a target-lesion PD event: the assessment whose sum of diameters is the nadir the PD was judged
   * against (RECIST 1.1 §4.3.1; the earliest of equal sums, possibly the baseline); null otherwise.
   */
  readonly nadirFrom: { readonly date: IsoDate; readonly eventId: string } | null;
}

/**
 * Every ledger event a row rests on (endpoint provenance): ADT's source, the baseline assessment, the
 * disregarded event, the censoring fact, the assessment an event's missed-assessment gap was measured from,
 * the assessment that set a RECIST PD's nadir.
 */
export const pfsRowBasis = (row: SubjectPfs): string[] => [
  ...new Set(
    [row.source.eventId, row.baseline?.eventId, row.disregardedEvent?.eventId, row.censoringFact?.eventId, row.gapMeasuredFrom?.eventId, row.nadirFrom?.eventId].filter(
      (id): id is string => typeof id === 'string',
    ),
  ),
];

/** The options of a PFS derivation: the data cutoff (clinical date), if any. */
export interface PfsOptions {
  readonly cutoff?: IsoDate | null;
}
