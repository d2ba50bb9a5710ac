import { currentDoseWindows, evolveSubject, initialSubjectState, type DoseWindow, type Recorded, type RecordedSubjectEvent, type RuleOf, type SubjectState } from '@trial-ledger/domain';

/** A dose whose protocol window, as the casebook derives it now, is not the one the file last gave. */
export interface MovedWindow {
  readonly doseEventId: string;
  readonly window: DoseWindow;
}

const WINDOW_MOVERS: ReadonlySet<string> = new Set(['DoseAdministered', 'EntryCorrected', 'EntryVoided']);

const sameWindow = (a: DoseWindow, b: DoseWindow): boolean => a.dueOn === b.dueOn && a.from === b.from && a.to === b.to;

const isWindow = (value: unknown): value is DoseWindow =>
  typeof value === 'object' && value !== null && typeof (value as DoseWindow).dueOn === 'string' && typeof (value as DoseWindow).from === 'string' && typeof (value as DoseWindow).to === 'string';

/**
 * A dose's window (SPEC §1) is derived from the enrollment date and the dose of the highest cycle below it,
 * whenever that was recorded. The window stored in a `DoseAdministered` is what was known when it was
 * recorded, and a correction stores the window of its own target; a dose entered late for a lower cycle,
 * or a lower cycle corrected or voided, moves the windows of the cycles above without an event of theirs; a
 * correction of the enrollment date moves cycle 1's (and so those above it).
 * This follows a subject's stream event by event and names, after each, the live doses whose current window
 * (`currentDoseWindows`, as the casebook derives it) that event moved away from the one the export last wrote.
 */
export class DoseWindowTracker {
  private state: SubjectState = initialSubjectState();
  /** By dose event id: the window the file gives the dose so far (its insert, then corrections and updates). */
  private readonly written = new Map<string, DoseWindow>();

  /** `rulesAt` gives the dosing schedules, by protocol version, of the study's protocols registered by a log position. */
  constructor(private readonly rulesAt: (globalPosition: number) => RuleOf | null) {}

  next(event: Recorded): MovedWindow[] {
    const before = this.state;
    this.state = evolveSubject(this.state, event as unknown as RecordedSubjectEvent);
    const data = event.data as Record<string, unknown>;
    if (event.type === 'DoseAdministered' && isWindow(data.window)) this.written.set(event.eventId, data.window);
    const after = data.after as Record<string, unknown> | undefined;
    if (event.type === 'EntryCorrected' && typeof data.targetEventId === 'string' && isWindow(after?.window)) this.written.set(data.targetEventId, after.window);
    // Only a dose, a correction (of a dose, or of the enrollment date cycle 1's window is reckoned from) or a void can move a window.
    if (!WINDOW_MOVERS.has(event.type)) return [];
    const rules = this.rulesAt(event.globalPosition);
    if (!this.state.facts.enrollment || !rules) return [];
    // Each dose is judged by the schedule of the protocol version it was recorded under, before and after
    // the event, so a window moves only by what this event changed (a protocol amendment re-derives
    // nothing in the file: the doses given before it keep their version's schedule).
    // Each state with its own enrollment date: a correction of it moves cycle 1's window (and so those above it).
    const windowsOf = (state: SubjectState) => (state.facts.enrollment ? currentDoseWindows(rules, state.facts.enrollment.enrollmentDate, state.facts.doses) : new Map<string, DoseWindow>());
    const was = windowsOf(before);
    const moved: MovedWindow[] = [];
    for (const [doseEventId, window] of windowsOf(this.state)) {
      const previous = was.get(doseEventId);
      const shown = this.written.get(doseEventId);
      if (previous === undefined || shown === undefined || sameWindow(previous, window) || sameWindow(shown, window)) continue;
      this.written.set(doseEventId, window);
      moved.push({ doseEventId, window });
    }
    return moved;
  }
}
