import { clinicalReadModels, foldProjection, getCasebook, testing } from '@trial-ledger/projections';
import { formatCasebook } from './replay.command';

const STUDY = 'LANR-HGNET-01';

/** `replay --subject` text: a scan RECIST cannot judge is named with the reason, next to the derived ones. */
describe('replay casebook text: RECIST scans not evaluable', () => {
  it('given a follow-up left before a late baseline, then the text names it as NE with the reason and does not say RECIST failed', () => {
    // given
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    const first = s.baseline('2026-01-02', { diameters: [50] });
    s.enrol('2026-01-05');
    s.followUp('2026-02-01', { diameters: [45] });
    s.followUp('2026-03-30', { diameters: [40] });
    s.void(first, 'scan of another subject');
    s.baseline('2026-02-15', { diameters: [50] });
    const casebook = getCasebook(foldProjection(clinicalReadModels, ledger.projected()), STUDY, 'S001')!;
    // when
    const text = formatCasebook(casebook, { position: ledger.events.length, asKnownAt: null });
    // then
    expect(text).toContain('  2026-03-30 CT SOD 40 mm: SD (target SD)');
    expect(text).toContain('  Not evaluable (NE): the scan of 2026-02-01 is dated on or before the baseline of 2026-02-15');
    expect(text).toContain('(RECIST.ASSESSMENT_BEFORE_BASELINE)');
    expect(text).not.toContain('could not be re-derived');
  });
});
