import { testing } from '@trial-ledger/projections';
import { renderStudyDashboard } from './testing/render-viewer-page';

const STUDY = 'LANR-HGNET-01';

/** The dashboard's verification block as a monitor reads it. */
describe('viewer study dashboard: verification', () => {
  const render = (checkpoints: unknown): string => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const html = renderStudyDashboard(ledger, STUDY, { ok: true, eventsChecked: 1, headPosition: 1, fault: null, checkpoints });
    return html.slice(html.indexOf('id="verification"'));
  };

  it('given a verdict that checked no signed checkpoint, then no "Last checkpoint" row reads as if none had been signed', () => {
    const block = render(null);
    expect(block).toContain('not checked here');
    expect(block).not.toContain('Last checkpoint');
  });

  it('given a verdict that matched signed checkpoints, then the last one is named', () => {
    const block = render({ total: 1, matched: 1, forged: 0, latestMatched: { position: 1, time: '2026-12-03T07:30:27.048Z' } });
    expect(block).toMatch(/Last checkpoint<\/dt><dd>position 1, signed 2026-12-03/);
  });
});
