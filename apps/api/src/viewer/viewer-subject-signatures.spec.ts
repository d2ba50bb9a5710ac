import { testing } from '@trial-ledger/projections';
import { renderSubjectPage } from './testing/render-viewer-page';

const STUDY = 'LANR-HGNET-01';

/** Part 11 §11.50: the subject page words each signature's meaning and names what it covers, as the report and replay do. */
describe('viewer subject page: what each signature attests and covers', () => {
  it('given a casebook approval and a monitor review of one scan, then the page says "Approval: …" over the casebook through its version and "Review: …" over that one scan', () => {
    // given
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.enrol('2026-01-05');
    const scan = s.baseline('2026-01-02', { diameters: [50] });
    s.sign('approval');
    s.signRecord(scan, 'review');
    // when
    const html = renderSubjectPage(ledger, STUDY, 'S001');
    const section = html.slice(html.indexOf('id="signatures"'));
    const rows = section.split('<tr>').slice(2);
    // then
    expect(rows[0]).toContain('Approval: I approve these data as complete and accurate');
    expect(rows[0]).toMatch(/the whole casebook through version \d+/);
    expect(rows[1]).toContain('Review: I have reviewed these data');
    expect(rows[1]).toContain(`one record: Tumor assessment recorded ${scan}`);
  });
});
