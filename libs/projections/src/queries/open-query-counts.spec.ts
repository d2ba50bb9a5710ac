import { clinicalReadModels, getStudyOverview, type ClinicalDocument } from '../clinical-read-models.projection';
import { applyChanges } from '../projection';
import { LedgerScenario, seedProtocol } from '../testing';
import { listQueries, monitoringFolder } from './monitoring.projection';
import { studyOpenQueries, subjectOpenQueries } from './open-query-counts';

const STUDY = 'LANR-HGNET-01';
const NOW = '2028-01-01T00:00:00.000Z';

/** A study with queries opened, answered, closed, reopened and cancelled on two subjects, and an off-window dose's system-free history. */
const scenario = (): LedgerScenario => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy();
  const s1 = ledger.subject('S001');
  s1.baseline('2026-01-02');
  s1.enrol('2026-01-05');
  const dose = s1.dose(1, '2026-01-06');
  const s2 = ledger.subject('S002');
  s2.enrol('2026-01-08');
  const ae = s2.adverseEvent('2026-01-10', 2);
  const q1 = s1.openQuery(dose, 'administeredOn');
  const q2 = s1.openQuery(dose, 'lotNumber');
  const q3 = s2.openQuery(ae);
  s1.respondToQuery(q1);
  s1.queryTransition('CloseQuery', q1);
  s1.queryTransition('CloseQuery', q1);
  s2.respondToQuery(q3);
  s1.queryTransition('CancelQuery', q2);
  s1.correct(dose, { administeredOn: '2026-01-07' }, 'pharmacy log');
  s1.queryTransition('ReopenQuery', q1);
  s2.queryTransition('CloseQuery', q3);
  s1.openQuery(dose);
  return ledger;
};

/** The open queries a monitor would count from the query list: open or answered, not closed or cancelled. */
const recount = (ledger: LedgerScenario, upTo: number, subjectId?: string): number => {
  const folder = monitoringFolder(STUDY);
  ledger.events.slice(0, upTo).forEach((e) => folder.add(e));
  return listQueries(folder.state(), NOW, subjectId === undefined ? {} : { subjectId }).filter((q) => q.status === 'open' || q.status === 'answered').length;
};

describe('open-query counts of the clinical read models', () => {
  it('given queries opened, answered, closed twice, cancelled and reopened, then after every event the kept counts equal a recount from the query list', () => {
    const ledger = scenario();
    const state: Record<string, ClinicalDocument> = {};
    ledger.events.forEach((event, i) => {
      applyChanges(state, clinicalReadModels.evolve(state, event));
      expect({ at: i + 1, study: studyOpenQueries(state, STUDY) }).toEqual({ at: i + 1, study: recount(ledger, i + 1) });
      for (const subjectId of ['S001', 'S002']) {
        expect({ at: i + 1, subjectId, open: subjectOpenQueries(state, STUDY, subjectId) }).toEqual({ at: i + 1, subjectId, open: recount(ledger, i + 1, subjectId) });
      }
    });
    const overview = getStudyOverview(state, STUDY)!;
    expect(overview.openQueries).toBe(2);
    expect(overview.subjects.map((s) => [s.subjectId, s.openQueries])).toEqual([['S001', 2], ['S002', 0]]);
  });

  it('given an event folded twice (a redelivery), then the counts do not move again', () => {
    const ledger = scenario();
    const state: Record<string, ClinicalDocument> = {};
    for (const event of ledger.events) applyChanges(state, clinicalReadModels.evolve(state, event));
    const opened = ledger.events.filter((e) => e.type === 'QueryOpened').at(-1)!;
    expect(clinicalReadModels.evolve(state, opened)).toBeNull();
    expect(studyOpenQueries(state, STUDY)).toBe(2);
  });

  it('given another study whose id begins the same, then its queries are counted in that study only', () => {
    const other = `${STUDY}-EXT`;
    const ledger = new LedgerScenario(other);
    ledger.registerStudy({ ...seedProtocol(), studyId: other });
    const s1 = ledger.subject('S001');
    s1.enrol('2026-01-05');
    s1.openQuery(s1.dose(1, '2026-01-06'));
    const state: Record<string, ClinicalDocument> = {};
    for (const event of ledger.events) applyChanges(state, clinicalReadModels.evolve(state, event));
    expect([studyOpenQueries(state, other), subjectOpenQueries(state, other, 'S001')]).toEqual([1, 1]);
    expect([studyOpenQueries(state, STUDY), subjectOpenQueries(state, STUDY, 'S001')]).toEqual([0, 0]);
  });
});
