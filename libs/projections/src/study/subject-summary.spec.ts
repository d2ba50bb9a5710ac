import { clinicalReadModels, getCasebookState, getStudyContext, overviewKey, type ClinicalDocument } from '../clinical-read-models.projection';
import { applyChanges } from '../projection';
import { LedgerScenario } from '../testing';
import { emptyCounters, replaceSummary, summariseSubject, type StudyCounters } from './study-overview.projection';

const STUDY = 'LANR-HGNET-01';

/** A subject whose adverse events are reported, corrected, voided and signed, between doses and assessments. */
const eventfulSubject = (): LedgerScenario => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  s.enrol('2026-01-05');
  s.baseline('2026-01-05');
  s.dose(1, '2026-01-05');
  const mild = s.adverseEvent('2026-01-10', 1);
  s.sign();
  const severe = s.adverseEvent('2026-01-20', 3, true);
  s.dose(2, '2026-02-02');
  s.adverseEvent('2026-02-05', 2);
  s.correct(mild, { ctcaeGrade: 3 }, 'grade re-assessed from the source notes');
  s.signRecord(severe);
  s.void(severe, 'entered in the wrong subject');
  s.dose(3, '2026-03-02');
  s.adverseEvent('2026-03-04', 4, true);
  s.followUp('2026-03-30');
  s.adverseEvent('2026-04-01', 1);
  return ledger;
};

describe('a subject summary kept by difference', () => {
  it('equals a recount from the subject state after every event: reports, corrections, voids and signatures', () => {
    const ledger = eventfulSubject();
    const state: Record<string, ClinicalDocument> = {};
    let checked = 0;
    for (const event of ledger.projected()) {
      applyChanges(state, clinicalReadModels.evolve(state, event));
      const row = getCasebookState(state, STUDY, 'S001');
      if (row === null) continue;
      expect(row.summary).toEqual(summariseSubject(row, getStudyContext(state, STUDY)?.protocol ?? null));
      checked += 1;
    }
    expect(checked).toBeGreaterThan(15);
    const row = getCasebookState(state, STUDY, 'S001')!;
    // Reported: grades 1→3 (corrected), 3 serious (voided), 2, 4 serious, 1.
    expect(row.summary.adverseEvents).toEqual({ total: 4, serious: 1, grade3OrHigher: 2 });
    expect(state[overviewKey(STUDY)] as StudyCounters).toMatchObject({ adverseEvents: row.summary.adverseEvents });
    expect(replaceSummary(emptyCounters(), null, row.summary).adverseEvents).toEqual(row.summary.adverseEvents);
  });
});
