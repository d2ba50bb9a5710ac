/** Best overall response (RECIST 1.1 §4.4), a secondary output of the trial. */
import { addDays, compareDates, type IsoDate } from '../../shared/iso-date';
import type { AssessmentEvaluation, BestOverallResponseOptions, BestOverallResponseResult, OverallResponse } from './recist.types';

/** RECIST 1.1 §4.6.1: CR/PR confirmed by a repeat assessment not less than 4 weeks later. */
export const CONFIRMATION_DAYS = 28;
/** Default minimum SD duration for best response (RECIST 1.1 §4.4.3 and §4.6.3 leave it to the protocol). */
export const MIN_STABLE_DISEASE_DAYS = 42;

const isResponse = (r: OverallResponse | null): boolean => r === 'CR' || r === 'PR';

/**
 * Best overall response with confirmation (RECIST 1.1 §4.4, Table 3), the rule implemented:
 * 1. Only post-baseline time points up to and including the first overall PD count; nothing after a
 *    progression can improve the best response.
 * 2. **CR** if a CR is followed, ≥ `confirmationDays` (28) later, by another CR.
 * 3. otherwise **PR** if a CR or PR is followed, ≥ 28 days later, by a CR or PR (so PR→CR and CR→PR
 *    both give PR: Table 3 treats a CR not sustained as a PR when the later disease meets PR criteria).
 *    Time points in between may be anything but PD (SD and NE do not break the confirmation).
 * 4. otherwise **SD** if some CR, PR or SD time point is ≥ `minStableDiseaseDays` (42) after
 *    `startDate` (default: the baseline date) — an unconfirmed response still counts as SD (Table 3);
 * 5. otherwise **PD** if a PD was recorded (early progression);
 * 6. otherwise **NE** (no post-baseline assessment, all NE, or SD too early to count).
 */
export const bestOverallResponse = (
  evaluations: readonly AssessmentEvaluation[],
  options: BestOverallResponseOptions = {},
): BestOverallResponseResult => {
  const confirmationDays = options.confirmationDays ?? CONFIRMATION_DAYS;
  const minStableDiseaseDays = options.minStableDiseaseDays ?? MIN_STABLE_DISEASE_DAYS;
  const ordered = [...evaluations].sort((a, b) => compareDates(a.assessmentDate, b.assessmentDate));
  const baseline = ordered.find((e) => e.baseline);
  const startDate: IsoDate | undefined = options.startDate ?? baseline?.assessmentDate;
  const postBaseline = ordered.filter((e) => !e.baseline);
  const firstPd = postBaseline.findIndex((e) => e.overallResponse === 'PD');
  const window = firstPd === -1 ? postBaseline : postBaseline.slice(0, firstPd + 1);

  const confirmedPair = (qualifies: (r: OverallResponse | null) => boolean): BestOverallResponseResult | null => {
    for (let i = 0; i < window.length; i++) {
      if (!qualifies(window[i].overallResponse)) continue;
      const due = addDays(window[i].assessmentDate, confirmationDays);
      const confirming = window.slice(i + 1).find((e) => qualifies(e.overallResponse) && compareDates(e.assessmentDate, due) >= 0);
      if (confirming) {
        return {
          response: window[i].overallResponse === 'CR' && confirming.overallResponse === 'CR' ? 'CR' : 'PR',
          responseDate: window[i].assessmentDate,
          confirmedOn: confirming.assessmentDate,
        };
      }
    }
    return null;
  };

  const confirmedCr = confirmedPair((r) => r === 'CR');
  if (confirmedCr) return confirmedCr;
  const confirmedPr = confirmedPair(isResponse);
  if (confirmedPr) return { ...confirmedPr, response: 'PR' };

  const sdFrom = startDate === undefined ? undefined : addDays(startDate, minStableDiseaseDays);
  const stable = window.find(
    (e) =>
      (isResponse(e.overallResponse) || e.overallResponse === 'SD') &&
      (sdFrom === undefined || compareDates(e.assessmentDate, sdFrom) >= 0),
  );
  if (stable) return { response: 'SD', responseDate: stable.assessmentDate, confirmedOn: null };
  if (firstPd !== -1) return { response: 'PD', responseDate: postBaseline[firstPd].assessmentDate, confirmedOn: null };
  return { response: 'NE', responseDate: null, confirmedOn: null };
};
