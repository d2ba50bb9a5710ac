import type { ProtocolDocument } from './protocol.types';

/**
 * The protocol's dosing rule: the schedule a dose window depends on (SPEC §1), and the dose and route a
 * dose is judged by (wrong-dose, wrong-route).
 */
export type DosingRule = Pick<ProtocolDocument['treatment'], 'intervalDays' | 'windowDays' | 'firstDose' | 'doseMg' | 'route'>;

/** The dosing schedule of one protocol version. */
export interface VersionedDosingRule {
  readonly version: number;
  readonly rule: DosingRule;
}

/**
 * The dosing schedule of every protocol version of a study, registration first, in version order.
 * An amendment of the schedule applies to the doses recorded under it, not to those already given:
 * a dose's window is judged by the protocol version stamped on its own `DoseAdministered`
 * (`metadata.protocolVersion`), so the study keeps every version's schedule.
 */
export type DosingRuleHistory = readonly VersionedDosingRule[];

/** The dosing schedule of a protocol version (as stamped on an event; null when none was stamped). */
export type RuleOf = (protocolVersion: number | null | undefined) => DosingRule;

/** One schedule for every version, or a lookup by version. */
export type DosingRules = DosingRule | RuleOf;

export const dosingRuleOf = (protocol: ProtocolDocument): DosingRule => ({
  intervalDays: protocol.treatment.intervalDays,
  windowDays: protocol.treatment.windowDays,
  firstDose: { fromDay: protocol.treatment.firstDose.fromDay, toDay: protocol.treatment.firstDose.toDay },
  doseMg: protocol.treatment.doseMg,
  route: protocol.treatment.route,
});

/** A rule history by protocol version with `version`'s rule put in (replacing the one kept for it, if any). */
const withVersionRule = <R>(history: ReadonlyArray<{ readonly version: number; readonly rule: R }>, version: number, rule: R): Array<{ version: number; rule: R }> => [
  ...history.filter((h) => h.version !== version),
  { version, rule },
];

/**
 * The history with a registered or amended protocol's schedule added (a version already kept is
 * replaced). Total, as folds are: a protocol without a treatment adds nothing.
 */
export const withDosingRule = (history: DosingRuleHistory, protocol: ProtocolDocument): DosingRuleHistory =>
  protocol?.treatment ? withVersionRule(history, protocol.version, dosingRuleOf(protocol)) : history;

/**
 * The schedule of a protocol version: that version's; for a version the history does not hold, the
 * latest version below it; for a dose without a stamped version (null, recorded before versions were
 * stamped) or one below every version kept, the earliest registered protocol's.
 */
export const ruleLookup = <R = DosingRule>(history: ReadonlyArray<{ readonly version: number; readonly rule: R }>, inForce?: R): ((protocolVersion: number | null | undefined) => R) => {
  // A study state folded without any schedule kept: the protocol in force is all there is.
  if (history.length === 0 && inForce !== undefined) return () => inForce;
  if (history.length === 0) throw new Error('A dosing rule lookup needs at least the registered protocol');
  const sorted = [...history].sort((a, b) => a.version - b.version);
  return (version) => {
    if (version === null || version === undefined) return sorted[0].rule;
    let found = sorted[0].rule;
    for (const h of sorted) if (h.version <= version) found = h.rule;
    return found;
  };
};

/**
 * The eligibility criteria of every protocol version of a study, registration first. An amendment of
 * the criteria applies to the assessments made under it: an assessment recorded under an earlier
 * version is re-judged, when it or an entry before it is corrected, by that version's criteria.
 */
export type EligibilityRuleHistory = ReadonlyArray<{ readonly version: number; readonly rule: ProtocolDocument['eligibility'] }>;

/** The criteria of a protocol version (as stamped on an event; null when none was stamped: the registered protocol's). */
export type EligibilityRuleOf = (protocolVersion: number | null | undefined) => ProtocolDocument['eligibility'];

/** The history with a registered or amended protocol's criteria added (a version already kept is replaced). */
export const withEligibilityRule = (history: EligibilityRuleHistory, protocol: ProtocolDocument): EligibilityRuleHistory =>
  protocol?.eligibility ? withVersionRule(history, protocol.version, protocol.eligibility) : history;

/** A `DosingRules` as a lookup by version. */
export const asRuleOf = (rules: DosingRules): RuleOf => (typeof rules === 'function' ? rules : () => rules);

/**
 * The tumour assessment schedule of a protocol version (SPEC §1: every `intervalDays` ± `windowDays` from
 * enrollment), ending with the end-of-follow-up visit at `horizonDays` (`endpoint.horizonDays`) ± `windowDays`;
 * without `horizonDays` the visits go on.
 */
export type AssessmentRule = Pick<ProtocolDocument['assessments'], 'intervalDays' | 'windowDays'> & { readonly horizonDays?: number };

/**
 * The assessment schedule of every protocol version of a study, registration first. As for doses, an
 * amendment of the schedule applies to the scans recorded under it: a scan is judged by its own version's.
 */
export type AssessmentRuleHistory = ReadonlyArray<{ readonly version: number; readonly rule: AssessmentRule }>;

/** The assessment schedule of a protocol version (null when none was stamped: the registered protocol's). */
export type AssessmentRuleOf = (protocolVersion: number | null | undefined) => AssessmentRule;

export const assessmentRuleOf = (protocol: ProtocolDocument): AssessmentRule => ({
  intervalDays: protocol.assessments.intervalDays,
  windowDays: protocol.assessments.windowDays,
  ...(protocol.endpoint?.horizonDays === undefined ? {} : { horizonDays: protocol.endpoint.horizonDays }),
});

/** The history with a registered or amended protocol's assessment schedule added (a version already kept is replaced). */
export const withAssessmentRule = (history: AssessmentRuleHistory, protocol: ProtocolDocument): AssessmentRuleHistory =>
  protocol?.assessments ? withVersionRule(history, protocol.version, assessmentRuleOf(protocol)) : history;
