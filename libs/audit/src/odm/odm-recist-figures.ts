import { evolveSubject, initialSubjectState, type Recorded, type RecordedSubjectEvent, type SubjectState } from '@trial-ledger/domain';
import { currentRecistFigures, type RecistFigures } from '@trial-ledger/projections';

/** A scan whose RECIST figures, as the casebook derives them now, are not the ones the file last gave. */
export interface MovedFigures {
  readonly scanEventId: string;
  readonly figures: RecistFigures;
}

/** The derived items of a `TumorAssessmentRecorded`, in the order the file updates them. */
export const RECIST_FIGURE_ITEMS = ['sumOfDiametersMm', 'targetResponse', 'overallResponse'] as const;

const FIGURE_MOVERS: ReadonlySet<string> = new Set(['TumorAssessmentRecorded', 'EntryCorrected', 'EntryVoided']);

const sameFigures = (a: RecistFigures, b: RecistFigures): boolean => RECIST_FIGURE_ITEMS.every((item) => a[item] === b[item]);

/**
 * A scan's SOD and responses (SPEC §3) are derived, not entered: those stored in its event are what was
 * judged when it was recorded, against the scans recorded before it. A scan entered late, an earlier scan
 * or the baseline corrected or voided, or a baseline entered late re-judges the scans dated after it
 * without an event of theirs; the casebook and PFS show the re-derived figures. This follows a subject's
 * stream event by event and names, after each, the live scans whose current figures (as the casebook
 * derives them) that event moved away from the ones the export last wrote.
 */
export class RecistFiguresTracker {
  private state: SubjectState = initialSubjectState();
  /** By scan event id: the figures the file gives the scan so far (its insert, then corrections and updates). */
  private readonly written = new Map<string, RecistFigures>();

  next(event: Recorded): MovedFigures[] {
    this.state = evolveSubject(this.state, event as unknown as RecordedSubjectEvent);
    const data = event.data as Record<string, unknown>;
    if (event.type === 'TumorAssessmentRecorded') this.written.set(event.eventId, data as unknown as RecistFigures);
    const after = data.after as Record<string, unknown> | undefined;
    const shownBefore = typeof data.targetEventId === 'string' ? this.written.get(data.targetEventId) : undefined;
    if (event.type === 'EntryCorrected' && shownBefore !== undefined && after !== undefined) {
      const shown = { ...shownBefore } as Record<string, unknown>;
      for (const item of RECIST_FIGURE_ITEMS) if (item in after) shown[item] = after[item];
      this.written.set(data.targetEventId as string, shown as unknown as RecistFigures);
    }
    if (!FIGURE_MOVERS.has(event.type)) return [];
    const moved: MovedFigures[] = [];
    for (const [scanEventId, figures] of currentRecistFigures(this.state)) {
      const shown = this.written.get(scanEventId);
      if (shown === undefined || sameFigures(shown, figures)) continue;
      this.written.set(scanEventId, figures);
      moved.push({ scanEventId, figures });
    }
    return moved;
  }
}
