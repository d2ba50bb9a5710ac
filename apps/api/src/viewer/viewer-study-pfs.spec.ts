import { addDays } from '@trial-ledger/domain';
import { testing } from '@trial-ledger/projections';
import { renderStudyDashboard } from './testing/render-viewer-page';

const STUDY = 'LANR-HGNET-01';
const START = '2026-01-05';
const day = (n: number): string => addDays(START, n - 1);

/** The study dashboard's PFS figures are those of `trial-ledger pfs`: the median and each landmark rate with its 95 % CI. */
describe('viewer study dashboard: PFS figures', () => {
  it('given a progression on day 85 and a subject followed to day 253, then the median and the 182-day rate carry their CIs', () => {
    // given
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s1 = ledger.subject('S001');
    s1.baseline(addDays(START, -10), { diameters: [50] });
    s1.enrol(START);
    s1.followUp(day(85), { diameters: [61] });
    const s2 = ledger.subject('S002');
    s2.baseline(addDays(START, -10), { diameters: [50] });
    s2.enrol(START);
    for (const n of [85, 169, 253]) s2.followUp(day(n), { diameters: [50] });
    // when
    const html = renderStudyDashboard(ledger, STUDY);
    // then: R survfit(conf.type = "log-log"): median 85 (95 % CI 85–NA); S(182) = 0.5 (0.00598–0.910)
    const pfs = html.slice(html.indexOf('id="pfs"'), html.indexOf('<figure class="km"'));
    expect(pfs).toMatch(/median PFS 85 days \(95 % CI 85–NR\)/);
    expect(pfs).toMatch(/PFS at day 182: 50\.0 % \(95 % CI 0\.6 %–91\.0 %\)/);
    expect(pfs).toMatch(/PFS at day 365: NE \(95 % CI NE–NE\)/);
  });
});
