import { loadDefaultProtocol } from '../protocol/protocol.validate';
import { ruleLookup } from '../protocol/dosing-rules';
import type { StudyEvent } from '../events/event.types';
import { currentSubjectEntries } from './subject.decider';
import { enrolledHistory, type History } from './testing/decider-spec';
import { COORDINATOR, dose, meta, STUDY_ID, subjectCommand } from './testing/subject.fixtures';

/**
 * A protocol amendment of the dosing schedule (v1: every 28 ± 3 days; v2: every 21 ± 2 days) applies to
 * the doses recorded under it: each dose's window follows the protocol version stamped on its own
 * `DoseAdministered`, anchored on the previous dose's date; the doses given before stay judged by v1.
 */
const v1 = loadDefaultProtocol();
const amended: StudyEvent = {
  type: 'ProtocolAmended',
  data: { studyId: STUDY_ID, version: 2, protocol: { ...v1, version: 2, treatment: { ...v1.treatment, intervalDays: 21, windowDays: 2 } }, reason: 'Amendment 1: every 21 days' },
};
const recordDose = (...args: Parameters<typeof dose>) => subjectCommand('RecordDose', dose(...args));

/** Enrolled 2026-01-05; cycles 1–3 on time under v1 (01-06, 02-03, 03-03); then the schedule is amended. */
const amendedAfterThreeCycles = (): History =>
  enrolledHistory()
    .run(recordDose(1, '2026-01-06'), meta(COORDINATOR))
    .run(recordDose(2, '2026-02-03'), meta(COORDINATOR))
    .run(recordDose(3, '2026-03-03'), meta(COORDINATOR))
    .study(amended);

/** The windows of the live doses by cycle, as the casebook derives them with every version's schedule. */
const windowsByCycle = (h: History): Record<number, unknown> => {
  const { subject, study } = h.state();
  if (study.status === 'unregistered') throw new Error('study not registered');
  return Object.fromEntries(
    currentSubjectEntries(subject, ruleLookup(study.dosingRules)).flatMap((e) => (e.current.type === 'DoseAdministered' ? [[e.current.data.cycle, e.current.data.window]] : [])),
  );
};

const deviationsOf = (h: History) => h.state().subject.entries.filter((e) => e.voided === null && e.current.type === 'ProtocolDeviationDetected');

describe('Dose windows across a protocol amendment of the dosing schedule', () => {
  it('given cycles 1–3 on time under v1, when the interval is amended to 21 ± 2 days, then the casebook keeps their v1 windows (as stored at recording)', () => {
    expect(windowsByCycle(amendedAfterThreeCycles())).toEqual({
      1: { dueOn: '2026-01-05', from: '2026-01-05', to: '2026-01-12' },
      2: { dueOn: '2026-02-03', from: '2026-01-31', to: '2026-02-06' },
      3: { dueOn: '2026-03-03', from: '2026-02-28', to: '2026-03-06' },
    });
  });

  it('given the amendment after cycle 3, when cycle 4 is recorded, then its window is v2\'s, from cycle 3\'s date (due 03-24 ± 2), and a dose 5 days late is off-window', () => {
    const h = amendedAfterThreeCycles().run(recordDose(4, '2026-03-29'), meta(COORDINATOR));
    expect(windowsByCycle(h)[4]).toEqual({ dueOn: '2026-03-24', from: '2026-03-22', to: '2026-03-26' });
    expect(deviationsOf(h).map((e) => e.current.data)).toMatchObject([{ category: 'dose-off-window', cycle: 4 }]);
  });

  it('given the amendment after cycle 3, when cycle 2\'s date is corrected to 02-05, then cycle 3 is re-derived under v1 (due 03-05 ± 3) and no deviation is detected for it', () => {
    const h = amendedAfterThreeCycles();
    h.run(subjectCommand('CorrectEntry', { targetEventId: h.idOf('DoseAdministered', 2), changes: { administeredOn: '2026-02-05' }, reason: 'date mistyped' }), meta(COORDINATOR));
    expect(windowsByCycle(h)).toMatchObject({
      2: { dueOn: '2026-02-03', from: '2026-01-31', to: '2026-02-06' },
      3: { dueOn: '2026-03-05', from: '2026-03-02', to: '2026-03-08' },
    });
    expect(deviationsOf(h)).toEqual([]);
  });

  it('given the amendment after cycle 3, when cycle 3\'s date is corrected to 03-06 (inside v1\'s 28 ± 3, outside v2\'s 21 ± 2), then no deviation is detected', () => {
    const h = amendedAfterThreeCycles();
    h.run(subjectCommand('CorrectEntry', { targetEventId: h.idOf('DoseAdministered', 3), changes: { administeredOn: '2026-03-06' }, reason: 'date mistyped' }), meta(COORDINATOR));
    expect(windowsByCycle(h)[3]).toEqual({ dueOn: '2026-03-03', from: '2026-02-28', to: '2026-03-06' });
    expect(deviationsOf(h)).toEqual([]);
  });

  it('given cycles 1–2 under v1 and the amendment, when cycle 3 is entered and then cycle 2 voided, then cycle 3 keeps v2\'s schedule counted from cycle 1 (two intervals of 21 days)', () => {
    const h = enrolledHistory()
      .run(recordDose(1, '2026-01-06'), meta(COORDINATOR))
      .run(recordDose(2, '2026-02-03'), meta(COORDINATOR))
      .study(amended)
      .run(recordDose(3, '2026-02-24'), meta(COORDINATOR));
    expect(windowsByCycle(h)[3]).toEqual({ dueOn: '2026-02-24', from: '2026-02-22', to: '2026-02-26' });
    h.run(subjectCommand('VoidEntry', { targetEventId: h.idOf('DoseAdministered', 2), reason: 'other subject' }), meta(COORDINATOR));
    expect(windowsByCycle(h)[3]).toEqual({ dueOn: '2026-02-17', from: '2026-02-15', to: '2026-02-19' });
  });

  it('given cycles 1 and 3 under v1 and the amendment, when cycle 2 is entered late, then it is judged by v2 (in force when recorded) and cycle 3 stays judged by v1 from it', () => {
    const h = enrolledHistory()
      .run(recordDose(1, '2026-01-06'), meta(COORDINATOR))
      .run(recordDose(3, '2026-03-05'), meta(COORDINATOR))
      .study(amended)
      .run(recordDose(2, '2026-02-05'), meta(COORDINATOR));
    expect(windowsByCycle(h)).toEqual({
      1: { dueOn: '2026-01-05', from: '2026-01-05', to: '2026-01-12' },
      2: { dueOn: '2026-01-27', from: '2026-01-25', to: '2026-01-29' },
      3: { dueOn: '2026-03-05', from: '2026-03-02', to: '2026-03-08' },
    });
    // The skipped-cycle deviation of cycle 3 is withdrawn; cycle 2 is off its v2 window; cycle 3 is inside its v1 window.
    expect(deviationsOf(h).map((e) => e.current.data)).toMatchObject([{ category: 'dose-off-window', cycle: 2 }]);
  });

  it('given cycle 1 given at 100 mg under v1 (120 mg) and an amendment to 90 mg, when its dose is corrected to 120 mg, then its wrong-dose deviation is withdrawn (judged by v1\'s dose)', () => {
    const to90: StudyEvent = { type: 'ProtocolAmended', data: { studyId: STUDY_ID, version: 2, protocol: { ...v1, version: 2, treatment: { ...v1.treatment, doseMg: 90 } }, reason: 'Amendment 1: 90 mg' } };
    const h = enrolledHistory().run(recordDose(1, '2026-01-06', { doseMg: 100 }), meta(COORDINATOR)).study(to90);
    expect(deviationsOf(h).map((e) => e.current.data)).toMatchObject([{ category: 'wrong-dose', cycle: 1 }]);
    h.run(subjectCommand('CorrectEntry', { targetEventId: h.idOf('DoseAdministered', 1), changes: { doseMg: 120 }, reason: 'dose mistyped' }), meta(COORDINATOR));
    expect(deviationsOf(h)).toEqual([]);
  });

  it('given cycle 1 given deep-sc under v1 and an amendment of the route to im, when its date is corrected, then no wrong-route deviation is detected for it', () => {
    const toIm: StudyEvent = { type: 'ProtocolAmended', data: { studyId: STUDY_ID, version: 2, protocol: { ...v1, version: 2, treatment: { ...v1.treatment, route: 'im' } }, reason: 'Amendment 1: im' } };
    const h = enrolledHistory().run(recordDose(1, '2026-01-06'), meta(COORDINATOR)).study(toIm);
    h.run(subjectCommand('CorrectEntry', { targetEventId: h.idOf('DoseAdministered', 1), changes: { administeredOn: '2026-01-07' }, reason: 'date mistyped' }), meta(COORDINATOR));
    expect(deviationsOf(h)).toEqual([]);
  });

  it('given a dose recorded without a stamped protocol version, when its window is derived, then the earliest registered protocol\'s schedule applies', () => {
    const ruleOf = ruleLookup([
      { version: 1, rule: v1.treatment },
      { version: 2, rule: amended.type === 'ProtocolAmended' ? amended.data.protocol.treatment : v1.treatment },
    ]);
    expect(ruleOf(null).intervalDays).toBe(28);
    expect(ruleOf(2).intervalDays).toBe(21);
    expect(ruleOf(3).intervalDays).toBe(21);
  });
});
