import { clinicalDateOf } from '../../events/clinical-date';
import type { EntryVoided, ProtocolDeviationDetected } from '../../events/event.types';
import { compareDates, type IsoDate } from '../../shared/iso-date';
import { applyEntry } from '../subject.refold';
import type { EntryEvent, SubjectEntry, SubjectFacts, SubjectState } from '../subject.state';
import { DETECTED_DEVIATIONS } from './dosing.decision';
import { detectedOnRecordBy, reconcileKeyed } from './detected-deviations.decision';

/**
 * Doses given when study treatment should have ended (SPEC §1: lanreotide is given until progression;
 * a new anticancer therapy is prohibited while on study treatment):
 * - `dose-after-progression`: a dose dated after documented progression — the earliest post-baseline
 *   tumour assessment with RECIST 1.1 overall response PD, or the earliest clinical progression. A dose
 *   on the progression date itself is not one: the scan is read, or the deterioration judged, after the
 *   injection that day, so the site could not yet know (the same date is the PFS event, not treatment
 *   beyond it);
 * - `dose-after-new-therapy`: a dose dated on or after the start of a new anticancer therapy (on the
 *   start date the two are given together, which is what the protocol prohibits).
 * Both are major: the protocol has no allowance for treatment beyond progression or alongside another
 * anticancer therapy, and either exposes the subject to a drug without the benefit the study presumes.
 *
 * They are derived from the facts as they stand, whatever order they were recorded in: a progression
 * scan keyed in after a dose dated later than it makes that dose a deviation, in the same append as the
 * scan. Every change that moves them — a dose, scan, clinical progression or new therapy entered,
 * corrected or voided, or a correction that re-derives a scan's RECIST response — withdraws
 * (`EntryVoided`) what no longer holds and records what now does, in the same append. Each deviation is
 * matched to its dose by event id (`relatedEventId`, else the dose it was appended with), never by date.
 * No protocol parameter governs them, so a dose is judged alike under every protocol version.
 */

const CATEGORIES: ReadonlySet<string> = new Set([DETECTED_DEVIATIONS.doseAfterProgression, DETECTED_DEVIATIONS.doseAfterNewTherapy]);

/** The id a dose being recorded goes by until it is appended: its deviations are appended right after it, without `relatedEventId`. */
export const DOSE_BEING_RECORDED = '(being recorded)';

export interface DocumentedProgression {
  readonly date: IsoDate;
  /** What documented it on that date: RECIST 1.1 PD on a scan, a clinical progression, or both. */
  readonly source: string;
}

/** The facts these deviations read. */
export type TreatmentEndFacts = Pick<SubjectFacts, 'doses' | 'assessments' | 'clinicalProgressions' | 'newTherapies'>;

const earliest = (dates: readonly IsoDate[]): IsoDate | null => dates.reduce<IsoDate | null>((min, d) => (min === null || compareDates(d, min) < 0 ? d : min), null);

/**
 * The date of documented progression (the PFS event's, SPEC §3): the earliest post-baseline assessment
 * whose overall RECIST 1.1 response is PD, or the earliest clinical progression; null when neither is on record.
 */
export const documentedProgression = (facts: Pick<SubjectFacts, 'assessments' | 'clinicalProgressions'>): DocumentedProgression | null => {
  const radiological = earliest(facts.assessments.filter((a) => !a.baseline && a.overallResponse === 'PD').map((a) => a.assessmentDate));
  const clinical = earliest(facts.clinicalProgressions.map((p) => p.date));
  const date = earliest([radiological, clinical].filter((d): d is IsoDate => d !== null));
  if (date === null) return null;
  const sources = [
    ...(radiological === date ? ['RECIST 1.1 progressive disease (PD) at the tumour assessment of that date'] : []),
    ...(clinical === date ? ['clinical progression recorded for that date'] : []),
  ];
  return { date, source: sources.join(' and ') };
};

/** The treatment-end deviations that hold, by `category#dose id`, each as it would be recorded for that dose. */
export const treatmentEndDeviations = (facts: TreatmentEndFacts): Map<string, ProtocolDeviationDetected> => {
  const holding = new Map<string, ProtocolDeviationDetected>();
  const progression = documentedProgression(facts);
  const newTherapy = earliest(facts.newTherapies.map((t) => t.date));
  const deviation = (dose: TreatmentEndFacts['doses'][number], category: string, description: string): void => {
    holding.set(`${category}#${dose.eventId}`, {
      type: 'ProtocolDeviationDetected',
      data: {
        deviationDate: dose.administeredOn,
        category,
        description,
        severity: 'major',
        cycle: dose.cycle,
        ...(dose.eventId === DOSE_BEING_RECORDED ? {} : { relatedEventId: dose.eventId }),
      },
    });
  };
  for (const dose of facts.doses) {
    if (progression && compareDates(dose.administeredOn, progression.date) > 0) {
      deviation(
        dose,
        DETECTED_DEVIATIONS.doseAfterProgression,
        `Cycle ${dose.cycle} given on ${dose.administeredOn}, after documented progression on ${progression.date} (${progression.source}); study treatment runs until progression`,
      );
    }
    if (newTherapy !== null && compareDates(dose.administeredOn, newTherapy) >= 0) {
      deviation(
        dose,
        DETECTED_DEVIATIONS.doseAfterNewTherapy,
        `Cycle ${dose.cycle} given on ${dose.administeredOn}, on or after the start of a new anticancer therapy on ${newTherapy}, which the protocol prohibits while on study treatment`,
      );
    }
  }
  return holding;
};

/**
 * The withdrawals and detections of treatment-end deviations when the facts go from `before` to `after`
 * (a new entry applied, or a correction or void). As for the other detected deviations, only what the
 * change changes acts: a deviation that held before and after keeps whatever is on record (one voided by
 * hand is not re-detected unasked), unless it no longer reads true (the progression moved to another
 * date, the dose's date or cycle corrected): then it is restated. `why` ends the withdrawal's reason.
 */
export const reconcileTreatmentEndDeviations = (
  entries: readonly SubjectEntry[],
  before: TreatmentEndFacts,
  after: TreatmentEndFacts,
  why: string,
): { withdrawn: EntryVoided[]; detected: ProtocolDeviationDetected[] } => {
  return reconcileKeyed(treatmentEndDeviations(before), treatmentEndDeviations(after), detectedOnRecordBy(entries, CATEGORIES, 'DoseAdministered'), why);
};

const ENTRY_WORDS: Partial<Record<EntryEvent['type'], string>> = {
  DoseAdministered: 'dose',
  TumorAssessmentRecorded: 'tumour assessment',
  ClinicalProgressionRecorded: 'clinical progression',
  NewAnticancerTherapyStarted: 'new anticancer therapy',
};

/**
 * The treatment-end deviations a new entry (the first event a clinical command decided) reveals: a dose
 * given after progression or a new therapy on record, or a progression or new therapy dated before doses
 * on record (keyed in after them). A new dose's own deviations follow it in the append without
 * `relatedEventId`; those of doses on record name them. An earlier progression restates the deviations
 * that named the later one.
 */
export const treatmentEndOnNewEntry = (state: Pick<SubjectState, 'entries' | 'facts'>, event: EntryEvent): { withdrawn: EntryVoided[]; detected: ProtocolDeviationDetected[] } => {
  const what = ENTRY_WORDS[event.type];
  if (what === undefined) return { withdrawn: [], detected: [] };
  const entry = { eventId: DOSE_BEING_RECORDED, protocolVersion: null, recorded: event, current: event, corrections: [], voided: null } as unknown as SubjectEntry;
  const after = applyEntry(state.facts, entry).facts;
  return reconcileTreatmentEndDeviations(state.entries, state.facts, after, `the entry of the ${what} of ${clinicalDateOf(event.type, event.data as unknown as Readonly<Record<string, unknown>>)}`);
};
