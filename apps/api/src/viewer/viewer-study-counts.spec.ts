import { testing } from '@trial-ledger/projections';
import { renderStudyDashboard } from './testing/render-viewer-page';

const STUDY = 'LANR-HGNET-01';

/** The dashboard's counts read as English: one subject, one event, one query — not "1 subjects". */
describe('viewer study dashboard: counts in words', () => {
  const dashboard = (ledger: testing.LedgerScenario): string => renderStudyDashboard(ledger, STUDY).replace(/\s+/g, ' ');

  it('given one enrolled subject with one progression, one adverse event, one deviation and one open query, then each count is singular', () => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.screen('2026-01-05');
    s.baseline('2026-01-05');
    s.confirmEligibility('2026-01-05');
    s.enrol('2026-01-05');
    const dose = s.dose(1, '2026-01-06');
    s.deviationRecorded('2026-01-06', 'other', 'minor');
    s.adverseEvent('2026-01-10', 1);
    s.openQuery(dose);
    s.clinicalProgression('2026-03-01');
    const html = dashboard(ledger);
    expect(html).toContain('1 live deviation (');
    expect(html).toContain('1 open query (');
    expect(html).toContain('1 adverse event,');
    expect(html).toContain('1 enrolled subject without a valid casebook signature');
    expect(html).toContain('1 subject, 1 event, 0 censored');
    expect(html).not.toMatch(/\b1 (subjects|events|queries|deviations|adverse events)\b/);
  });

  it('given two subjects and no event, then the counts are plural', () => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    for (const id of ['S001', 'S002']) {
      const s = ledger.subject(id);
      s.screen('2026-01-05');
      s.baseline('2026-01-05');
      s.confirmEligibility('2026-01-05');
      s.enrol('2026-01-05');
    }
    const html = dashboard(ledger);
    expect(html).toContain('0 live deviations (');
    expect(html).toContain('0 open queries (');
    expect(html).toContain('2 enrolled subjects without a valid casebook signature');
    expect(html).toContain('2 subjects, 0 events, 2 censored');
  });
});
