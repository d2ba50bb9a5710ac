import fc from 'fast-check';
import { addDays, type IsoDate } from '../../shared/iso-date';
import { currentDoseWindows, currentWindowOfLastDose, scheduledWindow, type DoseWindow } from './dosing.decision';
import type { DosingRule } from '../../protocol/dosing-rules';

/**
 * The dose windows as the rule reads (SPEC §1), written the plain way — each dose's window from a
 * filtered, sorted copy of the doses of lower cycles, whenever recorded — against which the walk the
 * read models run for every dose is checked: same windows for any doses, cycles in any order, repeated
 * cycles included.
 */
const plainWindow = (t: DosingRule, enrollmentDate: IsoDate, doses: ReadonlyArray<{ cycle: number; administeredOn: IsoDate }>, cycle: number): DoseWindow => {
  if (cycle === 1) {
    return { dueOn: addDays(enrollmentDate, t.firstDose.fromDay), from: addDays(enrollmentDate, t.firstDose.fromDay), to: addDays(enrollmentDate, t.firstDose.toDay) };
  }
  const previous = doses.filter((d) => d.cycle < cycle).sort((a, b) => a.cycle - b.cycle).at(-1);
  const dueOn = previous
    ? addDays(previous.administeredOn, t.intervalDays * (cycle - previous.cycle))
    : addDays(enrollmentDate, t.firstDose.fromDay + t.intervalDays * (cycle - 1));
  return { dueOn, from: addDays(dueOn, -t.windowDays), to: addDays(dueOn, t.windowDays) };
};

const rule = fc.record({
  intervalDays: fc.integer({ min: 1, max: 42 }),
  windowDays: fc.integer({ min: 0, max: 7 }),
  firstDose: fc.integer({ min: 0, max: 14 }).chain((fromDay) => fc.record({ fromDay: fc.constant(fromDay), toDay: fc.integer({ min: fromDay, max: fromDay + 14 }) })),
  doseMg: fc.constant(120),
  route: fc.constant('deep-sc'),
});
const doses = fc.array(fc.record({ cycle: fc.integer({ min: 1, max: 14 }), day: fc.integer({ min: 0, max: 500 }) }), { maxLength: 20 }).map((list) =>
  list.map((d, i) => ({ eventId: `dose-${i}`, cycle: d.cycle, administeredOn: addDays('2026-01-05', d.day) })),
);

/** Doses mostly in cycle order, as sites record them (a cycle now and then repeated or out of order). */
const dosesInOrder = fc.array(fc.record({ step: fc.integer({ min: -2, max: 2 }), day: fc.integer({ min: 0, max: 40 }) }), { maxLength: 40 }).map((list) => {
  let cycle = 0;
  let day = 0;
  return list.map((d, i) => {
    cycle = Math.max(1, cycle + (d.step >= 0 ? 1 : d.step));
    day += d.day;
    return { eventId: `dose-${i}`, cycle, administeredOn: addDays('2026-01-05', day) };
  });
});

describe('dose windows', () => {
  it('given doses mostly in cycle order, then each current window is the one the plain rule gives, and the last one alone is the same', () => {
    fc.assert(
      fc.property(rule, dosesInOrder, (t, recorded) => {
        const expected = new Map(recorded.map((d) => [d.eventId, plainWindow(t, '2026-01-05', recorded, d.cycle)]));
        expect(currentDoseWindows(t, '2026-01-05', recorded)).toEqual(expected);
        expect(currentWindowOfLastDose(t, '2026-01-05', recorded)).toEqual(recorded.length === 0 ? null : expected.get(recorded.at(-1)!.eventId));
      }),
      { numRuns: 300 },
    );
  });

  it('given any doses in recording order, then each current window is the one the plain rule gives from the doses of lower cycles, also those recorded after it', () => {
    fc.assert(
      fc.property(rule, doses, (t, recorded) => {
        const expected = new Map(recorded.map((d) => [d.eventId, plainWindow(t, '2026-01-05', recorded, d.cycle)]));
        expect(currentDoseWindows(t, '2026-01-05', recorded)).toEqual(expected);
        expect(currentWindowOfLastDose(t, '2026-01-05', recorded)).toEqual(recorded.length === 0 ? null : expected.get(recorded.at(-1)!.eventId));
      }),
      { numRuns: 300 },
    );
    // Spelled out: cycles 1 and 3, then cycle 2 entered late; cycle 3 is due 28 days after cycle 2, not 56 after cycle 1.
    const t = { intervalDays: 28, windowDays: 3, firstDose: { fromDay: 0, toDay: 7 }, doseMg: 120, route: 'deep-sc' };
    const late = [
      { eventId: 'c1', cycle: 1, administeredOn: '2026-01-05' },
      { eventId: 'c3', cycle: 3, administeredOn: '2026-03-07' },
      { eventId: 'c2', cycle: 2, administeredOn: '2026-02-05' },
    ];
    expect(currentDoseWindows(t, '2026-01-05', late).get('c3')!.dueOn).toBe('2026-03-05');
  });

  it('given any doses, then the window of every next cycle is the one the plain rule gives (of repeated cycles, the dose recorded last counts)', () => {
    fc.assert(
      fc.property(rule, doses, fc.integer({ min: 1, max: 16 }), (t, recorded, cycle) => {
        expect(scheduledWindow(t, '2026-01-05', recorded, cycle)).toEqual(plainWindow(t, '2026-01-05', recorded, cycle));
      }),
      { numRuns: 300 },
    );
    // The tie rule spelled out: two doses of cycle 2, the later recorded one (given on day 30) sets cycle 3.
    const t = { intervalDays: 21, windowDays: 3, firstDose: { fromDay: 0, toDay: 7 }, doseMg: 120, route: 'deep-sc' };
    const tied = [
      { cycle: 2, administeredOn: '2026-01-26' },
      { cycle: 2, administeredOn: '2026-02-04' },
    ];
    expect(scheduledWindow(t, '2026-01-05', tied, 3).dueOn).toBe('2026-02-25');
  });
});
