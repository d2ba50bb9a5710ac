import { applyChanges, clinicalReadModels, testing, type ClinicalDocument } from '@trial-ledger/projections';
import type { BenchLine } from './bench-format';

/** Events folded and timed at the end of each history (or half the history, if shorter). */
const WINDOW = 200;

/** Folds one subject's history of `doses` weekly doses; the time per event of its last events, best of five folds. */
const timeLastEvents = (doses: number): { events: number; timed: number; best: number } => {
  const ledger = new testing.LedgerScenario('LANR-HGNET-01', { now: '2039-12-31T00:00:00.000Z' });
  ledger.registerStudy();
  const subject = ledger.subject('S001');
  subject.enrol('2026-01-05');
  subject.baseline('2026-01-05');
  for (let cycle = 1; cycle <= doses; cycle += 1) subject.dose(cycle, new Date(Date.UTC(2026, 0, 5 + 7 * (cycle - 1))).toISOString().slice(0, 10));
  const events = ledger.projected();
  const timed = Math.min(WINDOW, Math.floor(events.length / 2));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round += 1) {
    const state: Record<string, ClinicalDocument> = {};
    for (const event of events.slice(0, events.length - timed)) applyChanges(state, clinicalReadModels.evolve(state, event));
    const start = process.hrtime.bigint();
    for (const event of events.slice(events.length - timed)) applyChanges(state, clinicalReadModels.evolve(state, event));
    best = Math.min(best, Number(process.hrtime.bigint() - start) / timed / 1000);
  }
  return { events: events.length, timed, best };
};

/**
 * `npm run bench -- --only history`: what one event costs the clinical read models as its subject's
 * history grows. One subject is dosed weekly — every dose off its 28-day window, so each brings a
 * detected deviation — and the last events are folded and timed (best of five folds). The cost per
 * event should not grow with the number of doses before it.
 */
export const runSubjectHistoryBench = (doseCounts: readonly number[]): BenchLine[] => {
  // The first history folded runs on code the JIT has not optimised yet: the largest is folded once, untimed.
  timeLastEvents(Math.max(...doseCounts));
  const lines: BenchLine[] = [];
  let first: number | null = null;
  for (const doses of doseCounts) {
    const { events, timed, best } = timeLastEvents(doses);
    first ??= best;
    lines.push({
      name: `one subject, ${doses.toLocaleString('en-US')} weekly doses (${events.toLocaleString('en-US')} events)`,
      value: `${best.toFixed(1)} µs per event folded (the last ${timed}; best of 5)${best === first ? '' : `, ×${(best / first).toFixed(1)} the first size`}`,
    });
  }
  return lines;
};
