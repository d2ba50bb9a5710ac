import type { EntryVoided, ProtocolDeviationDetected } from '../../events/event.types';
import { compareDates, daysBetween, type IsoDate } from '../../shared/iso-date';
import type { AssessmentFact, SubjectEntry } from '../subject.state';
import { DETECTED_DEVIATIONS } from './dosing.decision';
import { detectedOnRecordBy, reconcileKeyed } from './detected-deviations.decision';
import { baselineWindowDeviation, missingBaselineDeviation, modalityDeviation } from './record-tumor-assessment.decision';

/**
 * Keeps the deviations the system detects from tumour assessments in step with every change to the
 * scans — a baseline entered late, a scan corrected (its baseline flag, its date) or voided:
 * - `missing-baseline-assessment` of a follow-up with no live baseline dated before it (RECIST 1.1: a
 *   follow-up is judged against baseline imaging);
 * - `baseline-out-of-window` of a baseline dated outside the protocol's window before enrollment.
 *
 * Each deviation is matched to the scan it concerns by event id — the `relatedEventId` it carries when
 * the system re-detected it, or else the scan it was appended with (`RecordTumorAssessment` writes the
 * scan and its deviation in one append, the deviation after the scan; `EnrollSubject` writes a baseline's
 * window deviation with the enrollment, after the baseline it judged) — never by date: a scan's date can
 * be corrected after its deviation was recorded, and the deviation keeps the date it was recorded with.
 *
 * As for doses, only what the change changes acts: a scan whose deviation held before and after the
 * change keeps whatever is on record (a deviation voided by hand is not re-detected unasked).
 */

const SCAN_CATEGORIES: ReadonlySet<string> = new Set([DETECTED_DEVIATIONS.missingBaselineAssessment, DETECTED_DEVIATIONS.baselineOutOfWindow, DETECTED_DEVIATIONS.modalityNotInProtocol]);

/** What a scan's deviations are judged against: the enrollment date and the protocol's baseline window. */
export interface BaselineRule {
  readonly enrollmentDate: IsoDate | null;
  readonly baselineWindowDays: number;
  /** The imaging methods the protocol lists; absent: the method is not judged. */
  readonly modalities?: readonly string[];
}

/** The scan deviations that hold, by `category#scan id`, each as it would be recorded for that scan. */
const scanDeviations = (assessments: readonly AssessmentFact[], rule: BaselineRule): Map<string, ProtocolDeviationDetected> => {
  const holding = new Map<string, ProtocolDeviationDetected>();
  const baselines = assessments.filter((a) => a.baseline);
  for (const scan of assessments) {
    const modality = rule.modalities && scan.modality !== undefined ? modalityDeviation(scan.assessmentDate, scan.modality, rule.modalities, scan.eventId) : null;
    if (modality) holding.set(`${DETECTED_DEVIATIONS.modalityNotInProtocol}#${scan.eventId}`, modality);
    if (!scan.baseline && !baselines.some((b) => compareDates(b.assessmentDate, scan.assessmentDate) < 0)) {
      holding.set(`${DETECTED_DEVIATIONS.missingBaselineAssessment}#${scan.eventId}`, missingBaselineDeviation(scan.assessmentDate, scan.eventId));
    }
    if (scan.baseline && rule.enrollmentDate !== null) {
      const days = daysBetween(scan.assessmentDate, rule.enrollmentDate);
      if (days < 0 || days > rule.baselineWindowDays) {
        holding.set(`${DETECTED_DEVIATIONS.baselineOutOfWindow}#${scan.eventId}`, baselineWindowDeviation(scan.assessmentDate, rule.enrollmentDate, rule.baselineWindowDays, scan.eventId)!);
      }
    }
  }
  return holding;
};

/**
 * The withdrawals and detections of scan deviations when the live scans go from `before` to `after`
 * (each as `SubjectFacts.assessments`), judged by `rule` before and `ruleAfter` (an enrollment date corrected) after.
 * `why` ends the withdrawal's reason.
 */
export const reconcileScanDeviations = (
  entries: readonly SubjectEntry[],
  before: readonly AssessmentFact[],
  after: readonly AssessmentFact[],
  rule: BaselineRule,
  why: string,
  ruleAfter: BaselineRule = rule,
): { withdrawn: EntryVoided[]; detected: ProtocolDeviationDetected[] } => {
  const was = scanDeviations(before, rule);
  const now = scanDeviations(after, ruleAfter);
  // Still a deviation but no longer true as recorded (a scan's date corrected): recorded again as it now reads.
  return reconcileKeyed(was, now, detectedOnRecordBy(entries, SCAN_CATEGORIES, 'TumorAssessmentRecorded'), why);
};
