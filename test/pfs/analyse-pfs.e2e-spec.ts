import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { adtteCsv, adtteDefineMarkdown, analysePfs, loadStudyPfs, PfsCnsr } from '@trial-ledger/pfs';
import { kaplanMeier } from '@trial-ledger/survival';
import { INTERIM, STUDY, buildPfsScenario } from './support/pfs-scenario';

interface RReference {
  input: { time: number[]; status: number[] };
  km: Array<{ time: number; nRisk: number; nEvent: number; nCensor: number; survival: number; stdErr: number | null; lower: number | null; upper: number | null }>;
  median: { estimate: number | null; lower: number | null; upper: number | null };
  rates: Array<{ day: number; reported: boolean; survival: number | null; lower: number | null; upper: number | null }>;
}

const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'scenario-r-reference.json'), 'utf8')) as RReference;

describe('study PFS analysis (SPEC §3, appendix B)', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pfs-'));
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await buildPfsScenario(store, clock);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given the scenario, then the JSON has exactly the keys of appendix B and one row per enrolled subject', async () => {
    const analysis = await analysePfs(store, STUDY);
    expect(Object.keys(analysis)).toEqual(['studyId', 'horizonDays', 'cutoff', 'asKnownAt', 'subjects', 'summary', 'km', 'median', 'rates']);
    expect(analysis).toMatchObject({ studyId: STUDY, horizonDays: 365, cutoff: null, asKnownAt: null, summary: { n: 8, events: 4, censored: 4 } });
    expect(analysis.subjects).toEqual([
      { subjectId: 'S001', startDate: '2026-01-05', adt: '2026-03-30', aval: 85, cnsr: 0, reason: 'PROGRESSION (RECIST PD)' },
      { subjectId: 'S002', startDate: '2026-01-12', adt: '2026-09-21', aval: 253, cnsr: 0, reason: 'PROGRESSION (RECIST PD)' },
      { subjectId: 'S003', startDate: '2026-01-19', adt: '2026-12-21', aval: 337, cnsr: PfsCnsr.noProgression, reason: 'ALIVE WITHOUT DOCUMENTED PROGRESSION' },
      { subjectId: 'S004', startDate: '2026-01-26', adt: '2026-01-26', aval: 1, cnsr: PfsCnsr.noBaseline, reason: 'NO BASELINE TUMOR ASSESSMENT' },
      { subjectId: 'S005', startDate: '2026-02-02', adt: '2026-06-01', aval: 120, cnsr: 0, reason: 'DEATH' },
      { subjectId: 'S006', startDate: '2026-02-09', adt: '2026-05-04', aval: 85, cnsr: PfsCnsr.newAnticancerTherapy, reason: 'NEW ANTICANCER THERAPY BEFORE PROGRESSION' },
      { subjectId: 'S007', startDate: '2026-02-16', adt: '2026-05-11', aval: 85, cnsr: PfsCnsr.withdrawn, reason: 'WITHDRAWN OR LOST TO FOLLOW-UP WITHOUT DOCUMENTED PROGRESSION' },
      { subjectId: 'S008', startDate: '2026-02-23', adt: '2026-08-10', aval: 169, cnsr: 0, reason: 'PROGRESSION (RECIST PD)' },
    ]);
    expect(Object.keys(analysis.km[0])).toEqual(['time', 'nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper']);
    expect(analysis.rates.map((r) => Object.keys(r))).toEqual([['day', 'survival', 'lower', 'upper'], ['day', 'survival', 'lower', 'upper']]);
  });

  it('given the scenario, then km, median and rates agree with R survival (log-log) to 1e-6', async () => {
    const analysis = await analysePfs(store, STUDY);
    expect(analysis.subjects.map((s) => s.aval)).toEqual(reference.input.time);
    expect(analysis.subjects.map((s) => (s.cnsr === 0 ? 1 : 0))).toEqual(reference.input.status);
    expect(analysis.km).toHaveLength(reference.km.length);
    analysis.km.forEach((row, i) => {
      const r = reference.km[i];
      expect([row.time, row.nRisk, row.nEvent, row.nCensor]).toEqual([r.time, r.nRisk, r.nEvent, r.nCensor]);
      for (const key of ['survival', 'stdErr', 'lower', 'upper'] as const) {
        if (r[key] === null) expect(row[key]).toBeNull();
        else expect(row[key]).toBeCloseTo(r[key] as number, 6);
      }
    });
    expect(analysis.median).toEqual(reference.median);
    analysis.rates.forEach((rate, i) => {
      expect(rate.day).toBe(reference.rates[i].day);
      if (reference.rates[i].survival === null) expect(rate.survival).toBeNull();
      else expect(rate.survival).toBeCloseTo(reference.rates[i].survival as number, 6);
    });
  });

  it('given a correction after the interim, when analysed as known at the interim, then S008 is still censored', async () => {
    const interim = await analysePfs(store, STUDY, { asKnownAt: INTERIM });
    expect(interim.asKnownAt).toBe(INTERIM);
    expect(interim.summary).toEqual({ n: 8, events: 3, censored: 5 });
    expect(interim.subjects.find((s) => s.subjectId === 'S008')).toMatchObject({ aval: 169, cnsr: PfsCnsr.noProgression });
    const now = await analysePfs(store, STUDY);
    expect(now.km).not.toEqual(interim.km);
  });

  it('given a data cutoff, then events after it are disregarded and the km is recomputed', async () => {
    const cut = await analysePfs(store, STUDY, { cutoff: '2026-06-30' });
    expect(cut.cutoff).toBe('2026-06-30');
    expect(cut.subjects.find((s) => s.subjectId === 'S002')).toMatchObject({ adt: '2026-06-29', aval: 169, cnsr: PfsCnsr.noProgression });
    expect(cut.summary.events).toBe(2);
    expect(cut.km).toEqual(kaplanMeier(cut.subjects.map((s) => ({ time: s.aval, event: s.cnsr === 0 }))));
  });

  it('given bad options or an unknown study, then stable error codes', async () => {
    await expect(analysePfs(store, STUDY, { cutoff: '30/06/2026' })).rejects.toMatchObject({ code: 'PFS.INVALID_CUTOFF' });
    await expect(analysePfs(store, STUDY, { asKnownAt: 'soon' })).rejects.toMatchObject({ code: 'REPLAY.INVALID_AS_KNOWN_AT' });
    await expect(analysePfs(store, 'NO-SUCH-STUDY')).rejects.toMatchObject({ code: 'STUDY.NOT_FOUND' });
  });

  it('given the scenario, then the ADTTE CSV has the ADaM columns, one row per subject, traced to ledger events', async () => {
    const pfs = await loadStudyPfs(store, STUDY);
    const lines = adtteCsv(pfs).trim().split('\n');
    expect(lines[0]).toBe('STUDYID,USUBJID,SUBJID,PARAMCD,PARAM,STARTDT,ADT,AVAL,AVALU,CNSR,EVNTDESC,CNSDTDSC,SRCDOM,SRCVAR,SRCSEQ,SRCEVID');
    expect(lines).toHaveLength(9);
    const s001 = lines[1].split(',');
    expect(s001.slice(0, 14)).toEqual([STUDY, `${STUDY}-S001`, 'S001', 'PFS', 'Progression-Free Survival (days)', '2026-01-05', '2026-03-30', '85', 'DAYS', '0', 'PROGRESSION (RECIST PD)', '', 'RS', 'RSDTC']);
    const source = await store.getEvent(s001[15]);
    expect(source).toMatchObject({ type: 'TumorAssessmentRecorded', streamVersion: Number(s001[14]) });
    const s004 = lines[4].split(',');
    expect(s004.slice(9, 14)).toEqual(['1', 'NO BASELINE TUMOR ASSESSMENT', 'START DATE (NO ADEQUATE POST-BASELINE ASSESSMENT)', 'DS', 'DSSTDTC']);
    const define = adtteDefineMarkdown(pfs, 'adtte.csv');
    for (const column of lines[0].split(',')) expect(define).toContain(`| ${column} |`);
    for (const code of [0, 1, 2, 3, 4, 5]) expect(define).toMatch(new RegExp(`\\n\\| ${code} \\| `));
    expect(define).toContain('one row per subject enrolled (intention to treat)');
  });

  it('given a data cutoff before a subject\'s enrollment, then the ADTTE leaves the subject out and its dictionary names the population at that cut', async () => {
    const all = await loadStudyPfs(store, STUDY);
    const cutoff = [...all.subjects].sort((a, b) => a.startDate.localeCompare(b.startDate)).at(-1)?.startDate as string;
    const earlier = all.subjects.filter((s) => s.startDate < cutoff).map((s) => s.subjectId);
    const previousDay = new Date(Date.parse(`${cutoff}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const pfs = await loadStudyPfs(store, STUDY, { cutoff: previousDay });
    expect(pfs.subjects.map((s) => s.subjectId)).toEqual(earlier);
    expect(adtteCsv(pfs).trim().split('\n')).toHaveLength(earlier.length + 1);
    expect(adtteDefineMarkdown(pfs, 'adtte.csv')).toContain(`one row per subject enrolled on or before the data cutoff ${previousDay} (intention to treat)`);
  });
});
