import { addDays } from '@trial-ledger/domain';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { diffPfs } from '@trial-ledger/pfs';
import { testing } from '@trial-ledger/projections';

const STUDY = 'LANR-HGNET-01';
const START = '2026-01-05';
const day = (n: number): string => addDays(START, n - 1);
const SD = { diameters: [50] };
const PD = { diameters: [61] };

/**
 * Every row past rule 0 rests on the baseline assessment it was derived against; a RECIST PD also on the
 * assessments before it, whose sums set the nadir it is judged against.
 * Endpoint provenance of an event row: it is an event, not a CNSR 3, because of the last adequate
 * assessment before it (the missed-assessment gap is measured from there).
 * Endpoint provenance of censored rows: a censoring for new anticancer therapy (CNSR 2), after missed
 * assessments (CNSR 3) or for withdrawal (CNSR 5) rests on the therapy, the disregarded progression or
 * death, or the withdrawal as much as on the assessment its ADT is taken from. A correction or void of
 * such a fact is what moved the row, and `pfs diff` must say so (decisive), not leave it unmarked among
 * unrelated entries.
 */
describe('pfs diff: decisive causes of a censored row', () => {
  let store: SqliteEventStore;
  let fromPosition: number;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    store = new SqliteEventStore(':memory:');
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const subject = (id: string) => {
      const s = ledger.subject(id);
      s.baseline(addDays(START, -10), SD);
      s.enrol(START);
      s.followUp(day(85), SD);
      return s;
    };
    // S001: CNSR 2 — therapy on day 100 before the day-169 PD
    const s1 = subject('S001');
    ids.therapy = s1.newTherapy(day(100));
    s1.followUp(day(169), PD);
    // S002: CNSR 3 — death on day 300, more than 175 days after the day-85 scan
    const s2 = subject('S002');
    ids.death = s2.die(day(300));
    // S003: CNSR 5 — withdrawn on day 120
    const s3 = subject('S003');
    ids.withdrawal = s3.withdraw(day(120));
    // S004: event — PD on day 240, 155 days after the day-85 scan it is measured from
    const s4 = ledger.subject('S004');
    s4.baseline(addDays(START, -10), SD);
    s4.enrol(START);
    ids.anchor = s4.followUp(day(85), SD);
    s4.followUp(day(240), PD);
    // S005: event — PD on day 85 against the baseline
    const s5 = subject('S005');
    ids.baseline5 = ledger.events.filter((e) => e.type === 'TumorAssessmentRecorded' && e.streamId.endsWith('-S005'))[0].eventId;
    s5.followUp(day(169), PD);
    // S006: no baseline imaging on record yet (CNSR 1); the day-85 scan is PD once a baseline is there
    const s6 = ledger.subject('S006');
    s6.screen(addDays(START, -12));
    s6.confirmEligibility(addDays(START, -11));
    s6.enrol(START);
    s6.followUp(day(85), PD);
    // S007: RECIST PD on day 253 (52 mm), judged against the 40 mm nadir of the day-85 scan
    const s7 = ledger.subject('S007');
    s7.baseline(addDays(START, -10), SD);
    s7.enrol(START);
    ids.nadir7 = s7.followUp(day(85), { diameters: [40] });
    s7.followUp(day(169), { diameters: [45] });
    s7.followUp(day(253), { diameters: [52] });
    fromPosition = ledger.events.length;
    // After the first side: in each subject an unrelated late scan (day 60, before the censoring date) …
    s1.followUp(day(60), SD);
    s2.followUp(day(60), SD);
    s3.followUp(day(60), SD);
    // … and the fact the censoring rested on withdrawn
    ids.therapyVoid = s1.void(ids.therapy, 'therapy belongs to another subject');
    ids.deathVoid = s2.void(ids.death, 'death entered in the wrong casebook');
    ids.withdrawalVoid = s3.void(ids.withdrawal, 'withdrawal entered in error');
    // S004: the scan the gap was measured from voided: the PD now follows 239 days without one (CNSR 3)
    s4.followUp(day(30), { diameters: [null] });
    ids.anchorVoid = s4.void(ids.anchor, 'scan of another subject');
    // S005: the baseline voided (CNSR 1 now); S006: the baseline entered late (an event now)
    s5.followUp(day(30), { diameters: [null] });
    s5.void(ids.baseline5, 'baseline of another subject');
    s6.followUp(day(30), { diameters: [null] });
    ids.lateBaseline6 = s6.baseline(addDays(START, -10), SD);
    // S007: central re-read of the nadir scan (46 mm): the nadir is 45 mm, 52 mm is no longer PD
    s7.followUp(day(30), { diameters: [null] });
    s7.correct(ids.nadir7, { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 46, nodal: false }] }, 'central re-read');
    await ledger.appendTo(store);
  });
  afterAll(async () => {
    await store.close();
  });

  it('given the therapy, the disregarded death and the withdrawal voided, then each void is the decisive cause and the late scan is not', async () => {
    const diff = await diffPfs(store, STUDY, { fromPosition });
    const rows = diff.subjects.map((s) => ({
      subjectId: s.subjectId,
      cnsr: [s.before?.cnsr, s.after?.cnsr],
      causes: s.causes.map((c) => ({ kind: c.kind, eventType: c.target?.eventType ?? c.eventType, decisive: c.decisive })),
    }));
    expect(rows).toEqual([
      { subjectId: 'S001', cnsr: [2, 0], causes: [{ kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: false }, { kind: 'void', eventType: 'NewAnticancerTherapyStarted', decisive: true }] },
      { subjectId: 'S002', cnsr: [3, 4], causes: [{ kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: false }, { kind: 'void', eventType: 'SubjectDied', decisive: true }] },
      { subjectId: 'S003', cnsr: [5, 4], causes: [{ kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: false }, { kind: 'void', eventType: 'SubjectWithdrawn', decisive: true }] },
      { subjectId: 'S004', cnsr: [0, 3], causes: [{ kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: false }, { kind: 'void', eventType: 'TumorAssessmentRecorded', decisive: true }] },
      { subjectId: 'S005', cnsr: [0, 1], causes: [{ kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: false }, { kind: 'void', eventType: 'TumorAssessmentRecorded', decisive: true }] },
      { subjectId: 'S006', cnsr: [1, 0], causes: [{ kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: false }, { kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: true }] },
      { subjectId: 'S007', cnsr: [0, 4], causes: [{ kind: 'late-entry', eventType: 'TumorAssessmentRecorded', decisive: false }, { kind: 'correction', eventType: 'TumorAssessmentRecorded', decisive: true }] },
    ]);
    expect(diff.subjects.find((s) => s.subjectId === 'S006')?.causes[1].eventId).toBe(ids.lateBaseline6);
    expect(diff.verdict).toBe('7 subjects changed: 5 voids, 1 late entry, 1 correction.');
  });

  it('names the facts each row rests on beside the source of its ADT', async () => {
    const diff = await diffPfs(store, STUDY, { fromPosition });
    const before = Object.fromEntries(diff.subjects.map((s) => [s.subjectId, s.before?.restsOn]));
    expect(before.S001).toEqual(expect.arrayContaining([ids.therapy]));
    expect(before.S002).toEqual(expect.arrayContaining([ids.death]));
    expect(before.S003).toEqual(expect.arrayContaining([ids.withdrawal]));
    expect(before.S004).toEqual(expect.arrayContaining([ids.anchor]));
  });
});
