import type { ReviewPolicy } from './protocol-review';

/**
 * The protocol document: data, not code (SPEC §1). Loaded by `RegisterStudy`, changed only by
 * `ProtocolAmended`; every threshold the domain and the PFS derivation use is read from here.
 */
export interface ProtocolDocument {
  readonly studyId: string;
  /** Incremented by every amendment; stamped on each event's metadata as `protocolVersion`. */
  readonly version: number;
  readonly title: string;
  readonly design: string;
  /** Hard enrollment cap: enrollment number `targetEnrollment + 1` is refused. */
  readonly targetEnrollment: number;
  readonly treatment: {
    readonly drug: string;
    readonly doseMg: number;
    readonly route: string;
    /** Days between doses (cycle n+1 is due at the previous dose date + interval). */
    readonly intervalDays: number;
    /** ± days around the due date within which a dose is on schedule. */
    readonly windowDays: number;
    /** Cycle 1 window, in days after the enrollment date (day 0 = enrollment date). */
    readonly firstDose: { readonly fromDay: number; readonly toDay: number };
  };
  readonly assessments: {
    readonly modalities: readonly string[];
    /** Baseline imaging must lie within this many days before enrollment. */
    readonly baselineWindowDays: number;
    /** RECIST 1.1 assessments every `intervalDays` ± `windowDays` from enrollment. */
    readonly intervalDays: number;
    readonly windowDays: number;
  };
  readonly endpoint: {
    readonly name: string;
    readonly description: string;
    readonly population: string;
    /** PFS analysis horizon: everything after study day `horizonDays` is disregarded. */
    readonly horizonDays: number;
    /** An event after this many missed assessments is censored (FDA 2018 guidance). */
    readonly missedAssessmentsForCensoring: number;
    /** Days at which the KM survival rate is reported. */
    readonly rateDays: readonly number[];
  };
  readonly eligibility: {
    readonly minAge: number;
    readonly primarySites: readonly string[];
    readonly whoGrades: readonly number[];
    readonly maxKi67Percent: number;
    readonly diseaseStatuses: readonly string[];
    readonly requireMeasurableDisease: boolean;
    readonly allowPriorSystemicTherapy: boolean;
    readonly maxEcog: number;
  };
  /**
   * Edit checks (ICH E6(R3) 5.18): which detected deviation categories open a query to the site
   * automatically, as the `system` actor. Optional: a protocol registered before queries existed
   * opens one for every detected category (see `systemQueryDeviations`).
   */
  readonly monitoring?: {
    readonly systemQueryDeviations: readonly string[];
  };
  /** Thresholds of the risk-based audit-trail review; absent (older protocols) or partial → the defaults. */
  readonly review?: ReviewPolicy;
}

