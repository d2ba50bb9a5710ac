import { testing } from '@trial-ledger/projections';
import { renderSubjectPage } from './testing/render-viewer-page';

const STUDY = 'LANR-HGNET-01';

const pageOf = (ledger: InstanceType<typeof testing.LedgerScenario>): string => {
  const html = renderSubjectPage(ledger, STUDY, 'S001');
  return html.slice(html.indexOf('id="tumour"'), html.indexOf('id="aes"'));
};

/** The subject page says which scans RECIST could not judge and why, not that RECIST as a whole failed. */
describe('viewer subject page: RECIST scans not evaluable', () => {
  it('given a follow-up left before a late baseline, then the page names that scan as NE with the reason, and the later ones stay derived', () => {
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
    // when
    const section = pageOf(ledger);
    // then
    expect(section).not.toContain('could not be re-derived');
    expect(section).toContain('Not evaluable (NE): the scan of 2026-02-01 is dated on or before the baseline of 2026-02-15');
    expect(section).toContain('RECIST.ASSESSMENT_BEFORE_BASELINE');
  });
});
