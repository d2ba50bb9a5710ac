import { compareDates, DomainError, evaluateAssessments, type AssessmentEvaluation, type Recorded, type SubjectEntry, type SubjectState, type TumorAssessmentInput } from '@trial-ledger/domain';
import { odmValue } from './odm-catalogue';

/** The RECIST 1.1 figures a `TumorAssessmentRecorded` stores (derived, not entered). */
export const RECIST_FIGURES = ['sumOfDiametersMm', 'targetResponse', 'overallResponse'] as const;
type Figure = (typeof RECIST_FIGURES)[number];
type Figures = Record<Figure, unknown>;

/** An assessment whose figures, as the casebook derives them now, are not the ones the file last gave. */
export interface RederivedFigures {
  readonly assessmentEventId: string;
  /** Only the figures that changed, in `RECIST_FIGURES` order. */
  readonly changes: ReadonlyArray<readonly [Figure, unknown]>;
}

const FIGURE_MOVERS: ReadonlySet<string> = new Set(['TumorAssessmentRecorded', 'EntryCorrected', 'EntryVoided']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const figuresOf = (data: Record<string, unknown>): Figures => ({ sumOfDiametersMm: data.sumOfDiametersMm ?? null, targetResponse: data.targetResponse ?? null, overallResponse: data.overallResponse ?? null });

type Assessment = SubjectEntry & { readonly current: { readonly type: 'TumorAssessmentRecorded'; readonly data: Record<string, unknown> } };

/**
 * The figures of every live assessment as the casebook shows them (and PFS reads them): every scan
 * re-evaluated in date order from the current (corrected) measurements; when the set cannot be evaluated,
 * the figures stamped on each entry.
 */
const currentFigures = (state: SubjectState): Map<string, Figures> => {
  const scans = state.entries
    .filter((e): e is Assessment => e.voided === null && e.current.type === 'TumorAssessmentRecorded')
    .sort((a, b) => compareDates(a.current.data.assessmentDate as string, b.current.data.assessmentDate as string));
  let evaluations: AssessmentEvaluation[] | null = null;
  try {
    evaluations = evaluateAssessments(
      scans.map((e) => {
        const { sumOfDiametersMm: _sod, targetResponse: _target, overallResponse: _overall, ...input } = e.current.data;
        return input as unknown as TumorAssessmentInput;
      }),
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
  return new Map(
    scans.map((e, i) => {
      const ev = evaluations?.[i];
      return [e.eventId, ev ? { sumOfDiametersMm: ev.sod, targetResponse: ev.targetResponse, overallResponse: ev.overallResponse } : figuresOf(e.current.data)];
    }),
  );
};

/**
 * A follow-up's SOD and responses are judged against the baseline and the nadir before it. The figures
 * stored in a `TumorAssessmentRecorded` are what was derived when it was recorded, and a correction
 * stores the figures of its own target only; a corrected baseline, a scan entered late, or an earlier
 * scan corrected or voided re-derives the figures of the later scans without an event of theirs (a PD
 * can become SD, and PFS changes with it). This follows a subject's stream event by event and names,
 * after each, the live assessments whose current figures differ from the ones the export last wrote.
 */
export class RecistFigureTracker {
  /** By assessment event id: the figures the file gives the assessment so far (its insert, then corrections and updates). */
  private readonly written = new Map<string, Figures>();

  /** `state` is the subject's state with `event` folded in. */
  next(event: Recorded, state: SubjectState): RederivedFigures[] {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'TumorAssessmentRecorded') this.written.set(event.eventId, figuresOf(data));
    if (event.type === 'EntryCorrected' && typeof data.targetEventId === 'string' && isRecord(data.after)) {
      const shown = this.written.get(data.targetEventId);
      const after = data.after;
      if (shown) for (const figure of RECIST_FIGURES) if (figure in after) shown[figure] = after[figure] ?? null;
    }
    if (!FIGURE_MOVERS.has(event.type) || this.written.size === 0) return [];
    const moved: RederivedFigures[] = [];
    for (const [eventId, figures] of currentFigures(state)) {
      const shown = this.written.get(eventId);
      if (!shown) continue;
      // Compared as the file writes them, so 31.3 and 31.30 or null and undefined are one value.
      const changes = RECIST_FIGURES.filter((f) => odmValue(shown[f]) !== odmValue(figures[f])).map((f) => [f, figures[f]] as const);
      if (changes.length === 0) continue;
      for (const [figure, value] of changes) shown[figure] = value;
      moved.push({ assessmentEventId: eventId, changes });
    }
    return moved;
  }
}
