import type { EntryVoided, ProtocolDeviationDetected } from '../../events/event.types';
import { compareDates, type IsoDate } from '../../shared/iso-date';
import type { AssessmentFact, SubjectEntry } from '../subject.state';
import { DETECTED_DEVIATIONS } from './dosing.decision';
import { missingBaselineDeviation } from './record-tumor-assessment.decision';

/**
 * Keeps `missing-baseline-assessment` (RECIST 1.1: a follow-up is judged against baseline imaging) in
 * step with every change to the scans: a baseline entered late, a scan corrected (its baseline flag, its
 * date) or voided. A follow-up lacks a baseline when no live baseline is dated before it.
 *
 * Each deviation is matched to the follow-up it concerns by event id — the `relatedEventId` it carries
 * when the system re-detected it, or else the scan it was appended with (`RecordTumorAssessment` writes
 * the follow-up and its deviation in one append, the deviation right after the scan) — never by date: a
 * follow-up's date can be corrected after its deviation was recorded, and the deviation keeps the date
 * it was recorded with.
 *
 * As for doses, only what the change changes acts: a follow-up that lacked a baseline before and after
 * keeps whatever is on record (a deviation voided by hand is not re-detected unasked).
 */

/** Follow-ups (entry id → date) with no baseline dated before them. */
const followUpsWithoutBaseline = (assessments: readonly AssessmentFact[]): Map<string, IsoDate> => {
  const baselines = assessments.filter((a) => a.baseline).map((a) => a.assessmentDate);
  return new Map(
    assessments.filter((a) => !a.baseline && !baselines.some((b) => compareDates(b, a.assessmentDate) < 0)).map((a) => [a.eventId, a.assessmentDate]),
  );
};

/** The live missing-baseline deviations on record, by the follow-up they concern. */
const missingBaselineDeviationsByFollowUp = (entries: readonly SubjectEntry[]): Map<string, SubjectEntry[]> => {
  const owned = new Map<string, SubjectEntry[]>();
  let lastScan: string | null = null;
  for (const entry of entries) {
    if (entry.recorded.type === 'TumorAssessmentRecorded') lastScan = entry.eventId;
    const event = entry.current;
    if (entry.voided || event.type !== 'ProtocolDeviationDetected' || event.data.category !== DETECTED_DEVIATIONS.missingBaselineAssessment) continue;
    const owner = event.data.relatedEventId ?? lastScan;
    if (owner === null) continue;
    owned.set(owner, [...(owned.get(owner) ?? []), entry]);
  }
  return owned;
};

/**
 * The withdrawals and re-detections of missing-baseline deviations when the live scans go from `before`
 * to `after` (each as `SubjectFacts.assessments`). `why` ends the withdrawal's reason.
 */
export const reconcileMissingBaseline = (
  entries: readonly SubjectEntry[],
  before: readonly AssessmentFact[],
  after: readonly AssessmentFact[],
  why: string,
): { withdrawn: EntryVoided[]; detected: ProtocolDeviationDetected[] } => {
  const was = followUpsWithoutBaseline(before);
  const now = followUpsWithoutBaseline(after);
  const onRecord = missingBaselineDeviationsByFollowUp(entries);
  const withdrawn: EntryVoided[] = [...onRecord]
    .filter(([followUp]) => was.has(followUp) && !now.has(followUp))
    .flatMap(([, deviations]) => deviations)
    .map((d) => ({ type: 'EntryVoided', data: { targetEventId: d.eventId, targetType: 'ProtocolDeviationDetected', reason: `No longer a deviation after ${why}` } }));
  const detected = [...now]
    .filter(([followUp]) => !was.has(followUp) && !onRecord.has(followUp))
    .map(([followUp, date]) => missingBaselineDeviation(date, followUp));
  return { withdrawn, detected };
};
