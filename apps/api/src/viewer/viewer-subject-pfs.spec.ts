import { addDays } from '@trial-ledger/domain';
import { testing } from '@trial-ledger/projections';
import { renderSubjectPage } from './testing/render-viewer-page';

const STUDY = 'LANR-HGNET-01';
const START = '2026-01-05';

/** The subject page's PFS derivation names and links every recorded fact the row rests on. */
describe('viewer subject page: PFS derivation provenance', () => {
  it('given a censoring for new anticancer therapy, then the page links the therapy and the disregarded progression', () => {
    // given
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.baseline(addDays(START, -10), { diameters: [50] });
    s.enrol(START);
    s.followUp(addDays(START, 84), { diameters: [50] });
    const therapy = s.newTherapy(addDays(START, 99));
    const progression = s.followUp(addDays(START, 168), { diameters: [61] });
    // when
    const html = renderSubjectPage(ledger, STUDY, 'S001');
    // then
    const section = html.slice(html.indexOf('id="pfs"'));
    expect(section).toContain(`<a href="#entry-${therapy}">NewAnticancerTherapyStarted</a> on ${addDays(START, 99)}`);
    expect(section).toContain(`<a href="#entry-${progression}">${addDays(START, 168)}: <bdi>PROGRESSION (RECIST PD)</bdi></a>`);
  });
});
