import { addDays } from '@trial-ledger/domain';
import type { EventStore, FixedClock } from '@trial-ledger/event-store';
import { testing } from '@trial-ledger/projections';

export const STUDY = 'LANR-HGNET-01';
const SD = { diameters: [50] };
const PD = { diameters: [61] };

/** The recording instant of the interim analysis: everything of the scenario but S008's correction. */
export const INTERIM = '2026-12-01T00:00:00.000Z';

/**
 * Eight enrolled subjects and one screen failure, one per PFS rule, entered on 1 December 2026; on
 * 10 December S008's day-169 scan is corrected into a progression (known after the interim).
 */
export const buildPfsScenario = async (
  store: EventStore,
  clock: FixedClock,
  times: { enteredAt: string; correctedAt: string } = { enteredAt: INTERIM, correctedAt: '2026-12-10T09:00:00.000Z' },
) => {
  const ledger = new testing.LedgerScenario(STUDY);
  ledger.registerStudy();
  const subject = (id: string, start: string, baseline = true) => {
    const s = ledger.subject(id);
    if (baseline) s.baseline(addDays(start, -10), SD);
    s.enrol(start);
    const day = (n: number) => addDays(start, n - 1);
    return { s, day };
  };
  { const { s, day } = subject('S001', '2026-01-05'); s.followUp(day(85), PD); }
  { const { s, day } = subject('S002', '2026-01-12'); s.followUp(day(85), SD); s.followUp(day(169), SD); s.followUp(day(253), PD); }
  { const { s, day } = subject('S003', '2026-01-19'); for (const d of [85, 169, 253, 337]) s.followUp(day(d), SD); }
  // No baseline: the domain refuses any follow-up scan, so this subject has none (rule 0 censors at the start anyway).
  subject('S004', '2026-01-26', false);
  { const { s, day } = subject('S005', '2026-02-02'); s.followUp(day(85), SD); s.die(day(120)); }
  { const { s, day } = subject('S006', '2026-02-09'); s.followUp(day(85), SD); s.newTherapy(day(100)); s.followUp(day(169), PD); }
  { const { s, day } = subject('S007', '2026-02-16'); s.followUp(day(85), SD); s.withdraw(day(90)); }
  const s8 = subject('S008', '2026-02-23');
  s8.s.followUp(s8.day(85), SD);
  const scan = s8.s.followUp(s8.day(169), SD);
  { const s = ledger.subject('S009'); s.screen('2026-03-01'); s.failScreening('2026-03-02', { ki67Percent: 35 }); }
  clock.set(times.enteredAt);
  await ledger.appendTo(store);
  const before = ledger.events.length;
  s8.s.correct(scan, { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 61, nodal: false }] }, 'central radiology review');
  clock.set(times.correctedAt);
  await ledger.appendTo(store, before);
  return ledger;
};
